"""The series: scaffolding a new edition, the landing page, building several editions."""

from __future__ import annotations

import json

import pytest
import yaml
from helpers import random_tables, small_tables, write_edition

from kansrijk import scaffold
from kansrijk.cli import app
from kansrijk.landing import render
from kansrijk.validation import load_inputs


@pytest.fixture
def repo(tmp_path, monkeypatch):
    params, data = tmp_path / "params", tmp_path / "data"
    params.mkdir()
    monkeypatch.setattr(scaffold, "PARAMS", params)
    monkeypatch.setattr(scaffold, "DATA", data)
    return tmp_path


def test_new_scaffolds_parameters_and_headers(repo, runner):
    result = runner.invoke(app, ["new", "amersfoort", "--gemeente", "Amersfoort", "--gemeentecode", "GM0307"])
    assert result.exit_code == 0, result.output
    params = yaml.safe_load((repo / "params" / "amersfoort.yml").read_text())
    assert params["gemeentecode"] == "GM0307" and params["synthetisch"] is False and params["grenzen"] is None
    header = (repo / "data" / "amersfoort" / "kinderen.csv").read_text().strip().split(",")
    assert header == [
        "kind_id",
        "leeftijd",
        "wijk_code",
        "opleiding_ouders",
        "migratieachtergrond",
        "extra_aandacht",
        "uit_balans",
    ]
    assert "risicofactoren.csv" in result.output and "kansrijk validate amersfoort" in result.output
    again = runner.invoke(app, ["new", "amersfoort", "--gemeente", "Amersfoort", "--gemeentecode", "GM0307"])
    assert again.exit_code == 2 and "bestaat al" in again.output


def test_new_checks_the_municipality_code(repo, runner):
    result = runner.invoke(app, ["new", "x", "--gemeente", "X", "--gemeentecode", "0307"])
    assert result.exit_code == 2 and "gemeentecode" in result.output
    assert not (repo / "params" / "x.yml").exists()


def test_header_only_files_are_an_input_error(tmp_path):
    tables = {k: v.iloc[0:0] for k, v in small_tables().items()}
    with pytest.raises(Exception) as caught:
        load_inputs(write_edition(tmp_path, tables).parent / "data")
    assert {p.file for p in caught.value.problems} == {"wijken.csv", "kinderen.csv", "armoede.csv"}


def _figures(gemeente: str, jaar: int, synthetic: bool, pct: float | None) -> dict:
    return {
        "editie": gemeente.lower(), "gemeente": gemeente, "jaar": jaar,
        "gemeentecode": {"Utrecht": "GM0344", "Zwolle": "GM0193"}.get(gemeente, "GM0001"),
        "synthetisch": synthetic,
        "kinderen": {"n": 1000, "extra_aandacht": {"n": 180, "pct": pct}, "balans": {"uit_balans": 4.0},
                     "extra_aandacht_naar_opleiding": {"laag": {"pct": 56.0}}, "opleiding_onder_extra_aandacht": {}},
        "armoede": {"pct_125": 11.1, "pct_105": None},
    }  # fmt: skip


def test_landing_page_cards_and_comparison(tmp_path):
    for name, jaar, synthetic, pct in (("Utrecht", 2019, True, 18.0), ("Zwolle", 2023, False, None)):
        (tmp_path / name.lower()).mkdir()
        (tmp_path / name.lower() / "kerncijfers.json").write_text(json.dumps(_figures(name, jaar, synthetic, pct)))
    page = render(tmp_path)
    assert page.count('class="card"') == 2
    assert 'href="utrecht/html/index.html"' in page and 'href="zwolle/html/index.html"' in page
    assert "Synthetische gegevens" in page and "Registratiegegevens" in page
    assert "18,0%" in page and "11,1%" in page and "–" in page  # Dutch numbers; suppressed as a dash
    assert page.index("Utrecht 2019") < page.index("Zwolle 2023")


@pytest.mark.build
def test_build_all_goes_on_past_a_failing_edition(tmp_path, runner, monkeypatch):
    params = tmp_path / "params"
    params.mkdir()
    good = write_edition(tmp_path / "goed", random_tables(n=400, seed=3), slug="goedstad")
    bad_tables = small_tables()
    bad_tables["armoede"].loc[0, "tot_125_wsm"] = 9999
    bad = write_edition(tmp_path / "fout", bad_tables, slug="foutstad")
    for path in (good, bad):
        (params / path.name).write_text(path.read_text())
    monkeypatch.setattr("kansrijk.paths.PARAMS", params)
    book = tmp_path / "boek"
    result = runner.invoke(app, ["build", "--all", "--book-dir", str(book), "--jobs", "2", "--quiet"])
    assert result.exit_code != 0
    assert "foutstad" in result.output and "armoede.csv" in result.output and "tot_125_wsm" in result.output
    assert (book / "goedstad" / "html" / "index.html").is_file(), result.output
    assert not (book / "foutstad").exists()
    landing = (book / "index.html").read_text()
    assert "goedstad/html/index.html" in landing and "foutstad" not in landing
