"""A series over the years: Utrecht 2019 and 2023, origin by herkomst or migratieachtergrond,
districts compared only when comparable, redirects from slugs without a year, and the landing
page by municipality and year."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace

import pandas as pd
import pytest
from helpers import newcombe_by_hand, random_tables, small_tables, write_edition

from kansrijk.analyses.change import changes, comparability
from kansrijk.cli import app
from kansrijk.disclosure.plan import plan
from kansrijk.kerncijfers import compute
from kansrijk.landing import render
from kansrijk.params import load_edition
from kansrijk.paths import DATA, PARAMS
from kansrijk.pipeline.redirects import write_redirects
from kansrijk.previous import load_previous, previous_edition
from kansrijk.problems import InputError
from kansrijk.validation import load_edition_data

HERKOMST = {"nederlands": "nederland", "westers": "europa", "niet-westers": "buiten_europa", "onbekend": "onbekend"}


def _planned(edition):
    data = load_edition_data(edition)
    return plan(edition, data), data


@pytest.fixture(scope="module")
def utrecht():
    now = load_edition("utrecht-2023")
    before = previous_edition(now)  # found: same gemeentecode, latest earlier jaar
    current, _ = _planned(now)
    earlier, _ = _planned(before)
    return before, current, earlier, changes(earlier, current), comparability(earlier, current, {})


def test_utrecht_2023_finds_2019_as_its_previous_edition_whether_named_or_not(tmp_path):
    assert previous_edition(load_edition("utrecht-2023")).slug == "utrecht-2019"
    folder = tmp_path / "params"
    folder.mkdir()
    shutil.copy(PARAMS / "utrecht-2019.yml", folder / "utrecht-2019.yml")
    shutil.copy(PARAMS / "utrecht-2019.yml", folder / "nog-een-2019.yml")  # found would now be ambiguous
    named = (PARAMS / "utrecht-2023.yml").read_text(encoding="utf-8") + "vorige: utrecht-2019\n"
    (folder / "utrecht-2023.yml").write_text(named, encoding="utf-8")
    assert previous_edition(load_edition(folder / "utrecht-2023.yml")).slug == "utrecht-2019"


def test_utrecht_2023_differences_match_an_independent_computation(utrecht):
    """From the raw CSV files of both years: extra attention (all, per education group), out of
    balance, poverty at 125% for the city and per district, each with Newcombe's interval."""
    _, current, earlier, found, _ = utrecht
    by_path = {ch.path: ch for ch in found}

    def kids(slug):
        frame = pd.read_csv(DATA / slug / "kinderen.csv")
        return frame.assign(extra=frame.extra_aandacht.eq(1), uit=frame.uit_balans.eq(1))

    now, before = kids("utrecht-2023"), kids("utrecht-2019")
    expected = {"kinderen.extra_aandacht.pct": lambda k: (int(k.extra.sum()), len(k))}
    expected["kinderen.balans.uit_balans"] = lambda k: (int(k.uit.sum()), len(k))
    for group in ("laag", "midden", "hoog"):
        expected[f"kinderen.extra_aandacht_naar_opleiding.{group}.pct"] = lambda k, g=group: (
            int(k[k.opleiding_ouders == g].extra.sum()),
            int((k.opleiding_ouders == g).sum()),
        )
    for path, count in expected.items():
        diff, low, high = newcombe_by_hand(*count(now), *count(before))
        d = by_path[path].difference
        assert (d.value, d.low, d.high) == pytest.approx((diff, low, high), abs=1e-9), path

    poor_now, poor_before = (
        pd.read_csv(DATA / s / "armoede.csv").set_index("wijk_code") for s in ("utrecht-2023", "utrecht-2019")
    )
    total = newcombe_by_hand(
        int(poor_now.tot_125_wsm.sum()),
        int(poor_now.kinderen_0_5.sum()),
        int(poor_before.tot_125_wsm.sum()),
        int(poor_before.kinderen_0_5.sum()),
    )
    assert by_path["armoede.pct_125"].difference.value == pytest.approx(total[0], abs=1e-9)
    for code in poor_now.index:  # Utrecht's ten districts kept their codes and names from 2019 to 2023
        n, d = poor_now.loc[code, ["tot_125_wsm", "kinderen_0_5"]]
        n0, d0 = poor_before.loc[code, ["tot_125_wsm", "kinderen_0_5"]]
        shown = by_path[f"armoede.wijken.{code}.pct_125"].difference
        assert (shown.value, shown.low, shown.high) == pytest.approx(newcombe_by_hand(n, d, n0, d0), abs=1e-9)
    figures = compute(replace(current, previous=earlier.edition, changes=found))[0]
    assert set(figures["vergelijking"]["verschillen"]) >= {
        "kinderen.extra_aandacht.pct",
        "kinderen.balans.uit_balans",
        "armoede.pct_125",
        "kinderen.extra_aandacht_naar_opleiding.laag.pct",
        "armoede.wijken.WK034403.pct_125",
    }


def test_origin_is_not_compared_across_classifications(utrecht):
    _, current, earlier, found, notes = utrecht
    assert earlier.origin.column == "migratieachtergrond" and current.origin.column == "herkomst"
    assert not [ch for ch in found if "herkomst" in ch.path or "migratieachtergrond" in ch.path]
    assert any("niet vergeleken" in note and "herkomst" in note for note in notes)


def test_an_edition_classified_by_herkomst_publishes_extra_attention_by_herkomst(tmp_path):
    tables = random_tables(n=900, seed=3)
    tables["kinderen"] = tables["kinderen"].rename(columns={"migratieachtergrond": "herkomst"})
    tables["kinderen"]["herkomst"] = tables["kinderen"]["herkomst"].map(HERKOMST)
    edition = load_edition(write_edition(tmp_path, tables))
    publication, _ = _planned(edition)
    figures = compute(publication)[0]["kinderen"]
    assert "extra_aandacht_naar_migratieachtergrond" not in figures
    by_origin = figures["extra_aandacht_naar_herkomst"]
    kids = tables["kinderen"]
    outside = kids[kids.herkomst == "buiten_europa"]
    assert by_origin["buiten_europa"]["pct"] == pytest.approx(100 * outside.extra_aandacht.eq("ja").mean(), abs=0.05)
    assert any(label.startswith("Herkomst: buiten Europa") for label, _ in publication.regression.terms)


def test_a_small_municipality_classified_by_herkomst_leaks_no_small_group(tmp_path):
    tables = small_tables(60)
    tables["kinderen"] = tables["kinderen"].rename(columns={"migratieachtergrond": "herkomst"})
    tables["kinderen"]["herkomst"] = tables["kinderen"]["herkomst"].map(HERKOMST)
    publication, _ = _planned(load_edition(write_edition(tmp_path, tables)))
    kids = tables["kinderen"]
    for category, rate in publication.table(publication.origin.rates_key):
        group = int((kids.herkomst == category).sum())
        if rate.published:
            assert (group >= 50 and min(rate.n, group - rate.n) >= 10) or rate.n == 0
        else:
            assert rate.n is None and rate.noemer is None and rate.pct is None


def test_kinderen_with_both_classifications_is_refused(tmp_path, runner):
    tables = small_tables()
    tables["kinderen"]["herkomst"] = tables["kinderen"]["migratieachtergrond"].map(HERKOMST)
    result = runner.invoke(app, ["validate", str(write_edition(tmp_path, tables))])
    assert result.exit_code == 2
    assert "kinderen.csv" in result.output and "niet allebei" in result.output


def _two_years(tmp_path, now_tables, link: str | None = None):
    """Editions of 2022 and 2023 of one municipality in one parameter folder."""
    write_edition(tmp_path / "e2022", random_tables(n=900, seed=5), params={"jaar": 2022}, slug="test-2022")
    extra = {"jaar": 2023} | ({"wijk_koppeling": link} if link else {})
    write_edition(tmp_path / "e2023", now_tables, params=extra, slug="test-2023")
    folder = tmp_path / "params"
    folder.mkdir(exist_ok=True)
    for year in (2022, 2023):
        shutil.copy(tmp_path / f"e{year}" / f"test-{year}.yml", folder / f"test-{year}.yml")
    return load_edition(folder / "test-2023.yml")


def _recoded() -> dict[str, pd.DataFrame]:
    """2023: CBS recoded Haven (WK099801 -> WK099811), and Dorp's code now names 'Dorp-Oost'."""
    tables = random_tables(n=1000, seed=9)
    recode = {"WK099801": "WK099811"}
    for stem in ("wijken", "kinderen", "armoede"):
        tables[stem]["wijk_code"] = tables[stem]["wijk_code"].replace(recode)
    tables["wijken"]["wijk_naam"] = tables["wijken"]["wijk_naam"].replace({"Dorp": "Dorp-Oost"})
    return tables


def test_districts_are_compared_only_with_the_same_code_and_name_or_through_wijk_koppeling(tmp_path):
    now = _two_years(tmp_path / "zonder", _recoded())
    current, data = _planned(now)
    earlier, _ = _planned(previous_edition(now))
    compared = {ch.district for ch in changes(earlier, current) if ch.district}
    assert compared == {"WK099803", "WK099804"}  # Polder and Eiland: same code, same name
    notes = " ".join(comparability(earlier, current, {}))
    assert "Haven (WK099811) is niet vergeleken: deze wijkcode bestond in 2022 niet" in notes
    assert "Dorp-Oost (WK099802) is niet vergeleken" in notes and "‘Dorp’" in notes
    assert "Haven (WK099801) uit 2022 bestaat in 2023 niet meer" in notes

    link = tmp_path / "koppeling.csv"
    link.write_text("oude_code,nieuwe_code\nWK099801,WK099811\nWK099802,WK099802\n", encoding="utf-8")
    now = _two_years(tmp_path / "met", _recoded(), str(link))
    current, data = _planned(now)
    previous = load_previous(now, data)
    assert previous.link == {"WK099811": "WK099801", "WK099802": "WK099802"}
    linked = {ch.district: ch for ch in changes(earlier, current, previous.link) if ch.district}
    assert set(linked) == {"WK099811", "WK099802", "WK099803", "WK099804"}
    assert linked["WK099811"].previous.key == "vorige.armoede.wijken.WK099801.pct_125"
    assert comparability(earlier, current, previous.link) == ()


@pytest.mark.parametrize(
    ("content", "column", "rule"),
    [
        (
            "oude_code,nieuwe_code\nWK099899,WK099811\n",
            "oude_code",
            "moet voorkomen in wijken.csv van de vorige editie",
        ),
        ("oude_code,nieuwe_code\nWK099801,WK099811\nWK099802,WK099811\n", "nieuwe_code", "uniek"),
        ("oude_code,nieuwe_code\nWK099801,{{ 6*7 }}\n", "nieuwe_code", "CBS-wijkcode"),
    ],
)
def test_a_wijk_koppeling_that_does_not_fit_both_editions_is_exit_2(tmp_path, runner, content, column, rule):
    link = tmp_path / "koppeling.csv"
    link.write_text(content, encoding="utf-8")
    now = _two_years(tmp_path, _recoded(), str(link))
    result = runner.invoke(app, ["validate", str(now.param_file)])
    assert result.exit_code == 2, result.output
    assert "koppeling.csv" in result.output and column in result.output and rule in result.output
    with pytest.raises(InputError):
        load_previous(now, load_edition_data(now))


def test_a_wijk_koppeling_without_a_previous_edition_is_exit_2(tmp_path, runner):
    path = write_edition(tmp_path, params={"wijk_koppeling": str(tmp_path / "koppeling.csv")})
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2 and "wijk_koppeling" in result.output and "geen vorige editie" in result.output


def _published(book, slug, gemeente, code, year, extra=None):
    folder = book / slug / "html"
    folder.mkdir(parents=True)
    (folder / "index.html").write_text("<p>editie</p>", encoding="utf-8")
    (folder / "armoede.html").write_text("<p>armoede</p>", encoding="utf-8")
    figures = {"editie": slug, "gemeente": gemeente, "gemeentecode": code, "jaar": year, "synthetisch": True}
    figures["kinderen"] = {"extra_aandacht": {"pct": 18.8}, "balans": {"uit_balans": 4.2}}
    (book / slug / "kerncijfers.json").write_text(json.dumps(figures | (extra or {})), encoding="utf-8")


def test_the_landing_page_groups_editions_by_municipality_latest_year_first_with_their_change(tmp_path):
    book = tmp_path / "boek"
    change = {"vorige_editie": "utrecht-2019", "verschillen": {}}
    change["verschillen"]["kinderen.extra_aandacht.pct"] = {
        "vorig": 18.1,
        "nu": 18.8,
        "verschil": 0.7,
        "ci_laag": -0.2,
        "ci_hoog": 1.7,
    }
    change["verschillen"]["kinderen.balans.uit_balans"] = {
        "vorig": 3.0,
        "nu": 4.2,
        "verschil": 1.2,
        "ci_laag": 0.4,
        "ci_hoog": 2.0,
    }
    _published(book, "utrecht-2023", "Utrecht", "GM0344", 2023, {"vergelijking": change})
    _published(book, "utrecht-2019", "Utrecht", "GM0344", 2019)
    _published(book, "enschede-2023", "Enschede", "GM0153", 2023)
    page = render(book)
    assert page.index(">Enschede</h3>") < page.index(">Utrecht</h3>")
    assert page.index("Lees Utrecht 2023") < page.index("Lees Utrecht 2019")
    assert 'href="utrecht-2019/html/index.html"' in page and 'href="utrecht-2023/html/index.html"' in page
    assert "+0,7 punt: niet aantoonbaar veranderd" in page and "+1,2 punt: gestegen" in page


def test_old_links_without_a_year_lead_to_the_same_page_of_the_edition(tmp_path):
    book = tmp_path / "boek"
    _published(book, "utrecht-2019", "Utrecht", "GM0344", 2019)
    _published(book, "utrecht", "Utrecht", "GM0344", 2019)  # a stale build under the old slug
    _published(book, "enschede-2023", "Enschede", "GM0153", 2023)
    _published(book, "enschede", "Enschede", "GM0153", 2026)  # a live edition that took an old slug
    assert write_redirects(book, params=tmp_path) == ["utrecht"]
    page = (book / "utrecht" / "html" / "armoede.html").read_text(encoding="utf-8")
    assert 'url=../../utrecht-2019/html/armoede.html"' in page
    assert not (book / "utrecht" / "kerncijfers.json").exists()  # no longer listed as an edition
    assert (book / "enschede" / "kerncijfers.json").exists()
    assert "Utrecht 2019" in render(book) and render(book).count("Lees Utrecht") == 1
