"""Logistic regression of extra attention on education, migration background and age."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf
from statsmodels.tools.sm_exceptions import PerfectSeparationWarning

FORMULA = (
    "extra_aandacht ~ C(opleiding_ouders, Treatment('hoog'))"
    " + C(migratieachtergrond, Treatment('nederlands')) + leeftijd"
)
LABELS = {
    "C(opleiding_ouders, Treatment('hoog'))[T.laag]": "Opleiding ouders: laag (t.o.v. hoog)",
    "C(opleiding_ouders, Treatment('hoog'))[T.midden]": "Opleiding ouders: midden (t.o.v. hoog)",
    "C(opleiding_ouders, Treatment('hoog'))[T.onbekend]": "Opleiding ouders: onbekend (t.o.v. hoog)",
    "C(migratieachtergrond, Treatment('nederlands'))[T.westers]": "Migratieachtergrond: westers (t.o.v. Nederlands)",
    "C(migratieachtergrond, Treatment('nederlands'))[T.niet-westers]": (
        "Migratieachtergrond: niet-westers (t.o.v. Nederlands)"
    ),
    "C(migratieachtergrond, Treatment('nederlands'))[T.onbekend]": "Migratieachtergrond: onbekend (t.o.v. Nederlands)",
    "leeftijd": "Leeftijd (per jaar)",
}


@dataclass(frozen=True)
class LogitResult:
    """The fitted model, its odds ratios and the number of children it used."""

    model: object  # statsmodels BinaryResultsWrapper
    odds_ratios: pd.DataFrame
    n: int


def fit_logit(kinderen: pd.DataFrame) -> LogitResult | None:
    """Fit ``FORMULA`` by maximum likelihood; ``None`` when the data cannot support it (too few
    children, an empty reference group, or perfect separation)."""
    frame = kinderen[["extra_aandacht", "opleiding_ouders", "migratieachtergrond", "leeftijd"]].copy()
    frame["extra_aandacht"] = frame["extra_aandacht"].astype(int)
    for column in ("opleiding_ouders", "migratieachtergrond"):
        frame[column] = frame[column].astype(str)
    if frame["extra_aandacht"].nunique() < 2 or not {"hoog"} <= set(frame.opleiding_ouders):
        return None
    if "nederlands" not in set(frame.migratieachtergrond):
        return None
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error", PerfectSeparationWarning)
        try:
            model = smf.logit(FORMULA, data=frame).fit(disp=False, maxiter=100)
        except (PerfectSeparationWarning, np.linalg.LinAlgError, ValueError):
            return None
    if not model.mle_retvals.get("converged", False):
        return None
    return LogitResult(model, odds_ratio_table(model), int(model.nobs))


def odds_ratio_table(model) -> pd.DataFrame:
    """Adjusted odds ratios with 95% intervals and p-values, labelled in Dutch."""
    params, ci = model.params.drop("Intercept"), model.conf_int().drop("Intercept")
    table = pd.DataFrame(
        {
            "term": [LABELS.get(t, t) for t in params.index],
            "odds_ratio": np.exp(params.to_numpy()),
            "ci_laag": np.exp(ci[0].to_numpy()),
            "ci_hoog": np.exp(ci[1].to_numpy()),
            "p": model.pvalues.drop("Intercept").to_numpy(),
        },
        index=params.index,
    )
    return table
