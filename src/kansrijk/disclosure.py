"""Disclosure control: small counts and percentages on small denominators are not published.

Rules of the data contract: a count from 1 to ``min_cel - 1`` is suppressed; a percentage is
suppressed when its denominator is below ``min_noemer`` or its numerator is such a small count
(and with it its interval); where a table shows totals, further cells are suppressed until no
suppressed value can be recovered by subtraction (secondary suppression).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Thresholds:
    min_cel: int = 10
    min_noemer: int = 50

    def count_unsafe(self, n: float) -> bool:
        return 1 <= n < self.min_cel

    def pct_unsafe(self, numerator: float, denominator: float) -> bool:
        return denominator < self.min_noemer or self.count_unsafe(numerator)


def count(n: int, t: Thresholds) -> int | None:
    """The count, or ``None`` when it may not be published."""
    return None if t.count_unsafe(n) else int(n)


def share(numerator: int, denominator: int, t: Thresholds) -> float | None:
    """Percentage 0-100, or ``None`` when it may not be published."""
    if denominator == 0 or t.pct_unsafe(numerator, denominator):
        return None
    return 100.0 * numerator / denominator


def protect_rates(table: pd.DataFrame, t: Thresholds) -> pd.DataFrame:
    """A rate table (``n``, ``noemer``, optional ``pct``, ``ci_laag``, ``ci_hoog``) as it may be
    published: unsafe values blanked (``NaN``). The numerators form a line whose total is
    published, so one blanked count takes another with it (secondary suppression)."""
    rate_columns = [c for c in ("pct", "ci_laag", "ci_hoog") if c in table]
    out = table.astype({c: float for c in ["n", "noemer", *rate_columns]})
    unsafe = (out["noemer"] < t.min_noemer) | out["n"].between(1, t.min_cel - 1)
    out.loc[unsafe, rate_columns] = np.nan
    out.loc[out["n"].between(1, t.min_cel - 1), "n"] = np.nan
    out.loc[out["noemer"].between(1, t.min_cel - 1), "noemer"] = np.nan
    hidden = suppress_with_totals(table[["n"]].T, t).iloc[0].to_numpy()
    out.loc[hidden, ["n", *rate_columns]] = np.nan
    return out


def protect_shares(
    table: pd.DataFrame, t: Thresholds, total: int | None = None, secondary: bool = True
) -> pd.DataFrame:
    """Counts ``n`` and shares ``pct`` of one total (default: the sum of ``n``), blanked where
    they may not be published; with ``secondary`` the counts are a line with a published total."""
    base = table.assign(noemer=total if total is not None else int(table["n"].sum()))
    if not secondary:
        out = base.astype({"n": float, "pct": float})
        unsafe = (base["noemer"] < t.min_noemer) | base["n"].between(1, t.min_cel - 1)
        out.loc[unsafe, "pct"] = np.nan
        out.loc[base["n"].between(1, t.min_cel - 1), "n"] = np.nan
        return out.drop(columns="noemer")
    return protect_rates(base, t).drop(columns="noemer")


def protect_row_shares(counts: pd.DataFrame, t: Thresholds) -> pd.DataFrame:
    """Row percentages of a table of counts, blanked where a count or its row may not be
    published, with secondary suppression (each row sums to 100%)."""
    totals = counts.sum(axis=1)
    pct = counts.div(totals.where(totals > 0), axis=0) * 100
    hidden = suppress_with_totals(counts, t).to_numpy() | (totals < t.min_noemer).to_numpy()[:, None]
    return pct.mask(hidden)


def protect_poverty(table: pd.DataFrame, t: Thresholds) -> pd.DataFrame:
    """The district poverty table as it may be published. District counts at or below a line sum
    to the municipal count (which the municipal share reveals), so per line one blanked
    district takes another with it; the counts themselves are dropped."""
    out = table.copy()
    out["kinderen_0_5"] = out["kinderen_0_5"].astype(float).mask(out["kinderen_0_5"].between(1, t.min_cel - 1))
    for line in ("125", "105"):
        count = table[f"tot_{line}_wsm"]
        unsafe = (table["kinderen_0_5"] < t.min_noemer) | count.between(1, t.min_cel - 1)
        unsafe |= suppress_with_totals(count.to_frame(), t).iloc[:, 0]
        out.loc[unsafe, [f"pct_{line}", f"ci_{line}_laag", f"ci_{line}_hoog"]] = np.nan
    return out.drop(columns=["tot_125_wsm", "tot_105_wsm"])


def suppress_with_totals(counts: pd.DataFrame, t: Thresholds) -> pd.DataFrame:
    """Primary and secondary suppression of a table of counts whose row and column totals
    are published (the totals themselves are the row/column sums of ``counts``).

    Returns a boolean mask of the cells to suppress. A row or column with exactly one
    suppressed cell would reveal it by subtraction from its total, so the smallest other
    non-zero cell of that row or column is suppressed as well, until no line has exactly one.
    """
    values = counts.to_numpy(dtype=float)
    mask = (values >= 1) & (values < t.min_cel)
    changed = True
    while changed:
        changed = False
        for axis in (0, 1):
            lines = mask if axis == 1 else mask.T
            data = values if axis == 1 else values.T
            for i in range(lines.shape[0]):
                if lines[i].sum() == 1 and (~lines[i]).any():
                    # the smallest other cell, a non-zero one if there is one
                    key = np.where(lines[i], np.inf, np.where(data[i] > 0, data[i], np.inf))
                    if not np.isfinite(key).any():
                        key = np.where(lines[i], np.inf, 0.0)
                    j = int(np.argmin(key))
                    if axis == 1:
                        mask[i, j] = True
                    else:
                        mask[j, i] = True
                    changed = True
    return pd.DataFrame(mask, index=counts.index, columns=counts.columns)
