"""The book's figures: one seaborn theme, a colour-blind-safe palette, Dutch labels and numbers.

Every function draws only published values (:mod:`kansrijk.publication`) and returns a
:class:`~kansrijk.chapter.Drawn`: the figure and the numbers written on it, for the ledger. A
suppressed value is left out and marked with a dash. Text on a figure is never read as
mathtext (``text.parse_math`` is off), so a name with ``$`` in it is drawn as written.
Importing this module applies the book's theme, so a chapter that draws nothing does not pay
for seaborn.

Figures are drawn for a phone first: :data:`WIDTH` inches wide with text of :data:`TEXT` points,
so that on a 390-pixel screen no text is smaller than 11 CSS pixels (:func:`legibility` checks
every figure before it is saved). Long labels wrap instead of shrinking.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # figures are saved for the book, never shown in a window

import matplotlib.pyplot as plt
import numpy as np
import seaborn as sns
from matplotlib.colors import Normalize, TwoSlopeNorm, to_hex
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator

from kansrijk import fmt, show
from kansrijk.chapter import Drawn
from kansrijk.publication import Atlas, Pair, Rate, RateTable
from kansrijk.show import Entry

PALETTE = sns.color_palette("colorblind")
NEUTRAL = "#7f7f7f"
WIDTH = 5.0  # inches: shown 340 CSS pixels wide on a 390-pixel phone
TEXT = 12.5  # points: every text on a figure
PHONE_PX = 340  # a figure's width in the article on a 390-pixel screen (measured: 342)
MIN_PX = 11  # the smallest text a reader should meet there
WRAP = 24  # characters per line of a category label


class IllegibleFigureError(ValueError):
    """A figure whose smallest text would be below :data:`MIN_PX` on a phone."""


def legibility(fig, name: str = "figuur", tight=None) -> float:
    """The smallest text of ``fig`` in CSS pixels when it is shown :data:`PHONE_PX` wide (as
    saved, with its tight bounding box ``tight``, measured here when not given); raise
    :class:`IllegibleFigureError` below :data:`MIN_PX`."""
    from matplotlib.text import Text

    # Measured without drawing: the bounding box lays the texts out itself (a draw first, as
    # before, left every figure of the book the same to the byte and cost a tenth of a chapter).
    if tight is None:
        tight = fig.get_tightbbox(fig.canvas.get_renderer())
    width = tight.width  # inches
    sizes = [t.get_fontsize() for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
    smallest = min(sizes, default=TEXT) / 72 * PHONE_PX / width
    if smallest < MIN_PX:
        raise IllegibleFigureError(
            f"{name}: kleinste tekst {smallest:.1f} px op een telefoon (minimaal {MIN_PX}); de figuur is te breed"
        )
    return smallest


def _extremes(labels: list[str], shown: list[show.Shown], values, high: str, low: str | None) -> show.Shown | None:
    """'Overvecht het hoogst (36%), West het laagst (6,9%).' from the published values; ``labels``
    as written, not as wrapped on the axis."""
    published = [(v, label, text) for v, label, text in zip(values, labels, shown, strict=True) if np.isfinite(v)]
    if not published:
        return None
    top = max(published, key=lambda item: item[0])
    sentence = show.say("{} " + high + " ({})", top[1], top[2])
    bottom = min(published, key=lambda item: item[0])
    if low and len(published) > 1:
        sentence = show.say("{}, {} " + low + " ({})", sentence, bottom[1], bottom[2])
    return show.say("{}.", sentence)


def _legend_below(fig, handles: list) -> None:
    """The legend under the figure, from its left edge: never over the bars, and never wider
    than the figure (it adds height, not width, to what is saved)."""
    for handle in handles:
        handle.set_label(_axis_label(handle.get_label()))
    if handles:
        fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.0, 0.0), frameon=False, borderaxespad=0.2)


def _axis_label(text: str, width: int = 2 * WRAP - 6) -> str:
    return textwrap.fill(text, width)


def _wrap(labels: list[str]) -> list[str]:
    """Labels on lines of at most :data:`WRAP` characters (a name from the inputs may be up to 100
    characters, a word among them as long as the name)."""
    return [textwrap.fill(label, WRAP) for label in labels]


def _height(rows: int, labels: list[str] | None = None, extra: float = 1.2) -> float:
    """A figure's height: room per bar, more for wrapped labels."""
    lines = sum(label.count("\n") + 1 for label in labels) if labels else rows
    return 0.28 * lines + 0.22 * rows + extra


def set_theme() -> None:
    """The one theme of the whole book."""
    sns.set_theme(
        context="notebook",
        style="whitegrid",
        palette=PALETTE,
        rc={
            "figure.dpi": 110,
            "savefig.dpi": 200,
            "font.size": TEXT,
            "axes.labelsize": TEXT,
            "xtick.labelsize": TEXT,
            "ytick.labelsize": TEXT,
            "legend.fontsize": TEXT,
            "axes.titlesize": TEXT + 1,
            "axes.titleweight": "bold",
            "axes.titlelocation": "left",
            "axes.spines.top": False,
            "axes.spines.right": False,
            "font.family": "DejaVu Sans",
            "text.parse_math": False,  # names from input files are text, never mathtext
        },
    )


def _pct_axis(axis) -> None:
    """Whole percentages on round ticks (never '2% 5% 8%' from ticks at 2,5 and 7,5)."""
    axis.set_major_locator(MaxNLocator(nbins=3, steps=[1, 2, 5, 10], integer=True))
    axis.set_major_formatter(FuncFormatter(lambda v, _: fmt.pct(v, 0)))


def _pct_room(ax, top: float) -> None:
    """A percentage axis with room right of the longest bar for its label (beyond 100% when a
    bar comes near it, without ticks there: the label must not widen the figure)."""
    ax.set_xlim(0, max(top * 1.25 + 8, 10))
    _pct_axis(ax.xaxis)
    ax.set_xticks([t for t in ax.get_xticks() if 0 <= t <= 100])


def _label_bars(ax, shown: list[show.Shown], values, positions, offset: float = 0.6) -> list[Entry]:
    """The value at the end of each horizontal bar (a dash where it is not published)."""
    for text, value, pos in zip(shown, values, positions, strict=True):
        ax.text((value if np.isfinite(value) else 0) + offset, pos, text.text, va="center", ha="left")
    return [e for text in shown for e in text.entries]


def _values(rates: list[Rate | None]) -> np.ndarray:
    return np.array([np.nan if r is None or r.pct is None else r.pct for r in rates], dtype=float)


def levels_figure(levels: RateTable) -> Drawn:
    """The four levels of vulnerability as % of all children, the upper bound of the last hatched."""
    rates = [r for _, r in levels]
    names = _wrap([levels.label(c) for c, _ in levels])
    fig, ax = plt.subplots(figsize=(WIDTH, _height(len(rates), names)))
    y = np.arange(len(rates))
    values = _values(rates)
    colors = [PALETTE[0]] * (len(rates) - 1) + ["white"]
    ax.barh(y, np.nan_to_num(values), color=colors, edgecolor=PALETTE[0], hatch=[""] * (len(rates) - 1) + ["///"])
    shown = [show.pct(r, 1) for r in rates]
    entries = _label_bars(ax, shown, values, y)
    ax.set_yticks(y, names)
    ax.invert_yaxis()
    _pct_room(ax, np.nanmax(values) if np.isfinite(values).any() else 100)
    ax.set_xlabel(_axis_label("% van alle kinderen van 0 tot en met 2 jaar", WRAP + 4))
    fig.tight_layout()
    parts = [show.say("{} {}", levels.label(c), text) for (c, _), text in zip(levels, shown, strict=True)]
    return Drawn(fig, tuple(entries), show.say("{}.", show.join(parts, "; ")))


def category_bars(rates: list[Rate], labels: list[str], xlabel: str) -> Drawn:
    """Horizontal bars of the percentage per category, labelled in Dutch."""
    wrapped = _wrap(labels)
    fig, ax = plt.subplots(figsize=(WIDTH, _height(len(rates), wrapped)))
    y = np.arange(len(rates))
    values = _values(rates)
    ax.barh(y, np.nan_to_num(values), color=PALETTE[0], height=0.7)  # one colour: the bars differ only in length
    shown = [show.pct(r, 1) for r in rates]
    entries = _label_bars(ax, shown, values, y, offset=0.3)
    ax.set_yticks(y, wrapped)
    ax.invert_yaxis()
    _pct_room(ax, np.nanmax(values) if np.isfinite(values).any() else 100)
    ax.set_xlabel(_axis_label(xlabel, WRAP + 4))
    fig.tight_layout()
    return Drawn(fig, tuple(entries), _extremes(labels, shown, values, "het vaakst", None))


def _interval_bars(
    rates: list[Rate],
    labels: list[str],
    xlabel: str,
    reference: Rate | None,
    reference_label: str,
    colors: list | str = PALETTE[0],
    legend: list | None = None,
) -> Drawn:
    """Horizontal bars with 95% intervals and their value, and a dashed reference line; the
    reference and any ``legend`` entries are explained below the axis, clear of the bars."""
    values = _values(rates)
    low = np.array([np.nan if r.ci_laag is None else r.ci_laag for r in rates], dtype=float)
    high = np.array([np.nan if r.ci_hoog is None else r.ci_hoog for r in rates], dtype=float)
    wrapped = _wrap(labels)
    fig, ax = plt.subplots(figsize=(WIDTH, _height(len(values), wrapped, 1.6)))
    y = np.arange(len(values))
    ax.barh(y, np.nan_to_num(values), color=colors, height=0.6, alpha=0.9)
    # an interval can touch its estimate (0 of n gives a lower bound of 0 up to rounding): never negative
    errors = [np.clip(values - low, 0, None), np.clip(high - values, 0, None)]
    ax.errorbar(values, y, xerr=errors, fmt="none", ecolor="black", capsize=2.5, lw=0.9)
    shown = [show.pct(r) for r in rates]
    top = np.nanmax(high) if np.isfinite(high).any() else 100
    for text, hi, pos in zip(shown, high, y, strict=True):
        ax.text((hi if np.isfinite(hi) else 0) + top * 0.02 + 0.3, pos, text.text, va="center")
    entries = [e for text in shown for e in text.entries]
    handles = list(legend or [])
    if reference is not None and reference.pct is not None:
        ax.axvline(reference.pct, color="black", ls="--", lw=1.2)
        label = show.pct(reference)
        handles.insert(0, Line2D([0], [0], color="black", ls="--", lw=1.2, label=f"{reference_label}: {label}"))
        entries += label.entries
    ax.set_yticks(y, wrapped)
    ax.invert_yaxis()
    _pct_room(ax, top)
    ax.set_xlabel(_axis_label(xlabel, WRAP + 4))
    fig.tight_layout()
    _legend_below(fig, handles)
    return Drawn(fig, tuple(entries), _extremes(labels, shown, values, "het hoogst", "het laagst"))


def rate_figure(
    table: RateTable,
    xlabel: str,
    reference: Rate | None = None,
    order: list[str] | None = None,
    labels: dict[str, str] | None = None,
) -> Drawn:
    """Rates with 95% intervals per group (in ``order`` when given, with ``labels`` instead of the
    table's own), the overall rate as a reference line."""
    categories = order if order is not None else [c for c, _ in table]
    names = [(labels or {}).get(c, table.label(c)) for c in categories]
    return _interval_bars([table[c] for c in categories], names, xlabel, reference, "gemiddelde van alle kinderen")


def count_bars(table: RateTable, xlabel: str) -> Drawn:
    """Horizontal bars of the counts of a table (suppressed counts marked with a dash)."""
    rates = [r for _, r in table]
    fig, ax = plt.subplots(figsize=(WIDTH, _height(len(rates))))
    y = np.arange(len(rates))
    values = np.array([np.nan if r.n is None else r.n for r in rates], dtype=float)
    ax.barh(y, np.nan_to_num(values), color=PALETTE[2], height=0.6)
    shown = [show.number(r) for r in rates]
    offset = np.nanmax(values) * 0.01 if np.isfinite(values).any() else 0
    entries = _label_bars(ax, shown, values, y, offset)
    names = [table.label(c) for c, _ in table]
    ax.set_yticks(y, _wrap(names))
    ax.invert_yaxis()
    ax.xaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt.getal(v)))
    ax.set_xlim(0, np.nanmax(values) * 1.3 if np.isfinite(values).any() else 1)
    ax.set_xlabel(_axis_label(xlabel, WRAP + 4))
    fig.tight_layout()
    return Drawn(fig, tuple(entries), _extremes(names, shown, values, "het vaakst", None))


def stacked_shares(rows: dict[str, RateTable], row_labels: dict[str, str]) -> Drawn:
    """100% stacked horizontal bars: one bar per group, one segment per category. A category that
    is 0% in every group (no child with extra attention has no risk factor) has no segment, so it
    has no entry in the legend either; its table says 0%."""
    groups = list(rows)
    first = rows[groups[0]]
    categories = [c for c, _ in first]
    fig, ax = plt.subplots(figsize=(WIDTH, 0.7 * len(groups) + 2.6))
    y = np.arange(len(groups))
    left = np.zeros(len(groups))
    colors = sns.color_palette("colorblind", len(categories))  # a category's colour, shown or not
    entries: list[Entry] = []
    for color, category in zip(colors, categories, strict=True):
        cells = [rows[g][category] for g in groups]
        if all(cell.pct == 0 for cell in cells):
            continue
        values = np.nan_to_num(_values(cells))
        ax.barh(y, values, left=left, color=color, height=0.7, label=first.label(category))
        for cell, v, l0, pos in zip(cells, values, left, y, strict=True):
            if v >= 10:  # a narrower segment has no room for its label; the table gives every value
                text = show.pct(cell)
                ax.text(l0 + v / 2, pos, text.text, ha="center", va="center", color="white", fontweight="bold")
                entries += text.entries
        left += values
    ax.set_yticks(y, [row_labels.get(g, g) for g in groups])
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    _pct_axis(ax.xaxis)
    fig.tight_layout()
    _legend_below(fig, ax.get_legend_handles_labels()[0])
    largest = []
    for g in groups:
        cells = [(c, r) for c, r in rows[g] if r.pct is not None]
        if cells:
            c, r = max(cells, key=lambda item: item[1].pct)
            largest.append(
                show.say("{}: vooral {} ({})", row_labels.get(g, g), fmt.lower_first(first.label(c)), show.pct(r))
            )
    finding = show.say("{}.", show.join(largest, "; ")) if largest else None
    return Drawn(fig, tuple(entries + [e for part in largest for e in part.entries]), finding)


def pair_bars(pairs: tuple[Pair, ...], labels: dict[str, str], k: int = 8) -> Drawn:
    """The ``k`` pairs of risk factors that go together most strongly (phi), as bars; the table
    beside it gives every published pair."""
    if not pairs:
        fig, ax = plt.subplots(figsize=(WIDTH, 1.2))
        ax.set_axis_off()
        ax.text(0.5, 0.5, "Geen paar risicofactoren met genoeg\nkinderen om te publiceren.", ha="center", va="center")
        return Drawn(fig)
    ranked = sorted(pairs, key=lambda pair: -pair.phi.value)[:k]
    names = [f"{labels[pair.a]} + {labels[pair.b]}" for pair in ranked]
    wrapped = _wrap(names)
    values = np.array([pair.phi.value for pair in ranked])
    fig, ax = plt.subplots(figsize=(WIDTH, _height(len(ranked), wrapped)))
    y = np.arange(len(ranked))
    ax.barh(y, values, color=PALETTE[0], height=0.7)
    shown = [show.estimate(pair.phi, 2) for pair in ranked]
    entries = _label_bars(ax, shown, values, y, offset=0.01)
    ax.set_yticks(y, wrapped)
    ax.invert_yaxis()
    ax.set_xlim(0, max(values.max() * 1.35, 0.1))
    ax.xaxis.set_major_locator(MaxNLocator(nbins=4))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt.getal(v, 1)))
    ax.set_xlabel(_axis_label("Samenhang (phi; 0 = geen, 1 = altijd samen)", WRAP + 4))
    fig.tight_layout()
    return Drawn(fig, tuple(entries), show.say("Het sterkst samen gaan {} (phi {}).", names[0], shown[0]))


VERDICT_COLORS = {"hoger": PALETTE[3], "lager": PALETTE[0], "": NEUTRAL}


def district_rates(table: RateTable, reference: Rate, xlabel: str, verdicts: dict[str, str]) -> Drawn:
    """Districts ordered by a rate, with intervals; a district is coloured only where it differs
    significantly from the rest of the municipality (``verdicts``: 'hoger', 'lager' or '')."""
    ordered = sorted(table, key=lambda item: (item[1].pct is None, -(item[1].pct or 0)))
    colors = [VERDICT_COLORS[verdicts.get(code, "")] for code, _ in ordered]
    present = {verdicts.get(code, "") for code, _ in ordered}
    legend = [
        Patch(color=VERDICT_COLORS[v], label=f"{v} dan de rest van de gemeente")
        for v in ("hoger", "lager")
        if v in present
    ]
    legend.append(Patch(color=NEUTRAL, label="geen aantoonbaar verschil"))
    return _interval_bars(
        [r for _, r in ordered], [table.label(c) for c, _ in ordered], xlabel, reference, "gemeente", colors, legend
    )


def atlas_scatter(atlas: Atlas) -> Drawn:
    """Atlas score against the share of inhabitants aged 15 to 45, by class."""
    fig, ax = plt.subplots(figsize=(WIDTH, 5.0))
    colors = {"hoger": PALETTE[3], "vergelijkbaar": NEUTRAL, "lager": PALETTE[0]}
    for klasse, label in (
        ("hoger", "hoger dan gemiddeld"),
        ("vergelijkbaar", "vergelijkbaar"),
        ("lager", "lager dan gemiddeld"),
    ):
        rows = [r for r in atlas.rows if r.klasse == klasse]
        if rows:
            ax.scatter([r.pct_15_45 for r in rows], [r.score for r in rows], s=60, color=colors[klasse], label=label)
    key = []
    for number, row in enumerate(sorted(atlas.rows, key=lambda r: r.name), 1):
        ax.annotate(str(number), (row.pct_15_45, row.score), xytext=(5, 3), textcoords="offset points")
        key.append(Patch(color="none", label=f"{number}  {row.name}"))
    ax.axhline(
        atlas.mean, color="black", ls="--", lw=1, label=f"gemiddelde van de gemeente: {fmt.getal(atlas.mean, 1)}"
    )
    _pct_axis(ax.xaxis)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt.getal(v, 1)))
    ax.set_xlabel(_axis_label("Inwoners van 15 tot 45 jaar (% van alle inwoners)", WRAP + 4))
    ax.set_ylabel(_axis_label("Kwetsbaarheidsscore (7-35)"))
    fig.tight_layout()
    _legend_below(fig, ax.get_legend_handles_labels()[0] + key)
    return Drawn(fig)


def _shapes(boundaries: Path, names: dict[str, str]):
    """The district geometries, named from ``wijken.csv`` (only the geometry is read from the file)."""
    import geopandas as gpd

    shapes = gpd.read_file(boundaries)
    key = "wijk_code" if "wijk_code" in shapes.columns else "wijkcode"
    shapes["code"] = shapes[key].astype(str)
    shapes["naam"] = [names.get(code, "") for code in shapes["code"]]
    return shapes


def _numbers_on(ax, shapes) -> list:
    """A number on each district and, for the legend, the key from number to name (names at a
    legible size do not fit on a phone-sized map without covering each other)."""
    key = []
    for number, (_, row) in enumerate(shapes.sort_values("naam").iterrows(), 1):
        point = row.geometry.representative_point()
        ax.annotate(
            str(number),
            (point.x, point.y),
            ha="center",
            va="center",
            fontweight="bold",
            bbox={"boxstyle": "circle,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8},
        )
        key.append(Patch(color="none", label=f"{number}  {row['naam']}"))
    return key


def class_map(boundaries: Path, classes: dict[str, str], names: dict[str, str]) -> Drawn:
    """A district map in the atlas's three classes: higher than, comparable with or lower than the
    municipal mean, as the table classifies them."""
    shapes = _shapes(boundaries, names)
    colors = {"hoger": to_hex(PALETTE[3]), "vergelijkbaar": "#d9d9d9", "lager": to_hex(PALETTE[0])}
    fig, ax = plt.subplots(figsize=(WIDTH * 0.9, WIDTH * 0.8))
    shapes.plot(ax=ax, color=[colors.get(classes.get(code, ""), "white") for code in shapes["code"]], edgecolor="white")
    key = _numbers_on(ax, shapes)
    labels = {"hoger": "hoger dan gemiddeld", "vergelijkbaar": "vergelijkbaar", "lager": "lager dan gemiddeld"}
    ax.set_axis_off()
    fig.tight_layout()
    _legend_below(fig, [Patch(color=colors[k], label=v) for k, v in labels.items()] + key)
    return Drawn(fig)


# The least range of a map's colour scale, in percentage points: districts a fraction of a point
# apart would otherwise span the whole scale, from the palest colour to the darkest.
COLOUR_SPAN = 10.0


def _colour_range(values, reference: float | None) -> tuple[float, float]:
    """The colour scale's ends: the values' range, widened about its middle (or the reference)
    to at least :data:`COLOUR_SPAN`, and never below 0."""
    if not len(values):
        return 0.0, COLOUR_SPAN
    low, high = float(values.min()), float(values.max())
    if high - low >= COLOUR_SPAN:
        return low, high
    middle = reference if reference is not None else (low + high) / 2
    low = max(0.0, min(low, middle - COLOUR_SPAN / 2))
    return low, max(high, low + COLOUR_SPAN)


def choropleth(
    boundaries: Path,
    values: dict[str, float | None],
    names: dict[str, str],
    legend: str,
    reference: float | None = None,
) -> Drawn:
    """A district map coloured by ``values`` (by wijk_code), with the names from ``wijken.csv``
    on it; with ``reference`` the colour scale is centred on the municipal level."""
    shapes = _shapes(boundaries, names)
    shapes["waarde"] = [np.nan if values.get(code) is None else values[code] for code in shapes["code"]]
    fig, ax = plt.subplots(figsize=(WIDTH * 0.9, WIDTH * 0.95))
    values_range = shapes["waarde"].dropna()
    low, high = _colour_range(values_range, reference)
    if reference is not None and len(values_range) and values_range.min() < reference < values_range.max():
        # red above the municipal level, blue below, white at it
        style = {"cmap": "RdBu_r", "norm": TwoSlopeNorm(vcenter=reference, vmin=low, vmax=high)}
    else:
        style = {"cmap": "Blues", "norm": Normalize(vmin=low, vmax=high)}
    decimals = 1 if high - low < 10 else 0
    shapes.plot(
        column="waarde", ax=ax, edgecolor="white", linewidth=0.8, legend=bool(len(values_range)),
        legend_kwds={"label": legend, "orientation": "horizontal", "shrink": 0.8, "pad": 0.02,
                     "format": FuncFormatter(lambda v, _: fmt.getal(v, decimals))},
        missing_kwds={"color": "lightgrey", "label": "geen gegevens"}, **style,
    )  # fmt: skip
    key = _numbers_on(ax, shapes)
    ax.set_axis_off()
    fig.tight_layout()
    _legend_below(fig, key)
    return Drawn(fig)


set_theme()


def change_dots(changes: tuple, before: int, now: int) -> Drawn:
    """Each compared figure in both years: an open dot for the previous year, a filled one for this
    year, joined by a line; a figure whose change is significant is drawn in the accent colour."""
    shown_changes = [ch for ch in changes if ch.previous.pct is not None or ch.current.pct is not None]
    labels = [ch.label for ch in shown_changes]
    wrapped = _wrap(labels)
    fig, ax = plt.subplots(figsize=(WIDTH, _height(len(shown_changes), wrapped, extra=1.6)))
    y = np.arange(len(shown_changes))
    entries: list[Entry] = []
    for i, ch in enumerate(shown_changes):
        color = PALETTE[3] if ch.significant else NEUTRAL
        a, b = ch.previous.pct, ch.current.pct
        if a is not None and b is not None:
            ax.plot([a, b], [i, i], color=color, linewidth=2)
        if a is not None:
            ax.plot(a, i, "o", markerfacecolor="white", markeredgecolor=color, markersize=8)
        if b is not None:
            ax.plot(b, i, "o", color=color, markersize=8)
            label = show.pct(ch.current)
            entries += list(label.entries)
            ax.annotate(str(label), (max(v for v in (a, b) if v is not None), i), xytext=(8, 0),
                        textcoords="offset points", va="center")  # fmt: skip
    ax.set_yticks(y, wrapped)
    ax.invert_yaxis()
    top = max((v for ch in shown_changes for v in (ch.previous.pct, ch.current.pct) if v is not None), default=10)
    _pct_room(ax, top)
    ax.set_xlabel(_axis_label("% (open: vorige editie, gevuld: deze editie)", WRAP + 4))
    fig.tight_layout()
    open_dot = {"marker": "o", "color": "none", "markerfacecolor": "white", "markeredgecolor": NEUTRAL}
    _legend_below(
        fig,
        [
            Line2D([], [], label=str(before), **open_dot),
            Line2D([], [], marker="o", color=NEUTRAL, linestyle="none", label=str(now)),
            Line2D([], [], color=PALETTE[3], linewidth=2, label="aantoonbaar veranderd"),
        ],
    )
    moved = [ch for ch in shown_changes if ch.significant]
    if moved:
        parts = [show.say("{} {}", ch.label, ch.direction) for ch in moved]
        finding = show.say("Aantoonbaar veranderd: {}.", show.join(parts, "; "))
    else:
        finding = show.Shown("Geen van de kerncijfers is aantoonbaar veranderd.")
    return Drawn(fig, tuple(entries), finding)
