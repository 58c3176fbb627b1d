"""Each analysis against a small frame whose answer is worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kansrijk import fmt, story
from kansrijk.analyses import atlas, factors, poverty, profile, rates, regression, stacking
from kansrijk.catalogue import load_catalogue
from kansrijk.publication import Rate, RateTable, Status


@pytest.fixture
def catalogue():
    return load_catalogue()


def test_holm_adjusts_by_hand():
    # sorted 0.01, 0.02, 0.04, 0.5: times 4, 3, 2, 1 = 0.04, 0.06, 0.08, 0.5; never below an earlier one
    assert rates.holm([0.5, 0.01, 0.04, 0.02]).tolist() == pytest.approx([0.5, 0.04, 0.08, 0.06])
    assert rates.holm([0.3, 0.3, 0.9]).tolist() == pytest.approx([0.9, 0.9, 0.9])
    assert rates.holm([0.6, 0.7]).tolist() == [1.0, 1.0]  # at most 1
    assert len(rates.holm([])) == 0


@settings(max_examples=60, deadline=None)  # statsmodels collects all garbage on every call
@given(st.lists(st.one_of(st.floats(0, 1), st.sampled_from([0.0, 0.05, 1.0])), max_size=40))
def test_holm_is_statsmodels_holm(pvalues):
    from statsmodels.stats.multitest import multipletests

    ours = rates.holm(pvalues)
    if pvalues:
        theirs = multipletests(pvalues, alpha=0.05, method="holm")[1]
        assert np.array_equal(ours, theirs)


def test_wilson_interval_matches_the_formula():
    # 56 of 100: centre (k + z²/2)/(n + z²), half-width z·sqrt(p(1-p)/n + z²/4n²)/(1 + z²/n)
    z, k, n = 1.959963984540054, 56, 100
    p = k / n
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    low, high = rates.wilson(k, n)
    assert low == pytest.approx(100 * (centre - half)) and high == pytest.approx(100 * (centre + half))
    assert np.isnan(rates.wilson(0, 0)[0])


def test_rate_table_by_group():
    frame = pd.DataFrame({"g": ["a", "a", "a", "a", "b", "b"], "y": [True, True, False, False, True, False]})
    table = rates.rate_table(frame, "g", "y", ["a", "b", "c"])
    assert table.loc["a", ["n", "noemer"]].tolist() == [2, 4]
    assert table.loc["a", "pct"] == 50 and table.loc["b", "pct"] == 50
    assert table.loc["c", "noemer"] == 0 and np.isnan(table.loc["c", "pct"])


def test_composition_of_a_group():
    frame = pd.DataFrame(
        {"edu": ["hoog"] * 6 + ["laag"] * 2, "ea": [True, True, False, False, False, False, True, True]}
    )
    comp = rates.composition(frame, "edu", "ea", ["laag", "hoog"])
    assert comp["n"].tolist() == [2, 2] and comp["pct"].tolist() == [50, 50]


def _children(n_factors_by_child: dict[str, list[str]], attention: set[str], out: set[str]):
    kinderen = pd.DataFrame(
        {
            "kind_id": list(n_factors_by_child),
            "extra_aandacht": [k in attention for k in n_factors_by_child],
            "uit_balans": [k in out for k in n_factors_by_child],
        }
    )
    rows = [(k, f) for k, fs in n_factors_by_child.items() for f in fs]
    return kinderen, pd.DataFrame(rows, columns=["kind_id", "risicofactor"])


def test_profile_balance_and_stacking(catalogue):
    kinderen, factoren = _children(
        {
            "a": [],
            "b": ["armoede"],
            "c": ["armoede", "werkloosheid"],  # two, both social
            "d": ["armoede", "vroeggeboorte"],  # social and pregnancy
            "e": ["psychische_problematiek_ouder", "chronisch_zieke_ouder", "taal_spraak"],  # two domains
        },
        attention={"c", "d", "e"},
        out={"e"},
    )
    prof = profile.profile(kinderen, profile.factor_matrix(kinderen, factoren, catalogue), catalogue)
    assert prof["aantal_factoren"].tolist() == [0, 1, 2, 2, 3]
    assert prof["aantal_domeinen"].tolist() == [0, 1, 1, 2, 2]
    assert prof["stapeling"].tolist() == [
        "geen",
        "een_factor",
        "binnen_een_domein",
        "meerdere_domeinen",
        "meerdere_domeinen",
    ]
    assert prof["balans"].tolist() == [
        "geen_risicofactoren",
        "risico_niet_gevolgd",
        "gevolgd_in_balans",
        "gevolgd_in_balans",
        "uit_balans",
    ]
    balance = profile.balance_table(prof)
    assert balance["n"].tolist() == [1, 1, 2, 1] and balance["pct"].sum() == pytest.approx(100)


def test_prevalence_and_domains(catalogue):
    kinderen, factoren = _children({"a": ["armoede"], "b": ["armoede", "taal_spraak"], "c": [], "d": []}, set(), set())
    matrix = profile.factor_matrix(kinderen, factoren, catalogue)
    prev = factors.prevalence(matrix, catalogue)
    assert prev.index[0] == "armoede" and prev.loc["armoede", "pct"] == 50 and prev.loc["taal_spraak", "n"] == 1


def test_associations_phi_and_haldane_corrected_log_odds_ratio():
    # a and b: n11=3, n10=1, n01=1, n00=5; c never occurs with a (a zero cell)
    matrix = pd.DataFrame(
        {
            "a": [1, 1, 1, 1, 0, 0, 0, 0, 0, 0],
            "b": [1, 1, 1, 0, 1, 0, 0, 0, 0, 0],
            "c": [0, 0, 0, 0, 1, 1, 0, 0, 0, 0],
        }
    ).astype(bool)
    pairs = factors.associations(matrix, ["a", "b", "c"]).set_index(["a", "b"])
    phi = (3 * 5 - 1 * 1) / math.sqrt(4 * 6 * 4 * 6)
    assert pairs.loc[("a", "b"), "phi"] == pytest.approx(phi)
    assert pairs.loc[("a", "b"), "log_or"] == pytest.approx(math.log(15))
    # a-c: n11=0, n10=4, n01=2, n00=4 -> +0.5 everywhere
    assert pairs.loc[("a", "c"), "log_or"] == pytest.approx(math.log(0.5 * 4.5 / (4.5 * 2.5)))


def test_stacking_table_test_and_share_within_one_domain():
    prof = pd.DataFrame(
        {"stapeling": pd.Categorical(["geen", "binnen_een_domein", "binnen_een_domein", "meerdere_domeinen"] * 25)}
    )
    groups = pd.Series(["laag", "hoog"] * 50, name="opleiding_ouders")
    counts = stacking.stacking_by(prof, groups, ("laag", "midden", "hoog", "onbekend"))
    assert counts.loc["laag"].tolist() == [25, 0, 25, 0] and counts.loc["hoog"].tolist() == [0, 0, 25, 25]
    test = stacking.association_test(counts)
    assert test.dof == 2 and test.p < 0.001 and 0 < test.cramers_v <= 1


def test_logistic_regression_recovers_a_known_odds_ratio():
    rng = np.random.default_rng(1)
    n = 6000
    edu = rng.choice(["laag", "midden", "hoog"], n)
    mig = rng.choice(["nederlands", "niet-westers"], n)
    logit = -2 + np.log(4) * (edu == "laag") + np.log(2) * (mig == "niet-westers")
    y = rng.random(n) < 1 / (1 + np.exp(-logit))
    frame = pd.DataFrame(
        {"extra_aandacht": y, "opleiding_ouders": edu, "migratieachtergrond": mig, "leeftijd": rng.integers(0, 3, n)}
    )
    fit = regression.fit_logit(frame, {"opleiding_ouders": "hoog", "migratieachtergrond": "nederlands"})
    ors = fit.odds_ratios.set_index("term")
    assert ors.loc["Opleiding ouders: laag (t.o.v. hoog)", "odds_ratio"] == pytest.approx(4, rel=0.2)
    assert ors.loc["Migratieachtergrond: niet-westers (t.o.v. Nederlands)", "odds_ratio"] == pytest.approx(2, rel=0.2)
    assert fit.n == n


def test_adjusted_shares_are_the_models_predictions_with_every_child_given_the_category():
    """Marginal standardisation: each category's share is the mean of the model's predictions with
    that variable set to the category for every child (statsmodels' own predict as the reference)."""
    rng = np.random.default_rng(2)
    n = 3000
    edu = rng.choice(["laag", "midden", "hoog", "onbekend"], n, p=[0.3, 0.3, 0.3, 0.1])
    mig = rng.choice(["nederlands", "niet-westers", "westers"], n)
    age = rng.integers(0, 3, n)
    logit = -2 + np.log(4) * (edu == "laag") + np.log(2) * (mig == "niet-westers") + 0.3 * age
    y = rng.random(n) < 1 / (1 + np.exp(-logit))
    frame = pd.DataFrame({"extra_aandacht": y, "opleiding_ouders": edu, "migratieachtergrond": mig, "leeftijd": age})
    references = {"opleiding_ouders": "hoog", "migratieachtergrond": "nederlands"}
    fit = regression.fit_logit(frame, references)
    shares = regression.adjusted_proportions(fit, frame, references).set_index(["variabele", "categorie"])
    assert len(shares) == 7
    for variable, reference in references.items():
        expected = {
            level: 100 * fit.model.predict(frame.assign(**{variable: level})).mean() for level in set(frame[variable])
        }
        for level, share in expected.items():
            assert shares.loc[(variable, level), "pct"] == pytest.approx(share, rel=1e-12)
            assert shares.loc[(variable, level), "ratio"] == pytest.approx(share / expected[reference], rel=1e-12)


def test_logistic_regression_declines_unsupported_data():
    frame = pd.DataFrame(
        {
            "extra_aandacht": [True, False] * 5,
            "opleiding_ouders": ["laag"] * 10,
            "migratieachtergrond": ["nederlands"] * 10,
            "leeftijd": [0] * 10,
        }
    )
    references = {"opleiding_ouders": "hoog", "migratieachtergrond": "nederlands"}
    assert regression.fit_logit(frame, references) is None  # no 'hoog' reference group


def test_poverty_per_district_and_municipality():
    armoede = pd.DataFrame(
        {"wijk_code": ["W1", "W2"], "kinderen_0_5": [100, 300], "tot_125_wsm": [36, 8], "tot_105_wsm": [20, 4]}
    )
    wijken = pd.DataFrame({"wijk_code": ["W1", "W2"], "wijk_naam": ["Noord", "Zuid"]})
    table = poverty.poverty_table(armoede, wijken)
    assert table.loc["W1", "pct_125"] == 36 and table.loc["W2", "pct_105"] == pytest.approx(4 / 3)


def test_atlas_classes_around_the_municipal_mean():
    data = pd.DataFrame(
        {"wijk_code": ["A", "B", "C"], "kwetsbaarheidsscore": [15.0, 14.2, 13.0], "pct_15_45": [40, 50, 30]}
    )
    wijken = pd.DataFrame({"wijk_code": ["A", "B", "C"], "wijk_naam": ["a", "b", "c"]})
    table, mean = atlas.classify(data, wijken)
    assert mean == pytest.approx(14.0667, abs=1e-3)
    assert table["klasse"].astype(str).tolist() == ["hoger", "vergelijkbaar", "lager"]


def test_dutch_number_formats():
    assert fmt.getal(13900) == "13.900" and fmt.getal(1234567.891, 2) == "1.234.567,89"
    assert fmt.getal(14.26, 1) == "14,3" and fmt.getal(-0.04, 1) == "0,0" and fmt.getal(-0.4) == "0"
    assert fmt.pct(17.96) == "18%" and fmt.pct(11.34, 1) == "11,3%"
    assert fmt.getal(None) == fmt.DASH and fmt.pct(float("nan")) == fmt.DASH
    assert fmt.interval(10.94, 11.73, 1) == "10,9–11,7%"
    assert fmt.lower_first("Verzorgende ouder spreekt geen Nederlands") == "verzorgende ouder spreekt geen Nederlands"


def test_small_counts_are_written_in_words_with_the_right_noun():
    assert [fmt.telwoord(n) for n in (6, 14, 20, 21, 13900)] == ["zes", "veertien", "twintig", "21", "13.900"]
    assert fmt.aantal(0, "getal", "getallen") == "geen getallen"
    assert fmt.aantal(1, "getal", "getallen") == "één getal"
    assert fmt.aantal(10, "getal", "getallen") == "tien getallen"


def _table(values: dict[str, tuple[int, int]], key: str = "t") -> RateTable:
    """A table of published rates (count, group) by category."""
    rows = {}
    for category, (n, d) in values.items():
        low, high = rates.wilson(n, d)
        rows[category] = Rate(f"{key}.{category}", n, d, 100 * n / d, float(low), float(high), Status.PUBLISHED)
    return RateTable(key, rows, {})


def _hidden(category: str) -> Rate:
    return Rate(category, None, None, None, None, None, Status.PRIMARY, "groep kleiner dan 50")


def test_story_follows_the_computed_direction():
    usual = _table({"laag": (560, 1000), "midden": (300, 1000), "hoog": (120, 1000)})
    reversed_ = _table({"laag": (100, 1000), "midden": (300, 1000), "hoog": (500, 1000)})
    flat = _table({"laag": (101, 1000), "midden": (100, 1000), "hoog": (100, 1000)})
    assert "laagopgeleide ouders worden vaker" in story.education_gradient(usual).text
    assert "ertussenin" in story.education_gradient(usual).text
    assert "minder vaak" in story.education_gradient(reversed_).text
    assert "ertussenin" not in story.education_gradient(reversed_).text
    assert "niet aantoonbaar" in story.education_gradient(flat).text
    # every number in the sentence is a ledger entry of the rate it shows
    assert {e.key for e in story.education_gradient(usual).entries} == {"t.laag", "t.midden", "t.hoog"}


def test_story_never_compares_a_suppressed_group():
    table = _table({"midden": (300, 1000), "hoog": (120, 1000)})
    table.rows["laag"] = _hidden("t.laag")
    sentence = story.education_gradient(table)
    assert "niet te publiceren" in sentence.text and not sentence.entries


def test_story_composition_paradox_only_when_the_data_show_it():
    rate = _table({"laag": (560, 1000), "midden": (300, 1000), "hoog": (600, 5000), "onbekend": (0, 10)})
    shares = _table({"laag": (1000, 7010), "midden": (1000, 7010), "hoog": (5000, 7010), "onbekend": (10, 7010)})
    comp = _table({"laag": (560, 1460), "midden": (300, 1460), "hoog": (600, 1460), "onbekend": (0, 1460)})
    assert "terwijl hun kans" in story.composition_paradox(rate, comp, shares).text
    comp_low = _table({"laag": (560, 960), "midden": (300, 960), "hoog": (100, 960), "onbekend": (0, 960)})
    text = story.composition_paradox(rate, comp_low, shares).text
    assert "laagopgeleide" in text and "terwijl" not in text


def test_story_migration_gap_and_stacking():
    edu = _table({"laag": (560, 1000), "hoog": (120, 1000)})
    mig = _table({"nederlands": (120, 1000), "niet-westers": (300, 1000)})
    assert "kleiner dan het verschil" in story.migration_gap(mig, edu).text
    mig_big = _table({"nederlands": (50, 1000), "niet-westers": (700, 1000)})
    assert "groter dan het verschil" in story.migration_gap(mig_big, edu).text
    # 30,4% - 12,0% = 18,4 against 56,4% - 38,4% = 18,0 unrounded, but both 18 points as shown
    shown_equal = _table({"nederlands": (120, 1000), "niet-westers": (304, 1000)})
    edu_close = _table({"laag": (564, 1000), "hoog": (384, 1000)})
    text = story.migration_gap(shown_equal, edu_close).text
    assert "(18 procentpunten) is even groot als het verschil" in text and "(18 procentpunten)." in text
    from kansrijk.publication import ChiSquare, Estimate

    significant = ChiSquare(Estimate("chi2", 30.0, p=0.0001), 2, Estimate("v", 0.2), ("laag", "midden", "hoog"))
    not_significant = ChiSquare(Estimate("chi2", 1.0, p=0.6), 2, Estimate("v", 0.02), ("laag", "midden", "hoog"))
    clear = _table({"laag": (40, 100), "midden": (45, 100), "hoog": (600, 1000)})
    assert "meestal binnen één domein" in story.stacking_pattern(clear, significant).text
    barely = _table({"laag": (40, 100), "midden": (45, 100), "hoog": (51, 100)})  # 51%: the interval spans half
    assert "vaker binnen één domein (51%)" in story.stacking_pattern(barely, significant).text
    assert "niet aantoonbaar vaker" in story.stacking_pattern(clear, not_significant).text
    assert "niet aantoonbaar vaker" in story.stacking_pattern(clear, None).text


def test_story_names_only_districts_that_differ_after_the_test():
    from kansrijk.publication import Comparison, Estimate

    districts = _table({"W1": (36, 100), "W2": (20, 100), "W3": (5, 100)})
    districts.labels.update({"W1": "A", "W2": "B", "W3": "C"})
    total = _table({"x": (111, 1000)})["x"]
    tested = {
        "W1": Comparison("W1", "hoger", Estimate("p", 0.001)),
        "W2": Comparison("W2", "", Estimate("p", 0.2)),
        "W3": Comparison("W3", "lager", Estimate("p", 0.01)),
    }
    text = story.poverty_summary(total, districts, tested).text
    assert text.startswith("Van de kinderen van 0 tot 6 jaar groeit 1 op de 9")
    assert "aantoonbaar hoger dan in de rest van de gemeente in A (36%)." in text
    assert "B" not in text  # 20% is above the municipal level, but not significantly
    comparison = story.district_comparison(tested, districts).text
    assert "hoger in A" in comparison and "lager in C" in comparison
    flat = {code: Comparison(code, "", Estimate("p", 1.0)) for code in ("W1", "W2", "W3")}
    assert story.district_comparison(flat, districts).text.startswith("Geen van de drie vergeleken wijken")


def test_dutch_enumeration_and_capitals():
    assert fmt.enumeration(["Zuidwest"]) == "Zuidwest"
    assert fmt.enumeration(["Overvecht", "Zuidwest", "Zuid"]) == "Overvecht, Zuidwest en Zuid"
    assert fmt.upper_first("‘lage opleiding’ hangt") == "‘Lage opleiding’ hangt"
