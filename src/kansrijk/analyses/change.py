"""What changed since the previous edition: differences of headline percentages, in percentage
points, with 95% Newcombe intervals (hybrid score intervals for a difference of two independent
proportions, through statsmodels).

A difference is published only when both of its levels were published, each in its own edition
under that edition's disclosure rules; otherwise it is suppressed with them. The two years are
separate groups of children, so a difference reveals nothing the two levels do not.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from statsmodels.stats.proportion import confint_proportions_2indep

from kansrijk.labels import EDUCATION, LEVELS
from kansrijk.publication import Estimate, Publication, Rate

PREVIOUS = "vorige."  # the keys of the previous edition's rates within this edition's publication
CHANGE = "vergelijking."  # the keys of the differences

# (rate key, kerncijfers path, label): the figures the chapter and kerncijfers.json compare.
COMPARED: tuple[tuple[str, str, str], ...] = (
    ("kinderen.extra_aandacht", "kinderen.extra_aandacht.pct", "Extra aandacht, alle kinderen"),
    *(
        (f"kinderen.extra_aandacht_naar_opleiding.{g}", f"kinderen.extra_aandacht_naar_opleiding.{g}.pct",
         f"Extra aandacht, opleiding ouders {EDUCATION[g].lower()}")
        for g in ("laag", "midden", "hoog")
    ),
    ("kinderen.balans.uit_balans", "kinderen.balans.uit_balans", "Extra aandacht, gezin uit balans"),
    *((f"kinderen.niveaus.{v}", f"kinderen.niveaus.{v}", LEVELS[v])
      for v in ("zelfredzaam", "potentieel_kwetsbaar", "kwetsbaar", "zeer_kwetsbaar")),
    ("armoede.pct_125", "armoede.pct_125", "Kinderen van 0 tot 6 jaar in armoede (tot 125% van het WSM)"),
)  # fmt: skip


@dataclass(frozen=True)
class Change:
    """One headline percentage in both editions and their difference (``None`` when suppressed)."""

    path: str
    label: str
    previous: Rate  # keyed PREVIOUS + the rate's key
    current: Rate
    difference: Estimate | None  # value = current - previous, in points; low/high: the interval

    @property
    def district(self) -> str | None:
        """The district's code for child poverty per district, else ``None``."""
        parts = self.path.split(".")
        return parts[2] if parts[:2] == ["armoede", "wijken"] else None

    @property
    def significant(self) -> bool:
        d = self.difference
        return d is not None and d.low is not None and d.high is not None and (d.low > 0 or d.high < 0)

    @property
    def direction(self) -> str:
        """'gestegen', 'gedaald' or 'niet aantoonbaar veranderd' (words only for significant changes)."""
        if not self.significant:
            return "niet aantoonbaar veranderd"
        return "gestegen" if self.difference.value > 0 else "gedaald"  # type: ignore[union-attr]


def newcombe(n_now: int, d_now: int, n_before: int, d_before: int) -> tuple[float, float, float]:
    """The difference ``now - before`` in percentage points and its 95% Newcombe interval."""
    low, high = confint_proportions_2indep(n_now, d_now, n_before, d_before, method="newcomb", compare="diff")
    return 100 * (n_now / d_now - n_before / d_before), 100 * float(low), 100 * float(high)


def newcombe_from_intervals(now: Rate, before: Rate) -> tuple[float, float, float]:
    """Newcombe's hybrid interval built from the two rates' own published 95% intervals (his
    method 10, which combines the Wilson limits of each): for plain Wilson intervals it equals
    :func:`newcombe`, and with families it carries their cluster-corrected intervals over."""
    p1, l1, u1 = now.pct, now.ci_laag, now.ci_hoog
    p2, l2, u2 = before.pct, before.ci_laag, before.ci_hoog
    diff = p1 - p2  # type: ignore[operator]
    low = diff - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)  # type: ignore[operator]
    high = diff + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)  # type: ignore[operator]
    return diff, low, high


def _as_previous(rate: Rate) -> Rate:
    return replace(rate, key=PREVIOUS + rate.key)


def compared(previous: Publication, current: Publication) -> list[tuple[str, str, str]]:
    """The headline figures to compare: :data:`COMPARED`, and extra attention per origin group when
    both editions use the same classification (its groups differ from the other's)."""
    found = list(COMPARED)
    origin = current.origin
    if previous.origin == origin:
        found += [
            (
                f"{origin.rates_key}.{g}",
                f"{origin.rates_key}.{g}.pct",
                f"Extra aandacht, {origin.name} {origin.in_sentence(g)}",
            )
            for g in origin.categories
            if g != "onbekend"
        ]
    return found


def district_pairs(
    previous: Publication, current: Publication, link: dict[str, str]
) -> tuple[list[tuple[str, str]], list[str]]:
    """The districts to compare, as (code now, code before), and a note for each district that is
    not compared. A district is compared when its code and name are the same in both editions, or
    when ``wijk_koppeling`` (``link``: code now -> code before) links it."""
    before, now = previous.districts, current.districts
    then, year = previous.edition.jaar, current.edition.jaar
    linked = set(link.values())
    pairs, notes = [], []
    for code, name in now.items():
        if code in link:
            pairs.append((code, link[code]))
        elif code in before and code not in linked and before[code] == name:
            pairs.append((code, code))
        elif code in before and code not in linked:
            notes.append(
                f"{name} ({code}) is niet vergeleken: de wijk met deze code heette in {then} ‘{before[code]}’, "
                "en een andere naam kan een andere begrenzing betekenen (noem haar in wijk_koppeling als het "
                "dezelfde wijk is)."
            )
        else:
            notes.append(f"{name} ({code}) is niet vergeleken: deze wijkcode bestond in {then} niet.")
    for code, name in before.items():
        if code not in now and code not in linked:
            notes.append(f"{name} ({code}) uit {then} bestaat in {year} niet meer onder deze code.")
    return pairs, notes


def comparability(previous: Publication, current: Publication, link: dict[str, str]) -> tuple[str, ...]:
    """What is not compared, and why: another origin classification, districts CBS recoded or renamed."""
    notes = []
    if previous.origin != current.origin:
        notes.append(
            f"Extra aandacht naar herkomst is niet vergeleken: {previous.edition.jaar} deelt in naar "
            f"{previous.origin.name}, {current.edition.jaar} naar {current.origin.name}, en de groepen van die twee "
            "CBS-indelingen zijn niet dezelfde."
        )
    notes += district_pairs(previous, current, link)[1]
    return tuple(notes)


def changes(previous: Publication, current: Publication, link: dict[str, str] | None = None) -> tuple[Change, ...]:
    """The compared figures that both editions have (a figure missing in either is left out), then
    child poverty per comparable district."""
    pairs = [(key, key, path, label) for key, path, label in compared(previous, current)]
    for code, old in district_pairs(previous, current, link or {})[0]:
        pairs.append(
            (f"armoede.wijken.{old}.pct_125", f"armoede.wijken.{code}.pct_125", f"armoede.wijken.{code}.pct_125",
             current.districts[code])
        )  # fmt: skip
    clustered = previous.edition.families or current.edition.families
    found = []
    for key_before, key_now, path, label in pairs:
        before, now = previous.rates.get(key_before), current.rates.get(key_now)
        if before is None or now is None:
            continue
        difference = None
        counts = (now.n, now.noemer, before.n, before.noemer)
        if before.published and now.published and None not in counts and now.noemer and before.noemer:
            value, low, high = newcombe_from_intervals(now, before) if clustered else newcombe(*counts)  # type: ignore[arg-type]
            difference = Estimate(CHANGE + path, value, low, high)
        found.append(Change(path, label, _as_previous(before), now, difference))
    return tuple(found)
