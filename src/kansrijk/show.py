"""Published values as Dutch text, each carrying the ledger entries of the numbers it shows.

Chapters, tables, figures and sentences format numbers only through these functions, and
these accept only published values (:mod:`kansrijk.publication`): a suppressed one shows as a
dash and records nothing. The entries say which published value a piece of text shows and
how precisely, so that the ledger (``cijfers.json``) lists every number on every page.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from kansrijk import fmt
from kansrijk.publication import Count, Estimate, Rate, Status

DASH = fmt.DASH
WITHHELD = "niet geleverd door de bron"  # a count the source (CBS) did not deliver: not a suppression


@dataclass(frozen=True)
class Entry:
    """One published number in one place: which value (``key`` and ``field``), as shown."""

    key: str
    field: str
    value: float
    decimals: int
    page: str = ""
    kind: str = ""  # tekst, tabel, figuur, csv, kerncijfers, overzicht
    place: str = ""
    cell: int | None = None

    def at(self, page: str, kind: str, place: str, cell: int | None = None) -> Entry:
        return replace(self, page=page, kind=kind, place=place, cell=cell)


@dataclass(frozen=True)
class Shown:
    """Text for a page and the numbers in it. ``text`` is plain text, never markup."""

    text: str
    entries: tuple[Entry, ...] = field(default=())

    def __str__(self) -> str:
        return self.text

    @property
    def is_number(self) -> bool:
        return bool(self.entries) or self.text in (DASH, WITHHELD)


def _missing(item: Rate | Count) -> Shown:
    """What stands where a value is not published: a dash, or that the source did not deliver it."""
    return Shown(WITHHELD if item.status == Status.WITHHELD else DASH)


def _entry(key: str, name: str, value: float, decimals: int) -> Entry:
    return Entry(key, name, round(float(value), decimals) if decimals else float(round(float(value))), decimals)


def pct(rate: Rate, decimals: int = 0) -> Shown:
    """The percentage of a published rate: '18%'."""
    if rate.pct is None:
        return _missing(rate)
    return Shown(fmt.pct(rate.pct, decimals), (_entry(rate.key, "pct", rate.pct, decimals),))


def number(item: Rate | Count, name: str = "n") -> Shown:
    """A published count: a rate's ``n`` or ``noemer``, or a :class:`Count`: '13.900'."""
    value = item.value if isinstance(item, Count) else item.get(name)
    if value is None:
        return _missing(item)
    return Shown(fmt.getal(value), (_entry(item.key, "waarde" if isinstance(item, Count) else name, value, 0),))


def interval(rate: Rate, decimals: int = 0) -> Shown:
    """A rate's 95% interval: '52,6–59,4%'."""
    if rate.ci_laag is None or rate.ci_hoog is None:
        return _missing(rate)
    return Shown(
        fmt.interval(rate.ci_laag, rate.ci_hoog, decimals),
        (_entry(rate.key, "ci_laag", rate.ci_laag, decimals), _entry(rate.key, "ci_hoog", rate.ci_hoog, decimals)),
    )


def one_in(rate: Rate) -> Shown:
    """'1 op de 9' for a share of 11%."""
    if not rate.pct:
        return Shown(DASH)
    n = round(100 / rate.pct)
    return Shown(f"1 op de {fmt.getal(n)}", (Entry(rate.key, "een_op_de", float(n), 0),))


def estimate(e: Estimate, decimals: int = 2, name: str = "waarde") -> Shown:
    """A model-based figure (odds ratio, phi, chi-square, p)."""
    value = {"waarde": e.value, "laag": e.low, "hoog": e.high, "p": e.p}[name]
    if value is None:
        return Shown(DASH)
    return Shown(fmt.getal(value, decimals), (_entry(e.key, name, value, decimals),))


def estimate_interval(e: Estimate, decimals: int = 2) -> Shown:
    """'0,85–1,20'; 'tot' between the ends when one is negative ('-7,1 tot 1,1', not '-7,1–1,1')."""
    separator = " tot " if (e.low is not None and e.low < 0) or (e.high is not None and e.high < 0) else "–"
    return say("{}" + separator + "{}", estimate(e, decimals, "laag"), estimate(e, decimals, "hoog"))


def p_value(e: Estimate) -> Shown:
    if e.p is None:
        return Shown(DASH)
    if e.p < 0.001:
        return Shown("< 0,001", (Entry(e.key, "p_onder", 0.001, 3),))  # a bound, not a value
    return estimate(e, 3, "p")


def difference(a: Rate, b: Rate) -> Shown:
    """The difference of two published percentages, in whole percentage points, between the
    percentages as shown (35% and 12% differ by 23 points, whatever their decimals)."""
    if a.pct is None or b.pct is None:
        return Shown(DASH)
    value = abs(whole_points(a.pct) - whole_points(b.pct))
    return Shown(fmt.getal(value), (_entry(f"{a.key} - {b.key}", "verschil", value, 0),))


def whole_points(value: float) -> int:
    """A percentage as :func:`kansrijk.fmt.pct` shows it, in whole points."""
    return int(fmt.pct(value).rstrip("%").replace(".", ""))


def say(template: str, *parts: Shown | str) -> Shown:
    """A sentence from a trusted template; ``parts`` are shown values or plain text (names)."""
    entries = tuple(e for p in parts if isinstance(p, Shown) for e in p.entries)
    return Shown(template.format(*(str(p) for p in parts)), entries)


def join(parts: list[Shown | str], separator: str = ", ", last: str | None = None) -> Shown:
    """'A, B en C' (with ``last=' en '``)."""
    texts = [str(p) for p in parts]
    if last and len(texts) > 1:
        texts = [separator.join(texts[:-1]), texts[-1]]
        separator = last
    text = separator.join(texts)
    return Shown(text, tuple(e for p in parts if isinstance(p, Shown) for e in p.entries))
