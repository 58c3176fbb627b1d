"""Execute chapter notebooks with papermill, make the executed notebooks reproducible, and keep
each chapter's outputs in a cache keyed on what it depends on.

A chapter runs in a folder of its own inside the edition's source folder, so that what it makes
(its executed notebook, figures, tables and ledger) is known and can be cached; the outputs then
join the source folder, where the book is built from them. A chapter whose key is unchanged is
restored from the cache instead of executed.
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat

KERNEL_STARTS = 2
KERNEL_START_FAILED = "Kernel died before replying to kernel_info"
KERNEL = "python3"
# Set, every chapter starts a kernel of its own (papermill's nbclient engine) instead of running in
# the worker's shell: to compare (benchmarks/run.py), or to isolate a chapter that behaves oddly.
COLD_KERNELS = "KANSRIJK_KOUDE_KERNELS"
# What papermill records per run that differs between two runs of the same inputs.
_RUN_METADATA = ("start_time", "end_time", "duration", "exception", "environment_variables")


@dataclass(frozen=True)
class ChapterRun:
    """The outcome of one chapter: its executed notebook, duration and, on failure, where and why."""

    name: str
    output: Path
    seconds: float
    error: str | None = None
    cell: int | None = None
    cached: bool = False  # restored from the chapter cache, not executed

    @property
    def failed(self) -> bool:
        return self.error is not None


def run_chapter(template: Path, output: Path, param_ref: str, cwd: Path) -> ChapterRun:
    """Execute one chapter; never raises for a failing cell (the failure is returned)."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    from kansrijk.pipeline.inprocess import ENGINE

    start = time.perf_counter()
    try:
        for attempt in range(KERNEL_STARTS):
            try:
                papermill.execute_notebook(
                    str(template),
                    str(output),
                    parameters={"editie": param_ref},
                    kernel_name=KERNEL,
                    engine_name="nbclient" if os.environ.get(COLD_KERNELS) else ENGINE,
                    cwd=str(cwd),
                    progress_bar=False,
                    log_output=False,
                    request_save_on_cell_execute=False,
                    # one output per stream and cell: how the kernel splits a print into
                    # messages depends on timing, and the notebook must not
                    coalesce_streams=True,
                )
                break
            except RuntimeError as error:
                # a fresh kernel that dies while starting (seen on a loaded machine) ran no cell: start it again
                if KERNEL_START_FAILED not in str(error) or attempt == KERNEL_STARTS - 1:
                    raise
    except PapermillExecutionError as error:
        return ChapterRun(
            template.name,
            output,
            time.perf_counter() - start,
            f"{error.ename}: {error.evalue}",
            _code_cell_number(output, error.cell_index),
        )
    except Exception as error:  # a fresh kernel that dies, or a notebook that cannot be read
        return ChapterRun(template.name, output, time.perf_counter() - start, f"{type(error).__name__}: {error}")
    normalise(output)
    return ChapterRun(template.name, output, time.perf_counter() - start)


def _code_cell_number(notebook: Path, index: int) -> int:
    """The 1-based number of the failing cell among the template's own cells (papermill's index
    counts the cell it injected)."""
    nb = nbformat.read(notebook, as_version=4)
    injected = any("injected-parameters" in c.metadata.get("tags", []) for c in nb.cells[:index])
    return index + 1 - int(injected)


def normalise(notebook: Path) -> None:
    """An executed notebook that is the same for the same inputs: no timestamps, no local paths
    and no random cell ids; papermill's injected parameter cell left off the page like the template's own."""
    nb = nbformat.read(notebook, as_version=4)
    run = nb.metadata.get("papermill", {})
    for key in _RUN_METADATA:
        run.pop(key, None)
    if "input_path" in run:
        run["input_path"] = f"chapters/{notebook.name}"
        run["output_path"] = f"notebooks/{notebook.name}"
    for index, cell in enumerate(nb.cells):
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        tags = cell.metadata.setdefault("tags", [])
        if "injected-parameters" in tags:
            cell["id"] = "injected-parameters"
            if "remove-cell" not in tags:
                tags.append("remove-cell")
        elif not cell.get("id"):
            cell["id"] = f"cel-{index}"
    nbformat.write(nb, notebook)


OUTPUTS = ("figuren", "tabellen", "cijfers")  # the folders a chapter writes (see kansrijk.chapter)
KEY_FILE = "sleutel"
OWN_FOLDER = ".hoofdstuk"  # each chapter's working folder inside the source folder


def run_cached(template: Path, source: Path, param_ref: str, cache: Path, key: str, force: bool = False) -> ChapterRun:
    """Run one chapter in its own folder and move what it made into ``source``; with an unchanged
    ``key`` (and no ``force``), restore it from ``cache`` instead. A chapter that fails is not cached."""
    start = time.perf_counter()
    stored = cache / template.stem
    if not force and _key(stored) == key:
        _copy_outputs(stored, source)
        shutil.copy2(stored / template.name, source / template.name)
        return ChapterRun(template.name, source / template.name, time.perf_counter() - start, cached=True)
    folder = source / OWN_FOLDER / template.stem
    folder.mkdir(parents=True)
    for shared in (param_ref, *_shared(source)):
        os.symlink(source / shared, folder / shared)
    run = run_chapter(template, folder / template.name, param_ref, folder)
    if run.failed:
        return run
    _store(folder, template.name, stored, key)
    _copy_outputs(folder, source)
    shutil.move(folder / template.name, source / template.name)
    shutil.rmtree(folder)
    return ChapterRun(run.name, source / template.name, run.seconds)


def _shared(source: Path) -> list[str]:
    """What every chapter reads from the source folder besides its parameter file: the plan."""
    from kansrijk.chapter import PUBLICATION_FILE

    return [PUBLICATION_FILE] if (source / PUBLICATION_FILE).exists() else []


def _key(stored: Path) -> str | None:
    try:
        return (stored / KEY_FILE).read_text(encoding="utf-8")
    except OSError:
        return None


def _copy_outputs(folder: Path, target: Path) -> None:
    for name in OUTPUTS:
        if (folder / name).is_dir():
            shutil.copytree(folder / name, target / name, dirs_exist_ok=True)


def _store(folder: Path, notebook: str, stored: Path, key: str) -> None:
    """Keep a chapter's outputs under ``stored``, replacing the old ones in two renames (the
    edition's lock keeps other builds of it out)."""
    fresh = stored.with_name(f"{stored.name}.nieuw")
    shutil.rmtree(fresh, ignore_errors=True)
    fresh.mkdir(parents=True)
    _copy_outputs(folder, fresh)
    shutil.copy2(folder / notebook, fresh / notebook)
    (fresh / KEY_FILE).write_text(key, encoding="utf-8")
    old = stored.with_name(f"{stored.name}.oud")
    shutil.rmtree(old, ignore_errors=True)
    if stored.exists():
        stored.rename(old)
    fresh.rename(stored)
    shutil.rmtree(old, ignore_errors=True)
