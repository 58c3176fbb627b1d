"""How common each risk factor is, and which factors go together."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from kansrijk.catalogue import Catalogue


def prevalence(matrix: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
    """Per factor: children with it (n) and % of all children, most common first."""
    n = matrix.sum().astype(int)
    table = pd.DataFrame(
        {
            "omschrijving": [catalogue.label(c) for c in n.index],
            "domein": [catalogue.domain_label(catalogue.domain_of()[c]) for c in n.index],
            "n": n.to_numpy(),
            "pct": 100 * n.to_numpy() / len(matrix),
        },
        index=n.index,
    )
    table.index.name = "code"
    return table.sort_values(["n", "omschrijving"], ascending=[False, True], kind="stable")


def associations(matrix: pd.DataFrame, codes: list[str]) -> pd.DataFrame:
    """Every pair of ``codes``: children with both, the phi coefficient and the log odds ratio
    with its 95% interval. Zero cells get the Haldane-Anscombe correction (+0.5 in every cell),
    so rare pairs have a finite, appropriately wide estimate."""
    x = matrix[codes].to_numpy(dtype=bool)
    rows = []
    for i, j in itertools.combinations(range(len(codes)), 2):
        a, b = x[:, i], x[:, j]
        n11, n10, n01, n00 = (a & b).sum(), (a & ~b).sum(), (~a & b).sum(), (~a & ~b).sum()
        denominator = np.sqrt(float((n11 + n10) * (n01 + n00) * (n11 + n01) * (n10 + n00)))
        phi = (n11 * n00 - n10 * n01) / denominator if denominator else np.nan
        cells = np.array([n11, n10, n01, n00], dtype=float)
        if (cells == 0).any():
            cells += 0.5
        log_or = np.log(cells[0] * cells[3] / (cells[1] * cells[2]))
        se = np.sqrt((1 / cells).sum())
        rows.append(
            {
                "a": codes[i],
                "b": codes[j],
                "n_samen": int(n11),
                "phi": float(phi),
                "log_or": float(log_or),
                "log_or_laag": float(log_or - 1.96 * se),
                "log_or_hoog": float(log_or + 1.96 * se),
            }
        )
    return pd.DataFrame(rows)


def followed_per_factor(matrix: pd.DataFrame, followed: pd.Series) -> pd.DataFrame:
    """Per factor: children with it (noemer), of them followed with extra attention (n), and that share."""
    from kansrijk.analyses.rates import wilson

    flags = followed.to_numpy(dtype=bool)
    noemer = matrix.sum().astype(int)
    n = matrix[flags].sum().astype(int)
    table = pd.DataFrame({"n": n, "noemer": noemer})
    table["pct"] = 100 * table["n"] / table["noemer"].where(table["noemer"] > 0)
    table["ci_laag"], table["ci_hoog"] = wilson(table["n"].to_numpy(), table["noemer"].to_numpy())
    table.index.name = "code"
    return table
