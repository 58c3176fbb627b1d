"""Execute chapter notebooks with papermill, in parallel processes."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import nbformat

KERNEL = "python3"


@dataclass(frozen=True)
class ChapterRun:
    """The outcome of one chapter: its executed notebook, duration and, on failure, where and why."""

    name: str
    output: Path
    seconds: float
    error: str | None = None
    cell: int | None = None

    @property
    def failed(self) -> bool:
        return self.error is not None


def quiet_kernels(log: Path) -> None:
    """Send this worker's (and so its kernels') stderr to a log file: kernel start-up warnings are
    noise on the analyst's terminal, while a chapter's own errors are returned, not printed."""
    import os

    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(fd, 2)
    os.close(fd)


def run_chapter(template: Path, output: Path, param_ref: str, cwd: Path) -> ChapterRun:
    """Execute one chapter; never raises for a failing cell (the failure is returned)."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    start = time.perf_counter()
    try:
        papermill.execute_notebook(
            str(template),
            str(output),
            parameters={"editie": param_ref},
            kernel_name=KERNEL,
            cwd=str(cwd),
            progress_bar=False,
            log_output=False,
            request_save_on_cell_execute=False,
        )
    except PapermillExecutionError as error:
        return ChapterRun(
            template.name,
            output,
            time.perf_counter() - start,
            f"{error.ename}: {error.evalue}",
            _code_cell_number(output, error.cell_index),
        )
    except Exception as error:  # a kernel that dies or a notebook that cannot be read
        return ChapterRun(template.name, output, time.perf_counter() - start, f"{type(error).__name__}: {error}")
    hide_injected_parameters(output)
    return ChapterRun(template.name, output, time.perf_counter() - start)


def _code_cell_number(notebook: Path, index: int) -> int:
    """The 1-based number of the failing cell among the template's own cells (papermill's index
    counts the cell it injected)."""
    nb = nbformat.read(notebook, as_version=4)
    injected = any("injected-parameters" in c.metadata.get("tags", []) for c in nb.cells[:index])
    return index + 1 - int(injected)


def hide_injected_parameters(notebook: Path) -> None:
    """Papermill's injected cell is hidden in the book, like the template's own parameters cell."""
    nb = nbformat.read(notebook, as_version=4)
    for cell in nb.cells:
        tags = cell.metadata.setdefault("tags", [])
        if "injected-parameters" in tags and "hide-cell" not in tags:
            tags.append("hide-cell")
    nbformat.write(nb, notebook)
