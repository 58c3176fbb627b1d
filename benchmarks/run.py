"""Benchmark the pipeline against its targets; run by hand, not in CI.

    .venv/bin/python benchmarks/run.py                   # prints a Markdown report
    .venv/bin/python benchmarks/run.py --write           # and writes it into benchmarks/RESULTS.md
    .venv/bin/python benchmarks/run.py --nederland 342   # the national run with all municipalities

Every build goes to a temporary book folder and works on copies of the inputs and chapters, so
the repository is never touched. Every command runs twice: once for its peak memory, the largest
sum of proportional set sizes (PSS: shared pages divided among the processes that share them, so
that the sum is what the machine holds) over the command and all its child processes (workers,
fresh kernels, Chromium), sampled every 200 ms; then once for its wall time, not sampled. Reading
the PSS of some sixteen processes takes about 30 ms of CPU, so sampling took 15 % of this 2-core
machine and made a build 0.6 s slower. The first run also fills the machine's file cache, which
this machine empties when it is idle: with an empty cache the first cold build took 22 s instead
of 9 s, reading the environment from disk. Each build's ``provenance.json`` says
where its time went (``fasen``: as the driver waited; ``werk``: the worker tasks' own time), and
the national run's task times feed the makespan simulation (``benchmarks/makespan.py``).

The builds leave warm fork servers (``kansrijk.pipeline.warm``) in a folder of the run's own: a
cold build, the national run and the cold variants start with none (the benchmark ends them
first), and the unchanged rebuild and the chapter edit fork their workers from the one the cold
build left, as an analyst's next command does. A server's processes count in the peak memory of
every build while they run.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import psutil
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from makespan import Edition, simulate

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
KANSRIJK = str(BIN / "kansrijk")
START, END = "<!-- results: written by benchmarks/run.py -->", "<!-- /results -->"
SLUG = "utrecht-2019"
JOBS = 2


@dataclass
class Measurement:
    name: str
    seconds: float
    peak_mb: float
    target: str = ""
    met: bool | None = None
    notes: dict = field(default_factory=dict)


class PeakMemory:
    """The largest PSS sum over a process and all its descendants, sampled every 200 ms while in
    use; 0 when not ``sampled`` (a timed run: sampling costs CPU)."""

    def __init__(self, process: psutil.Process, sampled: bool = True) -> None:
        self.process, self.peak, self.done = process, 0, threading.Event()
        self.sampler = threading.Thread(target=self._sample, daemon=True) if sampled else None

    def _sample(self) -> None:
        while not self.done.is_set():
            try:
                tree = {p.pid: p for p in [self.process, *self.process.children(recursive=True), *warm_processes()]}
                self.peak = max(self.peak, sum(p.memory_full_info().pss for p in tree.values() if p.is_running()))
            except psutil.Error:
                pass
            time.sleep(0.2)

    def __enter__(self) -> PeakMemory:
        if self.sampler:
            self.sampler.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.done.set()
        if self.sampler:
            self.sampler.join()

    @property
    def mib(self) -> float:
        return self.peak / 2**20


def measure(
    name: str,
    command: list[str],
    *,
    sampled: list[str] | None = None,
    env: dict | None = None,
    prepare: Callable[[], object] | None = None,
) -> Measurement:
    """The peak memory of ``sampled`` (default: ``command``), then the wall time of ``command``,
    each run after ``prepare``; the timed run is the last, so a build's record is its own."""
    if prepare:
        prepare()
    peak = _run(name, sampled or command, env, sample=True)
    if prepare:
        prepare()
    start = time.perf_counter()
    _run(name, command, env, sample=False)
    return Measurement(name, time.perf_counter() - start, peak)


def _run(name: str, command: list[str], env: dict | None, *, sample: bool) -> float:
    """Run ``command`` to its end; the peak memory of its process tree in MiB if ``sample``."""
    process = psutil.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ, **(env or {})}
    )
    with PeakMemory(process, sample) as memory:
        _, stderr = process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"{name} failed ({process.returncode}):\n{stderr.decode()[-2000:]}")
    return memory.mib


def warm_processes() -> list[psutil.Process]:
    """The warm fork servers of this run (``kansrijk.pipeline.warm``): each keeper, its fork server
    and the workers forked from it, which are not the build command's descendants."""
    found = []
    for keeper in _keepers():
        with contextlib.suppress(psutil.Error):
            server = psutil.Process(int(keeper.cmdline()[3]))
            found += [keeper, server, *server.children(recursive=True)]
    return found


def _keepers() -> list[psutil.Process]:
    runtime = os.environ["XDG_RUNTIME_DIR"]
    return [
        p
        for p in psutil.process_iter(["cmdline"])
        if "kansrijk.pipeline.warm" in (p.info["cmdline"] or []) and any(runtime in a for a in p.info["cmdline"])
    ]


def end_warm_servers() -> None:
    """End this run's warm fork servers: the next build starts cold, as a first build does."""
    processes = warm_processes()
    for keeper in _keepers():
        with contextlib.suppress(psutil.Error):
            keeper.terminate()  # its fork server sees its pipe end and exits
    psutil.wait_procs(processes, timeout=30)


def edit_chapter(chapters: Path, heading: str) -> None:
    """A visible edit of the context chapter: its heading gets ``heading``."""
    edited = chapters / "context.ipynb"
    notebook = json.loads(edited.read_text(encoding="utf-8"))
    source = "".join(notebook["cells"][0]["source"])
    notebook["cells"][0]["source"] = re.sub(r"^# Context.*$", f"# {heading}", source, count=1, flags=re.M)
    edited.write_text(json.dumps(notebook, ensure_ascii=False, indent=1), encoding="utf-8")


def copy_edition(slug: str, target: Path) -> Path:
    """A parameter file for ``slug`` whose data are a copy, outside the repository."""
    params = yaml.safe_load((ROOT / "params" / f"{slug}.yml").read_text(encoding="utf-8"))
    folder = target / f"data-{slug}"
    shutil.copytree(ROOT / params["data"], folder)
    params["data"] = str(folder)
    params["grenzen"] = None
    path = target / f"{slug}.yml"
    path.write_text(yaml.safe_dump(params, allow_unicode=True), encoding="utf-8")
    return path


def provenance(book: Path, slug: str) -> dict:
    return json.loads((book / slug / "provenance.json").read_text(encoding="utf-8"))


def watched_edits(work: Path, edits: int = 3) -> Measurement:
    """``kansrijk build --watch``: the time from saving an edited chapter to the edition's new
    ``provenance.json`` (published last), for ``edits`` edits after the first build; the peak
    memory from a watch of its own, sampled."""
    peak = _watch(work / "watch-geheugen", edits, sample=True).peak_mb
    m = _watch(work / "watch", edits, sample=False)
    m.peak_mb = peak
    return m


def _watch(work: Path, edits: int, *, sample: bool) -> Measurement:
    book, chapters = work / "boek", work / "hoofdstukken"
    shutil.copytree(ROOT / "chapters", chapters)
    params = copy_edition(SLUG, work)
    command = [KANSRIJK, "build", "--quiet", "--watch", "--book-dir", str(book), "--jobs", str(JOBS)]
    # Ctrl-C ends a watch: a benchmark started in the background of a shell ignores SIGINT, and so
    # would the watch it starts, which then never ends
    process = psutil.Popen(
        [*command, "--chapters", str(chapters), str(params)],
        stdout=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    record = book / SLUG / "provenance.json"
    waiting = threading.Semaphore(0)  # released at each "Wacht op wijzigingen" the watch prints

    def read_output() -> None:
        for line in process.stdout:
            if line.startswith("Wacht op wijzigingen"):
                waiting.release()

    threading.Thread(target=read_output, daemon=True).start()

    def published(before: str | None) -> str:
        while True:
            with contextlib.suppress(OSError):
                if (text := record.read_text(encoding="utf-8")) != before:
                    return text
            if process.poll() is not None:
                raise RuntimeError(f"kansrijk build --watch ended ({process.returncode})")
            time.sleep(0.02)

    seconds = []
    try:
        with PeakMemory(process, sample) as memory:
            text = published(None)
            for number in range(1, edits + 1):
                if not waiting.acquire(timeout=120):  # the build is over and the watch waits again
                    raise RuntimeError("kansrijk build --watch did not wait for changes")
                saved = time.perf_counter()
                edit_chapter(chapters, f"Context: ervaringen van moeders en professionals ({number})")
                text = published(text)
                seconds.append(time.perf_counter() - saved)
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(60)
    record_of_last = json.loads(text)
    executed = [c["notebook"] for c in record_of_last["hoofdstukken"] if not c["uit_cache"]]
    name = f"one chapter edited, in `build --watch` (saved to published; median of {edits} edits)"
    m = Measurement(name, statistics.median(seconds), memory.mib, notes=record_of_last)
    m.notes["edits"] = seconds
    m.notes["executed"] = executed
    return m


def pure_compute(param_file: Path) -> Measurement:
    """All analyses of an edition in one process: validation, every table, the model, the test,
    the associations and disclosure control (the plan), and the key figures."""
    code = (
        "from kansrijk.params import load_edition\n"
        "from kansrijk.validation import load_edition_data\n"
        "from kansrijk.disclosure.plan import plan\n"
        "from kansrijk.kerncijfers import compute\n"
        f"e = load_edition({str(param_file)!r}); compute(plan(e, load_edition_data(e)))\n"
    )
    name = "the floor: pure compute, Utrecht (one process, no notebooks, no book)"
    # with one BLAS thread, as `kansrijk build` computes (faster here than OpenBLAS's threads)
    return measure(name, [sys.executable, "-c", code], env={"OPENBLAS_NUM_THREADS": "1"})


def peer(work: Path) -> Measurement:
    """Jupyter Book 1's own execution of the same chapters (``execute_notebooks: force``, a fresh
    kernel per notebook, each chapter planning for itself) with the Utrecht defaults."""
    folder = work / "jupyter-book"
    shutil.copytree(ROOT / "chapters", folder)
    (folder / "ontwikkeling.ipynb").unlink()  # needs a previous edition; the default has none
    from kansrijk.params import load_edition
    from kansrijk.pipeline.book import edition_config

    config = edition_config(load_edition(SLUG))  # the title and footer the theme's templates need
    config["execute"] = {"execute_notebooks": "force", "timeout": 300}
    (folder / "_config.yml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    generated = {"ontwikkeling", "herkomst", "colofon", "toegankelijkheid"}  # made by kansrijk build
    toc["chapters"] = [c for c in toc["chapters"] if c["file"] not in generated]
    (folder / "_toc.yml").write_text(yaml.safe_dump(toc), encoding="utf-8")
    command = [str(BIN / "jupyter-book"), "build", str(folder), "-q", "--path-output"]
    name = "peer: Jupyter Book 1, execute_notebooks: force (same chapters, Utrecht)"
    return measure(name, [*command, str(work / "jb-uit")], sampled=[*command, str(work / "jb-geheugen")])


def utrecht(work: Path) -> list[Measurement]:
    book = work / "boek"
    chapters = work / "hoofdstukken"
    shutil.copytree(ROOT / "chapters", chapters)
    params = copy_edition(SLUG, work)

    def build_in(folder: Path) -> list[str]:
        return [KANSRIJK, "build", "-q", "--jobs", str(JOBS), "--chapters", str(chapters), "--book-dir", str(folder)]

    build = build_in(book)
    results = []

    # Both runs into a book folder of their own, as a first build is.
    # a cold build finds no warm fork server; the later builds fork from the one it leaves
    cold = measure(
        "cold build, Utrecht 2019 (`--force`, with the PDF)",
        [*build, str(params), "--force"],
        sampled=[*build_in(work / "boek-geheugen"), str(params), "--force"],
        prepare=end_warm_servers,
    )
    cold.target, cold.met = "≤ 8 s", cold.seconds <= 8
    cold.notes = provenance(book, SLUG)
    results.append(cold)

    unchanged = measure("unchanged rebuild", [*build, str(params)])
    unchanged.target, unchanged.met = "≤ 3 s", unchanged.seconds <= 3
    results.append(unchanged)

    revisions = iter(range(1, 3))

    def revise() -> None:
        edit_chapter(chapters, f"Context: ervaringen van moeders en professionals (herzien, {next(revisions)})")

    edit = measure("one chapter edited (context)", [*build, str(params)], prepare=revise)
    record = provenance(book, SLUG)
    executed = [c["notebook"] for c in record["hoofdstukken"] if not c["uit_cache"]]
    half = cold.seconds / 2
    edit.target = f"≤ half the cold build ({half:.1f} s); re-executes {', '.join(executed)} only"
    edit.met = edit.seconds <= half and executed == ["context.ipynb"]
    edit.notes = record
    results.append(edit)

    watch = watched_edits(work)
    each = ", ".join(f"{t:.1f} s" for t in watch.notes["edits"])
    watch.target = f"≤ half the cold build ({half:.1f} s); the edits: {each}"
    watch.met = watch.seconds <= half and watch.notes["executed"] == ["context.ipynb"]
    results.append(watch)

    name = "cold build without the PDF (`--force --zonder-pdf`)"
    website = measure(name, [*build, str(params), "--force", "--zonder-pdf"], prepare=end_warm_servers)
    website.notes = provenance(book, SLUG)
    results.append(website)

    cold_kernels = measure(
        "cold build with a fresh kernel per chapter (`KANSRIJK_KOUDE_KERNELS=1`)",
        [*build, str(params), "--force"],
        env={"KANSRIJK_KOUDE_KERNELS": "1"},
        prepare=end_warm_servers,
    )
    cold_kernels.notes = provenance(book, SLUG)
    warm_chapters = cold.notes["fasen"]["hoofdstukken"]
    cold_chapters = cold_kernels.notes["fasen"]["hoofdstukken"]
    cold_kernels.target = f"chapters {cold_chapters:.1f} s, against {warm_chapters:.1f} s in the workers' shells"
    cold_kernels.met = warm_chapters < cold_chapters
    results.append(cold_kernels)

    floor = pure_compute(params)
    floor.target = f"cold build / floor: {cold.seconds / floor.seconds:.1f}× (target ≤ 3.5×)"
    floor.met = cold.seconds / floor.seconds <= 3.5
    results.append(floor)

    results.append(peer(work))
    return results


def national(work: Path, count: int) -> tuple[Measurement, list[Edition]]:
    out = work / "nederland"
    subprocess.run(
        [KANSRIJK, "synth", "nederland", "--uit", str(out), "--gemeenten", str(count)], check=True, capture_output=True
    )
    book = work / "boek-nederland"
    command = [KANSRIJK, "build", "--quiet", "--all", str(out / "params"), "--jobs", str(JOBS), "--book-dir"]
    name = f"national run, {count} municipalities (`build --all DIR/params --jobs {JOBS}`)"
    sampled = [*command, str(work / "boek-nederland-geheugen")]
    m = measure(name, [*command, str(book)], sampled=sampled, prepare=end_warm_servers)
    per_edition = m.seconds / count
    m.target = f"{per_edition:.1f} s per edition (target ≤ 3 s); peak < 2 GB"
    m.met = per_edition <= 3 and m.peak_mb < 2048
    editions = []
    for slug in sorted(p.stem for p in (out / "params").glob("*.yml")):
        record = provenance(book, slug)
        children = len((out / "data" / slug / "kinderen.csv").read_text(encoding="utf-8").splitlines()) - 1
        chapters = [c["seconden"] for c in record["hoofdstukken"]]
        editions.append(Edition(slug, children, record["fasen"]["voorbereiding"], record["werk"], chapters))
    m.notes = {"per_edition": per_edition}
    return m, editions


LOOP = "s = 0\nfor i in range(4_000_000):\n    s += i * i"  # pure Python: one core's speed


def _loop_seconds(copies: int) -> float:
    """The mean wall time of :data:`LOOP` in ``copies`` processes started together."""
    code = f"import time\nt = time.perf_counter()\n{LOOP}\nprint(time.perf_counter() - t)"
    started = [subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True) for _ in range(copies)]
    return statistics.mean(float(p.communicate()[0]) for p in started)


@dataclass
class MachineSpeed:
    """How fast this (shared, virtual) machine is now: one core's time for a fixed loop, and how
    much work the two cores do together (2.0: each as fast as one alone)."""

    alone: float
    together: float

    @classmethod
    def now(cls) -> MachineSpeed:
        alone = min(_loop_seconds(1) for _ in range(3))
        together = statistics.mean(_loop_seconds(JOBS) for _ in range(3))
        return cls(alone, together)

    @property
    def cores(self) -> float:
        return JOBS * self.alone / self.together

    def text(self) -> str:
        cores = f"{self.cores:.1f} cores of work"
        return f"a loop {self.alone:.2f} s alone, {self.together:.2f} s each with {JOBS} at once ({cores})"


def _stolen() -> tuple[int, int]:
    """The machine's CPU time since boot: (all, stolen by the hypervisor), in clock ticks."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return sum(fields), fields[7]


def report(
    results: list[Measurement],
    editions: list[Edition],
    speeds: tuple[MachineSpeed, ...] = (),
    stolen: float = 0.0,
) -> str:
    cpu = platform.processor() or platform.machine()
    memory = psutil.virtual_memory().total / 2**30
    lines = [
        f"Machine: {os.cpu_count()} cores ({cpu}), {memory:.0f} GiB memory, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}. Date: {date.today().isoformat()}. All rows from one run.",
        "Command: `.venv/bin/python benchmarks/run.py --write` (by hand; not part of CI).",
        *(
            [
                f"Machine speed at the start: {speeds[0].text()}; at the end: {speeds[1].text()}. "
                f"CPU time taken by the hypervisor during the run (steal): {stolen:.0%}."
            ]
            if speeds
            else []
        ),
        "",
        "| run | wall time (s) | peak memory (MiB) | target | met |",
        "|:---|---:|---:|:---|:---:|",
    ]
    for m in results:
        met = "" if m.met is None else ("yes" if m.met else "**no**")
        lines.append(f"| {m.name} | {m.seconds:.1f} | {m.peak_mb:.0f} | {m.target} | {met} |")
    cold, edit, watch, website = results[0], results[2], results[3], results[4]
    lines += ["", "Where the time goes (seconds; `fasen` as the driver waited, `werk` the worker tasks' own time):", ""]
    header = "| build | " + " | ".join(PHASES) + " | chapters, own time (sum) |"
    lines += [header, "|:---|" + "---:|" * (len(PHASES) + 1)]
    builds = [("cold", cold), ("chapter edited", edit), ("chapter edited, --watch", watch), ("cold, no PDF", website)]
    for name, m in builds:
        fasen = m.notes["fasen"]
        own = sum(c["seconden"] for c in m.notes["hoofdstukken"] if not c["uit_cache"])
        lines.append(f"| {name} | " + " | ".join(f"{fasen.get(p, 0):.1f}" for p in PHASES) + f" | {own:.1f} |")
    if editions:
        lines += ["", "National run: the worker tasks' own time per edition, mean over the sample (seconds):", ""]
        tasks = ["plan", "hoofdstukken", "boek", "controle", "pdf"]
        lines += ["| " + " | ".join(tasks) + " | total | driver (preparation) |", "|" + "---:|" * (len(tasks) + 2)]
        means = {t: sum(e.task(t) for e in editions) / len(editions) for t in tasks}
        driver = sum(e.driver for e in editions) / len(editions)
        row = " | ".join(f"{means[t]:.2f}" for t in tasks)
        lines.append(f"| {row} | {sum(means.values()):.2f} | {driver:.2f} |")
        title = "Makespan of all 342 municipalities, simulated from these task times (`benchmarks/makespan.py`):"
        lines += ["", title, ""]
        lines += ["| workers | makespan | per edition |", "|---:|---:|---:|"]
        for workers in (JOBS, 8, 32, 128):
            span = simulate(editions, workers, total=342)
            lines.append(f"| {workers} | {span / 60:.1f} min | {span / 342:.2f} s |")
    return "\n".join(lines) + "\n"


PHASES = ["voorbereiding", "plan", "hoofdstukken", "boek", "controle", "pdf", "publiceren"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="write benchmarks/RESULTS.md")
    parser.add_argument("--nederland", type=int, default=24, help="municipalities in the national run (342: all)")
    args = parser.parse_args()
    first, ticks = MachineSpeed.now(), _stolen()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        # the run's warm fork servers in a folder of their own, as a first build on a machine finds it
        (work / "warm").mkdir(mode=0o700)
        os.environ |= {"XDG_RUNTIME_DIR": str(work / "warm"), "KANSRIJK_WARM": "10"}
        try:
            results = utrecht(work)
            editions: list[Edition] = []
            if args.nederland:
                run, editions = national(work, args.nederland)
                results.append(run)
        finally:
            end_warm_servers()
    after = _stolen()
    stolen = (after[1] - ticks[1]) / max(after[0] - ticks[0], 1)
    text = report(results, editions, (first, MachineSpeed.now()), stolen)
    print(text)
    if args.write:
        # the measured table goes between the markers; the notes around it are kept
        path = ROOT / "benchmarks" / "RESULTS.md"
        old = path.read_text(encoding="utf-8") if path.exists() else f"{START}\n{END}\n"
        before, rest = old.split(START, 1)
        after = rest.split(END, 1)[1]
        path.write_text(f"{before}{START}\n{text}{END}{after}", encoding="utf-8")


if __name__ == "__main__":
    main()
