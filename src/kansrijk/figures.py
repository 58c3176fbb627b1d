"""The book's figures: one seaborn theme, a colour-blind-safe palette, Dutch labels and numbers.

Every function returns a matplotlib Figure and draws only published (disclosure-controlled)
values: a suppressed value (``NaN``) is left out and marked with a dash. Importing this module
applies the book's theme, so a chapter that draws nothing does not pay for seaborn.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # figures are saved for the book, never shown in a window

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.colors import TwoSlopeNorm
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from kansrijk import fmt

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
        },
    )


def _pct_axis(axis, decimals: int = 0) -> None:
    axis.set_major_formatter(FuncFormatter(lambda v, _: fmt.pct(v, decimals)))


def _label_bars(ax, values, positions, offset: float = 0.6) -> None:
    """The percentage at the end of each horizontal bar (a dash where it is not published)."""
    for value, pos in zip(values, positions, strict=True):
        text = fmt.pct(value) if pd.notna(value) else fmt.DASH
        ax.text((value if pd.notna(value) else 0) + offset, pos, text, va="center", ha="left", fontsize=9)


def balance_figure(edition_pct: dict[str, float], practice: dict[str, tuple[float, float]]) -> Figure:
    """This edition's shares per level of vulnerability against the range JGZ practice estimates."""
    levels = list(practice)
    fig, ax = plt.subplots(figsize=(WIDTH, 2.8))
    y = np.arange(len(levels))
    values = np.array([edition_pct[level] for level in levels], dtype=float)
    ax.barh(y, np.nan_to_num(values), color=PALETTE[0], height=0.5, label="Deze editie (JGZ-registratie)")
    for i, level in enumerate(levels):
        low, high = practice[level]
        ax.plot(
            [low, high],
            [i + 0.38, i + 0.38],
            color=PALETTE[3],
            lw=5,
            solid_capstyle="butt",
            label="Schatting JGZ-praktijk" if i == 0 else None,
        )
    _label_bars(ax, values, y)
    ax.set_yticks(y, levels)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    _pct_axis(ax.xaxis)
    ax.set_xlabel("Aandeel van alle kinderen van 0 tot en met 2 jaar")
    ax.legend(loc="lower right", frameon=False, fontsize=9)
    fig.tight_layout()
    return fig


def category_bars(table: pd.DataFrame, labels: dict[str, str], xlabel: str) -> Figure:
    """Horizontal bars of ``pct`` per category, labelled in Dutch."""
    fig, ax = plt.subplots(figsize=(WIDTH, 0.45 * len(table) + 1.0))
    y = np.arange(len(table))
    values = table["pct"].to_numpy(float)
    ax.barh(y, np.nan_to_num(values), color=[PALETTE[i % len(PALETTE)] for i in range(len(table))], height=0.6)
    _label_bars(ax, values, y)
    ax.set_yticks(y, [labels.get(str(i), str(i)) for i in table.index])
    ax.invert_yaxis()
    ax.set_xlim(0, max(np.nanmax(values) * 1.2, 10) if np.isfinite(values).any() else 100)
    _pct_axis(ax.xaxis)
    ax.set_xlabel(xlabel)
    fig.tight_layout()
    return fig


def _interval_bars(
    values: np.ndarray,
    low: np.ndarray,
    high: np.ndarray,
    labels: list[str],
    xlabel: str,
    reference: float | None,
    reference_label: str,
    colors: list | str = PALETTE[0],
) -> Figure:
    """Horizontal bars with 95% intervals and their value, and a dashed reference line."""
    fig, ax = plt.subplots(figsize=(WIDTH, 0.45 * len(values) + 1.3))
    y = np.arange(len(values))
    ax.barh(y, np.nan_to_num(values), color=colors, height=0.6, alpha=0.9)
    ax.errorbar(values, y, xerr=[values - low, high - values], fmt="none", ecolor="black", capsize=2.5, lw=0.9)
    for value, hi, pos in zip(values, high, y, strict=True):
        text = fmt.pct(value) if np.isfinite(value) else fmt.DASH
        ax.text((hi if np.isfinite(hi) else 0) + 0.8, pos, text, va="center", fontsize=9)
    if reference is not None:
        ax.axvline(reference, color="black", ls="--", lw=1.2)
        label = f"{reference_label}: {fmt.pct(reference)}"
        ax.text(reference + 0.4, len(values) - 0.35, label, fontsize=9, va="bottom")
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    top = np.nanmax(high) if np.isfinite(high).any() else 100
    ax.set_xlim(0, min(100, top * 1.2 + 4))
    _pct_axis(ax.xaxis)
    ax.set_xlabel(xlabel)
    fig.tight_layout()
    return fig


def rate_figure(table: pd.DataFrame, labels: dict[str, str], xlabel: str, reference: float | None = None) -> Figure:
    """Rates with 95% intervals per group, the overall rate as a reference line."""
    return _interval_bars(
        table["pct"].to_numpy(float),
        table["ci_laag"].to_numpy(float),
        table["ci_hoog"].to_numpy(float),
        [labels.get(str(i), str(i)) for i in table.index],
        xlabel,
        reference,
        "gemiddeld",
    )


def count_bars(counts: pd.Series, labels: dict[str, str], xlabel: str) -> Figure:
    """Horizontal bars of counts (suppressed counts marked with a dash)."""
    fig, ax = plt.subplots(figsize=(WIDTH, 0.45 * len(counts) + 1.0))
    y = np.arange(len(counts))
    values = counts.to_numpy(float)
    ax.barh(y, np.nan_to_num(values), color=PALETTE[2], height=0.6)
    for value, pos in zip(values, y, strict=True):
        text = fmt.getal(value) if np.isfinite(value) else fmt.DASH
        ax.text((value if np.isfinite(value) else 0) + np.nanmax(values) * 0.01, pos, text, va="center", fontsize=9)
    ax.set_yticks(y, [labels.get(str(i), str(i)) for i in counts.index])
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt.getal(v)))
    ax.set_xlim(0, np.nanmax(values) * 1.15 if np.isfinite(values).any() else 1)
    ax.set_xlabel(xlabel)
    fig.tight_layout()
    return fig


def stacked_shares(pct: pd.DataFrame, row_labels: dict[str, str], col_labels: dict[str, str]) -> Figure:
    """100% stacked horizontal bars: one bar per row, one segment per column."""
    fig, ax = plt.subplots(figsize=(WIDTH, 0.6 * len(pct) + 1.6))
    y = np.arange(len(pct))
    left = np.zeros(len(pct))
    colors = sns.color_palette("colorblind", len(pct.columns))
    for color, column in zip(colors, pct.columns, strict=True):
        values = np.nan_to_num(pct[column].to_numpy(float))
        ax.barh(y, values, left=left, color=color, height=0.6, label=col_labels.get(column, column))
        for v, l0, pos in zip(values, left, y, strict=True):
            if v >= 6:
                ax.text(l0 + v / 2, pos, fmt.pct(v), ha="center", va="center", fontsize=8, color="white")
        left += values
    ax.set_yticks(y, [row_labels.get(str(i), str(i)) for i in pct.index])
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    _pct_axis(ax.xaxis)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=2, frameon=False, fontsize=9)
    fig.tight_layout()
    return fig


def heatmap(matrix: pd.DataFrame, labels: dict[str, str], title: str) -> Figure:
    """A lower-triangle heatmap of an association measure between factors."""
    named = matrix.rename(index=labels, columns=labels)
    mask = np.triu(np.ones_like(named, dtype=bool))
    fig, ax = plt.subplots(figsize=(WIDTH, WIDTH * 0.8))
    limit = np.nanmax(np.abs(named.to_numpy())) if np.isfinite(named.to_numpy()).any() else 1
    sns.heatmap(
        named,
        mask=mask,
        cmap="vlag",
        center=0,
        vmin=-limit,
        vmax=limit,
        square=True,
        ax=ax,
        annot=True,
        fmt=".2f",
        annot_kws={"fontsize": 7},
        cbar_kws={"label": title, "shrink": 0.7},
    )
    for text in ax.texts:
        text.set_text(text.get_text().replace(".", ","))
    ax.tick_params(axis="both", labelsize=8)
    fig.tight_layout()
    return fig


def district_rates(table: pd.DataFrame, value: str, low: str, high: str, reference: float, xlabel: str) -> Figure:
    """Districts ordered by a rate, with intervals; above the municipal level in another colour."""
    ordered = table.sort_values(value, ascending=False, na_position="last")
    values = ordered[value].to_numpy(float)
    colors = [PALETTE[3] if (np.isfinite(x) and x > reference) else PALETTE[0] for x in values]
    return _interval_bars(
        values,
        ordered[low].to_numpy(float),
        ordered[high].to_numpy(float),
        list(ordered["wijk_naam"]),
        xlabel,
        reference,
        "gemeente",
        colors,
    )


def atlas_scatter(table: pd.DataFrame, mean: float) -> Figure:
    """Atlas score against the share of inhabitants aged 15 to 45, by class."""
    fig, ax = plt.subplots(figsize=(WIDTH, 4.6))
    colors = {"hoger": PALETTE[3], "vergelijkbaar": NEUTRAL, "lager": PALETTE[0]}
    for klasse, group in table.groupby("klasse", observed=True):
        ax.scatter(
            group["pct_15_45"],
            group["kwetsbaarheidsscore"],
            s=60,
            color=colors[str(klasse)],
            label=f"{klasse} dan gemiddeld" if klasse != "vergelijkbaar" else "vergelijkbaar",
        )
    for _, row in table.iterrows():
        ax.annotate(
            row["wijk_naam"],
            (row["pct_15_45"], row["kwetsbaarheidsscore"]),
            xytext=(4, 3),
            textcoords="offset points",
            fontsize=8,
        )
    ax.axhline(mean, color="black", ls="--", lw=1)
    ax.text(ax.get_xlim()[0], mean, f" gemeentelijk gemiddelde {fmt.getal(mean, 1)}", va="bottom", fontsize=9)
    _pct_axis(ax.xaxis)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt.getal(v, 1)))
    ax.set_xlabel("Inwoners van 15 tot 45 jaar (% van alle inwoners)")
    ax.set_ylabel("Kwetsbaarheidsscore (7-35)")
    ax.legend(frameon=False, fontsize=9, loc="best")
    fig.tight_layout()
    return fig


def choropleth(boundaries: Path, values: pd.Series, title: str, legend: str, reference: float | None = None) -> Figure:
    """A district map coloured by ``values`` (indexed by wijk_code), district names on the map;
    with ``reference`` the colour scale is centred on the municipal level."""
    import geopandas as gpd

    shapes = gpd.read_file(boundaries)
    key = "wijk_code" if "wijk_code" in shapes.columns else "wijkcode"
    shapes = shapes.merge(values.rename("waarde"), left_on=key, right_index=True, how="left")
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
    decimals = 1 if values_range.max() - values_range.min() < 10 else 0
    shapes.plot(
        column="waarde", ax=ax, edgecolor="white", linewidth=0.8, legend=True,
        legend_kwds={"label": legend, "shrink": 0.6, "format": FuncFormatter(lambda v, _: fmt.getal(v, decimals))},
        missing_kwds={"color": "lightgrey", "label": "geen gegevens"}, **style,
    )  # fmt: skip
    name = "wijk_naam" if "wijk_naam" in shapes.columns else "wijknaam"
    for _, row in shapes.iterrows():
        point = row.geometry.representative_point()
        label = str(row.get(name, row[key]))
        ax.annotate(
            label,
            (point.x, point.y),
            ha="center",
            fontsize=7,
            bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.7},
        )
    ax.set_axis_off()
    ax.set_title(title)
    fig.tight_layout()
    return fig


set_theme()
