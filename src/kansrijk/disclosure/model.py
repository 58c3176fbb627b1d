"""The unknowns behind an edition's numbers, and every quantity the book can publish as a
linear form over them.

*Children 0-2.* The unknowns are the numbers of children in each cell of parents' education ×
migration background × care (no extra attention, extra attention in balance, out of balance)
× number of risk factors (0-3, 4 or more) × number of domains (0, 1, 2 or more); cells the
contract rules out (extra attention without a factor; one factor in two domains) do not
exist. Every children's count the book shows is a sum of such cells, so margins, totals and
shares across all tables relate exactly as they do in the data. The number of children with
each risk factor adds one unknown per factor, tied to the cells by what always holds: no more
children with a factor than children with any factor, and the factors of all children add up
to between the least and the most the factor counts allow.

*Children 0-5 and poverty.* Per district: children at or below 105% of the social minimum,
between 105% and 125%, and above 125%.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from kansrijk.catalogue import Catalogue
from kansrijk.disclosure.audit import Fact, System
from kansrijk.schemas import EDUCATION, MIGRATION

CARE = ("geen", "in_balans", "uit_balans")
MOST_FACTORS = 4  # 0, 1, 2, 3 and '4 or more'
MOST_DOMAINS = 2  # 0, 1 and '2 or more'
BANDS = ("tot_105", "105_125", "boven_125")


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
    rows = []
    for edu, mig, care, k, d in itertools.product(
        EDUCATION, MIGRATION, CARE, range(MOST_FACTORS + 1), range(MOST_DOMAINS + 1)
    ):
        possible = (k == 0) == (d == 0) and not (k == 1 and d > 1) and not (k == 0 and care != "geen")
        if possible:
            rows.append((edu, mig, care, k, d))
    return pd.DataFrame(rows, columns=["opleiding", "migratie", "zorg", "factoren", "domeinen"])


class Children:
    """The children's universe: its cells, the factor unknowns and a form for any selection."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.cells = _cells()
        self.codes = catalogue.codes
        self.n_cells = len(self.cells)
        names = ["/".join(map(str, row)) for row in self.cells.itertuples(index=False)] + [
            f"factor:{c}" for c in self.codes
        ]
        self.names = tuple(names)

    def form(self, select: Callable[[pd.DataFrame], pd.Series]) -> np.ndarray:
        """The form counting the children in the cells that ``select`` picks."""
        form = np.zeros(len(self.names))
        form[: self.n_cells] = select(self.cells).to_numpy(dtype=float)
        return form

    def factor(self, code: str) -> np.ndarray:
        form = np.zeros(len(self.names))
        form[self.n_cells + self.codes.index(code)] = 1.0
        return form

    def rules(self) -> tuple[Fact, ...]:
        """What always holds between the cells and the factor counts."""
        with_factor = self.form(lambda c: c.factoren >= 1)
        total = sum(self.factor(code) for code in self.codes)
        least = np.zeros(len(self.names))
        least[: self.n_cells] = self.cells["factoren"].to_numpy(float)
        most = least.copy()
        most[: self.n_cells][self.cells["factoren"].to_numpy() == MOST_FACTORS] = len(self.codes)
        rules = [Fact("", self.factor(code) - with_factor, -np.inf, 0.0) for code in self.codes]
        rules += [Fact("", total - least, 0.0, np.inf), Fact("", total - most, -np.inf, 0.0)]
        return tuple(rules)

    def truth(self, kinderen: pd.DataFrame, profile: pd.DataFrame, matrix: pd.DataFrame) -> np.ndarray:
        """How many children are in each cell, and how many have each factor."""
        care = np.select(
            [kinderen["uit_balans"].to_numpy(), kinderen["extra_aandacht"].to_numpy()],
            ["uit_balans", "in_balans"],
            "geen",
        )
        frame = pd.DataFrame(
            {
                "opleiding": kinderen["opleiding_ouders"].astype(str).to_numpy(),
                "migratie": kinderen["migratieachtergrond"].astype(str).to_numpy(),
                "zorg": care,
                "factoren": np.minimum(profile["aantal_factoren"].to_numpy(), MOST_FACTORS),
                "domeinen": np.minimum(profile["aantal_domeinen"].to_numpy(), MOST_DOMAINS),
            }
        )
        counts = frame.value_counts()
        keys = list(self.cells.itertuples(index=False, name=None))
        cells = np.array([counts.get(key, 0) for key in keys], dtype=float)
        if cells.sum() != len(kinderen):
            raise ValueError("a child falls outside the model's cells (the contract's rules were not enforced)")
        factors = matrix[self.codes].sum().to_numpy(dtype=float)
        return np.concatenate([cells, factors])


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
