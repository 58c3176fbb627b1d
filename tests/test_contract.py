"""Every rule of the data contract: a small bad file gives exit 2 naming file, column and rule."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import pytest
from helpers import small_tables, write_edition

from kansrijk.cli import app
from kansrijk.problems import InputError
from kansrijk.validation import load_inputs

Tables = dict[str, pd.DataFrame]


def _set(table: str, row: int, column: str, value: object) -> Callable[[Tables], None]:
    def mutate(t: Tables) -> None:
        t[table] = t[table].astype(object)
        t[table].loc[row, column] = value

    return mutate


def _append_copy(table: str, row: int) -> Callable[[Tables], None]:
    def mutate(t: Tables) -> None:
        t[table] = pd.concat([t[table], t[table].iloc[[row]]], ignore_index=True)

    return mutate


def _drop_column(table: str, column: str) -> Callable[[Tables], None]:
    def mutate(t: Tables) -> None:
        t[table] = t[table].drop(columns=column)

    return mutate


def _add_column(table: str, column: str) -> Callable[[Tables], None]:
    def mutate(t: Tables) -> None:
        t[table][column] = "x"

    return mutate


def _drop_factors_of(kind_id: str) -> Callable[[Tables], None]:
    def mutate(t: Tables) -> None:
        t["risicofactoren"] = t["risicofactoren"][t["risicofactoren"].kind_id != kind_id]

    return mutate


# (file, mutation, column named, rule named, a value shown)
CASES = {
    "wijk_code pattern": (
        "wijken.csv",
        _set("wijken", 1, "wijk_code", "W1234"),
        "wijk_code",
        "'WK', de 4 cijfers van de gemeente en 2 cijfers of hoofdletters",
        "W1234",
    ),
    "wijk_code unique": ("wijken.csv", _append_copy("wijken", 0), "wijk_code", "uniek", "WK099901"),
    "wijk_naam empty": ("wijken.csv", _set("wijken", 2, "wijk_naam", ""), "wijk_naam", "mag niet leeg zijn", "(leeg)"),
    "wijk_naam line break": (
        "wijken.csv",
        _set("wijken", 2, "wijk_naam", "Zuid\n```{include} /etc/passwd"),
        "wijk_naam",
        "zonder regeleinden",
        "Zuid\\n",
    ),
    "wijk_naam too long": (
        "wijken.csv",
        _set("wijken", 2, "wijk_naam", "x" * 101),
        "wijk_naam",
        "hoogstens 100",
        "xxx",
    ),
    "kind_id unique": ("kinderen.csv", _append_copy("kinderen", 3), "kind_id", "uniek", "T0003"),
    "kind_id empty": ("kinderen.csv", _set("kinderen", 4, "kind_id", ""), "kind_id", "mag niet leeg zijn", "(leeg)"),
    "leeftijd domain": (
        "kinderen.csv",
        _set("kinderen", 2, "leeftijd", 3),
        "leeftijd",
        "leeftijd in voltooide jaren",
        "3",
    ),
    "leeftijd type": (
        "kinderen.csv",
        _set("kinderen", 2, "leeftijd", "twee"),
        "leeftijd",
        "leeftijd in voltooide jaren",
        "twee",
    ),
    "wijk_code exists": (
        "kinderen.csv",
        _set("kinderen", 5, "wijk_code", "WK099999"),
        "wijk_code",
        "moet voorkomen in wijken.csv",
        "WK099999",
    ),
    "opleiding category": (
        "kinderen.csv",
        _set("kinderen", 1, "opleiding_ouders", "mbo"),
        "opleiding_ouders",
        "laag, midden, hoog, onbekend",
        "mbo",
    ),
    "migratie category": (
        "kinderen.csv",
        _set("kinderen", 1, "migratieachtergrond", "turks"),
        "migratieachtergrond",
        "nederlands, westers, niet-westers, onbekend",
        "turks",
    ),
    "boolean notation": (
        "kinderen.csv",
        _set("kinderen", 1, "extra_aandacht", "misschien"),
        "extra_aandacht",
        "0/1, true/false of ja/nee",
        "misschien",
    ),
    "uit_balans implies extra_aandacht": (
        "kinderen.csv",
        _set("kinderen", 1, "uit_balans", "1"),
        "uit_balans",
        "alleen waar zijn als extra_aandacht",
        "uit_balans=1",
    ),
    "extra_aandacht has a factor": (
        "kinderen.csv",
        _drop_factors_of("T0010"),
        "extra_aandacht",
        "minstens één rij in risicofactoren.csv",
        "T0010",
    ),
    "unknown column": ("kinderen.csv", _add_column("kinderen", "bsn"), "bsn", "onbekende kolom", ""),
    "missing column": (
        "kinderen.csv",
        _drop_column("kinderen", "leeftijd"),
        "leeftijd",
        "verplichte kolom ontbreekt",
        "",
    ),
    "factor child exists": (
        "risicofactoren.csv",
        _set("risicofactoren", 0, "kind_id", "T9999"),
        "kind_id",
        "moet voorkomen in kinderen.csv",
        "T9999",
    ),
    "factor code in catalogue": (
        "risicofactoren.csv",
        _set("risicofactoren", 0, "risicofactor", "vliegangst"),
        "risicofactor",
        "risicofactorencatalogus",
        "vliegangst",
    ),
    "factor pair unique": (
        "risicofactoren.csv",
        _append_copy("risicofactoren", 0),
        "kind_id + risicofactor",
        "combinatie moet uniek zijn",
        "T0000 / armoede",
    ),
    "armoede count": ("armoede.csv", _set("armoede", 0, "kinderen_0_5", -4), "kinderen_0_5", "geheel getal >= 0", "-4"),
    "armoede 125 <= total": (
        "armoede.csv",
        _set("armoede", 1, "tot_125_wsm", 300),
        "tot_125_wsm",
        "niet groter zijn dan kinderen_0_5",
        "tot_125_wsm=300",
    ),
    "armoede 105 <= 125": (
        "armoede.csv",
        _set("armoede", 2, "tot_105_wsm", 31),
        "tot_105_wsm",
        "niet groter zijn dan tot_125_wsm",
        "tot_105_wsm=31",
    ),
    "armoede district exists": (
        "armoede.csv",
        _set("armoede", 0, "wijk_code", "WK099998"),
        "wijk_code",
        "moet voorkomen in wijken.csv",
        "WK099998",
    ),
    "armoede district unique": ("armoede.csv", _append_copy("armoede", 0), "wijk_code", "uniek", "WK099901"),
    "atlas score range": (
        "atlas.csv",
        _set("atlas", 0, "kwetsbaarheidsscore", 40),
        "kwetsbaarheidsscore",
        "van 7 tot en met 35",
        "40",
    ),
    "atlas share range": ("atlas.csv", _set("atlas", 1, "pct_15_45", 101), "pct_15_45", "van 0 tot en met 100", "101"),
    "atlas district exists": (
        "atlas.csv",
        _set("atlas", 2, "wijk_code", "WK099997"),
        "wijk_code",
        "moet voorkomen in wijken.csv",
        "WK099997",
    ),
}


@pytest.mark.parametrize("case", CASES.keys())
def test_each_rule_is_reported_with_file_column_and_rule(case, tmp_path, runner):
    file, mutate, column, rule, value = CASES[case]
    tables = small_tables()
    mutate(tables)
    params = write_edition(tmp_path, tables)

    result = runner.invoke(app, ["validate", str(params)])

    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    line = next((ln for ln in result.output.splitlines() if f" {column} " in ln and rule in ln), None)
    assert line is not None, f"no line names {column!r} and {rule!r}:\n{result.output}"
    assert file in result.output
    assert value in line


def test_example_rows_are_file_rows(tmp_path):
    """Row numbers are those the analyst sees: the header is row 1, the first child row 2."""
    tables = small_tables()
    tables["kinderen"].loc[6, "leeftijd"] = 9
    with pytest.raises(InputError) as caught:
        load_inputs(write_edition(tmp_path, tables).parent / "data")
    [problem] = caught.value.problems
    assert (problem.file, problem.column, problem.n, problem.rows, problem.values) == (
        "kinderen.csv",
        "leeftijd",
        1,
        (8,),
        ("9",),
    )


def test_all_problems_of_all_files_in_one_run(tmp_path):
    tables = small_tables()
    for row in range(7):
        tables["kinderen"].loc[row, "opleiding_ouders"] = "mbo"
    tables["armoede"].loc[0, "tot_125_wsm"] = 999
    with pytest.raises(InputError) as caught:
        load_inputs(write_edition(tmp_path, tables).parent / "data")
    problems = {(p.file, p.column): p for p in caught.value.problems}
    assert set(problems) == {("kinderen.csv", "opleiding_ouders"), ("armoede.csv", "tot_125_wsm")}
    assert problems["kinderen.csv", "opleiding_ouders"].n == 7
    assert len(problems["kinderen.csv", "opleiding_ouders"].rows) == 5  # at most five examples


def test_valid_edition_reports_rows_and_columns(tmp_path, runner):
    result = runner.invoke(app, ["validate", str(write_edition(tmp_path))])
    assert result.exit_code == 0, result.output
    assert "kinderen.csv" in result.output and "60 rijen" in result.output and "7 kolommen" in result.output


def test_semicolons_bom_and_every_boolean_notation_are_accepted(tmp_path):
    tables = small_tables()
    kinderen = tables["kinderen"]
    words = {"1": ["ja", "TRUE", "1"], "0": ["nee", "False", "0"]}
    kinderen["extra_aandacht"] = [words[v][i % 3] for i, v in enumerate(kinderen["extra_aandacht"])]
    params = write_edition(tmp_path, tables, sep=";")
    path = params.parent / "data" / "kinderen.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    data = load_inputs(params.parent / "data")
    assert data.kinderen["extra_aandacht"].sum() == 12
    assert data.kinderen["leeftijd"].dtype == "int64"


def test_parquet_is_accepted_instead_of_csv(tmp_path):
    params = write_edition(tmp_path)
    folder = params.parent / "data"
    kinderen = pd.read_csv(folder / "kinderen.csv")
    kinderen["extra_aandacht"] = kinderen["extra_aandacht"].astype(bool)
    kinderen["uit_balans"] = kinderen["uit_balans"].astype(bool)
    kinderen.to_parquet(folder / "kinderen.parquet")
    (folder / "kinderen.csv").unlink()
    data = load_inputs(folder)
    assert len(data.kinderen) == 60
    assert "kinderen.parquet" in [f.name for f in data.files]


def test_latin1_file_is_named_as_not_utf8(tmp_path, runner):
    tables = small_tables()
    tables["wijken"].loc[1, "wijk_naam"] = "Hoogstraat-Zuidéén"
    params = write_edition(tmp_path, tables)
    path = params.parent / "data" / "wijken.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("latin-1"))
    result = runner.invoke(app, ["validate", str(params)])
    assert result.exit_code == 2
    assert "wijken.csv" in result.output and "geen UTF-8" in result.output
    assert "Traceback" not in result.output


def test_missing_header_missing_file_and_wrong_format(tmp_path, runner):
    params = write_edition(tmp_path)
    folder = params.parent / "data"
    armoede = (folder / "armoede.csv").read_text().splitlines()
    (folder / "armoede.csv").write_text("\n".join(armoede[1:]) + "\n")
    (folder / "wijken.csv").rename(folder / "wijken.xlsx")
    result = runner.invoke(app, ["validate", str(params)])
    assert result.exit_code == 2
    assert "armoede.csv" in result.output and "geen kopregel" in result.output
    assert "wijken.csv" in result.output and "verplicht bestand ontbreekt" in result.output
    assert "wijken.xlsx" in result.output


def test_atlas_is_optional(tmp_path):
    tables = small_tables()
    del tables["atlas"]
    data = load_inputs(write_edition(tmp_path, tables).parent / "data")
    assert data.atlas is None


def test_decimal_comma_in_atlas_numbers(tmp_path):
    tables = small_tables()
    tables["atlas"] = tables["atlas"].astype(str).replace({"15.1": "15,1"})
    data = load_inputs(write_edition(tmp_path, tables, sep=";").parent / "data")
    assert data.atlas["kwetsbaarheidsscore"].tolist() == [15.1, 13.9, 14.2]
