"""Which suppressed values can be recovered from what is published.

Every number an edition publishes is a linear function of unknown non-negative integers (the
counts of children in the cells of a fine cross-classification). A published count fixes its
function; a percentage rounded to ``d`` decimals fixes ``100·n / noemer`` to an interval, which
is linear too: ``(p - h)·noemer <= 100·n <= (p + h)·noemer``. The feasible range of a suppressed
value is its minimum and maximum over all integer solutions consistent with everything
published, found exactly by integer programming. The linear relaxation is solved first
(``scipy.optimize.linprog``): when its optimum is an integer point, it is the integer optimum
too; only otherwise is the integer program solved (``scipy.optimize.milp``). The integer
programs get an equivalent, sparser system (:func:`sparser`). Whether a value is pinned to within
a width is often decided without either: by two integer solutions found for earlier questions
(see :meth:`System.narrower_than`). The published numbers that pin a value are those whose
constraints carry a non-zero dual price in the linear relaxation of the same problem.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass

import numpy as np

_TOLERANCE = 1e-6
# A kept solution or direction is checked against a question's rows up to the sums' rounding error
# only (at most this times the sum of the terms' sizes): an integer point misses a row of whole or
# two-decimal coefficients by at least 0.01.
_ROUNDING = 1e-10
_ANSWERS_KEPT = 4096  # relaxations answered per system, for the questions asked again
_SPARSE_KEPT = 16  # sparser systems kept per system: the questions about one set of facts come together
_POINTS_KEPT = 64  # integer solutions (and directions) kept per system, the newest
_NOT_SAVED = ("_warm", "_sparse", "_points", "_rays")


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


def _at_integer(relaxed) -> bool:
    """Whether a solved relaxation's optimum is an integer point (and so the integer optimum)."""
    return relaxed.status == 0 and np.allclose(relaxed.x, np.round(relaxed.x), atol=_TOLERANCE)


def _relaxed_value(relaxed) -> float:
    """The optimum of a solved relaxation: ``-inf`` when minimising has no bound (the value is not
    fixed at all)."""
    if relaxed.status == 3:
        return -math.inf
    if relaxed.status == 2:
        raise InconsistentError("de gepubliceerde getallen zijn onderling tegenstrijdig")
    if relaxed.status != 0:
        raise RuntimeError(f"linear programming failed: {getattr(relaxed, 'message', relaxed.status)}")
    return _integral(relaxed.fun)


def _integral(value: float) -> float:
    return float(round(value)) if abs(value - round(value)) < _TOLERANCE else float(value)


def sparser(matrix: np.ndarray, low: np.ndarray, high: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The rows ``low <= matrix · x <= high`` with the same solutions and fewer non-zero
    coefficients: an equality row (a published count) is subtracted, times the ratio most of its
    coefficients share, from every row that covers it (a total from the counts within it, a
    percentage from its group). An edition's rows are dense (totals cover most cells, a
    percentage's row its group's); HiGHS would make them sparse itself, but anew for every integer
    program, and that is most of its time."""
    rows = np.array(matrix, dtype=float)
    low, high = np.array(low, dtype=float), np.array(high, dtype=float)
    nonzero = rows != 0
    equal = np.flatnonzero(np.isfinite(low) & (low == high))
    for e in equal[np.argsort(-nonzero[equal].sum(axis=1), kind="stable")]:  # the widest first
        support = nonzero[e]
        size = support.sum()
        if not size:
            continue
        covering = nonzero[:, support].sum(axis=1) == size
        covering[e] = False
        for r in np.flatnonzero(covering):
            ratios, counts = np.unique(np.round(rows[r, support] / rows[e, support], 12), return_counts=True)
            ratio = ratios[np.argmax(counts)]
            reduced = rows[r] - ratio * rows[e]
            reduced[np.abs(reduced) <= 1e-9 * np.abs(rows[r]).max()] = 0.0  # what cancels, exactly
            if np.count_nonzero(reduced) < np.count_nonzero(rows[r]):
                rows[r], nonzero[r] = reduced, reduced != 0
                low[r] -= ratio * low[e]
                high[r] -= ratio * low[e]
    return rows, low, high


def _along(vectors: np.ndarray, matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each row's value at each of ``vectors`` (non-negative), and a bound on its rounding error."""
    return vectors @ matrix.T, _ROUNDING * (np.outer(vectors.sum(axis=1), np.abs(matrix).max(axis=1)) + 1)


class _Vectors:
    """Vectors of one length found while answering questions, the newest :data:`_POINTS_KEPT`."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.found: dict[bytes, np.ndarray] = {}
        self._stacked: np.ndarray | None = None

    def add(self, vector: np.ndarray) -> None:
        if _kept(self.found, vector.tobytes(), lambda: vector, _POINTS_KEPT) is vector:
            self._stacked = None

    @property
    def stacked(self) -> np.ndarray:
        """The vectors as the rows of one array."""
        if self._stacked is None:
            self._stacked = np.array(list(self.found.values()), dtype=float).reshape(-1, self.size)
        return self._stacked


def _kept(answers: dict, key, make, most: int):
    """``answers[key]``, made and kept the first time; the oldest of ``most`` answers makes room."""
    if key not in answers:
        if len(answers) >= most:
            del answers[next(iter(answers))]
        answers[key] = make()
    return answers[key]


class InconsistentError(RuntimeError):
    """The published numbers contradict each other (a bug: they come from one data set)."""


@dataclass(frozen=True)
class _Relaxed:
    """A solved relaxation, as much of it as the range questions read."""

    status: int  # 0 optimal, 2 infeasible, 3 unbounded (scipy's codes)
    fun: float
    x: np.ndarray
    ray: np.ndarray | None = None  # when unbounded: a direction in which the objective falls without end


class _WarmRelaxation:
    """The relaxation of one system as one HiGHS model kept between questions: every fact is a row
    (added when first asked about), the rows of facts a question does not name are free, and only
    the objective and the rows' bounds change from one question to the next, so HiGHS starts from
    the last basis instead of from nothing. It answers optimal values only: which optimal point or
    dual prices it finds may differ from a cold solve (:meth:`System.range` explains with those)."""

    def __init__(self, size: int, rules: tuple[Fact, ...]) -> None:
        self.highs = _highs()
        self.size = size
        self.highs.addVars(size, np.zeros(size), np.full(size, np.inf))
        self.columns = np.arange(size, dtype=np.int32)
        self.rows: dict[tuple[str, float, float], list[tuple[np.ndarray, int]]] = {}
        self.bounds: list[tuple[float, float]] = []
        self.rules = [self._row(rule) for rule in rules]
        self.active: list[int] | None = None
        # The search for what to suppress asks many questions again (a third, unchanged since): answered once.
        self.answers: dict[tuple, _Relaxed | None] = {}

    def _row(self, fact: Fact) -> int:
        key = (fact.label, fact.low, fact.high)
        for form, index in self.rows.get(key, ()):
            if form is fact.form or np.array_equal(form, fact.form):
                return index
        index = len(self.bounds)
        nonzero = np.flatnonzero(fact.form)
        self.highs.addRow(-np.inf, np.inf, len(nonzero), nonzero.astype(np.int32), fact.form[nonzero].astype(float))
        self.rows.setdefault(key, []).append((fact.form, index))
        self.bounds.append((fact.low, fact.high))
        return index

    def minimise(self, facts: list[Fact], objective: np.ndarray) -> _Relaxed | None:
        """The minimum of ``objective · x`` under the rules and ``facts``; ``None`` when HiGHS
        does not say plainly whether it is optimal, infeasible or unbounded."""
        active = self.rules + [self._row(fact) for fact in facts]
        question = (tuple(sorted(active)), objective.astype(float).tobytes())
        return _kept(self.answers, question, lambda: self._solve(active, objective), _ANSWERS_KEPT)

    def _solve(self, active: list[int], objective: np.ndarray) -> _Relaxed | None:
        from highspy import HighsModelStatus

        if active != self.active:
            rows = len(self.bounds)
            low, high = np.full(rows, -np.inf), np.full(rows, np.inf)
            bounds = np.array(self.bounds).reshape(-1, 2)
            low[active], high[active] = bounds[active, 0], bounds[active, 1]
            self.highs.changeRowsBounds(rows, np.arange(rows, dtype=np.int32), low, high)
            self.active = active
        self.highs.changeColsCost(self.size, self.columns, objective.astype(float))
        self.highs.run()
        status = {HighsModelStatus.kOptimal: 0, HighsModelStatus.kInfeasible: 2, HighsModelStatus.kUnbounded: 3}.get(
            self.highs.getModelStatus()
        )
        if status is None:
            return None
        if status == 3:
            _, has_ray, ray = self.highs.getPrimalRay()
            return _Relaxed(status, math.nan, np.zeros(self.size), np.array(ray) if has_ray else None)
        if status != 0:
            return _Relaxed(status, math.nan, np.zeros(self.size))
        return _Relaxed(0, self.highs.getInfo().objective_function_value, np.array(self.highs.getSolution().col_value))


def _highs():
    """A silent HiGHS model. (highspy prints its banner to the process's standard output when the
    first one is made; a worker's standard output is the analyst's terminal.)"""
    import os
    import sys

    from highspy import Highs

    if not _highs.made:
        sys.stdout.flush()
        saved = os.dup(1)
        try:
            with open(os.devnull, "w") as null:
                os.dup2(null.fileno(), 1)
                highs = Highs()
        finally:
            os.dup2(saved, 1)
            os.close(saved)
        _highs.made = True
    else:
        highs = Highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("presolve", "off")  # these problems are small: presolving costs more than it saves
    return highs


_highs.made = False


@dataclass(frozen=True)
class System:
    """The unknowns behind an edition's numbers (non-negative integers) and the rules they obey."""

    names: tuple[str, ...]
    rules: tuple[Fact, ...] = ()

    def __getstate__(self) -> dict:
        # a solver and the sparser systems made for its questions are not saved, nor the solutions
        # and directions found (in the plan they may carry values that are not published)
        return {key: value for key, value in self.__dict__.items() if key not in _NOT_SAVED}

    def _relaxations(self, facts: list[Fact], target: np.ndarray) -> list:
        """The relaxation minimising and maximising ``target · x``, from the warm model (or cold,
        where it cannot say)."""
        warm = self.__dict__.get("_warm")
        if warm is None:
            warm = _WarmRelaxation(len(self.names), self.rules)
            object.__setattr__(self, "_warm", warm)
        solved = [warm.minimise(facts, sign * target) for sign in (1, -1)]
        if all(r is not None for r in solved):
            return solved
        matrix, low, high = self._rows(facts)
        return [self._relaxation(sign * target, matrix, low, high) for sign in (1, -1)]

    def _rows(self, facts: list[Fact]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        rows = [*self.rules, *facts]
        matrix = np.array([f.form for f in rows]) if rows else np.zeros((0, len(self.names)))
        return matrix, np.array([f.low for f in rows]), np.array([f.high for f in rows])

    def range(self, facts: list[Fact], target: np.ndarray, explain: bool = False) -> Range:
        """The exact integer range of ``target · x`` given ``facts``; with ``explain``, also the
        facts that pin it."""
        matrix, low, high = self._rows(facts)
        relaxed = self._relaxations(facts, target)
        bounds = [self._optimum(sign * target, matrix, low, high, r) for sign, r in zip((1, -1), relaxed, strict=True)]
        result = Range(bounds[0], -bounds[1] if math.isfinite(bounds[1]) else math.inf)
        if explain:
            result = Range(result.low, result.high, self._pinning(facts, target, matrix, low, high))
        return result

    def narrower_than(
        self, facts: list[Fact], target: np.ndarray, width: float, point: np.ndarray | None = None
    ) -> bool:
        """Whether the integer range of ``target · x`` is narrower than ``width``. ``point``, when
        given, is an integer solution that should satisfy every fact (the data themselves).

        Two integer solutions of the facts whose values lie ``width`` apart answer "no" at once, and
        so does one solution with a direction in which the value grows without end: the known
        point, and the solutions and directions this system found for earlier questions (every
        optimum at an integer point, every unbounded relaxation's ray), each checked against these
        facts first. Otherwise the relaxation's range, which contains the integer range, is solved:
        a narrow relaxation answers "yes", and an end of it reached at an integer point is exact.
        With integer coefficients the integer range lies within the relaxation's rounded inwards,
        and it contains the known solutions' values: one exact end is often enough to decide, and
        the other is not solved."""
        matrix, low, high = self._rows(facts)
        known = self._solutions(matrix, low, high, point) @ target
        if len(known) and (
            _integral(known.max()) - _integral(known.min()) >= width or self._grows(matrix, low, high, target)
        ):
            return False
        relaxed = self._relaxations(facts, target)
        for r in relaxed:
            self._found("_points", r.x if _at_integer(r) else None)
            self._found("_rays", getattr(r, "ray", None))
        ends = [_relaxed_value(r) for r in relaxed]
        if not math.isfinite(ends[1]):
            return False
        low_end, high_end = ends[0], -ends[1]
        if np.array_equal(target, np.round(target)):
            low_end, high_end = math.ceil(low_end - _TOLERANCE), math.floor(high_end + _TOLERANCE)
        if high_end - low_end < width - _TOLERANCE:
            return True
        least, most = (_integral(known.min()), _integral(known.max())) if len(known) else (None, None)
        exact: list[float | None] = [_integral(r.fun) if _at_integer(r) else None for r in relaxed]
        for side in sorted((0, 1), key=lambda i: exact[i] is None):  # the free end first
            if exact[side] is None:
                exact[side] = self._optimum((1, -1)[side] * target, matrix, low, high, relaxed[side])
            other = 1 - side
            if exact[other] is not None:
                break
            if side == 0:  # the exact minimum against the relaxed maximum, and the known values
                if high_end - exact[0] < width:
                    return True
                if most is not None and most - exact[0] >= width:
                    return False
            else:
                if -exact[1] - low_end < width:
                    return True
                if least is not None and -exact[1] - least >= width:
                    return False
        return -exact[1] - exact[0] < width

    def _solutions(self, matrix: np.ndarray, low: np.ndarray, high: np.ndarray, point: np.ndarray | None) -> np.ndarray:
        """The known integer solutions (``point`` and those found before) that satisfy these rows,
        one per row of the result."""
        points = self._kept_vectors("_points").stacked
        if point is not None:
            points = np.vstack([points, np.asarray(point, dtype=float)])
        if not len(points) or not len(matrix):
            return points
        values, slack = _along(points, matrix)
        keep = np.all((values >= low - slack) & (values <= high + slack), axis=1)
        return points[keep & np.all(points == np.round(points), axis=1) & np.all(points >= 0, axis=1)]

    def _grows(self, matrix: np.ndarray, low: np.ndarray, high: np.ndarray, target: np.ndarray) -> bool:
        """Whether ``target · x`` grows without end along a direction found before (an unbounded
        relaxation's ray) that these rows allow: none of them may rise above a finite upper bound
        or fall below a finite lower bound along it. Only where the rows have a solution: from it,
        the relaxation is unbounded, and so is the integer program (rational rows: the integer
        solutions have the same directions of recession)."""
        rays = self._kept_vectors("_rays").stacked
        rays = rays[rays @ target > _TOLERANCE]
        if not len(rays):
            return False
        change, slack = _along(rays, matrix)
        rises = (change > slack) & np.isfinite(high)
        falls = (change < -slack) & np.isfinite(low)
        return bool(np.any(~np.any(rises | falls, axis=1)))

    def _kept_vectors(self, kind: str) -> _Vectors:
        if kind not in self.__dict__:
            object.__setattr__(self, kind, _Vectors(len(self.names)))
        return self.__dict__[kind]

    def _found(self, kind: str, found: np.ndarray | None) -> None:
        """Keep an integer solution (``_points``) or a direction of recession (``_rays``) of some
        question's facts, for the next questions (each is checked against their facts)."""
        if found is None:
            return
        if kind == "_points":
            found = np.round(found)
        else:
            found = np.where(found > 1e-12, found, 0.0)  # a direction within x >= 0
            if not found.any():
                return
            found = found / found.max()
        self._kept_vectors(kind).add(found)

    def relaxed_width(self, facts: list[Fact], target: np.ndarray) -> float:
        """The width of the relaxation's range of ``target · x`` (at least the integer width)."""
        relaxed = self._relaxations(facts, target)
        ends = [_relaxed_value(r) for r in relaxed]
        return -ends[1] - ends[0] if math.isfinite(ends[1]) else math.inf

    def compress(self, forms: list[np.ndarray]) -> tuple[System, np.ndarray, np.ndarray]:
        """The same system with unknowns that no rule and none of ``forms`` tell apart merged into
        one (they only ever appear summed, so any split of their sum is as good): the integer
        ranges are unchanged. Returns it, the columns to keep of every form, and for each old
        unknown the new one it is merged into (to add up a solution)."""
        columns = np.array([*forms, *(r.form for r in self.rules)])
        seen: dict[bytes, int] = {}
        first = np.array([seen.setdefault(columns[:, j].tobytes(), j) for j in range(len(self.names))], dtype=int)
        keep_at = np.flatnonzero(first == np.arange(len(self.names)))
        merged_into = np.searchsorted(keep_at, first)
        rules = tuple(Fact(r.label, r.form[keep_at], r.low, r.high) for r in self.rules)
        return System(tuple(self.names[j] for j in keep_at), rules), keep_at, merged_into

    def _optimum(
        self,
        objective: np.ndarray,
        matrix: np.ndarray,
        low: np.ndarray,
        high: np.ndarray,
        relaxed: object = None,
        integers: bool = True,
    ) -> float:
        """The minimum of ``objective · x``: of the relaxation (solved here unless given), or
        exactly over integers."""
        from scipy.optimize import Bounds, LinearConstraint, milp  # heavy: only where a range is computed

        relaxed = relaxed if relaxed is not None else self._relaxation(objective, matrix, low, high)
        value = _relaxed_value(relaxed)
        if not integers or not math.isfinite(value) or _at_integer(relaxed):
            return value  # an integer point attains the relaxed optimum
        constraints = [LinearConstraint(*self._sparser(matrix, low, high))] if len(matrix) else []
        result = milp(
            objective,
            constraints=constraints,
            integrality=np.ones(len(self.names)),
            bounds=Bounds(0, np.inf),
        )
        if result.status != 0:
            raise RuntimeError(f"integer programming failed: {result.message}")
        self._found("_points", result.x)
        return _integral(result.fun)

    def _sparser(self, matrix: np.ndarray, low: np.ndarray, high: np.ndarray) -> tuple:
        """:func:`sparser` of these rows, kept for the next questions about the same facts."""
        from scipy.sparse import csr_array

        def make() -> tuple:
            rows, row_low, row_high = sparser(matrix, low, high)
            return csr_array(rows), row_low, row_high

        key = hashlib.blake2b(b"".join(np.ascontiguousarray(a).tobytes() for a in (matrix, low, high))).digest()
        return _kept(self.__dict__.setdefault("_sparse", {}), key, make, _SPARSE_KEPT)

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
            options={"presolve": False},  # these problems are small: presolving costs more than it saves
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
