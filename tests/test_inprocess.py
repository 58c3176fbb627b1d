"""Chapters in the worker's own shell: every chapter, executed in a shell that already ran another
edition's chapters, is the same notebook (and writes the same figures, tables and ledger) as one
executed by papermill in a fresh kernel; every kind of output is recorded as a kernel records it;
nothing of one notebook reaches the next; a worker that dies is replaced.

The chapters run in a spawned worker, as in a build: the shell changes its process (its standard
streams while a cell runs, matplotlib's backend), which is the worker's and not the test's."""

from __future__ import annotations

import os
import pickle
import shutil
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import nbformat
import pytest
from helpers import random_tables, write_edition

from kansrijk.chapter import PUBLICATION_FILE
from kansrijk.paths import CHAPTERS
from kansrijk.pipeline.book import CHANGE_CHAPTER
from kansrijk.pipeline.execute import OUTPUTS, normalise, run_chapter
from kansrijk.pipeline.workers import start_pool

pytestmark = pytest.mark.build


@pytest.fixture
def worker(tmp_path):
    pool = start_pool(1, tmp_path / "werk.log")
    yield pool
    pool.shutdown()


def _source(folder: Path, seed: int) -> str:
    """A staging folder as the driver makes it: the parameter file by its bare name and the plan."""
    from kansrijk.disclosure.plan import plan
    from kansrijk.params import load_edition
    from kansrijk.validation import load_edition_data

    params = write_edition(folder.parent / f"invoer-{folder.name}", random_tables(n=700, seed=seed), slug=folder.name)
    folder.mkdir(parents=True)
    shutil.copy(params, folder / params.name)
    edition = load_edition(folder / params.name)
    (folder / PUBLICATION_FILE).write_bytes(pickle.dumps(plan(edition, load_edition_data(edition))))
    return params.name


def _fresh(template: Path, output: Path, param: str, folder: Path) -> None:
    """papermill's own engine: a new kernel for this notebook alone."""
    import papermill

    papermill.execute_notebook(
        str(template), str(output), parameters={"editie": param}, kernel_name="python3", cwd=str(folder),
        progress_bar=False, request_save_on_cell_execute=False, coalesce_streams=True,
    )  # fmt: skip
    normalise(output)


def _cells(path: Path) -> list[dict]:
    return [
        {k: c.get(k) for k in ("cell_type", "source", "execution_count", "outputs", "metadata")}
        for c in nbformat.read(path, as_version=4).cells
    ]


def _made(folder: Path) -> dict[str, bytes]:
    """What the chapters wrote besides their notebooks: figures, tables, ledger."""
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for name in OUTPUTS
        for p in sorted((folder / name).rglob("*"))
        if p.is_file()
    }


def test_every_chapter_in_a_used_shell_equals_one_in_a_fresh_kernel(tmp_path, worker):
    other = _source(tmp_path / "andere", 3)
    chapters = [t for t in sorted(CHAPTERS.glob("*.ipynb")) if t.stem != CHANGE_CHAPTER]
    for template in chapters:  # the worker's shell runs another edition's chapters first
        assert (
            not worker.submit(run_chapter, template, tmp_path / "andere" / template.name, other, tmp_path / "andere")
            .result()
            .failed
        )
    kernel, shell = tmp_path / "kernel" / "stad", tmp_path / "shell" / "stad"
    param = _source(kernel, 4)
    assert _source(shell, 4) == param
    for template in chapters:
        _fresh(template, kernel / template.name, param, kernel)
        run = worker.submit(run_chapter, template, shell / template.name, param, shell).result()
        assert not run.failed, run.error
        assert _cells(shell / template.name) == _cells(kernel / template.name), template.name
    assert _made(shell) == _made(kernel) and _made(shell)
    numbers = [c["execution_count"] for c in _cells(shell / chapters[0].name) if c["cell_type"] == "code"]
    assert numbers[:2] == [1, 2]


OUTPUT_KINDS = [
    "import kansrijk.figures",  # as every chapter's shell has (matplotlib on Agg: an open figure is not shown)
    "import sys\nprint('een', end='')\nprint('fout', file=sys.stderr)\nprint(' twee')\nprint('x\\ry')",
    "from IPython.display import Markdown, clear_output, display\ndisplay(Markdown('*m*'), metadata={'k': [1]})\n6 * 7",
    "display('weg')\nclear_output()\nprint('na')",
    "display('blijft even')\nclear_output(wait=True)\ndisplay('daarna')",
    "h = display('eerst', display_id='d')\nh.update('later')",
    "import matplotlib.pyplot as plt\nplt.plot([1, 2]);",
    "import io\nfrom IPython.display import Image\nf = plt.figure(figsize=(1, 1))\nb = io.BytesIO()\n"
    "f.savefig(b, format='png')\nplt.close(f)\ndisplay(Image(data=b.getvalue()))",
    "raise ValueError('verwacht')",  # tagged raises-exception: the next cells run (papermill fails it after)
    "print('verder')",
]


def test_every_kind_of_output_is_recorded_as_a_kernel_records_it(tmp_path, worker):
    nb = nbformat.v4.new_notebook(
        metadata={"kernelspec": {"name": "python3", "language": "python", "display_name": "Python 3"}}
    )
    nb.cells = [nbformat.v4.new_code_cell("editie = ''", metadata={"tags": ["parameters"]})]
    for source in OUTPUT_KINDS:
        tags = ["raises-exception"] if source.startswith("raise") else []
        nb.cells.append(nbformat.v4.new_code_cell(source, metadata={"tags": tags}))
    nb.cells.append(nbformat.v4.new_markdown_cell("# Tekst"))
    template = tmp_path / "soorten.ipynb"
    nbformat.write(nb, template)
    from papermill.exceptions import PapermillExecutionError

    with pytest.raises(PapermillExecutionError, match="verwacht"):
        _fresh(template, tmp_path / "kernel.ipynb", "x", tmp_path)
    run = worker.submit(run_chapter, template, tmp_path / "shell.ipynb", "x", tmp_path).result()
    assert run.failed and run.error == "ValueError: verwacht"
    for path in (tmp_path / "kernel.ipynb", tmp_path / "shell.ipynb"):
        normalise(path)

    def comparable(path: Path) -> list[dict]:
        cells = _cells(path)
        for cell in cells:
            for output in cell.get("outputs") or []:
                output.pop("traceback", None)  # the same error; its frames are named differently
        return cells

    shell, kernel = comparable(tmp_path / "shell.ipynb"), comparable(tmp_path / "kernel.ipynb")
    assert shell == kernel
    kinds = [o["output_type"] for c in shell for o in c.get("outputs") or []]
    assert {"stream", "display_data", "execute_result", "error"} <= set(kinds)
    assert any("image/png" in o.get("data", {}) for c in shell for o in c.get("outputs") or [])
    assert nbformat.read(tmp_path / "shell.ipynb", as_version=4).metadata["language_info"]["name"] == "python"


def _notebook(path: Path, *sources: str) -> Path:
    nb = nbformat.v4.new_notebook(
        metadata={"kernelspec": {"name": "python3", "language": "python", "display_name": "Python 3"}}
    )
    nb.cells = [nbformat.v4.new_code_cell('editie = "x"', metadata={"tags": ["parameters"]})]
    nb.cells += [nbformat.v4.new_code_cell(source) for source in sources]
    nbformat.write(nb, path)
    return path


def test_nothing_of_one_notebook_reaches_the_next(tmp_path, worker):
    folder, other = tmp_path / "map", tmp_path / "andere"
    folder.mkdir()
    other.mkdir()
    leaves = _notebook(
        tmp_path / "laat.ipynb", "geheim = 42\nimport matplotlib.pyplot as plt\nplt.figure()\n_ = open('spoor', 'w')"
    )
    looks = _notebook(
        tmp_path / "kijkt.ipynb",
        "import os, matplotlib.pyplot as plt\nprint('geheim' in dir(), plt.get_fignums(), os.getcwd())",
    )
    assert not worker.submit(run_chapter, leaves, folder / "laat.ipynb", "x", folder).result().failed
    assert not worker.submit(run_chapter, looks, other / "kijkt.ipynb", "x", other).result().failed
    [output] = nbformat.read(other / "kijkt.ipynb", as_version=4).cells[-1].outputs
    assert output["text"].strip() == f"False [] {other}"
    assert (folder / "spoor").exists() and not (other / "spoor").exists()


def test_a_failing_cell_is_named_and_the_shell_serves_the_next_notebook(tmp_path, worker):
    fails = _notebook(tmp_path / "faalt.ipynb", "x = 1", "raise KeyError('wijk')")
    run = worker.submit(run_chapter, fails, tmp_path / "uit-faalt.ipynb", "x", tmp_path).result()
    assert run.failed and run.cell == 3 and "KeyError" in run.error and "wijk" in run.error
    after = tmp_path / "na.ipynb"
    assert (
        not worker.submit(run_chapter, _notebook(tmp_path / "bron.ipynb", "print(6 * 7)"), after, "x", tmp_path)
        .result()
        .failed
    )
    assert nbformat.read(after, as_version=4).cells[-1].outputs[0]["text"].strip() == "42"


def test_a_print_is_one_output_however_it_is_written(tmp_path, worker):
    template = _notebook(
        tmp_path / "print.ipynb",
        "import sys, time\nprint('een regel', end='')\nsys.stdout.flush()\ntime.sleep(0.3)\nprint(' in twee delen')",
    )
    run = worker.submit(run_chapter, template, tmp_path / "uit.ipynb", "x.yml", tmp_path).result()
    assert not run.failed, run.error
    outputs = nbformat.read(run.output, as_version=4).cells[-1].outputs
    assert [(o.output_type, o.name, o.text) for o in outputs] == [("stream", "stdout", "een regel in twee delen\n")]


def test_a_worker_that_dies_is_replaced_for_the_next_task(worker):
    first = worker.submit(os.getpid).result()
    with pytest.raises(BrokenProcessPool):
        worker.submit(os._exit, 1).result()
    assert worker.submit(os.getpid).result() != first
