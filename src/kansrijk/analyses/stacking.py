"""Stacking of risk factors by a background characteristic, with a test of association."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from kansrijk.analyses.profile import STACKING


def stacking_by(prof: pd.DataFrame, groups: pd.Series, categories: tuple[str, ...]) -> pd.DataFrame:
    """Counts of each stacking category (columns) per group (rows)."""
    table = pd.crosstab(pd.Categorical(groups, categories=categories), prof["stapeling"], dropna=False)
    table = table.reindex(index=list(categories), columns=list(STACKING), fill_value=0).astype(int)
    table.index.name, table.columns.name = groups.name, None
    return table


@dataclass(frozen=True)
class ChiSquare:
    statistic: float
    dof: int
    p: float
    cramers_v: float


def association_test(counts: pd.DataFrame) -> ChiSquare | None:
    """Pearson's chi-square test of independence and Cramér's V, on the rows and columns that
    hold children; ``None`` when fewer than two of either remain."""
    from scipy.stats import chi2_contingency  # heavy: only where the test is shown

    table = counts.loc[counts.sum(axis=1) > 0, counts.sum(axis=0) > 0]
    if min(table.shape) < 2:
        return None
    result = chi2_contingency(table.to_numpy())
    n = table.to_numpy().sum()
    v = np.sqrt(result.statistic / (n * (min(table.shape) - 1)))
    return ChiSquare(float(result.statistic), int(result.dof), float(result.pvalue), float(v))
