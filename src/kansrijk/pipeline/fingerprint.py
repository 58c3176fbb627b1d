"""What an edition's build depends on, hashed: the cache key."""

from __future__ import annotations

import hashlib
import json
import platform
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from kansrijk import inputs
from kansrijk.params import Edition
from kansrijk.paths import CONFIG, REFERENCE, ROOT, TOC
from kansrijk.pipeline.pdf import chromium

KEY_PACKAGES = (
    "kansrijk", "pandas", "numpy", "pandera", "statsmodels", "scipy", "seaborn", "matplotlib", "papermill",
    "jupyter-book", "myst-nb", "sphinx", "sphinx-book-theme", "geopandas", "babel", "ipykernel",
)  # fmt: skip
PACKAGE = Path(__file__).resolve().parents[1]


def versions() -> dict[str, str]:
    found = {"python": platform.python_version()}
    for name in KEY_PACKAGES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "niet geïnstalleerd"
    return found


def _files(folder: Path, pattern: str) -> list[Path]:
    return sorted(p for p in folder.rglob(pattern) if p.is_file() and "__pycache__" not in p.parts)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def dependencies(edition: Edition, previous: Edition | None = None) -> dict[str, object]:
    """What every chapter of an edition depends on: the package code and reference data, the
    book's configuration, the parameters, the input files (the boundaries among them), the previous
    edition's parameters and input files, and the dependency versions. The files are fingerprinted
    as they are, not as validated (:mod:`kansrijk.inputs`): the same files, code and versions
    validate the same."""
    return {
        "code": {str(p.relative_to(PACKAGE)): _digest(p) for p in _files(PACKAGE, "*.py")},
        # reference data (not their README): catalogue, facts, cited figures
        "referentie": {
            str(p.relative_to(REFERENCE)): _digest(p) for p in _files(REFERENCE, "*") if p.suffix in (".csv", ".yml")
        },
        "boek": {p.name: _digest(p) for p in (CONFIG, TOC) if p.is_file()},
        "parameters": edition.params.model_dump(mode="json"),
        "invoer": inputs.fingerprints(edition),
        "vorige": previous.params.model_dump(mode="json") if previous else None,
        "vorige_invoer": inputs.fingerprints(previous) if previous else {},
        "versies": versions(),
        "root": str(ROOT),
        "pdf": chromium() is not None,  # a machine that gains Chromium makes the PDF edition
    }


def _hash(parts: dict[str, object]) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def cache_key(depends_on: dict[str, object], chapters: Path) -> str:
    """One hash over the chapter templates (and the book's static pages and theme) and what every
    chapter depends on (:func:`dependencies`): an edition whose key is unchanged is not built again."""
    templates = {str(p.relative_to(chapters)): _digest(p) for p in _files(chapters, "*")}
    return _hash(depends_on | {"hoofdstukken": templates})


def chapter_key(depends_on: dict[str, object], template: Path) -> str:
    """The key of one chapter: its own template and what every chapter depends on. A chapter
    whose key is unchanged is taken from the cache instead of executed again."""
    return _hash(depends_on | {"hoofdstuk": {template.name: _digest(template)}})


def plan_key(depends_on: dict[str, object]) -> str:
    """The key of an edition's plan (its publication): what every chapter depends on, no chapter."""
    return _hash(depends_on)
