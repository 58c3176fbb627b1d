"""A small municipality leaks nothing: the planted edition of issue 9, attacked the six ways the
review found, from what a reader can download (pages, CSVs, kerncijfers.json, notebooks)."""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path

import pandas as pd
import pytest
from helpers import downloaded_table, planted_tables, write_edition

from kansrijk import fmt

pytestmark = pytest.mark.build
MIN_CEL = 10


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    from typer.testing import CliRunner

    from kansrijk.cli import app

    folder = tmp_path_factory.mktemp("kleindorp")
    tables = planted_tables()
    params = write_edition(folder, tables, slug="kleindorp", params={"gemeente": "Kleindorp"})
    book = folder / "boek"
    result = CliRunner().invoke(app, ["build", str(params), "--book-dir", str(book), "--jobs", "2", "--quiet"])
    assert result.exit_code == 0, result.output
    edition = book / "kleindorp"
    return tables, edition, json.loads((edition / "kerncijfers.json").read_text(encoding="utf-8"))


def text_of(page: Path) -> str:
    main = re.search(r"<main.*?</main>", page.read_text(encoding="utf-8"), re.S).group(0)
    main = re.sub(r"<(script|style|details).*?</\1>", " ", main, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", main)))


def csv_rows(edition: Path, name: str) -> pd.DataFrame:
    return downloaded_table(edition / "notebooks" / "tabellen" / name)[0]


def truth(tables) -> dict:
    """The planted values, computed here from the inputs, independently of the package."""
    k = tables["kinderen"]
    followed = k.extra_aandacht == "1"
    return {
        "laag": (int((followed & (k.opleiding_ouders == "laag")).sum()), int((k.opleiding_ouders == "laag").sum())),
        "onbekend_mig": (
            int((followed & (k.migratieachtergrond == "onbekend")).sum()),
            int((k.migratieachtergrond == "onbekend").sum()),
        ),
    }


def test_the_planted_groups_are_there(planted):
    tables, _, _ = planted
    planted_values = truth(tables)
    assert planted_values == {"laag": (34, 37), "onbekend_mig": (8, 9)}
    assert (tables["risicofactoren"].risicofactor == "verslaving_ouder").sum() == 3


def test_1_the_summary_shows_no_suppressed_value(planted):
    _, edition, figures = planted
    summary = text_of(edition / "html" / "samenvatting.html")
    assert figures["kinderen"]["extra_aandacht_naar_opleiding"]["laag"]["pct"] is None
    assert "92%" not in summary and "(92" not in summary
    assert "Buitengebied" not in summary  # its share is suppressed, so no sentence names it
    assert "laagopgeleide ouders worden" not in summary  # no comparison with a suppressed group


def test_2_a_suppressed_percentage_takes_its_count_group_and_interval_along(planted):
    _, edition, figures = planted
    for block in (
        figures["kinderen"]["extra_aandacht_naar_opleiding"]["laag"],
        figures["kinderen"]["extra_aandacht_naar_migratieachtergrond"]["onbekend"],
    ):
        assert block == {"n": None, "noemer": None, "pct": None, "ci_laag": None, "ci_hoog": None}
    for table, label in (("tab-opleiding.csv", "Laag"), ("tab-migratie.csv", "Onbekend")):
        row = csv_rows(edition, table).set_index(csv_rows(edition, table).columns[0]).loc[label]
        assert row.isna().all(), f"{table}: {label} keeps {row.dropna().to_dict()}"
    district = figures["armoede"]["wijken"]["WK099705"]
    assert district == {"naam": "Buitengebied", "kinderen_0_5": None, "pct_125": None, "pct_105": None}


def _recoverable(total: float | None, parts: list[float | None]) -> float | None:
    """What subtraction from a total gives for the one missing part, if exactly one is missing."""
    missing = [p for p in parts if p is None]
    if total is None or len(missing) != 1:
        return None
    return total - sum(p for p in parts if p is not None)


def test_3_no_group_follows_from_subtraction(planted):
    _, _, figures = planted
    k = figures["kinderen"]
    for breakdown in ("extra_aandacht_naar_opleiding", "extra_aandacht_naar_migratieachtergrond"):
        groups = k[breakdown].values()
        assert _recoverable(k["n"], [g["noemer"] for g in groups]) is None, breakdown
        assert _recoverable(k["extra_aandacht"]["n"], [g["n"] for g in groups]) is None, breakdown
    assert k["opleiding_onder_extra_aandacht"]["laag"] is None  # else laag.pct x the followed total gives 34
    balance = list(k["balans"].values())
    assert sum(v is None for v in balance) != 1


def test_4_the_regression_and_the_test_publish_no_small_group(planted):
    _, edition, _ = planted
    model = csv_rows(edition, "tab-regressie.csv")
    terms = " ".join(model.iloc[:, 0])
    assert "onbekend" not in terms and ": laag" not in terms  # pooled as 'overig' or left out
    page = text_of(edition / "html" / "opleiding-migratie.html")
    assert "overig" in page
    stacking = text_of(edition / "html" / "stapeling.html")
    assert "chi-kwadraattoets" not in stacking or "Onbekend" not in stacking.split("chi-kwadraattoets")[0][-300:]


def test_5_the_municipal_total_does_not_pin_the_small_district(planted):
    """From the municipal share (one decimal) and every published district, the poor children of
    each suppressed district lie in a range of at least min_cel: the hidden districts' children
    together are known, but not how they split."""
    _, _, figures = planted
    a = figures["armoede"]
    published = [w for w in a["wijken"].values() if w["pct_125"] is not None]
    hidden = [w for w in a["wijken"].values() if w["pct_125"] is None]
    assert len(hidden) >= 2  # one hidden district would follow from the municipality
    children = a["kinderen_0_5"] - sum(w["kinderen_0_5"] for w in published)  # of all hidden districts
    known = sum(w["kinderen_0_5"] * w["pct_125"] / 100 for w in published)
    low = max(0, a["kinderen_0_5"] * (a["pct_125"] - 0.05) / 100 - known - 0.05 * len(published))
    high = min(children, a["kinderen_0_5"] * (a["pct_125"] + 0.05) / 100 - known + 0.05 * len(published))
    # any one hidden district: between 0 (the others hold all) and the hidden total
    assert high - 0 >= MIN_CEL and low <= high


def test_6_no_input_row_count_and_no_rare_factor_is_published(planted):
    tables, edition, figures = planted
    rows = len(tables["risicofactoren"])
    patterns = {str(rows), fmt.getal(rows)}
    methode = text_of(edition / "html" / "methode.html")
    assert not any(p in methode for p in patterns) and "rijen" not in methode.split("Het aantal rijen")[0]
    provenance = (edition / "provenance.json").read_text(encoding="utf-8")
    assert "rijen" not in provenance and not any(f": {p}" in provenance for p in patterns)
    for notebook in (edition / "notebooks").glob("*.ipynb"):
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
        printed = json.dumps([c.get("outputs", []) for c in cells], ensure_ascii=False)
        assert "rijen" not in printed and f"{rows} " not in printed, f"{notebook.name} prints row counts"
    factors = csv_rows(edition, "tab-factoren.csv").set_index("Risicofactor")
    assert factors.loc["Verslaving van een ouder"].iloc[1:].isna().all()
    assert "verslaving_ouder" not in {f["code"] for f in figures["kinderen"]["top_risicofactoren"]}


def test_the_ledger_lists_no_suppressed_value(planted):
    _, edition, _ = planted
    ledger = json.loads((edition / "cijfers.json").read_text(encoding="utf-8"))
    keys = {e["key"] for e in ledger}
    assert "kinderen.extra_aandacht_naar_opleiding.laag" not in keys
    assert "armoede.wijken.WK099705.pct_125" not in keys
    provenance = json.loads((edition / "provenance.json").read_text(encoding="utf-8"))
    suppressed = provenance["onthulling"]["onderdrukt"]
    assert suppressed["primair_onderdrukt"] > 0 and suppressed["secundair_onderdrukt"] > 0
