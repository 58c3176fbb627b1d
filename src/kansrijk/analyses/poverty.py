"""Child poverty per district: shares at or below 125% and 105% of the social minimum.

The poverty file may come from CBS as CBS delivers it: counts rounded to multiples of five, a
value withheld here and there, and a row for the whole municipality that holds more children
than its districts (children without a known district, and those of withheld figures). The
children of each district fall in three income bands; :func:`split` finds counts per band that
agree with everything delivered, which is what the disclosure model needs to stand on.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

COUNTS = ("kinderen_0_5", "tot_125_wsm", "tot_105_wsm")
BANDS = ("tot_105", "105_125", "boven_125")
IN_BANDS = {"kinderen_0_5": (0, 1, 2), "tot_125_wsm": (0, 1), "tot_105_wsm": (0,)}  # count -> its bands
ROUNDING = 2  # a count rounded to a multiple of five lies at most this far from the true count


def poverty_table(armoede: pd.DataFrame, wijken: pd.DataFrame) -> pd.DataFrame:
    """Per district (by code, with its name): children 0-5 and at or below 125% and 105% of WSM,
    and their shares in % (``NaN`` where a count is withheld or the district has no children)."""
    table = armoede.merge(wijken, on="wijk_code", how="left").set_index("wijk_code")
    table = table[["wijk_naam", *COUNTS]].copy()
    for line in ("125", "105"):
        n, base = table[f"tot_{line}_wsm"].astype("Float64"), table["kinderen_0_5"].astype("Float64")
        table[f"pct_{line}"] = (100 * n / base.where(base > 0)).astype("float64")
    return table


@dataclass(frozen=True)
class Split:
    """Children per district and income band, agreeing with every delivered count.

    ``rest`` are the children of the municipal total outside the districts' delivered figures
    (``None`` without a total row); ``slack`` per delivered total count is what rounding adds
    to it (0 for exact counts)."""

    districts: np.ndarray  # (districts, bands)
    rest: np.ndarray | None  # (bands,)
    slack: dict[str, int]


def split(districts: pd.DataFrame, total: pd.Series | None, rounded: bool) -> Split | None:
    """A split of every district's children over the bands that reproduces each delivered count
    (a withheld one may be anything), and with a total row a non-negative rest; with rounded
    counts the total may differ from the sum by rounding. ``None`` when no split exists."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    k = len(districts)
    totals = [c for c in COUNTS if total is not None and not pd.isna(total[c])]
    n_rest = 3 if total is not None else 0
    n_slack = 2 * len(totals) if rounded else 0
    size = 3 * k + n_rest + n_slack
    rows, values = [], []
    for d, (_, district) in enumerate(districts.iterrows()):
        for count in COUNTS:
            if not pd.isna(district[count]):
                row = np.zeros(size)
                row[[3 * d + b for b in IN_BANDS[count]]] = 1
                rows.append(row)
                values.append(float(district[count]))
    for i, count in enumerate(totals):
        row = np.zeros(size)
        for d in range(k):
            row[[3 * d + b for b in IN_BANDS[count]]] = 1
        row[[3 * k + b for b in IN_BANDS[count]]] = 1
        if rounded:
            row[3 * k + n_rest + 2 * i : 3 * k + n_rest + 2 * i + 2] = (1, -1)
        rows.append(row)
        values.append(float(total[count]))  # type: ignore[index]
    upper = np.full(size, np.inf)
    upper[3 * k + n_rest :] = ROUNDING * (k + 1)
    cost = np.zeros(size)
    cost[3 * k : 3 * k + n_rest] = 1  # the least rest that fits: the delivered figures explain the most
    cost[3 * k + n_rest :] = 10  # rounding only where the rest cannot explain a difference
    constraints = [LinearConstraint(np.array(rows), values, values)] if rows else []
    result = milp(cost, constraints=constraints, integrality=np.ones(size), bounds=Bounds(np.zeros(size), upper))
    if result.x is None:
        return None
    x = np.round(result.x).astype(int)
    rest = x[3 * k : 3 * k + n_rest] if total is not None else None
    start = 3 * k + n_rest
    slack = {c: int(x[start + 2 * i] - x[start + 2 * i + 1]) if rounded else 0 for i, c in enumerate(totals)}
    return Split(x[: 3 * k].reshape(k, 3), rest, slack)
