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
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from kansrijk.params import load_edition, param_path, resolve_path
from kansrijk.paths import CONFIG, TOC
from kansrijk.pipeline.run import EXIT_SIGNAL, BuildOptions, BuildResult, build_editions, open_workers
from kansrijk.pipeline.workspace import Workspace
from kansrijk.problems import InputError

PACKAGE = Path(__file__).resolve().parents[1]  # src/kansrijk
IGNORED_DIRS = {"__pycache__", ".ipynb_checkpoints", ".git"}


def watched(refs: Iterable[str], options: BuildOptions) -> list[Path]:
    """What a build of ``refs`` reads: the parameter files, each edition's input folder and the
    files it names, the chapters, the book's configuration and the package's code."""
    paths = {options.chapters, CONFIG, TOC, PACKAGE}
    for ref in refs:
        path = param_path(ref)
        paths.add(path)
        try:
            edition = load_edition(ref)
        except InputError:  # a broken parameter file: its fix is the change to wait for
            continue
        paths.add(edition.data_dir)
        p = edition.params
        paths.update(resolve_path(name) for name in (p.grenzen, p.koppeltabel, p.wijk_koppeling) if name)
    return sorted(path.resolve() for path in paths if path.exists())


def relevant(path: Path, book: Path) -> bool:
    """A change that can change a build: not in the book folder, a cache or an editor's folder."""
    return book not in path.parents and not IGNORED_DIRS.intersection(path.parts)


def is_code(path: Path) -> bool:
    return PACKAGE in path.parents and path.suffix == ".py"


def watch(refs: list[str], options: BuildOptions, console: Console, report: Callable[[list[BuildResult]], int]) -> int:
    """Build ``refs``, then again after every relevant change, until Ctrl-C (exit 0, or the
    interrupted build's code). ``report`` shows a build's results and gives its exit code."""
    workspace = Workspace(options.book)
    options.book.mkdir(parents=True, exist_ok=True)
    workspace.root.mkdir(exist_ok=True)
    with open_workers(options, workspace) as workers:
        code = report(build_editions(refs, options, console, workers))
        options = BuildOptions(**{**options.__dict__, "force": False})  # from now on the caches decide
        try:
            for changed in _changes(refs, options, console):
                if any(is_code(path) for path in changed):
                    console.print("De code van kansrijk is gewijzigd: de opdracht begint opnieuw.")
                    break
                console.print(f"Gewijzigd: {', '.join(sorted(escape(p.name) for p in changed)[:5])}", highlight=False)
                code = report(build_editions(refs, options, console, workers))
                if code in EXIT_SIGNAL.values():  # the build was interrupted, and so is the watch
                    return code
            else:
                return code
        except KeyboardInterrupt:
            return 0
    # The workers have ended with the block above: the same command again, with the new code.
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, [sys.executable, *sys.orig_argv[1:]])


def _changes(refs: list[str], options: BuildOptions, console: Console) -> Iterator[set[Path]]:
    """Each set of relevant changes. One watcher collects them, during a build too, for as long as
    the builds read the same files (a parameter file may come to name other inputs)."""
    from watchfiles import DefaultFilter
    from watchfiles import watch as changes_of

    book = options.book.resolve()
    while True:
        paths = watched(refs, options)
        console.print("[bold]Wacht op wijzigingen[/] (Ctrl-C stopt).", highlight=False)
        for found in changes_of(*paths, watch_filter=DefaultFilter(), raise_interrupt=True):
            changed = {Path(path) for _, path in found if relevant(Path(path), book)}
            if changed:
                yield changed
                if watched(refs, options) != paths:
                    break
                console.print("[bold]Wacht op wijzigingen[/] (Ctrl-C stopt).", highlight=False)
