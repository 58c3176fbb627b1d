"""Every internal link and anchor of the built Utrecht edition and the landing page resolves."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

pytestmark = pytest.mark.build


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(values["id"])
        if tag == "a" and values.get("name"):
            self.ids.add(values["name"])
        for key in ("href", "src"):
            if values.get(key) and not (tag == "link" and values.get("rel") in ("preconnect", "dns-prefetch")):
                self.links.append(values[key])


def _parse(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_internal_links_and_anchors_resolve(utrecht_book):
    pages = [utrecht_book / "index.html", *sorted((utrecht_book / "utrecht" / "html").glob("*.html"))]
    parsed = {page: _parse(page) for page in pages}
    broken, external = [], set()
    for page, links in parsed.items():
        for link in links.links:
            parts = urlsplit(link)
            if parts.scheme in ("http", "https"):
                external.add(link)
                continue
            if parts.scheme in ("mailto", "data", "javascript"):
                continue
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if not target.exists():
                broken.append(f"{page.name}: {link}")
                continue
            if parts.fragment and target.suffix == ".html":
                ids = parsed[target].ids if target in parsed else _parse(target).ids
                if unquote(parts.fragment) not in ids:
                    broken.append(f"{page.name}: {link} (anker ontbreekt)")
    assert not broken, "\n".join(broken[:20])
    # the book loads nothing from outside (it must work offline and without trackers)
    assert not {x for x in external if not x.startswith("https://")} and not any("cdn" in x for x in external)


def test_an_edition_publishes_no_source_maps_or_theme_translations_but_keeps_the_licences(utrecht_book):
    """The themes' source maps and translation catalogues are for developers and for the build;
    a reader's browser never asks for them (they were 125 of 149 files of every edition)."""
    static = utrecht_book / "utrecht" / "html" / "_static"
    left = sorted(str(p.relative_to(static)) for p in static.rglob("*") if p.suffix in (".map", ".po", ".mo"))
    assert not left, left[:5]
    assert not (static / "locales").exists()
    assert (static / "scripts" / "bootstrap.js.LICENSE.txt").is_file()
    assert (static / "vendor" / "fontawesome" / "webfonts" / "fa-solid-900.woff2").is_file()
