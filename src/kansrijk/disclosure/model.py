"""The unknowns behind an edition's numbers, and every quantity the book can publish as a
linear form over them.

*Children 0-2.* The unknowns are the numbers of children in each cell of

- parents' education × care (no extra attention, extra attention in balance, out of balance)
  × number of risk factors and of domains *without* the education factor (0-3 and 4 or more;
  0, 1 and 2 or more) × whether the child has the education factor, alone in its domain or not
  × for a family out of balance, whether a factor is urgent (ja, deels, nee);
- origin (migration background or herkomst) × extra attention.

The two blocks agree on how many children are followed and how many are not. No published
number depends on education and origin together, so any two such tables with
that margin in common come from some children (a transportation problem is always solvable):
the split loses nothing and keeps the integer programs small. Every children's count the book
shows is a sum of cells, so margins, totals and shares across all tables relate exactly as they
do in the data. The number of children with each risk factor, and with it among the followed
children, adds two unknowns per factor, tied to the cells by what always holds: no more children
with a factor than with any factor, the factors of all children add up to between the least and
the most the factor counts allow, the education factor counts exactly the cells that have it,
and a family out of balance with an urgent factor has one.

*Children 0-5 and poverty.* Per district: children at or below 105% of the social minimum,
between 105% and 125%, and above 125%. A municipal total row (as CBS delivers it) adds the
children outside the districts' delivered figures, and rounded counts a bounded difference
between each total and its parts. A value the source withheld is no quantity at all: nothing
is published from it, and the split of the district's children that stands in for it
(:func:`kansrijk.analyses.poverty.split`) changes no published number.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from kansrijk.analyses.edition import EDUCATION_FACTOR
from kansrijk.analyses.poverty import BANDS, ROUNDING, Split
from kansrijk.catalogue import Catalogue
from kansrijk.disclosure.audit import Fact, System
from kansrijk.origin import Classification
from kansrijk.schemas import EDUCATION

CARE = ("geen", "in_balans", "uit_balans")
FAMILY_LEVELS = ("zelfredzaam", "potentieel_kwetsbaar", "kwetsbaar", "zeer_kwetsbaar")
MOST_FACTORS = 4  # 0, 1, 2, 3 and '4 or more'
MOST_DOMAINS = 2  # 0, 1 and '2 or more'
EDUCATION_STATE = ("zonder", "met", "alleen")  # the education factor: absent; with other social factors; alone
URGENCY = ("nee", "deels", "ja")


@dataclass(frozen=True)
class Model:
    """One universe: its unknowns and rules, and the linear form of each quantity in it."""

    system: System
    forms: dict[str, np.ndarray]


@dataclass(frozen=True)
class Universe:
    """A model and the true values of its unknowns (private to the disclosure step)."""

    model: Model
    truth: np.ndarray

    def value(self, key: str) -> int:
        return round(float(self.model.forms[key] @ self.truth))


def _cells() -> pd.DataFrame:
    """Every possible cell of the first block, with the counts with the education factor derived."""
    rows = []
    for edu, care, k, d, state, urgency in itertools.product(
        EDUCATION, CARE, range(MOST_FACTORS + 1), range(MOST_DOMAINS + 1), EDUCATION_STATE, URGENCY
    ):
        consistent = (k == 0) == (d == 0) and not (k == 1 and d > 1)  # factors without the education factor
        if state == "met":
            consistent &= k >= 1  # another social factor is among them
        factors = min(k + (state != "zonder"), MOST_FACTORS)
        domains = min(d + (state == "alleen"), MOST_DOMAINS)
        consistent &= not (factors == 0 and care != "geen")  # extra attention only with a factor
        consistent &= urgency == "nee" or (care == "uit_balans" and k >= 1)  # urgency: of families out of balance
        if consistent:
            rows.append((edu, care, k, d, state, urgency, factors, domains))
    columns = ["opleiding", "zorg", "zonder_factoren", "zonder_domeinen", "opleidingsfactor", "urgent"]
    cells = pd.DataFrame(rows, columns=[*columns, "factoren", "domeinen"])
    cells["gevolgd"] = cells["zorg"] != "geen"
    return cells


LEVELS = {  # the four levels of appendix 1 of the corona study, and the upper bound of the last
    "zelfredzaam": lambda x: x.factoren == 0,
    "potentieel_kwetsbaar": lambda x: (x.factoren >= 1) & (x.zorg != "uit_balans"),
    "kwetsbaar": lambda x: (x.zorg == "uit_balans") & (x.urgent != "ja"),
    "zeer_kwetsbaar": lambda x: (x.zorg == "uit_balans") & (x.urgent == "ja"),
    "zeer_kwetsbaar_bovengrens": lambda x: (x.zorg == "uit_balans") & x.urgent.isin(["ja", "deels"]),
}


class Children:
    """The children's universe: its cells, the origin block, the factor unknowns, the children
    whose education or origin cell was empty, the families per level (with ``gezin_id``), and a
    form for any selection."""

    def __init__(self, catalogue: Catalogue, origin: Classification, families: bool = False) -> None:
        self.cells = _cells()
        self.origin_column = origin.column
        self.origins = pd.DataFrame(
            list(itertools.product(origin.categories, (False, True))), columns=["herkomst", "gevolgd"]
        )
        self.codes = catalogue.codes
        self.urgency = catalogue.factors["urgent"]
        self.domains = catalogue.domain_of()
        self.n_cells, n_origins = len(self.cells), len(self.origins)
        self._factors = self.n_cells + n_origins  # offset of the factor counts, then those among the followed
        self.blank_columns = ("opleiding_ouders", origin.column)
        self._blanks = self._factors + 2 * len(self.codes)
        self.families = FAMILY_LEVELS if families else ()
        self._families = self._blanks + len(self.blank_columns)
        names = [
            *("/".join(map(str, row)) for row in self.cells.itertuples(index=False)),
            *(f"{m}/{'gevolgd' if f else 'niet'}" for m, f in self.origins.itertuples(index=False)),
            *(f"factor:{c}" for c in self.codes),
            *(f"factor gevolgd:{c}" for c in self.codes),
            *(f"leeg:{c}" for c in self.blank_columns),
            *(f"gezinnen:{level}" for level in self.families),
        ]
        self.names = tuple(names)

    def _zeros(self) -> np.ndarray:
        return np.zeros(len(self.names))

    def form(self, select: Callable[[pd.DataFrame], pd.Series]) -> np.ndarray:
        """The form counting the children in the cells that ``select`` picks."""
        form = self._zeros()
        form[: self.n_cells] = select(self.cells).to_numpy(dtype=float)
        return form

    def origin(self, select: Callable[[pd.DataFrame], pd.Series]) -> np.ndarray:
        """The form counting the children of the origin block that ``select`` picks."""
        form = self._zeros()
        form[self.n_cells : self._factors] = select(self.origins).to_numpy(dtype=float)
        return form

    def factor(self, code: str, followed: bool = False) -> np.ndarray:
        """The children with factor ``code`` (among the followed children with ``followed``)."""
        form = self._zeros()
        form[self._factors + len(self.codes) * followed + self.codes.index(code)] = 1.0
        return form

    def blank(self, column: str) -> np.ndarray:
        """The children whose cell in ``column`` (education or origin) was empty: read as 'onbekend'."""
        form = self._zeros()
        form[self._blanks + self.blank_columns.index(column)] = 1.0
        return form

    def family(self, level: str) -> np.ndarray:
        """The families at ``level``: the highest level of any of their children."""
        form = self._zeros()
        form[self._families + self.families.index(level)] = 1.0
        return form

    def rules(self) -> tuple[Fact, ...]:
        """What always holds between the blocks, the factor counts, the empty cells and the families."""
        rules = [
            Fact("", self.form(lambda c, f=f: c.gevolgd == f) - self.origin(lambda o, f=f: o.gevolgd == f), 0.0, 0.0)
            for f in (False, True)
        ]
        any_factor = self.form(lambda c: c.factoren >= 1)
        followed = self.form(lambda c: c.gevolgd)  # every followed child has a factor
        not_followed = self.form(lambda c: (c.factoren >= 1) & ~c.gevolgd)
        for code in self.codes:
            every, among = self.factor(code), self.factor(code, followed=True)
            rules += [
                Fact("", every - any_factor, -np.inf, 0.0),
                Fact("", among - every, -np.inf, 0.0),
                Fact("", among - followed, -np.inf, 0.0),
                Fact("", every - among - not_followed, -np.inf, 0.0),
            ]
        for is_followed in (False, True):
            total = sum(self.factor(code, is_followed) for code in self.codes)
            part = (lambda c: c.gevolgd) if is_followed else (lambda c: c.factoren >= 0)
            rules += [
                Fact("", total - self._per_child(part, "least"), 0.0, np.inf),
                Fact("", total - self._per_child(part, "most"), -np.inf, 0.0),
            ]
        has = lambda c: c.opleidingsfactor != "zonder"  # noqa: E731
        rules += [
            Fact("", self.factor(EDUCATION_FACTOR) - self.form(has), 0.0, 0.0),
            Fact("", self.factor(EDUCATION_FACTOR, True) - self.form(lambda c: has(c) & c.gevolgd), 0.0, 0.0),
        ]
        for levels in (("ja",), ("ja", "deels")):
            urgent = sum(self.factor(code, True) for code in self.codes if self.urgency[code] in levels)
            rules.append(Fact("", urgent - self.form(lambda c, levels=levels: c.urgent.isin(levels)), 0.0, np.inf))
        # an empty cell is read as 'onbekend': no more of them than children with 'onbekend'
        rules.append(
            Fact("", self.blank("opleiding_ouders") - self.form(lambda c: c.opleiding == "onbekend"), -np.inf, 0)
        )
        unknown_origin = self.origin(lambda o: o.herkomst == "onbekend")
        rules.append(Fact("", self.blank(self.origin_column) - unknown_origin, -np.inf, 0.0))
        # a family at a level has at least one child at that level (and none higher)
        rules += [Fact("", self.family(level) - self.form(LEVELS[level]), -np.inf, 0.0) for level in self.families]
        return tuple(rules)

    def _per_child(self, select: Callable[[pd.DataFrame], pd.Series], bound: str) -> np.ndarray:
        """The least or most factors the children of the selected cells have together."""
        counts = self.cells["factoren"].to_numpy(float)
        if bound == "most":
            counts = np.where(counts == MOST_FACTORS, len(self.codes), counts)
        return self.form(select) * np.concatenate([counts, np.zeros(len(self.names) - self.n_cells)])

    def _placed(self, kinderen: pd.DataFrame, matrix: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per child: its cell of the first block and of the origin block (positions), and its factors."""
        followed = kinderen["extra_aandacht"].to_numpy()
        care = np.select([kinderen["uit_balans"].to_numpy(), followed], ["uit_balans", "in_balans"], "geen")
        present = matrix[self.codes].to_numpy(dtype=bool)
        education = present[:, self.codes.index(EDUCATION_FACTOR)]
        others = present & (np.array(self.codes) != EDUCATION_FACTOR)
        domain_of = self.domains.reindex(self.codes).to_numpy()
        in_domain = np.column_stack([(others & (domain_of == d)).any(axis=1) for d in pd.unique(domain_of)])
        other_social = (others & (domain_of == self.domains[EDUCATION_FACTOR])).any(axis=1)
        state = np.where(~education, "zonder", np.where(other_social, "met", "alleen"))
        urgency = self.urgency.reindex(self.codes).to_numpy()
        urgent = np.select(
            [(present & (urgency == "ja")).any(axis=1), (present & (urgency == "deels")).any(axis=1)],
            ["ja", "deels"],
            "nee",
        )
        frame = pd.DataFrame(
            {
                "opleiding": kinderen["opleiding_ouders"].astype(str).to_numpy(),
                "zorg": care,
                "zonder_factoren": np.minimum(others.sum(axis=1), MOST_FACTORS),
                "zonder_domeinen": np.minimum(in_domain.sum(axis=1), MOST_DOMAINS),
                "opleidingsfactor": state,
                "urgent": np.where(care == "uit_balans", urgent, "nee"),
            }
        )
        position = {key: i for i, key in enumerate(self.cells[frame.columns].itertuples(index=False, name=None))}
        cells = np.array([position.get(key, -1) for key in frame.itertuples(index=False, name=None)])
        if (cells < 0).any():
            raise ValueError("a child falls outside the model's cells (the contract's rules were not enforced)")
        keys = {key: i for i, key in enumerate(self.origins.itertuples(index=False, name=None))}
        origins = np.array(
            [keys[(str(m), bool(f))] for m, f in zip(kinderen[self.origin_column].astype(str), followed, strict=True)]
        )
        return cells, origins, present

    def membership(self, kinderen: pd.DataFrame, matrix: pd.DataFrame):
        """Which unknowns each child counts in (children × unknowns, sparse): a child-level form
        of any children's quantity is ``membership @ form > 0``."""
        from scipy import sparse

        cells, origins, present = self._placed(kinderen, matrix)
        n = len(kinderen)
        followed = kinderen["extra_aandacht"].to_numpy()
        rows = [np.arange(n), np.arange(n)]
        columns = [cells, self.n_cells + origins]
        child, factor = np.nonzero(present)
        rows += [child, child[followed[child]]]
        columns += [self._factors + factor, self._factors + len(self.codes) + factor[followed[child]]]
        for i, column in enumerate(self.blank_columns):
            blank = np.flatnonzero(kinderen.get(f"{column}_leeg", pd.Series(False, index=kinderen.index)).to_numpy())
            rows.append(blank)
            columns.append(np.full(len(blank), self._blanks + i))
        rows, columns = np.concatenate(rows), np.concatenate(columns)
        return sparse.csr_matrix((np.ones(len(rows)), (rows, columns)), shape=(n, len(self.names)))

    def truth(
        self, kinderen: pd.DataFrame, matrix: pd.DataFrame, family_levels: dict[str, int] | None = None
    ) -> np.ndarray:
        """How many children are in each cell of both blocks, how many have each factor and an
        empty cell, and how many families are at each level."""
        cells, origins, present = self._placed(kinderen, matrix)
        followed = kinderen["extra_aandacht"].to_numpy()
        in_cells = np.bincount(cells, minlength=self.n_cells)
        in_origins = np.bincount(origins, minlength=len(self.origins))
        factors = present.sum(axis=0)
        factors_followed = present[followed].sum(axis=0)
        blanks = [int(kinderen.get(f"{c}_leeg", pd.Series(False)).sum()) for c in self.blank_columns]
        families = [(family_levels or {}).get(level, 0) for level in self.families]
        return np.concatenate([in_cells, in_origins, factors, factors_followed, blanks, families]).astype(float)


class Poverty:
    """The poverty universe: children 0-5 per district and income band; with a municipal total
    row, the children of the total outside the districts' delivered figures (the *rest*) and,
    for rounded counts, how far rounding may set each total apart from its parts (bounded)."""

    def __init__(self, codes: list[str], split: Split, rounded: bool) -> None:
        self.codes = list(codes)
        self.split = split
        self.has_rest = split.rest is not None
        self.slacks = list(split.slack) if rounded else []
        self.names = tuple(
            [f"{code}/{band}" for code in self.codes for band in BANDS]
            + ([f"rest/{band}" for band in BANDS] if self.has_rest else [])
            + [f"afronding{sign}/{count}" for count in self.slacks for sign in "+-"]
        )
        self.bound = ROUNDING * (len(self.codes) + 1)

    def form(self, codes: list[str] | None, bands: tuple[str, ...], count: str | None = None) -> np.ndarray:
        """Children in ``bands`` in the districts ``codes``; ``None``: the whole municipality (with
        the rest, and for the total's ``count`` its rounding)."""
        chosen = set(self.codes if codes is None else codes)
        form = [float(code in chosen and band in bands) for code in self.codes for band in BANDS]
        if self.has_rest:
            form += [float(codes is None and band in bands) for band in BANDS]
        for slack in self.slacks:
            form += [1.0, -1.0] if codes is None and slack == count else [0.0, 0.0]
        return np.array(form)

    def rules(self) -> tuple[Fact, ...]:
        """Rounding moves a total by at most :data:`ROUNDING` per count it sums."""
        facts = []
        for i in range(2 * len(self.slacks)):
            form = np.zeros(len(self.names))
            form[len(self.names) - 2 * len(self.slacks) + i] = 1.0
            facts.append(Fact("", form, 0.0, float(self.bound)))
        return tuple(facts)

    def truth(self) -> np.ndarray:
        s = self.split
        slack = [v for count in self.slacks for v in (max(s.slack[count], 0), max(-s.slack[count], 0))]
        rest = list(s.rest) if s.rest is not None else []
        return np.concatenate([s.districts.ravel(), rest, slack]).astype(float)


@dataclass(frozen=True)
class AuditModel:
    """What the audit needs to check a ledger: each key's universe and form, and which keys are
    suppressed; no values."""

    models: dict[str, Model]
    universe_of: dict[str, str]
    rates: dict[str, tuple[str, str]]
    suppressed: tuple[str, ...]
    min_cel: int
