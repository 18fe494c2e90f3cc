"""The shared face path's pieces: target specs, category aliases, region masks at any size, region stats.

Expected values come from the face module's building blocks used another way
(region_labels at crop size + NumPy nearest sampling) or by hand.
"""

from __future__ import annotations

import numpy as np
import pytest

from painxai_gui.errors import ExplainError
from painxai_gui.explain.base import Target
from painxai_gui.explain.face import (REGION_ORDER, class_index, region_label_map, region_masks_at, region_stats,
                                      resolve_target)
from painxai_gui.face.regions import region_labels, region_masks, region_names

FER = ("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral")


def test_category_to_model_class():
    assert class_index("disgust", FER) == 1
    assert class_index("happiness", FER) == 3  # the FER model says "happy"
    assert class_index("pain", FER) is None
    assert class_index("pain", ("pain", "disgust", "happiness")) == 0
    assert class_index("Happiness", ("pain", "disgust", "happiness")) == 2
    assert class_index(None, FER) is None


def _index(spec, category, names, predicted):
    """The class a target spec explains, with ``predicted`` as the model's arg-max."""
    target = resolve_target(spec, names, category)
    return predicted if target.kind == "predicted" else target.index


def test_targets_resolve_by_name_true_label_and_index():
    names = ("pain", "disgust", "happiness")
    assert _index("predicted", None, names, 2) == 2
    assert _index("true", "disgust", names, 2) == 1
    assert _index("pain", None, names, 2) == 0
    assert _index("1", None, names, 2) == 1
    with pytest.raises(ExplainError, match="not one of"):
        _index("true", "sad", names, 0)
    with pytest.raises(ExplainError, match="out of range"):
        _index(7, None, names, 0)


def test_target_kinds_and_the_happiness_alias():
    assert resolve_target(None, FER) == Target.predicted()
    assert resolve_target("true", FER, "happiness") == Target.true(3)
    assert resolve_target("happy", FER) == Target.of_class(3)
    assert resolve_target(np.int64(2), FER) == Target.of_class(2)
    with pytest.raises(ExplainError, match="needs the image's dataset category"):
        resolve_target("true", FER, None)
    with pytest.raises(ExplainError, match="'grumpy' is not one of"):
        resolve_target("grumpy", FER)


@pytest.mark.parametrize("hw", [(64, 64), (256, 256), (48, 64), (100, 37)])
def test_region_masks_tile_the_map(astronaut_face, hw):
    _crop, lm = astronaut_face
    masks = region_masks_at(lm, (256, 256), hw)
    assert list(masks) == list(REGION_ORDER)
    stacked = np.stack([masks[n] for n in REGION_ORDER]).astype(int)
    assert stacked.shape == (len(REGION_ORDER), *hw)
    assert (stacked.sum(axis=0) == 1).all()  # disjoint, and with "other" they cover every pixel
    assert all(masks[n].any() for n in ("eyes", "nose", "mouth"))


def test_square_maps_draw_the_regions_at_their_own_size(astronaut_face):
    _crop, lm = astronaut_face
    expected = region_masks(lm * (64 / 256), size=64)
    got = region_masks_at(lm, (256, 256), (64, 64))
    for name in region_names():
        assert np.array_equal(got[name], expected[name]), name


def test_non_square_maps_sample_the_crop_size_regions(astronaut_face):
    _crop, lm = astronaut_face
    h, w = 48, 64
    big = region_labels(lm, size=256)
    rows = np.floor(np.arange(h) * 256 / h).astype(int)
    cols = np.floor(np.arange(w) * 256 / w).astype(int)
    expected = big[rows][:, cols]
    np.testing.assert_array_equal(region_label_map(lm, (256, 256), (h, w)), expected)


def test_region_stats_by_hand(astronaut_face):
    _crop, lm = astronaut_face
    masks = region_masks_at(lm, (256, 256), (48, 64))
    heat = np.where(masks["mouth"], 2.0, 0.0) + np.where(masks["eyes"], 1.0, 0.0) - np.where(masks["nose"], 3.0, 0.0)
    stats = region_stats(heat, lm, 256, signed=True)
    positive = 2.0 * masks["mouth"].sum() + masks["eyes"].sum()
    assert stats.shares()["mouth"] == pytest.approx(2.0 * masks["mouth"].sum() / positive)
    assert stats.shares()["eyes"] == pytest.approx(masks["eyes"].sum() / positive)
    assert stats.shares()["nose"] == 0.0 and sum(stats.share) == pytest.approx(1.0)
    assert stats.sums()["nose"] == pytest.approx(-3.0 * masks["nose"].sum())
    area = masks["mouth"].mean()  # density: share over the region's share of the map
    assert stats.densities()["mouth"] == pytest.approx(stats.shares()["mouth"] / area)
    assert region_stats(heat, lm, 256, signed=False).signed_sum is None
    assert region_stats(heat, None, 256, signed=True) is None
