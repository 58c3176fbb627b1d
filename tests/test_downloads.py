"""The tables a reader downloads from the Utrecht edition: numbers a spreadsheet reads as
numbers, Dutch headers, and a file that says what it is (source, synthetic data, suppression)."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest

pytestmark = pytest.mark.build


def _tables(book):
    folder = book / "utrecht" / "notebooks" / "tabellen"
    return sorted(folder.glob("*.csv"))


def test_every_table_has_dutch_headers_integer_counts_and_notes(utrecht_book):
    tables = _tables(utrecht_book)
    assert len(tables) >= 10
    for path in tables:
        text = path.read_text(encoding="utf-8-sig")
        rows, notes = text.split("\n\n")
        frame = pd.read_csv(io.StringIO(rows), sep=";", dtype=str)
        assert not [c for c in frame.columns if "_" in c or c in {"n", "noemer", "pct"}], path.name
        for column in frame.columns:
            if column in {"Aantal kinderen", "Kinderen in de groep", "Kinderen van 0 tot 6 jaar", "Met extra aandacht"}:
                values = frame[column].dropna()
                assert values.str.fullmatch(r"\d+").all(), f"{path.name}: {column} {list(values[:3])}"
        assert not frame.map(lambda v: isinstance(v, str) and v.startswith("'-")).any().any(), path.name
        lines = notes.strip().splitlines()
        assert lines[0].startswith("# Bron: "), path.name
        assert any("Synthetische gegevens" in line for line in lines), path.name

        meta = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        assert meta["editie"] == "utrecht" and meta["jaar"] == 2019 and meta["synthetisch"] is True
        assert meta["kolommen"] == list(frame.columns)
        assert meta["formaat"]["regels_na_de_tabel"] == len(lines) + 1


def test_a_p_value_below_the_smallest_shown_stays_a_bound(utrecht_book):
    text = (utrecht_book / "utrecht" / "notebooks" / "tabellen" / "tab-regressie.csv").read_text(encoding="utf-8-sig")
    frame = pd.read_csv(io.StringIO(text.split("\n\n")[0]), sep=";", dtype=str)
    assert (frame["p-waarde"] == "< 0,001").any()
    assert not (frame["p-waarde"].isin(["0,0", "0,000", "0,001"])).any()
