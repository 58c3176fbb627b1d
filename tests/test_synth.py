"""The synthetic Utrecht data: reproducible to the byte, shaped by the CBS district facts."""

from __future__ import annotations

import pandas as pd
import pytest

from kansrijk.cli import app
from kansrijk.paths import DATA, SHARED_DATA
from kansrijk.synth.facts import FACTS_FILE, derive_utrecht_facts

FILES = ["wijken.csv", "kinderen.csv", "risicofactoren.csv", "armoede.csv", "atlas.csv"]


def test_regenerated_data_are_byte_identical_to_the_committed(tmp_path, runner):
    result = runner.invoke(app, ["synth", "utrecht", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    for name in FILES:
        assert (tmp_path / name).read_bytes() == (DATA / "utrecht" / name).read_bytes(), name


@pytest.mark.skipif(not (SHARED_DATA / "cbs").is_dir(), reason="../shared/data is not beside this checkout")
def test_district_facts_are_those_of_cbs():
    committed = pd.read_csv(FACTS_FILE, dtype={"gemeentecode": str})
    utrecht = committed[committed.gemeentecode == "GM0344"].reset_index(drop=True)
    pd.testing.assert_frame_equal(utrecht, derive_utrecht_facts(), check_dtype=False)


def test_districts_are_utrechts_real_districts():
    wijken = pd.read_csv(DATA / "utrecht" / "wijken.csv")
    assert wijken.wijk_code.tolist() == [f"WK0344{i:02d}" for i in range(1, 11)]
    assert {"Overvecht", "Zuidwest", "Vleuten-De Meern", "Binnenstad"} <= set(wijken.wijk_naam)


def test_children_follow_births_and_education_follows_cbs():
    kinderen = pd.read_csv(DATA / "utrecht" / "kinderen.csv")
    facts = pd.read_csv(FACTS_FILE).query("gemeentecode == 'GM0344'").set_index("wijk_code")
    per_district = kinderen.wijk_code.value_counts()
    expected = facts.geboorten / facts.geboorten.sum() * len(kinderen)
    assert (per_district.reindex(expected.index) - expected).abs().max() <= 1
    low = kinderen.assign(laag=kinderen.opleiding_ouders.eq("laag")).groupby("wijk_code").laag.mean()
    cbs_low = facts.opl_laag / facts[["opl_laag", "opl_midden", "opl_hoog"]].sum(axis=1)
    assert low.idxmax() == cbs_low.idxmax() == "WK034403"  # Overvecht
    assert low.corr(cbs_low) > 0.9
