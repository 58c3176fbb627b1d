"""Dutch sentences whose claims follow the computed figures of an edition.

No sentence asserts a pattern its data do not show: every comparison is phrased from the
computed direction (and, for two groups, from a test of the difference), and every number is
formatted from the data.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kansrijk import fmt

EDUCATION_LABEL = {
    "laag": "laagopgeleide",
    "midden": "middelbaar opgeleide",
    "hoog": "hoogopgeleide",
    "onbekend": "onbekend opgeleide",
}
EDUCATION_NOUN = {"laag": "laag", "midden": "middelbaar", "hoog": "hoog", "onbekend": "onbekend"}
MIGRATION_LABEL = {
    "nederlands": "een Nederlandse achtergrond",
    "westers": "een westerse migratieachtergrond",
    "niet-westers": "een niet-westerse migratieachtergrond",
    "onbekend": "een onbekende achtergrond",
}
ALPHA = 0.05
UNPUBLISHABLE = "Het verschil naar {what} is in deze editie niet te publiceren, omdat een van de groepen te klein is."


def differs(k1: float, n1: float, k2: float, n2: float) -> int:
    """+1 when group 1's rate is significantly higher, -1 when lower, 0 otherwise (z-test)."""
    from statsmodels.stats.proportion import proportions_ztest  # heavy: only where groups are compared

    if min(n1, n2) <= 0 or any(np.isnan([k1, n1, k2, n2])):
        return 0
    if k1 + k2 in (0, n1 + n2):
        return 0
    _, p = proportions_ztest([k1, k2], [n1, n2])
    if p >= ALPHA:
        return 0
    return 1 if k1 / n1 > k2 / n2 else -1


def more_or_less(direction: int) -> str:
    return {1: "vaker", -1: "minder vaak", 0: "niet aantoonbaar vaker of minder vaak"}[direction]


def education_gradient(rates: pd.DataFrame) -> str:
    """How extra attention differs between children of low- and highly educated parents."""
    low, high = rates.loc["laag"], rates.loc["hoog"]
    if pd.isna(low["pct"]) or pd.isna(high["pct"]):
        return UNPUBLISHABLE.format(what="opleiding van de ouders")
    direction = differs(low["n"], low["noemer"], high["n"], high["noemer"])
    ordered = [rates.loc[e, "pct"] for e in ("laag", "midden", "hoog")]
    monotone = all(np.isfinite(ordered)) and ordered[0] > ordered[1] > ordered[2]
    sentence = (
        f"Kinderen van laagopgeleide ouders worden {more_or_less(direction)} met extra aandacht gevolgd "
        f"({fmt.pct(low['pct'])}) dan kinderen van hoogopgeleide ouders ({fmt.pct(high['pct'])})"
    )
    if monotone and direction == 1:
        sentence += f"; bij middelbaar opgeleide ouders ligt het ertussenin ({fmt.pct(ordered[1])})"
    return sentence + "."


def composition_paradox(rates: pd.DataFrame, composition: pd.DataFrame, shares: pd.Series) -> str:
    """Which education group forms the largest part of the extra-attention group, and why."""
    published = composition["pct"].dropna()
    if published.empty:
        return "De samenstelling van de groep met extra aandacht naar opleiding is niet te publiceren."
    largest = str(published.idxmax())
    lowest_rate = str(rates["pct"].drop("onbekend", errors="ignore").idxmin())
    text = (
        f"De grootste groep onder de kinderen met extra aandacht heeft {EDUCATION_LABEL[largest]} ouders "
        f"({fmt.pct(published[largest])} van die kinderen)"
    )
    if largest == lowest_rate:
        text += (
            f", terwijl hun kans op extra aandacht juist het kleinst is: dat komt doordat "
            f"{fmt.pct(shares[largest])} van alle kinderen {EDUCATION_LABEL[largest]} ouders heeft"
        )
    return text + "."


def migration_gap(rates_mig: pd.DataFrame, rates_edu: pd.DataFrame) -> str:
    """Non-western against Dutch background, and that gap against the education gap."""
    nw, nl = rates_mig.loc["niet-westers"], rates_mig.loc["nederlands"]
    low, high = rates_edu.loc["laag"], rates_edu.loc["hoog"]
    if any(pd.isna(x) for x in (nw["pct"], nl["pct"], low["pct"], high["pct"])):
        return UNPUBLISHABLE.format(what="migratieachtergrond")
    direction = differs(nw["n"], nw["noemer"], nl["n"], nl["noemer"])
    gap_mig = nw["pct"] - nl["pct"]
    gap_edu = low["pct"] - high["pct"]
    comparison = "kleiner" if abs(gap_mig) < abs(gap_edu) else "groter"
    return (
        f"Kinderen met een niet-westerse migratieachtergrond worden {more_or_less(direction)} met extra aandacht "
        f"gevolgd ({fmt.pct(nw['pct'])}) dan kinderen met een Nederlandse achtergrond ({fmt.pct(nl['pct'])}). "
        f"Dat verschil ({fmt.getal(abs(gap_mig))} procentpunt) is {comparison} dan het verschil tussen kinderen "
        f"van laag- en hoogopgeleide ouders ({fmt.getal(abs(gap_edu))} procentpunt)."
    )


def stacking_pattern(within_one: pd.Series) -> str:
    """Whether stacked factors lie within one domain more often for high than for low/middle education."""
    values = within_one.drop("onbekend", errors="ignore").dropna()
    if not {"hoog", "laag"} <= set(values.index):
        return "Het patroon van stapeling naar opleiding is in deze editie niet te publiceren."
    high = values["hoog"]
    lower = values.drop("hoog")
    parts = ", ".join(f"{fmt.pct(v)} bij {EDUCATION_NOUN[k]} opgeleide ouders" for k, v in lower.items())
    if high > 50 and (lower < 50).all():
        claim = (
            "Bij kinderen van hoogopgeleide ouders liggen gestapelde risicofactoren meestal binnen één domein "
            f"({fmt.pct(high)}); bij lager opgeleide ouders komen ze vaker uit meerdere domeinen, "
            "zodat de stapeling daar complexer is"
        )
    elif high > lower.max():
        claim = (
            "Bij kinderen van hoogopgeleide ouders liggen gestapelde risicofactoren vaker binnen één domein "
            f"({fmt.pct(high)}) dan bij lager opgeleide ouders"
        )
    else:
        claim = (
            "Bij kinderen van hoogopgeleide ouders liggen gestapelde risicofactoren niet vaker binnen één domein "
            f"({fmt.pct(high)}) dan bij lager opgeleide ouders"
        )
    return f"{claim} ({parts})."


def poverty_highest(total: dict[str, float], districts: pd.DataFrame, line: str = "125") -> str:
    """The districts (at most two) where the share at or below a poverty line is highest, among
    those above the municipal level."""
    published = districts.dropna(subset=[f"pct_{line}"]).sort_values(f"pct_{line}", ascending=False)
    above = published[published[f"pct_{line}"] > total[f"pct_{line}"]].head(2)
    if above.empty:
        return "Geen wijk ligt duidelijk boven het niveau van de gemeente."
    names = " en ".join(f"{r.wijk_naam} ({fmt.pct(getattr(r, f'pct_{line}'))})" for r in above.itertuples())
    return f"Het aandeel is het hoogst in {names}."


def poverty_summary(total: dict[str, float], districts: pd.DataFrame, line: str = "125") -> str:
    """The municipal share at or below a poverty line, and where it is highest."""
    share = total[f"pct_{line}"]
    return (
        f"{fmt.one_in(share)} kinderen van 0 tot 6 jaar ({fmt.pct(share)}) groeit op in een huishouden met een "
        f"inkomen tot {line}% van het wettelijk sociaal minimum. {poverty_highest(total, districts, line)}"
    )
