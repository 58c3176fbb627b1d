"""The Utrecht edition and the landing page in a real browser: Debian's Chromium, headless,
driven by Playwright. Screenshots of every page go to ``book/screenshots/`` for review."""

from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import threading
from pathlib import Path

import pytest

from kansrijk.figures import PHONE_PX
from kansrijk.paths import BOOK

pytestmark = [pytest.mark.build, pytest.mark.browser]

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = BOOK / "screenshots"
PHONE = 390

if not CHROMIUM.exists():
    if os.environ.get("CI"):
        raise RuntimeError("CI must install Debian's chromium (see .ci/run)")
    pytest.skip("Debian's chromium is not installed", allow_module_level=True)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def site(utrecht_book):
    """The book folder served on a free localhost port."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=utrecht_book))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", utrecht_book
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield chromium
        chromium.close()


def _pages(book: Path) -> list[str]:
    """The landing page, every content page (the edition's index.html only redirects) and the
    next edition's chapter on what changed (its other pages are the same chapters)."""
    skip = ("genindex.html", "index.html")
    html = sorted(p.name for p in (book / "utrecht" / "html").glob("*.html") if p.name not in skip)
    return ["index.html", *(f"utrecht/html/{name}" for name in html), "utrecht-2023/html/ontwikkeling.html"]


@pytest.fixture(scope="module")
def screenshots():
    if SCREENSHOTS.exists():
        shutil.rmtree(SCREENSHOTS)
    SCREENSHOTS.mkdir(parents=True)
    return SCREENSHOTS


def _visit(browser, url: str, width: int, fonts: list[str] | None = None):
    """Open a page; console errors, failed requests and (when asked) font downloads are recorded."""
    page = browser.new_page(viewport={"width": width, "height": 900})
    errors: list[str] = []
    if fonts is not None:
        page.on("request", lambda request: fonts.append(request.url) if request.resource_type == "font" else None)
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("requestfailed", lambda request: errors.append(f"{request.url}: {request.failure}"))
    page.goto(url, wait_until="networkidle")
    return page, errors


def test_every_page_in_a_real_browser(site, browser, screenshots):
    base, book = site
    problems = []
    for path in _pages(book):
        if path.endswith("search.html"):
            continue  # the search page is tested with a query below
        for width in (1280, PHONE):
            fonts: list[str] = []
            page, errors = _visit(browser, f"{base}/{path}", width, fonts)
            name = path.replace("/html/", "-").replace("/", "-").removesuffix(".html")
            page.screenshot(path=str(screenshots / f"{name}-{width}.png"), full_page=True)
            broken_images = page.evaluate(
                "() => [...document.images].filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src)"
            )
            text = page.evaluate("() => document.body.innerText")
            overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
            if errors:
                problems.append(f"{path} @ {width}: console errors {errors}")
            if broken_images:
                problems.append(f"{path} @ {width}: images not loaded {broken_images}")
            if re.search(r"\b(nan|NaN|None)\b|\{glue", text):
                problems.append(f"{path} @ {width}: 'nan', 'None' or a glue placeholder in the text")
            if fonts:  # the theme's icon font (156 kB) held back the first paint on a phone
                problems.append(f"{path} @ {width}: loads fonts {fonts}")
            if width == PHONE and overflow > 1:
                problems.append(f"{path} @ {width}: scrolls horizontally by {overflow} px")
            if width == PHONE:  # figures are drawn so that their text is legible at this width
                shown = page.evaluate(
                    "() => [...document.querySelectorAll('figure img')].map(i => i.getBoundingClientRect().width)"
                )
                if narrow := [w for w in shown if w < PHONE_PX - 8]:
                    problems.append(f"{path} @ {width}: figures shown narrower than drawn for: {narrow}")
            if path.startswith("utrecht") and "Synthetische gegevens" not in page.inner_text(".bd-header-announcement"):
                problems.append(f"{path}: no synthetic-data banner")
            page.close()
    assert not problems, "\n".join(problems)


def test_edition_entry_opens_the_summary(site, browser):
    base, _ = site
    page, _ = _visit(browser, f"{base}/utrecht/html/index.html", 1280)
    page.wait_for_url("**/samenvatting.html")
    assert page.locator("h1").first.inner_text().startswith("Samenvatting")
    page.close()


def test_search_finds_armoede(site, browser):
    base, _ = site
    page, errors = _visit(browser, f"{base}/utrecht/html/search.html?q=armoede", 1280)
    page.wait_for_selector("#search-results ul.search li", timeout=15000)
    results = page.locator("#search-results ul.search li").count()
    assert results >= 1
    assert "armoede" in page.inner_text("#search-results").lower()
    assert not errors
    page.close()


def test_figures_have_alt_text_and_tables_a_download(site, browser):
    base, _ = site
    page, _ = _visit(browser, f"{base}/utrecht/html/armoede.html", 1280)
    alts = page.evaluate("() => [...document.querySelectorAll('figure img')].map(i => i.alt)")
    assert alts and all(alts)
    assert page.locator("table caption").count() >= 1
    assert page.locator("a.download, a[download], a.reference.download").count() >= 1
    page.close()


AXE = Path(__file__).parent / "browser" / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


@pytest.fixture(scope="module")
def axe() -> str:
    if not AXE.is_file():
        if os.environ.get("CI"):
            raise RuntimeError("CI must install axe-core (npm ci --prefix tests/browser, see .ci/run)")
        pytest.skip("axe-core is not installed (npm ci --prefix tests/browser)")
    return AXE.read_text(encoding="utf-8")


def test_every_page_passes_axe(site, browser, axe):
    """WCAG 2.1 A and AA, and axe's best practices: no violation on any page, wide or on a phone."""
    base, book = site
    problems = []
    for path in _pages(book):
        for width in (1280, PHONE):
            page, _ = _visit(browser, f"{base}/{path}", width)
            page.add_script_tag(content=axe)
            result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
            problems += [
                f"{path} @ {width}: {v['id']} ({len(v['nodes'])}×), e.g. {v['nodes'][0]['html'][:120]}"
                for v in result["violations"]
            ]
            page.close()
    assert not problems, "\n".join(problems)


def test_pages_speak_dutch_and_carry_the_colophon(site, browser):
    """No English theme label, one search field, the summary in the menu, the way back to the
    series, and the publisher and date in every page's footer."""
    base, book = site
    english = re.compile(r"\b(Search|Skip to|Toggle|Back to top|Color mode|Contents|On this page|Announcement)\b")
    problems = []
    for path in _pages(book):
        if not path.startswith("utrecht"):
            continue
        page, _ = _visit(browser, f"{base}/{path}", 1280)
        labels = page.evaluate(
            "() => [...document.querySelectorAll('*')].flatMap(e => ['aria-label', 'title', 'placeholder']"
            ".map(a => e.getAttribute(a)).filter(Boolean)).concat([document.body.innerText])"
        )
        if found := sorted({m for text in labels for m in english.findall(text)}):
            problems.append(f"{path}: English {found}")
        if (fields := page.locator("input[type=search]").count()) != 1:
            problems.append(f"{path}: {fields} search fields")
        menu = page.inner_text("nav.bd-docs-nav")
        if "Samenvatting" not in menu or page.locator("nav.bd-docs-nav a[href='../../index.html']").count() != 1:
            problems.append(f"{path}: the menu lacks the summary or the way back to the series")
        footer = page.inner_text("footer.bd-footer-content")
        if "Kansrijk (demonstratie-editie" not in footer or "23 november 2026" not in footer:
            problems.append(f"{path}: no publisher or date in the footer: {footer!r}")
        page.close()
    assert not problems, "\n".join(problems)


def test_summary_page_is_light(site, browser):
    """The summary loads at most 1 MB on a phone (no icon font, no scripts of unused extensions)."""
    base, _ = site
    page = browser.new_page(viewport={"width": PHONE, "height": 800})
    sizes: dict[str, int] = {}
    page.on("requestfinished", lambda request: sizes.__setitem__(request.url, request.sizes()["responseBodySize"]))
    page.goto(f"{base}/utrecht/html/samenvatting.html", wait_until="networkidle")
    page.close()
    assert sum(sizes.values()) <= 1_000_000, sorted(sizes.items(), key=lambda item: -item[1])[:5]
    assert not [url for url in sizes if "fontawesome" in url or "searchindex" in url]


def test_search_indexes_text_not_code(utrecht_book):
    index = (utrecht_book / "utrecht" / "html" / "searchindex.js").read_text(encoding="utf-8")
    assert "armoed" in index  # the text is searchable (stemmed)
    assert not re.search(r'"(open_chapter|h\.glue|import|glue|load_catalogue)"', index)
