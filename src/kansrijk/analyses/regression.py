"""Logistic regression of extra attention on education, origin (migration background or herkomst) and age."""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf
from statsmodels.tools.sm_exceptions import ConvergenceWarning, PerfectSeparationWarning

from kansrijk import labels
from kansrijk.origin import CLASSIFICATIONS

VARIABLES = {
    "opleiding_ouders": ("Opleiding ouders", labels.EDUCATION),
    **{c.column: (c.name.capitalize(), c.labels) for c in CLASSIFICATIONS.values()},
}
OTHER = "overig"
_TERM = re.compile(r"^C\((?P<var>\w+), Treatment\('(?P<ref>[^']*)'\)\)\[T\.(?P<level>.*)\]$")


def formula(references: dict[str, str], joined_by: str = " + ") -> str:
    """The model in statsmodels' notation, each category compared with its reference; with
    ``joined_by=" * "`` the categorical variables interact."""
    terms = [f"C({variable}, Treatment('{reference}'))" for variable, reference in references.items()]
    return f"extra_aandacht ~ {joined_by.join(terms)} + leeftijd"


@dataclass(frozen=True)
class LogitResult:
    """The fitted model, its odds ratios and the number of children it used."""

    model: object  # statsmodels BinaryResultsWrapper
    odds_ratios: pd.DataFrame
    n: int
    formula: str
    groups: np.ndarray | None = None  # the family of each child: variances are cluster-robust


def fit_logit(frame: pd.DataFrame, references: dict[str, str], groups: np.ndarray | None = None) -> LogitResult | None:
    """Fit :func:`formula` by maximum likelihood; ``None`` when the data cannot support it (no
    variation in the outcome, a missing reference group, or perfect separation). With ``groups``
    (a family per row) the variances are cluster-robust: siblings are not independent."""
    data = _model_data(frame, references)
    for variable, reference in references.items():
        if reference not in set(data[variable]) or data[variable].nunique() < 2:
            return None
    if data["extra_aandacht"].nunique() < 2:
        return None
    model_formula = formula(references)
    model = _fit(model_formula, data, maxiter=100, groups=groups)
    if model is None or not np.isfinite(model.bse).all():
        return None
    return LogitResult(model, odds_ratio_table(model), int(model.nobs), model_formula, groups)


def _model_data(frame: pd.DataFrame, references: dict[str, str]) -> pd.DataFrame:
    """The columns a model uses: the outcome as 0/1, the categories as the text categories present,
    in sorted order (the levels patsy makes of text, found from the codes: of text patsy checks every
    cell for missing values in Python, a third of a fit)."""
    data = frame[["extra_aandacht", *references, "leeftijd"]].copy()
    data["extra_aandacht"] = data["extra_aandacht"].astype(int)
    for variable in references:
        text = data[variable].astype(str)
        data[variable] = pd.Categorical(text, categories=sorted(text.unique()))
    return data


def _fit(model_formula: str, data: pd.DataFrame, maxiter: int, groups: np.ndarray | None = None):
    """A logit fitted by maximum likelihood (cluster-robust by ``groups`` when given), or ``None``
    under perfect separation, a singular matrix or no convergence."""
    robust = {} if groups is None else {"cov_type": "cluster", "cov_kwds": {"groups": groups}}
    with warnings.catch_warnings():
        warnings.simplefilter("error", PerfectSeparationWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)  # checked below
        try:
            model = smf.logit(model_formula, data=data).fit(disp=False, maxiter=maxiter, **robust)
        except (PerfectSeparationWarning, np.linalg.LinAlgError, ValueError):
            return None
    return model if model.mle_retvals.get("converged", False) else None


def term_label(term: str) -> str:
    """A model term in Dutch: 'Opleiding ouders: laag (t.o.v. hoog)'."""
    if term == "leeftijd":
        return "Leeftijd (per jaar)"
    match = _TERM.match(term)
    if match is None:
        return term
    name, level_labels = VARIABLES[match["var"]]
    level = level_labels.get(match["level"], match["level"].capitalize())
    reference = level_labels.get(match["ref"], match["ref"].capitalize())
    return f"{name}: {labels.in_sentence(level)} (t.o.v. {labels.in_sentence(reference)})"


def category_label(variable: str, level: str) -> str:
    """A category as it reads inside a label: 'laag', 'Nederlands', 'overig'."""
    return labels.in_sentence(VARIABLES[variable][1].get(level, level.capitalize()))


def odds_ratio_table(model) -> pd.DataFrame:
    """Adjusted odds ratios with 95% intervals and p-values, labelled in Dutch."""
    params, ci = model.params.drop("Intercept"), model.conf_int().drop("Intercept")
    return pd.DataFrame(
        {
            "term": [term_label(t) for t in params.index],
            "odds_ratio": np.exp(params.to_numpy()),
            "ci_laag": np.exp(ci[0].to_numpy()),
            "ci_hoog": np.exp(ci[1].to_numpy()),
            "p": model.pvalues.drop("Intercept").to_numpy(),
        },
        index=params.index,
    )


def adjusted_proportions(fit: LogitResult, frame: pd.DataFrame, references: dict[str, str]) -> pd.DataFrame:
    """Per category of each variable: the share with extra attention if every child had that
    category and kept its other characteristics (marginal standardisation), in %, and its ratio
    to the reference category. Unlike an odds ratio, that ratio reads as 'times as often'.

    The children are those the model was fitted on (``frame``, as given to :func:`fit_logit`):
    each category's share comes from the model's own design matrix with that variable's columns
    set to the category, not from a new matrix built from the formula for every category (which
    took most of the regression's time)."""
    model = fit.model.model
    exog, names = model.exog, model.exog_names
    params = fit.model.params.to_numpy()
    rows = []
    for variable, reference in references.items():
        columns = {m["level"]: i for i, name in enumerate(names) if (m := _TERM.match(name)) and m["var"] == variable}
        indicators = list(columns.values())
        shares = {}
        for level in sorted(set(frame[variable].astype(str))):
            design = exog.copy()
            design[:, indicators] = 0.0
            if level != reference:
                design[:, columns[level]] = 1.0
            shares[level] = 100 * float(model.cdf(design @ params).mean())
        for level, share in shares.items():
            rows.append({"variabele": variable, "categorie": level, "pct": share, "ratio": share / shares[reference]})
    return pd.DataFrame(rows)


def interaction_test(
    main: LogitResult, frame: pd.DataFrame, references: dict[str, str]
) -> tuple[float, int, float] | None:
    """Likelihood-ratio test of education × origin against the fitted model without it (``main``,
    on the same ``frame``): (statistic, degrees of freedom, p); with families, a Wald test of the
    interaction terms with cluster-robust variance instead (the likelihood ratio assumes
    independent children). ``None`` when the model with the interaction cannot be fitted."""
    from scipy.stats import chi2

    if len(references) < 2:
        return None
    full = _fit(formula(references, joined_by=" * "), _model_data(frame, references), maxiter=200, groups=main.groups)
    if full is None:
        return None
    dof = int(full.df_model - main.model.df_model)
    if main.groups is not None:
        terms = np.array([":" in name for name in full.params.index], dtype=float)
        restriction = np.diag(terms)[terms > 0]
        test = full.wald_test(restriction, scalar=True)
        return float(test.statistic), dof, float(test.pvalue)
    statistic = max(0.0, 2 * float(full.llf - main.model.llf))
    return statistic, dof, float(chi2.sf(statistic, dof))


def summary_text(fit: LogitResult) -> str:
    """statsmodels' full summary for the reviewer, without the date and time it was made (the same
    inputs give the same notebook)."""
    summary = fit.model.summary()
    for row in summary.tables[0]:
        for i, cell in enumerate(row):
            if str(cell.data).strip() in ("Date:", "Time:"):
                row[i].data = row[i + 1].data = ""
    return str(summary)
