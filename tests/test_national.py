"""The national run: a synthetic edition per municipality from the committed extract of CBS's
layers, each shaped by its own municipality, and a landing page that stays usable with 342."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pandas as pd
import pytest

from kansrijk.cli import app
from kansrijk.landing import render
from kansrijk.params import load_edition
from kansrijk.paths import SHARED_DATA
from kansrijk.synth import facts, nederland
from kansrijk.validation import load_edition_data

SMALLEST = "GM0088"  # Schiermonnikoog, about 950 inhabitants


def test_the_committed_extract_is_what_the_cbs_layers_give():
    if not (SHARED_DATA / "cbs" / "wijken_2024.geojson").exists():
        pytest.skip("../shared/data is not beside the checkout")
    districts, municipalities = facts.layer_tables()
    committed_districts, committed_municipalities = facts.read_layer_tables()
    pd.testing.assert_frame_equal(committed_districts, districts, check_dtype=False)
    pd.testing.assert_frame_equal(committed_municipalities, municipalities, check_dtype=False)


def test_the_extract_covers_every_municipality_of_2024_and_only_inhabited_districts():
    districts, municipalities = facts.read_layer_tables()
    assert len(municipalities) == 342 and municipalities["gemeentecode"].is_unique
    assert "GM0998" not in set(municipalities["gemeentecode"])  # CBS's "Buitenland"
    assert set(districts["gemeentecode"]) == set(municipalities["gemeentecode"])
    assert (districts["inwoners"] > 0).all() and districts["wijk_code"].is_unique
    # Voorne aan Zee (2023) is the sum of its three municipalities of 2022
    voorne = municipalities.set_index("gemeentecode").loc["GM1992"]
    assert voorne["gemeentenaam"] == "Voorne aan Zee" and voorne["inwoners"] > 60_000
    # where CBS gives no age shares for a district, the municipality's stand in, and say so
    filled = districts[districts["leeftijd_van_gemeente"] == 1].iloc[0]
    own = municipalities.set_index("gemeentecode").loc[filled["gemeentecode"]]
    assert filled["pct_0_15"] == own["pct_0_15"]


def test_edition_names_are_unique_and_readable():
    _, municipalities = facts.read_layer_tables()
    names = [nederland.slug(n) for n in municipalities["gemeentenaam"]]
    assert len(set(names)) == 342
    assert nederland.slug("'s-Gravenhage") == "s-gravenhage-2024"
    assert nederland.slug("Súdwest-Fryslân") == "sudwest-fryslan-2024"
    assert nederland.slug("Bergen (NH.)") != nederland.slug("Bergen (L.)")


def test_a_sample_spreads_over_the_sizes():
    _, municipalities = facts.read_layer_tables()
    sample = nederland.select(municipalities, 5, [])
    assert len(sample) == 5
    assert sample["inwoners"].min() == municipalities["inwoners"].min()
    assert sample["inwoners"].max() == municipalities["inwoners"].max()


def test_synth_nederland_writes_valid_editions_shaped_by_each_municipality(tmp_path, runner):
    args = ["synth", "nederland", "--uit", str(tmp_path), "--alleen", SMALLEST, "--alleen", "GM0153"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    written = sorted((tmp_path / "params").glob("*.yml"))
    assert [p.stem for p in written] == ["enschede-2024", "schiermonnikoog-2024"]
    districts, municipalities = facts.read_layer_tables()
    sizes = {}
    for path in written:
        edition = load_edition(path)
        data = load_edition_data(edition)  # the contract holds
        own = districts[districts["gemeentecode"] == edition.params.gemeentecode]
        assert sorted(data.wijken["wijk_code"]) == sorted(own["wijk_code"])
        assert edition.params.synthetisch is True
        sizes[edition.params.gemeentecode] = len(data.kinderen)
    # three birth cohorts of the municipality's own births
    for code, n in sizes.items():
        m = municipalities.set_index("gemeentecode").loc[code]
        assert abs(n - 3 * m["geboorte_relatief"] / 1000 * m["inwoners"]) < 0.05 * n + 3
    # deterministic: written again, the same bytes
    again = tmp_path / "opnieuw"
    assert runner.invoke(app, ["synth", "nederland", "--uit", str(again), "--alleen", SMALLEST]).exit_code == 0
    for name in ("kinderen.csv", "risicofactoren.csv", "armoede.csv", "wijken.csv"):
        first = tmp_path / "data" / "schiermonnikoog-2024" / name
        assert first.read_bytes() == (again / "data" / "schiermonnikoog-2024" / name).read_bytes()


def test_synth_nederland_refuses_unknown_municipalities_and_a_missing_folder(tmp_path, runner):
    result = runner.invoke(app, ["synth", "nederland", "--uit", str(tmp_path), "--alleen", "GM9999"])
    assert result.exit_code == 2 and "GM9999" in result.output
    assert not list(tmp_path.glob("params/*.yml"))
    result = runner.invoke(app, ["synth", "nederland"])
    assert result.exit_code == 2 and "--uit" in result.output


def _fake_book(book: Path) -> list[tuple[str, str, int | None]]:
    """Key figures of all 342 municipalities (sizes from their inhabitants), as published."""
    _, municipalities = facts.read_layer_tables()
    listed = []
    columns = (municipalities[c] for c in ("gemeentecode", "gemeentenaam", "inwoners"))
    for code, name, people in zip(*columns, strict=True):
        slug = nederland.slug(name)
        n = int(people * 0.03)
        n = n if n >= 50 else None  # a small municipality's total is not published
        (book / slug).mkdir(parents=True)
        k = {"editie": slug, "gemeente": name, "gemeentecode": code, "jaar": 2024, "synthetisch": True,
             "kinderen": {"n": n, "extra_aandacht": {"pct": 18.0 if n else None}},
             "armoede": {"pct_125": 11.1}}  # fmt: skip
        (book / slug / "kerncijfers.json").write_text(json.dumps(k), encoding="utf-8")
        listed.append((slug, name, n))
    return listed


def test_the_landing_page_groups_342_municipalities_by_size_with_one_row_each(tmp_path):
    listed = _fake_book(tmp_path)
    page = render(tmp_path)
    assert page.count('<section class="gemeente"') == 342
    assert page.count("<tr data-naam=") == 342  # a row per edition: the table grows down, not sideways
    assert page.count("<th scope='col'>") == 12
    big = next(name for _, name, n in listed if n and n >= 5000)
    small = next(name for _, name, n in listed if n is None)
    largest, smallest = page.index('id="groep-groot"'), page.index('id="groep-onbekend"')
    assert largest < page.index(f">{big}</h3>") < smallest < page.index(f">{small}</h3>")
    assert "Kleine gemeenten: aantal kinderen niet gepubliceerd (" in page[smallest:]


@pytest.mark.browser
def test_the_landing_page_filters_by_name_and_size_in_a_browser(tmp_path):
    chromium = Path("/usr/bin/chromium")
    if not chromium.exists():
        pytest.skip("Debian's chromium is not installed")
    from playwright.sync_api import sync_playwright

    listed = _fake_book(tmp_path)
    (tmp_path / "index.html").write_text(render(tmp_path), encoding="utf-8")
    fold = [unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower() for _, name, _ in listed]
    expected = sum("fryslan" in name for name in fold)
    assert expected >= 2
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium), args=["--headless", "--no-sandbox"])
        page = browser.new_page()
        page.goto((tmp_path / "index.html").as_uri())
        assert page.locator("section.gemeente:visible").count() == 342
        page.fill("#zoek", "Fryslan")  # without the accents CBS writes
        assert page.locator("#aantal").text_content() == f"{expected} gemeenten"
        assert page.locator("section.gemeente:visible").count() == expected
        assert page.locator("tr[data-naam]:visible").count() == expected
        page.fill("#zoek", "")
        page.select_option("#grootte", "onbekend")
        hidden_size = sum(n is None for _, _, n in listed)
        assert page.locator("section.gemeente:visible").count() == hidden_size
        assert page.locator("section.groep:visible").count() == 1
        browser.close()
