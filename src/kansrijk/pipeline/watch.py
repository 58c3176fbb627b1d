"""``kansrijk build --watch``: build, then build again whenever an input, a parameter file or a
chapter changes, with the same warm workers (and printer) for every build.

Each build after the first is an ordinary build: the chapter cache re-executes only what
changed, and Sphinx re-reads only the changed pages. What the watch adds is that the workers'
start and warm-up (imports, the chapter shell, Sphinx, Chromium) are paid once, not at every
build. A change to the package's own code ends the workers and starts the command again, so
that no build runs old code.
"""

from __future__ import annotations

import os
import queue
import sys
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from kansrijk.params import load_edition, param_path, resolve_path
from kansrijk.paths import CONFIG, TOC
from kansrijk.pipeline.run import BuildOptions, BuildResult, Stop, build_editions, open_workers
from kansrijk.pipeline.workspace import Workspace
from kansrijk.problems import InputError

PACKAGE = Path(__file__).resolve().parents[1]  # src/kansrijk
IGNORED_DIRS = {"__pycache__", ".ipynb_checkpoints", ".git"}


@dataclass(frozen=True)
class Watched:
    """What a build reads: folders whose every file counts, and single files. Each is watched
    through its folder, not recursively (an editor that saves a file by renaming a new one over
    it ends a watch on the file itself, and a file's folder may be a home folder)."""

    folders: frozenset[Path]
    files: frozenset[Path]

    @property
    def roots(self) -> list[Path]:
        return sorted(self.folders | {file.parent for file in self.files})

    def covers(self, path: Path) -> bool:
        return path in self.files or (path.parent in self.folders and not IGNORED_DIRS.intersection(path.parts))


def watched(refs: Iterable[str], options: BuildOptions) -> Watched:
    """What a build of ``refs`` reads: the parameter files, each edition's input folder and the
    files it names, the chapters (with their style sheet, templates and catalogue), the book's
    configuration and the package's code."""
    folders = {options.chapters, *(sub for sub in options.chapters.iterdir() if sub.is_dir())}
    folders |= {PACKAGE, *(sub for sub in PACKAGE.rglob("*") if sub.is_dir())}
    files = {CONFIG, TOC}
    for ref in refs:
        files.add(param_path(ref))
        try:
            edition = load_edition(ref)
        except InputError:  # a broken parameter file: its fix is the change to wait for
            continue
        folders.add(edition.data_dir)
        p = edition.params
        files.update(resolve_path(name) for name in (p.grenzen, p.koppeltabel, p.wijk_koppeling) if name)
    book = options.book.resolve()

    def kept(paths: set[Path]) -> frozenset[Path]:
        resolved = {path.resolve() for path in paths}
        return frozenset(p for p in resolved if p != book and book not in p.parents and not IGNORED_DIRS & set(p.parts))

    return Watched(kept({f for f in folders if f.is_dir()}), kept({f for f in files if f.parent.is_dir()}))


def is_code(path: Path) -> bool:
    return PACKAGE in path.parents and path.suffix == ".py"


def watch(refs: list[str], options: BuildOptions, console: Console, report: Callable[[list[BuildResult]], int]) -> int:
    """Build ``refs``, then again after every relevant change, until Ctrl-C (exit 0, or the
    interrupted build's code). ``report`` shows a build's results and gives its exit code."""
    workspace = Workspace(options.book)
    options.book.mkdir(parents=True, exist_ok=True)
    workspace.root.mkdir(exist_ok=True)
    changes = _Changes(watched(refs, options))  # from before the first build: a save during it counts
    try:
        with open_workers(options, workspace) as workers:

            def interrupted(options: BuildOptions) -> int | None:
                """Build once; the code of a signal that came during the build, which ends the
                watch also when it came after the build had published (it stopped the workers)."""
                stop = Stop()
                report(build_editions(refs, options, console, workers, stop))
                return stop.code if stop.requested else None

            if (code := interrupted(options)) is not None:
                return code
            options = BuildOptions(**{**options.__dict__, "force": False})  # from now on the caches decide
            while True:
                console.print("[bold]Wacht op wijzigingen[/] (Ctrl-C stopt).", highlight=False)
                changed = changes.next()
                if any(is_code(path) for path in changed):
                    console.print("De code van kansrijk is gewijzigd: de opdracht begint opnieuw.")
                    break
                names = ", ".join(sorted(escape(path.name) for path in changed)[:5])
                console.print(f"Gewijzigd: {names}", highlight=False)
                if (code := interrupted(options)) is not None:
                    return code
                changes.follow(watched(refs, options))  # a parameter file may name other inputs now
    except KeyboardInterrupt:
        return 0
    finally:
        changes.close()
    # The workers have ended with the block above: the same command again, with the new code.
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, [sys.executable, *sys.orig_argv[1:]])


class _Changes:
    """The changes to what the builds read, collected by a watcher thread all along (during a
    build too), and handed out as one set per wait."""

    def __init__(self, paths: Watched) -> None:
        self.found: queue.Queue[set[Path]] = queue.Queue()
        self.paths = paths
        self.stop = self._start(paths)

    def _start(self, paths: Watched) -> threading.Event:
        from watchfiles import DefaultFilter
        from watchfiles import watch as changes_of

        stop, ready = threading.Event(), threading.Event()

        def collect() -> None:
            found = changes_of(
                *paths.roots,
                watch_filter=DefaultFilter(),
                recursive=False,
                stop_event=stop,
                raise_interrupt=False,
                yield_on_timeout=True,
                rust_timeout=200,
            )
            for batch in found:  # the first (empty, at the first timeout) says the watcher is in place
                ready.set()
                if relevant := {Path(path) for _, path in batch if paths.covers(Path(path))}:
                    self.found.put(relevant)

        threading.Thread(target=collect, daemon=True, name="watch").start()
        ready.wait(5)
        return stop

    def follow(self, paths: Watched) -> None:
        """Watch ``paths`` from now on (the new watcher starts before the old one stops)."""
        if paths != self.paths:
            old, self.stop, self.paths = self.stop, self._start(paths), paths
            old.set()

    def next(self) -> set[Path]:
        """The next changes, and whatever else changed meanwhile."""
        while True:
            try:
                changed = self.found.get(timeout=0.5)  # with a timeout, Ctrl-C reaches this thread
                break
            except queue.Empty:
                continue
        while not self.found.empty():
            changed |= self.found.get_nowait()
        return changed

    def close(self) -> None:
        self.stop.set()
