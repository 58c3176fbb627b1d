"""The PDF edition: every page of the built site in one printable document, printed by Debian's
Chromium (Playwright's ``page.pdf``; nothing is downloaded at build time).

The document is the site's own pages (their articles, in the order of the table of contents)
after a cover, the colophon and a contents list, styled by the book's print style sheet
(``kansrijk.css``, ``@media print``). The print style sheet puts the title, the synthetic-data
notice and the page number in the page margins, so a reader's own "print" of a page looks the
same. Names from the inputs reach the document escaped, as text.

Chromium cannot number a contents list itself (CSS ``target-counter`` is not implemented), so the
document is printed twice: the first print's named destinations (one per chapter) give the page on
which each chapter starts, and the second print of the same loaded page carries those numbers. A
rebuild starts from the pages of the edition's previous PDF, and prints once when they still hold.
Chromium's bookmarks drop the space at a line break and repeat some headings ("extraaandacht");
they are renamed from the headings as the page shows them.
"""

from __future__ import annotations

import contextlib
import io
import queue
import re
import shutil
import threading
from collections.abc import Callable
from concurrent.futures import Future
from html import escape
from pathlib import Path
from typing import Any, TypeVar

from kansrijk import colophon, yamlfile
from kansrijk.params import Edition

# Debian's Chromium headless shell (package chromium-headless-shell, Chromium's old headless mode,
# made for printing) when it is installed: the same pages as the full browser, in about half its
# time and CPU (Utrecht: 1.1-1.4 s instead of 1.9-2.5 s); else the full browser.
CHROMIUM_NAMES = ("chromium-headless-shell", "chromium", "chromium-browser")
FRONT_MATTER = {"colofon", "toegankelijkheid"}  # the colophon opens the PDF; the statement is about the site
PRINT_FILE = "_pdf.html"  # made beside the pages so that their style sheets and images resolve; removed after
_ARTICLE = re.compile(r'<article class="bd-article">(.*)</article>', re.S)
_PAGE_LINK = re.compile(r'href="([a-z0-9-]+)\.html(#[^"]*)?"')
# Any other link that is not on the web (downloads, the series page) would print as a file:// path of
# the build machine: it is left as text.
_LOCAL_LINK = re.compile(r'\shref="(?!#|https?://|mailto:)[^"]*"')
_NODE_ID = re.compile(rb"node[0-9A-Fa-f]{8}")  # ids of the tagged PDF's table headers, from Chromium's DOM


T = TypeVar("T")


class PdfError(RuntimeError):
    """Chromium could not print the edition."""


def chromium() -> Path | None:
    """Debian's Chromium that prints the PDF (its headless shell first), when one is installed."""
    for name in CHROMIUM_NAMES:
        if found := shutil.which(name):
            return Path(found)
    return None


def pdf_name(edition: Edition) -> str:
    return f"{edition.slug}.pdf"


def _article(page: Path) -> str:
    """A page's article, its links to other pages turned into links within the document."""
    found = _ARTICLE.search(page.read_text(encoding="utf-8"))
    if not found:
        raise PdfError(f"{page.name}: geen artikel gevonden")
    within = _PAGE_LINK.sub(lambda m: f'href="{m.group(2) or "#pagina-" + m.group(1)}"', found.group(1))
    return _LOCAL_LINK.sub("", within)


def pages(toc: Path) -> list[str]:
    """The pages in the order of the table of contents, without the front matter."""
    spec = yamlfile.load(toc)
    names = [spec["root"], *(entry["file"] for entry in spec.get("chapters", []))]  # type: ignore[index]
    return [name for name in names if name not in FRONT_MATTER]


def document(html: Path, names: list[str], edition: Edition) -> str:
    """One HTML document: cover, colophon, contents (with a place for the page on which each
    chapter starts, see ``_NUMBER``), then every page's article."""
    head = "\n".join(
        f'<link rel="stylesheet" href="{escape(css.relative_to(html).as_posix())}">'
        for css in [*sorted((html / "_static" / "styles").glob("*.css")), html / "_static" / "kansrijk.css"]
    )
    p = edition.params
    notice = f'<p class="kansrijk-pdf-melding">{escape(colophon.BANNER)}</p>' if p.synthetisch else ""
    title = colophon.title(edition)
    rows = "".join(f"<tr><th scope='row'>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in colophon.rows(edition))
    chapters = []
    contents = []
    for name in names:
        article = _article(html / f"{name}.html")
        heading = re.search(r"<h1>(.*?)<a", article, re.S)  # Sphinx's heading, already HTML
        shown = heading.group(1).strip() if heading else escape(name)
        page = f'<span class="kansrijk-pdf-pagina" data-pagina="{name}"></span>'
        contents.append(f'<li><a href="#pagina-{name}">{shown}</a>{page}</li>')
        chapters.append(f'<section class="kansrijk-pdf-hoofdstuk" id="pagina-{name}">{article}</section>')
    return f"""<!DOCTYPE html>
<html lang="nl"><head><meta charset="utf-8"><title>{escape(title)}</title>
{head}
<style>{print_margins(title, p.synthetisch)}</style>
</head><body class="kansrijk-pdf">
<section class="kansrijk-pdf-omslag">
<p class="kansrijk-pdf-reeks">{colophon.SERIES}</p>
<h1>{escape(p.gemeente)} {p.jaar}</h1>
<p class="kansrijk-pdf-uitgever">{escape(p.uitgever or colophon.DEFAULT_PUBLISHER)}</p>
<p>{escape(colophon.date_text(edition) or "")}</p>
{notice}
</section>
<section class="kansrijk-pdf-colofon"><h2>Colofon</h2><table>{rows}</table></section>
<nav class="kansrijk-pdf-inhoud" aria-label="Inhoud"><h2>Inhoud</h2><ol>{"".join(contents)}</ol></nav>
{"".join(chapters)}
</body></html>
"""


def css_string(text: str) -> str:
    """``text`` as a quoted CSS string: every character but letters, digits and spaces as a hex
    escape, so that no name can end the string, the rule or the style element. (CSS takes the one
    space after an escape as its end, so each escape carries its own.)"""
    return '"' + "".join(c if c.isalnum() or c == " " else f"\\{ord(c):06x} " for c in text) + '"'


def print_margins(title: str, synthetic: bool) -> str:
    """The page margins of a printed page: the title, the synthetic-data notice and the page number."""
    notice = colophon.MARGIN_NOTICE if synthetic else ""
    return (
        "@page { @top-left { content: " + css_string(title) + "; } "
        "@top-right { content: " + css_string(notice) + "; } "
        '@bottom-right { content: "Pagina " counter(page) " van " counter(pages); } }'
    )


def print_pdf(html: Path, edition: Edition, toc: Path, out: Path, previous: Path | None = None) -> None:
    """Print the edition to ``out`` with Chromium; raise :class:`PdfError` when it cannot. The
    ``previous`` PDF of the edition, when there is one, says on which pages its chapters are likely
    to start."""
    from playwright.sync_api import Error

    if chromium() is None:
        raise PdfError("Chromium ontbreekt (apt-get install chromium-headless-shell)")
    names = pages(toc)
    source = html / PRINT_FILE
    guess = _previous_pages(previous, names)
    try:
        pdf, headings = _Browser.run(lambda page: _print_numbered(page, source, html, names, edition, guess))
    except Error as error:
        raise PdfError(str(error).splitlines()[0]) from None
    finally:
        source.unlink(missing_ok=True)
    out.write_bytes(_finished(pdf, headings, edition))


def start_browser() -> None:
    """Start this process's Chromium and open the next PDF's page now, without waiting for them
    (a printer's task while a worker renders the book)."""
    if chromium() is not None:
        _Browser.run(None)


class _Browser:
    """This process's Chromium, kept for every PDF it prints, in a thread of its own (Playwright's
    synchronous API works only in the thread that started it): a PDF does not wait for a browser
    to start. Each PDF has a page of its own, opened ahead when :func:`start_browser` asks. A
    browser that crashed is started again for the next PDF. It ends with the process (Playwright's
    driver ends when its pipe to the process closes)."""

    jobs: queue.Queue | None = None
    lock = threading.Lock()

    @classmethod
    def run(cls, job: Callable[[Any], T] | None) -> T | None:
        """``job(page)`` on a new page, in the browser's thread (``None``: only start the browser and
        open the page, without waiting)."""
        with cls.lock:
            if cls.jobs is None:
                cls.jobs = queue.Queue()
                threading.Thread(target=cls._serve, args=(cls.jobs,), daemon=True, name="chromium").start()
        done: Future = Future()
        cls.jobs.put((job, done))
        return None if job is None else done.result()

    @staticmethod
    def _serve(jobs: queue.Queue) -> None:
        try:
            from playwright.sync_api import sync_playwright

            playwright = sync_playwright().start()  # for the life of the process
        except BaseException as error:  # Playwright cannot start: every PDF of this process says why
            while True:
                _, done = jobs.get()
                done.set_exception(error)
        browser = page = None
        while True:
            job, done = jobs.get()
            try:
                if browser is None or not browser.is_connected():
                    browser = playwright.chromium.launch(
                        executable_path=str(chromium()), args=["--headless", "--no-sandbox"]
                    )
                    page = None
                if page is None:
                    page = browser.new_page()
                    page.emulate_media(media="print")
                if job is None:
                    done.set_result(None)
                    continue
                used, page = page, None  # the next PDF gets a page of its own
                try:
                    result = job(used)
                finally:
                    with contextlib.suppress(Exception):  # the page of a browser that crashed is gone already
                        used.close()
                done.set_result(result)
            except BaseException as error:  # the job's caller raises it
                done.set_exception(error)


# The visible headings, as a reader sees them (without the "#" link Sphinx adds to each).
_HEADINGS = """() => [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')]
  .filter(h => h.getClientRects().length)
  .map(h => { const c = h.cloneNode(true); c.querySelectorAll('.headerlink').forEach(a => a.remove());
              return c.textContent.replace(/\\s+/g, ' ').trim(); })"""


# The page laid out and every web font it asks for loaded (the theme's icons: a print made before
# they arrive leaves them out, as the font is declared ``font-display: block``).
_FONTS = "async () => { document.body.getBoundingClientRect(); await document.fonts.ready; }"


# Each chapter's page number into the contents list (a name from the table of contents: [a-z0-9-]).
_NUMBER = """numbers => document.querySelectorAll('[data-pagina]')
  .forEach(s => { s.textContent = String(numbers[s.dataset.pagina] ?? ''); })"""


# A print made only to find the pages paints nothing but the page margins (``.kansrijk-pdf-meten``):
# hidden, every element keeps its box, so the layout and the chapters' destinations are the same,
# and the print takes half the time (Utrecht: 0.17-0.22 s instead of 0.30-0.35 s, with the images
# alone hidden; 70 instead of 434 kB).
_MEASURING = "measuring => document.body.classList.toggle('kansrijk-pdf-meten', measuring)"


def _previous_pages(previous: Path | None, names: list[str]) -> dict[str, int]:
    """The pages on which the chapters start in the edition's previous PDF; none when there is no
    such PDF or it does not have these chapters (a guess only: the print checks it)."""
    if previous is None or not previous.is_file():
        return {}
    try:
        return _chapter_pages(previous.read_bytes(), names)
    except Exception:  # a PDF it cannot read is no guess, never a failure
        return {}


def _print_numbered(
    page, source: Path, html: Path, names: list[str], edition: Edition, guess: dict[str, int]
) -> tuple[bytes, list[str]]:
    """Print until the contents list's page numbers are those on which the chapters start. The page
    is loaded once; between prints only the numbers change. Without a guess (the pages of the
    previous PDF), a print made only to find the pages comes first: it has no numbers, so it is
    never the final one, and it is untagged, without bookmarks, and paints nothing (the layout is
    the same, and it takes half the time). With a guess the first print is a final one, and it is
    the only one when the guess is right."""
    source.write_text(document(html, names, edition), encoding="utf-8")
    page.goto(source.resolve().as_uri(), wait_until="load")
    page.evaluate(_FONTS)
    options = {"format": "A4", "prefer_css_page_size": True, "print_background": True}
    numbers = dict(guess)
    if numbers:
        page.evaluate(_NUMBER, numbers)
    for _ in range(3):
        final = bool(numbers)
        page.evaluate(_MEASURING, not final)
        pdf = page.pdf(outline=final, tagged=final, **options)
        found = _chapter_pages(pdf, names)
        if found == numbers:
            return pdf, page.evaluate(_HEADINGS)
        numbers = found
        page.evaluate(_NUMBER, numbers)
    raise PdfError("de paginanummers van de inhoud blijven verschuiven")


def _chapter_pages(pdf: bytes, names: list[str]) -> dict[str, int]:
    """The page (from 1) on which each chapter starts, from the PDF's named destinations."""
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as document:
        first = {page.objgen: number for number, page in enumerate(document.pages, start=1)}
        destinations = document.Root.get("/Dests", pikepdf.Dictionary())
        starts = {}
        for name in names:
            target = destinations.get(f"/pagina-{name}")
            if target is None:
                continue
            where = target if isinstance(target, pikepdf.Array) else target.D  # an array, or a dictionary with /D
            starts[name] = first[where[0].objgen]
    missing = [name for name in names if name not in starts]
    if missing:
        raise PdfError(f"geen bestemming in de PDF voor: {', '.join(missing)}")
    return starts


def _finished(pdf: bytes, headings: list[str], edition: Edition) -> bytes:
    """The PDF with its bookmarks named after the headings, in order (left as Chromium wrote them
    when their number differs from the headings'), dated on the publication day (or 1 January of
    the edition's year), not at the time of printing, and the same file for the same inputs."""
    import pikepdf

    with pikepdf.open(io.BytesIO(_renumbered(pdf))) as document:
        _sort_ids(document)
        with document.open_outline() as outline:
            items, stack = [], list(reversed(outline.root))
            while stack:  # depth first, in document order
                item = stack.pop()
                items.append(item)
                stack += reversed(item.children)
            if len(items) == len(headings):
                for item, heading in zip(items, headings, strict=True):
                    item.title = heading
        day = edition.params.publicatiedatum
        stamp = f"D:{day:%Y%m%d}000000+00'00'" if day else f"D:{edition.params.jaar}0101000000+00'00'"
        document.docinfo["/CreationDate"] = document.docinfo["/ModDate"] = stamp
        buffer = io.BytesIO()
        document.save(buffer, deterministic_id=True)  # the file's id from its content, not from chance
    return buffer.getvalue()


def _sort_ids(document) -> None:
    """The structure tree's ids (a table cell names its headers by them) in a name tree sorted
    by name again: :func:`_renumbered` leaves each where Chromium put it, and a reader finds an id
    by bisection (before this, 18 of Utrecht's 83 table headers could not be found)."""
    import pikepdf

    root = document.Root.get("/StructTreeRoot")
    if root is None or "/IDTree" not in root:
        return
    entries, nodes = [], [root.IDTree]
    while nodes:  # every leaf of the tree as Chromium wrote it
        node = nodes.pop()
        names = node.get("/Names", [])
        entries += [(str(names[i]), names[i + 1]) for i in range(0, len(names) - 1, 2)]
        nodes += list(node.get("/Kids", []))
    tree = pikepdf.NameTree.new(document)
    for name, element in sorted(entries, key=lambda entry: entry[0]):
        tree[name] = element
    root.IDTree = tree.obj


def _renumbered(pdf: bytes) -> bytes:
    """The ids of the tagged PDF's table headers numbered in order (Chromium takes them from a DOM
    counter that differs between runs). Every replacement has the same length, so the file's
    offsets stay valid."""
    numbers: dict[bytes, bytes] = {}

    def renumbered(found: re.Match[bytes]) -> bytes:
        return numbers.setdefault(found.group(0), b"node%08x" % len(numbers))

    return _NODE_ID.sub(renumbered, pdf)
