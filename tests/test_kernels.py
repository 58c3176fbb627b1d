"""Warm kernels: a chapter executed in a kernel that already ran other chapters (and other
editions) is the same notebook as one executed in a fresh kernel; nothing of one notebook's
namespace reaches the next; a kernel that dies is replaced."""

from __future__ import annotations

import pickle
import shutil
from pathlib import Path

import nbformat
import pytest
from helpers import random_tables, write_edition

from kansrijk.chapter import PUBLICATION_FILE
from kansrijk.paths import CHAPTERS
from kansrijk.pipeline.execute import normalise, run_chapter

pytestmark = pytest.mark.build


def _source(tmp_path: Path, name: str, seed: int) -> tuple[Path, str]:
    """A staging folder as the driver makes it: the parameter file by its bare name and the plan."""
    from kansrijk.disclosure.plan import plan
    from kansrijk.params import load_edition
    from kansrijk.validation import load_edition_data

    params = write_edition(tmp_path / name, random_tables(n=700, seed=seed), slug=name)
    folder = tmp_path / name / "bron"
    folder.mkdir()
    shutil.copy(params, folder / params.name)
    edition = load_edition(folder / params.name)
    (folder / PUBLICATION_FILE).write_bytes(pickle.dumps(plan(edition, load_edition_data(edition))))
    return folder, params.name


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


def test_a_chapter_in_a_warm_kernel_equals_one_in_a_fresh_kernel(tmp_path):
    first, first_param = _source(tmp_path, "eerste", 3)
    second, second_param = _source(tmp_path, "tweede", 4)
    chapter = CHAPTERS / "opleiding-migratie.ipynb"
    _fresh(chapter, tmp_path / "vers.ipynb", second_param, second)
    # the worker's kernel runs chapters of another edition first, then this one
    for template in (CHAPTERS / "kwetsbaarheid.ipynb", CHAPTERS / "stapeling.ipynb"):
        assert not run_chapter(template, first / template.name, first_param, first).failed
    warm = run_chapter(chapter, second / chapter.name, second_param, second)
    assert not warm.failed, warm.error
    assert _cells(second / chapter.name) == _cells(tmp_path / "vers.ipynb")
    assert [c["execution_count"] for c in _cells(second / chapter.name) if c["cell_type"] == "code"][:2] == [1, 2]


def test_nothing_of_one_notebook_reaches_the_next(tmp_path):
    folder = tmp_path / "map"
    folder.mkdir()

    def notebook(name: str, source: str) -> Path:
        nb = nbformat.v4.new_notebook()
        nb.cells = [
            nbformat.v4.new_code_cell('editie = "x"', metadata={"tags": ["parameters"]}),
            nbformat.v4.new_code_cell(source),
        ]
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        path = tmp_path / f"{name}.ipynb"
        nbformat.write(nb, path)
        return path

    leaves = notebook("laat", "geheim = 42\nimport matplotlib.pyplot as plt\nplt.figure()\n_ = open('spoor', 'w')")
    looks = notebook(
        "kijkt", "import os, matplotlib.pyplot as plt\nprint('geheim' in dir(), plt.get_fignums(), os.getcwd())"
    )
    other = tmp_path / "andere"
    other.mkdir()
    assert not run_chapter(leaves, folder / "laat.ipynb", "x", folder).failed
    assert not run_chapter(looks, other / "kijkt.ipynb", "x", other).failed
    [output] = nbformat.read(other / "kijkt.ipynb", as_version=4).cells[-1].outputs
    assert output["text"].strip() == f"False [] {other}"
    assert (folder / "spoor").exists() and not (other / "spoor").exists()


def _notebook(path: Path, source: str) -> Path:
    nb = nbformat.v4.new_notebook(
        metadata={"kernelspec": {"name": "python3", "language": "python", "display_name": "Python 3"}}
    )
    nb.cells = [nbformat.v4.new_code_cell(source)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


def test_a_kernel_that_dies_is_replaced_for_the_next_notebook(tmp_path):
    dies = _notebook(tmp_path / "sterft.ipynb", "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)")
    assert run_chapter(dies, tmp_path / "uit-sterft.ipynb", "x", tmp_path).failed
    after = tmp_path / "na.ipynb"
    assert not run_chapter(_notebook(tmp_path / "bron.ipynb", "print(6 * 7)"), after, "x", tmp_path).failed
    assert nbformat.read(after, as_version=4).cells[-1].outputs[0]["text"].strip() == "42"


def test_a_print_is_one_output_however_the_kernel_sends_it(tmp_path):
    """The kernel sends a line as one message or several, by timing; the notebook does not show which."""
    template = tmp_path / "print.ipynb"
    nb = nbformat.v4.new_notebook(
        metadata={"kernelspec": {"name": "python3", "language": "python", "display_name": "Python 3"}}
    )
    nb.cells = [
        nbformat.v4.new_code_cell("editie = ''", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell(
            "import sys, time\nprint('een regel', end='')\nsys.stdout.flush()\ntime.sleep(0.3)\nprint(' in twee delen')"
        ),
    ]
    nbformat.write(nb, template)
    run = run_chapter(template, tmp_path / "uit.ipynb", "x.yml", tmp_path)
    assert not run.failed, run.error
    outputs = nbformat.read(run.output, as_version=4).cells[-1].outputs
    assert [(o.output_type, o.name, o.text) for o in outputs] == [("stream", "stdout", "een regel in twee delen\n")]
