"""Rates with 95% Wilson intervals, by group."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd


def wilson(k: int | np.ndarray, n: int | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """95% Wilson interval of k out of n, on the 0-100 scale (NaN where n is 0)."""
    from statsmodels.stats.proportion import proportion_confint  # heavy: only where rates are shown

    k, n = np.asarray(k, dtype=float), np.asarray(n, dtype=float)
    safe = np.where(n > 0, n, 1)
    low, high = proportion_confint(k, safe, alpha=0.05, method="wilson")
    return np.where(n > 0, 100 * low, np.nan), np.where(n > 0, 100 * high, np.nan)


def holm(pvalues: Sequence[float]) -> np.ndarray:
    """Holm's step-down adjusted p-values, in the order given: the ``i``-th smallest times the
    number of tests from it on, never below an earlier one, at most 1. The same values as
    statsmodels' ``multipletests(method="holm")``, which runs a full garbage collection on every
    call (a tenth of a second in a worker that keeps the books it built)."""
    p = np.asarray(pvalues, dtype=float)
    order = np.argsort(p)
    adjusted = np.empty_like(p)
    adjusted[order] = np.minimum(np.maximum.accumulate(p[order] * np.arange(len(p), 0, -1)), 1.0)
    return adjusted


def rate_table(frame: pd.DataFrame, by: str, outcome: str, categories: Sequence[str] | None = None) -> pd.DataFrame:
    """Per category of ``by``: children with ``outcome`` (n), all children (noemer), pct and interval."""
    grouped = frame.groupby(by, observed=False)[outcome].agg(n="sum", noemer="count")
    if categories is not None:
        grouped = grouped.reindex(categories, fill_value=0)
    table = grouped.astype(int)
    table["pct"] = np.where(table["noemer"] > 0, 100 * table["n"] / table["noemer"].where(table["noemer"] > 0), np.nan)
    table["ci_laag"], table["ci_hoog"] = wilson(table["n"].to_numpy(), table["noemer"].to_numpy())
    table.index.name = by
    return table


def composition(frame: pd.DataFrame, by: str, among: str, categories: Sequence[str]) -> pd.DataFrame:
    """How the children with ``among`` are spread over the categories of ``by`` (n and % of them)."""
    counts = frame.loc[frame[among], by].value_counts().reindex(categories, fill_value=0).astype(int)
    total = counts.sum()
    return pd.DataFrame({"n": counts, "pct": 100 * counts / total if total else np.nan})
