"""The two classifications of a child's origin that the contract allows, one per edition.

CBS classified people by *migratieachtergrond* (Nederlands, westers, niet-westers) until 2022
and by *herkomst* (Nederland, Europa zonder Nederland, buiten Europa) from then on. The groups
differ (Turkey, Indonesia and Japan changed sides), so an edition names the classification it
uses and editions with different classifications are never compared group by group.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from kansrijk import labels


@dataclass(frozen=True)
class Classification:
    """One classification: its column, categories and the words the book uses for it."""

    column: str
    categories: tuple[str, ...]
    labels: dict[str, str]
    reference: str  # the group others are compared with
    contrast: str  # the group the text contrasts with it
    name: str  # the classification's name in a sentence
    contrast_phrase: str
    reference_phrase: str
    description: str  # for the methods chapter: whose classification, which years

    @property
    def rates_key(self) -> str:
        return f"kinderen.extra_aandacht_naar_{self.column}"

    @property
    def shares_key(self) -> str:
        return f"kinderen.{self.column}_aandeel"

    def in_sentence(self, category: str) -> str:
        """A category as it reads inside a sentence: 'niet-westers', 'Nederlands', 'buiten Europa'."""
        return labels.in_sentence(self.labels.get(category, category.capitalize()))


MIGRATIEACHTERGROND = Classification(
    column="migratieachtergrond",
    categories=("nederlands", "westers", "niet-westers", "onbekend"),
    labels=labels.MIGRATION,
    reference="nederlands",
    contrast="niet-westers",
    name="migratieachtergrond",
    contrast_phrase="Kinderen met een niet-westerse migratieachtergrond",
    reference_phrase="kinderen met een Nederlandse achtergrond",
    description="de CBS-indeling naar migratieachtergrond (Nederlands, westers, niet-westers), die CBS tot 2022 "
    "gebruikte",
)
HERKOMST = Classification(
    column="herkomst",
    categories=("nederland", "europa", "buiten_europa", "onbekend"),
    labels=labels.HERKOMST,
    reference="nederland",
    contrast="buiten_europa",
    name="herkomst",
    contrast_phrase="Kinderen met een herkomst buiten Europa",
    reference_phrase="kinderen van Nederlandse herkomst",
    description="de CBS-indeling naar herkomst (Nederland, Europa zonder Nederland, buiten Europa), die CBS "
    "sinds 2022 gebruikt",
)
CLASSIFICATIONS = {c.column: c for c in (MIGRATIEACHTERGROND, HERKOMST)}


def classification_of(columns: Collection[str]) -> Classification:
    """The classification a file's columns carry: herkomst when that column is there, else
    migratieachtergrond (whose absence the schema then reports as a missing column)."""
    return HERKOMST if HERKOMST.column in columns else MIGRATIEACHTERGROND
