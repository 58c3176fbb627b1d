"""A figure's palette: its own colours exactly when it has at most 256, else its 256 commonest
with every other pixel the nearest of them; the same image for the same pixels."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from PIL import Image

from kansrijk.palette import COLOURS, paletted


def _rgba(pixels: np.ndarray) -> bytes:
    """RGB pixels (height × width × 3) as the RGBA bytes matplotlib draws."""
    alpha = np.full((*pixels.shape[:2], 1), 255, dtype=np.uint8)
    return np.concatenate([pixels, alpha], axis=2).tobytes()


@st.composite
def charts(draw, most: int) -> np.ndarray:
    """An image whose pixels are drawn from a few hundred colours, unevenly, as a chart's are."""
    count = draw(st.integers(1, most))
    colours = draw(arrays(np.uint8, (count, 3), elements=st.integers(0, 255)))
    height, width = draw(st.integers(1, 40)), draw(st.integers(1, 40))
    weights = np.arange(1, count + 1, dtype=float) ** -1.2
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    chosen = rng.choice(count, size=(height, width), p=weights / weights.sum())
    return colours[chosen]


def _as_rgb(image: Image.Image) -> np.ndarray:
    return np.asarray(image.convert("RGB")).astype(int)


@settings(max_examples=60, deadline=None)
@given(charts(most=COLOURS))
def test_a_figure_of_at_most_256_colours_keeps_every_pixel(pixels):
    image = paletted(_rgba(pixels), pixels.shape[1], pixels.shape[0])
    assert image.mode == "P"
    assert np.array_equal(_as_rgb(image), pixels)


@settings(max_examples=40, deadline=None)
@given(charts(most=1200))
def test_a_figure_of_more_colours_keeps_its_commonest_and_moves_the_others_to_the_nearest(pixels):
    image = paletted(_rgba(pixels), pixels.shape[1], pixels.shape[0])
    shown = _as_rgb(image).reshape(-1, 3)
    original = pixels.reshape(-1, 3).astype(int)
    colours, counts = np.unique(original, axis=0, return_counts=True)
    kept = {tuple(c) for c in np.unique(shown, axis=0)}
    assert len(kept) <= COLOURS
    # every colour more common than one left out is kept
    least_kept = min(n for c, n in zip(colours, counts, strict=True) if tuple(c) in kept)
    assert all(n <= least_kept for c, n in zip(colours, counts, strict=True) if tuple(c) not in kept)
    # a kept colour stays; any other becomes a kept colour as near as any
    palette = np.array(sorted(kept))
    nearest = ((original[:, None, :] - palette[None, :, :]) ** 2).sum(axis=2).min(axis=1)
    assert np.array_equal(((original - shown) ** 2).sum(axis=1), nearest)


def test_the_same_pixels_give_the_same_file(tmp_path):
    rng = np.random.default_rng(7)
    pixels = rng.choice(np.arange(0, 256, 15, dtype=np.uint8), size=(60, 80, 3))  # 3,281 colours
    files = []
    for name in ("a.png", "b.png"):
        paletted(_rgba(pixels), 80, 60).save(tmp_path / name)
        files.append((tmp_path / name).read_bytes())
    assert files[0] == files[1]


def test_a_photograph_falls_back_to_the_median_cut():
    pixels = np.random.default_rng(1).integers(0, 256, size=(300, 300, 3), dtype=np.uint8)  # ~90,000 colours
    image = paletted(_rgba(pixels), 300, 300)
    assert image.mode == "P" and len(image.getcolors(COLOURS + 1)) <= COLOURS
    expected = Image.fromarray(pixels).quantize(COLOURS, dither=Image.Dither.NONE)
    assert np.array_equal(_as_rgb(image), _as_rgb(expected))


def test_the_rarer_colours_matched_in_parts_are_matched_as_at_once(monkeypatch):
    from kansrijk import palette

    pixels = np.random.default_rng(3).choice(np.arange(0, 256, 15, dtype=np.uint8), size=(60, 80, 3))
    at_once = _as_rgb(paletted(_rgba(pixels), 80, 60))
    monkeypatch.setattr(palette, "NEAREST_AT_ONCE", 7)  # 3,029 rarer colours in 433 parts
    assert np.array_equal(_as_rgb(paletted(_rgba(pixels), 80, 60)), at_once)
