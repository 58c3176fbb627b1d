"""What changed since the previous edition: differences of headline percentages, in percentage
points, with 95% Newcombe intervals (hybrid score intervals for a difference of two independent
proportions, through statsmodels).

A difference is published only when both of its levels were published, each in its own edition
under that edition's disclosure rules; otherwise it is suppressed with them. The two years are
separate groups of children, so a difference reveals nothing the two levels do not.
"""

from __future__ import annotations

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


def _as_previous(rate: Rate) -> Rate:
    return replace(rate, key=PREVIOUS + rate.key)


def changes(previous: Publication, current: Publication) -> tuple[Change, ...]:
    """The compared figures that both editions have (a figure missing in either is left out)."""
    found = []
    for key, path, label in COMPARED:
        before, now = previous.rates.get(key), current.rates.get(key)
        if before is None or now is None:
            continue
        difference = None
        counts = (now.n, now.noemer, before.n, before.noemer)
        if before.published and now.published and None not in counts and now.noemer and before.noemer:
            value, low, high = newcombe(*counts)  # type: ignore[arg-type]
            difference = Estimate(CHANGE + path, value, low, high)
        found.append(Change(path, label, _as_previous(before), now, difference))
    return tuple(found)
