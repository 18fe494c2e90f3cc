"""Planted signal: the target logit depends only on a known patch; every method must find it."""

from __future__ import annotations

import numpy as np
import pytest

import keras
from keras import layers
from painxai_gui.explain import METHODS, explain

PATCH = (slice(4, 12), slice(4, 12))  # 8 x 8 of a 16 x 16 image: 25 % of the area
TARGET = 0
# Grad-CAM weights whole channels, so the faint background activity of the
# channels the patch drives counts too (0.70 here); every other method is > 0.94.
MIN_SHARE = {"gradcam": 0.6}
OPTIONS = {
    "lime": {"num_samples": 150, "hide_color": 0.0, "seed": 0},
    "smoothgrad": {"samples": 8},
    "integrated_gradients": {"steps": 16},
}


def planted_model() -> keras.Model:
    """conv3x3 relu -> conv1x1 relu -> dense; class 0's weights are non-zero only at the
    patch's inner 6 x 6 positions, so (through the 3x3 receptive field) logit 0 depends on
    exactly the patch pixels; the other classes' logits are constant."""
    rng = np.random.default_rng(0)
    inp = keras.Input((16, 16, 3))
    c1 = layers.Conv2D(6, 3, padding="same", activation="relu", name="c1")
    c2 = layers.Conv2D(4, 1, activation="relu", name="c2")
    dense = layers.Dense(3, name="logits")
    out = layers.Activation("softmax")(dense(layers.Flatten()(c2(c1(inp)))))
    model = keras.Model(inp, out)
    c1.set_weights([rng.normal(0, 0.5, (3, 3, 3, 6)).astype(np.float32), np.zeros(6, np.float32)])
    c2.set_weights([np.abs(rng.normal(0, 0.5, (1, 1, 6, 4))).astype(np.float32), np.zeros(4, np.float32)])
    w = np.zeros((16, 16, 4, 3), np.float32)
    w[5:11, 5:11, :, TARGET] = rng.uniform(0.2, 1.0, (6, 6, 4))
    dense.set_weights([w.reshape(-1, 3), np.array([0.0, 1.0, 1.0], np.float32)])
    return model


def planted_input() -> np.ndarray:
    rng = np.random.default_rng(1)
    x = rng.uniform(-0.05, 0.05, (16, 16, 3)).astype(np.float32)
    x[PATCH] = rng.choice([-1.0, 1.0], size=(8, 8, 3))  # textured: not removable by mean-colour hiding either
    return x


def grid_segments() -> np.ndarray:
    return (np.arange(16)[:, None] // 4) * 4 + np.arange(16)[None, :] // 4  # 16 blocks of 4 x 4


def positive_share(heatmap: np.ndarray) -> float:
    pos = np.maximum(heatmap, 0)
    return float(pos[PATCH].sum() / pos.sum())


@pytest.fixture(scope="module")
def model_and_input():
    model, x = planted_model(), planted_input()
    logits = keras.Model(model.inputs, model.get_layer("logits").output)(x[None]).numpy()[0]
    assert logits[TARGET] > 2.0  # the planted class is active
    return model, x


@pytest.mark.parametrize("method", list(METHODS))
def test_method_finds_the_planted_patch(model_and_input, method):
    model, x = model_and_input
    extra = {"segments": grid_segments()} if method == "lime" else {}
    e = explain(model, x, method, target=TARGET, **OPTIONS.get(method, {}), **extra)
    assert e.heatmap.shape == (16, 16)
    assert np.maximum(e.heatmap, 0).sum() > 0
    share = positive_share(e.heatmap)
    assert share > MIN_SHARE.get(method, 0.9), f"{method}: only {share:.2f} of the positive heatmap mass is on the patch"


def test_lime_positive_negative_mode_and_segments(model_and_input):
    model, x = model_and_input
    e = explain(model, x, "lime", target=TARGET, mode="positive_negative", top_k=0, segments=grid_segments(),
                output="logit", **OPTIONS["lime"])
    assert e.options["segmentation"] == "precomputed"
    np.testing.assert_array_equal(e.heatmap, e.attribution)  # top_k=0: every segment
    assert e.segments.shape == (16, 16) and len(np.unique(e.segments)) == 16
    per_segment = {s: e.attribution[e.segments == s][0] for s in range(16)}
    patch_segments = {5, 6, 9, 10}
    assert min(per_segment[s] for s in patch_segments) > max(abs(per_segment[s]) for s in set(range(16)) - patch_segments)
