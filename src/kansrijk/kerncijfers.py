"""``kerncijfers.json``: an edition's headline figures, machine-readable, disclosure-controlled.

Computed by the same functions as the chapters (:class:`Analysis`), so book and JSON agree.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pandas as pd

from kansrijk.analyses import factors, poverty, profile, rates, stacking
from kansrijk.catalogue import Catalogue, load_catalogue
from kansrijk.disclosure import Thresholds, protect_poverty, protect_rates, protect_row_shares, protect_shares
from kansrijk.params import Edition
from kansrijk.schemas import EDUCATION, MIGRATION
from kansrijk.validation import EditionData


@dataclass
class Analysis:
    """All analyses of one edition, computed once and shared by chapters and key figures."""

    edition: Edition
    data: EditionData

    @cached_property
    def catalogue(self) -> Catalogue:
        return load_catalogue()

    @cached_property
    def thresholds(self) -> Thresholds:
        o = self.edition.params.onthulling
        return Thresholds(min_cel=o.min_cel, min_noemer=o.min_noemer)

    @cached_property
    def matrix(self) -> pd.DataFrame:
        return profile.factor_matrix(self.data.kinderen, self.data.risicofactoren, self.catalogue)

    @cached_property
    def profile(self) -> pd.DataFrame:
        return profile.profile(self.data.kinderen, self.matrix, self.catalogue)

    @cached_property
    def balance(self) -> pd.DataFrame:
        return profile.balance_table(self.profile)

    @cached_property
    def prevalence(self) -> pd.DataFrame:
        return factors.prevalence(self.matrix, self.catalogue)

    @cached_property
    def by_education(self) -> pd.DataFrame:
        return rates.rate_table(self.data.kinderen, "opleiding_ouders", "extra_aandacht", EDUCATION)

    @cached_property
    def by_migration(self) -> pd.DataFrame:
        return rates.rate_table(self.data.kinderen, "migratieachtergrond", "extra_aandacht", MIGRATION)

    @cached_property
    def education_of_attention(self) -> pd.DataFrame:
        return rates.composition(self.data.kinderen, "opleiding_ouders", "extra_aandacht", EDUCATION)

    @cached_property
    def stacking_counts(self) -> pd.DataFrame:
        groups = self.data.kinderen["opleiding_ouders"].astype(str).rename("opleiding_ouders")
        return stacking.stacking_by(self.profile, groups, EDUCATION)

    @cached_property
    def poverty(self) -> pd.DataFrame:
        return poverty.poverty_table(self.data.armoede, self.data.wijken)

    @cached_property
    def poverty_total(self) -> dict[str, float]:
        return poverty.municipality(self.data.armoede)


def _pct(value: float | None) -> float | None:
    """A percentage as a plain JSON number with one decimal; a suppressed one (NaN) is ``None``."""
    return None if value is None or math.isnan(value) else round(float(value), 1)


def _count(value: float | None) -> int | None:
    """A count as a plain JSON integer; a suppressed one (NaN) is ``None``."""
    return None if value is None or math.isnan(value) else int(value)


def _rates(table: pd.DataFrame, t: Thresholds) -> dict[str, dict]:
    safe = protect_rates(table, t)
    return {
        str(category): {
            "n": _count(row["n"]),
            "noemer": _count(row["noemer"]),
            "pct": _pct(row["pct"]),
            "ci_laag": _pct(row["ci_laag"]),
            "ci_hoog": _pct(row["ci_hoog"]),
        }
        for category, row in safe.iterrows()
    }


def _shares(table: pd.DataFrame, t: Thresholds, total: int | None = None) -> dict[str, float | None]:
    return {str(c): _pct(v) for c, v in protect_shares(table, t, total)["pct"].items()}


def compute(analysis: Analysis) -> dict:
    """Every key of the contract's ``kerncijfers.json``, disclosure-controlled."""
    a, t = analysis, analysis.thresholds
    p = a.edition.params
    kinderen = a.data.kinderen
    n_children = len(kinderen)
    attention = protect_shares(
        pd.DataFrame({"n": [int(kinderen["extra_aandacht"].sum())], "pct": [100 * kinderen["extra_aandacht"].mean()]}),
        t,
        n_children,
        secondary=False,
    ).iloc[0]
    top = protect_shares(a.prevalence.head(10), t, n_children, secondary=False)
    stack = protect_row_shares(a.stacking_counts, t)
    total = a.poverty_total
    municipal = protect_shares(
        pd.DataFrame({"n": [total["tot_125_wsm"], total["tot_105_wsm"]], "pct": [total["pct_125"], total["pct_105"]]}),
        t,
        int(total["kinderen_0_5"]),
        secondary=False,
    )["pct"]
    districts = protect_poverty(a.poverty, t)
    return {
        "editie": a.edition.slug,
        "gemeente": p.gemeente,
        "gemeentecode": p.gemeentecode,
        "jaar": p.jaar,
        "synthetisch": p.synthetisch,
        "onthulling": {"min_cel": t.min_cel, "min_noemer": t.min_noemer},
        "kinderen": {
            "n": None if t.count_unsafe(n_children) else n_children,
            "extra_aandacht": {"n": _count(attention["n"]), "pct": _pct(attention["pct"])},
            "balans": _shares(a.balance, t, n_children),
            "extra_aandacht_naar_opleiding": _rates(a.by_education, t),
            "opleiding_onder_extra_aandacht": _shares(a.education_of_attention, t),
            "extra_aandacht_naar_migratieachtergrond": _rates(a.by_migration, t),
            "top_risicofactoren": [
                {"code": code, "n": _count(row.n), "pct": _pct(row.pct)}
                for code, row in top.iterrows()
                if a.prevalence.at[code, "n"] > 0
            ],
            "stapeling_naar_opleiding": {
                str(edu): {str(cat): _pct(v) for cat, v in row.items()} for edu, row in stack.iterrows()
            },
        },
        "armoede": {
            "kinderen_0_5": None if t.count_unsafe(total["kinderen_0_5"]) else int(total["kinderen_0_5"]),
            "pct_125": _pct(municipal.iloc[0]),
            "pct_105": _pct(municipal.iloc[1]),
            "wijken": {
                str(code): {
                    "naam": row.wijk_naam,
                    "kinderen_0_5": _count(row.kinderen_0_5),
                    "pct_125": _pct(row.pct_125),
                    "pct_105": _pct(row.pct_105),
                }
                for code, row in districts.iterrows()
            },
        },
    }


def write(figures: dict, path: Path) -> None:
    path.write_text(json.dumps(figures, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
