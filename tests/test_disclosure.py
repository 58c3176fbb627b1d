"""Disclosure control: the exact feasible ranges of the audit, against brute force; the plan's
primary and secondary suppression; the ledger audit that gates publishing."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from kansrijk.disclosure.audit import Fact, InconsistentError, System, sparser

MIN_CEL = 10


def _line(cells: int) -> System:
    return System(tuple(f"x{i}" for i in range(cells)))


def _unit(cells: int, *indices: int) -> np.ndarray:
    form = np.zeros(cells)
    form[list(indices)] = 1.0
    return form


def test_primary_suppression_alone_leaks_through_a_published_total():
    """Counts 40, 5, 30 with their total 75: hiding only the 5 leaves 75 - 40 - 30."""
    system = _line(3)
    total = Fact("totaal", _unit(3, 0, 1, 2), 75, 75)
    a, c = Fact("a", _unit(3, 0), 40, 40), Fact("c", _unit(3, 2), 30, 30)
    pinned = system.range([total, a, c], _unit(3, 1), explain=True)
    assert (pinned.low, pinned.high) == (5, 5)
    assert set(pinned.pinned_by) == {"totaal", "a", "c"}
    widened = system.range([total, a], _unit(3, 1))  # c hidden as well
    assert (widened.low, widened.high) == (0, 35) and widened.width >= MIN_CEL


def test_a_rounded_percentage_is_an_interval():
    """A group of 200 with 18% (0 decimals) shown: its count lies in 35..37."""
    system = _line(2)  # with and without the outcome
    group = Fact("groep", _unit(2, 0, 1), 200, 200)
    share = Fact("pct", 100 * _unit(2, 0) - 17.5 * _unit(2, 0, 1), 0, math.inf)
    upper = Fact("pct", 100 * _unit(2, 0) - 18.5 * _unit(2, 0, 1), -math.inf, 0)
    result = system.range([group, share, upper], _unit(2, 0))
    assert (result.low, result.high) == (35, 37)


def test_an_unbounded_value_has_an_infinite_range():
    system = _line(2)
    assert system.range([Fact("a", _unit(2, 0), 4, 4)], _unit(2, 1)).high == math.inf
    assert system.relaxed_width([Fact("a", _unit(2, 0), 4, 4)], _unit(2, 1)) == math.inf
    assert not system.narrower_than([Fact("a", _unit(2, 0), 4, 4)], _unit(2, 1), MIN_CEL)


def test_a_system_answers_the_same_after_its_questions_change_and_after_pickling():
    """The warm model keeps rows between questions: a fact left out of a question binds nothing, and
    a system read back from the edition's plan (without its solver) answers as before."""
    import pickle

    system = _line(3)
    total = Fact("totaal", _unit(3, 0, 1, 2), 75, 75)
    a, c = Fact("a", _unit(3, 0), 40, 40), Fact("c", _unit(3, 2), 30, 30)
    assert system.narrower_than([total, a, c], _unit(3, 1), MIN_CEL)
    assert system.relaxed_width([total, a], _unit(3, 1)) == 35  # c no longer binds
    assert not system.narrower_than([total, a], _unit(3, 1), MIN_CEL)
    with pytest.raises(InconsistentError):
        system.narrower_than([total, a, c, Fact("b", _unit(3, 1), 6, 6)], _unit(3, 1), MIN_CEL)
    again = pickle.loads(pickle.dumps(system))
    assert again == system
    assert again.narrower_than([total, a, c], _unit(3, 1), MIN_CEL)
    assert again.relaxed_width([total], _unit(3, 1)) == 75


def test_solutions_and_directions_kept_from_other_questions_do_not_decide_for_more_facts():
    """A system keeps the integer solutions and the unbounded directions it found, to answer the
    next questions without solving: a solution of fewer facts, or a direction they allow, that
    the new facts rule out must not count."""
    system = _line(3)
    total = Fact("totaal", _unit(3, 0, 1, 2), 75, 75)
    a, c = Fact("a", _unit(3, 0), 40, 40), Fact("c", _unit(3, 2), 30, 30)
    assert not system.narrower_than([a], _unit(3, 1), MIN_CEL)  # unbounded: a direction is kept
    assert not system.narrower_than([total, a], _unit(3, 1), MIN_CEL)  # 0..35: solutions are kept
    assert len(system.__dict__["_rays"].stacked) and len(system.__dict__["_points"].stacked) >= 2
    assert system.narrower_than([total, a, c], _unit(3, 1), MIN_CEL)  # 5 exactly
    assert not system.narrower_than([total, a], _unit(3, 1), MIN_CEL)  # and again from what was kept


# --- property: the audit's range is exactly what brute force finds ---------------------------

ROWS, COLUMNS, MOST = 2, 2, 12


@st.composite
def published_tables(draw):
    """A small table of counts, its row and column totals and grand total, and a random choice
    of what is published: cells, row totals and column totals as counts, and cells as row
    percentages rounded to 0 or 1 decimals."""
    cells = np.array(draw(st.lists(st.integers(0, MOST), min_size=ROWS * COLUMNS, max_size=ROWS * COLUMNS)))
    table = cells.reshape(ROWS, COLUMNS)
    shown_cells = draw(st.lists(st.sampled_from(["count", "pct", "hidden"]), min_size=cells.size, max_size=cells.size))
    shown_rows = draw(st.lists(st.booleans(), min_size=ROWS, max_size=ROWS))
    shown_columns = draw(st.lists(st.booleans(), min_size=COLUMNS, max_size=COLUMNS))
    decimals = draw(st.sampled_from([0, 1]))
    return table, shown_cells, shown_rows, shown_columns, decimals


def _facts(table, shown_cells, shown_rows, shown_columns, decimals) -> list[Fact]:
    """What the published numbers tell, as the audit reads them."""
    n = table.size
    cell = lambda i, j: _unit(n, i * COLUMNS + j)  # noqa: E731
    row = lambda i: _unit(n, *(i * COLUMNS + j for j in range(COLUMNS)))  # noqa: E731
    column = lambda j: _unit(n, *(i * COLUMNS + j for i in range(ROWS)))  # noqa: E731
    facts = [Fact("totaal", _unit(n, *range(n)), table.sum(), table.sum())]  # always published: bounds every cell
    for i, j in itertools.product(range(ROWS), range(COLUMNS)):
        how = shown_cells[i * COLUMNS + j]
        if how == "count":
            facts.append(Fact(f"c{i}{j}", cell(i, j), table[i, j], table[i, j]))
        elif how == "pct" and table[i].sum() > 0:
            p, h = round(100 * table[i, j] / table[i].sum(), decimals), 0.5 * 10**-decimals
            facts.append(Fact(f"p{i}{j}", 100 * cell(i, j) - (p - h) * row(i), 0, math.inf))
            facts.append(Fact(f"p{i}{j}", 100 * cell(i, j) - (p + h) * row(i), -math.inf, 0))
            facts.append(Fact(f"r{i}>0", row(i), 1, math.inf))
    facts += [Fact(f"r{i}", row(i), table[i].sum(), table[i].sum()) for i in range(ROWS) if shown_rows[i]]
    facts += [
        Fact(f"k{j}", column(j), table[:, j].sum(), table[:, j].sum()) for j in range(COLUMNS) if shown_columns[j]
    ]
    return facts


def _brute_force(table, shown_cells, shown_rows, shown_columns, decimals) -> np.ndarray:
    """Every table of non-negative integers consistent with what is published, enumerated."""
    total, k = int(table.sum()), table.size
    bars = np.array(list(itertools.combinations(range(total + k - 1), k - 1))).reshape(-1, k - 1)
    edges = np.hstack([np.full((len(bars), 1), -1), bars, np.full((len(bars), 1), total + k - 1)])
    grid = (np.diff(edges, axis=1) - 1).reshape(-1, ROWS, COLUMNS)  # every split of the total into k cells
    keep = np.ones(len(grid), dtype=bool)
    h = 0.5 * 10**-decimals
    for i, j in itertools.product(range(ROWS), range(COLUMNS)):
        how = shown_cells[i * COLUMNS + j]
        if how == "count":
            keep &= grid[:, i, j] == table[i, j]
        elif how == "pct" and table[i].sum() > 0:
            p = round(100 * table[i, j] / table[i].sum(), decimals)
            rows = grid[:, i].sum(axis=1)
            with np.errstate(divide="ignore", invalid="ignore"):
                share = 100 * grid[:, i, j] / rows
            keep &= (rows > 0) & (np.abs(share - p) <= h + 1e-9)
    for i in range(ROWS):
        if shown_rows[i]:
            keep &= grid[:, i].sum(axis=1) == table[i].sum()
    for j in range(COLUMNS):
        if shown_columns[j]:
            keep &= grid[:, :, j].sum(axis=1) == table[:, j].sum()
    return grid[keep]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(published_tables())
def test_audit_range_equals_brute_force(case):
    """For every hidden cell, the audit's exact range is the brute-force range, so it flags
    every cell brute force can recover to within min_cel and nothing it cannot."""
    table, shown_cells, *_ = case
    feasible = _brute_force(*case)
    assert len(feasible) >= 1  # the true table is always consistent
    system = _line(table.size)
    facts = _facts(*case)
    for index, how in enumerate(shown_cells):
        if how != "hidden":
            continue
        i, j = divmod(index, COLUMNS)
        values = feasible[:, i, j]
        found = system.range(facts, _unit(table.size, index))
        assert (found.low, found.high) == (values.min(), values.max())
        assert (found.width < MIN_CEL) == (values.max() - values.min() < MIN_CEL)
        # the quick test the plan uses, with or without the true table as a known solution
        for point in (None, table.ravel().astype(float)):
            assert system.narrower_than(facts, _unit(table.size, index), MIN_CEL, point) == (found.width < MIN_CEL)
        event("recoverable" if found.width < MIN_CEL else "protected")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(published_tables(), st.data())
def test_what_a_system_kept_from_fewer_facts_never_changes_an_answer(case, data):
    """The same questions, asked first with some of the published numbers left out (so the system
    keeps solutions and directions that the whole publication rules out), then with all of them:
    each answer is still brute force's."""
    table, shown_cells, *_ = case
    facts = _facts(*case)
    system = _line(table.size)
    fewer = [f for f in facts if data.draw(st.booleans(), label=f"keep {f.label}")]
    for index in range(table.size):
        system.narrower_than(fewer, _unit(table.size, index), MIN_CEL)
    feasible = _brute_force(*case)
    for index, how in enumerate(shown_cells):
        if how != "hidden":
            continue
        values = feasible[:, *divmod(index, COLUMNS)]
        expected = values.max() - values.min() < MIN_CEL
        assert system.narrower_than(facts, _unit(table.size, index), MIN_CEL) == expected
        event("recoverable" if expected else "protected")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(published_tables())
def test_the_sparser_system_has_the_same_integer_solutions(case):
    """The integer programs run on a sparser system: it accepts exactly the tables the published
    numbers allow, and it has no more non-zero coefficients than the rows it replaces."""
    table, *_ = case
    facts = _facts(*case)
    matrix, low, high = (np.array([getattr(f, a) for f in facts], dtype=float) for a in ("form", "low", "high"))
    rows, row_low, row_high = sparser(matrix, low, high)
    assert np.count_nonzero(rows) <= np.count_nonzero(matrix)
    total = int(table.sum())
    grid = np.array(list(itertools.product(range(total + 1), repeat=table.size)), dtype=float)  # every table
    accepts = lambda m, lo, hi: np.all((grid @ m.T >= lo - 1e-7) & (grid @ m.T <= hi + 1e-7), axis=1)  # noqa: E731
    assert np.array_equal(accepts(rows, row_low, row_high), accepts(matrix, low, high))
