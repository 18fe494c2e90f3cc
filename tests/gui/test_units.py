"""Small pure pieces of the GUI: heat display via the shared colour policy, names."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from painxai_gui.dataset.records import VideoRecord
from painxai_gui.export import colormaps
from painxai_gui.gui.docks.dataset_dock import short_name
from painxai_gui.gui.views.heat import cached_lut, heat_display


def test_signed_display_is_symmetric_and_uses_the_diverging_map():
    heat = np.array([[-2.0, 0.5], [1.0, 0.0]], np.float32)
    d = heat_display(heat, signed=True)
    assert d.levels == (-2.0, 2.0) and d.cmap == colormaps.DIVERGING
    assert np.array_equal(d.lut, colormaps.lut(colormaps.DIVERGING))


def test_unsigned_display_of_a_signed_map_shows_magnitude():
    heat = np.array([[-3.0, 1.0]], np.float32)
    d = heat_display(heat, signed=False, cmap="viridis")
    assert np.array_equal(d.data, [[3.0, 1.0]]) and d.levels == (0.0, 3.0) and d.cmap == "viridis"


def test_fading_changes_only_alpha():
    plain, faded = cached_lut("RdBu_r"), cached_lut("RdBu_r", "signed")
    assert np.array_equal(plain[:, :3], faded[:, :3])
    assert faded[128, 3] < 10 and faded[0, 3] == 255 and faded[255, 3] == 255  # 0 transparent, extremes opaque
    seq = cached_lut("inferno", "unsigned")
    assert seq[0, 3] == 0 and seq[255, 3] == 255


def test_short_video_names():
    entry = VideoRecord("PartA/video/071309_w_21/071309_w_21-PA3-002.mp4", "071309_w_21", "PA3", "pain", "A",
                       Path("x.mp4"), 138, 25.0)
    assert short_name(entry) == "PA3-002" and not entry.slotted
    emotion = VideoRecord("emotion/071309_w_21/071309_w_21-disgust.mp4", "071309_w_21", "disgust", "disgust", "D",
                         Path("y.mp4"), 1501, 25.0)
    assert short_name(emotion) == "disgust" and emotion.slotted
