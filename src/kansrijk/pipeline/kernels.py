"""One warm kernel per worker process: papermill runs every chapter a worker is given in the same
kernel, so the kernel starts and imports the analysis stack once per worker, not once per chapter.

Between two notebooks the kernel is reset (user namespace, output history, execution counter,
open figures, working directory), so that an executed notebook is the same as one executed in
a fresh kernel (``tests/test_kernels.py`` compares them). A kernel that died is replaced by a
new one before the next notebook. The kernel watches its worker (ipykernel's parent poller) and
is shut down when the worker exits.

It is a papermill engine (:data:`ENGINE`): papermill still parameterises, executes and records
every notebook; only the kernel outlives it.
"""

from __future__ import annotations

import atexit
import contextlib

from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines
from papermill.log import logger
from papermill.utils import merge_kwargs, remove_args

ENGINE = "kansrijk-warm"
# Run once when a kernel starts, before its first notebook: what every chapter imports, and one
# figure drawn (matplotlib reads its fonts the first time). The imported modules are then frozen
# out of the garbage collector's sight: IPython's reset collects garbage, and walking the
# libraries' objects each time cost 80 ms of every notebook.
WARM_UP_LINES = (
    "import numpy, pandas, pandera, scipy.stats, statsmodels.api, seaborn, matplotlib.pyplot, myst_nb",
    "import kansrijk.chapter, kansrijk.figures, kansrijk.tables, kansrijk.story, kansrijk.show, kansrijk.validation",
    "import io; f = matplotlib.pyplot.figure(); f.text(0, 0, 'Kansrijk'); f.savefig(io.BytesIO(), format='png'); "
    "matplotlib.pyplot.close(f)",
    "__import__('gc').freeze()",
)
WARM_UP = "".join(f"{line}\n" for line in WARM_UP_LINES)
KERNEL = "python3"
HISTORY = "--HistoryManager.hist_file=:memory:"  # as nbclient starts a kernel: no history file
# Run (silently, outside the notebook's history) before each notebook.
RESET = """\
__import__("os").chdir({cwd!r})
get_ipython().reset(new_session=True, aggressive=False)
__import__("matplotlib.pyplot").pyplot.close("all")
"""  # into the notebook's folder first (the last one may be gone); no name is left behind


class _Kernel:
    """The worker's kernel: its manager and client, kept between notebooks."""

    km = None
    kc = None
    warm = False

    @classmethod
    def alive(cls) -> bool:
        if cls.km is None:
            return False
        with contextlib.suppress(Exception):
            return bool(cls._run(cls.km.is_alive()))
        return False

    @staticmethod
    def _run(value):
        """A value or an awaitable of the async kernel manager, as a value."""
        import inspect

        from jupyter_core.utils import ensure_event_loop

        return ensure_event_loop().run_until_complete(value) if inspect.isawaitable(value) else value

    @classmethod
    def forget(cls) -> None:
        """Shut the kernel down (when the worker exits, or after it died)."""
        km, kc = cls.km, cls.kc
        cls.km = cls.kc = None
        cls.warm = False
        with contextlib.suppress(Exception):
            if kc is not None:
                kc.stop_channels()
            if km is not None:
                cls._run(km.shutdown_kernel(now=True))


atexit.register(_Kernel.forget)


def start_early() -> None:
    """Start the worker's kernel as the worker starts, importing the chapters' libraries as it
    starts up, so that it is ready when the first chapter comes: meanwhile the worker plans an
    edition or renders a book. (Not with fresh kernels per chapter: see ``execute.COLD_KERNELS``.)"""
    import os

    from jupyter_client.manager import AsyncKernelManager

    from kansrijk.pipeline.execute import COLD_KERNELS

    if os.environ.get(COLD_KERNELS) or _Kernel.km is not None:
        return
    km = AsyncKernelManager(kernel_name=KERNEL)
    warm_up = [f"--IPKernelApp.exec_lines={line}" for line in WARM_UP_LINES]
    try:
        _Kernel._run(km.start_kernel(extra_arguments=[HISTORY, *warm_up]))
    except Exception:  # the first chapter starts one then, and reports what fails
        with contextlib.suppress(Exception):
            _Kernel._run(km.shutdown_kernel(now=True))
        return
    _Kernel.km, _Kernel.kc, _Kernel.warm = km, None, True


class WarmClient(PapermillNotebookClient):
    """papermill's client, on the worker's kernel, reset before the notebook runs."""

    def __init__(self, nb_man, cwd: str | None = None, **kwargs) -> None:
        super().__init__(nb_man, **kwargs)
        self.folder = cwd

    def papermill_execute_cells(self) -> None:
        if not _Kernel.warm:
            self._silent(WARM_UP)
            _Kernel.warm = True
        if self.folder is not None:
            self._silent(RESET.format(cwd=self.folder))
        super().papermill_execute_cells()

    def _silent(self, code: str) -> None:
        """Run ``code`` in the kernel without output, history or an execution count."""
        msg_id = self.kc.execute(code, silent=True, store_history=False, allow_stdin=False)
        reply = self.wait_for_reply(msg_id)
        if reply is None or reply["content"].get("status") != "ok":
            content = reply["content"] if reply else {}
            raise RuntimeError(f"the kernel could not be prepared: {content.get('ename')}: {content.get('evalue')}")


class WarmEngine(NBClientEngine):
    """papermill's nbclient engine, on one kernel per process."""

    @classmethod
    def execute_managed_notebook(
        cls,
        nb_man,
        kernel_name,
        log_output=False,
        stdout_file=None,
        stderr_file=None,
        start_timeout=60,
        execution_timeout=None,
        **kwargs,
    ):
        import os

        from jupyter_client.manager import AsyncKernelManager

        cwd = os.getcwd()  # papermill changes into the notebook's folder around the engine
        kwargs = remove_args(["input_path", "timeout", "startup_timeout"], **kwargs)
        if not _Kernel.alive():
            _Kernel.forget()
            _Kernel.km = AsyncKernelManager(kernel_name=kernel_name)
        final = merge_kwargs(
            kwargs,
            timeout=execution_timeout,
            startup_timeout=start_timeout,
            kernel_name=kernel_name,
            log=logger,
            log_output=log_output,
            stdout_file=stdout_file,
            stderr_file=stderr_file,
        )
        client = WarmClient(nb_man, cwd=cwd, km=_Kernel.km, **final)
        client.kc = _Kernel.kc  # None the first time: the client starts one and it is kept
        try:
            return client.execute()
        finally:
            _Kernel.kc = client.kc
            if not _Kernel.alive():
                _Kernel.forget()  # a kernel that died is not given the next notebook


papermill_engines.register(ENGINE, WarmEngine)
