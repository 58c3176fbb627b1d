"""MyST Markdown that carries text from outside as text, never as markup.

:class:`Myst` marks markup written in this package (trusted); anything else that is put into
it goes through :func:`escape`, which backslash-escapes every ASCII punctuation character, as
CommonMark allows. A name like ``{{ 6*7 }}``, ``<img onerror=…>``, ``{eval-rst}``, a backtick or
a pipe then reads as those very characters: no role, directive, substitution, HTML or table
cell can start inside it. (The book also has MyST's substitution extension switched off, so
``{{ }}`` is never rendered by Jinja, escaped or not.)
"""

from __future__ import annotations

import re
import string

_PUNCTUATION = re.compile("([" + re.escape(string.punctuation) + "])")
_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029\x0b\x0c\x85]+")


class Myst(str):
    """Trusted MyST markup (a ``str`` that :func:`render` does not escape)."""

    __slots__ = ()


def escape(text: object) -> Myst:
    """``text`` as literal MyST inline text. Line breaks become spaces: a value never starts a
    new block (names with line breaks are refused by validation before they get here)."""
    if isinstance(text, Myst):
        return text
    flat = _LINE_BREAKS.sub(" ", str(text))
    return Myst(_PUNCTUATION.sub(r"\\\1", flat))


def render(template: str, *args: object, **kwargs: object) -> Myst:
    """Fill a trusted ``str.format`` template; every value that is not :class:`Myst` is escaped."""
    return Myst(template.format(*(escape(a) for a in args), **{k: escape(v) for k, v in kwargs.items()}))


def join(parts: list[object], separator: str = "") -> Myst:
    return Myst(separator.join(escape(p) for p in parts))


def bullets(items: list[object]) -> Myst:
    """A bulleted list, each item escaped."""
    return Myst("\n".join(f"- {escape(item)}" for item in items))


def table(header: list[object], rows: list[list[object]], numeric: list[bool]) -> Myst:
    """A MyST table: every cell escaped, figures right-aligned, text left-aligned."""
    align = "|" + "|".join("---:" if is_number else ":---" for is_number in numeric) + "|"
    lines = ["| " + " | ".join(escape(c) for c in header) + " |", align]
    lines += ["| " + " | ".join(escape(c) for c in row) + " |" for row in rows]
    return Myst("\n".join(lines))
