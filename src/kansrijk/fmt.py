"""Dutch number formats (decimal comma, thousands point), by Babel."""

from __future__ import annotations

import math

from babel.numbers import format_decimal, format_percent

LOCALE = "nl_NL"
DASH = "–"  # a suppressed or missing value in published tables


def getal(value: float | int | None, decimals: int = 0) -> str:
    """13900 -> '13.900'; 14.25 with one decimal -> '14,3'."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return DASH
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale=LOCALE)


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
