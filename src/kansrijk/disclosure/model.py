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
between 105% and 125%, and above 125%.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from kansrijk.analyses.edition import EDUCATION_FACTOR
from kansrijk.catalogue import Catalogue
from kansrijk.disclosure.audit import Fact, System
from kansrijk.origin import Classification
from kansrijk.schemas import EDUCATION

CARE = ("geen", "in_balans", "uit_balans")
MOST_FACTORS = 4  # 0, 1, 2, 3 and '4 or more'
MOST_DOMAINS = 2  # 0, 1 and '2 or more'
BANDS = ("tot_105", "105_125", "boven_125")
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


class Children:
    """The children's universe: its cells, the origin block, the factor unknowns, and a form
    for any selection."""

    def __init__(self, catalogue: Catalogue, origin: Classification) -> None:
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
        names = [
            *("/".join(map(str, row)) for row in self.cells.itertuples(index=False)),
            *(f"{m}/{'gevolgd' if f else 'niet'}" for m, f in self.origins.itertuples(index=False)),
            *(f"factor:{c}" for c in self.codes),
            *(f"factor gevolgd:{c}" for c in self.codes),
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

    def rules(self) -> tuple[Fact, ...]:
        """What always holds between the blocks and the factor counts."""
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
        return tuple(rules)

    def _per_child(self, select: Callable[[pd.DataFrame], pd.Series], bound: str) -> np.ndarray:
        """The least or most factors the children of the selected cells have together."""
        counts = self.cells["factoren"].to_numpy(float)
        if bound == "most":
            counts = np.where(counts == MOST_FACTORS, len(self.codes), counts)
        return self.form(select) * np.concatenate([counts, np.zeros(len(self.names) - self.n_cells)])

    def truth(self, kinderen: pd.DataFrame, matrix: pd.DataFrame) -> np.ndarray:
        """How many children are in each cell of both blocks, and how many have each factor."""
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
        keys = list(self.cells[frame.columns].itertuples(index=False, name=None))
        counts = frame.value_counts()
        cells = np.array([counts.get(key, 0) for key in keys], dtype=float)
        if cells.sum() != len(kinderen):
            raise ValueError("a child falls outside the model's cells (the contract's rules were not enforced)")
        origins = pd.DataFrame({"herkomst": kinderen[self.origin_column].astype(str).to_numpy(), "gevolgd": followed})
        origin_counts = origins.value_counts()
        in_origins = [origin_counts.get(key, 0) for key in self.origins.itertuples(index=False, name=None)]
        factors = present.sum(axis=0)
        factors_followed = present[followed].sum(axis=0)
        return np.concatenate([cells, in_origins, factors, factors_followed]).astype(float)


class Poverty:
    """The poverty universe: children 0-5 per district and income band."""

    def __init__(self, codes: list[str]) -> None:
        self.codes = list(codes)
        self.names = tuple(f"{code}/{band}" for code in self.codes for band in BANDS)

    def form(self, codes: list[str] | None, bands: tuple[str, ...]) -> np.ndarray:
        """Children in ``bands`` in the districts ``codes`` (all districts when ``None``)."""
        chosen = set(self.codes if codes is None else codes)
        return np.array(
            [float(code in chosen and band in bands) for code in self.codes for band in BANDS],
        )

    def truth(self, armoede: pd.DataFrame) -> np.ndarray:
        table = armoede.set_index("wijk_code").reindex(self.codes)
        low = table["tot_105_wsm"].to_numpy(float)
        middle = table["tot_125_wsm"].to_numpy(float) - low
        high = table["kinderen_0_5"].to_numpy(float) - table["tot_125_wsm"].to_numpy(float)
        return np.column_stack([low, middle, high]).ravel()


@dataclass(frozen=True)
class AuditModel:
    """What the audit needs to check a ledger: each key's universe and form, and which keys are
    suppressed; no values."""

    models: dict[str, Model]
    universe_of: dict[str, str]
    rates: dict[str, tuple[str, str]]
    suppressed: tuple[str, ...]
    min_cel: int
