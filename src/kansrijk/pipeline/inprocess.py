"""Execute chapter notebooks in the worker's own interpreter: a papermill engine on one IPython
shell per worker process, instead of a kernel process spoken to over ZeroMQ.

A kernel costs a process per worker with its own copy of the analysis stack (2 s of imports and
a few hundred MB), and every output crosses a socket. Here the worker imports the stack once, for
its plans, books and chapters alike, and a chapter's outputs are written straight into its
notebook, as a kernel and nbclient would write them: the same display data, streams merged as
nbclient's ``coalesce_streams`` merges them, execution counts, errors with their traceback and
the kernel's ``language_info``. ``tests/test_inprocess.py`` checks that every chapter's notebook
is the same as one executed by papermill in a fresh kernel. The shell has run :data:`WARM_UP`
before its first notebook, as the warm kernels did: matplotlib draws on Agg (``kansrijk.figures``),
so a figure left open is not shown, as in a chapter in a fresh kernel.

Between two notebooks the shell is reset (namespace, output history, execution counter, open
figures). A chapter that ends its process (``os._exit``, a crash in a C library, the operating
system's out-of-memory killer) ends the worker: the pool replaces it (see ``workers.WorkerPool``), and the
editions that were in it fail with a message saying so.
"""

from __future__ import annotations

import io
import re
import sys
from contextlib import redirect_stderr, redirect_stdout

import nbformat
from IPython.core.displayhook import DisplayHook
from IPython.core.displaypub import DisplayPublisher
from IPython.core.interactiveshell import InteractiveShell
from papermill.engines import Engine, papermill_engines

ENGINE = "kansrijk-in-proces"
INLINE = "module://matplotlib_inline.backend_inline"  # the backend ipykernel gives a kernel
# What every chapter imports, and one figure drawn (matplotlib reads its fonts the first time);
# the imported modules are then frozen out of the garbage collector's sight (the shell's reset
# collects garbage, and walking the libraries' objects would cost 80 ms per notebook).
WARM_UP = """\
import numpy, pandas, pandera, scipy.stats, statsmodels.api, seaborn, matplotlib.pyplot, myst_nb
import kansrijk.chapter, kansrijk.figures, kansrijk.tables, kansrijk.story, kansrijk.show, kansrijk.validation
import io; f = matplotlib.pyplot.figure(); f.text(0, 0, 'Kansrijk'); f.savefig(io.BytesIO(), format='png')
matplotlib.pyplot.close(f)
__import__('gc').freeze()
"""
SKIP_TAG, RAISES_TAG = "skip-execution", "raises-exception"  # nbclient's tags
# nbclient's treatment of a merged stream: a line up to a carriage return that does not end it is
# removed. (Its backspace rule never runs: its loop starts with equal lengths.)
_CARRIAGE_RETURN = re.compile(r".*\r(?=[^\n])")


class _Cell:
    """The outputs of the cell that is running, as nbformat outputs."""

    def __init__(self) -> None:
        self.outputs: list = []
        self.clear_pending = False

    def add(self, output) -> None:
        if self.clear_pending:  # clear_output(wait=True): cleared when the next output comes
            self.outputs.clear()
            self.clear_pending = False
        self.outputs.append(output)

    def stream(self, name: str, text: str) -> None:
        """Text on a stream joins the cell's first output on that stream (nbclient's coalescing)."""
        for output in self.outputs:
            if output.output_type == "stream" and output.name == name and not self.clear_pending:
                output.text += text
                return
        self.add(nbformat.v4.new_output("stream", name=name, text=text))

    def finished(self) -> list:
        """The outputs as nbclient leaves them: carriage returns applied, and standard output
        before an error stream that directly precedes it."""
        outputs = list(self.outputs)
        for output in outputs:
            if output.output_type == "stream":
                output.text = _CARRIAGE_RETURN.sub("", output.text)
        for i, output in enumerate(outputs):
            following = outputs[i + 1] if i + 1 < len(outputs) else None
            if _is_stream(output, "stderr") and following is not None and _is_stream(following, "stdout"):
                outputs.insert(i, outputs.pop(i + 1))
        return outputs


def _is_stream(output, name: str) -> bool:
    return output.output_type == "stream" and output.name == name


class _Stream(io.TextIOBase):
    """``sys.stdout`` or ``sys.stderr`` while a cell runs."""

    def __init__(self, shell: ChapterShell, name: str) -> None:
        self.shell, self.name = shell, name

    @property
    def encoding(self) -> str:
        return "utf-8"

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        if text:
            self.shell.cell.stream(self.name, text)
        return len(text)


def _content(data: dict, metadata: dict | None) -> dict:
    """A mime bundle and its metadata as ipykernel sends them: JSON-clean, images base64-encoded."""
    from ipykernel.jsonutil import encode_images, json_clean

    return json_clean({"data": encode_images(data), "metadata": metadata or {}})


class _Publisher(DisplayPublisher):
    """``display()``: a display_data output, as ipykernel sends it (JSON-clean, images encoded)."""

    def publish(self, data, metadata=None, source=None, *, transient=None, update=False, **kwargs) -> None:
        content = _content(data, metadata)
        display_id = (transient or {}).get("display_id")
        cell = self.shell.cell
        if update:  # update_display_data: every output shown under this id, in this notebook
            for output in self.shell.shown.get(display_id, []):
                output.data, output.metadata = nbformat.from_dict(content["data"]), content["metadata"]
            return
        output = nbformat.v4.new_output("display_data", data=content["data"], metadata=content["metadata"])
        if display_id is not None:
            self.shell.shown.setdefault(display_id, []).append(output)
        cell.add(output)

    def clear_output(self, wait: bool = False) -> None:
        cell = self.shell.cell
        if wait:
            cell.clear_pending = True
        else:
            cell.outputs.clear()


class _Result(DisplayHook):
    """A cell's last expression: an execute_result output."""

    def write_output_prompt(self) -> None:
        pass

    def write_format_data(self, format_dict, md_dict=None) -> None:
        content = _content(format_dict, md_dict)
        output = nbformat.v4.new_output(
            "execute_result", data=content["data"], metadata=content["metadata"], execution_count=self.prompt_count
        )
        self.shell.cell.add(output)

    def finish_displayhook(self) -> None:
        self._is_active = False

    def flush(self) -> None:
        """Forget the last results (``_``, ``__``, ``___``), as IPython's flush does when the shell
        is reset between notebooks; the reset then clears the namespace and the output history.
        IPython's flush also collects all garbage, before the namespace is cleared, so it frees
        nothing of the chapter and walks everything the worker holds (its books and plans): 50 ms
        per notebook. The collector's own runs free the chapter's objects."""
        self._, self.__, self.___ = "", "", ""


class ChapterShell(InteractiveShell):
    """The worker's shell: what a cell shows becomes its outputs."""

    display_pub_class = _Publisher
    displayhook_class = _Result

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.cell = _Cell()
        self.shown: dict[str, list] = {}  # display ids, for update_display

    def _showtraceback(self, etype, evalue, stb: list[str]) -> None:
        error = {"traceback": stb, "ename": str(etype.__name__), "evalue": str(evalue)}
        self.cell.add(nbformat.v4.new_output("error", **error))

    def run(self, source: str) -> tuple[list, bool]:
        """Run one cell: its outputs and whether it succeeded."""
        self.cell = _Cell()
        with redirect_stdout(_Stream(self, "stdout")), redirect_stderr(_Stream(self, "stderr")):
            result = self.run_cell(source, store_history=True)
        return self.cell.finished(), result.success


def shell() -> ChapterShell:
    """This process's shell, made and warmed up the first time."""
    if ChapterShell.initialized():
        return ChapterShell.instance()
    from traitlets.config import Config

    config = Config()
    config.HistoryManager.hist_file = ":memory:"  # as papermill starts a kernel: no history file
    main = sys.modules.get("__main__")
    made = ChapterShell.instance(config=config)
    if main is not None:
        sys.modules["__main__"] = main  # the shell claimed it; it has it only while a notebook runs
    import matplotlib.pyplot  # noqa: F401  (the backend is set on pyplot)
    from IPython.core.pylabtools import activate_matplotlib
    from matplotlib_inline.backend_inline import configure_inline_support

    activate_matplotlib(INLINE)  # as in a kernel: interactive, and a figure left open is shown
    configure_inline_support(made, INLINE)
    _, warmed = made.run(WARM_UP)
    if not warmed:
        raise RuntimeError("de hoofdstukomgeving kon niet worden voorbereid")
    return made


def warm_up() -> None:
    """Make the worker's shell as the worker starts, so that it is ready when the first chapter
    comes (not for fresh kernels: see ``execute.COLD_KERNELS``); a failure is the first chapter's
    to report."""
    import contextlib
    import os

    from kansrijk.pipeline.execute import COLD_KERNELS

    if not os.environ.get(COLD_KERNELS):
        with contextlib.suppress(Exception):
            shell()


class InProcessEngine(Engine):
    """papermill's engine contract: the notebook manager's cells run one by one in the shell."""

    @classmethod
    def execute_managed_notebook(cls, nb_man, kernel_name, **kwargs) -> None:
        chapter = shell()
        chapter.reset(new_session=True, aggressive=False)
        chapter.shown.clear()
        import matplotlib.pyplot

        matplotlib.pyplot.close("all")
        main = sys.modules.get("__main__")
        sys.modules["__main__"] = chapter.user_module  # as in a kernel, for pickling what a cell defines
        try:
            for index, cell in enumerate(nb_man.nb.cells):
                nb_man.cell_start(cell, index)
                try:
                    if not _runs(cell):
                        continue
                    cell.execution_count = chapter.execution_count
                    cell.outputs, succeeded = chapter.run(cell.source)
                    if not succeeded and RAISES_TAG not in cell.metadata.get("tags", []):
                        nb_man.cell_exception(cell, cell_index=index)
                        break
                finally:
                    nb_man.cell_complete(cell, cell_index=index)
        finally:
            if main is not None:
                sys.modules["__main__"] = main
        from ipykernel.ipkernel import IPythonKernel

        nb_man.nb.metadata["language_info"] = dict(IPythonKernel.language_info)


def _runs(cell) -> bool:
    return cell.cell_type == "code" and bool(cell.source.strip()) and SKIP_TAG not in cell.metadata.get("tags", [])


papermill_engines.register(ENGINE, InProcessEngine)
