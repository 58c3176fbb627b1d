"""Every path of the project derives from here."""

from __future__ import annotations

import os
from pathlib import Path


def _find_root() -> Path:
    """The repository root: ``$KANSRIJK_ROOT``, else the checkout this package is installed from."""
    if env := os.environ.get("KANSRIJK_ROOT"):
        return Path(env).resolve()
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "pyproject.toml").is_file() and (parent / "data" / "reference").is_dir():
            return parent
    # An installed (non-editable) package: fall back to the working directory.
    return Path.cwd().resolve()


ROOT = _find_root()
PARAMS = ROOT / "params"
DATA = ROOT / "data"
REFERENCE = DATA / "reference"
CHAPTERS = ROOT / "chapters"
BOOK = ROOT / "book"
CONFIG = ROOT / "_config.yml"
TOC = ROOT / "_toc.yml"
SHARED_DATA = ROOT.parent / "shared" / "data"
