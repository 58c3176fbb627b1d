"""Execute chapter notebooks with papermill, and make the executed notebooks reproducible."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import nbformat

KERNEL = "python3"
KERNEL_STARTS = 2
KERNEL_START_FAILED = "Kernel died before replying to kernel_info"
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

    @property
    def failed(self) -> bool:
        return self.error is not None


def run_chapter(template: Path, output: Path, param_ref: str, cwd: Path) -> ChapterRun:
    """Execute one chapter; never raises for a failing cell (the failure is returned)."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    from kansrijk.pipeline.kernels import ENGINE

    start = time.perf_counter()
    try:
        for attempt in range(KERNEL_STARTS):
            try:
                papermill.execute_notebook(
                    str(template),
                    str(output),
                    parameters={"editie": param_ref},
                    kernel_name=KERNEL,
                    engine_name=ENGINE,
                    cwd=str(cwd),
                    progress_bar=False,
                    log_output=False,
                    request_save_on_cell_execute=False,
                )
                break
            except RuntimeError as error:
                # a kernel that dies while starting (seen on a loaded machine) ran no cell: start it again
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
    except Exception as error:  # a kernel that dies or a notebook that cannot be read
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
