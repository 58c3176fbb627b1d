"""Dutch labels of the categories the book shows."""

from __future__ import annotations

EDUCATION = {"laag": "Laag", "midden": "Middelbaar", "hoog": "Hoog", "onbekend": "Onbekend"}
MIGRATION = {"nederlands": "Nederlands", "westers": "Westers", "niet-westers": "Niet-westers", "onbekend": "Onbekend"}
HERKOMST = {
    "nederland": "Nederland",
    "europa": "Europa (zonder Nederland)",
    "buiten_europa": "Buiten Europa",
    "onbekend": "Onbekend",
}
PROPER_NOUNS = frozenset({"Nederlands", "Nederland", "Europa"})
BALANCE = {
    "geen_risicofactoren": "Geen risicofactoren",
    "risico_niet_gevolgd": "Risicofactoren, geen extra aandacht",
    "gevolgd_in_balans": "Extra aandacht, gezin in balans",
    "uit_balans": "Extra aandacht, gezin uit balans",
}
STACKING = {
    "geen": "Geen risicofactor",
    "een_factor": "Eén risicofactor",
    "binnen_een_domein": "Meer, binnen één domein",
    "meerdere_domeinen": "Meer, uit meerdere domeinen",
}
FACTOR_COUNT = {"0": "0", "1": "1", "2": "2", "3": "3", "4": "4 of meer"}
LEVELS = {
    "zelfredzaam": "Zelfredzaam",
    "potentieel_kwetsbaar": "Potentieel kwetsbaar",
    "kwetsbaar": "Kwetsbaar",
    "zeer_kwetsbaar": "Zeer kwetsbaar",
    "zeer_kwetsbaar_bovengrens": "Zeer kwetsbaar (bovengrens)",
}


def in_sentence(label: str) -> str:
    """A label as it reads inside a sentence: 'laag', 'niet-westers', 'Nederlands', 'buiten Europa'."""
    return label if label.split()[0] in PROPER_NOUNS else label[0].lower() + label[1:]


COLUMNS = {
    "opleiding_ouders": "Opleiding ouders",
    "migratieachtergrond": "Migratieachtergrond",
    "herkomst": "Herkomst",
}
