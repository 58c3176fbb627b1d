"""The series landing page ``book/index.html``: a card per edition and the key figures side by
side, built from the editions' ``kerncijfers.json``; plain HTML that works from disk and served."""

from __future__ import annotations

import json
import sys
import unicodedata
from html import escape
from pathlib import Path

from kansrijk import fmt
from kansrijk.colophon import SERIES

# (label, key in kerncijfers.json, format): the comparison table's rows
ROWS = [
    ("Kinderen van 0 tot en met 2 jaar", "kinderen.n", "getal"),
    ("Met extra aandacht gevolgd", "kinderen.extra_aandacht.pct", "pct"),
    ("Geen risicofactoren", "kinderen.balans.geen_risicofactoren", "pct"),
    ("Risicofactoren, geen extra aandacht", "kinderen.balans.risico_niet_gevolgd", "pct"),
    ("Extra aandacht, gezin in balans", "kinderen.balans.gevolgd_in_balans", "pct"),
    ("Extra aandacht, gezin uit balans", "kinderen.balans.uit_balans", "pct"),
    ("Extra aandacht bij laagopgeleide ouders", "kinderen.extra_aandacht_naar_opleiding.laag.pct", "pct"),
    ("Extra aandacht bij middelbaar opgeleide ouders", "kinderen.extra_aandacht_naar_opleiding.midden.pct", "pct"),
    ("Extra aandacht bij hoogopgeleide ouders", "kinderen.extra_aandacht_naar_opleiding.hoog.pct", "pct"),
    ("Aandeel hoogopgeleide ouders onder extra aandacht", "kinderen.opleiding_onder_extra_aandacht.hoog", "pct"),
    ("Kinderen van 0 tot 6 jaar tot 125% WSM", "armoede.pct_125", "pct"),
    ("Kinderen van 0 tot 6 jaar tot 105% WSM", "armoede.pct_105", "pct"),
]
HEADLINES = [
    ("Met extra aandacht", "kinderen.extra_aandacht.pct"),
    ("Gezin uit balans", "kinderen.balans.uit_balans"),
    ("Kinderen 0-5 tot 125% WSM", "armoede.pct_125"),
]
CHANGE = "vergelijking.verschillen.{}.{}"  # a headline's change against the previous edition
# The kerncijfers.json paths the landing page shows (the build records them in each edition's ledger).
LANDING_KEYS = (
    frozenset(key for _, key, _ in ROWS)
    | frozenset(key for _, key in HEADLINES)
    | frozenset(CHANGE.format(key, "verschil") for _, key in HEADLINES)
)


def _get(figures: dict, dotted: str) -> object:
    value: object = figures
    for part in dotted.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def _show(value: object, kind: str) -> str:
    if not isinstance(value, int | float) or isinstance(value, bool):
        return fmt.DASH
    return fmt.getal(value) if kind == "getal" else fmt.pct(value, 1)


STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; color: #1d1d1f;
       background: #f6f7f9; }
header, main { max-width: 1040px; margin: 0 auto; padding: 1rem 1.25rem; }
h1 { font-size: 1.8rem; margin: 1rem 0 0.25rem; overflow-wrap: break-word; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(260px, 1fr)); gap: 1rem; }
.card { background: #fff; border-radius: 10px; padding: 1rem 1.1rem; box-shadow: 0 1px 3px rgba(0,0,0,.12); }
.group { margin: 1.75rem 0 .25rem; font-size: 1.6rem; }
.municipality { margin: 1.25rem 0 .5rem; font-size: 1.35rem; }
.card h4 { font-size: 1.2rem; margin: 0 0 .25rem; }
.filter { display: flex; flex-wrap: wrap; gap: .5rem 1.25rem; align-items: end; margin: .5rem 0 1rem;
          background: #fff; border-radius: 10px; padding: .75rem 1rem; box-shadow: 0 1px 3px rgba(0,0,0,.12); }
.filter label { display: flex; flex-direction: column; font-weight: 600; gap: .25rem; flex: 0 1 18rem; min-width: 0; }
.filter input, .filter select { font: inherit; padding: .35rem .5rem; border: 1px solid #6b6f76; border-radius: 6px;
                                width: 100%; box-sizing: border-box; background: #fff; }
.municipalities { display: grid; grid-template-columns: repeat(auto-fill, minmax(260px, 1fr)); gap: 0 1rem; }
.municipalities .cards { grid-template-columns: 1fr; }
.filter p { margin: 0; }
.card dd small { display: block; font-weight: normal; color: #444; font-size: .8rem; }
.card a { color: #0a58a8; font-weight: 600; }
.badge { display: inline-block; font-size: .8rem; padding: .1rem .5rem; border-radius: 999px; }
.synthetisch { background: #7a4a00; color: #fff; }
.echt { background: #0d6b3a; color: #fff; }
.card dl { display: grid; grid-template-columns: auto auto; gap: .2rem .75rem; margin: .75rem 0; }
.card dd { margin: 0; font-weight: 700; text-align: right; font-variant-numeric: tabular-nums; }
.table-wrap { overflow-x: auto; background: #fff; border-radius: 10px; box-shadow: 0 1px 3px rgba(0,0,0,.12); }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { padding: .45rem .7rem; border-bottom: 1px solid #e3e5e8; text-align: right; white-space: nowrap; }
th:first-child, td:first-child { text-align: left; white-space: normal; }
thead th { white-space: normal; vertical-align: bottom; min-width: 6.5rem; font-size: .9rem; }
tbody th { position: sticky; left: 0; background: #fff; min-width: 9rem; }
tbody th { font-weight: normal; }
caption { caption-side: top; text-align: left; font-weight: 600; padding: .6rem .7rem; }
.note { font-size: .9rem; color: #333; max-width: 60rem; }
footer { max-width: 1040px; margin: 1.5rem auto; padding: 0 1.25rem; font-size: .85rem; color: #555; }
"""


def _editions(book: Path) -> list[tuple[str, dict]]:
    """The published editions whose ``kerncijfers.json`` can be read; a damaged one is left out
    (and named on stderr) instead of breaking the page for every other edition."""
    found = []
    for path in sorted(book.glob("*/kerncijfers.json")):
        if path.parent.name.startswith("."):
            continue
        try:
            figures = json.loads(path.read_text(encoding="utf-8"))
            if not (isinstance(figures, dict) and isinstance(figures.get("gemeente"), str)):
                raise ValueError("geen kerncijfers")
            int(figures.get("jaar"))
        except (OSError, ValueError, TypeError) as error:
            print(f"Let op: {path} is onleesbaar en staat niet op de overzichtspagina ({error})", file=sys.stderr)
            continue
        found.append((path.parent.name, figures))
    return sorted(found, key=lambda e: (e[1]["gemeente"], -int(e[1]["jaar"])))


COMPARABILITY = (
    "Vergelijk met voorzichtigheid. De edities kunnen over verschillende jaren gaan; gemeenten en JGZ-organisaties "
    "registreren risicofactoren en extra aandacht niet overal op dezelfde manier; en de inkomensgrenzen en de "
    "indeling naar herkomst kunnen per jaar verschillen (CBS deelt sinds 2022 in naar herkomst, daarvoor naar "
    "migratieachtergrond). Synthetische edities beschrijven geen echte "
    "kinderen: hun cijfers tonen de methode, niet de gemeente."
)


def _has_pdf(book: Path, slug: str) -> bool:
    return (book / slug / f"{slug}.pdf").is_file()


def _change(k: dict, key: str) -> str:
    """A headline's change since the previous edition, in words when it is significant."""
    before = _get(k, "vergelijking.vorige_editie")
    change = _get(k, "vergelijking.verschillen")
    change = change.get(key) if isinstance(change, dict) else None  # keyed by a dotted kerncijfers path
    change = change if isinstance(change, dict) else {}
    value, low, high = (change.get(f) for f in ("verschil", "ci_laag", "ci_hoog"))
    if not isinstance(before, str) or not isinstance(value, int | float):
        return ""
    significant = isinstance(low, int | float) and isinstance(high, int | float) and (low > 0 or high < 0)
    verdict = ("gestegen" if value > 0 else "gedaald") if significant else "niet aantoonbaar veranderd"
    sign = "+" if value > 0 else ""
    return f"<small>{escape(sign + fmt.getal(value, 1))} punt: {verdict}</small>"


def _card(book: Path, slug: str, k: dict) -> str:
    synthetic = k.get("synthetisch") is not False
    kind = ("synthetisch", "Synthetische gegevens") if synthetic else ("echt", "Registratiegegevens")
    figures = "".join(
        f"<dt>{escape(label)}</dt><dd>{escape(_show(_get(k, key), 'pct'))}{_change(k, key)}</dd>"
        for label, key in HEADLINES
    )
    before = _get(k, "vergelijking.vorige_editie")
    since = (
        f"<p>Veranderingen in procentpunten sinds de vorige editie ({escape(before)}).</p>"
        if isinstance(before, str)
        else ""
    )
    return (
        f'<article class="card"><h4>{int(k["jaar"])}</h4>'
        f'<span class="badge {kind[0]}">{kind[1]}</span><dl>{figures}</dl>{since}'
        f'<a href="{escape(slug)}/html/index.html">Lees {escape(k["gemeente"])} {int(k["jaar"])}</a>'
        + (f' · <a href="{escape(slug)}/{escape(slug)}.pdf">PDF</a>' if _has_pdf(book, slug) else "")
        + "</article>"
    )


# Municipalities by size: the children 0-2 of their latest edition (CBS's layers name no province).
SIZES = [
    (5000, "groot", "5.000 of meer kinderen van 0 tot en met 2 jaar"),
    (2000, "middelgroot", "2.000 tot 5.000 kinderen"),
    (500, "klein", "500 tot 2.000 kinderen"),
    (0, "zeer-klein", "minder dan 500 kinderen"),
]
UNPUBLISHED_SIZE = ("onbekend", "kleine gemeenten: aantal kinderen niet gepubliceerd")


def size_class(k: dict) -> tuple[str, str]:
    """The size class (key, label) of a municipality, from its latest edition's number of children."""
    n = _get(k, "kinderen.n")
    if not isinstance(n, int | float) or isinstance(n, bool):
        return UNPUBLISHED_SIZE
    return next((key, label) for floor, key, label in SIZES if n >= floor)


def _search_key(name: str) -> str:
    """What the search box matches: the name in lower case, also without accents ("sudwest")."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return f"{name.lower()} {plain.lower()}"


def _municipalities(editions: list[tuple[str, dict]]) -> list[tuple[str, list[tuple[str, dict]]]]:
    """The editions per municipality (by code), the latest year first; municipalities by name."""
    groups: dict[str, list[tuple[str, dict]]] = {}
    for slug, k in editions:
        groups.setdefault(str(k.get("gemeentecode") or k["gemeente"]), []).append((slug, k))
    ordered = [sorted(group, key=lambda e: -int(e[1]["jaar"])) for group in groups.values()]
    return sorted(((group[0][1]["gemeente"], group) for group in ordered), key=lambda g: (g[0], g[1][0][0]))


# Filters the page as the reader types; without JavaScript the form stays hidden and all is listed.
SCRIPT = """
const form = document.getElementById('filter');
form.hidden = false;
const query = document.getElementById('zoek'), size = document.getElementById('grootte');
const count = document.getElementById('aantal');
const plain = text => text.toLowerCase().normalize('NFKD').replace(/[\\u0300-\\u036f]/g, '');
function filter() {
  const q = plain(query.value.trim()), g = size.value;
  const shown = el => el.dataset.naam.includes(q) && (!g || el.dataset.grootte === g);
  let n = 0;
  document.querySelectorAll('section.gemeente').forEach(s => { s.hidden = !shown(s); if (!s.hidden) n++; });
  document.querySelectorAll('section.groep').forEach(s => {
    s.hidden = !s.querySelector('section.gemeente:not([hidden])'); });
  document.querySelectorAll('tr[data-naam]').forEach(r => { r.hidden = !shown(r); });
  count.textContent = n === 1 ? '1 gemeente' : n + ' gemeenten';
}
query.addEventListener('input', filter);
size.addEventListener('change', filter);
form.addEventListener('submit', event => event.preventDefault());
"""


def _plural(n: int) -> str:
    return "1 gemeente" if n == 1 else f"{n} gemeenten"


def render(book: Path) -> str:
    editions = _editions(book)
    years = ", ".join(sorted({str(int(k["jaar"])) for _, k in editions})) or "geen"
    municipalities = _municipalities(editions)
    classes = {group[0][0]: size_class(group[0][1]) for _, group in municipalities}  # by the latest edition
    order = [key for _, key, _ in SIZES] + [UNPUBLISHED_SIZE[0]]
    labels = {key: label for _, key, label in SIZES} | {UNPUBLISHED_SIZE[0]: UNPUBLISHED_SIZE[1]}
    sections, i = [], 0
    for key in order:
        members = [(name, group) for name, group in municipalities if classes[group[0][0]][0] == key]
        if not members:
            continue
        parts = []
        for name, group in members:
            cards = "".join(_card(book, slug, k) for slug, k in group)
            parts.append(
                f'<section class="gemeente" data-naam="{escape(_search_key(name))}" data-grootte="{key}" '
                f'aria-labelledby="gemeente-{i}"><h3 class="municipality" id="gemeente-{i}">{escape(name)}</h3>'
                f'<div class="cards">{cards}</div></section>'
            )
            i += 1
        sections.append(
            f'<section class="groep" aria-labelledby="groep-{key}"><h2 class="group" id="groep-{key}">'
            f"{escape(labels[key].capitalize())} ({_plural(len(members))})</h2>"
            f'<div class="municipalities">{"".join(parts)}</div></section>'
        )
    options = "".join(
        f'<option value="{key}">{escape(labels[key].capitalize())}</option>'
        for key in order
        if key in {c for c, _ in classes.values()}
    )
    head = "".join(f"<th scope='col'>{escape(label)}</th>" for label, _, _ in ROWS)
    by_slug = {slug: classes[group[0][0]][0] for _, group in municipalities for slug, _ in group}
    rows = "".join(
        f'<tr data-naam="{escape(_search_key(k["gemeente"]))}" data-grootte="{by_slug[slug]}">'
        f"<th scope='row'>{escape(k['gemeente'])} {int(k['jaar'])}</th>"
        + "".join(f"<td>{escape(_show(_get(k, key), kind))}</td>" for _, key, kind in ROWS)
        + "</tr>"
        for slug, k in editions
    )
    empty = "<p>Er zijn nog geen edities gebouwd.</p>" if not editions else ""
    return f"""<!DOCTYPE html>
<html lang="nl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>{SERIES}: alle edities</title>
<style>{STYLE}</style>
</head>
<body>
<header>
<h1>{SERIES}</h1>
<p>Een reproduceerbare rapportreeks over jonge kinderen en gezinnen in (mogelijk) kwetsbare situaties:
één editie per gemeente en jaar. Kies een gemeente en een jaar, of vergelijk de kerncijfers onderaan. Bij
een editie met een vorige editie staat onder elk kerncijfer de verandering in procentpunten. Gemeenten staan
op grootte, naar het aantal kinderen van 0 tot en met 2 jaar in hun laatste editie.</p>
</header>
<main>
<form class="filter" id="filter" role="search" hidden>
<label for="zoek">Zoek een gemeente<input id="zoek" type="search" autocomplete="off"></label>
<label for="grootte">Grootte<select id="grootte"><option value="">Alle groottes</option>{options}</select></label>
<p id="aantal" aria-live="polite">{_plural(len(municipalities))}</p>
</form>
{"".join(sections)}
{empty}
<h2 class="group">Kerncijfers naast elkaar</h2>
<div class="table-wrap" tabindex="0" role="region" aria-label="Kerncijfers per editie"><table>
<caption>Kerncijfers per editie. Een streepje (–): niet gepubliceerd om de privacy te beschermen.</caption>
<thead><tr><th scope="col">Editie</th>{head}</tr></thead>
<tbody>{rows}</tbody>
</table></div>
<p class="note">{COMPARABILITY} Jaren in deze tabel: {escape(years)}.</p>
</main>
<footer>Bron: de <code>kerncijfers.json</code> van elke editie; zie per editie het hoofdstuk Methode en
verantwoording. Synthetische edities beschrijven geen echte kinderen.</footer>
<script>{SCRIPT}</script>
</body>
</html>
"""


def write_landing(book: Path) -> Path:
    """Write ``book/index.html`` atomically."""
    from kansrijk.pipeline.workspace import write_atomic

    book.mkdir(parents=True, exist_ok=True)
    target = book / "index.html"
    write_atomic(target, render(book))
    return target
