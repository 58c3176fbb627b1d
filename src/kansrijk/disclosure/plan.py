"""The disclosure step: from an edition's raw analyses to the :class:`Publication`.

1. Every quantity the book can show is registered with its value (from the analyses) and its
   linear form in the model (:mod:`kansrijk.disclosure.model`); the two must agree.
2. Primary suppression, by the rules of the contract: a count of 1 to ``min_cel - 1``; a
   group below ``min_noemer`` (its count and its size go with its percentage); and, for a
   share of a group, a rest of 1 to ``min_cel - 1`` (the children of the group *without* the
   outcome are a count too).
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

import numpy as np
import pandas as pd

from kansrijk import labels
from kansrijk.analyses import atlas as atlas_analysis
from kansrijk.analyses import regression, stacking
from kansrijk.analyses.edition import Analysis
from kansrijk.analyses.profile import BALANCE, STACKING
from kansrijk.analyses.rates import wilson
from kansrijk.disclosure.audit import Fact, System
from kansrijk.disclosure.model import MOST_FACTORS, AuditModel, Children, Model, Poverty, Universe
from kansrijk.disclosure.rules import Thresholds
from kansrijk.params import Edition
from kansrijk.publication import (
    SUPPRESSED,
    Atlas,
    AtlasRow,
    ChiSquare,
    Count,
    EditionInfo,
    Estimate,
    InputFile,
    Pair,
    Publication,
    Rate,
    RateTable,
    Regression,
    Status,
)
from kansrijk.schemas import EDUCATION, MIGRATION
from kansrijk.validation import EditionData

HEADLINES = ("kinderen.n", "kinderen.extra_aandacht.n", "armoede.kinderen_0_5", "armoede.tot_125", "armoede.tot_105")
MIN_EXPECTED = 5  # a chi-square test only where every expected count is at least this


@dataclass
class Quantity:
    """A count behind the book's numbers. ``sensitive``: never shown, but protected when small
    (the rest of a group)."""

    key: str
    universe: str
    form: np.ndarray
    value: int
    sensitive: bool = False
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


@dataclass
class Registry:
    """The quantities, rates and tables of an edition, before and after suppression."""

    universes: dict[str, Universe]
    quantities: dict[str, Quantity] = field(default_factory=dict)
    rates: dict[str, RateSpec] = field(default_factory=dict)
    tables: dict[str, tuple[dict[str, str], dict[str, str]]] = field(default_factory=dict)
    shown_derived: set[str] = field(default_factory=set)
    uses: dict[str, list[RateSpec]] = field(default_factory=dict)  # quantity -> the rates it is count or group of

    def count(self, key: str, universe: str, form: np.ndarray, value: float, sensitive: bool = False) -> str:
        truth = self.universes[universe].truth
        if round(float(form @ truth)) != round(float(value)):
            raise RuntimeError(f"model and analysis disagree on {key}: {form @ truth} against {value}")
        self.quantities[key] = Quantity(key, universe, form, round(float(value)), sensitive=sensitive)
        return key

    def rate(self, key: str, n: str, d: str, derived: bool = False) -> str:
        spec = self.rates[key] = RateSpec(key, n, d, derived)
        for operand in (n, d):
            self.uses.setdefault(operand, []).append(spec)
        return key

    def live(self, spec: RateSpec) -> bool:
        """Whether a percentage is shown, and with it its count and group."""
        if spec.derived and spec.key not in self.shown_derived:
            return False
        return not (self.quantities[spec.n].suppressed or self.quantities[spec.d].suppressed)

    def published(self, q: Quantity) -> bool:
        """Whether the book shows ``q``: a headline count, or the count or group of a shown percentage."""
        if q.suppressed:
            return False
        return q.key in HEADLINES or any(self.live(r) for r in self.uses.get(q.key, ()))

    def loss(self, key: str) -> int:
        """How many shown table percentages suppressing ``key`` would take with it."""
        return sum(1 for r in self.uses.get(key, ()) if not r.derived and self.live(r))

    def table(self, key: str, rates: dict[str, str], names: dict[str, str]) -> None:
        self.tables[key] = (rates, names)

    def value(self, key: str) -> int:
        return self.quantities[key].value

    def suppress(self, key: str, status: Status, reason: str) -> None:
        quantity = self.quantities[key]
        if quantity.status not in SUPPRESSED:
            quantity.status, quantity.reason = status, reason


def _children(reg: Registry, a: Analysis, c: Children) -> None:
    """Register every children's quantity, rate and table the book can show."""
    k = a.data.kinderen

    def count(key: str, select, value: float, sensitive: bool = False) -> str:
        return reg.count(key, "kinderen", c.form(select), value, sensitive)

    n = count("kinderen.n", lambda x: x.factoren >= 0, len(k))
    attention = count("kinderen.extra_aandacht.n", lambda x: x.zorg != "geen", k["extra_aandacht"].sum())
    without = count("kinderen.zonder_extra_aandacht.n", lambda x: x.zorg == "geen", (~k["extra_aandacht"]).sum())
    reg.rate("kinderen.extra_aandacht", attention, n)

    balance = {
        "geen_risicofactoren": lambda x: x.factoren == 0,
        "risico_niet_gevolgd": lambda x: (x.factoren >= 1) & (x.zorg == "geen"),
        "gevolgd_in_balans": lambda x: x.zorg == "in_balans",
        "uit_balans": lambda x: x.zorg == "uit_balans",
    }
    rates = {}
    for cat in BALANCE:
        rates[cat] = reg.rate(
            f"kinderen.balans.{cat}", count(f"kinderen.balans.{cat}.n", balance[cat], a.balance.at[cat, "n"]), n
        )
    reg.table("kinderen.balans", rates, labels.BALANCE)
    reg.rate("kinderen.uit_balans_onder_extra_aandacht", "kinderen.balans.uit_balans.n", attention, derived=True)

    for column, name, table, categories, names in (
        ("opleiding", "opleiding", a.by_education, EDUCATION, labels.EDUCATION),
        ("migratie", "migratieachtergrond", a.by_migration, MIGRATION, labels.MIGRATION),
    ):
        rates, shares = {}, {}
        for cat in categories:
            group = count(
                f"kinderen.{name}.{cat}.n", lambda x, cat=cat, col=column: x[col] == cat, table.at[cat, "noemer"]
            )
            followed = count(
                f"kinderen.extra_aandacht_naar_{name}.{cat}.n",
                lambda x, cat=cat, col=column: (x[col] == cat) & (x.zorg != "geen"),
                table.at[cat, "n"],
            )
            count(
                f"kinderen.extra_aandacht_naar_{name}.{cat}.rest",
                lambda x, cat=cat, col=column: (x[col] == cat) & (x.zorg == "geen"),
                table.at[cat, "noemer"] - table.at[cat, "n"],
                sensitive=True,
            )
            rates[cat] = reg.rate(f"kinderen.extra_aandacht_naar_{name}.{cat}", followed, group)
            shares[cat] = reg.rate(f"kinderen.{name}_aandeel.{cat}", group, n, derived=True)
            if name == "opleiding":
                reg.rate(f"kinderen.opleiding_onder_extra_aandacht.{cat}", followed, attention, derived=True)
        reg.table(f"kinderen.extra_aandacht_naar_{name}", rates, names)
        reg.table(f"kinderen.{name}_aandeel", shares, names)
    reg.table(
        "kinderen.opleiding_onder_extra_aandacht",
        {e: f"kinderen.opleiding_onder_extra_aandacht.{e}" for e in EDUCATION},
        labels.EDUCATION,
    )

    factors_per_child = np.minimum(a.profile["aantal_factoren"].to_numpy(), MOST_FACTORS)
    rates = {}
    for i in range(MOST_FACTORS + 1):
        key = count(f"kinderen.aantal_factoren.{i}.n", lambda x, i=i: x.factoren == i, (factors_per_child == i).sum())
        rates[str(i)] = reg.rate(f"kinderen.aantal_factoren.{i}", key, n)
    reg.table("kinderen.aantal_factoren", rates, labels.FACTOR_COUNT)
    several = a.profile["aantal_factoren"].to_numpy() >= 2
    followed = k["extra_aandacht"].to_numpy()
    multi = count("kinderen.meerdere_factoren.n", lambda x: x.factoren >= 2, several.sum())
    reg.rate("kinderen.meerdere_factoren", multi, n, derived=True)
    multi_a = count(
        "kinderen.meerdere_factoren_extra_aandacht.n",
        lambda x: (x.factoren >= 2) & (x.zorg != "geen"),
        (several & followed).sum(),
    )
    reg.rate("kinderen.meerdere_factoren_extra_aandacht", multi_a, attention, derived=True)
    multi_o = count(
        "kinderen.meerdere_factoren_zonder_extra_aandacht.n",
        lambda x: (x.factoren >= 2) & (x.zorg == "geen"),
        (several & ~followed).sum(),
    )
    reg.rate("kinderen.meerdere_factoren_zonder_extra_aandacht", multi_o, without, derived=True)

    kinds = {
        "geen": lambda x: x.factoren == 0,
        "een_factor": lambda x: x.factoren == 1,
        "binnen_een_domein": lambda x: (x.factoren >= 2) & (x.domeinen == 1),
        "meerdere_domeinen": lambda x: x.domeinen >= 2,
    }
    within = {}
    for edu in EDUCATION:
        group = f"kinderen.opleiding.{edu}.n"
        rates = {}
        for kind in STACKING:
            key = count(
                f"kinderen.stapeling_naar_opleiding.{edu}.{kind}.n",
                lambda x, edu=edu, kind=kind: (x.opleiding == edu) & kinds[kind](x),
                a.stacking_counts.at[edu, kind],
            )
            rates[kind] = reg.rate(f"kinderen.stapeling_naar_opleiding.{edu}.{kind}", key, group)
        reg.table(f"kinderen.stapeling_naar_opleiding.{edu}", rates, labels.STACKING)
        stacked = count(
            f"kinderen.gestapeld.{edu}.n",
            lambda x, edu=edu: (x.opleiding == edu) & (x.factoren >= 2),
            a.stacking_counts.loc[edu, ["binnen_een_domein", "meerdere_domeinen"]].sum(),
        )
        within[edu] = reg.rate(
            f"kinderen.binnen_een_domein.{edu}",
            f"kinderen.stapeling_naar_opleiding.{edu}.binnen_een_domein.n",
            stacked,
            derived=True,
        )
    reg.table("kinderen.binnen_een_domein", within, labels.EDUCATION)

    rates = {}
    for code in a.catalogue.codes:
        key = reg.count(f"kinderen.risicofactoren.{code}.n", "kinderen", c.factor(code), a.prevalence.at[code, "n"])
        rates[code] = reg.rate(f"kinderen.risicofactoren.{code}", key, n)
    reg.table("kinderen.risicofactoren", rates, {code: a.catalogue.label(code) for code in a.catalogue.codes})


def _poverty(reg: Registry, a: Analysis, p: Poverty) -> None:
    """Register the municipal and district figures of child poverty."""
    table = a.poverty

    def count(key: str, codes: list[str] | None, bands: tuple[str, ...], value: float, sensitive: bool = False) -> str:
        return reg.count(key, "armoede", p.form(codes, bands), value, sensitive)

    every = ("tot_105", "105_125", "boven_125")
    scopes = [("armoede", None, table)] + [(f"armoede.wijken.{code}", [code], table.loc[[code]]) for code in p.codes]
    district_rates: dict[str, dict[str, str]] = {"125": {}, "105": {}}
    for prefix, codes, rows in scopes:
        children = count(f"{prefix}.kinderen_0_5", codes, every, rows["kinderen_0_5"].sum())
        for line, bands in (("125", ("tot_105", "105_125")), ("105", ("tot_105",))):
            poor = count(f"{prefix}.tot_{line}", codes, bands, rows[f"tot_{line}_wsm"].sum())
            rest = tuple(b for b in every if b not in bands)
            rest_value = rows["kinderen_0_5"].sum() - rows[f"tot_{line}_wsm"].sum()
            count(f"{prefix}.boven_{line}", codes, rest, rest_value, sensitive=True)
            key = reg.rate(f"{prefix}.pct_{line}", poor, children)
            if codes is not None:
                district_rates[line][codes[0]] = key
    names = dict(zip(table.index, table["wijk_naam"], strict=True))
    for line, rates in district_rates.items():
        reg.table(f"armoede.wijken.pct_{line}", rates, names)


def _primary(reg: Registry, t: Thresholds) -> None:
    small = f"aantal van 1 tot en met {t.min_cel - 1}"
    for q in reg.quantities.values():
        if (q.sensitive or reg.published(q)) and t.count_unsafe(q.value):
            reg.suppress(q.key, Status.PRIMARY, small)
    for spec in reg.rates.values():
        if not spec.derived and 0 < reg.value(spec.d) < t.min_noemer:
            reason = f"groep kleiner dan {t.min_noemer}"
            reg.suppress(spec.n, Status.PRIMARY, reason)
            reg.suppress(spec.d, Status.PRIMARY, reason)


def _facts(reg: Registry, universe: str) -> list[Fact]:
    return [
        Fact(q.key, q.form, q.value, q.value)
        for q in reg.quantities.values()
        if q.universe == universe and reg.published(q)
    ]


def _targets(reg: Registry, universe: str) -> list[Quantity]:
    return [q for q in reg.quantities.values() if q.universe == universe and q.status in SUPPRESSED]


def _secondary(reg: Registry, universe: str, t: Thresholds) -> None:
    """Suppress more until no suppressed quantity of ``universe`` can be recovered within ``min_cel``.
    Suppressing more only widens every range, so a quantity found safe stays safe."""
    system = reg.universes[universe].model.system
    safe: set[str] = set()
    for _ in range(len(reg.quantities) + 1):
        facts = _facts(reg, universe)
        pinned = None
        for q in _targets(reg, universe):
            if q.key in safe:
                continue
            if system.range(facts, q.form).width < t.min_cel:
                pinned = q
                break
            safe.add(q.key)
        if pinned is None:
            return
        choice = _choose(reg, universe, facts, pinned, t)
        reg.suppress(choice, Status.SECONDARY, f"anders terug te rekenen ({pinned.key})")
    raise RuntimeError("secondary suppression did not converge")


def _choose(reg: Registry, universe: str, facts: list[Fact], pinned: Quantity, t: Thresholds) -> str:
    """The published quantity to suppress next for ``pinned``: the cheapest (no headline, fewest
    percentages lost, smallest) that unpins it on its own. Only the facts that pin it (the dual
    certificate of the audit) can, directly or by taking a percentage with them: so those, and
    the other count or group of each percentage they belong to. When no single one will do,
    the cheapest of the certificate goes, and the loop goes on."""
    system = reg.universes[universe].model.system

    def cost(key: str) -> tuple:
        return (key in HEADLINES, reg.loss(key), reg.value(key) == 0, reg.value(key), key)

    def unpins(key: str) -> bool:
        q = reg.quantities[key]
        status, q.status = q.status, Status.SECONDARY  # tentatively
        try:
            return system.range(_facts(reg, universe), pinned.form).width >= t.min_cel
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
    candidates = sorted(set(certificate) | {key for key in partners if not reg.quantities[key].suppressed}, key=cost)
    for key in candidates:
        if unpins(key):
            return key
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
    system = reg.universes[universe].model.system
    facts = _facts(reg, universe)
    new = [q for q in quantities if not reg.published(q) and system.range(facts, q.form).width > 0]
    if not new:
        return True
    more = facts + [Fact(q.key, q.form, q.value, q.value) for q in new]
    return all(system.range(more, q.form).width >= t.min_cel for q in _targets(reg, universe))


def _rate(reg: Registry, spec: RateSpec, hidden: str | None = None) -> Rate:
    """The published rate; ``hidden`` is why a derived rate is not shown (``None``: not derived)."""
    n, d = reg.quantities[spec.n], reg.quantities[spec.d]
    if hidden:
        return Rate(spec.key, None, None, None, None, None, Status.PRIMARY, hidden)
    for q in (n, d):
        if q.status in SUPPRESSED:
            return Rate(spec.key, None, None, None, None, None, q.status, q.reason)
    if d.value == 0:
        return Rate(spec.key, 0, 0, None, None, None, Status.EMPTY, "geen kinderen in deze groep")
    low, high = wilson(n.value, d.value)
    return Rate(spec.key, n.value, d.value, 100 * n.value / d.value, float(low), float(high), Status.PUBLISHED)


def _regression(a: Analysis, rates: dict[str, Rate], t: Thresholds, n_published: bool) -> Regression | None:
    """The regression on published categories only: the others are pooled into 'overig' (their
    size follows from the published margins anyway), which is left out when it is itself too
    small; a variable with fewer than two categories left is left out of the model."""
    frame = a.data.kinderen.copy()
    references: dict[str, str] = {}
    notes: list[str] = []
    keep = pd.Series(True, index=frame.index)
    for variable, name, preferred, categories in (
        ("opleiding_ouders", "opleiding", "hoog", EDUCATION),
        ("migratieachtergrond", "migratieachtergrond", "nederlands", MIGRATION),
    ):
        published = [c for c in categories if rates[f"kinderen.extra_aandacht_naar_{name}.{c}"].published]
        values = frame[variable].astype(str)
        pooled = ~values.isin(published)
        frame[variable] = values.where(~pooled, regression.OTHER)
        label, level_labels = regression.VARIABLES[variable]
        if pooled.any():
            size, events = int(pooled.sum()), int(frame.loc[pooled, "extra_aandacht"].sum())
            names = ", ".join(level_labels[c].lower() for c in categories if c not in published and (values == c).any())
            if size < t.min_noemer or min(events, size - events) < t.min_cel:
                keep &= ~pooled
                notes.append(f"{label}: de kleine groepen ({names}) zijn weggelaten.")
            else:
                notes.append(f"{label}: de kleine groepen ({names}) zijn samengenomen als ‘overig’.")
        if len(published) < 2:
            notes.append(f"{label} is weggelaten uit het model: te weinig groepen om te vergelijken.")
            continue
        sizes = values[values.isin(published)].value_counts()
        references[variable] = preferred if preferred in published else str(sizes.idxmax())
    if not references:
        return None
    fit = regression.fit_logit(frame[keep], references)
    if fit is None:
        return None
    terms = tuple(
        (
            row.term,
            Estimate(f"regressie.{term}", float(row.odds_ratio), float(row.ci_laag), float(row.ci_hoog), float(row.p)),
        )
        for term, row in fit.odds_ratios.iterrows()
    )
    # the model's size is published only when it is a published number: all children
    n = fit.n if n_published and bool(keep.all()) else 0
    return Regression(fit.formula, terms, n, tuple(notes))


def _stacking_test(counts: pd.DataFrame, rates: dict[str, Rate]) -> ChiSquare | None:
    """Chi-square on the education groups whose stacking row is published, when every expected
    count is at least five."""
    groups = [
        e for e in EDUCATION if all(rates[f"kinderen.stapeling_naar_opleiding.{e}.{k}"].published for k in STACKING)
    ]
    table = counts.loc[groups]
    table = table.loc[:, table.sum(axis=0) > 0]
    if len(groups) < 2 or table.shape[1] < 2:
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


def plan(edition: Edition, data: EditionData) -> Publication:
    """Everything the edition may publish, after primary and secondary suppression."""
    o = edition.params.onthulling
    t = Thresholds(min_cel=o.min_cel, min_noemer=o.min_noemer)
    a = Analysis(data)
    children = Children(a.catalogue)
    poverty_model = Poverty(list(a.poverty.index))
    universes = {
        "kinderen": Universe(
            Model(System(children.names, children.rules()), {}), children.truth(data.kinderen, a.profile, a.matrix)
        ),
        "armoede": Universe(Model(System(poverty_model.names), {}), poverty_model.truth(data.armoede)),
    }
    reg = Registry(universes)
    _children(reg, a, children)
    _poverty(reg, a, poverty_model)
    _primary(reg, t)
    for universe in universes:
        _secondary(reg, universe, t)
    derived = _derived(reg, t)

    rates = {key: _rate(reg, spec, derived.get(key)) for key, spec in reg.rates.items()}
    counts = {
        key: Count(key, q.value if reg.published(q) else None, q.status, q.reason)
        for key, q in ((k, reg.quantities[k]) for k in HEADLINES)
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
        suppressed=tuple(q.key for q in reg.quantities.values() if q.status in SUPPRESSED),
        min_cel=t.min_cel,
    )
    p = edition.params
    pairs, pair_codes = _pairs(a, rates, t)
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
        ),
        counts=counts,
        rates=rates,
        tables=tables,
        districts=dict(zip(data.wijken["wijk_code"], data.wijken["wijk_naam"], strict=True)),
        regression=_regression(a, rates, t, counts["kinderen.n"].value is not None),
        stacking_test=_stacking_test(a.stacking_counts, rates),
        pairs=pairs,
        pair_codes=pair_codes,
        atlas=_atlas(data),
        suppressed={str(s): statuses.count(s) for s in SUPPRESSED},
        model=model,
    )
