"""Disclosure control on small hand-made tables."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kansrijk.disclosure import (
    Thresholds,
    protect_poverty,
    protect_rates,
    protect_row_shares,
    protect_shares,
    suppress_with_totals,
)

T = Thresholds(min_cel=10, min_noemer=50)


def test_small_counts_and_small_denominators_are_not_published():
    table = pd.DataFrame({"n": [40, 5, 30, 0], "noemer": [200, 100, 40, 80]}, index=list("abcd"))
    table["pct"] = 100 * table.n / table.noemer
    table["ci_laag"], table["ci_hoog"] = table.pct - 5, table.pct + 5
    out = protect_rates(table, T)
    assert np.isnan(out.loc["b", ["n", "pct", "ci_laag", "ci_hoog"]].astype(float)).all()  # 5 < 10
    assert np.isnan(out.loc["c", "pct"])  # denominator 40 < 50
    assert np.isnan(out.loc["c", "n"])  # secondary: else b = total - a - c - d
    assert out.loc["a", "n"] == 40 and out.loc["a", "pct"] == 20
    assert out.loc["d", "pct"] == 0 and out.loc["d", "n"] == 0  # zero is not a small count


def test_primary_suppression_alone_would_leak_through_the_total():
    """Counts 40, 5, 30 with a published total of 75: hiding only 5 leaves 75 - 40 - 30 = 5."""
    counts = pd.DataFrame({"n": [40, 5, 30]}, index=list("abc")).T
    mask = suppress_with_totals(counts, T).iloc[0]
    assert mask["b"]
    assert mask.sum() == 2 and mask["c"]  # the smallest other count goes too
    table = pd.DataFrame({"n": [40, 5, 30], "noemer": [100, 100, 100]}, index=list("abc"))
    out = protect_rates(table, T)
    assert out["n"].isna().sum() == 2


def test_secondary_suppression_in_a_two_way_table():
    counts = pd.DataFrame([[20, 3, 30], [25, 40, 35], [30, 30, 30]], index=["r1", "r2", "r3"], columns=["x", "y", "z"])
    mask = suppress_with_totals(counts, T)
    # no row or column has exactly one hidden cell: nothing can be recovered from the totals
    for lines in (mask.sum(axis=1), mask.sum(axis=0)):
        assert not (lines == 1).any()
    assert mask.loc["r1", "y"]


def test_nothing_is_hidden_when_every_count_is_safe():
    counts = pd.DataFrame([[20, 30], [40, 0]])
    assert not suppress_with_totals(counts, T).to_numpy().any()


def test_shares_and_row_shares():
    shares = protect_shares(pd.DataFrame({"n": [90, 8, 2], "pct": [90.0, 8.0, 2.0]}, index=list("abc")), T)
    assert shares["n"].isna().tolist() == [False, True, True]
    counts = pd.DataFrame(
        [[30, 40, 50], [60, 20, 25], [3, 3, 4]], index=["big", "bigger", "small"], columns=list("abc")
    )
    pct = protect_row_shares(counts, T)
    assert pct.loc["small"].isna().all()  # 10 children, below 50
    assert pct.loc[["big", "bigger"]].notna().sum().sum() >= 2  # not everything goes
    assert not (pct.isna().sum(axis=0) == 1).any()  # no column reveals its hidden cell


def test_poverty_districts_protected_against_the_municipal_total():
    table = pd.DataFrame(
        {
            "wijk_naam": ["A", "B", "C"],
            "kinderen_0_5": [900, 600, 40],
            "tot_125_wsm": [200, 60, 6],
            "tot_105_wsm": [150, 40, 3],
            "pct_125": [22.2, 10.0, 15.0],
            "ci_125_laag": [20.0, 8.0, 7.0],
            "ci_125_hoog": [25.0, 12.0, 29.0],
            "pct_105": [16.7, 6.7, 7.5],
            "ci_105_laag": [14.0, 5.0, 2.0],
            "ci_105_hoog": [19.0, 9.0, 20.0],
        },
        index=["W1", "W2", "W3"],
    )
    out = protect_poverty(table, T)
    assert np.isnan(out.loc["W3", "pct_125"])  # 6 children and a denominator of 40
    assert np.isnan(out.loc["W2", "pct_125"])  # else W3 follows from the municipal count
    assert out.loc["W1", "pct_125"] == 22.2
    assert "tot_125_wsm" not in out.columns
