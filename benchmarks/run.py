"""Benchmark the pipeline against its targets; run by hand, not in CI.

    .venv/bin/python benchmarks/run.py            # prints a Markdown report
    .venv/bin/python benchmarks/run.py --write    # and writes benchmarks/RESULTS.md

Every build goes to a temporary book folder; editions that need changed inputs work on copies,
so the repository is never touched. Wall time is measured around the whole command; peak
memory is the largest sum of resident memory over the command and all its child processes
(kernels, Jupyter Book), sampled every 50 ms.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import psutil
import yaml

ROOT = Path(__file__).resolve().parents[1]
KANSRIJK = str(Path(sys.executable).with_name("kansrijk"))
START, END = "<!-- results: written by benchmarks/run.py -->", "<!-- /results -->"


@dataclass
class Measurement:
    name: str
    seconds: float
    peak_mb: float


def measure(name: str, command: list[str]) -> Measurement:
    """Run ``command``, returning wall time and the peak resident memory of its process tree."""
    start = time.perf_counter()
    process = psutil.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            try:
                tree = [process, *process.children(recursive=True)]
                peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
            except psutil.Error:
                pass
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, stderr = process.communicate()
    done.set()
    sampler.join()
    seconds = time.perf_counter() - start
    if process.returncode != 0:
        raise RuntimeError(f"{name} failed ({process.returncode}):\n{stderr.decode()[-2000:]}")
    return Measurement(name, seconds, peak / 2**20)


def copy_edition(slug: str, target: Path, data: Path | None = None) -> Path:
    """A parameter file for ``slug`` whose data are a copy (or ``data``), outside the repository."""
    params = yaml.safe_load((ROOT / "params" / f"{slug}.yml").read_text(encoding="utf-8"))
    folder = data or target / f"data-{slug}"
    if data is None:
        shutil.copytree(ROOT / params["data"], folder)
    params["data"] = str(folder)
    params["grenzen"] = None
    path = target / f"{slug}.yml"
    path.write_text(yaml.safe_dump(params, allow_unicode=True), encoding="utf-8")
    return path


def pure_compute(param_file: Path) -> Measurement:
    """All analyses of an edition in this process: validation, every table, the model, the test,
    the associations and disclosure control (the plan), and the key figures."""
    code = (
        "from kansrijk.params import load_edition\n"
        "from kansrijk.validation import load_edition_data\n"
        "from kansrijk.disclosure.plan import plan\n"
        "from kansrijk.kerncijfers import compute\n"
        f"e = load_edition({str(param_file)!r}); compute(plan(e, load_edition_data(e)))\n"
    )
    return measure("pure compute", [sys.executable, "-c", code])


def run() -> list[tuple[Measurement, str, bool]]:
    results: list[tuple[Measurement, str, bool]] = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        book = work / "boek"
        utrecht = copy_edition("utrecht", work)
        build = [KANSRIJK, "build", "--quiet", "--book-dir", str(book)]

        cold = measure("cold build, Utrecht (2 jobs)", [*build, str(utrecht), "--force"])
        results.append((cold, "≤ 30 s", cold.seconds <= 30))
        warm = measure("unchanged rebuild, Utrecht", [*build, str(utrecht)])
        results.append((warm, "≤ 3 s", warm.seconds <= 3))
        armoede = Path(yaml.safe_load(utrecht.read_text())["data"]) / "armoede.csv"
        armoede.write_text(armoede.read_text().replace("2100,", "2101,", 1))
        changed = measure("rebuild after one input file changed", [*build, str(utrecht)])
        results.append((changed, "re-executes", True))

        # the series from params/, in a book of its own (a slug belongs to one parameter file per book)
        series = [KANSRIJK, "build", "--quiet", "--book-dir", str(work / "boek-reeks"), "--all", "--force"]
        all_1 = measure("--all, 1 job (Utrecht + Enschede)", [*series, "--jobs", "1"])
        all_2 = measure("--all, 2 jobs (Utrecht + Enschede)", [*series, "--jobs", "2"])
        speedup = all_1.seconds / all_2.seconds
        results.append((all_1, "", True))
        results.append((all_2, f"≥ 1,6× faster than 1 job: {speedup:.2f}×".replace(".", ","), speedup >= 1.6))

        big_data = work / "data-utrecht-10x"
        subprocess.run([KANSRIJK, "synth", "utrecht", "--out", str(big_data), "--kinderen", "139000"], check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip
        (work / "groot").mkdir()
        big = copy_edition("utrecht", work / "groot", big_data)
        big_build = [KANSRIJK, "build", "--quiet", "--book-dir", str(work / "boek-groot")]
        ten = measure("cold build, ten times Utrecht (139,000 children)", [*big_build, str(big), "--force"])
        ratio = ten.seconds / cold.seconds
        results.append((ten, f"≤ 1,5× cold Utrecht: {ratio:.2f}×".replace(".", ","), ratio <= 1.5))

        floor = pure_compute(utrecht)
        results.append((floor, "the floor: no notebooks, no book", True))
        floor_big = pure_compute(big)
        results.append((Measurement("pure compute, ten times Utrecht", floor_big.seconds, floor_big.peak_mb), "", True))
    return results


def report(results: list[tuple[Measurement, str, bool]]) -> str:
    cpu = platform.processor() or platform.machine()
    memory = psutil.virtual_memory().total / 2**30
    lines = [
        f"Machine: {os.cpu_count()} cores ({cpu}), {memory:.0f} GiB memory, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}. Date: {date.today().isoformat()}.",
        "Command: `.venv/bin/python benchmarks/run.py --write` (by hand; not part of CI).",
        "Peak memory target for every run: under 1.5 GB (1,536 MiB).",
        "",
        "| run | wall time (s) | peak memory (MiB) | target | met |",
        "|:---|---:|---:|:---|:---:|",
    ]
    for m, target, met in results:
        memory_ok = m.peak_mb < 1536
        ok = "yes" if met and memory_ok else "**no**"
        lines.append(f"| {m.name} | {m.seconds:.1f} | {m.peak_mb:.0f} | {target} | {ok} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="write benchmarks/RESULTS.md")
    args = parser.parse_args()
    text = report(run())
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
