"""The parameter file: every problem at once, named by key and rule; slugs and paths."""

from __future__ import annotations

import pytest
from helpers import write_edition

from kansrijk.cli import app
from kansrijk.params import load_edition, param_path
from kansrijk.paths import PARAMS, ROOT
from kansrijk.problems import InputError


def _problems(tmp_path, **params) -> dict[str, str]:
    path = write_edition(tmp_path, params=params)
    with pytest.raises(InputError) as caught:
        load_edition(path)
    return {p.column: p.rule for p in caught.value.problems}


def test_valid_parameters_with_defaults(tmp_path):
    edition = load_edition(write_edition(tmp_path))
    assert edition.slug == "testgemeente"
    assert edition.params.onthulling.min_cel == 10
    assert edition.params.onthulling.min_noemer == 50
    assert edition.boundaries is None


def test_every_problem_is_reported_at_once(tmp_path):
    problems = _problems(
        tmp_path, gemeentecode="0344", jaar="2019", synthetisch="ja", kleur="blauw", onthulling={"min_cel": "tien"}
    )
    assert problems == {
        "gemeentecode": "moet 'GM' gevolgd door 4 cijfers zijn, bijvoorbeeld GM0344",
        "jaar": "moet een geheel getal zijn",
        "synthetisch": "moet true of false zijn",
        "kleur": "onbekende sleutel (niet in het datacontract)",
        "onthulling.min_cel": "moet een geheel getal zijn",
    }


def test_missing_required_key(tmp_path):
    path = write_edition(tmp_path)
    path.write_text(path.read_text().replace("gemeente: Testgemeente\n", ""))
    with pytest.raises(InputError) as caught:
        load_edition(path)
    assert [(p.column, p.rule) for p in caught.value.problems] == [("gemeente", "verplichte sleutel ontbreekt")]


@pytest.mark.parametrize("code", ["GM344", "GM03445", "gm0344", "WK034401"])
def test_gemeentecode_is_gm_and_four_digits(tmp_path, code):
    assert "gemeentecode" in _problems(tmp_path, gemeentecode=code)


def test_missing_data_folder(tmp_path):
    assert _problems(tmp_path, data=str(tmp_path / "nergens")) == {"data": "map met invoerbestanden bestaat niet"}


def test_missing_boundary_file_leaves_the_maps_out_with_a_warning(tmp_path):
    edition = load_edition(write_edition(tmp_path, params={"grenzen": str(tmp_path / "nergens.geojson")}))
    assert edition.boundaries is None
    assert "nergens.geojson" in edition.warnings[0] and "kaarten worden weggelaten" in edition.warnings[0]


def test_not_yaml(tmp_path):
    path = tmp_path / "kapot.yml"
    path.write_text("gemeente: [Utrecht\n")
    with pytest.raises(InputError) as caught:
        load_edition(path)
    assert "geen geldige YAML" in caught.value.problems[0].rule


def test_slug_and_path_resolution(tmp_path):
    assert param_path("utrecht-2019") == PARAMS / "utrecht-2019.yml"
    assert param_path(tmp_path / "x.yml") == tmp_path / "x.yml"
    edition = load_edition("utrecht-2019")
    assert edition.data_dir == ROOT / "data" / "utrecht-2019"  # relative to the repository root


def test_cli_reports_parameter_problems_with_exit_2(tmp_path, runner):
    result = runner.invoke(app, ["validate", str(write_edition(tmp_path, params={"gemeentecode": "GM12"}))])
    assert result.exit_code == 2
    assert "testgemeente.yml" in result.output and "gemeentecode" in result.output and "GM12" in result.output


def test_unknown_slug(runner):
    result = runner.invoke(app, ["validate", "atlantis"])
    assert result.exit_code == 2
    assert "parameterbestand bestaat niet" in result.output and "utrecht" in result.output


def test_colophon_keys_are_optional_text_and_a_date(tmp_path):
    import datetime

    colophon = {"uitgever": "GGD regio Utrecht", "publicatiedatum": "2026-11-23", "versie": "2"}
    edition = load_edition(write_edition(tmp_path, params=colophon))
    assert edition.params.publicatiedatum == datetime.date(2026, 11, 23)
    assert edition.params.contact is None
    from kansrijk import colophon

    assert colophon.footer(edition) == {
        "uitgever": "GGD regio Utrecht",
        "publicatiedatum": "23 november 2026",
        "versie": "2",
        "pdf": None,
    }


def test_colophon_keys_that_cannot_be_printed_are_refused(tmp_path):
    problems = _problems(tmp_path, publicatiedatum="volgende week", uitgever="GGD\nregio", versie=1)
    assert problems == {
        "publicatiedatum": "moet een datum zijn, zoals 2026-11-23",
        "uitgever": "bevat een niet-afdrukbaar teken (U+000A)",
        "versie": "moet tekst zijn",
    }
