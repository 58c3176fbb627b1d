"""The ledger of published numbers (``cijfers.json``) and the audit that gates publishing.

Every chapter records each number it shows, with where it stands (page, text, table, figure
or CSV, the place, and the notebook cell that made it); the driver adds ``kerncijfers.json``
and the landing page. Before anything is published, :func:`audit` checks that

1. every recorded number is a published value of the edition's :class:`Publication`, shown
   as it was published (a chapter cannot print a number from anywhere else); and
2. no suppressed value can be recovered, to within ``min_cel``, from the recorded numbers: a
   percentage counts as revealing its count and its group exactly, a count as itself. The
   range of every suppressed value is computed exactly (:mod:`kansrijk.disclosure.audit`).
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path

from kansrijk.disclosure.audit import Fact
from kansrijk.publication import Publication
from kansrijk.show import Entry, whole_points

LEDGER_FOLDER = "cijfers"


def append(folder: Path, page: str, entries: list[Entry]) -> None:
    """Add entries to a chapter's ledger file, one JSON line each (appended, not rewritten: a
    chapter records a few hundred times)."""
    folder.mkdir(exist_ok=True)
    with (folder / f"{page}.jsonl").open("a", encoding="utf-8") as file:
        file.writelines(json.dumps(asdict(e), ensure_ascii=False) + "\n" for e in entries)


def collect(folder: Path) -> list[Entry]:
    """Every entry the chapters recorded."""
    entries: list[Entry] = []
    for path in sorted(folder.glob("*.jsonl")) if folder.is_dir() else []:
        with path.open(encoding="utf-8") as file:
            entries += [Entry(**json.loads(line)) for line in file]
    return entries


def write(entries: list[Entry], path: Path) -> None:
    """``cijfers.json``: every published number, sorted by page and place (the same inputs give the same file)."""
    rows = sorted((asdict(e) for e in entries), key=lambda e: (e["page"], e["kind"], e["place"], e["key"], e["field"]))
    path.write_text(json.dumps(rows, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


@dataclass(frozen=True)
class Finding:
    """Why the audit refuses to publish."""

    message: str


def _published_value(publication: Publication, entry: Entry) -> float | None:
    """The published value an entry claims to show, or ``None`` when there is no such value."""
    if entry.key in publication.rates:
        rate = publication.rates[entry.key]
        if entry.field == "een_op_de":
            return round(100 / rate.pct) if rate.pct else None
        return rate.get(entry.field) if entry.field in ("n", "noemer", "pct", "ci_laag", "ci_hoog") else None
    if entry.key in publication.counts:
        return publication.counts[entry.key].value if entry.field == "waarde" else None
    if (previous := publication.previous_rates().get(entry.key)) is not None:  # shown beside this edition's
        return previous.get(entry.field) if entry.field in ("n", "noemer", "pct", "ci_laag", "ci_hoog") else None
    if entry.field == "verschil" and " - " in entry.key:
        a, b = (publication.rates.get(k) for k in entry.key.split(" - "))
        if a is None or b is None or a.pct is None or b.pct is None:
            return None
        return abs(whole_points(a.pct) - whole_points(b.pct))  # between the percentages as shown
    estimate = publication.estimates().get(entry.key)
    if estimate is None:
        return None
    fields = {
        "waarde": estimate.value,
        "laag": estimate.low,
        "hoog": estimate.high,
        "p": estimate.p,
        "p_onder": estimate.p,
    }
    return fields.get(entry.field)


def _matches(shown: float, value: float, decimals: int, name: str) -> bool:
    if name == "p_onder":  # shown as '< 0,001'
        return value < shown
    return math.isclose(round(value, decimals), shown, abs_tol=10 ** -(decimals + 3))


def audit(publication: Publication, entries: list[Entry]) -> list[Finding]:
    """Everything that stops publication: numbers not from the publication, and suppressed values
    that the published numbers pin to within ``min_cel``."""
    findings: list[Finding] = []
    for e in entries:
        value = _published_value(publication, e)
        if value is None or not _matches(e.value, value, e.decimals, e.field):
            findings.append(
                Finding(f"{e.page} ({e.kind}, {e.place}): {e.key}.{e.field} = {e.value} is geen gepubliceerde waarde")
            )
    if findings:
        return findings
    model = publication.model
    known = _known_quantities(publication, entries)
    for universe, m in model.models.items():
        facts = [
            Fact(key, m.forms[key], value, value) for key, value in known.items() if model.universe_of[key] == universe
        ]
        for key in model.suppressed:
            if model.universe_of[key] != universe:
                continue
            if m.system.narrower_than(facts, m.forms[key], model.min_cel):
                result = m.system.range(facts, m.forms[key], explain=True)
                pinned = result.pinned_by
                where = _places(publication, entries, pinned)
                findings.append(
                    Finding(
                        f"{key} is onderdrukt maar ligt vast tussen {result.low + 0:g} en {result.high + 0:g} "
                        f"door {', '.join(pinned) or 'de gepubliceerde getallen'}{where}"
                    )
                )
    return findings


def _known_quantities(publication: Publication, entries: list[Entry]) -> dict[str, int]:
    """The counts the recorded numbers reveal: a percentage reveals its count and its group."""
    model = publication.model
    known: dict[str, int] = {}
    for e in entries:
        for key in e.key.split(" - "):  # a difference reveals both terms
            if key in publication.rates and (rate := publication.rates[key]).n is not None:
                n_key, d_key = model.rates[key]
                known[n_key], known[d_key] = rate.n, rate.noemer
            elif key in publication.counts and (value := publication.counts[key].value) is not None:
                known[key] = value
    return known


def _places(publication: Publication, entries: list[Entry], keys: tuple[str, ...]) -> str:
    """Where the pinning numbers stand (the first few): the counts themselves, or the
    percentages whose count or group they are."""
    wanted = set(keys) | {rate for rate, operands in publication.model.rates.items() if set(operands) & set(keys)}
    places = [f"{e.page}: {e.place}" for e in entries if e.key in wanted]
    unique = list(dict.fromkeys(places))[:5]
    return f" (gepubliceerd in {'; '.join(unique)})" if unique else ""
