"""The worker processes that execute chapters and render books, the printers that print PDFs, and how they end.

A worker never outlives its driver: it watches its parent and exits when the parent is gone
(a ``kill -9`` of the driver included), and on SIGTERM. Playwright's driver watches its pipe to
the worker, so ending the workers ends every browser (and a fresh kernel, with
``KANSRIJK_KOUDE_KERNELS``, watches its worker). Ctrl-C is the driver's to handle: workers ignore
SIGINT. A worker that dies (a chapter that ends its process, the out-of-memory killer) fails the
tasks it and the other workers of its pool were given; the pool is replaced for the next task.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Iterable
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from multiprocessing.sharedctypes import Synchronized

POLL_SECONDS = 0.5
# Where there are fewer cores than processes: the driver goes first (it validates while the workers
# warm up, and a build that then finds nothing to do does not wait for them), then the first
# worker (it takes the plan, which every chapter waits for), then the others, which warm up while
# the plan runs.
FIRST_WORKER_NICENESS, WORKER_NICENESS = 5, 15


def start_pool(jobs: int, log: Path, warm: bool = True) -> WorkerPool:
    """A pool of ``jobs`` spawned workers (no forked copies of the driver's threads or files),
    all started with the first task; ``warm``, each makes its chapter shell as it starts (a
    printer, which only prints PDFs, does not)."""
    return WorkerPool(max(1, jobs), log, warm)


class WorkerPool(Executor):
    """A process pool that starts all its workers at once, when asked or with the first task,
    and is replaced by a new one when a worker died.

    The standard pool spawns a worker only when a task finds none idle: the second worker would
    start (and warm up) only when the chapters come, after the plan, and a chapter would wait for
    it. Not at creation either: a build with nothing to do needs no workers. A standard pool whose
    worker died refuses every later task: one edition's crash would fail every edition after it.
    Once every task is done, the workers are ended at once rather than asked to exit: a worker's
    interpreter takes half a second to tear itself down after a book, for nothing."""

    def __init__(self, jobs: int, log: Path, warm: bool = True) -> None:
        self._jobs, self._log, self._warm = jobs, log, warm
        self._lock = threading.Lock()
        self._pool: ProcessPoolExecutor | None = None
        self._closed = False
        self._running: set[Future] = set()
        self._processes: set[multiprocessing.process.BaseProcess] = set()

    def _new(self) -> ProcessPoolExecutor:
        context = multiprocessing.get_context("spawn")
        started = context.Value("i", 0)  # how many of the pool's workers have started
        pool = ProcessPoolExecutor(
            self._jobs,
            mp_context=context,
            initializer=_initialise,
            initargs=(self._log, os.getpid(), started, self._warm),
        )
        before = set(multiprocessing.active_children())
        for _ in range(self._jobs):  # one small task per worker starts it
            pool.submit(os.getpid)
        self._processes = set(multiprocessing.active_children()) - before
        return pool

    def start(self) -> None:
        """Start every worker now (each warms up as it starts)."""
        with self._lock:
            if self._pool is None and not self._closed:
                self._pool = self._new()

    def submit(self, fn, /, *args, **kwargs) -> Future:
        with self._lock:
            if self._closed:
                raise RuntimeError("de werkprocessen zijn gestopt")
            if self._pool is None:
                self._pool = self._new()
            try:
                future = self._pool.submit(fn, *args, **kwargs)
            except BrokenProcessPool:  # a worker died: its pool's tasks failed; the next task gets a new pool
                self._pool.shutdown(wait=False, cancel_futures=True)
                self._pool = self._new()
                future = self._pool.submit(fn, *args, **kwargs)
            self._running.add(future)
        future.add_done_callback(self._running.discard)
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        with self._lock:
            self._closed = True
            pool, self._pool = self._pool, None
        if pool is None:
            return
        idle = not self._running
        pool.shutdown(wait=False, cancel_futures=cancel_futures)
        if wait and idle:  # nothing is left to do: their SIGTERM handler exits at once
            _terminate(self._processes)
        pool.shutdown(wait=wait)


def stop_workers() -> None:
    """End every worker of this driver (their browsers follow them)."""
    _terminate(multiprocessing.active_children())


def _terminate(processes: Iterable[multiprocessing.process.BaseProcess]) -> None:
    for process in processes:
        with contextlib.suppress(OSError):
            process.terminate()


def _initialise(log: Path, driver: int, started: Synchronized, warm: bool) -> None:
    # Libraries' start-up warnings are noise on the analyst's terminal; a chapter's own errors are
    # returned, not printed, so this worker's stderr goes to the log.
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(fd, 2)
    os.close(fd)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda *_: os._exit(143))
    with started.get_lock():
        first = started.value == 0
        started.value += 1
    os.nice(FIRST_WORKER_NICENESS if first else WORKER_NICENESS)
    threading.Thread(target=_watch, args=(driver,), daemon=True, name="driver-watch").start()
    if warm:
        from kansrijk.pipeline.inprocess import warm_up

        warm_up()


def _watch(driver: int) -> None:
    while os.getppid() == driver:
        time.sleep(POLL_SECONDS)
    os._exit(1)
