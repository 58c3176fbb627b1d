"""``kansrijk cbs``: CBS district facts through cbsodata, offline against recorded responses of
CBS's OData service (``fixtures/cbs/``), with the columns renumbered as CBS does between years."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pandas as pd
import pytest
import requests
from helpers import small_tables, write_edition

from kansrijk import cbs
from kansrijk.cli import app
from kansrijk.validation import load_inputs

RECORDED = json.loads((Path(__file__).parent / "fixtures" / "cbs" / "85318NED.json").read_text(encoding="utf-8"))


def _renumbered(recorded: dict, shift: int) -> dict:
    """The same table with every numbered column moved by ``shift`` (CBS renumbers each year),
    and no income figures yet (CBS publishes them a year later)."""

    def move(key: str) -> str:
        match = re.fullmatch(r"(.+)_(\d+)", key)
        return f"{match[1]}_{int(match[2]) + shift}" if match else key

    late = ("Inkomen", "SociaalMinimum")
    typed = [
        {move(k): (None if any(w in k for w in late) else v) for k, v in record.items()}
        for record in recorded["TypedDataSet"]
    ]
    properties = [p | {"Key": move(p["Key"])} for p in recorded["DataProperties"]]
    return recorded | {"TypedDataSet": typed, "DataProperties": properties}


def _untyped(recorded: dict) -> dict:
    """CBS's UntypedDataSet beside the typed one: every value as padded text, '.' where none."""
    text = [{k: "       ." if v is None else f"{v:>8}" for k, v in r.items()} for r in recorded["TypedDataSet"]]
    return recorded | {"UntypedDataSet": text}


TABLES = {"85318NED": _untyped(RECORDED), "85618NED": _untyped(_renumbered(RECORDED, 4))}


class _Server:
    """CBS's OData feed as cbsodata asks it: a table's metadata list, then each metadata table
    and the data set, with ``$select`` and a ``startswith`` ``$filter`` applied."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def __call__(self, request, **kwargs) -> requests.Response:
        self.asked.append(request.url)
        url = urlparse(request.url)
        parts = [p for p in url.path.split("/") if p]
        table, name = parts[2], parts[3] if len(parts) > 3 else ""
        recorded = TABLES.get(table)
        response = requests.Response()
        response.url = request.url
        if recorded is None:
            response.status_code = 404
            response._content = b'{"odata.error": {"message": {"value": "Table not found"}}}'
            return response
        query = parse_qs(url.query)
        if name == "":
            body = [{"name": n, "url": f"https://opendata.cbs.nl/ODataFeed/odata/{table}/{n}"} for n in recorded]
        else:
            body = recorded[name]
            if "$filter" in query:
                column, prefix = re.fullmatch(r"startswith\((\w+),'(\w+)'\)", query["$filter"][0]).groups()
                body = [r for r in body if str(r[column]).strip().startswith(prefix)]
            if "$select" in query:
                body = [{k: r[k] for k in query["$select"][0].split(",")} for r in body]
        response.status_code = 200
        response._content = json.dumps({"value": body}).encode()
        return response


@pytest.fixture
def server(monkeypatch) -> _Server:
    fake = _Server()
    monkeypatch.setattr(requests.Session, "send", fake)
    return fake


def test_the_districts_of_one_municipality_with_their_facts_source_and_licence(server, tmp_path, runner):
    out = tmp_path / "cbs_wijken.csv"
    result = runner.invoke(app, ["cbs", "GM0344", "--jaar", "2022", "--out", str(out)])
    assert result.exit_code == 0, result.output
    facts = pd.read_csv(out)
    recorded = {r["Codering_3"].strip(): r for r in RECORDED["TypedDataSet"]}
    assert facts["wijk_code"].tolist() == sorted(recorded)
    assert facts["wijk_naam"].tolist() == ["West", "Noordwest", "Overvecht"]  # titles of the dimension, not codes
    for row in facts.itertuples():
        source = recorded[row.wijk_code]
        assert row.inwoners == source["AantalInwoners_5"]
        assert row.pct_hh_laag_inkomen == source["HuishoudensMetEenLaagInkomen_78"]
        assert row.pct_hh_tot_120_wsm == source["HuishoudensTot120VanSociaalMinimum_81"]
    assert set(facts["bron"]) == {"CBS, Kerncijfers wijken en buurten 2022 (85318NED)"}
    assert set(facts["licentie"]) == {"CC BY 4.0"}
    data = [u for u in server.asked if "TypedDataSet" in u]
    assert data and "startswith(WijkenEnBuurten,'WK0344')" in requests.utils.unquote(data[0])


def test_columns_are_found_by_name_whatever_their_number_and_missing_values_stay_empty(server, tmp_path, runner):
    out = tmp_path / "cbs_wijken.csv"
    result = runner.invoke(app, ["cbs", "GM0344", "--jaar", "2023", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert any("/85618NED/" in u for u in server.asked)  # the 2023 table
    selected = parse_qs(urlparse(next(u for u in server.asked if "TypedDataSet" in u)).query)["$select"][0]
    assert "AantalInwoners_9" in selected.split(",")  # renumbered from AantalInwoners_5
    facts = pd.read_csv(out)
    assert facts["inwoners"].tolist() == [r["AantalInwoners_5"] for r in RECORDED["TypedDataSet"]]
    assert facts["pct_hh_laag_inkomen"].isna().all()  # not yet published: an empty cell, not a zero


def test_the_file_is_an_input_of_the_edition(server, tmp_path, runner):
    tables = small_tables()
    codes = [r["Codering_3"].strip() for r in RECORDED["TypedDataSet"]]
    for name in ("wijken", "armoede", "atlas"):
        tables[name]["wijk_code"] = codes
    tables["kinderen"]["wijk_code"] = [codes[i % 3] for i in range(len(tables["kinderen"]))]
    folder = write_edition(tmp_path, tables).parent / "data"
    result = runner.invoke(app, ["cbs", "GM0344", "--jaar", "2022", "--out", str(folder / cbs.FILE)])
    assert result.exit_code == 0, result.output
    data = load_inputs(folder)
    assert data.cbs is not None and len(data.cbs) == 3
    assert cbs.FILE in [f.name for f in data.files]  # fingerprinted, so a new download rebuilds the edition


def test_cbs_unreachable_is_one_line_and_exit_1(monkeypatch, tmp_path, runner):
    def refuse(*args, **kwargs):
        raise requests.ConnectionError("Failed to resolve 'opendata.cbs.nl'")

    monkeypatch.setattr(requests.Session, "send", refuse)
    result = runner.invoke(app, ["cbs", "GM0344", "--jaar", "2023", "--out", str(tmp_path / "x.csv")])
    assert result.exit_code == 1
    assert "85618NED" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "x.csv").exists()


@pytest.mark.parametrize(
    ("arguments", "said"),
    [
        (["GM344", "--jaar", "2023"], "'GM' gevolgd door 4 cijfers"),
        (["GM0344", "--jaar", "2019"], "bekend zijn 2022, 2023, 2024"),
        (["GM0001", "--jaar", "2023"], "geef --out op"),
    ],
)
def test_wrong_arguments_are_exit_2(arguments, said, runner, server):
    result = runner.invoke(app, ["cbs", *arguments])
    assert result.exit_code == 2 and said in result.output, result.output
    assert not server.asked  # nothing asked of CBS


def test_untyped_records_read_as_the_typed_ones():
    """Should cbsodata's swap of typed and untyped be fixed, the untyped text reads the same."""
    typed = cbs.districts(RECORDED["TypedDataSet"], "85318NED", 2022)
    text = cbs.districts(_untyped(RECORDED)["UntypedDataSet"], "85318NED", 2022)
    pd.testing.assert_frame_equal(typed.drop(columns="wijk_naam"), text.drop(columns="wijk_naam"))
