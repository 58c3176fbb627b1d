"""The disclosure step: from an edition's raw analyses to the :class:`Publication`.

1. Every quantity the book can show is registered with its value (from the analyses) and its
   linear form in the model (:mod:`kansrijk.disclosure.model`); the two must agree.
2. Primary suppression, by the rules of the contract: a count of 1 to ``min_cel - 1``, and a
   group below ``min_noemer`` (its count goes with its percentage, and so does its size where
   the table shows the size beside the percentage; a table of percentages only, such as the
   stacking tables, hides its cells and leaves a size that is published elsewhere alone).
3. Secondary suppression across the whole edition: as long as some suppressed quantity can be
   recovered to within ``min_cel`` from the published ones (:mod:`kansrijk.disclosure.audit`),
   one of the published quantities that pin it is suppressed as well, the smallest first and a
   headline figure only when nothing else will do.
4. *Derived* percentages (a share of the extra-attention group, the share within one domain of
   the children with stacked factors) are shown when their count and group are published and
   large enough, and when knowing both exactly pins no suppressed value; otherwise they are
   left out, and they never cause other values to be suppressed.
5. Model-based figures (regression, test, associations) are made only from what is published.

A *table* percentage (a cell that can show a dash) makes its count and its group published
numbers; a derived one makes them published only when it is shown.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from kansrijk import labels
from kansrijk.analyses import atlas as atlas_analysis
from kansrijk.analyses import regression, stacking
from kansrijk.analyses.edition import Analysis
from kansrijk.analyses.poverty import BANDS
from kansrijk.analyses.poverty import COUNTS as POVERTY_COUNTS
from kansrijk.analyses.profile import BALANCE, STACKING
from kansrijk.analyses.rates import holm, wilson
from kansrijk.disclosure.audit import Fact, System
from kansrijk.disclosure.model import LEVELS, MOST_FACTORS, AuditModel, Children, Model, Poverty, Universe
from kansrijk.disclosure.rules import Thresholds
from kansrijk.params import Edition
from kansrijk.publication import (
    SUPPRESSED,
    Atlas,
    AtlasRow,
    CbsFacts,
    CbsRow,
    ChiSquare,
    Comparison,
    Count,
    EditionInfo,
    Estimate,
    InputFile,
    Pair,
    Proportion,
    Publication,
    Rate,
    RateTable,
    Regression,
    Sensitivity,
    Status,
)
from kansrijk.schemas import EDUCATION
from kansrijk.validation import EditionData

HEADLINES = ("kinderen.n", "kinderen.extra_aandacht.n", "armoede.kinderen_0_5", "armoede.tot_125", "armoede.tot_105")
MIN_EXPECTED = 5  # a chi-square test only where every expected count is at least this
UNKNOWN_SHARE = 15  # % 'onbekend' above which the chapter shows what the rates would be otherwise
WITHHELD = "niet geleverd door de bron"


@dataclass
class Quantity:
    """A count behind the book's numbers."""

    key: str
    universe: str
    form: np.ndarray
    value: int
    status: Status = Status.PUBLISHED
    reason: str = ""

    @property
    def suppressed(self) -> bool:
        return self.status in SUPPRESSED


@dataclass(frozen=True)
class RateSpec:
    key: str
    n: str
    d: str
    derived: bool = False
    shows_group: bool = True  # the table shows the group's size beside the percentage


@dataclass
class Registry:
    """The quantities, rates and tables of an edition, before and after suppression."""

    universes: dict[str, Universe]
    quantities: dict[str, Quantity] = field(default_factory=dict)
    rates: dict[str, RateSpec] = field(default_factory=dict)
    tables: dict[str, tuple[dict[str, str], dict[str, str]]] = field(default_factory=dict)
    shown_derived: set[str] = field(default_factory=set)
    small_groups: dict[str, str] = field(default_factory=dict)  # percentages hidden for their group alone
    aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)  # key -> every key with the same form
    uses: dict[str, list[RateSpec]] = field(default_factory=dict)  # quantity -> the rates it is count or group of
    withheld: set[str] = field(default_factory=set)  # rates the source did not deliver a count of
    design_effects: dict[str, float] = field(default_factory=dict)  # rate -> variance inflation by families

    def count(self, key: str, universe: str, form: np.ndarray, value: float) -> str:
        truth = self.universes[universe].truth
        if round(float(form @ truth)) != round(float(value)):
            raise RuntimeError(f"model and analysis disagree on {key}: {form @ truth} against {value}")
        self.quantities[key] = Quantity(key, universe, form, round(float(value)))
        return key

    def rate(self, key: str, n: str, d: str, derived: bool = False, shows_group: bool = True) -> str:
        spec = self.rates[key] = RateSpec(key, n, d, derived, shows_group)
        for operand in (n, d):
            self.uses.setdefault(operand, []).append(spec)
        return key

    def withhold(self, key: str) -> str:
        """A rate whose count or group the source withheld: it is shown as not delivered."""
        self.withheld.add(key)
        return key

    def live(self, spec: RateSpec) -> bool:
        """Whether a percentage is shown, and with it its count and group."""
        if (spec.derived and spec.key not in self.shown_derived) or spec.key in self.small_groups:
            return False
        return not (self.quantities[spec.n].suppressed or self.quantities[spec.d].suppressed)

    def published(self, q: Quantity) -> bool:
        """Whether the book shows ``q``: a headline count, or the count or group of a shown percentage."""
        if q.suppressed:
            return False
        return q.key in HEADLINES or any(self.live(r) for r in self.uses.get(q.key, ()))

    def loss(self, key: str) -> int:
        """What suppressing ``key`` (and its aliases) would take with it: the shown table percentages
        they are count or group of, a main figure weighing as much as a table of details."""
        rates = {r.key: r for alias in self.aliases.get(key, (key,)) for r in self.uses.get(alias, ())}
        return sum(_weight(r.key) for r in rates.values() if not r.derived and self.live(r))

    def table(self, key: str, rates: dict[str, str], names: dict[str, str]) -> None:
        self.tables[key] = (rates, names)

    def value(self, key: str) -> int:
        return self.quantities[key].value

    def suppress(self, key: str, status: Status, reason: str) -> None:
        """Suppress ``key`` and every quantity that counts the same children (an alias shows it too)."""
        for alias in self.aliases.get(key, (key,)):
            quantity = self.quantities[alias]
            if quantity.status not in SUPPRESSED:
                quantity.status, quantity.reason = status, reason


KINDS = {  # the four kinds of stacking, by the counts of factors and domains of a cell
    "geen": lambda factors, domains: factors == 0,
    "een_factor": lambda factors, domains: factors == 1,
    "binnen_een_domein": lambda factors, domains: (factors >= 2) & (domains == 1),
    "meerdere_domeinen": lambda factors, domains: domains >= 2,
}


def _children(reg: Registry, a: Analysis, c: Children) -> None:
    """Register every children's quantity, rate and table the book can show."""
    k = a.data.kinderen
    followed = k["extra_aandacht"].to_numpy()

    def count(key: str, select, value: float) -> str:
        return reg.count(key, "kinderen", c.form(select), value)

    n = count("kinderen.n", lambda x: x.factoren >= 0, len(k))
    attention = count("kinderen.extra_aandacht.n", lambda x: x.gevolgd, followed.sum())
    without = count("kinderen.zonder_extra_aandacht.n", lambda x: ~x.gevolgd, (~followed).sum())
    reg.rate("kinderen.extra_aandacht", attention, n)

    balance = {
        "geen_risicofactoren": lambda x: x.factoren == 0,
        "risico_niet_gevolgd": lambda x: (x.factoren >= 1) & ~x.gevolgd,
        "gevolgd_in_balans": lambda x: x.zorg == "in_balans",
        "uit_balans": lambda x: x.zorg == "uit_balans",
    }
    rates = {}
    for cat in BALANCE:
        key = count(f"kinderen.balans.{cat}.n", balance[cat], a.balance.at[cat, "n"])
        rates[cat] = reg.rate(f"kinderen.balans.{cat}", key, n)
    reg.table("kinderen.balans", rates, labels.BALANCE)
    reg.rate("kinderen.uit_balans_onder_extra_aandacht", "kinderen.balans.uit_balans.n", attention, derived=True)

    level_values = a.levels
    rates = {}
    for level, select in LEVELS.items():
        key = count(f"kinderen.niveaus.{level}.n", select, level_values[level])
        rates[level] = reg.rate(f"kinderen.niveaus.{level}", key, n)
    reg.table("kinderen.niveaus", rates, labels.LEVELS)

    rates, shares, composition = {}, {}, {}
    table = a.by_education
    for cat in EDUCATION:
        group = count(f"kinderen.opleiding.{cat}.n", lambda x, cat=cat: x.opleiding == cat, table.at[cat, "noemer"])
        mine = count(
            f"kinderen.extra_aandacht_naar_opleiding.{cat}.n",
            lambda x, cat=cat: (x.opleiding == cat) & x.gevolgd,
            table.at[cat, "n"],
        )
        rates[cat] = reg.rate(f"kinderen.extra_aandacht_naar_opleiding.{cat}", mine, group)
        shares[cat] = reg.rate(f"kinderen.opleiding_aandeel.{cat}", group, n, derived=True)
        composition[cat] = reg.rate(f"kinderen.opleiding_onder_extra_aandacht.{cat}", mine, attention, derived=True)
    reg.table("kinderen.extra_aandacht_naar_opleiding", rates, labels.EDUCATION)
    reg.table("kinderen.opleiding_aandeel", shares, labels.EDUCATION)
    reg.table("kinderen.opleiding_onder_extra_aandacht", composition, labels.EDUCATION)

    rates, shares = {}, {}
    table, origin = a.by_origin, a.data.origin
    for cat in origin.categories:
        group = reg.count(
            f"kinderen.{origin.column}.{cat}.n",
            "kinderen",
            c.origin(lambda o, cat=cat: o.herkomst == cat),
            table.at[cat, "noemer"],
        )
        mine = reg.count(
            f"{origin.rates_key}.{cat}.n",
            "kinderen",
            c.origin(lambda o, cat=cat: (o.herkomst == cat) & o.gevolgd),
            table.at[cat, "n"],
        )
        rates[cat] = reg.rate(f"{origin.rates_key}.{cat}", mine, group)
        shares[cat] = reg.rate(f"{origin.shares_key}.{cat}", group, n, derived=True)
    reg.table(origin.rates_key, rates, origin.labels)
    reg.table(origin.shares_key, shares, origin.labels)

    factors_per_child = np.minimum(a.profile["aantal_factoren"].to_numpy(), MOST_FACTORS)
    rates = {}
    for i in range(MOST_FACTORS + 1):
        key = count(f"kinderen.aantal_factoren.{i}.n", lambda x, i=i: x.factoren == i, (factors_per_child == i).sum())
        rates[str(i)] = reg.rate(f"kinderen.aantal_factoren.{i}", key, n)
    reg.table("kinderen.aantal_factoren", rates, labels.FACTOR_COUNT)
    several = a.profile["aantal_factoren"].to_numpy() >= 2
    multi = count("kinderen.meerdere_factoren.n", lambda x: x.factoren >= 2, several.sum())
    reg.rate("kinderen.meerdere_factoren", multi, n, derived=True)
    multi_a = count(
        "kinderen.meerdere_factoren_extra_aandacht.n",
        lambda x: (x.factoren >= 2) & x.gevolgd,
        (several & followed).sum(),
    )
    reg.rate("kinderen.meerdere_factoren_extra_aandacht", multi_a, attention, derived=True)
    multi_o = count(
        "kinderen.meerdere_factoren_zonder_extra_aandacht.n",
        lambda x: (x.factoren >= 2) & ~x.gevolgd,
        (several & ~followed).sum(),
    )
    reg.rate("kinderen.meerdere_factoren_zonder_extra_aandacht", multi_o, without, derived=True)

    variants = {  # key: (counts, groups, which children, numbers of factors and domains)
        "stapeling_naar_opleiding": (a.stacking_counts, "kinderen.opleiding.{}.n", None, ("factoren", "domeinen")),
        "stapeling_extra_aandacht": (
            a.stacking_counts_followed,
            "kinderen.extra_aandacht_naar_opleiding.{}.n",
            "gevolgd",
            ("factoren", "domeinen"),
        ),
        "stapeling_zonder_opleidingsfactor": (
            a.stacking_counts_without_education,
            "kinderen.opleiding.{}.n",
            None,
            ("zonder_factoren", "zonder_domeinen"),
        ),
    }
    for variant, (counts, group, among, (nf, nd)) in variants.items():
        for edu in EDUCATION:
            rates = {}
            for kind in STACKING:
                select = lambda x, edu=edu, kind=kind, among=among, nf=nf, nd=nd: (  # noqa: E731
                    (x.opleiding == edu) & KINDS[kind](x[nf], x[nd]) & (x[among] if among else True)
                )
                key = count(f"kinderen.{variant}.{edu}.{kind}.n", select, counts.at[edu, kind])
                rates[kind] = reg.rate(f"kinderen.{variant}.{edu}.{kind}", key, group.format(edu), shows_group=False)
            reg.table(f"kinderen.{variant}.{edu}", rates, labels.STACKING)

    within = {}
    for edu in EDUCATION:  # of the followed children with two or more factors: all in one domain
        stacked = count(
            f"kinderen.gestapeld_extra_aandacht.{edu}.n",
            lambda x, edu=edu: (x.opleiding == edu) & x.gevolgd & (x.factoren >= 2),
            a.stacking_counts_followed.loc[edu, ["binnen_een_domein", "meerdere_domeinen"]].sum(),
        )
        within[edu] = reg.rate(
            f"kinderen.binnen_een_domein.{edu}",
            f"kinderen.stapeling_extra_aandacht.{edu}.binnen_een_domein.n",
            stacked,
            derived=True,
        )
    reg.table("kinderen.binnen_een_domein", within, labels.EDUCATION)

    prevalence, share_followed = {}, {}
    names = {code: a.catalogue.label(code) for code in a.catalogue.codes}
    for code in a.catalogue.codes:
        key = reg.count(f"kinderen.risicofactoren.{code}.n", "kinderen", c.factor(code), a.prevalence.at[code, "n"])
        prevalence[code] = reg.rate(f"kinderen.risicofactoren.{code}", key, n)
        mine = reg.count(
            f"kinderen.gevolgd_per_risicofactor.{code}.n",
            "kinderen",
            c.factor(code, followed=True),
            a.followed_per_factor.at[code, "n"],
        )
        share_followed[code] = reg.rate(f"kinderen.gevolgd_per_risicofactor.{code}", mine, key, shows_group=False)
    reg.table("kinderen.risicofactoren", prevalence, names)
    reg.table("kinderen.gevolgd_per_risicofactor", share_followed, names)

    empty = {}  # children whose education or origin cell was empty, read as 'onbekend'
    for column in c.blank_columns:
        key = reg.count(f"kinderen.leeg.{column}.n", "kinderen", c.blank(column), a.data.blanks.get(column, 0))
        empty[column] = reg.rate(f"kinderen.leeg.{column}", key, n)
    reg.table("kinderen.leeg", empty, {column: labels.COLUMNS.get(column, column) for column in c.blank_columns})

    if c.families:  # the four levels as shares of families: a family at the highest level of its children
        families = a.family_levels
        total = reg.count("gezinnen.n", "kinderen", sum(c.family(v) for v in c.families), sum(families.values()))
        rates = {}
        for level in c.families:
            key = reg.count(f"gezinnen.niveaus.{level}.n", "kinderen", c.family(level), families[level])
            rates[level] = reg.rate(f"gezinnen.niveaus.{level}", key, total)
        reg.table("gezinnen.niveaus", rates, labels.LEVELS)


def _poverty(reg: Registry, a: Analysis, p: Poverty) -> None:
    """Register the municipal and district figures of child poverty that the source delivered;
    a percentage whose count or group it withheld is shown as not delivered."""
    table, total = a.poverty, a.data.poverty_total

    def delivered(value: object) -> int | None:
        return None if pd.isna(value) else int(value)  # type: ignore[call-overload]

    if total is not None:  # the source's own municipal figures
        municipal = {c: delivered(total[c]) for c in POVERTY_COUNTS}
    else:  # the districts' sum, when every district has the count
        municipal = {c: None if table[c].isna().any() else int(table[c].sum()) for c in POVERTY_COUNTS}
    scopes = [("armoede", None, municipal)] + [
        (f"armoede.wijken.{code}", [code], {c: delivered(table.at[code, c]) for c in POVERTY_COUNTS})
        for code in p.codes
    ]
    district_rates: dict[str, dict[str, str]] = {"125": {}, "105": {}}
    for prefix, codes, values in scopes:
        children = None
        if values["kinderen_0_5"] is not None:
            form = p.form(codes, BANDS, "kinderen_0_5")
            children = reg.count(f"{prefix}.kinderen_0_5", "armoede", form, values["kinderen_0_5"])
        for line, column in (("125", "tot_125_wsm"), ("105", "tot_105_wsm")):
            key = f"{prefix}.pct_{line}"
            if children is not None and values[column] is not None:
                form = p.form(codes, BANDS[: 2 if line == "125" else 1], column)
                poor = reg.count(f"{prefix}.tot_{line}", "armoede", form, values[column])
                reg.rate(key, poor, children)
            else:
                reg.withhold(key)
            if codes is not None:
                district_rates[line][codes[0]] = key
    names = dict(zip(table.index, table["wijk_naam"], strict=True))
    for line, rates in district_rates.items():
        reg.table(f"armoede.wijken.pct_{line}", rates, names)


def _compress(reg: Registry) -> None:
    """Merge the unknowns of each universe that no quantity and no rule tells apart (exact, and
    the integer programs get smaller); and note which quantities count the same children."""
    for name, universe in reg.universes.items():
        mine = [q for q in reg.quantities.values() if q.universe == name]
        system, keep, merged_into = universe.model.system.compress([q.form for q in mine])
        same: dict[bytes, list[str]] = {}
        for q in mine:
            q.form = q.form[keep]
            if q.form.any():  # a quantity that is zero by definition is nobody's alias
                same.setdefault(q.form.tobytes(), []).append(q.key)
        truth = np.bincount(merged_into, weights=universe.truth, minlength=len(keep))  # the merged counts
        reg.universes[name] = Universe(Model(system, {}), truth)
        reg.aliases |= {key: tuple(keys) for keys in same.values() if len(keys) > 1 for key in keys}


def _primary(reg: Registry, t: Thresholds) -> None:
    small = f"aantal van 1 tot en met {t.min_cel - 1}"
    for q in reg.quantities.values():
        if reg.published(q) and t.count_unsafe(q.value):
            reg.suppress(q.key, Status.PRIMARY, small)
    for spec in reg.rates.values():
        if not spec.derived and 0 < reg.value(spec.d) < t.min_noemer:
            reason = f"groep kleiner dan {t.min_noemer}"
            reg.suppress(spec.n, Status.PRIMARY, reason)
            if spec.shows_group:
                reg.suppress(spec.d, Status.PRIMARY, reason)
            else:
                reg.small_groups[spec.key] = reason


def _facts(reg: Registry, universe: str) -> list[Fact]:
    return [
        Fact(q.key, q.form, q.value, q.value)
        for q in reg.quantities.values()
        if q.universe == universe and reg.published(q)
    ]


def _targets(reg: Registry, universe: str) -> list[Quantity]:
    """The suppressed quantities to protect (not those that are zero by definition, such as
    followed children without a risk factor: there is nothing to hide)."""
    return [q for q in reg.quantities.values() if q.universe == universe and q.suppressed and q.form.any()]


def _secondary(reg: Registry, universe: str, t: Thresholds) -> None:
    """Suppress more until no suppressed quantity of ``universe`` can be recovered within ``min_cel``.
    Suppressing more only widens every range, so a quantity found safe stays safe."""
    system, truth = reg.universes[universe].model.system, reg.universes[universe].truth
    safe: set[str] = set()
    for _ in range(len(reg.quantities) + 1):
        facts = _facts(reg, universe)
        pinned = None
        for q in _targets(reg, universe):
            if q.key in safe:
                continue
            if system.narrower_than(facts, q.form, t.min_cel, truth):
                pinned = q
                break
            safe.add(q.key)
        if pinned is None:
            return
        choice = _choose(reg, universe, facts, pinned, t)
        reg.suppress(choice, Status.SECONDARY, f"anders terug te rekenen ({pinned.key})")
    raise RuntimeError("secondary suppression did not converge")


# The percentages a reader would miss most: rates by group, the balance, the levels, poverty.
MAIN_FIGURES = (
    "kinderen.extra_aandacht",
    "kinderen.balans.",
    "kinderen.niveaus.",
    "kinderen.extra_aandacht_naar_",
    "armoede.",
)
MAIN_WEIGHT = 10
CHEAP = 2  # a loss this small is an acceptable step even when it does not unpin on its own


def _weight(rate_key: str) -> int:
    return MAIN_WEIGHT if rate_key.startswith(MAIN_FIGURES) else 1


def _choose(reg: Registry, universe: str, facts: list[Fact], pinned: Quantity, t: Thresholds) -> str:
    """The published quantity to suppress next for ``pinned``.

    Only the facts that pin it (the dual certificate of the audit) can free it, directly or by
    taking a percentage with them: so the candidates are those, and the other count or group of
    each percentage they belong to. The choice, by cost (no headline, least lost, smallest):
    the cheapest that unpins it on its own, if that loses little; else the cheap one that widens
    its range most; else the cheapest cheap one of the certificate (a value pinned along several
    routes is freed one route at a time); only then the cheapest that unpins it on its own, unless
    closing the cheapest route of the certificate loses less (a child count and a family count
    can pin the same value twice over: closing both routes is cheaper than hiding every share of
    the total). Where the value is still pinned, the loop goes on.
    """
    system, truth = reg.universes[universe].model.system, reg.universes[universe].truth

    def cost(key: str) -> tuple:
        return (key in HEADLINES, reg.loss(key), reg.value(key) == 0, reg.value(key), key)

    def without(key: str) -> list[Fact]:
        q = reg.quantities[key]
        status, q.status = q.status, Status.SECONDARY  # tentatively
        try:
            return _facts(reg, universe)
        finally:
            q.status = status

    certificate = list(system.range(facts, pinned.form, explain=True).pinned_by)
    partners = [
        other
        for key in certificate
        for r in reg.uses.get(key, ())
        if reg.live(r)
        for other in (r.n, r.d)
        if other not in certificate
    ]
    candidates = set(certificate) | {key for key in partners if not reg.quantities[key].suppressed}
    candidates = sorted({reg.aliases.get(key, (key,))[0] for key in candidates}, key=cost)  # one per alias group
    unpinning = (key for key in candidates if not system.narrower_than(without(key), pinned.form, t.min_cel, truth))
    first = next(unpinning, None)
    if first is not None and reg.loss(first) <= CHEAP:
        return first
    width = system.relaxed_width(facts, pinned.form)
    gains = [
        (system.relaxed_width(without(key), pinned.form) - width, key) for key in candidates if reg.loss(key) <= CHEAP
    ]
    gains = [(gain, key) for gain, key in gains if gain > 0]
    if gains:
        return max(gains, key=lambda item: (item[0], -reg.loss(item[1])))[1]
    ranked = sorted(certificate, key=cost)
    cheap = [key for key in ranked if reg.loss(key) <= CHEAP]
    if cheap:  # pinned along several routes at once: close the cheapest, and the loop goes on
        return cheap[0]
    if first is not None and (not ranked or reg.loss(first) <= reg.loss(ranked[0])):
        return first
    if ranked:  # one suppression that frees it costs more than closing its routes one by one
        return ranked[0]
    if not (certificate or facts):
        raise RuntimeError(f"{pinned.key} is pinned by the rules alone")
    return min(certificate or [f.label for f in facts], key=cost)


def _derived(reg: Registry, t: Thresholds) -> dict[str, str]:
    """Which derived percentages may be shown (key -> '' ) and why the others may not (key -> reason)."""
    verdicts: dict[str, str] = {}
    for spec in (s for s in reg.rates.values() if s.derived):
        n, d = reg.quantities[spec.n], reg.quantities[spec.d]
        if n.status in SUPPRESSED or d.status in SUPPRESSED:
            verdicts[spec.key] = (n if n.status in SUPPRESSED else d).reason
        elif 0 < d.value < t.min_noemer:
            verdicts[spec.key] = f"groep kleiner dan {t.min_noemer}"
        elif t.count_unsafe(n.value) or t.count_unsafe(d.value - n.value):
            verdicts[spec.key] = f"aantal van 1 tot en met {t.min_cel - 1}"
        elif not _reveals_nothing(reg, [n, d], t):
            verdicts[spec.key] = "zou een onderdrukt getal terug te rekenen maken"
        else:
            reg.shown_derived.add(spec.key)
            verdicts[spec.key] = ""
    return verdicts


def _reveals_nothing(reg: Registry, quantities: list[Quantity], t: Thresholds) -> bool:
    """Whether publishing ``quantities`` exactly keeps every suppressed value of their universe
    unrecoverable. Quantities that already follow from the published ones change nothing."""
    universe = quantities[0].universe
    system, truth = reg.universes[universe].model.system, reg.universes[universe].truth
    facts = _facts(reg, universe)
    # A count the published ones fix changes nothing: its integer range is narrower than 1 (the
    # data and any other solution known give one value; a form counts cells, it is integral).
    new = [q for q in quantities if not reg.published(q) and not system.narrower_than(facts, q.form, 1, truth)]
    if not new:
        return True
    more = facts + [Fact(q.key, q.form, q.value, q.value) for q in new]
    return not any(system.narrower_than(more, q.form, t.min_cel, truth) for q in _targets(reg, universe))


def _rate(reg: Registry, spec: RateSpec, hidden: str | None = None) -> Rate:
    """The published rate; ``hidden`` is why a derived rate is not shown (``None``: not derived)."""
    n, d = reg.quantities[spec.n], reg.quantities[spec.d]
    hidden = hidden or reg.small_groups.get(spec.key)
    if hidden:
        return Rate(spec.key, None, None, None, None, None, Status.PRIMARY, hidden)
    for q in (n, d):
        if q.status in SUPPRESSED:
            return Rate(spec.key, None, None, None, None, None, q.status, q.reason)
    if d.value == 0:
        return Rate(spec.key, 0, 0, None, None, None, Status.EMPTY, "geen kinderen in deze groep")
    # siblings are alike: with families, the interval is that of the effective number of children
    deff = reg.design_effects.get(spec.key, 1.0)
    low, high = wilson(n.value / deff, d.value / deff)
    return Rate(spec.key, n.value, d.value, 100 * n.value / d.value, float(low), float(high), Status.PUBLISHED)


def _regression(a: Analysis, rates: dict[str, Rate], t: Thresholds, n_published: bool) -> Regression | None:
    """The regression on categories with published rates and at least ``min_cel`` children with
    and without extra attention. The others are pooled into 'overig' (their size follows from the
    published margins anyway), which is left out when it is itself too small; a variable with
    fewer than two categories left is left out of the model."""
    frame, origin = a.data.kinderen.copy(), a.data.origin
    references: dict[str, str] = {}
    notes: list[str] = []
    keep = pd.Series(True, index=frame.index)
    for variable, name, preferred, categories, table in (
        ("opleiding_ouders", "opleiding", "hoog", EDUCATION, a.by_education),
        (origin.column, origin.column, origin.reference, origin.categories, a.by_origin),
    ):
        separate = [
            c
            for c in categories
            if rates[f"kinderen.extra_aandacht_naar_{name}.{c}"].published
            and min(table.at[c, "n"], table.at[c, "noemer"] - table.at[c, "n"]) >= t.min_cel
        ]
        values = frame[variable].astype(str)
        pooled = ~values.isin(separate)
        frame[variable] = values.where(~pooled, regression.OTHER)
        label, level_labels = regression.VARIABLES[variable]
        if pooled.any():
            size, events = int(pooled.sum()), int(frame.loc[pooled, "extra_aandacht"].sum())
            names = ", ".join(level_labels[c].lower() for c in categories if c not in separate and (values == c).any())
            if size < t.min_noemer or min(events, size - events) < t.min_cel:
                keep &= ~pooled
                notes.append(f"{label}: de kleine groepen ({names}) zijn weggelaten.")
            else:
                notes.append(f"{label}: de kleine groepen ({names}) zijn samengenomen als ‘overig’.")
        if len(separate) < 2:
            notes.append(f"{label} is weggelaten uit het model: te weinig groepen om te vergelijken.")
            continue
        sizes = values[values.isin(separate)].value_counts()
        references[variable] = preferred if preferred in separate else str(sizes.idxmax())
    if not references:
        return None
    data = frame[keep]
    groups = pd.factorize(data["gezin_id"])[0] if a.data.families else None
    fit = regression.fit_logit(data, references, groups)
    if fit is None:
        return None
    terms = tuple(
        (
            row.term,
            Estimate(f"regressie.{term}", float(row.odds_ratio), float(row.ci_laag), float(row.ci_hoog), float(row.p)),
        )
        for term, row in fit.odds_ratios.iterrows()
    )
    proportions = tuple(
        Proportion(
            f"{regression.VARIABLES[row.variabele][0]}: {regression.category_label(row.variabele, row.categorie)}",
            Estimate(f"regressie.aangepast.{row.variabele}.{row.categorie}", float(row.pct)),
            None
            if row.categorie == references[row.variabele]
            else Estimate(f"regressie.verhouding.{row.variabele}.{row.categorie}", float(row.ratio)),
        )
        for row in regression.adjusted_proportions(fit, data, references).itertuples()
    )
    interaction = None
    cells = data.groupby([data[v].astype(str) for v in references], observed=True).size()
    # the test needs every combination of the two to occur; it publishes one statistic, no cell
    if len(references) == 2 and len(cells) == cells.index.levshape[0] * cells.index.levshape[1]:
        tested = regression.interaction_test(fit, data, references)
        if tested is not None:
            interaction = Estimate("regressie.interactie", tested[0], p=tested[2])
    # the model's size is published only when it is a published number: all children
    n = fit.n if n_published and bool(keep.all()) else 0
    return Regression(
        fit.formula,
        terms,
        proportions,
        interaction,
        tested[1] if interaction is not None else 0,
        n,
        tuple(notes),
        regression.summary_text(fit),
        clustered=groups is not None,
    )


def _stacking_test(counts: pd.DataFrame, rates: dict[str, Rate]) -> ChiSquare | None:
    """The claim itself: among the followed children with two or more factors, all in one domain
    against several, by education; over the groups whose two counts are published, when every
    expected count is at least five."""
    kinds = ["binnen_een_domein", "meerdere_domeinen"]
    groups = [e for e in EDUCATION if all(rates[f"kinderen.stapeling_extra_aandacht.{e}.{k}"].published for k in kinds)]
    table = counts.loc[groups, kinds]
    if len(groups) < 2 or (table.sum(axis=0) == 0).any():
        return None
    from scipy.stats.contingency import expected_freq

    if (expected_freq(table.to_numpy()) < MIN_EXPECTED).any():
        return None
    test = stacking.association_test(table)
    if test is None:
        return None
    return ChiSquare(
        Estimate("stapeling.chi2", test.statistic, p=test.p),
        test.dof,
        Estimate("stapeling.cramers_v", test.cramers_v),
        tuple(groups),
    )


def _district_comparisons(rates: dict[str, Rate], codes: list[str]) -> dict[str, Comparison]:
    """Each district with a published share at or below 125% of WSM against the rest of the
    municipality (its published total less the district), by a two-proportion z-test, with Holm's
    correction over all districts compared. Only published numbers go in."""
    from statsmodels.stats.proportion import proportions_ztest

    total = rates["armoede.pct_125"]
    if not total.published:
        return {}
    tested: dict[str, tuple[float, int]] = {}
    for code in codes:
        district = rates[f"armoede.wijken.{code}.pct_125"]
        rest_n, rest_d = total.n - (district.n or 0), total.noemer - (district.noemer or 0)
        if not district.published or rest_d <= 0 or district.noemer == 0:
            continue
        if district.n + rest_n in (0, district.noemer + rest_d):
            tested[code] = (1.0, 0)  # no variation at all: nothing differs
            continue
        _, p = proportions_ztest([district.n, rest_n], [district.noemer, rest_d])
        direction = 1 if district.n / district.noemer > rest_n / rest_d else -1
        tested[code] = (float(p), direction)
    if not tested:
        return {}
    adjusted = holm([p for p, _ in tested.values()])
    return {
        code: Comparison(
            code,
            ("hoger" if direction > 0 else "lager") if q < 0.05 else "",
            Estimate(f"armoede.wijken.{code}.vergelijking", float(q), p=float(q)),
        )
        for (code, (_, direction)), q in zip(tested.items(), adjusted, strict=True)
    }


def _pairs(a: Analysis, rates: dict[str, Rate], t: Thresholds) -> tuple[tuple[Pair, ...], tuple[str, ...]]:
    """Phi and odds ratio for pairs of the ten most common published factors, where every cell
    of the pair's two-by-two table is zero or at least ``min_cel``."""
    from kansrijk.analyses import factors

    published = [c for c in a.catalogue.codes if rates[f"kinderen.risicofactoren.{c}"].published]
    counts = {c: rates[f"kinderen.risicofactoren.{c}"].n for c in published}
    codes = sorted((c for c in published if counts[c]), key=lambda c: (-counts[c], a.catalogue.label(c)))[:10]
    if len(codes) < 2:
        return (), tuple(codes)
    x = a.matrix[codes].to_numpy(dtype=bool)
    pairs = []
    for row, (i, j) in zip(
        factors.associations(a.matrix, codes).itertuples(), itertools.combinations(range(len(codes)), 2), strict=True
    ):
        u, v = x[:, i], x[:, j]
        cells = [(u & v).sum(), (u & ~v).sum(), (~u & v).sum(), (~u & ~v).sum()]
        if any(t.count_unsafe(cell) for cell in cells) or not math.isfinite(row.phi):
            continue
        key = f"samenhang.{row.a}.{row.b}"
        pairs.append(
            Pair(
                row.a,
                row.b,
                Estimate(f"{key}.phi", float(row.phi)),
                Estimate(
                    f"{key}.odds_ratio", math.exp(row.log_or), math.exp(row.log_or_laag), math.exp(row.log_or_hoog)
                ),
            )
        )
    return tuple(pairs), tuple(codes)


def _atlas(data: EditionData) -> Atlas | None:
    if data.atlas is None:
        return None
    table, mean = atlas_analysis.classify(data.atlas, data.wijken)
    rows = tuple(
        AtlasRow(
            str(code),
            str(r.wijk_naam),
            float(r.kwetsbaarheidsscore),
            float(r.verschil),
            str(r.klasse),
            float(r.pct_15_45),
        )
        for code, r in table.iterrows()
    )
    return Atlas(mean, atlas_analysis.MARGIN, rows)


def _design_effects(reg: Registry, members, families: np.ndarray) -> dict[str, float]:
    """Per children's rate: how much the family clusters inflate the variance of its share
    (cluster-robust variance of the share, statsmodels, against the binomial one; at least 1)."""
    import statsmodels.api as sm

    found = {}
    for key, spec in reg.rates.items():
        n, d = reg.quantities[spec.n], reg.quantities[spec.d]
        if d.universe != "kinderen" or key.startswith("gezinnen."):
            continue
        group = np.asarray(members @ d.form).ravel() > 0
        y = (np.asarray(members @ n.form).ravel() > 0)[group].astype(float)
        size = len(y)
        if size < 2 or y.min() == y.max():
            continue  # no variation: nothing to inflate
        share = y.mean()
        fit = sm.OLS(y, np.ones(size)).fit(cov_type="cluster", cov_kwds={"groups": families[group]})
        found[key] = max(1.0, float(fit.bse[0] ** 2) / (share * (1 - share) / size))
    return found


def _sensitivity(
    rates: dict[str, Rate], n: Count, key: str, variable: str, ends: tuple[str, str] | None
) -> Sensitivity | None:
    """When more than :data:`UNKNOWN_SHARE` % of the children have 'onbekend' for ``variable``:
    the rates of the two end groups (``ends``, else the known groups with the lowest and the
    highest rate) if every child with 'onbekend' belonged to that group. Published numbers only."""
    unknown = rates[f"{key}.onbekend"]
    if unknown.noemer is None or n.value is None or not n.value or 100 * unknown.noemer / n.value <= UNKNOWN_SHARE:
        return None
    known = {
        c: r
        for c, r in ((k.rsplit(".", 1)[1], r) for k, r in rates.items() if k.startswith(f"{key}."))
        if c != "onbekend"
    }
    published = {c: r for c, r in known.items() if r.published}
    if ends is None and len(published) >= 2:
        ends = (min(published, key=lambda c: published[c].pct), max(published, key=lambda c: published[c].pct))
    share = Estimate(f"gevoeligheid.{variable}.onbekend", 100 * unknown.noemer / n.value)
    if ends is None or unknown.n is None or not all(c in published for c in ends):
        return Sensitivity(variable, share, ())
    scenarios = tuple(
        (
            c,
            published[c],
            Estimate(
                f"gevoeligheid.{variable}.{c}",
                100 * (published[c].n + unknown.n) / (published[c].noemer + unknown.noemer),  # type: ignore[operator]
            ),
        )
        for c in ends
    )
    return Sensitivity(variable, share, scenarios)


def _cbs(data: EditionData) -> CbsFacts | None:
    """The CBS district facts of ``cbs_wijken.csv``: public figures of CBS, not of children."""
    from kansrijk.cbs import FACTS

    if data.cbs is None:
        return None
    rows = tuple(
        CbsRow(
            str(row.wijk_code),
            str(row.wijk_naam),
            tuple(
                (
                    f.column,
                    None
                    if pd.isna(getattr(row, f.column))
                    else Estimate(f"cbs.{row.wijk_code}.{f.column}", float(getattr(row, f.column))),
                )
                for f in FACTS
            ),
        )
        for row in data.cbs.itertuples(index=False)
    )
    sources = tuple(dict.fromkeys(str(b) for b in data.cbs["bron"])) + tuple(
        dict.fromkeys(str(b) for b in data.cbs["licentie"])
    )
    return CbsFacts(rows, "; ".join(sources))


def plan(edition: Edition, data: EditionData) -> Publication:
    """Everything the edition may publish, after primary and secondary suppression."""
    from kansrijk.analyses.poverty import split

    o = edition.params.onthulling
    t = Thresholds(min_cel=o.min_cel, min_noemer=o.min_noemer)
    a = Analysis(data)
    children = Children(a.catalogue, data.origin, families=data.families)
    division = split(data.armoede, data.poverty_total, data.poverty_rounded)
    if division is None:  # validation refuses such a file
        raise ValueError("the poverty counts admit no split over the income bands")
    poverty_model = Poverty(list(data.armoede["wijk_code"]), division, data.poverty_rounded)
    universes = {
        "kinderen": Universe(
            Model(System(children.names, children.rules()), {}),
            children.truth(data.kinderen, a.matrix, a.family_levels),
        ),
        "armoede": Universe(Model(System(poverty_model.names, poverty_model.rules()), {}), poverty_model.truth()),
    }
    reg = Registry(universes)
    _children(reg, a, children)
    _poverty(reg, a, poverty_model)
    if data.families:
        members = children.membership(data.kinderen, a.matrix)
        reg.design_effects = _design_effects(reg, members, pd.factorize(data.kinderen["gezin_id"])[0])
    _compress(reg)
    _primary(reg, t)
    for universe in universes:
        _secondary(reg, universe, t)
    derived = _derived(reg, t)

    rates = {key: _rate(reg, spec, derived.get(key)) for key, spec in reg.rates.items()}
    rates |= {key: Rate(key, None, None, None, None, None, Status.WITHHELD, WITHHELD) for key in reg.withheld}
    counts = {
        key: Count(key, q.value if reg.published(q) else None, q.status, q.reason)
        if (q := reg.quantities.get(key)) is not None
        else Count(key, None, Status.WITHHELD, WITHHELD)
        for key in HEADLINES
    }
    tables = {
        key: RateTable(key, {cat: rates[rate_key] for cat, rate_key in rows.items()}, names)
        for key, (rows, names) in reg.tables.items()
    }
    statuses = [q.status for q in reg.quantities.values()]
    model = AuditModel(
        models={
            name: Model(u.model.system, {q.key: q.form for q in reg.quantities.values() if q.universe == name})
            for name, u in universes.items()
        },
        universe_of={q.key: q.universe for q in reg.quantities.values()},
        rates={key: (spec.n, spec.d) for key, spec in reg.rates.items()},
        suppressed=tuple(q.key for universe in universes for q in _targets(reg, universe)),
        min_cel=t.min_cel,
    )
    p = edition.params
    pairs, pair_codes = _pairs(a, rates, t)
    sensitivity = tuple(
        found
        for found in (
            _sensitivity(
                rates,
                counts["kinderen.n"],
                "kinderen.extra_aandacht_naar_opleiding",
                "opleiding_ouders",
                ("laag", "hoog"),
            ),
            _sensitivity(rates, counts["kinderen.n"], data.origin.rates_key, data.origin.column, None),
        )
        if found is not None
    )
    return Publication(
        edition=EditionInfo(
            slug=edition.slug,
            gemeente=p.gemeente,
            gemeentecode=p.gemeentecode,
            jaar=p.jaar,
            synthetisch=p.synthetisch,
            min_cel=t.min_cel,
            min_noemer=t.min_noemer,
            boundaries=edition.boundaries,
            files=tuple(InputFile(f.name, f.sha256) for f in data.files),
            origin=data.origin.column,
            families=data.families,
            peildatum=data.peildatum,
            local_codes=data.local_codes,
            poverty_rounded=data.poverty_rounded,
            poverty_total=data.poverty_total is not None,
        ),
        counts=counts,
        rates=rates,
        tables=tables,
        districts=dict(zip(data.wijken["wijk_code"], data.wijken["wijk_naam"], strict=True)),
        regression=_regression(a, rates, t, counts["kinderen.n"].value is not None),
        stacking_test=_stacking_test(a.stacking_counts_followed, rates),
        pairs=pairs,
        pair_codes=pair_codes,
        atlas=_atlas(data),
        district_comparisons=_district_comparisons(rates, list(data.armoede["wijk_code"])),
        suppressed={str(s): statuses.count(s) for s in SUPPRESSED},
        model=model,
        sensitivity=sensitivity,
        cbs=_cbs(data),
    )


def plan_to_file(param_file: Path, target: Path, previous: Path | None = None) -> None:
    """Plan an edition in a worker process and write the publication for its chapters and driver
    (the plan of one edition then runs beside another's chapters). With ``previous`` (its
    parameter file), the previous edition is planned under its own rules and compared."""
    import pickle
    from dataclasses import replace

    from kansrijk.analyses.change import changes, comparability
    from kansrijk.params import load_edition
    from kansrijk.previous import district_link
    from kansrijk.validation import load_edition_data

    edition = load_edition(param_file)
    data = load_edition_data(edition)
    publication = plan(edition, data)
    if previous is not None:
        before = load_edition(previous)
        before_data = load_edition_data(before)
        earlier = plan(before, before_data)
        link, _ = district_link(edition, before_data, data)
        publication = replace(
            publication,
            previous=earlier.edition,
            changes=changes(earlier, publication, link),
            comparability=comparability(earlier, publication, link),
        )
    target.write_bytes(pickle.dumps(publication))
