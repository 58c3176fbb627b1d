"""Render executed notebooks into a static site with Jupyter Book 1.x."""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

from kansrijk import colophon
from kansrijk.params import Edition
from kansrijk.paths import CONFIG, TOC
from kansrijk.pipeline.pdf import chromium, pdf_name, print_margins
from kansrijk.pipeline.workers import run


class BookError(RuntimeError):
    """Jupyter Book failed; the message carries its warnings and errors."""


def _merge(base: dict, extra: dict) -> dict:
    out = dict(base)
    for key, value in extra.items():
        out[key] = _merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def edition_config(edition: Edition) -> dict:
    """The shared ``_config.yml`` with this edition's title, its colophon for the footer and, for
    synthetic data, a banner.
    The title is plain text; :mod:`kansrijk.sphinx_ext` escapes it for every template."""
    config = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    p = edition.params
    title = colophon.title(edition)
    context = {
        "kansrijk_colofon": colophon.footer(edition, pdf_name(edition) if chromium() else None),
        "kansrijk_print": print_margins(title, p.synthetisch),
    }
    sphinx: dict = {"html_context": context}
    if p.synthetisch:
        sphinx["html_theme_options"] = {"announcement": colophon.BANNER}
    return _merge(config, {"title": title, "sphinx": {"config": sphinx}})


def toc_for(chapters: Path) -> Path:
    """A chapter folder may carry its own table of contents (test folders do); else the shared one."""
    own = chapters / "_toc.yml"
    return own if own.is_file() else TOC


CHANGE_CHAPTER = "ontwikkeling"  # present only when the edition has a previous one


def edition_toc(toc: Path, source: Path, with_change: bool) -> Path:
    """The edition's table of contents, in its source folder: the shared one, without the chapter
    on what changed when there is no previous edition."""
    spec = yaml.safe_load(toc.read_text(encoding="utf-8"))
    if not with_change and "chapters" in spec:
        chapters = [entry for entry in spec["chapters"] if entry.get("file") != CHANGE_CHAPTER]
        if chapters:
            spec["chapters"] = chapters
        else:  # a book of its root page alone (Jupyter Book refuses an empty list)
            del spec["chapters"]
    own = source / "_toc.yml"
    own.write_text(yaml.safe_dump(spec, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return own


def build_html(source: Path, output: Path, edition: Edition, toc: Path) -> Path:
    """Build ``source`` into ``output``; return the HTML folder. Warnings are errors."""
    config = source / "_config.yml"
    config.write_text(yaml.safe_dump(edition_config(edition), allow_unicode=True, sort_keys=False), encoding="utf-8")
    command = [
        str(Path(sys.executable).with_name("jupyter-book")),
        "build", str(source),
        "--path-output", str(output),
        "--config", str(config.resolve()),
        "--toc", str(toc.resolve()),
        "--builder", "html",
        "-W", "--keep-going", "-q",
    ]  # fmt: skip
    result = run(command)
    if result.returncode != 0:
        raise BookError((result.stderr or result.stdout).strip()[-4000:])
    return output / "_build" / "html"
