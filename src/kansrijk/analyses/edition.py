"""All raw analyses of one edition, computed once. Only the disclosure step reads these."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import pandas as pd

from kansrijk.analyses import factors, poverty, profile, rates, stacking
from kansrijk.catalogue import Catalogue, load_catalogue
from kansrijk.schemas import EDUCATION, MIGRATION
from kansrijk.validation import EditionData


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
    def by_migration(self) -> pd.DataFrame:
        return rates.rate_table(self.data.kinderen, "migratieachtergrond", "extra_aandacht", MIGRATION)

    @cached_property
    def stacking_counts(self) -> pd.DataFrame:
        groups = self.data.kinderen["opleiding_ouders"].astype(str).rename("opleiding_ouders")
        return stacking.stacking_by(self.profile, groups, EDUCATION)

    @cached_property
    def poverty(self) -> pd.DataFrame:
        return poverty.poverty_table(self.data.armoede, self.data.wijken)
