"""The risk-factor catalogue of the data contract, read from ``data/reference/``."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import pandas as pd

from kansrijk.paths import REFERENCE

DOMAINS = ("sociaal", "ontwikkeling", "gezondheid_gezin", "zwangerschap_bevalling")


@dataclass(frozen=True)
class Catalogue:
    """Risk factors (code, domain, Dutch description, top 10, urgent) and the domains."""

    factors: pd.DataFrame
    domains: pd.DataFrame

    @property
    def codes(self) -> list[str]:
        return self.factors.index.tolist()

    @property
    def top10(self) -> list[str]:
        return self.factors.index[self.factors["top10"]].tolist()

    def domain_of(self) -> pd.Series:
        """Map factor code -> domain."""
        return self.factors["domein"]

    def label(self, code: str) -> str:
        return str(self.factors.at[code, "omschrijving"])

    def short(self, code: str) -> str:
        """A short label, for axes and heatmaps."""
        return str(self.factors.at[code, "kort"])

    def domain_label(self, domain: str) -> str:
        return str(self.domains.at[domain, "naam"])


@cache
def load_catalogue() -> Catalogue:
    factors = pd.read_csv(REFERENCE / "risicofactoren.csv", dtype=str).set_index("code")
    factors["top10"] = factors["top10"].eq("ja")
    domains = pd.read_csv(REFERENCE / "domeinen.csv", dtype=str).set_index("domein")
    unknown = set(factors["domein"]) - set(DOMAINS)
    if unknown or set(domains.index) != set(DOMAINS):
        raise ValueError(f"risk-factor catalogue names unknown domains: {sorted(unknown)}")
    return Catalogue(factors=factors, domains=domains)
