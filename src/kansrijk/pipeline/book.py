"""Render executed notebooks into a static site with Jupyter Book 1.x."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from kansrijk import colophon
from kansrijk.params import Edition
from kansrijk.paths import CONFIG, TOC
from kansrijk.pipeline.pdf import chromium, pdf_name, print_margins


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


def build_html(source: Path, output: Path, edition: Edition, toc: Path, kept: Path | None = None) -> Path:
    """Build ``source`` into ``output``; return the HTML folder. Warnings are errors.

    With ``kept`` (the edition's own folder under ``book/.work/sphinx/``) the book is built there,
    from a copy of ``source`` in which only changed files are replaced, so that Sphinx keeps its
    environment and reads again only the pages that changed; the result is copied to ``output``."""
    config = source / "_config.yml"
    config.write_text(yaml.safe_dump(edition_config(edition), allow_unicode=True, sort_keys=False), encoding="utf-8")
    if kept is None:
        return _jupyter_book(source, output, config, toc)
    mirror, built = kept / "bron", kept / "uitvoer"
    try:
        sync(source, mirror)
        # Left from the last build, two files would make this book differ from one built from scratch:
        # myst-nb's style sheet (written after the pages, so Sphinx would give its link a checksum)
        # and the search index (Sphinx would merge into the old one); every page is written and indexed again
        html_out = built / "_build" / "html"
        for stale in [*(html_out / "_static").glob("mystnb.*.css"), html_out / "searchindex.js"]:
            stale.unlink(missing_ok=True)
        html = _jupyter_book(mirror, built, mirror / config.name, mirror / toc.relative_to(source))
    except BaseException:
        shutil.rmtree(kept, ignore_errors=True)  # an environment of a failed build is not trusted again
        raise
    target = output / "_build" / "html"
    shutil.copytree(html, target)
    return target


def _jupyter_book(source: Path, output: Path, config: Path, toc: Path) -> Path:
    from kansrijk.pipeline.sphinxbuild import build

    failure = build(source, output, config.resolve(), toc.resolve())
    if failure is not None:
        raise BookError(failure[-4000:])
    return output / "_build" / "html"


def sync(source: Path, mirror: Path) -> None:
    """Make ``mirror`` hold exactly the files of ``source``, replacing only files whose content
    differs (an unchanged file keeps its time, so Sphinx does not read it again)."""
    wanted = {p.relative_to(source) for p in source.rglob("*") if p.is_file()}
    if mirror.is_dir():
        for path in sorted(mirror.rglob("*"), reverse=True):
            relative = path.relative_to(mirror)
            if path.is_file() and relative not in wanted:
                path.unlink()
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()
    for relative in sorted(wanted):
        new, old = source / relative, mirror / relative
        if old.is_file() and old.stat().st_size == new.stat().st_size and old.read_bytes() == new.read_bytes():
            continue
        old.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(new, old)
