"""The worker processes that execute chapters and render books, and how they end.

A worker never outlives its driver: it watches its parent and exits when the parent is gone
(a ``kill -9`` of the driver included), and on SIGTERM. Chapter kernels watch their worker the
same way (ipykernel's parent poller), and Playwright's driver its pipe to the worker, so ending
the workers ends every kernel and browser. Ctrl-C is the driver's to handle: workers ignore SIGINT.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

POLL_SECONDS = 0.5


def start_pool(jobs: int, log: Path) -> ProcessPoolExecutor:
    """A pool of ``jobs`` spawned workers (no forked copies of the driver's threads or files),
    all started with the first task."""
    context = multiprocessing.get_context("spawn")
    return WorkerPool(max(1, jobs), mp_context=context, initializer=_initialise, initargs=(log, os.getpid()))


class WorkerPool(ProcessPoolExecutor):
    """A process pool that starts all its workers at once: when asked, or with the first task.

    The standard pool spawns a worker only when a task finds none idle: the second worker would
    start (and warm up its kernel) only when the chapters come, after the plan, and a chapter
    would wait for it. Not at creation either: a build with nothing to do needs no workers."""

    def __init__(self, jobs: int, **kwargs) -> None:
        super().__init__(jobs, **kwargs)
        self._jobs, self._all_started = jobs, False

    def start(self) -> None:
        """Start every worker now (each starts its kernel as it starts)."""
        if not self._all_started:
            self._all_started = True
            for _ in range(self._jobs):  # one small task per worker starts it
                super().submit(os.getpid)

    def submit(self, fn, /, *args, **kwargs):
        self.start()
        return super().submit(fn, *args, **kwargs)


def stop_workers() -> None:
    """End every worker of this driver (their kernels follow them)."""
    for process in multiprocessing.active_children():
        with contextlib.suppress(OSError):
            process.terminate()


def _initialise(log: Path, driver: int) -> None:
    # Kernel start-up warnings are noise on the analyst's terminal; a chapter's own errors are
    # returned, not printed, so this worker's (and its kernels') stderr goes to the log.
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(fd, 2)
    os.close(fd)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda *_: os._exit(143))
    threading.Thread(target=_watch, args=(driver,), daemon=True, name="driver-watch").start()
    from kansrijk.pipeline.kernels import start_early

    start_early()


def _watch(driver: int) -> None:
    while os.getppid() == driver:
        time.sleep(POLL_SECONDS)
    os._exit(1)
