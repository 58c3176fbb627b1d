"""Figures stay legible on a phone: the check that refuses a figure with text too small."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest

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
