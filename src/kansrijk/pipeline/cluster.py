"""Where a build's work runs: this machine's pool of worker processes, or a Dask cluster.

Both are a ``concurrent.futures.Executor``: the pool code submits plans, chapters, books and
PDFs to either. On Dask the work goes through the Client's own executor. The driver stays on
this machine and publishes, so publishing stays atomic; the workers need the same checkout and
the book folder at the same paths (a shared file system, as on SLURM or a Kubernetes volume).
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from concurrent.futures import Executor, Future
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import TypeVar

from kansrijk.pipeline.workers import WorkerPool, start_pool

LOCAL = "local"
T = TypeVar("T")
CONNECT_SECONDS = 20


class ClusterError(Exception):
    """The Dask cluster cannot be reached or cannot run chapters."""


class DaskExecutor(Executor):
    """The workers of a Dask cluster: ``LOCAL`` starts a LocalCluster of ``jobs`` workers on this
    machine, an address (``tcp://host:8786``) connects to a running scheduler."""

    def __init__(self, scheduler: str, jobs: int, log: Path) -> None:
        from distributed import Client, LocalCluster

        self.cluster = None
        try:
            if scheduler == LOCAL:
                self.cluster = LocalCluster(
                    n_workers=max(1, jobs),
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                    silence_logs=logging.ERROR,
                )
                self.client = Client(self.cluster)
                self.client.run(_quiet, str(log))  # the libraries' noise to the build's log, as in the pool
            else:
                self.client = Client(scheduler, timeout=CONNECT_SECONDS)
        except (OSError, TimeoutError) as error:
            self._close()
            raise ClusterError(f"de Dask-scheduler {scheduler} is niet bereikbaar ({error})") from None
        # A worker runs chapters in its own shell and papermill changes its working directory: one thread each.
        threads = {info.get("nthreads") for info in self.client.scheduler_info()["workers"].values()}
        if threads - {1}:
            self._close()
            raise ClusterError(f"de Dask-workers van {scheduler} hebben meer dan één thread; start ze met --nthreads 1")
        self.workers = max(1, sum(threads))
        self.executor = self.client.get_executor(pure=False)  # every task has effects: never merged

    def submit(self, fn, /, *args, **kwargs) -> Future:
        return self.executor.submit(fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self.executor.shutdown(wait=wait and not cancel_futures)
        self._close()

    def _close(self) -> None:
        client = getattr(self, "client", None)
        if client is not None:
            client.close()
        if self.cluster is not None:
            self.cluster.close()


def _quiet(log: str) -> None:
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(fd, 2)
    os.close(fd)


def open_executor(jobs: int, log: Path, scheduler: str | None = None) -> Executor:
    """This machine's process pool, or with ``scheduler`` a Dask cluster."""
    return start_pool(jobs, log) if scheduler is None else DaskExecutor(scheduler, jobs, log)


def open_printer(executor: Executor, jobs: int, log: Path) -> Executor:
    """Where the PDFs are printed. On this machine: printers of their own, one for every two
    workers, each keeping one Chromium (a browser and Playwright's driver hold about 400 MB, and
    printing at most half as many PDFs at once as there are workers keeps the workers busy with
    the rest). A printer imports no analysis library and starts with the first PDF's browser. On a
    Dask cluster: its workers."""
    return start_pool(max(1, jobs // 2), log, warm=False) if isinstance(executor, WorkerPool) else executor


def timed(fn: Callable[..., T], *args: object) -> tuple[T, float]:
    """``fn(*args)`` and the seconds it took on the worker (a task's own time, without its wait)."""
    start = time.perf_counter()
    return fn(*args), time.perf_counter() - start


def start_workers(executor: Executor) -> None:
    """Start this machine's workers now, ahead of the first task (a Dask cluster's are running)."""
    if isinstance(executor, WorkerPool):
        executor.start()


def capacity(executor: Executor, jobs: int) -> int:
    """How many tasks ``executor`` runs at once."""
    return executor.workers if isinstance(executor, DaskExecutor) else max(1, jobs)


def lost_worker_errors() -> tuple[type[BaseException], ...]:
    """What an executor raises when a worker process died under a task."""
    from distributed import KilledWorker

    return (BrokenProcessPool, KilledWorker)
