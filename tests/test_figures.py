"""Figures stay legible on a phone: the check that refuses a figure with text too small."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from kansrijk import figures
from kansrijk.publication import Rate, Status


def _rates(n: int) -> list[Rate]:
    return [Rate(f"x.{i}", 10 * i, 100, 10.0 * i, 8.0 * i, 12.0 * i, Status.PUBLISHED) for i in range(1, n + 1)]


def test_a_book_figure_is_legible_on_a_phone():
    labels = ["Psychische of psychiatrische problematiek bij ouder(s)"] * 4
    drawn = figures.category_bars(_rates(4), labels, "Aandeel van alle kinderen van 0 tot en met 2 jaar")
    assert figures.legibility(drawn.figure) >= figures.MIN_PX
    assert "het vaakst" in str(drawn.finding)
    plt.close(drawn.figure)


@pytest.mark.parametrize(("size", "width"), [(7, figures.WIDTH), (figures.TEXT, 2 * figures.WIDTH)])
def test_small_text_or_a_wide_figure_is_refused(size, width):
    fig, ax = plt.subplots(figsize=(width, 3))
    ax.text(0.5, 0.5, "te klein", fontsize=size)
    with pytest.raises(figures.IllegibleFigureError, match="fig-x: kleinste tekst"):
        figures.legibility(fig, "fig-x")
    plt.close(fig)


def test_the_finding_names_each_group_exactly_as_written_not_as_wrapped():
    """A label wraps on the axis (breaking long words and hyphens); the alt text keeps it whole."""
    names = ['=HYPERLINK("http://x","klik") & <svg onload=alert(2)>', "Vleuten-De Meern-Noord-en-Omstreken"]
    drawn = figures.rate_figure(_table(names), "Aandeel")
    assert names[1] in str(drawn.finding) and names[0] in str(drawn.finding)
    plt.close(drawn.figure)


def _table(names: list[str]):
    from kansrijk.publication import RateTable

    rates = _rates(len(names))
    return RateTable("x", {r.key: r for r in rates}, {r.key: name for r, name in zip(rates, names, strict=True)})


def test_a_map_of_nearly_equal_districts_does_not_spread_them_over_the_whole_colour_scale(tmp_path):
    """Districts 0.1 point apart got the palest and the darkest blue, under a colour bar that read
    "18,1 18,1 18,1"; the scale now spans at least COLOUR_SPAN points and its ticks differ."""
    import json

    from matplotlib.colors import to_rgba

    squares = [
        {"type": "Feature", "properties": {"wijk_code": f"WK0000{i:02d}"},
         "geometry": {"type": "Polygon", "coordinates": [[[i, 0], [i + 1, 0], [i + 1, 1], [i, 1], [i, 0]]]}}
        for i in range(3)
    ]  # fmt: skip
    layer = tmp_path / "grenzen.geojson"
    layer.write_text(json.dumps({"type": "FeatureCollection", "features": squares}), encoding="utf-8")
    values = {"WK000000": 18.05, "WK000001": 18.1, "WK000002": 18.15}
    names = {code: f"Wijk {code[-1]}" for code in values}
    drawn = figures.choropleth(layer, values, names, "% kinderen")
    fig = drawn.figure
    colorbar = next(ax for ax in fig.axes if ax.get_label() == "<colorbar>")
    ticks = [t.get_text() for t in colorbar.get_xticklabels() if t.get_text()]
    assert len(ticks) == len(set(ticks)) >= 2
    faces = [to_rgba(c) for c in fig.axes[0].collections[0].get_facecolors()]
    spread = max(abs(a[k] - b[k]) for a in faces for b in faces for k in range(3))
    assert spread < 0.1
    plt.close(fig)


@pytest.mark.parametrize(("low", "high", "reference"), [(18.05, 18.15, None), (3.0, 4.0, 3.5), (0.5, 60.0, 20.0)])
def test_the_colour_scale_covers_the_values_and_at_least_its_least_span(low, high, reference):
    import pandas as pd

    start, end = figures._colour_range(pd.Series([low, high]), reference)
    assert start <= low and end >= high and start >= 0
    assert end - start >= figures.COLOUR_SPAN


def _as_matplotlib_saves(fig, ours) -> None:
    """``ours`` (the book's PNG of ``fig``) has the pixels of matplotlib's own ``bbox_inches="tight"``
    save of the figure (which lays it out and draws it once more to measure it), in its own colours."""
    import io

    import numpy as np
    from PIL import Image

    from kansrijk.palette import paletted

    theirs = io.BytesIO()
    fig.savefig(theirs, format="png", bbox_inches="tight")
    expected = Image.open(theirs).convert("RGBA")
    expected = paletted(expected.tobytes(), *expected.size).convert("RGB")
    assert np.array_equal(np.asarray(Image.open(ours).convert("RGB")), np.asarray(expected))


@settings(max_examples=25, deadline=None)
@given(st.floats(2.0, 6.0), st.floats(1.0, 4.0), st.text(st.characters(categories=("L", "N")), min_size=1, max_size=40))
def test_a_saved_figure_has_the_pixels_matplotlib_would_save(tmp_path_factory, width, height, label):
    """The book's PNG, made from matplotlib's raw pixels of a figure never drawn before, is the
    figure as matplotlib saves it with a tight crop (at any size: a crop 814.99… pixels wide is
    815)."""
    import matplotlib

    from kansrijk.chapter import _save_png

    fig, ax = plt.subplots(figsize=(width, height), dpi=matplotlib.rcParams["savefig.dpi"])
    ax.bar([label, "b"], [3, 1])
    ours = tmp_path_factory.mktemp("figuur") / "f.png"
    _save_png(fig, ours)
    _as_matplotlib_saves(fig, ours)
    plt.close(fig)


def test_a_book_figure_saved_without_a_draw_first_is_the_figure_matplotlib_saves(tmp_path):
    """The chapter measures a figure (its legibility, its crop) without drawing it, and draws it
    once, to save it: wrapped labels, a legend and intervals end up where matplotlib's own save
    puts them."""
    import matplotlib

    from kansrijk.chapter import _save_png
    from kansrijk.publication import RateTable

    labels = ["Psychische of psychiatrische problematiek bij ouder(s)", "Schulden", "Werkloosheid", "Anders"]
    rates = _rates(4)
    names = {r.key: label for r, label in zip(rates, labels, strict=True)}
    shares = {"laag": RateTable("laag", {r.key: r for r in rates[:3]}, names)}
    drawn = [
        figures.category_bars(rates, labels, "Aandeel van alle kinderen van 0 tot en met 2 jaar"),
        figures.rate_figure(_table(["Overvecht-Noord en de wijken eromheen", "West"]), "Aandeel"),
        figures.stacked_shares(shares, {"laag": "Laag opgeleide ouders"}),
    ]
    for i, d in enumerate(drawn):
        d.figure.set_dpi(matplotlib.rcParams["savefig.dpi"])
        tight = d.figure.get_tightbbox(d.figure.canvas.get_renderer())
        assert figures.legibility(d.figure, "fig", tight) >= figures.MIN_PX
        _save_png(d.figure, tmp_path / f"{i}.png", tight)
        _as_matplotlib_saves(d.figure, tmp_path / f"{i}.png")
        plt.close(d.figure)


@settings(max_examples=200, deadline=None)
@given(st.floats(0.5, 20.0), st.floats(0.5, 20.0), st.sampled_from([72, 100, 200, 300]))
@example(4.075, 1.12, 200)  # 4.075 · 200 is 814.99… in floating point: a canvas of 815 pixels
def test_the_crop_is_as_many_pixels_as_matplotlib_draws(width, height, dpi):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from kansrijk.chapter import canvas_size

    canvas = FigureCanvasAgg(Figure(figsize=(width, height), dpi=dpi))
    assert canvas_size((width, height), dpi) == canvas.get_width_height(physical=True)


def test_a_category_no_group_has_gets_no_segment_and_no_legend_entry():
    from kansrijk.publication import Rate, RateTable, Status

    def table(group: str, shares: dict[str, float]) -> RateTable:
        rows = {c: Rate(f"{group}.{c}", round(p), 100, p, p, p, Status.PUBLISHED) for c, p in shares.items()}
        return RateTable(group, rows, {"geen": "Geen risicofactor", "een": "Eén", "meer": "Meer"})

    rows = {
        "laag": table("laag", {"geen": 0.0, "een": 40.0, "meer": 60.0}),
        "hoog": table("hoog", {"geen": 0.0, "een": 70.0, "meer": 30.0}),
    }
    drawn = figures.stacked_shares(rows, {"laag": "Laag", "hoog": "Hoog"})
    legend = [t.get_text() for t in drawn.figure.legends[0].get_texts()]
    plt.close(drawn.figure)
    assert legend == ["Eén", "Meer"]
