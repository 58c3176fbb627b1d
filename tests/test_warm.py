"""The warm fork server: a build leaves one, the next build of the same code forks its workers
from it (with its own environment), it ends once unused, a killed driver still takes its workers
with it, and it is used only from a folder no one else can enter."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
import pytest
from helpers import write_edition

from kansrijk.pipeline import warm

pytestmark = pytest.mark.build

FIXTURES = Path(__file__).parent / "fixtures"
KANSRIJK = [sys.executable, "-m", "kansrijk.cli"]
# A cell that tells the test which process forked the chapter's worker and what environment it has.
RECORD = """import os
with open(os.environ["TEST_UIT"], "a") as record:
    record.write(f"{os.getppid()} {os.environ.get('TEST_WAARDE')}\\n")
"""


@pytest.fixture
def runtime():
    """A short private folder for the servers (a socket's address has at most 107 bytes); every
    server in it is ended afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="kw", dir="/tmp"))
    yield folder
    for keeper in _keepers(folder):
        with contextlib.suppress(psutil.Error):
            _server(keeper).kill()
        keeper.kill()
    shutil.rmtree(folder, ignore_errors=True)


def _edition(tmp_path: Path) -> tuple[Path, Path, Path, Path]:
    """A small edition's parameter file, its book folder, the recording chapters and their record."""
    return write_edition(tmp_path, slug="stad"), tmp_path / "boek", _chapters(tmp_path), tmp_path / "meld"


def _server(keeper: psutil.Process) -> psutil.Process:
    """The fork server a keeper keeps (its first argument)."""
    return psutil.Process(int(keeper.cmdline()[3]))


def _keepers(runtime: Path) -> list[psutil.Process]:
    found = []
    for process in psutil.process_iter(["cmdline"]):
        command = process.info["cmdline"] or []
        if "kansrijk.pipeline.warm" in command and any(str(runtime) in part for part in command):
            found.append(process)
    return found


def _chapters(tmp_path: Path, name: str = "kort") -> Path:
    """The fixture chapters, each with a cell that records its worker's parent and environment."""
    chapters = tmp_path / "hoofdstukken"
    shutil.copytree(FIXTURES / name, chapters)
    for notebook in chapters.glob("*.ipynb"):
        content = json.loads(notebook.read_text(encoding="utf-8"))
        cell = {"cell_type": "code", "execution_count": None, "id": "meld", "outputs": []}
        content["cells"].insert(1, cell | {"metadata": {"tags": ["remove-cell"]}, "source": RECORD})
        notebook.write_text(json.dumps(content), encoding="utf-8")
    return chapters


def _environment(runtime: Path, record: Path, minutes: str, value: str) -> dict[str, str]:
    return os.environ | {
        "KANSRIJK_WARM": minutes,
        "XDG_RUNTIME_DIR": str(runtime),
        "TEST_UIT": str(record),
        "TEST_WAARDE": value,  # not among the keyed variables: the worker must take its driver's
    }


def _build(params: Path, book: Path, chapters: Path, env: dict[str, str], *extra: str) -> subprocess.Popen:
    command = [*KANSRIJK, "build", str(params), "--book-dir", str(book), "--jobs", "2", "--quiet"]
    return subprocess.Popen(
        [*command, "--chapters", str(chapters), "--zonder-pdf", *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def _finished(process: subprocess.Popen) -> None:
    _, err = process.communicate(timeout=300)
    assert process.returncode == 0, err


def test_the_next_build_forks_its_workers_from_the_server_a_build_left(tmp_path, runtime):
    params, book, chapters, record = _edition(tmp_path)
    _finished(_build(params, book, chapters, _environment(runtime, record, "1", "eerste")))
    [keeper] = _keepers(runtime)
    server = _server(keeper).pid
    _finished(_build(params, book, chapters, _environment(runtime, record, "1", "tweede"), "--force"))
    first, second = record.read_text(encoding="utf-8").splitlines()
    assert first == f"{server} eerste"
    assert second == f"{server} tweede"  # the same server, and the second driver's environment
    assert [p.pid for p in _keepers(runtime)] == [keeper.pid]


def test_the_server_ends_once_no_build_has_used_it_for_its_minutes(tmp_path, runtime):
    params, book, chapters, record = _edition(tmp_path)
    _finished(_build(params, book, chapters, _environment(runtime, record, "0.02", "x")))  # 1.2 s
    [keeper] = _keepers(runtime)
    server = _server(keeper)
    _, alive = psutil.wait_procs([keeper, server], timeout=30)
    assert not alive
    assert not list(runtime.rglob("*.sock"))


def test_a_killed_driver_takes_the_workers_it_forked_from_a_warm_server_with_it(tmp_path, runtime):
    params, book, record = write_edition(tmp_path, slug="stad"), tmp_path / "boek", tmp_path / "meld"
    process = _build(params, book, _chapters(tmp_path, "traag"), _environment(runtime, record, "1", "x"))
    deadline = time.monotonic() + 120
    while not record.exists():  # the slow chapter's worker has recorded itself
        assert time.monotonic() < deadline and process.poll() is None, process.communicate()
        time.sleep(0.2)
    [keeper] = _keepers(runtime)
    server = _server(keeper)
    workers = server.children()
    assert workers
    os.kill(process.pid, signal.SIGKILL)
    process.communicate()
    _, alive = psutil.wait_procs(workers, timeout=20)
    assert not alive, "workers outlived their driver"
    assert server.is_running()  # the server stays for the next build


def test_the_key_covers_the_variables_imports_read_and_not_others(monkeypatch):
    monkeypatch.delenv("TEST_WAARDE", raising=False)
    before = warm.key()
    monkeypatch.setenv("TEST_WAARDE", "iets")
    assert warm.key() == before
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "3")
    assert warm.key() != before


def test_a_folder_that_others_can_enter_or_a_link_is_not_used(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    monkeypatch.setenv("KANSRIJK_WARM", "1")
    private = tmp_path / f"kansrijk-{os.getuid()}"
    assert warm.folder() == private and stat.S_IMODE(private.stat().st_mode) == 0o700
    private.chmod(0o755)
    assert warm.folder() is None and warm.attach() is None
    private.rmdir()
    elsewhere = tmp_path / "elders"
    elsewhere.mkdir(mode=0o700)
    private.symlink_to(elsewhere)
    assert warm.folder() is None and warm.attach() is None


def test_a_build_whose_warm_server_died_forks_from_a_server_of_its_own(tmp_path, runtime):
    """The keeper has not yet seen its server die (stopped here, so that it cannot): the build
    cannot connect, and starts its own fork server, as without a warm one."""
    params, book, chapters, record = _edition(tmp_path)
    _finished(_build(params, book, chapters, _environment(runtime, record, "1", "x")))
    [keeper] = _keepers(runtime)
    server = _server(keeper)
    keeper.suspend()
    try:
        server.kill()
        server.wait(timeout=10)
        _finished(_build(params, book, chapters, _environment(runtime, record, "1", "x"), "--force"))
    finally:
        keeper.resume()
    assert (book / "stad" / "html" / "kort.html").exists()
    assert int(record.read_text(encoding="utf-8").splitlines()[-1].split()[0]) != server.pid
