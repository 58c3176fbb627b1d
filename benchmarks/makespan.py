"""The makespan of a national run on W workers, simulated from measured task times.

An edition is the build's task graph: the driver validates it (one driver, one edition at a
time), then a worker plans it, eight workers may run its chapters, the book and the audit run
side by side, and the PDF comes last. As in ``kansrijk build``, at most three editions per worker
are in flight and a free worker takes the task that became ready first. The 342 municipalities
get the task times of the measured sample's edition nearest in size (the sample spreads evenly
over the sizes, see ``kansrijk.synth.nederland.select``).
"""

from __future__ import annotations

import heapq
import itertools
from collections import deque
from dataclasses import dataclass, field

EDITIONS_PER_WORKER = 3  # kansrijk.pipeline.run.EDITIONS_PER_WORKER


@dataclass(frozen=True)
class Edition:
    """One measured edition: its size, the driver's time and each worker task's own time."""

    slug: str
    children: int
    driver: float
    work: dict = field(default_factory=dict)
    chapters: list = field(default_factory=list)

    def task(self, name: str) -> float:
        return sum(self.chapters) if name == "hoofdstukken" else float(self.work.get(name, 0.0))


def _population(sample: list[Edition], total: int) -> list[Edition]:
    by_size = sorted(sample, key=lambda e: e.children)
    last = len(by_size) - 1
    return [by_size[round(i * last / max(total - 1, 1))] for i in range(total)]


def simulate(sample: list[Edition], workers: int, total: int) -> float:
    """Seconds from start until the last of ``total`` editions is done on ``workers`` workers."""
    editions = _population(sample, total)
    order = itertools.count()  # ties in time: first come, first served
    events: list[tuple[float, int, str, int]] = []
    ready: deque[tuple[int, float, str]] = deque()  # (edition, seconds, task)
    free = workers
    pending = deque(range(total))
    driver_free_at = 0.0
    waiting = {}  # edition -> tasks still running in its current stage

    def admit(i: int, now: float) -> None:
        nonlocal driver_free_at
        start = max(now, driver_free_at)
        driver_free_at = start + editions[i].driver
        heapq.heappush(events, (driver_free_at, next(order), "gevalideerd", i))

    def submit(i: int, names: list[str]) -> None:
        e = editions[i]
        tasks = [("hoofdstuk", s) for s in e.chapters] if names == ["hoofdstukken"] else [(n, e.task(n)) for n in names]
        waiting[i] = (names, len(tasks))
        for name, seconds in tasks:
            ready.append((i, seconds, name))

    def dispatch(now: float) -> None:
        nonlocal free
        while free and ready:
            i, seconds, _ = ready.popleft()
            free -= 1
            heapq.heappush(events, (now + seconds, next(order), "klaar", i))

    stages = [["plan"], ["hoofdstukken"], ["boek", "controle"], ["pdf"]]
    stage_of: dict[int, int] = {}
    now = 0.0
    for _ in range(min(total, EDITIONS_PER_WORKER * workers)):
        admit(pending.popleft(), now)
    while events:
        now, _, kind, i = heapq.heappop(events)
        if kind == "gevalideerd":
            stage_of[i] = 0
            submit(i, stages[0])
        else:
            free += 1
            names, left = waiting[i]
            waiting[i] = (names, left - 1)
            if left - 1 == 0:
                stage_of[i] += 1
                if stage_of[i] < len(stages):
                    submit(i, stages[stage_of[i]])
                elif pending:
                    admit(pending.popleft(), now)
        dispatch(now)
    return now
