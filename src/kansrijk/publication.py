"""What an edition may publish: every number after disclosure control, and nothing else.

A :class:`Publication` is made by :func:`kansrijk.disclosure.plan` from the raw analyses and
is all that chapters, ``kerncijfers.json`` and the landing page ever see. A suppressed value
is ``None`` here: the raw value does not exist in this object, so no page can show it. Every
value carries its status and, when suppressed, the rule behind it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from pathlib import Path

from kansrijk.origin import CLASSIFICATIONS, MIGRATIEACHTERGROND, Classification


class Status(StrEnum):
    """Why a value is or is not published (the words ``cijfers.json`` uses)."""

    PUBLISHED = "gepubliceerd"
    EMPTY = "geen_kinderen"  # a group without children: counts 0, no percentage
    PRIMARY = "primair_onderdrukt"  # too small by the rules of the contract
    SECONDARY = "secundair_onderdrukt"  # would otherwise be recoverable from published numbers
    WITHHELD = "niet_geleverd"  # the source (CBS) did not deliver the count: nothing to publish or protect


SUPPRESSED = (Status.PRIMARY, Status.SECONDARY)


@dataclass(frozen=True)
class Count:
    """A published count (``value`` is ``None`` when suppressed)."""

    key: str
    value: int | None
    status: Status
    reason: str = ""


@dataclass(frozen=True)
class Rate:
    """A percentage with its count, denominator and 95% Wilson interval (0-100). When the
    percentage is suppressed, all five are ``None``: they go together."""

    key: str
    n: int | None
    noemer: int | None
    pct: float | None
    ci_laag: float | None
    ci_hoog: float | None
    status: Status
    reason: str = ""

    @property
    def published(self) -> bool:
        return self.pct is not None

    def get(self, field_name: str) -> float | None:
        return getattr(self, field_name)


@dataclass(frozen=True)
class RateTable:
    """Rates by category, in order, with Dutch labels."""

    key: str
    rows: dict[str, Rate]
    labels: dict[str, str]

    def __iter__(self) -> Iterator[tuple[str, Rate]]:
        return iter(self.rows.items())

    def __getitem__(self, category: str) -> Rate:
        return self.rows[category]

    def label(self, category: str) -> str:
        return self.labels.get(category, category)


@dataclass(frozen=True)
class Estimate:
    """A model-based figure (an odds ratio, a phi coefficient, a test statistic): published
    only under the rules for the model it comes from (see :mod:`kansrijk.disclosure.plan`)."""

    key: str
    value: float
    low: float | None = None
    high: float | None = None
    p: float | None = None


@dataclass(frozen=True)
class Proportion:
    """An adjusted share with extra attention for one category, and its ratio to the reference."""

    label: str
    share: Estimate
    ratio: Estimate | None  # None for the reference category


@dataclass(frozen=True)
class Regression:
    """The logistic regression as it may be published."""

    formula: str
    terms: tuple[tuple[str, Estimate], ...]  # (Dutch label, odds ratio with interval and p)
    proportions: tuple[Proportion, ...]
    interaction: Estimate | None  # likelihood-ratio statistic (with p) of education × migration
    interaction_dof: int
    n: int
    notes: tuple[str, ...]  # which categories were pooled into 'overig' or left out, and why
    summary: str  # statsmodels' full summary, without its date and time, for the reviewer's notebook
    clustered: bool = False  # cluster-robust variance by family (gezin_id); the interaction by a Wald test


@dataclass(frozen=True)
class Comparison:
    """One district against the rest of the municipality: ``verdict`` is 'hoger' or 'lager' only
    when the difference is significant after Holm's correction over all districts compared."""

    code: str
    verdict: str
    p: Estimate  # the Holm-adjusted p-value


@dataclass(frozen=True)
class ChiSquare:
    """A chi-square test of independence: the statistic (with its p-value) and Cramér's V."""

    statistic: Estimate
    dof: int
    cramers_v: Estimate
    groups: tuple[str, ...]  # the groups (rows) the test covers


@dataclass(frozen=True)
class Pair:
    """Two risk factors that go together: phi and the odds ratio with its interval."""

    a: str
    b: str
    phi: Estimate
    odds_ratio: Estimate


@dataclass(frozen=True)
class AtlasRow:
    code: str
    name: str
    score: float
    difference: float
    klasse: str
    pct_15_45: float


@dataclass(frozen=True)
class Atlas:
    mean: float
    margin: float
    rows: tuple[AtlasRow, ...]


@dataclass(frozen=True)
class Sensitivity:
    """With many children 'onbekend' for a variable: its share, and per end group its published
    rate and the rate if every child with 'onbekend' belonged to that group."""

    variable: str  # opleiding_ouders, migratieachtergrond or herkomst
    share: Estimate  # % of all children with 'onbekend'
    scenarios: tuple[tuple[str, Rate, Estimate], ...]  # (category, rate now, rate with every 'onbekend')


@dataclass(frozen=True)
class CbsRow:
    """One district's CBS facts (``None`` where CBS gives no value)."""

    code: str
    name: str
    facts: tuple[tuple[str, Estimate | None], ...]  # (column of cbs_wijken.csv, value)

    def get(self, column: str) -> Estimate | None:
        return dict(self.facts)[column]


@dataclass(frozen=True)
class CbsFacts:
    """CBS district facts beside the edition's own figures: public numbers of CBS, not counts of
    children (no disclosure control; every shown number is still in the ledger)."""

    rows: tuple[CbsRow, ...]
    source: str


@dataclass(frozen=True)
class InputFile:
    """What a reader may know of an input file: its name and fingerprint, not its size."""

    name: str
    sha256: str


@dataclass(frozen=True)
class EditionInfo:
    slug: str
    gemeente: str
    gemeentecode: str
    jaar: int
    synthetisch: bool
    min_cel: int
    min_noemer: int
    boundaries: Path | None
    files: tuple[InputFile, ...]
    origin: str = MIGRATIEACHTERGROND.column  # the column of its origin classification
    families: bool = False  # kinderen.csv carries gezin_id: intervals allow for siblings
    peildatum: date | None = None  # ages computed at this date from geboortedatum
    local_codes: int = 0  # local risk-factor codes mapped by the koppeltabel
    poverty_rounded: bool = False  # the poverty counts were rounded to multiples of five at source
    poverty_total: bool = False  # the poverty file gave the municipal total itself

    @property
    def title(self) -> str:
        return f"{self.gemeente} {self.jaar}"

    @property
    def classification(self) -> Classification:
        return CLASSIFICATIONS[self.origin]


@dataclass(frozen=True)
class Publication:
    """Every number an edition may publish, keyed as in ``kerncijfers.json``."""

    edition: EditionInfo
    counts: dict[str, Count]
    rates: dict[str, Rate]
    tables: dict[str, RateTable]
    districts: dict[str, str]  # wijk_code -> name, as written in wijken.csv
    regression: Regression | None
    stacking_test: ChiSquare | None
    pairs: tuple[Pair, ...]
    pair_codes: tuple[str, ...]  # the factors whose pairs were considered (most common first)
    atlas: Atlas | None
    district_comparisons: dict[str, Comparison] = field(default_factory=dict)  # by wijk_code, at 125% of WSM
    suppressed: dict[str, int] = field(default_factory=dict)  # status -> how many values
    model: object = None  # the audit's view (forms of every key; no values): see disclosure.plan
    previous: EditionInfo | None = None  # the previous edition of the municipality, when there is one
    changes: tuple = ()  # kansrijk.analyses.change.Change: the headline figures against the previous edition
    comparability: tuple[str, ...] = ()  # what is not compared with the previous edition, and why (plain text)
    sensitivity: tuple[Sensitivity, ...] = ()  # rates were 'onbekend' other groups, where many are 'onbekend'
    cbs: CbsFacts | None = None  # CBS district facts (cbs_wijken.csv), when the edition has them

    @property
    def origin(self) -> Classification:
        """The edition's origin classification: migratieachtergrond or herkomst."""
        return self.edition.classification

    def rate(self, key: str) -> Rate:
        return self.rates[key]

    def sensitivity_for(self, variable: str) -> Sensitivity | None:
        """What the rates by ``variable`` would be with every 'onbekend' in an end group, when
        many children are 'onbekend' (see :func:`kansrijk.story.sensitivity`)."""
        return next((s for s in self.sensitivity if s.variable == variable), None)

    def count(self, key: str) -> Count:
        return self.counts[key]

    def table(self, key: str) -> RateTable:
        return self.tables[key]

    @property
    def headline_changes(self) -> tuple:
        """The changes of the municipality's headline figures."""
        return tuple(ch for ch in self.changes if ch.district is None)

    @property
    def district_changes(self) -> tuple:
        """The changes of child poverty per comparable district."""
        return tuple(ch for ch in self.changes if ch.district is not None)

    def previous_rates(self) -> dict[str, Rate]:
        """The previous edition's compared rates, by their keys in this publication (``vorige.…``)."""
        return {c.previous.key: c.previous for c in self.changes}

    def estimates(self) -> dict[str, Estimate]:
        """Every model-based figure, by key."""
        found: list[Estimate] = []
        if self.regression is not None:
            found += [estimate for _, estimate in self.regression.terms]
            found += [e for p in self.regression.proportions for e in (p.share, p.ratio) if e is not None]
            found += [self.regression.interaction] if self.regression.interaction else []
        found += [c.p for c in self.district_comparisons.values()]
        if self.stacking_test is not None:
            found += [self.stacking_test.statistic, self.stacking_test.cramers_v]
        for pair in self.pairs:
            found += [pair.phi, pair.odds_ratio]
        found += [c.difference for c in self.changes if c.difference is not None]
        for sensitivity in self.sensitivity:
            found += [sensitivity.share, *(estimate for _, _, estimate in sensitivity.scenarios)]
        if self.cbs is not None:
            found += [e for row in self.cbs.rows for _, e in row.facts if e is not None]
        return {e.key: e for e in found}
