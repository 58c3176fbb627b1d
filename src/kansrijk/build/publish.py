"""Publish an edition atomically: the new edition replaces the old one only when complete."""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path


def staging_dir(book: Path, slug: str) -> Path:
    """A fresh staging folder on the same file system as the published edition."""
    path = book / ".staging" / f"{slug}-{uuid.uuid4().hex[:8]}"
    path.mkdir(parents=True)
    return path


def publish(assembled: Path, book: Path, slug: str) -> Path:
    """Swap ``assembled`` in as ``book/<slug>``: two renames on one file system, the old edition
    removed only after the new one is in place."""
    final = book / slug
    old = book / ".staging" / f"{slug}-vorige-{uuid.uuid4().hex[:8]}"
    if final.exists():
        os.rename(final, old)
    os.rename(assembled, final)
    if old.exists():
        shutil.rmtree(old)
    return final


def keep_failed(notebooks: list[Path], book: Path, slug: str) -> Path:
    """Keep failed executed notebooks under ``book/.failed/<slug>/`` for debugging."""
    target = book / ".failed" / slug
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    for notebook in notebooks:
        if notebook.exists():
            shutil.copy2(notebook, target / notebook.name)
    return target
