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
from kansrijk.schemas import EDUCATION, MIGRATION
from kansrijk.synth.config import SynthConfig, Targets, load_config
from kansrijk.synth.facts import load_facts
from kansrijk.synth.model import Draws, Knobs, Model, calibrate, population

# Children aged 0-5 per district: six birth cohorts of the district's annual births.
COHORTS_0_5 = 6
# The atlas score: national mean and the range of district scores in the Netherlands.
ATLAS_MEAN, ATLAS_LOW, ATLAS_HIGH = 14.2, 12.1, 16.5
CURVATURE_PENALTY = 1.0


@dataclass(frozen=True)
class SynthResult:
    tables: dict[str, pd.DataFrame]
    knobs: Knobs


def synthesise(config: SynthConfig, size: int | None = None) -> SynthResult:
    """All tables of a synthetic edition, deterministic from the configuration's seed."""
    facts = load_facts(config.gemeentecode)
    catalogue = load_catalogue()
    n = size or config.kinderen
    rng = np.random.default_rng(config.seed)
    pop = population(facts, n, config.doelen, rng)
    draws = Draws.new(rng, n, len(catalogue.codes))
    model = Model(facts, pop, draws)
    knobs, outcome = calibrate(model, config.doelen)

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
            "migratieachtergrond": np.array(MIGRATION)[pop.migration],
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
        "armoede": poverty(facts, config.doelen),
        "atlas": atlas(facts),
    }
    return SynthResult(tables, knobs)


def poverty(facts: pd.DataFrame, targets: Targets) -> pd.DataFrame:
    """Children 0-5 at or below 125% and 105% of WSM per district.

    The child rate follows CBS's share of households at or below 120% of the social minimum on
    the logit scale, ``logit p = a + b x + c x^2`` with ``x = logit h``: child poverty is more
    concentrated than household poverty. The coefficients are fitted to the target figures,
    each residual in units of its tolerance, with a penalty that keeps the curve as close to a
    straight line as those figures allow. The 105% rate follows CBS's share of households
    around the social minimum in proportion, scaled to the municipal target.
    """
    children = facts["geboorten"].to_numpy(float) * COHORTS_0_5
    households = facts["pct_hh_tot_120_wsm"].to_numpy(float) / 100
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
    ratio = facts["pct_hh_rond_sociaal_minimum"].to_numpy(float) / facts["pct_hh_tot_120_wsm"].to_numpy(float)
    scale = targets.armoede_105 / np.average(p125 * ratio, weights=children)
    p105 = np.minimum(p125 * ratio * scale, p125)
    n = np.round(children).astype(int)
    t125 = np.round(n * p125).astype(int)
    return pd.DataFrame(
        {
            "wijk_code": codes,
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
    result = synthesise(config, size)
    return write_tables(result.tables, out or resolve_path(config.data), config.scheidingsteken)
