"""The tables a reader downloads from the Utrecht edition: numbers a spreadsheet reads as
numbers, Dutch headers, and a file that says what it is (source, synthetic data, suppression)."""

from __future__ import annotations

import json

import pytest
from helpers import downloaded_table

pytestmark = pytest.mark.build


def _tables(book):
    folder = book / "utrecht" / "notebooks" / "tabellen"
    return sorted(folder.glob("*.csv"))


def test_every_table_has_dutch_headers_integer_counts_and_notes(utrecht_book):
    tables = _tables(utrecht_book)
    assert len(tables) >= 10
    for path in tables:
        frame, lines = downloaded_table(path)
        assert not [c for c in frame.columns if "_" in c or c in {"n", "noemer", "pct"}], path.name
        for column in frame.columns:
            if column in {"Aantal kinderen", "Kinderen in de groep", "Kinderen van 0 tot 6 jaar", "Met extra aandacht"}:
                values = frame[column].dropna()
                assert values.str.fullmatch(r"\d+").all(), f"{path.name}: {column} {list(values[:3])}"
        assert not frame.map(lambda v: isinstance(v, str) and v.startswith("'-")).any().any(), path.name
        assert lines[0].startswith("# Bron: "), path.name
        assert any("Synthetische gegevens" in line for line in lines), path.name

        meta = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        assert meta["editie"] == "utrecht" and meta["jaar"] == 2019 and meta["synthetisch"] is True
        assert meta["kolommen"] == list(frame.columns)
        assert meta["formaat"]["regels_na_de_tabel"] == len(lines) + 1


def test_a_p_value_below_the_smallest_shown_stays_a_bound(utrecht_book):
    frame, _ = downloaded_table(utrecht_book / "utrecht" / "notebooks" / "tabellen" / "tab-regressie.csv")
    assert (frame["p-waarde"] == "< 0,001").any()
    assert not (frame["p-waarde"].isin(["0,0", "0,000", "0,001"])).any()
