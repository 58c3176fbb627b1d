"""Builds on a Dask cluster: a LocalCluster of two workers builds national editions as this
machine's pool does; a cluster that cannot run chapters, or cannot be reached, is refused."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from kansrijk.cli import app
from kansrijk.pipeline import cluster

pytestmark = pytest.mark.build

TINY = ("GM0088", "GM0096")  # Schiermonnikoog and Vlieland: small municipalities, quick to build


@pytest.fixture(scope="module")
def national(tmp_path_factory):
    from typer.testing import CliRunner

    out = tmp_path_factory.mktemp("nederland")
    args = ["synth", "nederland", "--uit", str(out)] + [a for code in TINY for a in ("--alleen", code)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    return out / "params"


def _published(book: Path) -> dict[str, dict]:
    return {
        slug.name: {
            "kerncijfers": json.loads((slug / "kerncijfers.json").read_text(encoding="utf-8")),
            "cijfers": json.loads((slug / "cijfers.json").read_text(encoding="utf-8")),
            "pagina's": sorted(p.name for p in (slug / "html").glob("*.html")),
            "samenvatting": (slug / "html" / "samenvatting.html").read_text(encoding="utf-8"),
        }
        for slug in sorted(book.iterdir())
        if (slug / "kerncijfers.json").exists()
    }


def test_a_local_dask_cluster_builds_what_the_process_pool_builds(national, tmp_path, runner):
    books = {}
    for name, extra in (("pool", []), ("dask", ["--scheduler", "local"])):
        book = tmp_path / name
        args = ["build", "--all", str(national), "--book-dir", str(book), "--jobs", "2", "--quiet", "--zonder-pdf"]
        result = runner.invoke(app, args + extra)
        assert result.exit_code == 0, result.output
        books[name] = book
    pool, dask = _published(books["pool"]), _published(books["dask"])
    assert sorted(dask) == ["schiermonnikoog-2024", "vlieland-2024"]
    assert dask == pool
    assert not list(books["dask"].glob("*/*.pdf"))  # --zonder-pdf: the website only
    assert "schiermonnikoog-2024/html/index.html" in (books["dask"] / "index.html").read_text(encoding="utf-8")
    # nothing of the small municipalities' children is published: every count is withheld or below none
    # where the time went: each worker task's own time beside the driver's phases
    record = json.loads((books["dask"] / "vlieland-2024" / "provenance.json").read_text(encoding="utf-8"))
    assert {"plan", "boek", "controle"} <= set(record["werk"]) and "pdf" not in record["werk"]
    assert all(seconds > 0 for seconds in record["werk"].values())
    figures = dask["schiermonnikoog-2024"]["kerncijfers"]
    assert figures["kinderen"]["n"] is None and figures["kinderen"]["extra_aandacht"]["pct"] is None
    if shutil.which("chromium"):
        # the full edition is not the website-only one: asked for again with its PDF, it is rebuilt
        args = ["build", str(national / "vlieland-2024.yml"), "--book-dir", str(books["dask"]), "--quiet"]
        result = runner.invoke(app, [*args, "--scheduler", "local", "--jobs", "1"])
        assert result.exit_code == 0, result.output
        assert (books["dask"] / "vlieland-2024" / "vlieland-2024.pdf").is_file()


def test_dask_workers_with_more_than_one_thread_are_refused(national, tmp_path, runner):
    from distributed import LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as two:
        args = ["build", str(national / "vlieland-2024.yml"), "--book-dir", str(tmp_path), "--quiet"]
        result = runner.invoke(app, [*args, "--scheduler", two.scheduler_address])
    assert result.exit_code == 1
    assert "--nthreads 1" in result.output
    assert not (tmp_path / "vlieland-2024").exists()


def test_an_unreachable_scheduler_is_one_clear_line(national, tmp_path, runner, monkeypatch):
    monkeypatch.setattr(cluster, "CONNECT_SECONDS", 1)
    args = ["build", str(national / "vlieland-2024.yml"), "--book-dir", str(tmp_path), "--quiet"]
    result = runner.invoke(app, [*args, "--scheduler", "tcp://127.0.0.1:9"])
    assert result.exit_code == 1
    assert "Dask-scheduler tcp://127.0.0.1:9 is niet bereikbaar" in " ".join(result.output.split())
    assert "Traceback" not in result.output
