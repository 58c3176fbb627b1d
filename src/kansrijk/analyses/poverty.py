"""Child poverty per district: shares at or below 125% and 105% of the social minimum."""

from __future__ import annotations

import pandas as pd

from kansrijk.analyses.rates import wilson


def poverty_table(armoede: pd.DataFrame, wijken: pd.DataFrame) -> pd.DataFrame:
    """Per district (by name): children 0-5, counts and % at or below 125% and 105% of WSM."""
    table = armoede.merge(wijken, on="wijk_code", how="left").set_index("wijk_code")
    table = table[["wijk_naam", "kinderen_0_5", "tot_125_wsm", "tot_105_wsm"]].copy()
    for line in ("125", "105"):
        n, base = table[f"tot_{line}_wsm"], table["kinderen_0_5"]
        table[f"pct_{line}"] = 100 * n / base.where(base > 0)
        table[f"ci_{line}_laag"], table[f"ci_{line}_hoog"] = wilson(n.to_numpy(), base.to_numpy())
    return table
