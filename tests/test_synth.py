"""The synthetic Utrecht data: reproducible to the byte, shaped by the CBS district facts."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from kansrijk.cli import app
from kansrijk.paths import DATA, SHARED_DATA
from kansrijk.synth.config import synthetic_slugs
from kansrijk.synth.facts import FACTS_FILE, derive_facts


@pytest.mark.parametrize("slug", synthetic_slugs())
def test_regenerated_data_are_byte_identical_to_the_committed(slug, tmp_path, runner):
    result = runner.invoke(app, ["synth", slug, "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written == sorted(p.name for p in (DATA / slug).glob("*.csv"))
    for name in written:
        assert (tmp_path / name).read_bytes() == (DATA / slug / name).read_bytes(), name


@pytest.mark.skipif(not (SHARED_DATA / "cbs").is_dir(), reason="../shared/data is not beside this checkout")
@pytest.mark.parametrize("code", ["GM0344", "GM0153"])
def test_district_facts_are_those_of_cbs(code):
    committed = pd.read_csv(FACTS_FILE, dtype={"gemeentecode": str})
    mine = committed[committed.gemeentecode == code].reset_index(drop=True)
    # through CSV, as the committed table went
    expected = pd.read_csv(io.StringIO(derive_facts(code).to_csv(index=False)), dtype={"gemeentecode": str})
    pd.testing.assert_frame_equal(mine, expected, check_dtype=False)


def test_enschede_has_its_own_profile():
    """Enschede borrows Utrecht's model but not its people: fewer highly educated parents, more
    child poverty, no atlas, Dutch Excel's separator and booleans."""
    utrecht = pd.read_csv(DATA / "utrecht-2019" / "kinderen.csv")
    enschede = pd.read_csv(DATA / "enschede-2023" / "kinderen.csv", sep=";")
    assert enschede.opleiding_ouders.eq("hoog").mean() < utrecht.opleiding_ouders.eq("hoog").mean() - 0.1
    assert set(enschede.extra_aandacht) == {"ja", "nee"}
    rate = lambda a: a.tot_125_wsm.sum() / a.kinderen_0_5.sum()  # noqa: E731
    assert rate(pd.read_csv(DATA / "enschede-2023" / "armoede.csv", sep=";")) > rate(
        pd.read_csv(DATA / "utrecht-2019" / "armoede.csv")
    )
    assert not (DATA / "enschede-2023" / "atlas.csv").exists()
    wijken = pd.read_csv(DATA / "enschede-2023" / "wijken.csv", sep=";")
    assert len(wijken) == 10 and wijken.wijk_code.str.startswith("WK0153").all()


def test_districts_are_utrechts_real_districts():
    wijken = pd.read_csv(DATA / "utrecht-2019" / "wijken.csv")
    assert wijken.wijk_code.tolist() == [f"WK0344{i:02d}" for i in range(1, 11)]
    assert {"Overvecht", "Zuidwest", "Vleuten-De Meern", "Binnenstad"} <= set(wijken.wijk_naam)


def test_children_follow_births_and_education_follows_cbs():
    kinderen = pd.read_csv(DATA / "utrecht-2019" / "kinderen.csv")
    facts = pd.read_csv(FACTS_FILE).query("gemeentecode == 'GM0344' and jaar == 2022").set_index("wijk_code")
    per_district = kinderen.wijk_code.value_counts()
    expected = facts.geboorten / facts.geboorten.sum() * len(kinderen)
    assert (per_district.reindex(expected.index) - expected).abs().max() <= 1
    low = kinderen.assign(laag=kinderen.opleiding_ouders.eq("laag")).groupby("wijk_code").laag.mean()
    cbs_low = facts.opl_laag / facts[["opl_laag", "opl_midden", "opl_hoog"]].sum(axis=1)
    assert low.idxmax() == cbs_low.idxmax() == "WK034403"  # Overvecht
    assert low.corr(cbs_low) > 0.9
