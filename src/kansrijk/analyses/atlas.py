"""The vulnerability atlas: each district's score against the municipal mean."""

from __future__ import annotations

import numpy as np
import pandas as pd

# A district differs from the municipal mean when its score lies more than this many points
# above or below it: half a point, about a ninth of the range of district scores in the
# Netherlands (12.1 to 16.5). The atlas does not publish its margin; this is the project's
# convention, stated in the methods chapter.
MARGIN = 0.5
CLASSES = ("hoger", "vergelijkbaar", "lager")


def classify(atlas: pd.DataFrame, wijken: pd.DataFrame, margin: float = MARGIN) -> tuple[pd.DataFrame, float]:
    """Districts with score, difference from the municipal mean and class; and that mean
    (the unweighted mean of the district scores, as the atlas's municipal maps state it)."""
    table = atlas.merge(wijken, on="wijk_code", how="left").set_index("wijk_code")
    mean = float(table["kwetsbaarheidsscore"].mean())
    diff = table["kwetsbaarheidsscore"] - mean
    table["verschil"] = diff
    table["klasse"] = pd.Categorical(
        np.select([diff > margin, diff < -margin], ["hoger", "lager"], "vergelijkbaar"), categories=CLASSES
    )
    return table[["wijk_naam", "kwetsbaarheidsscore", "verschil", "klasse", "pct_15_45"]], mean
