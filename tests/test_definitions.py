"""The definitions of issue 11, computed here with plain pandas from the input files, independently
of the package, against ``kerncijfers.json`` (to 0.05 percentage point) and the book's claims."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kansrijk.disclosure.plan import plan
from kansrijk.kerncijfers import compute
from kansrijk.params import load_edition
from kansrijk.paths import DATA, REFERENCE
from kansrijk.validation import load_edition_data

EDITIONS = {"utrecht-2019": ",", "enschede-2023": ";"}
TOLERANCE = 0.05


@pytest.fixture(scope="module", params=list(EDITIONS))
def edition(request):
    slug = request.param
    folder, sep = DATA / slug, EDITIONS[slug]
    kinderen = pd.read_csv(folder / "kinderen.csv", sep=sep)
    for column in ("extra_aandacht", "uit_balans"):
        kinderen[column] = kinderen[column].astype(str).str.lower().isin(["1", "ja", "true"])
    factors = pd.read_csv(folder / "risicofactoren.csv", sep=sep)
    loaded = load_edition(slug)
    publication = plan(loaded, load_edition_data(loaded))
    return slug, kinderen, factors, publication, compute(publication)[0]


def _close(published: float | None, expected: float) -> None:
    assert published is not None and abs(published - expected) <= TOLERANCE, (published, expected)


def _catalogue() -> pd.DataFrame:
    return pd.read_csv(REFERENCE / "risicofactoren.csv").set_index("code")


def test_levels_as_in_appendix_1(edition):
    _, kinderen, factors, _, figures = edition
    catalogue = _catalogue()
    has = (
        factors.groupby("kind_id")
        .risicofactor.agg(set)
        .reindex(kinderen.kind_id)
        .apply(lambda s: s if isinstance(s, set) else set())
    )
    urgent = has.apply(lambda s: any(catalogue.at[f, "urgent"] == "ja" for f in s)).to_numpy()
    partly = has.apply(lambda s: any(catalogue.at[f, "urgent"] in ("ja", "deels") for f in s)).to_numpy()
    any_factor = has.apply(bool).to_numpy()
    out = kinderen.uit_balans.to_numpy()
    expected = {
        "zelfredzaam": ~any_factor & ~kinderen.extra_aandacht.to_numpy(),
        "potentieel_kwetsbaar": (any_factor | kinderen.extra_aandacht.to_numpy()) & ~out,
        "kwetsbaar": out & ~urgent,
        "zeer_kwetsbaar": out & urgent,
        "zeer_kwetsbaar_bovengrens": out & partly,
    }
    for level, mask in expected.items():
        _close(figures["kinderen"]["niveaus"][level], 100 * mask.mean())
    levels = figures["kinderen"]["niveaus"]
    assert sum(levels[k] for k in ("zelfredzaam", "potentieel_kwetsbaar", "kwetsbaar", "zeer_kwetsbaar")) == (
        pytest.approx(100, abs=0.3)
    )


def _stacking(kinderen: pd.DataFrame, factors: pd.DataFrame, among: np.ndarray | None, drop: str | None) -> dict:
    catalogue = _catalogue()
    if drop:
        factors = factors[factors.risicofactor != drop]
    per_child = factors.assign(domein=factors.risicofactor.map(catalogue.domein)).groupby("kind_id")
    n = per_child.size().reindex(kinderen.kind_id, fill_value=0).to_numpy()
    d = per_child.domein.nunique().reindex(kinderen.kind_id, fill_value=0).to_numpy()
    kind = np.select([n == 0, n == 1, d == 1], ["geen", "een_factor", "binnen_een_domein"], "meerdere_domeinen")
    frame = pd.DataFrame({"edu": kinderen.opleiding_ouders, "kind": kind})
    if among is not None:
        frame = frame[among]
    return (pd.crosstab(frame.edu, frame.kind, normalize="index") * 100).to_dict(orient="index")


@pytest.mark.parametrize(
    ("key", "among", "drop"),
    [
        ("stapeling_naar_opleiding", False, None),
        ("stapeling_extra_aandacht", True, None),
        ("stapeling_zonder_opleidingsfactor", False, "lage_opleiding"),
    ],
)
def test_stacking_variants(edition, key, among, drop):
    _, kinderen, factors, _, figures = edition
    expected = _stacking(kinderen, factors, kinderen.extra_aandacht.to_numpy() if among else None, drop)
    for edu, shares in figures["kinderen"][key].items():
        if shares["een_factor"] is None:
            continue  # suppressed in this edition
        for kind, value in shares.items():
            _close(value, expected.get(edu, {}).get(kind, 0.0))


def test_share_followed_per_risk_factor(edition):
    _, kinderen, factors, _, figures = edition
    followed = set(kinderen.kind_id[kinderen.extra_aandacht])
    for code, block in figures["kinderen"]["gevolgd_per_risicofactor"].items():
        children = factors.kind_id[factors.risicofactor == code]
        if block["pct"] is None:
            assert block == {"n": None, "noemer": None, "pct": None, "ci_laag": None, "ci_hoog": None}
            continue
        _close(block["pct"], 100 * children.isin(followed).mean())
        assert block["noemer"] == len(children) and block["ci_laag"] < block["pct"] < block["ci_hoog"]


def test_the_issue_s_own_figures_for_utrecht(edition):
    slug, _, _, publication, figures = edition
    if slug != "utrecht-2019":
        pytest.skip("the figures quoted in the issue are Utrecht's")
    followed = figures["kinderen"]["gevolgd_per_risicofactor"]
    assert [followed[c]["pct"] for c in ("verslaving_ouder", "huiselijk_geweld", "gevlucht")] == [94.5, 93.3, 90.8]
    assert figures["kinderen"]["stapeling_zonder_opleidingsfactor"]["laag"]["geen"] == 37.1
    assert figures["kinderen"]["stapeling_naar_opleiding"]["laag"]["geen"] == 4.0
    within = publication.table("kinderen.binnen_een_domein")
    assert [round(within[e].pct, 1) for e in ("hoog", "laag", "midden")] == [51.2, 37.1, 38.6]


def test_districts_are_called_higher_or_lower_only_when_the_test_says_so(edition):
    slug, _, _, publication, _ = edition
    comparisons = publication.district_comparisons
    if slug == "enschede-2023":  # the synthetic district rates are flat: nothing differs
        assert comparisons and not any(c.verdict for c in comparisons.values())
    else:
        verdicts = {publication.districts[code]: c.verdict for code, c in comparisons.items()}
        assert verdicts["Overvecht"] == "hoger" and verdicts["Vleuten-De Meern"] == "lager"
    for comparison in comparisons.values():
        assert (comparison.verdict != "") == (comparison.p.value < 0.05)


def test_the_regression_reports_adjusted_shares_and_the_interaction(edition):
    slug, _, _, publication, _ = edition
    model = publication.regression
    assert model is not None and "Date:" not in model.summary and "Time:" not in model.summary
    references = [p for p in model.proportions if p.ratio is None]
    assert {p.label.split(":")[0] for p in references} == {"Opleiding ouders", "Migratieachtergrond"}
    if slug == "utrecht-2019":
        assert model.interaction is not None and model.interaction_dof > 0
        low = next(p for p in model.proportions if p.label == "Opleiding ouders: laag")
        odds = dict(model.terms)["Opleiding ouders: laag (t.o.v. hoog)"]
        assert 1 < low.ratio.value < odds.value  # a common outcome: the odds ratio overstates the ratio
