"""U1-U11 of the published Utrecht figures, computed from data/utrecht-2019/ with plain pandas,
independently of the package's analysis code, within the published tolerances."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from kansrijk.paths import DATA, REFERENCE

FOLDER = DATA / "utrecht-2019"


@pytest.fixture(scope="module")
def kids() -> pd.DataFrame:
    kinderen = pd.read_csv(FOLDER / "kinderen.csv")
    factors = pd.read_csv(FOLDER / "risicofactoren.csv")
    kinderen["n_factors"] = kinderen.kind_id.map(factors.kind_id.value_counts()).fillna(0)
    return kinderen.astype({"extra_aandacht": bool, "uit_balans": bool})


@pytest.fixture(scope="module")
def factor_matrix(kids) -> pd.DataFrame:
    factors = pd.read_csv(FOLDER / "risicofactoren.csv")
    wide = pd.crosstab(factors.kind_id, factors.risicofactor).reindex(kids.kind_id, fill_value=0)
    return wide.astype(bool)


def pct(x) -> float:
    return 100 * float(np.mean(x))


def test_u1_extra_attention(kids):
    assert abs(len(kids) * kids.extra_aandacht.mean() - 2500) <= 100  # "about 2,500"
    assert abs(pct(kids.extra_aandacht) - 18) <= 1


def test_u2_u3_balance_categories(kids):
    none = pct(kids.n_factors == 0)
    not_followed = pct((kids.n_factors > 0) & ~kids.extra_aandacht)
    in_balance = pct(kids.extra_aandacht & ~kids.uit_balans)
    out = pct(kids.uit_balans)
    assert abs(none - 62) <= 1 and abs(not_followed - 20) <= 1
    assert abs(in_balance - 14) <= 1 and abs(out - 4) <= 1
    assert abs(kids.uit_balans.sum() / kids.extra_aandacht.sum() - 1 / 5) <= 0.03  # "about one fifth"


def test_u4_extra_attention_by_education(kids):
    rates = kids.groupby("opleiding_ouders").extra_aandacht.mean() * 100
    for level, published in {"laag": 56, "midden": 30, "hoog": 12}.items():
        assert abs(rates[level] - published) <= 1, (level, rates[level])


def test_u5_half_of_extra_attention_group_has_highly_educated_parents(kids):
    assert abs(pct(kids[kids.extra_aandacht].opleiding_ouders == "hoog") - 50) <= 1


def test_u6_ten_most_common_factors_are_the_catalogues_top_10(factor_matrix):
    catalogue = pd.read_csv(REFERENCE / "risicofactoren.csv")
    top10 = set(catalogue.code[catalogue.top10 == "ja"])
    assert set(factor_matrix.sum().nlargest(10).index) == top10


def test_u7_co_occurrence(factor_matrix):
    """Low education goes with unemployment and poverty; not speaking Dutch with no network:
    measured by phi among the ten most common factors, those are each factor's strongest partners."""
    top = factor_matrix[factor_matrix.sum().nlargest(10).index].astype(float)
    phi = top.corr()
    for a, b in itertools.product(phi.index, phi.index):
        if a == b:
            phi.loc[a, b] = np.nan
    assert set(phi["lage_opleiding"].nlargest(2).index) == {"werkloosheid", "armoede"}
    assert phi["geen_nederlands"].idxmax() == "geen_sociaal_netwerk"


def test_u8_stacking_by_education(kids, factor_matrix):
    catalogue = pd.read_csv(REFERENCE / "risicofactoren.csv").set_index("code")
    domains = factor_matrix.T.groupby(catalogue.domein).any().T.sum(axis=1)
    n = factor_matrix.sum(axis=1)
    frame = pd.DataFrame({"edu": kids.set_index("kind_id").opleiding_ouders, "n": n, "domains": domains})
    stacked = frame[frame.n >= 2]
    within_one = stacked.assign(one=stacked.domains == 1).groupby("edu").one.mean()
    assert within_one["hoog"] > 0.5  # high: stacked within one domain
    assert within_one["laag"] < 0.5 and within_one["midden"] < 0.5  # low, middle: across domains


def test_u9_migration_gap_is_smaller_than_education_gap(kids):
    by_migration = kids.groupby("migratieachtergrond").extra_aandacht.mean()
    by_education = kids.groupby("opleiding_ouders").extra_aandacht.mean()
    assert by_migration["niet-westers"] == by_migration.max()
    assert by_migration["niet-westers"] > by_migration["nederlands"]
    gap_migration = by_migration["niet-westers"] - by_migration["nederlands"]
    gap_education = by_education["laag"] - by_education["hoog"]
    assert 0 < gap_migration < gap_education


def test_u10_u11_poverty():
    armoede = pd.read_csv(FOLDER / "armoede.csv").merge(pd.read_csv(FOLDER / "wijken.csv"))
    assert abs(100 * armoede.tot_125_wsm.sum() / armoede.kinderen_0_5.sum() - 100 / 9) <= 1
    assert abs(100 * armoede.tot_105_wsm.sum() / armoede.kinderen_0_5.sum() - 8) <= 1
    rate = (armoede.tot_125_wsm / armoede.kinderen_0_5 * 100).set_axis(armoede.wijk_naam)
    assert abs(rate["Overvecht"] - 36) <= 2 and abs(rate["Zuidwest"] - 20) <= 2
    assert rate.nlargest(2).index.tolist() == ["Overvecht", "Zuidwest"]
