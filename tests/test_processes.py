"""The build as a process: it never leaves workers behind, it stops before publishing
when asked to, and the next run cleans up what a killed one left."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from helpers import write_edition

pytestmark = pytest.mark.build

FIXTURES = Path(__file__).parent / "fixtures"
KANSRIJK = [sys.executable, "-m", "kansrijk.cli"]


def _start(params: Path, book: Path, chapters: str = "traag", env: dict | None = None) -> subprocess.Popen:
    command = [*KANSRIJK, "build", str(params), "--book-dir", str(book), "--jobs", "2", "--quiet"]
    return subprocess.Popen(
        [*command, "--chapters", str(FIXTURES / chapters)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def _wait_for_chapter(process: subprocess.Popen, book: Path, timeout: float = 60) -> list[psutil.Process]:
    """The driver's descendants once the slow chapter runs (in its own folder of the staging)."""
    driver = psutil.Process(process.pid)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if list((book / ".work" / "staging").glob("*/bron/.hoofdstuk/traag")):
            time.sleep(1)  # the chapter has started its cell
            return driver.children(recursive=True)
        assert process.poll() is None, process.communicate()
        time.sleep(0.2)
    raise AssertionError("the chapter did not start")


def _all_gone(processes: list[psutil.Process], timeout: float = 20) -> list[psutil.Process]:
    _, alive = psutil.wait_procs(processes, timeout=timeout)
    return alive


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signal_stops_the_build_before_it_publishes(tmp_path, signum, code):
    params = write_edition(tmp_path, slug="stad")
    book = tmp_path / "boek"
    process = _start(params, book)
    descendants = _wait_for_chapter(process, book)
    os.kill(process.pid, signum)
    _, err = process.communicate(timeout=60)
    assert process.returncode == code, err
    assert "onderbroken" in err and "Traceback" not in err
    assert not _all_gone(descendants), "workers outlived the build"
    assert not (book / "stad").exists()
    assert not list((book / ".work" / "staging").glob("stad-*"))


def test_a_killed_driver_takes_its_workers_with_it(tmp_path):
    params = write_edition(tmp_path, slug="stad")
    book = tmp_path / "boek"
    process = _start(params, book)
    descendants = _wait_for_chapter(process, book)
    process.kill()
    process.communicate()
    assert not _all_gone(descendants), "workers outlived their driver"
    stale = list((book / ".work" / "staging").glob("stad-*"))
    assert stale  # a kill -9 leaves its staging folder behind ...
    again = _start(params, book, chapters="kort")
    _, err = again.communicate(timeout=300)
    assert again.returncode == 0, err
    assert not any(p.exists() for p in stale)  # ... and the next build of the edition removes it
    assert (book / "stad" / "html" / "kort.html").is_file()


@pytest.mark.browser
def test_a_driver_killed_while_it_prints_takes_printer_and_browser_with_it(tmp_path):
    """The PDF is printed by a printer process of the driver, in a Chromium it keeps: killed with
    -9 while the browser runs, the driver leaves no printer, Playwright driver or browser behind."""
    from kansrijk.pipeline.pdf import chromium

    if chromium() is None:
        pytest.skip("Chromium is not installed")
    params = write_edition(tmp_path, slug="stad")
    process = _start(params, tmp_path / "boek", chapters="kort")
    driver = psutil.Process(process.pid)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        descendants = driver.children(recursive=True)
        if any("chrom" in p.name() for p in descendants if p.is_running()):
            break
        assert process.poll() is None, process.communicate()
        time.sleep(0.1)
    else:
        raise AssertionError("no browser started")
    time.sleep(0.5)
    descendants = driver.children(recursive=True)
    process.kill()
    process.communicate()
    alive = _all_gone(descendants)
    assert not alive, f"outlived their driver: {[p.name() for p in alive]}"


def test_workers_start_with_the_libraries_imported_and_the_import_starts_no_thread(tmp_path):
    """Workers are forked from a server that imported the stack once: a printer, which imports
    nothing itself, has it. Forking a process with threads could copy a held lock: importing the
    stack starts none."""
    from helpers import imported

    from kansrijk.pipeline.workers import start_pool

    pool = start_pool(1, tmp_path / "log", warm=False)
    try:
        names = ["pandas", "statsmodels.api", "sphinx.application", "myst_nb.sphinx_ext", "kansrijk.disclosure.plan"]
        assert pool.submit(imported, names).result(timeout=120) == [True] * len(names)
    finally:
        pool.shutdown()
    code = "import threading, kansrijk.pipeline.preload; print(threading.active_count())"
    threads = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert threads.strip() == "1"


@pytest.mark.parametrize(("asked", "used"), [(None, "1"), ("2", "2")])
def test_every_process_of_a_build_computes_with_one_blas_thread_unless_asked_otherwise(tmp_path, asked, used):
    """Chapters and editions run in parallel, a process per core: OpenBLAS's threads would only
    compete with the other processes. The driver, its fork server and every worker load OpenBLAS
    with one thread; a value the analyst sets is kept."""
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    if asked is not None:
        env["OPENBLAS_NUM_THREADS"] = asked
    params = write_edition(tmp_path, slug="stad")
    book = tmp_path / "boek"
    process = _start(params, book, env=env)
    descendants: list[psutil.Process] = []
    try:
        descendants = _wait_for_chapter(process, book)
        # (the driver sets it for itself before numpy loads, which /proc does not show)
        pythons = [p for p in descendants if "python" in p.name()]
        assert len(pythons) >= 2  # the fork server and the workers
        assert {p.environ().get("OPENBLAS_NUM_THREADS") for p in pythons} == {used}
    finally:
        process.kill()
        process.communicate()
        _all_gone(descendants)
