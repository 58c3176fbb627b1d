"""Real registrations in: the worked example of 'Van registratie naar editie' (``voorbeeld/``), an
export as JGZ systems and CBS deliver it (empty cells, local codes, family ids, birth dates,
herkomst, a rounded CBS poverty table with withheld cells and a municipal total row), validates
and builds with figures that an independent computation from the raw files confirms; each
malformed variant is exit 2 naming file, column and rule."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from helpers import downloaded_table, wilson

from kansrijk.cli import app

EXAMPLE = Path(__file__).parent / "voorbeeld"
PARAMS = EXAMPLE / "voorbeeldstad-2023.yml"
URGENT = {"huiselijk_geweld", "verslaving_ouder"}  # the catalogue's urgent factors ('ja')


def _children() -> pd.DataFrame:
    """The children of the edition, from the raw export alone: aged 0 to 2 on 31 December 2023
    (completed years), an empty cell read as 'onbekend', an empty family id a family of one."""
    kids = pd.read_csv(
        EXAMPLE / "export" / "kinderen.csv", sep=";", encoding="utf-8-sig", dtype=str, keep_default_na=False
    )
    born = pd.to_datetime(kids["geboortedatum"], format="%d-%m-%Y")
    kids = kids[(born <= "2023-12-31") & (2023 - born.dt.year <= 2)].copy()
    for column in ("opleiding_ouders", "herkomst"):
        kids[f"{column}_leeg"] = kids[column] == ""
        kids[column] = kids[column].replace("", "onbekend")
    kids["aandacht"] = kids["extra_aandacht"] == "ja"
    kids["gezin"] = kids["gezin_id"].where(kids["gezin_id"] != "", "los-" + kids["kind_id"])
    link = pd.read_csv(EXAMPLE / "koppeltabel.csv").set_index("lokale_code")["risicofactor"]
    factors = pd.read_csv(EXAMPLE / "export" / "risicofactoren.csv", sep=";", encoding="utf-8-sig")
    factors["code"] = factors["risicofactor"].map(link)
    per_child = factors.groupby("kind_id")["code"].agg(set)
    codes = kids["kind_id"].map(per_child).apply(lambda c: c if isinstance(c, set) else set())
    out = kids["uit_balans"] == "ja"
    urgent = codes.apply(lambda c: bool(c & URGENT))
    kids["niveau"] = np.select([out & urgent, out, codes.apply(bool)], [3, 2, 1], 0)
    return kids


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from typer.testing import CliRunner

    book = tmp_path_factory.mktemp("voorbeeld") / "boek"
    result = CliRunner().invoke(app, ["build", str(PARAMS), "--book-dir", str(book), "--quiet"])
    assert result.exit_code == 0, result.output
    return book / "voorbeeldstad-2023"


def test_the_committed_example_is_what_its_script_makes():
    import importlib.util

    spec = importlib.util.spec_from_file_location("maak_voorbeeld", EXAMPLE / "maak_voorbeeld.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for name, text in module.make().items():
        assert (EXAMPLE / name).read_text(encoding="utf-8") == text, name


def test_validate_reports_how_the_export_was_read(runner):
    kids = _children()
    result = runner.invoke(app, ["validate", str(PARAMS)])
    assert result.exit_code == 0, result.output
    output = " ".join(result.output.split())
    blanks = int(kids["opleiding_ouders_leeg"].sum())
    assert f"opleiding_ouders: {blanks} lege cellen gelezen als 'onbekend'" in output
    assert f"herkomst: {int(kids['herkomst_leeg'].sum())} lege cellen" in output
    assert f"gezin_id: {kids['gezin'].nunique()} gezinnen" in output
    assert "koppeltabel: 18 lokale codes" in output
    assert "afgerond op vijftallen" in output and "2 getallen niet geleverd door de bron" in output
    raw = pd.read_csv(EXAMPLE / "export" / "kinderen.csv", sep=";", encoding="utf-8-sig")
    assert f"{len(raw) - len(kids)} kinderen zijn op de peildatum geen 0 tot en met 2 jaar" in output


@pytest.mark.build
def test_key_figures_match_an_independent_computation(built):
    kids = _children()
    figures = json.loads((built / "kerncijfers.json").read_text(encoding="utf-8"))
    k = figures["kinderen"]
    assert k["n"] == len(kids)
    assert k["extra_aandacht"]["pct"] == pytest.approx(100 * kids["aandacht"].mean(), abs=0.05)
    for column, key in (
        ("opleiding_ouders", "extra_aandacht_naar_opleiding"),
        ("herkomst", "extra_aandacht_naar_herkomst"),
    ):
        for group, rows in kids.groupby(column):
            published = k[key][group]
            if published["pct"] is not None:
                assert (published["n"], published["noemer"]) == (int(rows["aandacht"].sum()), len(rows)), group
    assert "extra_aandacht_naar_migratieachtergrond" not in k  # herkomst, never both
    # the levels per family: each family at the highest level of its children
    highest = kids.groupby("gezin")["niveau"].max()
    families = figures["gezinnen"]
    assert families["n"] == len(highest)
    for i, level in enumerate(("zelfredzaam", "potentieel_kwetsbaar", "kwetsbaar", "zeer_kwetsbaar")):
        if families["niveaus"][level] is not None:
            assert families["niveaus"][level] == pytest.approx(100 * (highest == i).mean(), abs=0.05), level
    # child poverty from the source's own total row; the small district's withheld values are no numbers
    armoede = pd.read_csv(EXAMPLE / "export" / "armoede.csv", dtype=str).set_index("wijk_code")
    total = armoede.loc["GM9999"].astype(int)
    poverty = figures["armoede"]
    assert poverty["kinderen_0_5"] == total["kinderen_0_5"]
    assert poverty["pct_125"] == pytest.approx(100 * total["tot_125_wsm"] / total["kinderen_0_5"], abs=0.05)
    assert poverty["afgerond_op_vijftallen"] is True
    withheld = [code for code, row in armoede.iterrows() if "." in row.tolist()]
    assert poverty["niet_geleverd"] == sorted(f"armoede.wijken.{c}.pct_{n}" for c in withheld for n in ("105", "125"))
    assert all(poverty["wijken"][c]["pct_125"] is None for c in withheld)


@pytest.mark.build
def test_intervals_allow_for_siblings(built):
    """The interval of a share is Wilson's at the effective number of children: the binomial
    variance inflated by the cluster-robust variance over families (computed here by hand)."""
    kids = _children()
    figures = json.loads((built / "kerncijfers.json").read_text(encoding="utf-8"))
    group = kids[kids["opleiding_ouders"] == "midden"]
    y, n = group["aandacht"].to_numpy(float), len(group)
    p = y.mean()
    residuals = pd.Series(y - p).groupby(group["gezin"].to_numpy()).sum()
    clusters = len(residuals)
    robust = clusters / (clusters - 1) * float((residuals**2).sum()) / n**2
    effect = max(1.0, robust / (p * (1 - p) / n))
    low, high = wilson(p * n / effect, n / effect)
    published = figures["kinderen"]["extra_aandacht_naar_opleiding"]["midden"]
    assert (published["ci_laag"], published["ci_hoog"]) == pytest.approx((100 * low, 100 * high), abs=0.051)
    plain = wilson(int(y.sum()), n)
    assert high - low >= plain[1] - plain[0] - 1e-9  # never narrower than for children standing alone


@pytest.mark.build
def test_pages_say_how_the_export_was_read(built):
    from test_hostile import visible_text

    kids = _children()
    html = built / "html"
    method = visible_text(html / "methode.html")
    blanks = int(kids["opleiding_ouders_leeg"].sum())
    assert f"in opleiding_ouders {blanks} (" in method and "peildatum 31 december 2023" in method
    assert "achttien gebruikte codes" in method and "clustergecorrigeerde" in method
    rates = visible_text(html / "opleiding-migratie.html")
    unknown = kids[kids["opleiding_ouders"] == "onbekend"]
    low = kids[kids["opleiding_ouders"] == "laag"]
    scenario = 100 * (low["aandacht"].sum() + unknown["aandacht"].sum()) / (len(low) + len(unknown))
    assert f"hoorden zij allemaal bij ‘laag’, dan kreeg daar {round(scenario)}% extra aandacht" in rates
    assert (
        f"Bij {round(100 * len(unknown) / len(kids))}% van de kinderen is de opleiding van de ouders onbekend" in rates
    )
    assert "Wald-toets met clustergecorrigeerde variantie" in rates
    poverty = visible_text(html / "armoede.html")
    assert "afgerond op vijftallen" in poverty and "Niet geleverd door de bron: de cijfers van Klein Duin" in poverty
    table, notes = downloaded_table(built / "notebooks" / "tabellen" / "tab-armoede.csv")
    small = table[table.iloc[:, 0] == "Klein Duin"].iloc[0]
    assert (small.iloc[1:6] == "niet geleverd door de bron").all()  # children, 125% with both ends, 105%
    assert any("Niet geleverd door de bron" in note for note in notes)
    context = visible_text(html / "context.html")
    assert "Volgens CBS heeft Klein Duin het grootste aandeel huishoudens met een laag inkomen (16,5%)" in context
    families = visible_text(html / "kwetsbaarheid.html")
    assert f"van de {fmt_count(kids['gezin'].nunique())} gezinnen" in families


def fmt_count(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def _copy(tmp_path: Path) -> tuple[Path, dict]:
    """The example in a folder of its own, its parameter file pointing there."""
    folder = tmp_path / "voorbeeld"
    shutil.copytree(EXAMPLE, folder, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    params = yaml.safe_load(PARAMS.read_text(encoding="utf-8"))
    params.update(data=str(folder / "export"), koppeltabel=str(folder / "koppeltabel.csv"))
    return folder, params


def _replace(path: str, old: str, new: str, count: int = 1):
    def change(folder: Path, params: dict) -> None:
        file = folder / path
        text = file.read_text(encoding="utf-8")
        assert old in text, old
        file.write_text(text.replace(old, new, count), encoding="utf-8")

    return change


def _param(key: str, value: object):
    def change(folder: Path, params: dict) -> None:
        if value is None:
            del params[key]
        else:
            params[key] = value

    return change


def _add_age_column(folder: Path, params: dict) -> None:
    path = folder / "export" / "kinderen.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([lines[0] + ";leeftijd"] + [line + ";1" for line in lines[1:]]) + "\n", encoding="utf-8")


# (what is wrong, change, file named, column named, rule named)
MALFORMED = {
    "unmapped local code": (
        _replace("export/risicofactoren.csv", ";R-SPRAAK\n", ";R-SPRAAKX\n", 3),
        "risicofactoren.csv",
        "risicofactor",
        "koppeltabel (parameter koppeltabel) niet koppelt: ‘R-SPRAAKX’",
    ),
    "impossible birth date": (
        _replace("export/kinderen.csv", ";11-09-2022;", ";31-02-2022;"),
        "kinderen.csv",
        "geboortedatum",
        "moet een datum zijn",
    ),
    "birth dates without peildatum": (_param("peildatum", None), "voorbeeldstad-2023.yml", "peildatum", "verplicht"),
    "age and birth date both": (_add_age_column, "kinderen.csv", "leeftijd + geboortedatum", "niet allebei"),
    "herkomst category": (
        _replace("export/kinderen.csv", ";hoog;nederland;", ";hoog;turks;"),
        "kinderen.csv",
        "herkomst",
        "nederland, europa, buiten_europa, onbekend",
    ),
    "total smaller than its districts": (
        _replace("export/armoede.csv", "GM9999,3185,", "GM9999,2185,"),
        "armoede.csv",
        "wijk_code",
        "minder kinderen dan de wijken samen",
    ),
    "count that is no count": (
        _replace("export/armoede.csv", "WK999903,650,", "WK999903,6.5,"),
        "armoede.csv",
        "kinderen_0_5",
        "geheel getal >= 0",
    ),
    "another municipality's total": (
        _replace("export/armoede.csv", "GM9999,", "GM1234,"),
        "armoede.csv",
        "wijk_code",
        "of de gemeentecode",
    ),
    "koppeltabel to no catalogue code": (
        _replace("koppeltabel.csv", "R-HUIS,huisvesting", "R-HUIS,woonproblemen"),
        "koppeltabel.csv",
        "risicofactor",
        "risicofactoren.csv): ‘woonproblemen’",
    ),
    "koppeltabel code twice": (
        _replace("koppeltabel.csv", "R-SCHULD,armoede", "R-ARMOEDE,armoede"),
        "koppeltabel.csv",
        "lokale_code",
        "uniek",
    ),
    "koppeltabel missing": (
        _param("koppeltabel", "/nergens/koppeltabel.csv"),
        "voorbeeldstad-2023.yml",
        "koppeltabel",
        "bestaat niet",
    ),
    "CBS share above 100": (
        _replace("export/cbs_wijken.csv", ",13.2,", ",132,"),
        "cbs_wijken.csv",
        "pct_hh_laag_inkomen",
        "van 0 tot en met 100",
    ),
}


@pytest.mark.parametrize("case", MALFORMED)
def test_each_malformed_variant_is_exit_2_naming_file_column_and_rule(case, tmp_path, runner):
    change, file, column, rule = MALFORMED[case]
    folder, params = _copy(tmp_path)
    change(folder, params)
    param_file = folder / "voorbeeldstad-2023.yml"
    param_file.write_text(yaml.safe_dump(params, allow_unicode=True), encoding="utf-8")
    result = runner.invoke(app, ["validate", str(param_file)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert file in result.output
    line = next((ln for ln in result.output.splitlines() if f" {column} " in ln and rule in ln), None)
    assert line is not None, f"no line names {column!r} and {rule!r}:\n{result.output}"


def test_the_unmapped_code_is_listed_with_how_often_it_occurs(tmp_path, runner):
    folder, params = _copy(tmp_path)
    path = folder / "export" / "risicofactoren.csv"
    text = path.read_text(encoding="utf-8")
    occurs = text.count(";R-SPRAAK\n")
    path.write_text(text.replace(";R-SPRAAK\n", ";R-SPRAAKX\n"), encoding="utf-8")
    param_file = folder / "voorbeeldstad-2023.yml"
    param_file.write_text(yaml.safe_dump(params, allow_unicode=True), encoding="utf-8")
    result = runner.invoke(app, ["validate", str(param_file)])
    line = next(ln for ln in result.output.splitlines() if "R-SPRAAKX" in ln and "koppelt" in ln)
    assert f" {occurs} " in line
