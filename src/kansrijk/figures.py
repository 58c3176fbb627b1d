"""The book's figures: one seaborn theme, a colour-blind-safe palette, Dutch labels and numbers.

Every function draws only published values (:mod:`kansrijk.publication`) and returns a
:class:`~kansrijk.chapter.Drawn`: the figure and the numbers written on it, for the ledger. A
suppressed value is left out and marked with a dash. Text on a figure is never read as
mathtext (``text.parse_math`` is off), so a name with ``$`` in it is drawn as written.
Importing this module applies the book's theme, so a chapter that draws nothing does not pay
for seaborn.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # figures are saved for the book, never shown in a window

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.colors import TwoSlopeNorm, to_hex
from matplotlib.ticker import FuncFormatter

from kansrijk import fmt, show
from kansrijk.chapter import Drawn
from kansrijk.publication import Atlas, Pair, Rate, RateTable
from kansrijk.show import Entry

PALETTE = sns.color_palette("colorblind")
NEUTRAL = "#7f7f7f"
WIDTH = 7.5


def set_theme() -> None:
    """The one theme of the whole book."""
    sns.set_theme(
        context="notebook",
        style="whitegrid",
        palette=PALETTE,
        rc={
            "figure.dpi": 110,
            "savefig.dpi": 150,
            "axes.titlesize": 12,
            "axes.titleweight": "bold",
            "axes.titlelocation": "left",
            "axes.spines.top": False,
            "axes.spines.right": False,
            "font.family": "DejaVu Sans",
            "text.parse_math": False,  # names from input files are text, never mathtext
        },
    )


def _pct_axis(axis, decimals: int = 0) -> None:
    axis.set_major_formatter(FuncFormatter(lambda v, _: fmt.pct(v, decimals)))


def _label_bars(ax, shown: list[show.Shown], values, positions, offset: float = 0.6) -> list[Entry]:
    """The value at the end of each horizontal bar (a dash where it is not published)."""
    for text, value, pos in zip(shown, values, positions, strict=True):
        ax.text((value if np.isfinite(value) else 0) + offset, pos, text.text, va="center", ha="left", fontsize=9)
    return [e for text in shown for e in text.entries]


def _values(rates: list[Rate | None]) -> np.ndarray:
    return np.array([np.nan if r is None or r.pct is None else r.pct for r in rates], dtype=float)


def levels_figure(levels: RateTable) -> Drawn:
    """The four levels of vulnerability as % of all children, the upper bound of the last hatched."""
    rates = [r for _, r in levels]
    names = [levels.label(c) for c, _ in levels]
    fig, ax = plt.subplots(figsize=(WIDTH, 0.5 * len(rates) + 1.0))
    y = np.arange(len(rates))
    values = _values(rates)
    colors = [PALETTE[0]] * (len(rates) - 1) + ["white"]
    ax.barh(y, np.nan_to_num(values), color=colors, edgecolor=PALETTE[0], hatch=[""] * (len(rates) - 1) + ["///"])
    entries = _label_bars(ax, [show.pct(r, 1) for r in rates], values, y)
    ax.set_yticks(y, names)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    _pct_axis(ax.xaxis)
    ax.set_xlabel("Aandeel van alle kinderen van 0 tot en met 2 jaar")
    fig.tight_layout()
    return Drawn(fig, tuple(entries))


def category_bars(rates: list[Rate], labels: list[str], xlabel: str) -> Drawn:
    """Horizontal bars of the percentage per category, labelled in Dutch."""
    fig, ax = plt.subplots(figsize=(WIDTH, 0.45 * len(rates) + 1.0))
    y = np.arange(len(rates))
    values = _values(rates)
    ax.barh(y, np.nan_to_num(values), color=[PALETTE[i % len(PALETTE)] for i in range(len(rates))], height=0.6)
    entries = _label_bars(ax, [show.pct(r) for r in rates], values, y)
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    ax.set_xlim(0, max(np.nanmax(values) * 1.2, 10) if np.isfinite(values).any() else 100)
    _pct_axis(ax.xaxis)
    ax.set_xlabel(xlabel)
    fig.tight_layout()
    return Drawn(fig, tuple(entries))


def _interval_bars(
    rates: list[Rate],
    labels: list[str],
    xlabel: str,
    reference: Rate | None,
    reference_label: str,
    colors: list | str = PALETTE[0],
) -> Drawn:
    """Horizontal bars with 95% intervals and their value, and a dashed reference line."""
    values = _values(rates)
    low = np.array([np.nan if r.ci_laag is None else r.ci_laag for r in rates], dtype=float)
    high = np.array([np.nan if r.ci_hoog is None else r.ci_hoog for r in rates], dtype=float)
    fig, ax = plt.subplots(figsize=(WIDTH, 0.45 * len(values) + 1.3))
    y = np.arange(len(values))
    ax.barh(y, np.nan_to_num(values), color=colors, height=0.6, alpha=0.9)
    # an interval can touch its estimate (0 of n gives a lower bound of 0 up to rounding): never negative
    errors = [np.clip(values - low, 0, None), np.clip(high - values, 0, None)]
    ax.errorbar(values, y, xerr=errors, fmt="none", ecolor="black", capsize=2.5, lw=0.9)
    shown = [show.pct(r) for r in rates]
    for text, hi, pos in zip(shown, high, y, strict=True):
        ax.text((hi if np.isfinite(hi) else 0) + 0.8, pos, text.text, va="center", fontsize=9)
    entries = [e for text in shown for e in text.entries]
    if reference is not None and reference.pct is not None:
        ax.axvline(reference.pct, color="black", ls="--", lw=1.2)
        label = show.pct(reference)
        ax.text(reference.pct + 0.4, len(values) - 0.35, f"{reference_label}: {label}", fontsize=9, va="bottom")
        entries += label.entries
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    top = np.nanmax(high) if np.isfinite(high).any() else 100
    ax.set_xlim(0, min(100, top * 1.2 + 4))
    _pct_axis(ax.xaxis)
    ax.set_xlabel(xlabel)
    fig.tight_layout()
    return Drawn(fig, tuple(entries))


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
    return _interval_bars([table[c] for c in categories], names, xlabel, reference, "gemiddeld")


def count_bars(table: RateTable, xlabel: str) -> Drawn:
    """Horizontal bars of the counts of a table (suppressed counts marked with a dash)."""
    rates = [r for _, r in table]
    fig, ax = plt.subplots(figsize=(WIDTH, 0.45 * len(rates) + 1.0))
    y = np.arange(len(rates))
    values = np.array([np.nan if r.n is None else r.n for r in rates], dtype=float)
    ax.barh(y, np.nan_to_num(values), color=PALETTE[2], height=0.6)
    shown = [show.number(r) for r in rates]
    offset = np.nanmax(values) * 0.01 if np.isfinite(values).any() else 0
    for text, value, pos in zip(shown, values, y, strict=True):
        ax.text((value if np.isfinite(value) else 0) + offset, pos, text.text, va="center", fontsize=9)
    ax.set_yticks(y, [table.label(c) for c, _ in table])
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt.getal(v)))
    ax.set_xlim(0, np.nanmax(values) * 1.15 if np.isfinite(values).any() else 1)
    ax.set_xlabel(xlabel)
    fig.tight_layout()
    return Drawn(fig, tuple(e for text in shown for e in text.entries))


def stacked_shares(rows: dict[str, RateTable], row_labels: dict[str, str]) -> Drawn:
    """100% stacked horizontal bars: one bar per group, one segment per category."""
    groups = list(rows)
    first = rows[groups[0]]
    categories = [c for c, _ in first]
    fig, ax = plt.subplots(figsize=(WIDTH, 0.6 * len(groups) + 1.6))
    y = np.arange(len(groups))
    left = np.zeros(len(groups))
    colors = sns.color_palette("colorblind", len(categories))
    entries: list[Entry] = []
    for color, category in zip(colors, categories, strict=True):
        cells = [rows[g][category] for g in groups]
        values = np.nan_to_num(_values(cells))
        ax.barh(y, values, left=left, color=color, height=0.6, label=first.label(category))
        for cell, v, l0, pos in zip(cells, values, left, y, strict=True):
            if v >= 6:
                text = show.pct(cell)
                ax.text(l0 + v / 2, pos, text.text, ha="center", va="center", fontsize=8, color="white")
                entries += text.entries
        left += values
    ax.set_yticks(y, [row_labels.get(g, g) for g in groups])
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    _pct_axis(ax.xaxis)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=2, frameon=False, fontsize=9)
    fig.tight_layout()
    return Drawn(fig, tuple(entries))


def heatmap(pairs: tuple[Pair, ...], codes: list[str], labels: dict[str, str], title: str) -> Drawn:
    """A lower-triangle heatmap of phi between factors (empty where a pair is not published)."""
    if not pairs:
        fig, ax = plt.subplots(figsize=(WIDTH, 1.2))
        ax.set_axis_off()
        ax.text(0.5, 0.5, "Geen paar risicofactoren met genoeg kinderen om te publiceren.", ha="center", va="center")
        return Drawn(fig)
    matrix = pd.DataFrame(np.nan, index=codes, columns=codes)
    shown: dict[tuple[str, str], show.Shown] = {}
    for pair in pairs:
        matrix.loc[pair.a, pair.b] = matrix.loc[pair.b, pair.a] = pair.phi.value
        shown[(pair.a, pair.b)] = shown[(pair.b, pair.a)] = show.estimate(pair.phi, 2)
    named = matrix.rename(index=labels, columns=labels)
    mask = np.triu(np.ones_like(named, dtype=bool))
    fig, ax = plt.subplots(figsize=(WIDTH, WIDTH * 0.8))
    limit = np.nanmax(np.abs(named.to_numpy())) if np.isfinite(named.to_numpy()).any() else 1
    annotations = np.array(
        [[shown[(a, b)].text if (a, b) in shown else "" for b in codes] for a in codes], dtype=object
    )
    sns.heatmap(
        named,
        mask=mask,
        cmap="vlag",
        center=0,
        vmin=-limit,
        vmax=limit,
        square=True,
        ax=ax,
        annot=annotations,
        fmt="",
        annot_kws={"fontsize": 7},
        cbar_kws={"label": title, "shrink": 0.7},
    )
    ax.tick_params(axis="both", labelsize=8)
    fig.tight_layout()
    entries = [e for (a, b), text in shown.items() if codes.index(a) > codes.index(b) for e in text.entries]
    return Drawn(fig, tuple(entries))


VERDICT_COLORS = {"hoger": PALETTE[3], "lager": PALETTE[0], "": NEUTRAL}


def district_rates(table: RateTable, reference: Rate, xlabel: str, verdicts: dict[str, str]) -> Drawn:
    """Districts ordered by a rate, with intervals; a district is coloured only where it differs
    significantly from the rest of the municipality (``verdicts``: 'hoger', 'lager' or '')."""
    ordered = sorted(table, key=lambda item: (item[1].pct is None, -(item[1].pct or 0)))
    colors = [VERDICT_COLORS[verdicts.get(code, "")] for code, _ in ordered]
    drawn = _interval_bars(
        [r for _, r in ordered], [table.label(c) for c, _ in ordered], xlabel, reference, "gemeente", colors
    )
    from matplotlib.patches import Patch

    legend = [Patch(color=VERDICT_COLORS[v], label=f"{v} dan de rest van de gemeente") for v in ("hoger", "lager")]
    legend.append(Patch(color=NEUTRAL, label="geen aantoonbaar verschil"))
    drawn.figure.axes[0].legend(
        handles=legend, loc="upper center", bbox_to_anchor=(0.45, -0.16), ncol=2, frameon=False, fontsize=8
    )
    drawn.figure.tight_layout()
    return drawn


def atlas_scatter(atlas: Atlas) -> Drawn:
    """Atlas score against the share of inhabitants aged 15 to 45, by class."""
    fig, ax = plt.subplots(figsize=(WIDTH, 4.6))
    colors = {"hoger": PALETTE[3], "vergelijkbaar": NEUTRAL, "lager": PALETTE[0]}
    for klasse, label in (
        ("hoger", "hoger dan gemiddeld"),
        ("vergelijkbaar", "vergelijkbaar"),
        ("lager", "lager dan gemiddeld"),
    ):
        rows = [r for r in atlas.rows if r.klasse == klasse]
        if rows:
            ax.scatter([r.pct_15_45 for r in rows], [r.score for r in rows], s=60, color=colors[klasse], label=label)
    for row in atlas.rows:
        ax.annotate(row.name, (row.pct_15_45, row.score), xytext=(4, 3), textcoords="offset points", fontsize=8)
    ax.axhline(atlas.mean, color="black", ls="--", lw=1)
    ax.text(
        ax.get_xlim()[0], atlas.mean, f" gemeentelijk gemiddelde {fmt.getal(atlas.mean, 1)}", va="bottom", fontsize=9
    )
    _pct_axis(ax.xaxis)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt.getal(v, 1)))
    ax.set_xlabel("Inwoners van 15 tot 45 jaar (% van alle inwoners)")
    ax.set_ylabel("Kwetsbaarheidsscore (7-35)")
    ax.legend(frameon=False, fontsize=9, loc="best")
    fig.tight_layout()
    return Drawn(fig)


def _shapes(boundaries: Path, names: dict[str, str]):
    """The district geometries, named from ``wijken.csv`` (only the geometry is read from the file)."""
    import geopandas as gpd

    shapes = gpd.read_file(boundaries)
    key = "wijk_code" if "wijk_code" in shapes.columns else "wijkcode"
    shapes["code"] = shapes[key].astype(str)
    shapes["naam"] = [names.get(code, "") for code in shapes["code"]]
    return shapes


def _names_on(ax, shapes) -> None:
    for _, row in shapes.iterrows():
        point = row.geometry.representative_point()
        ax.annotate(
            row["naam"],
            (point.x, point.y),
            ha="center",
            fontsize=7,
            bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.7},
        )


def class_map(boundaries: Path, classes: dict[str, str], names: dict[str, str]) -> Drawn:
    """A district map in the atlas's three classes: higher than, comparable with or lower than the
    municipal mean, as the table classifies them."""
    from matplotlib.patches import Patch

    shapes = _shapes(boundaries, names)
    colors = {"hoger": to_hex(PALETTE[3]), "vergelijkbaar": "#d9d9d9", "lager": to_hex(PALETTE[0])}
    fig, ax = plt.subplots(figsize=(WIDTH, WIDTH * 0.85))
    shapes.plot(ax=ax, color=[colors.get(classes.get(code, ""), "white") for code in shapes["code"]], edgecolor="white")
    _names_on(ax, shapes)
    labels = {"hoger": "hoger dan gemiddeld", "vergelijkbaar": "vergelijkbaar", "lager": "lager dan gemiddeld"}
    ax.legend(handles=[Patch(color=colors[k], label=v) for k, v in labels.items()], loc="lower left", frameon=False)
    ax.set_axis_off()
    fig.tight_layout()
    return Drawn(fig)


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
    fig, ax = plt.subplots(figsize=(WIDTH, WIDTH * 0.85))
    values_range = shapes["waarde"].dropna()
    if reference is not None and len(values_range) and values_range.min() < reference < values_range.max():
        # red above the municipal level, blue below, white at it
        style = {
            "cmap": "RdBu_r",
            "norm": TwoSlopeNorm(vcenter=reference, vmin=values_range.min(), vmax=values_range.max()),
        }
    else:
        style = {"cmap": "Blues"}
    decimals = 1 if len(values_range) and values_range.max() - values_range.min() < 10 else 0
    shapes.plot(
        column="waarde", ax=ax, edgecolor="white", linewidth=0.8, legend=bool(len(values_range)),
        legend_kwds={"label": legend, "shrink": 0.6, "format": FuncFormatter(lambda v, _: fmt.getal(v, decimals))},
        missing_kwds={"color": "lightgrey", "label": "geen gegevens"}, **style,
    )  # fmt: skip
    _names_on(ax, shapes)
    ax.set_axis_off()
    fig.tight_layout()
    return Drawn(fig)


set_theme()
