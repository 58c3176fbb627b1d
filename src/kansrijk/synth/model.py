"""A latent-strain model of the risk factors of children aged 0-2, calibrated to target figures.

Each child gets a latent socio-economic *adversity* ``c`` whose mean depends on the parents'
education, the district's poverty and a migration background; each risk domain has a strain
``z = loading * c + own noise``; a factor is present when its own latent
``a + b * z + g * newcomer + noise`` exceeds zero. Extra attention follows from the factors and
from weaker protective factors under adversity; out of balance follows from urgency and from
stacking across domains. Co-occurrence and stacking patterns therefore *emerge* from shared
strains rather than being planted pair by pair. Calibration moves only intercepts and the
education means of ``c``, on fixed random draws, until the realised figures meet the targets.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import expit, logit, ndtri

from kansrijk.catalogue import DOMAINS, load_catalogue
from kansrijk.origin import MIGRATIEACHTERGROND
from kansrijk.schemas import EDUCATION
from kansrijk.synth.config import Targets

MIGRATION = MIGRATIEACHTERGROND.categories  # the model's origin groups

# Structural parameters (fixed, not calibrated). Loadings of each domain's strain on adversity:
# social problems follow socio-economic adversity closely, health and pregnancy much less.
DOMAIN_LOADING = {"sociaal": 0.9, "gezondheid_gezin": 0.8, "ontwikkeling": 0.8, "zwangerschap_bevalling": 0.5}
# Loading of a factor on its own domain's strain: pregnancy and birth complications, and health
# problems within one family, cluster more tightly than social problems do.
WITHIN_DOMAIN_LOADING = {"sociaal": 0.8, "gezondheid_gezin": 1.1, "ontwikkeling": 1.0, "zwangerschap_bevalling": 1.3}
# Newcomers (recently arrived parents) share language, network and flight as risks.
NEWCOMER_EFFECT = {"geen_nederlands": 3.0, "geen_sociaal_netwerk": 1.6, "gevlucht": 2.2, "taal_spraak": 0.8}
NEWCOMER_SHARE = {"niet-westers": 0.32, "westers": 0.12, "onbekend": 0.2, "nederlands": 0.0}
# Education's own effect on single factors (probit shifts): low education raises the risk of
# unemployment and poverty, and (the health gradient) of chronic illness, psychological problems,
# pregnancy complications and a child's delayed language development.
EDUCATION_EFFECT = {
    "werkloosheid": {"laag": 1.3, "midden": 0.4, "onbekend": 0.6},
    "armoede": {"laag": 1.1, "midden": 0.35, "onbekend": 0.5},
    "chronisch_zieke_ouder": {"laag": 0.6, "midden": 0.25, "onbekend": 0.3},
    "psychische_problematiek_ouder": {"laag": 0.35, "midden": 0.2, "onbekend": 0.2},
    "taal_spraak": {"laag": 0.7, "midden": 0.3, "onbekend": 0.4},
    "ontwikkelingsproblemen": {"laag": 0.4, "midden": 0.2, "onbekend": 0.2},
    "problematische_zwangerschap": {"laag": 0.35, "midden": 0.15, "onbekend": 0.2},
    "vroeggeboorte": {"laag": 0.3, "midden": 0.1, "onbekend": 0.15},
}
# "Low education of the parent(s)" is registered from the education itself.
LOW_EDUCATION_FACTOR = {"laag": 0.85, "midden": 0.06, "hoog": 0.0, "onbekend": 0.25}
# Migration background by education (log-odds shifts of a non-western background).
MIGRATION_BY_EDUCATION = {"laag": 1.3, "midden": 0.6, "hoog": -0.4, "onbekend": 1.2}
ADVERSITY_BY_MIGRATION = {"niet-westers": 0.35, "westers": 0.1, "onbekend": 0.2, "nederlands": 0.0}
ADVERSITY_BY_POVERTY = 0.3
# Spread of adversity within an education group: small, so that within a group the domains stay
# fairly independent and the differences between groups carry the cross-domain stacking.
ADVERSITY_SD = 0.6
DEVELOPMENT_BY_AGE = 0.25
# Weight of each factor in the JGZ's decision to follow a child with extra attention.
ATTENTION_WEIGHT = {
    "geen_nederlands": 1.0,
    "lage_opleiding": 1.2,
    "eenoudergezin": 0.8,
    "werkloosheid": 1.0,
    "armoede": 1.6,
    "ernstige_stressor": 1.5,
    "geen_sociaal_netwerk": 1.0,
    "huisvesting": 1.2,
    "instabiele_gezinssituatie": 1.5,
    "huiselijk_geweld": 3.0,
    "gevlucht": 1.8,
    "opvoedingsproblemen": 1.5,
    "psychische_problematiek_ouder": 1.8,
    "chronisch_zieke_ouder": 0.6,
    "verslaving_ouder": 3.0,
    "verstandelijke_beperking_ouder": 2.0,
    "ziekte_kind": 1.2,
    "ontwikkelingsproblemen": 1.2,
    "taal_spraak": 1.0,
    "psychosociaal_gedrag": 1.2,
    "problematische_zwangerschap": 0.6,
    "vroeggeboorte": 0.7,
    "tienerzwangerschap": 1.5,
    "ongewenste_zwangerschap": 1.0,
}
ATTENTION_BY_ADVERSITY = 0.6
ATTENTION_SEVERAL_DOMAINS = 0.5
IMBALANCE_PER_DOMAIN = 0.7
IMBALANCE_URGENT = 1.2
IMBALANCE_PER_FACTOR = 0.3
URGENT = ("huiselijk_geweld", "verslaving_ouder")

MAX_ITERATIONS = 400
TOLERANCE = 0.0015


def allocate(total: int, weights: np.ndarray) -> np.ndarray:
    """Integers proportional to ``weights`` summing to ``total`` (largest remainder)."""
    exact = total * np.asarray(weights, dtype=float) / np.sum(weights)
    counts = np.floor(exact).astype(int)
    order = np.argsort(-(exact - counts), kind="stable")
    counts[order[: total - counts.sum()]] += 1
    return counts


@dataclass(frozen=True)
class Population:
    """Who the children are: district, age, education and migration background (codes)."""

    district: np.ndarray  # index into the facts table
    age: np.ndarray
    education: np.ndarray  # index into EDUCATION
    migration: np.ndarray  # index into MIGRATION
    newcomer: np.ndarray  # bool


@dataclass(frozen=True)
class Draws:
    """The random numbers of one edition, fixed so calibration iterates on the same children."""

    adversity: np.ndarray
    domain: np.ndarray  # (n, domains)
    factor: np.ndarray  # (n, factors)
    low_education: np.ndarray
    attention: np.ndarray
    imbalance: np.ndarray

    @classmethod
    def new(cls, rng: np.random.Generator, n: int, factors: int) -> Draws:
        return cls(
            adversity=rng.standard_normal(n),
            domain=rng.standard_normal((n, len(DOMAINS))),
            factor=rng.standard_normal((n, factors)),
            low_education=rng.random(n),
            attention=logit(rng.random(n)),
            imbalance=logit(rng.random(n)),
        )


def implied_composition(targets: Targets) -> np.ndarray:
    """The parents' education (laag, midden, hoog; without 'onbekend') that the target rates imply:
    high = its share among extra attention * the overall rate / its own rate, and so on."""
    rate = targets.extra_aandacht_naar_opleiding
    unknown = targets.opleiding_onbekend
    high = targets.hoog_onder_extra_aandacht * targets.extra_aandacht / rate["hoog"]
    rest = targets.extra_aandacht - high * rate["hoog"] - unknown * rate["onbekend"]
    low = (rest - (1 - high - unknown) * rate["midden"]) / (rate["laag"] - rate["midden"])
    city = np.array([low, 1 - high - unknown - low, high])
    if np.any(city <= 0):
        raise ValueError("the target rates imply an impossible education composition")
    return city


def cbs_composition(facts: pd.DataFrame) -> np.ndarray:
    """CBS's education profile of the municipality's inhabitants (15-75), weighted by births."""
    profile = facts[["opl_laag", "opl_midden", "opl_hoog"]].to_numpy(float)
    profile /= profile.sum(axis=1, keepdims=True)
    return np.average(profile, axis=0, weights=facts["geboorten"].to_numpy(float))


def education_shares(facts: pd.DataFrame, city: np.ndarray, unknown: float) -> np.ndarray:
    """Share of each education level per district: CBS's district profile, tilted (by iterative
    proportional fitting) so that the municipality's parents have composition ``city``
    (summing to ``1 - unknown``), with ``unknown`` for 'onbekend' everywhere."""
    city = np.asarray(city, dtype=float) / np.sum(city) * (1 - unknown)
    profile = facts[["opl_laag", "opl_midden", "opl_hoog"]].to_numpy(float)
    profile /= profile.sum(axis=1, keepdims=True)
    weight = facts["geboorten"].to_numpy(float)
    tilt = np.ones(3)
    for _ in range(200):
        shares = profile * tilt
        shares /= shares.sum(axis=1, keepdims=True)
        tilt *= city / (1 - unknown) / np.average(shares, axis=0, weights=weight)
    shares = profile * tilt
    shares = shares / shares.sum(axis=1, keepdims=True) * (1 - unknown)
    return np.column_stack([shares, np.full(len(facts), unknown)])


def _standardised_logit(share: np.ndarray) -> np.ndarray:
    x = logit(np.clip(share, 1e-4, 1 - 1e-4))
    return (x - x.mean()) / (x.std() or 1.0)


def population(
    facts: pd.DataFrame, n: int, edu_shares: np.ndarray, migration_targets: dict[str, float], rng: np.random.Generator
) -> Population:
    """Children per district in proportion to births, education by district, migration by both.
    Where CBS gives no migration background per district, every district starts equal."""
    per_district = allocate(n, facts["geboorten"].to_numpy(float))
    district, education = [], []
    for d, size in enumerate(per_district):
        counts = allocate(int(size), edu_shares[d])
        district.append(np.full(size, d))
        education.append(rng.permutation(np.repeat(np.arange(len(EDUCATION)), counts)))
    district_arr = np.concatenate(district)
    education_arr = np.concatenate(education)
    age = rng.integers(0, 3, size=n)

    inhabitants = facts["inwoners"].to_numpy(float)
    nonwestern_share = pd.to_numeric(facts["niet_westers"], errors="coerce").to_numpy(float) / inhabitants
    western_share = pd.to_numeric(facts["westers"], errors="coerce").to_numpy(float) / inhabitants
    nonwestern = np.nan_to_num(logit(nonwestern_share), nan=0.0)[district_arr]
    western = np.nan_to_num(western_share, nan=1.0)[district_arr]
    shift = np.array([MIGRATION_BY_EDUCATION[e] for e in EDUCATION])[education_arr]
    p_unknown = migration_targets["onbekend"]
    # Intercepts solved on expectations (smooth), so the realised shares sit on the targets.
    k_nw = _solve(lambda k: expit(nonwestern + shift + k).mean() * (1 - p_unknown), migration_targets["niet-westers"])
    p_nw = expit(nonwestern + shift + k_nw) * (1 - p_unknown)
    k_w = _solve(lambda k: (western * k * (1 - p_nw - p_unknown)).mean(), migration_targets["westers"], 0, 20)
    p_w = np.minimum(western * k_w, 1) * (1 - p_nw - p_unknown)
    u = rng.random(n)
    migration = np.select(
        [u < p_unknown, u < p_unknown + p_nw, u < p_unknown + p_nw + p_w],
        [MIGRATION.index("onbekend"), MIGRATION.index("niet-westers"), MIGRATION.index("westers")],
        MIGRATION.index("nederlands"),
    )
    newcomer = rng.random(n) < np.array([NEWCOMER_SHARE[m] for m in MIGRATION])[migration]
    return Population(district_arr, age, education_arr, migration, newcomer)


def _solve(f, target: float, low: float = -20.0, high: float = 20.0) -> float:
    """Bisection for an increasing ``f``."""
    for _ in range(100):
        mid = (low + high) / 2
        low, high = (mid, high) if f(mid) < target else (low, mid)
    return (low + high) / 2


@dataclass
class Knobs:
    """The calibrated parameters: factor intercepts, education means of adversity, two intercepts."""

    factor_intercept: np.ndarray
    adversity_mean: np.ndarray
    attention_intercept: float = -3.0
    imbalance_intercept: float = -2.0
    prevalence_scale: float = 1.0


@dataclass(frozen=True)
class Outcome:
    factors: np.ndarray  # (n, factors) bool
    attention: np.ndarray
    imbalance: np.ndarray


class Model:
    """The risk-factor model of one population on fixed draws."""

    def __init__(self, facts: pd.DataFrame, pop: Population, draws: Draws) -> None:
        catalogue = load_catalogue()
        self.codes = catalogue.codes
        domain_of = catalogue.domain_of()
        self.domain_index = np.array([DOMAINS.index(domain_of[c]) for c in self.codes])
        self.pop = pop
        self.draws = draws
        # district poverty where CBS gives it per district; else every district equal
        household_poverty = pd.to_numeric(facts["pct_hh_tot_120_wsm"], errors="coerce").to_numpy(float) / 100
        poverty = np.nan_to_num(_standardised_logit(household_poverty), nan=0.0)
        self.base_adversity = (
            ADVERSITY_BY_POVERTY * poverty[pop.district]
            + np.array([ADVERSITY_BY_MIGRATION[m] for m in MIGRATION])[pop.migration]
            + ADVERSITY_SD * draws.adversity
        )
        self.newcomer_effect = np.array([NEWCOMER_EFFECT.get(c, 0.0) for c in self.codes])
        self.education_effect = np.array(
            [[EDUCATION_EFFECT.get(c, {}).get(e, 0.0) for c in self.codes] for e in EDUCATION]
        )[pop.education]
        self.age_effect = np.where(self.domain_index == DOMAINS.index("ontwikkeling"), DEVELOPMENT_BY_AGE, 0.0)
        self.loading = np.array([DOMAIN_LOADING[d] for d in DOMAINS])
        self.within = np.array([WITHIN_DOMAIN_LOADING[d] for d in DOMAINS])[self.domain_index]
        self.weights = np.array([ATTENTION_WEIGHT[c] for c in self.codes])
        self.low_education = self.codes.index("lage_opleiding")
        self.low_education_draw = (
            draws.low_education < np.array([LOW_EDUCATION_FACTOR[e] for e in EDUCATION])[pop.education]
        )
        self.urgent = np.isin(self.codes, URGENT)

    def run(self, knobs: Knobs) -> Outcome:
        adversity = self.base_adversity + knobs.adversity_mean[self.pop.education]
        strain = adversity[:, None] * self.loading[None, :] + self.draws.domain
        latent = (
            knobs.factor_intercept[None, :]
            + self.within[None, :] * strain[:, self.domain_index]
            + self.newcomer_effect[None, :] * self.pop.newcomer[:, None]
            + self.age_effect[None, :] * self.pop.age[:, None]
            + self.education_effect
            + self.draws.factor
        )
        factors = latent > 0
        factors[:, self.low_education] = self.low_education_draw
        n_factors = factors.sum(axis=1)
        n_domains = np.zeros(len(factors), dtype=int)
        for d in range(len(DOMAINS)):
            n_domains += factors[:, self.domain_index == d].any(axis=1)
        score = (
            knobs.attention_intercept
            + factors @ self.weights
            + ATTENTION_BY_ADVERSITY * adversity
            + ATTENTION_SEVERAL_DOMAINS * (n_domains >= 2)
            + self.draws.attention
        )
        attention = (score > 0) & (n_factors > 0)
        imbalance_score = (
            knobs.imbalance_intercept
            + IMBALANCE_PER_DOMAIN * (n_domains - 1)
            + IMBALANCE_URGENT * factors[:, self.urgent].any(axis=1)
            + IMBALANCE_PER_FACTOR * (n_factors - 1)
            + self.draws.imbalance
        )
        imbalance = attention & (imbalance_score > 0)
        return Outcome(factors, attention, imbalance)


def calibrate(model: Model, targets: Targets) -> tuple[Knobs, Outcome]:
    """Fixed-point iteration on the intercepts until the realised figures meet the targets."""
    codes = model.codes
    profile = np.array([targets.prevalentie.get(c, np.nan) / 100 for c in codes])
    scaled = ~np.isnan(profile)
    knobs = Knobs(
        factor_intercept=np.where(scaled, ndtri(np.nan_to_num(profile, nan=0.5)) * 1.5, 0.0),
        adversity_mean=np.zeros(len(EDUCATION)),
    )
    rate = np.array([targets.extra_aandacht_naar_opleiding[e] for e in EDUCATION])
    high = EDUCATION.index("hoog")
    imbalance_share = targets.uit_balans / targets.extra_aandacht
    group_size = np.bincount(model.pop.education, minlength=len(EDUCATION))
    # A rate in a group of n children moves in steps of 1/n: no tolerance can be finer than that.
    tolerance = np.concatenate([np.full(scaled.sum() + 2, TOLERANCE), np.maximum(TOLERANCE, 1 / group_size)])
    for iteration in range(MAX_ITERATIONS):
        out = model.run(knobs)
        prevalence = out.factors.mean(axis=0)
        any_factor = out.factors.any(axis=1).mean()
        realised = np.array([out.attention[model.pop.education == e].mean() for e in range(len(EDUCATION))])
        realised_imbalance = out.imbalance.sum() / max(out.attention.sum(), 1)
        target_prevalence = np.clip(profile * knobs.prevalence_scale, 1e-4, 0.5)
        gaps = np.concatenate(
            [
                (prevalence - target_prevalence)[scaled],
                [any_factor - targets.met_risicofactor, realised_imbalance - imbalance_share],
                realised - rate,
            ]
        )
        if np.all(np.abs(gaps) < tolerance):
            return knobs, out
        gain = 0.8 / (1 + iteration / 40)  # decaying, so step-wise realised rates settle
        step = ndtri(target_prevalence) - ndtri(np.clip(prevalence, 1e-4, 1 - 1e-4))
        knobs.factor_intercept[scaled] += gain * step[scaled]
        knobs.prevalence_scale *= (targets.met_risicofactor / any_factor) ** gain
        edu_step = logit(rate) - logit(np.clip(realised, 1e-4, 1 - 1e-4))
        knobs.attention_intercept += gain * edu_step[high]
        knobs.adversity_mean += gain * (edu_step - edu_step[high])
        knobs.imbalance_intercept += gain * (logit(imbalance_share) - logit(max(realised_imbalance, 1e-4)))
    raise RuntimeError(f"calibration did not converge; largest gap {np.abs(gaps).max():.4f}")
