"""The PDF edition and a browser's own print of a page: read back with poppler's pdftotext."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from kansrijk.pipeline.pdf import css_string

pytestmark = pytest.mark.build

if not shutil.which("pdftotext"):
    if os.environ.get("CI"):
        raise RuntimeError("CI must install poppler-utils (see .ci/run)")
    pytest.skip("poppler-utils is not installed", allow_module_level=True)


def _pages(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")[:-1]


def test_the_pdf_edition_has_cover_colophon_contents_and_the_notice_on_every_page(utrecht_book):
    pdf = utrecht_book / "utrecht" / "utrecht.pdf"
    pages = _pages(pdf)
    assert len(pages) >= 20
    for number, page in enumerate(pages, 1):
        assert "Synthetische gegevens" in page, f"page {number} lacks the synthetic-data notice"
        assert f"Pagina {number} van {len(pages)}" in page, f"page {number} lacks its number"
        assert not re.search(r"h\.(figure|table|glue)\(|open_chapter|import ", page), f"page {number} prints code"
    cover, colophon, contents = pages[:3]
    assert "Utrecht 2019" in cover and "Kansrijk (demonstratie-editie" in cover and "23 november 2026" in cover
    assert "Colofon" in colophon and "Publicatiedatum" in colophon
    assert "Inhoud" in contents and "Armoede per wijk" in contents
    assert re.search(r"Figuur \d+", "".join(pages))


def test_the_contents_list_gives_the_page_on_which_each_chapter_starts(utrecht_book):
    """Numbers read from the first print's destinations; checked here against the printed text, and
    the bookmarks against the headings (Chromium's own dropped the space at a line break)."""
    from pypdf import PdfReader

    pdf = utrecht_book / "utrecht" / "utrecht.pdf"
    pages = _pages(pdf)
    listed = re.findall(r"^(\S.*?\S)\s{2,}(\d+)$", pages[2], re.M)
    assert len(listed) >= 8 and listed[0][0] == "Samenvatting"
    for title, number in listed:
        first_lines = " ".join(pages[int(number) - 1].split())
        assert " ".join(title.split()) in first_lines[:400], f"{title} does not start on page {number}"
        previous = " ".join(pages[int(number) - 2].split())
        assert title not in previous[200:], f"{title} starts before page {number}"
    bookmarks = [item.title for item in PdfReader(pdf).outline if not isinstance(item, list)]
    assert bookmarks[1:] == [title for title, _ in listed]


def test_the_pdf_carries_no_time_and_no_path_of_the_build_machine(utrecht_book):
    """Its dates are the publication date; no link points into the build machine's files. (That two
    builds give the same file is tested with the hostile edition.)"""
    pdf = str(utrecht_book / "utrecht" / "utrecht.pdf")
    info = subprocess.run(["pdfinfo", pdf], capture_output=True, text=True, check=True).stdout
    assert re.search(r"CreationDate:\s+Mon Nov 23 00:00:00 2026", info), info
    links = subprocess.run(["pdfinfo", "-url", pdf], capture_output=True, text=True, check=True).stdout
    assert "file:" not in links and str(utrecht_book) not in links


def test_the_edition_and_the_landing_page_link_the_pdf(utrecht_book):
    assert 'href="../utrecht.pdf"' in (utrecht_book / "utrecht" / "html" / "armoede.html").read_text(encoding="utf-8")
    assert 'href="utrecht/utrecht.pdf"' in (utrecht_book / "index.html").read_text(encoding="utf-8")


@pytest.mark.browser
def test_a_browsers_own_print_of_a_page_keeps_title_notice_and_page_numbers(utrecht_book, tmp_path):
    from playwright.sync_api import sync_playwright
    from test_browser import CHROMIUM, FLAGS

    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed")
    out = tmp_path / "armoede.pdf"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        page = browser.new_page()
        page.goto((utrecht_book / "utrecht" / "html" / "armoede.html").as_uri(), wait_until="load")
        page.pdf(path=str(out), prefer_css_page_size=True)
        browser.close()
    pages = _pages(out)
    assert len(pages) <= 4
    for number, text in enumerate(pages, 1):
        assert "Utrecht 2019" in text and "Synthetische gegevens" in text and f"Pagina {number} van" in text
        assert not re.search(r"h\.(figure|table|glue)\(|import ", text)


@pytest.mark.parametrize("text", ['a"b', "x</style><script>alert(1)</script>", "\\", "{ } ; @page"])
def test_names_cannot_leave_a_css_string(text):
    quoted = css_string(text)
    inner = quoted[1:-1]
    assert quoted[0] == quoted[-1] == '"'
    assert not re.search(r'["<>{};@]', inner) and "\\\\" not in inner
    assert re.sub(r"\\([0-9a-f]{6}) ", lambda m: chr(int(m.group(1), 16)), inner) == text


def test_every_table_header_id_is_found_in_the_structure_tree(utrecht_book):
    """A tagged table cell names its headers by id, and a reader finds an id in the structure
    tree's name tree by bisection: its names are sorted, and every header's id is found there."""
    import pikepdf

    with pikepdf.open(utrecht_book / "utrecht" / "utrecht.pdf") as pdf:
        root = pdf.Root.StructTreeRoot
        tree = pikepdf.NameTree(root.IDTree)
        nodes, names = [root.IDTree], []
        while nodes:  # the leaves in order
            node = nodes.pop()
            names += [str(n) for n in list(node.get("/Names", []))[::2]]
            nodes += reversed(list(node.get("/Kids", [])))
        assert names and names == sorted(names)
        headers, elements = set(), [root]
        while elements:
            element = elements.pop()
            kids = element.get("/K")
            kids = list(kids) if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []
            elements += [k for k in kids if isinstance(k, pikepdf.Dictionary) and "/S" in k]
            attributes = element.get("/A")
            for attribute in list(attributes) if isinstance(attributes, pikepdf.Array) else [attributes]:
                if isinstance(attribute, pikepdf.Dictionary) and "/Headers" in attribute:
                    headers.update(str(h) for h in attribute.Headers)
        assert headers, "no table cell names its headers"
        assert all(h in tree for h in headers), [h for h in headers if h not in tree]


def test_a_rebuild_prints_once_from_the_previous_pdfs_pages_and_a_wrong_guess_is_corrected(
    utrecht_book, tmp_path, monkeypatch
):
    """The previous PDF's chapter pages are only a guess: right, the edition is printed once, and the
    file is the one printed without a guess; wrong, it is printed again with the pages found, and
    every page reads as printed without. (After two tagged prints of one page Chromium's file can
    differ in a byte of its structure, seen once in some twenty runs, so that case compares text.)"""
    from kansrijk.params import load_edition
    from kansrijk.pipeline import pdf

    edition = load_edition(utrecht_book.parent / "utrecht.yml")
    toc = utrecht_book / ".work" / "sphinx" / "utrecht" / "bron" / "_toc.yml"
    html = tmp_path / "html"
    shutil.copytree(utrecht_book / "utrecht" / "html", html)
    published = utrecht_book / "utrecht" / "utrecht.pdf"
    prints = []
    read = pdf._chapter_pages
    monkeypatch.setattr(pdf, "_chapter_pages", lambda data, names: prints.append(1) or read(data, names))

    pdf.print_pdf(html, edition, toc, tmp_path / "opnieuw.pdf", previous=published)
    assert len(prints) == 2  # the previous PDF read, and one print
    assert (tmp_path / "opnieuw.pdf").read_bytes() == published.read_bytes()

    pages = read(published.read_bytes(), pdf.pages(toc))
    shifted = {name: page + 1 for name, page in pages.items()}
    monkeypatch.setattr(pdf, "_previous_pages", lambda previous, names: shifted)
    prints.clear()
    pdf.print_pdf(html, edition, toc, tmp_path / "verkeerd.pdf", previous=published)
    assert len(prints) == 2  # the wrong guess printed, then printed again with the pages found
    assert _pages(tmp_path / "verkeerd.pdf") == _pages(published)


@pytest.mark.browser
def test_the_headless_shell_prints_the_same_edition_as_the_full_browser(utrecht_book, tmp_path):
    """The PDF is printed by Debian's chromium-headless-shell when it is installed (half the time
    and CPU of the full browser): the same pages, text and bookmarks, and the same tags."""
    import pikepdf
    from playwright.sync_api import sync_playwright
    from test_browser import CHROMIUM, FLAGS

    from kansrijk.params import load_edition
    from kansrijk.pipeline import pdf

    shell = Path("/usr/bin/chromium-headless-shell")
    if not (shell.exists() and CHROMIUM.exists()):
        if os.environ.get("CI"):
            raise RuntimeError("CI must install chromium and chromium-headless-shell (see .ci/run)")
        pytest.skip("Debian's chromium or chromium-headless-shell is not installed")
    assert pdf.chromium() == shell
    edition = load_edition(utrecht_book.parent / "utrecht.yml")
    names = pdf.pages(utrecht_book / ".work" / "sphinx" / "utrecht" / "bron" / "_toc.yml")
    html = tmp_path / "html"
    shutil.copytree(utrecht_book / "utrecht" / "html", html)
    printed = {}
    with sync_playwright() as p:
        for executable in (shell, CHROMIUM):
            browser = p.chromium.launch(executable_path=str(executable), args=FLAGS)
            page = browser.new_page()
            page.emulate_media(media="print")
            made = pdf._print_numbered(page, html / pdf.PRINT_FILE, html, names, edition, {})
            browser.close()
            printed[executable] = tmp_path / f"{executable.name}.pdf"
            printed[executable].write_bytes(pdf._finished(*made, edition))
    assert _pages(printed[shell]) == _pages(printed[CHROMIUM])
    structure = {}
    for executable, file in printed.items():
        with pikepdf.open(file) as document, document.open_outline() as outline:
            tags = [str(kid.get("/S")) for kid in document.Root.StructTreeRoot.K.K]
            structure[executable] = ([item.title for item in outline.root], tags)
    assert structure[shell] == structure[CHROMIUM] and structure[shell][0] and structure[shell][1]
