"""Each child's risk-factor profile: which factors, how many, in how many domains, which balance
category and which kind of stacking."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kansrijk.catalogue import Catalogue

BALANCE = ("geen_risicofactoren", "risico_niet_gevolgd", "gevolgd_in_balans", "uit_balans")
STACKING = ("geen", "een_factor", "binnen_een_domein", "meerdere_domeinen")


def factor_matrix(kinderen: pd.DataFrame, risicofactoren: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
    """Children (rows, in the order of ``kinderen``) by catalogue factor (columns): present or not.
    (Placed by position: a cross-tabulation by pandas took ten times as long.)"""
    children = pd.Index(kinderen["kind_id"])  # unique: validated
    codes = pd.Index(catalogue.codes, name="risicofactor")
    rows = children.get_indexer(risicofactoren["kind_id"])
    columns = codes.get_indexer(risicofactoren["risicofactor"])
    known = (rows >= 0) & (columns >= 0)
    present = np.zeros((len(children), len(codes)), dtype=bool)
    present[rows[known], columns[known]] = True
    return pd.DataFrame(present, index=children, columns=codes)


def profile(kinderen: pd.DataFrame, matrix: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
    """Per child: number of factors and domains, balance category and stacking category."""
    domains = matrix.T.groupby(catalogue.domain_of()).any().T
    n_factors = matrix.sum(axis=1).to_numpy()
    n_domains = domains.sum(axis=1).to_numpy()
    attention = kinderen["extra_aandacht"].to_numpy()
    out_of_balance = kinderen["uit_balans"].to_numpy()
    balance = np.select(
        [out_of_balance, attention, n_factors > 0],
        ["uit_balans", "gevolgd_in_balans", "risico_niet_gevolgd"],
        "geen_risicofactoren",
    )
    stacking = np.select(
        [n_factors == 0, n_factors == 1, n_domains == 1],
        ["geen", "een_factor", "binnen_een_domein"],
        "meerdere_domeinen",
    )
    return pd.DataFrame(
        {
            "kind_id": kinderen["kind_id"].to_numpy(),
            "aantal_factoren": n_factors,
            "aantal_domeinen": n_domains,
            "balans": pd.Categorical(balance, categories=BALANCE),
            "stapeling": pd.Categorical(stacking, categories=STACKING),
        }
    )


def balance_table(prof: pd.DataFrame) -> pd.DataFrame:
    counts = prof["balans"].value_counts().reindex(BALANCE, fill_value=0).astype(int)
    return pd.DataFrame({"n": counts, "pct": 100 * counts / counts.sum()})


LEVELS = ("zelfredzaam", "potentieel_kwetsbaar", "kwetsbaar", "zeer_kwetsbaar")


def child_levels(kinderen: pd.DataFrame, matrix: pd.DataFrame, catalogue: Catalogue) -> np.ndarray:
    """Each child's level of vulnerability (see :func:`levels`), as the index into :data:`LEVELS`."""
    urgency = catalogue.factors["urgent"].reindex(matrix.columns)
    urgent = matrix.loc[:, (urgency == "ja").to_numpy()].any(axis=1).to_numpy()
    out = kinderen["uit_balans"].to_numpy()
    any_factor = matrix.any(axis=1).to_numpy()
    return np.select([out & urgent, out, any_factor], [3, 2, 1], 0)


def family_levels(levels: np.ndarray, families: pd.Series) -> dict[str, int]:
    """Families per level: a family is at the highest level of any of its children."""
    highest = pd.Series(levels).groupby(families.to_numpy()).max()
    counts = highest.value_counts()
    return {level: int(counts.get(i, 0)) for i, level in enumerate(LEVELS)}


def levels(kinderen: pd.DataFrame, matrix: pd.DataFrame, catalogue: Catalogue) -> dict[str, int]:
    """Children per level of vulnerability as defined in appendix 1 of the corona study: self-reliant
    (no risk factor, no extra attention); potentially vulnerable (a factor or extra attention, family
    in balance); vulnerable (out of balance, no urgent factor); very vulnerable (out of balance with a
    factor marked urgent 'ja'); and its upper bound, counting factors marked 'deels' as urgent too."""
    urgency = catalogue.factors["urgent"].reindex(matrix.columns)
    urgent = matrix.loc[:, (urgency == "ja").to_numpy()].any(axis=1).to_numpy()
    partly = matrix.loc[:, urgency.isin(["ja", "deels"]).to_numpy()].any(axis=1).to_numpy()
    out = kinderen["uit_balans"].to_numpy()
    any_factor = matrix.any(axis=1).to_numpy()
    return {
        "zelfredzaam": int((~any_factor).sum()),
        "potentieel_kwetsbaar": int((any_factor & ~out).sum()),
        "kwetsbaar": int((out & ~urgent).sum()),
        "zeer_kwetsbaar": int((out & urgent).sum()),
        "zeer_kwetsbaar_bovengrens": int((out & partly).sum()),
    }
