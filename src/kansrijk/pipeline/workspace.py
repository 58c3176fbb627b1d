"""The book folder's private part, ``book/.work/``: what a build needs but never publishes.

```
book/.work/
  locks/<slug>.lock     one build of an edition at a time (fcntl)
  staging/<slug>-<id>/  an edition being built, or an old one just swapped out
  cache/<slug>.json     which parameter file owns the slug, the published cache key, last check
  cache/plannen/        each edition's last plan (its publication), with the key it was made for
  cache/hoofdstukken/   each edition's chapters as last executed (notebook, figures, tables, ledger)
  sphinx/<slug>/        the edition's Jupyter Book folder and Sphinx environment, kept between builds
  failed/<slug>/        the executed notebooks of chapters that failed, for the analyst
  build.log             the workers' start-up noise and unexpected errors, with their tracebacks
```

Staging lives on the same file system as the published editions, so that publishing is a
rename. Whoever holds an edition's lock owns its staging folders: the next build of that
edition removes what a killed build left behind.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

WORK = ".work"
STAGING_SUFFIX = 8  # hex digits after a staging folder's slug


class EditionBusyError(RuntimeError):
    """Another process is building this edition."""


@dataclass(frozen=True)
class Workspace:
    """The private folders of one book folder."""

    book: Path

    @property
    def root(self) -> Path:
        return self.book / WORK

    @property
    def log(self) -> Path:
        return self.root / "build.log"

    def folder(self, name: str) -> Path:
        path = self.root / name
        path.mkdir(parents=True, exist_ok=True)
        return path

    @contextlib.contextmanager
    def lock(self, name: str, wait: bool = False) -> Iterator[None]:
        """Hold ``locks/<name>.lock``; without ``wait``, raise :class:`EditionBusyError` when it is held."""
        path = self.folder("locks") / f"{name}.lock"
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
            except BlockingIOError:
                raise EditionBusyError(name) from None
            yield
        finally:
            os.close(fd)  # closing releases the lock, also when the process is killed

    def staging(self, slug: str) -> Path:
        """A fresh staging folder for ``slug`` (the caller holds its lock)."""
        path = self.folder("staging") / f"{slug}-{uuid.uuid4().hex[:STAGING_SUFFIX]}"
        path.mkdir()
        return path

    def remove_stale(self, slug: str) -> int:
        """Remove the staging folders a killed or interrupted build of ``slug`` left behind (the
        caller holds its lock, so none is in use); return how many."""
        folder = self.root / "staging"
        # exactly this slug's: "utrecht-*" would also take the folder of utrecht-2023 building beside it
        own = re.compile(re.escape(slug) + f"-[0-9a-f]{{{STAGING_SUFFIX}}}")
        stale = [p for p in folder.iterdir() if own.fullmatch(p.name) and p.is_dir()] if folder.is_dir() else []
        for path in stale:
            shutil.rmtree(path, ignore_errors=True)
        return len(stale)

    def cached(self, kind: str, slug: str, key: str, force: bool = False) -> Path | None:
        """The file kept under ``cache/<kind>/`` for ``slug`` when it was made for ``key``."""
        folder = self.root / "cache" / kind
        try:
            kept = (folder / f"{slug}.sleutel").read_text(encoding="utf-8")
        except OSError:
            return None
        path = folder / f"{slug}.bestand"
        return path if not force and kept == key and path.is_file() else None

    def keep(self, kind: str, slug: str, key: str, source: Path) -> None:
        """Keep a copy of ``source`` under ``cache/<kind>/`` for ``slug``, made for ``key``."""
        folder = self.folder(f"cache/{kind}")
        (folder / f"{slug}.sleutel").unlink(missing_ok=True)  # the key last: a half-written copy is no hit
        shutil.copy2(source, folder / f"{slug}.bestand")
        write_atomic(folder / f"{slug}.sleutel", key)

    def record(self, slug: str) -> dict:
        """The cache record of ``slug`` (empty when there is none or it cannot be read)."""
        try:
            record = json.loads((self.root / "cache" / f"{slug}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return record if isinstance(record, dict) else {}

    def write_record(self, slug: str, param_file: Path, key: str) -> None:
        """Record which parameter file owns ``slug`` and the cache key of what is published."""
        record = {"parameterbestand": str(param_file), "cache_sleutel": key, "gepubliceerd": _now()}
        write_atomic(self.folder("cache") / f"{slug}.json", json.dumps(record, indent=2) + "\n")

    def note_unchanged(self, slug: str) -> None:
        """Record that a build found nothing to do; best effort (a read-only book is fine)."""
        record = self.record(slug)
        with contextlib.suppress(OSError):
            write_atomic(self.root / "cache" / f"{slug}.json", json.dumps(record | {"gecontroleerd": _now()}) + "\n")

    def owner(self, slug: str) -> Path | None:
        """The parameter file that owns ``slug``, when that file still exists."""
        owner = self.record(slug).get("parameterbestand")
        return Path(owner) if isinstance(owner, str) and Path(owner).is_file() else None


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a unique temporary file and a rename: a reader sees the
    old or the new file, never half of one, and two writers never share a temporary file."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; the file is for readers
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _now() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")
