"""A figure's pixels in at most 256 colours: exactly, where the figure has no more.

A chart has a few hundred colours: its flat colours and the blends that antialiasing makes at
their edges. Pillow's median cut (``Image.quantize``) takes about 65 ms for a figure of the book
and moves colours that need not move; the image's own colours, counted, take a few milliseconds.
The 256 commonest colours are kept as they are, and each rarer one (a blend along an edge)
becomes the nearest of them. A figure with more colours than :data:`COUNTED` (a photograph, not a
chart) falls back to the median cut.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

COLOURS = 256
COUNTED = 1 << 16  # colours counted before a figure is taken for a photograph
NEAREST_AT_ONCE = 4096  # rarer colours matched at a time: 25 MB of distances, whatever the figure


def paletted(rgba: bytes, width: int, height: int) -> Image.Image:
    """The ``width`` × ``height`` RGBA pixels (alpha dropped) as a palette image of at most 256
    colours, the same image for the same pixels."""
    rgb = Image.frombuffer("RGBA", (width, height), rgba, "raw", "RGBA", 0, 1).convert("RGB")
    counted = rgb.getcolors(COUNTED)
    if counted is None:
        return rgb.quantize(COLOURS, dither=Image.Dither.NONE)
    counted.sort(key=lambda found: (-found[0], found[1]))  # commonest first; ties by colour
    colours = np.array([colour for _, colour in counted], dtype=np.int64)
    kept = colours[:COLOURS]
    index = np.arange(len(colours))
    for start in range(COLOURS, len(colours), NEAREST_AT_ONCE):
        rarer = colours[start : start + NEAREST_AT_ONCE]
        distance = ((rarer[:, None, :] - kept[None, :, :]) ** 2).sum(axis=2)
        index[start : start + NEAREST_AT_ONCE] = distance.argmin(axis=1)  # the first of equally near colours
    # A table from every 24-bit colour to its palette index; only the pages of colours the
    # figure has are ever touched.
    table = np.zeros(1 << 24, dtype=np.uint8)
    table[_packed(colours)] = index
    pixels = np.frombuffer(rgba, dtype="<u4") & 0xFFFFFF  # R, G and B of each RGBA pixel
    image = Image.frombuffer("P", (width, height), table[pixels].tobytes(), "raw", "P", 0, 1)
    image.putpalette(kept.astype(np.uint8).tobytes())
    return image


def _packed(colours: np.ndarray) -> np.ndarray:
    """Colours (R, G, B) as the little-endian RGBA pixel's low 24 bits: R + 256·G + 65536·B."""
    return colours[:, 0] | colours[:, 1] << 8 | colours[:, 2] << 16
