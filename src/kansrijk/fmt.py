"""Dutch number formats (decimal comma, thousands point), by Babel; small counts in words, by
num2words, as Dutch style writes them in running text."""

from __future__ import annotations

import math

from babel.dates import format_date
from babel.numbers import format_decimal, format_percent
from num2words import num2words

LOCALE = "nl_NL"
DASH = "–"  # a suppressed or missing value in published tables
IN_WORDS = 20  # counts up to twenty are written in words in running text ("zes", not "6")


def getal(value: float | int | None, decimals: int = 0) -> str:
    """13900 -> '13.900'; 14.25 with one decimal -> '14,3'."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return DASH
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    if round(value, decimals) == 0:
        value = 0  # -0.04 shown with one decimal is '0,0', not '-0,0'
    return format_decimal(value, format=pattern, locale=LOCALE)


def telwoord(count: int) -> str:
    """A count in running text: 6 -> 'zes', 14 -> 'veertien', 21 -> '21', 13900 -> '13.900'."""
    return num2words(count, lang="nl") if 0 <= count <= IN_WORDS else getal(count)


def aantal(count: int, singular: str, plural: str) -> str:
    """A count with its noun: 'geen getallen', 'één getal', 'zes getallen', '21 getallen'."""
    if count == 0:
        return f"geen {plural}"
    return f"{telwoord(count)} {singular if count == 1 else plural}"


def pct(value: float | None, decimals: int = 0) -> str:
    """A percentage given on the 0-100 scale: 17.96 -> '18%'."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return DASH
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "") + "%"
    return format_percent(value / 100, format=pattern, locale=LOCALE)


def interval(low: float | None, high: float | None, decimals: int = 0) -> str:
    """A 95% interval on the 0-100 scale: '54-58%' written the Dutch way with an en dash."""
    if low is None or high is None:
        return DASH
    return f"{getal(low, decimals)}–{pct(high, decimals)}"


def datum(value) -> str:
    """A date as Dutch readers write it: '23 november 2026'."""
    return format_date(value, "d MMMM y", locale="nl")


def lower_first(text: str) -> str:
    """A label inside a sentence: 'Chronisch zieke ouder' -> 'chronisch zieke ouder' (proper nouns
    further on, such as 'Nederlands', keep their capital)."""
    return text[:1].lower() + text[1:]


def upper_first(text: str) -> str:
    """The start of a sentence: 'lage opleiding ...' -> 'Lage opleiding ...' (after a quote too)."""
    for i, char in enumerate(text):
        if char.isalpha():
            return text[:i] + char.upper() + text[i + 1 :]
    return text


def enumeration(items: list[str]) -> str:
    """'A', 'A en B', 'A, B en C'."""
    items = [str(i) for i in items]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " en " + items[-1]
