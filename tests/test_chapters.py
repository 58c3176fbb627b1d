"""Chapters never reach a raw count: what their code may import and touch, and what is
reachable from the handle they get."""

from __future__ import annotations

import ast
import dataclasses
import json
from pathlib import Path

import pandas as pd
import pytest
from helpers import planted_tables, write_edition

from kansrijk.paths import CHAPTERS

# What chapter code may import: the protected layer and presentation, nothing that reads inputs.
ALLOWED = {
    "kansrijk": {"figures", "fmt", "labels", "show", "story", "tables"},
    "kansrijk.chapter": {"open_chapter", "references"},
    "kansrijk.catalogue": {"load_catalogue"},  # reference data, not an edition's data
    "kansrijk.myst": {"Myst"},
}
FORBIDDEN_NAMES = {"open", "exec", "eval", "compile", "__import__", "getattr", "setattr", "globals", "vars", "locals"}


def _code(notebook: Path) -> list[str]:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return [
        "".join(c["source"]) if isinstance(c["source"], list) else c["source"]
        for c in cells
        if c["cell_type"] == "code"
    ]


@pytest.mark.parametrize("notebook", sorted(CHAPTERS.glob("*.ipynb")), ids=lambda p: p.stem)
def test_chapter_code_uses_only_the_protected_layer(notebook):
    problems = []
    for source in _code(notebook):
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Import):
                problems += [f"import {a.name}" for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                allowed = ALLOWED.get(node.module or "", set())
                problems += [f"from {node.module} import {a.name}" for a in node.names if a.name not in allowed]
            elif isinstance(node, ast.Name) and node.id in FORBIDDEN_NAMES:
                problems.append(f"uses {node.id}")
            elif isinstance(node, ast.Attribute) and node.attr.startswith("_"):
                problems.append(f"touches .{node.attr}")
    assert not problems, f"{notebook.name}: {problems}"


@pytest.mark.parametrize("notebook", sorted(CHAPTERS.glob("*.ipynb")), ids=lambda p: p.stem)
def test_every_chapter_opens_its_own_page(notebook):
    sources = "\n".join(_code(notebook))
    assert f'open_chapter(editie, "{notebook.stem}")' in sources


def _cells(notebook: Path) -> list[tuple[str, list[str]]]:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return [("".join(c["source"]), c["metadata"].get("tags", [])) for c in cells if c["cell_type"] == "code"]


@pytest.mark.parametrize("notebook", sorted(CHAPTERS.glob("*.ipynb")), ids=lambda p: p.stem)
def test_pages_are_quiet(notebook):
    """Set-up, parameter and glue cells stay in the notebook for the reviewer and off the page;
    a page folds at most one computation per figure or table group, and a page without figures
    or tables folds none."""
    problems = []
    for source, tags in _cells(notebook):
        shows = "h.figure(" in source or "h.table(" in source
        page_tags = [t for t in tags if t.startswith(("remove-", "hide-"))]
        expected = ["hide-input"] if shows else ["remove-input"] if "h.note(" in source else ["remove-cell"]
        if page_tags != expected:
            problems.append(f"{source.splitlines()[0]!r}: {page_tags}, expected {expected}")
    assert not problems, f"{notebook.name}: {problems}"


def _reachable(root: object) -> list[object]:
    """Every object reachable from ``root`` through attributes, mappings and sequences."""
    seen, stack, found = set(), [root], []
    while stack:
        item = stack.pop()
        if id(item) in seen or isinstance(item, str | int | float | bool | bytes | type(None) | Path):
            continue
        seen.add(id(item))
        found.append(item)
        if isinstance(item, dict):
            stack += list(item.keys()) + list(item.values())
        elif isinstance(item, list | tuple | set | frozenset):
            stack += list(item)
        elif dataclasses.is_dataclass(item):
            stack += [getattr(item, f.name) for f in dataclasses.fields(item)]
        elif hasattr(item, "__dict__") and type(item).__module__.startswith("kansrijk"):
            stack += list(vars(item).values())
    return found


def test_nothing_raw_is_reachable_from_a_chapter(tmp_path, monkeypatch):
    """From the handle a chapter gets, no child-level frame, no raw count and no true value of a
    suppressed cell can be reached: those never leave the disclosure step."""
    from kansrijk.chapter import open_chapter
    from kansrijk.validation import EditionData

    tables = planted_tables()
    params = write_edition(tmp_path, tables, slug="kleindorp")
    monkeypatch.chdir(tmp_path)
    handle = open_chapter(str(params), "test")
    objects = _reachable(handle)
    assert not [o for o in objects if isinstance(o, EditionData | pd.DataFrame | pd.Series)]
    # the disclosure step's own objects, which hold the true values, stay behind
    assert not [o for o in objects if type(o).__name__ in ("Analysis", "Registry", "Universe", "Quantity")]
    # the suppressed rate of children of low-educated parents (34 of 37) exists only as its status
    laag = handle.cijfers.rate("kinderen.extra_aandacht_naar_opleiding.laag")
    assert (laag.n, laag.noemer, laag.pct, laag.ci_laag, laag.ci_hoog) == (None,) * 5
    assert laag.status == "primair_onderdrukt" and laag.reason == "groep kleiner dan 50"
    suppressed = [
        o for o in objects if hasattr(o, "status") and o.status in ("primair_onderdrukt", "secundair_onderdrukt")
    ]
    assert suppressed and all(
        getattr(o, name, None) is None
        for o in suppressed
        for name in ("n", "noemer", "pct", "ci_laag", "ci_hoog", "value")
    )
