"""kerncijfers.json of the Utrecht edition: every contract key, the published figures U1-U11."""

from __future__ import annotations

import pytest

from kansrijk.disclosure.plan import plan
from kansrijk.kerncijfers import compute
from kansrijk.params import load_edition
from kansrijk.validation import load_edition_data


@pytest.fixture(scope="module")
def publication():
    edition = load_edition("utrecht-2019")
    return plan(edition, load_edition_data(edition))


@pytest.fixture(scope="module")
def kc(publication) -> dict:
    return compute(publication)[0]


def test_utrecht_and_enschede_publish_every_headline_figure(publication):
    """The large demo editions lose nothing of their headline figures to disclosure control."""
    edition = load_edition("enschede-2023")
    for pub in (publication, plan(edition, load_edition_data(edition))):
        figures = compute(pub)[0]
        k = figures["kinderen"]
        assert k["n"] and k["extra_aandacht"]["pct"] and all(v is not None for v in k["balans"].values())
        for level in ("laag", "midden", "hoog", "onbekend"):
            assert k["extra_aandacht_naar_opleiding"][level]["pct"] is not None
        assert all(
            k["extra_aandacht_naar_migratieachtergrond"][m]["pct"] is not None for m in ("nederlands", "niet-westers")
        )
        assert figures["armoede"]["pct_125"] is not None and figures["armoede"]["pct_105"] is not None
        assert len(k["top_risicofactoren"]) == 10
    assert publication.suppressed == {"primair_onderdrukt": 0, "secundair_onderdrukt": 0}


def test_u1_u2_u3(kc):
    k = kc["kinderen"]
    assert abs(k["extra_aandacht"]["n"] - 2500) <= 100 and abs(k["extra_aandacht"]["pct"] - 18) <= 1
    published = {"geen_risicofactoren": 62, "risico_niet_gevolgd": 20, "gevolgd_in_balans": 14, "uit_balans": 4}
    for key, value in published.items():
        assert abs(k["balans"][key] - value) <= 1, key


def test_u4_u5_u9_rates_and_composition(kc):
    k = kc["kinderen"]
    for level, value in {"laag": 56, "midden": 30, "hoog": 12}.items():
        block = k["extra_aandacht_naar_opleiding"][level]
        assert abs(block["pct"] - value) <= 1
        assert block["ci_laag"] < block["pct"] < block["ci_hoog"]
    assert abs(k["opleiding_onder_extra_aandacht"]["hoog"] - 50) <= 1
    mig = k["extra_aandacht_naar_migratieachtergrond"]
    gap = mig["niet-westers"]["pct"] - mig["nederlands"]["pct"]
    assert (
        0 < gap < k["extra_aandacht_naar_opleiding"]["laag"]["pct"] - k["extra_aandacht_naar_opleiding"]["hoog"]["pct"]
    )


def test_u6_u8_factors_and_stacking(kc):
    from kansrijk.catalogue import load_catalogue

    top = kc["kinderen"]["top_risicofactoren"]
    assert len(top) == 10 and {t["code"] for t in top} == set(load_catalogue().top10)
    assert [t["n"] for t in top] == sorted((t["n"] for t in top), reverse=True)
    stack = kc["kinderen"]["stapeling_naar_opleiding"]
    for level in stack:
        assert sum(stack[level].values()) == pytest.approx(100, abs=0.3)
    assert stack["hoog"]["binnen_een_domein"] > stack["hoog"]["meerdere_domeinen"]
    for level in ("laag", "midden"):
        assert stack[level]["meerdere_domeinen"] > stack[level]["binnen_een_domein"]


def test_u10_u11_poverty(kc):
    a = kc["armoede"]
    assert abs(a["pct_125"] - 100 / 9) <= 1 and abs(a["pct_105"] - 8) <= 1
    assert abs(a["wijken"]["WK034403"]["pct_125"] - 36) <= 2 and a["wijken"]["WK034403"]["naam"] == "Overvecht"
    assert abs(a["wijken"]["WK034408"]["pct_125"] - 20) <= 2 and a["wijken"]["WK034408"]["naam"] == "Zuidwest"
    ranked = sorted(a["wijken"].values(), key=lambda w: w["pct_125"], reverse=True)
    assert [w["naam"] for w in ranked[:2]] == ["Overvecht", "Zuidwest"]


def test_json_values_are_plain_numbers(kc):
    import json

    text = json.dumps(kc)
    assert "NaN" not in text and "np." not in text
