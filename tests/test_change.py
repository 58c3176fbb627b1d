"""Editions over the years: the previous edition is found as the contract says, and the chapter
and key figures on what changed agree with an independent computation."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from helpers import newcombe_by_hand, random_tables, write_edition

from kansrijk.analyses.change import newcombe
from kansrijk.cli import app
from kansrijk.params import load_edition
from kansrijk.previous import previous_edition
from kansrijk.problems import InputError


@pytest.mark.parametrize(("x1", "n1", "x2", "n2"), [(2514, 13900, 2300, 14100), (56, 70, 48, 80), (0, 60, 5, 60)])
def test_newcombe_interval_matches_the_formula(x1, n1, x2, n2):
    assert newcombe(x1, n1, x2, n2) == pytest.approx(newcombe_by_hand(x1, n1, x2, n2), abs=1e-9)


def _params(folder, slug, year, code="GM0999", **extra):
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{slug}.yml"
    data = folder.parent / "data"
    data.mkdir(exist_ok=True)
    values = {"gemeente": "Test", "gemeentecode": code, "jaar": year, "data": str(data), "synthetisch": True}
    path.write_text(json.dumps(values | extra), encoding="utf-8")  # JSON is YAML
    return path


def test_the_previous_edition_is_the_latest_earlier_year_of_the_same_municipality(tmp_path):
    folder = tmp_path / "params"
    _params(folder, "test-2019", 2019)
    _params(folder, "test-2021", 2021)
    _params(folder, "ander-2022", 2022, code="GM0001")
    _params(folder, "test-2024", 2024)
    (folder / "kapot.yml").write_text("gemeente: [", encoding="utf-8")  # another edition's problem
    now = load_edition(_params(folder, "test-2023", 2023))
    assert previous_edition(now).slug == "test-2021"
    assert previous_edition(load_edition(folder / "test-2019.yml")) is None


def test_vorige_names_a_slug_or_a_path_relative_to_the_parameter_file(tmp_path):
    folder = tmp_path / "params"
    _params(folder, "test-2019", 2019)
    _params(tmp_path / "elders", "oud", 2017)
    assert previous_edition(load_edition(_params(folder, "a", 2023, vorige="test-2019"))).slug == "test-2019"
    assert previous_edition(load_edition(_params(folder, "b", 2023, vorige="../elders/oud.yml"))).slug == "oud"


@pytest.mark.parametrize(
    ("vorige", "rule"),
    [
        ("test-2010", "de vorige editie bestaat niet"),
        ("ander", "van een andere gemeente"),
        ("later", "van een eerder jaar"),
    ],
)
def test_a_vorige_that_names_no_earlier_edition_of_the_municipality_is_refused(tmp_path, runner, vorige, rule):
    folder = tmp_path / "params"
    _params(folder, "ander", 2019, code="GM0001")
    _params(folder, "later", 2025)
    path = _params(folder, "nu", 2023, vorige=vorige)
    with pytest.raises(InputError) as error:
        previous_edition(load_edition(path))
    assert rule in error.value.problems[0].rule and error.value.problems[0].column == "vorige"
    result = runner.invoke(app, ["build", str(path), "--book-dir", str(tmp_path / "boek"), "--quiet"])
    assert result.exit_code == 2 and "vorige" in result.output


@pytest.mark.build
def test_two_editions_compare_and_agree_with_an_independent_computation(tmp_path, runner):
    """2022 and 2023 of one municipality, the previous one found in the folder: the later edition
    has the chapter and kerncijfers.json's differences; the earlier has neither."""
    folder = tmp_path / "params"
    before = random_tables(n=900, seed=5)
    now = random_tables(n=1100, seed=8, reverse_gradient=True)  # a real change in the gradient
    write_edition(tmp_path / "e2022", before, params={"jaar": 2022}, slug="test-2022")
    write_edition(tmp_path / "e2023", now, params={"jaar": 2023}, slug="test-2023")
    folder.mkdir()
    for year in (2022, 2023):
        (folder / f"test-{year}.yml").write_text((tmp_path / f"e{year}" / f"test-{year}.yml").read_text())
    book = tmp_path / "boek"
    refs = [str(folder / "test-2022.yml"), str(folder / "test-2023.yml")]
    result = runner.invoke(app, ["build", *refs, "--book-dir", str(book), "--jobs", "2", "--quiet"])
    assert result.exit_code == 0, result.output
    assert not (book / "test-2022" / "html" / "ontwikkeling.html").exists()
    assert "vergelijking" not in json.loads((book / "test-2022" / "kerncijfers.json").read_text())
    page = (book / "test-2023" / "html" / "ontwikkeling.html").read_text(encoding="utf-8")
    assert "Newcombe" in page and "2022" in page
    figures = json.loads((book / "test-2023" / "kerncijfers.json").read_text())["vergelijking"]
    assert figures["vorige_editie"] == "test-2022"

    def counts(tables: dict[str, pd.DataFrame], group: str | None) -> tuple[int, int]:
        kids = tables["kinderen"]
        if group:
            kids = kids[kids["opleiding_ouders"] == group]
        return int((kids["extra_aandacht"] == "ja").sum()), len(kids)

    for group in (None, "laag", "midden", "hoog"):
        path = "kinderen.extra_aandacht.pct" if group is None else f"kinderen.extra_aandacht_naar_opleiding.{group}.pct"
        diff, low, high = newcombe_by_hand(*counts(now, group), *counts(before, group))
        shown = figures["verschillen"][path]
        assert shown["verschil"] == pytest.approx(diff, abs=0.051)
        assert shown["ci_laag"] == pytest.approx(low, abs=0.051) and shown["ci_hoog"] == pytest.approx(high, abs=0.051)
        assert shown["nu"] - shown["vorig"] == pytest.approx(shown["verschil"], abs=0.11)
    assert {"kinderen.balans.uit_balans", "armoede.pct_125"} <= set(figures["verschillen"])
    high = figures["verschillen"]["kinderen.extra_aandacht_naar_opleiding.hoog.pct"]
    assert high["ci_laag"] > 0 and "gestegen" in page  # reversed gradient: a significant rise
