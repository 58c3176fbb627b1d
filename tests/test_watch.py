"""``kansrijk build --watch``: an edit rebuilds the edition with the same warm workers; a broken
input is reported while the last good edition stays; Ctrl-C ends it, with every worker."""

from __future__ import annotations

import json
import os
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
from kansrijk.pipeline.watch import PACKAGE, is_code, watched

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
    """Save as many editors do: a new file renamed over the old one."""
    content = json.loads(notebook.read_text(encoding="utf-8"))
    content["cells"][1]["source"] = f"# Kort\n\n{text}\n"
    saved = notebook.with_name(f".{notebook.name}.tmp")
    saved.write_text(json.dumps(content), encoding="utf-8")
    os.replace(saved, notebook)


def test_what_a_watch_reads_and_what_restarts_it(tmp_path):
    params = write_edition(tmp_path, slug="stad")
    data = (tmp_path / "data").resolve()
    book = tmp_path / "boek"
    (book / "stad").mkdir(parents=True)
    options = BuildOptions(chapters=FIXTURES / "kort", book=book)
    paths = watched([str(params)], options)
    # a file is watched through its folder: an editor may save it by renaming a new file over it
    assert params.resolve() in paths.files and tmp_path.resolve() in paths.roots
    assert paths.covers(params.resolve()) and paths.covers(data / "kinderen.csv")
    assert not paths.covers(tmp_path.resolve() / "aantekeningen.txt")  # beside the parameter file
    assert paths.covers((FIXTURES / "kort" / "kort.ipynb").resolve()) and paths.covers(PACKAGE / "tables.py")
    assert not paths.covers(book.resolve() / "stad" / "provenance.json")
    assert not paths.covers(CHAPTERS / ".ipynb_checkpoints" / "context-checkpoint.ipynb")
    assert is_code(PACKAGE / "pipeline" / "run.py") and not is_code(PACKAGE / "__pycache__" / "tables.cpython-311.pyc")
    assert not is_code(CHAPTERS / "context.ipynb")
    # a parameter file that does not load is still watched, for the fix
    broken = tmp_path / "kapot.yml"
    broken.write_text("gemeente: [", encoding="utf-8")
    assert paths.covers(broken.resolve()) is False and watched([str(broken)], options).covers(broken.resolve())


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

        for text in ("Een nieuwe alinea.", "Nog een alinea."):  # the watch outlives a renamed file
            _edit(chapters / "kort.ipynb", text)
            _until(lambda text=text: text in page.read_text(encoding="utf-8"), process, "rebuilt page")
        record = json.loads((book / "stad" / "provenance.json").read_text(encoding="utf-8"))
        assert [c["notebook"] for c in record["hoofdstukken"] if not c["uit_cache"]] == ["kort.ipynb"]
        assert workers <= {p.pid for p in psutil.Process(process.pid).children(recursive=True)}

        # a broken input is reported, and the edition stays as it was
        children = tmp_path / "data" / "kinderen.csv"
        good = children.read_text(encoding="utf-8")
        children.write_text(good.replace("\n", "\nnietgoed,\n", 1), encoding="utf-8")
        _until(lambda: "datacontract" in err.read_text(encoding="utf-8"), process, "input report")
        assert "Traceback" not in err.read_text(encoding="utf-8")
        assert "Nog een alinea." in page.read_text(encoding="utf-8")
        assert process.poll() is None  # still watching

        descendants = psutil.Process(process.pid).children(recursive=True)
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=60) == 0
        _, alive = psutil.wait_procs(descendants, timeout=20)
        assert not alive, "workers outlived the watch"
    finally:
        if process.poll() is None:
            process.kill()


def test_ctrl_c_just_after_a_build_published_ends_the_watch(tmp_path):
    """The signal may come after the edition was published but before the watch waits again; it
    stopped the workers, so the watch must end (it used to wait for changes with no workers)."""
    params = write_edition(tmp_path, slug="stad")
    chapters = tmp_path / "hoofdstukken"
    shutil.copytree(FIXTURES / "kort", chapters)
    # Ctrl-C at the moment the edition is published, from within the build
    late_signal = (
        "import os, signal, sys\n"
        "import kansrijk.pipeline.run as run\n"
        "published = run.publish\n"
        "def publish(*args):\n"
        "    warning = published(*args)\n"
        "    os.kill(os.getpid(), signal.SIGINT)\n"
        "    return warning\n"
        "run.publish = publish\n"
        "from kansrijk.cli import main\n"
        "sys.argv[0] = 'kansrijk'\n"
        "main()\n"
    )
    command = [sys.executable, "-c", late_signal, "build", str(params), "--watch", "--zonder-pdf"]
    command += ["--chapters", str(chapters), "--book-dir", str(tmp_path / "boek"), "--jobs", "2"]
    process = psutil.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        _, stderr = process.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        process.kill()
        raise AssertionError("the watch went on waiting after Ctrl-C") from None
    assert process.returncode == 130, stderr
    assert (tmp_path / "boek" / "stad" / "provenance.json").is_file()  # it had published
    assert "Traceback" not in stderr
