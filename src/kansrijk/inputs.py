"""The files an edition's inputs come from, and their fingerprints, found without reading them as
tables: what a build compares to decide that nothing changed, before anything is validated (and
without importing pandas)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from kansrijk.params import Edition, resolve_path


def files(edition: Edition) -> list[Path]:
    """Every file that validating ``edition`` may read: the files in its data folder, and the files
    its parameters name (koppeltabel, wijk_koppeling, grenzen). A folder or file that is not
    there, or cannot be listed, is left out: validation says what is wrong with it."""
    try:
        found = sorted(f for f in edition.data_dir.iterdir() if f.is_file())
    except OSError:
        found = []
    p = edition.params
    named = [resolve_path(name) for name in (p.koppeltabel, p.wijk_koppeling) if name]
    return found + [f for f in [*named, edition.boundaries] if f is not None and f.is_file()]


def digest(path: Path) -> str | None:
    """The SHA-256 of a file; ``None`` when it cannot be read (validation reports why)."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def fingerprints(edition: Edition) -> dict[str, str | None]:
    """Each of :func:`files`, by path, with its :func:`digest`."""
    return {str(path): digest(path) for path in files(edition)}
