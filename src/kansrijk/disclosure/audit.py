"""Which suppressed values can be recovered from what is published.

Every number an edition publishes is a linear function of unknown non-negative integers (the
counts of children in the cells of a fine cross-classification). A published count fixes its
function; a percentage rounded to ``d`` decimals fixes ``100·n / noemer`` to an interval, which
is linear too: ``(p - h)·noemer <= 100·n <= (p + h)·noemer``. The feasible range of a suppressed
value is its minimum and maximum over all integer solutions consistent with everything
published, found exactly by integer programming (``scipy.optimize.milp``). The published
numbers that pin a value are those whose constraints carry a non-zero dual price in the linear
relaxation of the same problem.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

_TOLERANCE = 1e-6


@dataclass(frozen=True)
class Fact:
    """What is known: ``low <= form · x <= high``. ``label`` names the published number behind it
    (empty for a rule that always holds, such as 'a share is at most its group')."""

    label: str
    form: np.ndarray
    low: float
    high: float


@dataclass(frozen=True)
class Range:
    """The values a suppressed number can take given what is published."""

    low: float
    high: float
    pinned_by: tuple[str, ...] = ()

    @property
    def width(self) -> float:
        return self.high - self.low


class InconsistentError(RuntimeError):
    """The published numbers contradict each other (a bug: they come from one data set)."""


@dataclass(frozen=True)
class System:
    """The unknowns behind an edition's numbers (non-negative integers) and the rules they obey."""

    names: tuple[str, ...]
    rules: tuple[Fact, ...] = ()

    def range(self, facts: list[Fact], target: np.ndarray, explain: bool = False) -> Range:
        """The exact integer range of ``target · x`` given ``facts``; with ``explain``, also the
        facts that pin it."""
        rows = [*self.rules, *facts]
        matrix = np.array([f.form for f in rows]) if rows else np.zeros((0, len(self.names)))
        low = np.array([f.low for f in rows])
        high = np.array([f.high for f in rows])
        bounds = [self._optimum(sign * target, matrix, low, high) for sign in (1, -1)]
        result = Range(bounds[0], -bounds[1] if math.isfinite(bounds[1]) else math.inf)
        if explain:
            result = Range(result.low, result.high, self._pinning(facts, target, matrix, low, high))
        return result

    def _optimum(self, objective: np.ndarray, matrix: np.ndarray, low: np.ndarray, high: np.ndarray) -> float:
        from scipy.optimize import Bounds, LinearConstraint, milp  # heavy: only where a range is computed

        constraints = [LinearConstraint(matrix, low, high)] if len(matrix) else []
        result = milp(
            objective,
            constraints=constraints,
            integrality=np.ones(len(self.names)),
            bounds=Bounds(0, np.inf),
        )
        if result.status == 0:
            return float(round(result.fun)) if abs(result.fun - round(result.fun)) < _TOLERANCE else float(result.fun)
        relaxed = self._relaxation(objective, matrix, low, high)
        if relaxed.status == 3:
            return -math.inf  # minimising without a bound: the value is not fixed at all
        if relaxed.status == 2 or result.status == 2:
            raise InconsistentError("de gepubliceerde getallen zijn onderling tegenstrijdig")
        raise RuntimeError(f"integer programming failed: {result.message}")

    def _relaxation(self, objective: np.ndarray, matrix: np.ndarray, low: np.ndarray, high: np.ndarray):
        from scipy.optimize import linprog

        equal = np.isclose(low, high)
        finite_high, finite_low = ~equal & np.isfinite(high), ~equal & np.isfinite(low)
        a_ub = np.vstack([matrix[finite_high], -matrix[finite_low]]) if len(matrix) else None
        b_ub = np.concatenate([high[finite_high], -low[finite_low]]) if len(matrix) else None
        return linprog(
            objective,
            A_ub=a_ub if a_ub is not None and len(a_ub) else None,
            b_ub=b_ub if b_ub is not None and len(b_ub) else None,
            A_eq=matrix[equal] if equal.any() else None,
            b_eq=low[equal] if equal.any() else None,
            bounds=(0, None),
            method="highs",
        )

    def _pinning(
        self, facts: list[Fact], target: np.ndarray, matrix: np.ndarray, low: np.ndarray, high: np.ndarray
    ) -> tuple[str, ...]:
        """The published facts with a non-zero dual price when the target is minimised or maximised."""
        n_rules = len(self.rules)
        equal = np.isclose(low, high)
        finite_high, finite_low = ~equal & np.isfinite(high), ~equal & np.isfinite(low)
        index_ub = np.concatenate([np.flatnonzero(finite_high), np.flatnonzero(finite_low)])
        index_eq = np.flatnonzero(equal)
        pinned: dict[str, None] = {}
        for sign in (1, -1):
            result = self._relaxation(sign * target, matrix, low, high)
            if result.status != 0:
                continue
            prices = []
            if len(index_eq):
                prices.append((index_eq, result.eqlin.marginals))
            if len(index_ub):
                prices.append((index_ub, result.ineqlin.marginals))
            for rows, marginals in prices:
                for row, price in zip(rows, marginals, strict=True):
                    if row >= n_rules and abs(price) > _TOLERANCE:
                        pinned[facts[row - n_rules].label] = None
        return tuple(pinned)
