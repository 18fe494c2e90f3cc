"""The one colour policy: symmetric signed scaling, 0-based unsigned scaling, exact blending."""

from __future__ import annotations

import matplotlib
import numpy as np

from painxai_gui.export.colormaps import DIVERGING, SEQUENTIAL, blend, lut, normalisation, to_rgba


def test_signed_maps_are_centred_on_zero():
    h = np.array([[-3.0, 1.0], [0.0, 2.0]])
    n = normalisation(h, signed=True)
    assert (n.vmin, n.vmax, n.cmap) == (-3.0, 3.0, DIVERGING)
    rgba = to_rgba(h, n)
    centre = np.round(np.array(matplotlib.colormaps[DIVERGING](0.5)) * 255)
    np.testing.assert_allclose(rgba[1, 0], centre, atol=1)  # 0 maps to the middle of the diverging map


def test_unsigned_maps_start_at_zero_and_ignore_negatives():
    h = np.array([[-5.0, 0.0], [2.0, 4.0]])
    n = normalisation(h, signed=False)
    assert (n.vmin, n.vmax, n.cmap) == (0.0, 4.0, SEQUENTIAL)
    rgba = to_rgba(h, n)
    np.testing.assert_array_equal(rgba[0, 0], rgba[0, 1])  # negatives clip to the bottom colour
    np.testing.assert_array_equal(rgba[1, 1], lut(SEQUENTIAL)[255])


def test_all_zero_map_does_not_divide_by_zero():
    n = normalisation(np.zeros((3, 3)), signed=True)
    assert n.vmax > 0 and np.isfinite(to_rgba(np.zeros((3, 3)), n)).all()


def test_nan_is_transparent_and_blend_is_exact():
    h = np.array([[np.nan, 1.0]])
    n = normalisation(h, signed=False)
    rgba = to_rgba(h, n)
    assert rgba[0, 0, 3] == 0 and rgba[0, 1, 3] == 255
    img = np.full((1, 2, 3), 100, np.uint8)
    out = blend(img, h, n, opacity=0.25)
    np.testing.assert_array_equal(out[0, 0], [100, 100, 100])  # transparent: unchanged
    top = lut(SEQUENTIAL)[255, :3].astype(float)
    np.testing.assert_array_equal(out[0, 1], np.rint(100 * 0.75 + top * 0.25).astype(np.uint8))


def test_lut_matches_matplotlib():
    table = lut("viridis")
    assert table.shape == (256, 4) and table.dtype == np.uint8
    np.testing.assert_array_equal(table[0], np.round(np.array(matplotlib.colormaps["viridis"](0.0)) * 255))
