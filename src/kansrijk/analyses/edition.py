"""All raw analyses of one edition, computed once. Only the disclosure step reads these."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import pandas as pd

from kansrijk.analyses import factors, poverty, profile, rates, stacking
from kansrijk.catalogue import Catalogue, load_catalogue
from kansrijk.schemas import EDUCATION
from kansrijk.validation import EditionData

EDUCATION_FACTOR = "lage_opleiding"  # a risk factor that is also the grouping variable


@dataclass
class Analysis:
    """The analyses of one edition's validated inputs."""

    data: EditionData

    @cached_property
    def catalogue(self) -> Catalogue:
        return load_catalogue()

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
    def by_origin(self) -> pd.DataFrame:
        origin = self.data.origin
        return rates.rate_table(self.data.kinderen, origin.column, "extra_aandacht", origin.categories)

    @cached_property
    def levels(self) -> dict[str, int]:
        return profile.levels(self.data.kinderen, self.matrix, self.catalogue)

    @cached_property
    def family_levels(self) -> dict[str, int]:
        """Families per level of vulnerability (empty without gezin_id)."""
        if not self.data.families:
            return {}
        return profile.family_levels(
            profile.child_levels(self.data.kinderen, self.matrix, self.catalogue), self.data.kinderen["gezin_id"]
        )

    @cached_property
    def followed_per_factor(self) -> pd.DataFrame:
        return factors.followed_per_factor(self.matrix, self.data.kinderen["extra_aandacht"])

    @property
    def _education(self) -> pd.Series:
        return self.data.kinderen["opleiding_ouders"].astype(str).rename("opleiding_ouders")

    @cached_property
    def stacking_counts(self) -> pd.DataFrame:
        return stacking.stacking_by(self.profile, self._education, EDUCATION)

    @cached_property
    def stacking_counts_followed(self) -> pd.DataFrame:
        """Stacking within the children followed with extra attention, as the Utrecht chapter speaks of it."""
        followed = self.data.kinderen["extra_aandacht"].to_numpy()
        return stacking.stacking_by(self.profile[followed], self._education[followed], EDUCATION)

    @cached_property
    def stacking_counts_without_education(self) -> pd.DataFrame:
        """Stacking with the risk factor 'low education' left out: it is also the grouping variable."""
        rest = self.matrix.drop(columns=EDUCATION_FACTOR)
        return stacking.stacking_by(
            profile.profile(self.data.kinderen, rest, self.catalogue), self._education, EDUCATION
        )

    @cached_property
    def poverty(self) -> pd.DataFrame:
        return poverty.poverty_table(self.data.armoede, self.data.wijken)
