"""Faithfulness curves and region relevance against hand-computed cases."""

from __future__ import annotations

import numpy as np
import pytest

import keras
from keras import layers
from painxai_gui.errors import ExplainError
from painxai_gui.explain import explain
from painxai_gui.explain.metrics import deletion, insertion, pixel_order, region_relevance


def _linear_2x2():
    """logit_0 = 1*x00 + 2*x01 + 3*x10 + 4*x11 + 0.5 ; logit_1 = 0."""
    model = keras.Sequential([keras.Input((2, 2, 1)), layers.Flatten(), layers.Dense(2)])
    model.layers[-1].set_weights([np.array([[1, 0], [2, 0], [3, 0], [4, 0]], np.float32), np.array([0.5, 0], np.float32)])
    return model


def test_deletion_and_insertion_by_hand():
    model = _linear_2x2()
    x = np.ones((2, 2, 1), np.float32)
    heat = np.array([[0.1, 0.9], [0.5, 0.2]])  # order: x01 (2), x10 (3), x11 (4), x00 (1)
    np.testing.assert_array_equal(pixel_order(heat), [1, 2, 3, 0])
    d = deletion(model, x, heat, target=0, steps=4, output="logit")
    np.testing.assert_allclose(d.fractions, [0, 0.25, 0.5, 0.75, 1.0])
    np.testing.assert_allclose(d.scores, [10.5, 8.5, 5.5, 1.5, 0.5], rtol=1e-6)
    np.testing.assert_allclose(d.auc, 0.25 * (10.5 / 2 + 8.5 + 5.5 + 1.5 + 0.5 / 2), rtol=1e-6)
    i = insertion(model, x, heat, target=0, steps=4, output="logit")
    np.testing.assert_allclose(i.scores, [0.5, 2.5, 5.5, 9.5, 10.5], rtol=1e-6)
    np.testing.assert_allclose(i.auc, 0.25 * (0.5 / 2 + 2.5 + 5.5 + 9.5 + 10.5 / 2), rtol=1e-6)
    p = deletion(model, x, heat, target=0, steps=2, fill=1.0)  # filling with the same value changes nothing
    np.testing.assert_allclose(p.scores, [1 / (1 + np.exp(-10.5))] * 3, rtol=1e-6)
    assert p.output == "probability"


def test_faithful_heatmap_beats_reversed_one():
    model = _linear_2x2()
    x = np.ones((2, 2, 1), np.float32)
    e = explain(model, x, "lrp.z", target=0)  # relevance = w * x: orders pixels by weight
    good, bad = deletion(model, x, e, steps=4, output="logit"), deletion(model, x, -e.heatmap, target=0, steps=4, output="logit")
    assert good.target == 0 and good.auc < bad.auc


def test_region_relevance_by_hand():
    heat = np.array([[1.0, -2.0, 0.0], [3.0, 4.0, -1.0]])  # positive total 8
    masks = {
        "left": np.array([[1, 1, 0], [1, 1, 0]], bool),
        "right": np.array([[0, 0, 1], [0, 0, 1]], bool),
        "top": np.array([[1, 1, 1], [0, 0, 0]], bool),
    }
    assert region_relevance(heat, masks) == {"left": 1.0, "right": 0.0, "top": 1 / 8}
    assert region_relevance(heat, masks, measure="sum") == {"left": 8.0, "right": 0.0, "top": 1.0}
    assert region_relevance(-np.abs(heat), masks) == {"left": 0.0, "right": 0.0, "top": 0.0}
    with pytest.raises(ExplainError, match="mask 'bad'"):
        region_relevance(heat, {"bad": np.ones((3, 2), bool)})
