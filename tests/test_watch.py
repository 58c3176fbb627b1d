"""``kansrijk build --watch``: an edit rebuilds the edition with the same warm workers; a broken
input is reported while the last good edition stays; Ctrl-C ends it, with every worker."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import psutil
import pytest
from helpers import write_edition

from kansrijk.paths import CHAPTERS
from kansrijk.pipeline.run import BuildOptions
from kansrijk.pipeline.watch import PACKAGE, is_code, relevant, watched

FIXTURES = Path(__file__).parent / "fixtures"


def _until(condition: Callable[[], bool], process: subprocess.Popen, what: str, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        assert process.poll() is None, f"the watch ended ({process.returncode}) before {what}"
        time.sleep(0.1)
    raise AssertionError(f"no {what} within {timeout} s")


def _edit(notebook: Path, text: str) -> None:
    content = json.loads(notebook.read_text(encoding="utf-8"))
    content["cells"][1]["source"] = f"# Kort\n\n{text}\n"
    notebook.write_text(json.dumps(content), encoding="utf-8")


def test_what_a_watch_reads_and_what_restarts_it(tmp_path):
    params = write_edition(tmp_path, slug="stad")
    book = tmp_path / "boek"
    options = BuildOptions(chapters=FIXTURES / "kort", book=book)
    paths = watched([str(params)], options)
    assert params.resolve() in paths and (tmp_path / "data").resolve() in paths
    assert (FIXTURES / "kort").resolve() in paths and PACKAGE in paths
    assert not relevant(book.resolve() / "stad" / "html" / "kort.html", book.resolve())
    assert not relevant(CHAPTERS / ".ipynb_checkpoints" / "kort-checkpoint.ipynb", book.resolve())
    assert relevant(tmp_path / "data" / "kinderen.csv", book.resolve())
    assert is_code(PACKAGE / "tables.py") and not is_code(PACKAGE / "__pycache__" / "tables.cpython-311.pyc")
    assert not is_code(CHAPTERS / "context.ipynb")
    # a parameter file that does not load is still watched, for the fix
    broken = tmp_path / "kapot.yml"
    broken.write_text("gemeente: [", encoding="utf-8")
    assert broken.resolve() in watched([str(broken)], options)


@pytest.mark.build
def test_an_edit_rebuilds_with_the_same_workers_and_ctrl_c_ends_them(tmp_path):
    params = write_edition(tmp_path, slug="stad")
    chapters = tmp_path / "hoofdstukken"
    shutil.copytree(FIXTURES / "kort", chapters)
    book = tmp_path / "boek"
    out, err = tmp_path / "uit.txt", tmp_path / "fout.txt"
    command = [sys.executable, "-m", "kansrijk.cli", "build", str(params), "--watch", "--zonder-pdf"]
    command += ["--chapters", str(chapters), "--book-dir", str(book), "--jobs", "2"]
    with out.open("w") as stdout, err.open("w") as stderr:
        process = subprocess.Popen(command, stdout=stdout, stderr=stderr)
    try:
        page = book / "stad" / "html" / "kort.html"
        _until(page.is_file, process, "first edition")
        _until(lambda: "Wacht op wijzigingen" in out.read_text(encoding="utf-8"), process, "waiting")
        workers = {p.pid for p in psutil.Process(process.pid).children(recursive=True)}
        assert workers

        _edit(chapters / "kort.ipynb", "Een nieuwe alinea.")
        _until(lambda: "Een nieuwe alinea." in page.read_text(encoding="utf-8"), process, "rebuilt page")
        record = json.loads((book / "stad" / "provenance.json").read_text(encoding="utf-8"))
        assert [c["notebook"] for c in record["hoofdstukken"] if not c["uit_cache"]] == ["kort.ipynb"]
        assert workers <= {p.pid for p in psutil.Process(process.pid).children(recursive=True)}

        # a broken input is reported, and the edition stays as it was
        children = tmp_path / "data" / "kinderen.csv"
        good = children.read_text(encoding="utf-8")
        children.write_text(good.replace("\n", "\nnietgoed,\n", 1), encoding="utf-8")
        _until(lambda: "datacontract" in err.read_text(encoding="utf-8"), process, "input report")
        assert "Traceback" not in err.read_text(encoding="utf-8")
        assert "Een nieuwe alinea." in page.read_text(encoding="utf-8")
        assert process.poll() is None  # still watching

        descendants = psutil.Process(process.pid).children(recursive=True)
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=60) == 0
        _, alive = psutil.wait_procs(descendants, timeout=20)
        assert not alive, "workers outlived the watch"
    finally:
        if process.poll() is None:
            process.kill()
