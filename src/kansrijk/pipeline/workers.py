"""The worker processes that execute chapters and render books, the printers that print PDFs, and how they end.

Where the platform has one, the workers are forked from multiprocessing's fork server, which has
imported the analysis stack, papermill, IPython and Sphinx once (``kansrijk.pipeline.preload``):
a worker starts with them instead of importing them itself, and the workers share those pages.
On Linux that server stays for the next build (``kansrijk.pipeline.warm``).
Elsewhere (Windows) each worker is spawned and imports them as it starts.

A worker never outlives its driver: it holds the read end of a pipe whose only write end is the
driver's, and exits when that pipe closes (a ``kill -9`` of the driver included), and on SIGTERM.
Playwright's driver watches its pipe to the worker, so ending the workers ends every browser (and
a fresh kernel, with ``KANSRIJK_KOUDE_KERNELS``, watches its worker). Ctrl-C is the driver's to
handle: workers ignore SIGINT. A worker that dies (a chapter that ends its process, the
out-of-memory killer) fails the tasks it and the other workers of its pool were given; the pool
is replaced for the next task.
"""

from __future__ import annotations

import atexit
import contextlib
import multiprocessing
import multiprocessing.forkserver
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
    from multiprocessing.connection import Connection
    from multiprocessing.sharedctypes import Synchronized

    from kansrijk.pipeline.warm import Server
# Where there are fewer cores than processes: the driver goes first (it validates, and plans a lone
# edition, while the fork server imports; a build that then finds nothing to do does not wait for
# it), then the first worker (it takes the first plan of several editions, which their chapters
# wait for, or a lone edition's first chapter), then the others.
FIRST_WORKER_NICENESS, WORKER_NICENESS = 5, 15
FORKSERVER, PRELOAD = "forkserver", "kansrijk.pipeline.preload"


def start_pool(jobs: int, log: Path, warm: bool = True) -> WorkerPool:
    """A pool of ``jobs`` workers (forked from the fork server, or spawned; never forked copies of
    the driver's threads or files), all started with the first task; ``warm``, each makes its
    chapter shell as it starts (a printer, which only prints PDFs, does not)."""
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
        self._alive: Connection | None = None  # the driver's end of the current pool's pipe
        self._server: Server | None = None  # the warm fork server this pool forks from
        self._asked = False  # whether a warm server was asked for

    def _context(self) -> multiprocessing.context.BaseContext:
        if FORKSERVER not in multiprocessing.get_all_start_methods():
            return multiprocessing.get_context("spawn")
        from kansrijk.pipeline import warm as warm_server  # a fork server's module: not on Windows

        if not self._asked:
            self._asked = True
            self._server = warm_server.attach()
        if self._server is not None:
            return warm_server.WarmContext(self._server.address)
        context = multiprocessing.get_context(FORKSERVER)
        context.set_forkserver_preload([PRELOAD])
        return context

    def _new(self) -> ProcessPoolExecutor:
        context = self._context()
        try:
            return self._started(context)
        except OSError:  # the warm server died since it was found: this pool gets a fork server of its own
            if self._server is None:
                raise
            self._server.release()
            self._server = None
            self._end()
            return self._started(self._context())

    def _started(self, context: multiprocessing.context.BaseContext) -> ProcessPoolExecutor:
        _ForkServer.forked |= context.get_start_method() == FORKSERVER
        started = context.Value("i", 0)  # how many of the pool's workers have started
        alive, self._alive = context.Pipe(duplex=False)
        pool = ProcessPoolExecutor(
            self._jobs,
            mp_context=context,
            initializer=_initialise,
            initargs=(self._log, alive, started, self._warm, dict(os.environ)),
        )
        before = set(multiprocessing.active_children())
        for _ in range(self._jobs):  # one small task per worker starts it
            pool.submit(os.getpid)
        self._processes = set(multiprocessing.active_children()) - before
        alive.close()  # every worker has its own copy now
        return pool

    def start(self) -> None:
        """Get the workers going now, without waiting: the fork server starts importing (the
        workers are forked with the first task), or every worker is spawned and warms up."""
        with self._lock:
            if self._pool is not None or self._closed:
                return
            context = self._context()
            if self._server is not None:
                return  # the warm server is there, or importing
            if context.get_start_method() == FORKSERVER:
                _start_fork_server()
            else:
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
                self._end()
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
        self._end()
        if self._server is not None:
            self._server.release()

    def _end(self) -> None:
        """Close the pool's pipe: a worker still running ends."""
        if self._alive is not None:
            self._alive.close()
            self._alive = None


class _ForkServer:
    """Whether this driver has started the fork server, and whether a worker was forked from it."""

    started = forked = False


def _start_fork_server() -> None:
    if not _ForkServer.started:
        _ForkServer.started = True
        atexit.register(_end_unused_fork_server)
    multiprocessing.forkserver.ensure_running()


def _end_unused_fork_server() -> None:
    """A build that found nothing to do ends its fork server as it exits, instead of leaving it to
    finish its imports first (a fork server whose workers ran ends when they have)."""
    pid = getattr(multiprocessing.forkserver._forkserver, "_forkserver_pid", None)  # the pid is not public
    if pid is not None and not _ForkServer.forked:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGTERM)


def stop_workers() -> None:
    """End every worker of this driver (their browsers follow them)."""
    _terminate(multiprocessing.active_children())


def _terminate(processes: Iterable[multiprocessing.process.BaseProcess]) -> None:
    for process in processes:
        with contextlib.suppress(OSError):
            process.terminate()


def _initialise(
    log: Path, alive: Connection, started: Synchronized, warm_up: bool, environment: dict[str, str]
) -> None:
    # The driver's environment, not the fork server's (a warm server was started by another build)
    os.environ.clear()
    os.environ.update(environment)
    time.tzset()
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
    threading.Thread(target=_watch, args=(alive,), daemon=True, name="driver-watch").start()
    if warm_up:
        from kansrijk.pipeline.inprocess import warm_up as make_shell

        make_shell()


def _watch(alive: Connection) -> None:
    """Exit when the driver's end of the pipe closes (the driver never writes to it)."""
    with contextlib.suppress(EOFError, OSError):
        alive.recv_bytes()
    os._exit(1)
