"""Text from outside the project (names in input files and parameters): the rules it must meet.

Such text is data, never markup: it reaches a page only escaped (see :mod:`kansrijk.myst`).
Before that, it must be a name a reader can see: no control characters or line breaks (they
would end a table row or a directive), no characters that reorder text on screen, and a sane
length. Everything else, ``{{ }}``, ``<``, ``&``, a backtick or a leading ``=`` included, is
allowed and shown exactly as written.
"""

from __future__ import annotations

import re
import unicodedata

MAX_NAME = 100

# Bidirectional overrides and isolates can make a name read differently from what it is.
_BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
MAX_SLUG = 64


def name_problem(value: str, max_length: int = MAX_NAME) -> str | None:
    """Why ``value`` cannot be printed as a name, or ``None`` when it can."""
    if not value.strip():
        return "mag niet leeg zijn"
    if len(value) > max_length:
        return f"is te lang (meer dan {max_length} tekens)"
    for char in value:
        category = unicodedata.category(char)
        if category in ("Cc", "Zl", "Zp") or char in _BIDI:
            return f"bevat een niet-afdrukbaar teken ({unicodedata.name(char, f'U+{ord(char):04X}')})"
    return None


def slug_problem(slug: str) -> str | None:
    """Why ``slug`` cannot name an edition (a folder of the book), or ``None`` when it can."""
    if not _SLUG.fullmatch(slug) or len(slug) > MAX_SLUG:
        return (
            "een editienaam bestaat uit kleine letters, cijfers en streepjes en begint met een letter of cijfer "
            f"(hoogstens {MAX_SLUG} tekens), bijvoorbeeld utrecht-2019"
        )
    return None


def shown(value: object, limit: int = 40) -> str:
    """A value as the analyst's terminal shows it in a report: exactly as written, but with
    control characters made visible and long values shortened."""
    text = str(value)
    if text in ("", "nan", "<NA>", "None"):
        return "(leeg)"
    text = "".join(
        repr(char)[1:-1] if unicodedata.category(char) in ("Cc", "Zl", "Zp") or char in _BIDI else char for char in text
    )
    return text if len(text) <= limit else text[: limit - 3] + "..."
