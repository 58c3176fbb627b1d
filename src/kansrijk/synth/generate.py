"""Write a synthetic edition's input files: ``kansrijk synth SLUG``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.optimize import least_squares
from scipy.special import expit, logit

from kansrijk.catalogue import load_catalogue
from kansrijk.params import resolve_path
from kansrijk.schemas import EDUCATION
from kansrijk.synth.config import SynthConfig, Targets, load_config
from kansrijk.synth.facts import load_facts
from kansrijk.synth.model import (
    MIGRATION,
    Draws,
    Knobs,
    Model,
    calibrate,
    cbs_composition,
    education_shares,
    implied_composition,
    population,
)

# Children aged 0-5 per district: six birth cohorts of the district's annual births.
COHORTS_0_5 = 6
# The atlas score: national mean and the range of district scores in the Netherlands.
ATLAS_MEAN, ATLAS_LOW, ATLAS_HIGH = 14.2, 12.1, 16.5
CURVATURE_PENALTY = 1.0


@dataclass(frozen=True)
class PovertyCurve:
    """How child poverty follows household poverty: ``logit p125 = a + b x + c x^2`` with
    ``x = logit`` of the households at or below 120% of the social minimum; the 105% share
    follows the households around the social minimum. Fitted on a calibrated edition, it
    carries over to municipalities whose CBS figures are coarser."""

    coefficients: np.ndarray
    scale_105: float
    hh120_per_round: float  # households <=120% per household around the minimum (municipal)

    def rates(self, facts: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        around = facts["pct_hh_rond_sociaal_minimum"].to_numpy(float) / 100
        hh120 = pd.to_numeric(facts["pct_hh_tot_120_wsm"], errors="coerce").to_numpy(float) / 100
        hh120 = np.where(np.isnan(hh120), around * self.hh120_per_round, hh120)
        x = logit(hh120)
        a, b, c = self.coefficients
        p125 = expit(a + b * x + c * x**2)
        return p125, np.minimum(p125 * around / hh120 * self.scale_105, p125)


@dataclass(frozen=True)
class Calibrated:
    """A synthetic edition after calibration: its population, outcome and transferable parts."""

    facts: pd.DataFrame
    model: Model
    knobs: Knobs
    outcome: object
    curve: PovertyCurve
    education_tilt: np.ndarray  # parents' education relative to CBS's profile of all adults


def _children(facts: pd.DataFrame) -> np.ndarray:
    return facts["geboorten"].to_numpy(float) * COHORTS_0_5


def fit_poverty_curve(facts: pd.DataFrame, targets: Targets) -> PovertyCurve:
    """Fit the curve to the target figures, each residual in units of its tolerance, with a
    penalty that keeps it as close to a straight line as those figures allow."""
    children = _children(facts)
    households = facts["pct_hh_tot_120_wsm"].to_numpy(float) / 100
    around = facts["pct_hh_rond_sociaal_minimum"].to_numpy(float) / 100
    codes = facts["wijk_code"].tolist()
    x = logit(households)

    def rates(abc: np.ndarray) -> np.ndarray:
        return expit(abc[0] + abc[1] * x + abc[2] * x**2)

    def residuals(abc: np.ndarray) -> np.ndarray:
        p = rates(abc)
        city = (np.average(p, weights=children) - targets.armoede_125) / 0.005
        districts = [(p[codes.index(c)] - t) / 0.01 for c, t in targets.armoede_125_wijk.items()]
        return np.array([city, *districts, CURVATURE_PENALTY * abc[2]])

    fit = least_squares(residuals, x0=np.array([0.0, 1.0, 0.0]))
    p125 = rates(fit.x)
    scale = targets.armoede_105 / np.average(p125 * around / households, weights=children)
    per_round = np.average(households, weights=children) / np.average(around, weights=children)
    return PovertyCurve(fit.x, float(scale), float(per_round))


def calibrate_edition(config: SynthConfig, size: int | None = None) -> Calibrated:
    """Population and risk factors of an edition with ``doelen``, calibrated to them."""
    targets = config.doelen
    facts = load_facts(config.gemeentecode, config.jaar)
    n = size or config.kinderen or 3 * int(facts["geboorten"].sum())
    rng = np.random.default_rng(config.seed)
    city = implied_composition(targets)
    pop = population(facts, n, education_shares(facts, city, targets.opleiding_onbekend), targets.migratie, rng)
    model = Model(facts, pop, Draws.new(rng, n, len(load_catalogue().codes)))
    knobs, outcome = calibrate(model, targets)
    tilt = city / cbs_composition(facts)
    return Calibrated(facts, model, knobs, outcome, fit_poverty_curve(facts, targets), tilt / tilt.sum())


def transfer_edition(config: SynthConfig, size: int | None = None, facts: pd.DataFrame | None = None) -> Calibrated:
    """Population and risk factors of an edition that borrows another's calibrated model: its own
    districts, births and CBS education profile (tilted as the model's parents are), its own
    migration shares; the model's intercepts, loadings and poverty curve. Its district facts come
    from ``wijkfeiten.csv`` unless given."""
    base_config = load_config(config.model)
    base = calibrate_edition(base_config)
    if facts is None:
        facts = load_facts(config.gemeentecode, config.jaar)
    facts = model_facts(facts, config.indeling)
    n = size or config.kinderen or 3 * int(facts["geboorten"].sum())
    rng = np.random.default_rng(config.seed)
    city = cbs_composition(facts) * base.education_tilt
    unknown = base_config.doelen.opleiding_onbekend
    shares = {HERKOMST_SLOT.get(c, c): share for c, share in config.migratie.items()}
    pop = population(facts, n, education_shares(facts, city, unknown), shares, rng)
    model = Model(facts, pop, Draws.new(rng, n, len(load_catalogue().codes)))
    return Calibrated(facts, model, base.knobs, model.run(base.knobs), base.curve, base.education_tilt)


# The model's origin groups stand in for herkomst's: Europe for western, outside Europe for
# non-western. The groups are not the same (see kansrijk.origin); for synthetic children the
# model's differences between them are what matters.
HERKOMST_SLOT = {"nederland": "nederlands", "europa": "westers", "buiten_europa": "niet-westers"}


def model_facts(facts: pd.DataFrame, indeling: str) -> pd.DataFrame:
    """The facts with the model's origin columns: herkomst's counts where CBS gives herkomst."""
    if indeling == "herkomst":
        return facts.assign(westers=facts["europa"], niet_westers=facts["buiten_europa"])
    return facts


def synthesise(
    config: SynthConfig, size: int | None = None, facts: pd.DataFrame | None = None
) -> dict[str, pd.DataFrame]:
    """All tables of a synthetic edition, deterministic from the configuration's seed (an edition
    that borrows a model may bring its own district facts)."""
    run = calibrate_edition(config, size) if config.doelen is not None else transfer_edition(config, size, facts)
    facts, pop, outcome = run.facts, run.model.pop, run.outcome
    catalogue = load_catalogue()
    n = len(pop.district)
    rng = np.random.default_rng([config.seed, 1])  # pseudonyms: their own stream
    order = rng.permutation(n)  # pseudonyms carry no trace of district or education
    kind_id = np.empty(n, dtype=object)
    kind_id[order] = [f"K{i:06d}" for i in range(1, n + 1)]
    yes, no = config.boolean
    kinderen = pd.DataFrame(
        {
            "kind_id": kind_id,
            "leeftijd": pop.age,
            "wijk_code": facts["wijk_code"].to_numpy()[pop.district],
            "opleiding_ouders": np.array(EDUCATION)[pop.education],
            config.indeling: origin_codes(config.indeling)[pop.migration],
            "extra_aandacht": np.where(outcome.attention, yes, no),
            "uit_balans": np.where(outcome.imbalance, yes, no),
        }
    ).sort_values("kind_id", ignore_index=True)
    child, factor = np.nonzero(outcome.factors)
    risicofactoren = pd.DataFrame(
        {"kind_id": kind_id[child], "risicofactor": np.array(catalogue.codes)[factor]}
    ).sort_values(["kind_id", "risicofactor"], ignore_index=True)
    tables = {
        "wijken": facts[["wijk_code", "wijk_naam"]].copy(),
        "kinderen": kinderen,
        "risicofactoren": risicofactoren,
        "armoede": poverty(facts, run.curve),
    }
    if config.atlas:
        tables["atlas"] = atlas(facts)
    return tables


def origin_codes(indeling: str) -> np.ndarray:
    """The codes of ``indeling`` in the order of the model's origin groups."""
    slots = {slot: code for code, slot in HERKOMST_SLOT.items()} if indeling == "herkomst" else {}
    return np.array([slots.get(slot, slot) for slot in MIGRATION])


def poverty(facts: pd.DataFrame, curve: PovertyCurve) -> pd.DataFrame:
    """Children 0-5 (six birth cohorts) at or below 125% and 105% of WSM per district."""
    p125, p105 = curve.rates(facts)
    n = np.round(_children(facts)).astype(int)
    t125 = np.round(n * p125).astype(int)
    return pd.DataFrame(
        {
            "wijk_code": facts["wijk_code"].tolist(),
            "kinderen_0_5": n,
            "tot_125_wsm": t125,
            "tot_105_wsm": np.minimum(np.round(n * p105).astype(int), t125),
        }
    )


def atlas(facts: pd.DataFrame) -> pd.DataFrame:
    """A synthetic atlas score per district on the atlas's scale (7-35; districts in the
    Netherlands range 12.1-16.5, mean 14.2), following the CBS district determinants the atlas
    names (education, migration background, income, rented housing); the share of inhabitants
    aged 15 to 45 is CBS's own figure."""
    people = facts["inwoners"].to_numpy(float)
    determinants = np.column_stack(
        [
            facts["opl_laag"] / facts[["opl_laag", "opl_midden", "opl_hoog"]].sum(axis=1),
            facts["niet_westers"] / people,
            facts["pct_hh_tot_120_wsm"] / 100,
            facts["pct_huurwoningen"] / 100,
        ]
    )
    z = (determinants - determinants.mean(axis=0)) / determinants.std(axis=0)
    composite = z.mean(axis=1)
    score = np.clip(ATLAS_MEAN + 0.9 * composite / composite.std(), ATLAS_LOW, ATLAS_HIGH)
    share = (facts["inwoners_15_24"] + facts["inwoners_25_44"]) / people * 100
    return pd.DataFrame(
        {
            "wijk_code": facts["wijk_code"],
            "kwetsbaarheidsscore": np.round(score, 1),
            "pct_15_45": np.round(share.to_numpy(float), 1),
        }
    )


def write_tables(tables: dict[str, pd.DataFrame], folder: Path, separator: str = ",") -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for stem, frame in tables.items():
        path = folder / f"{stem}.csv"
        frame.to_csv(path, index=False, sep=separator, lineterminator="\n")
        written.append(path)
    return written


def synth_edition(slug: str, out: Path | None = None, size: int | None = None) -> list[Path]:
    """Generate and write the synthetic edition ``slug`` (to its configured folder unless ``out``)."""
    config = load_config(slug)
    return write_tables(synthesise(config, size), out or resolve_path(config.data), config.scheidingsteken)
