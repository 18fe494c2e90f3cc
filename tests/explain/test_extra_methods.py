"""SmoothGrad, Integrated Gradients and occlusion against hand-computable cases."""

from __future__ import annotations

import numpy as np

import keras
from explain_models import rel_close, small_convnet
from keras import layers
from painxai_gui.explain import explain
from painxai_gui.explain.methods.occlusion import windows


def _linear_model(seed: int = 0):
    model = keras.Sequential([keras.Input((6, 6, 1)), layers.Flatten(), layers.Dense(2), layers.Activation("softmax")])
    w = np.random.default_rng(seed).normal(size=(36, 2)).astype(np.float32)
    model.layers[1].set_weights([w, np.array([0.3, -0.2], np.float32)])
    return model, w


def test_smoothgrad_on_a_linear_model_is_the_weight_map(rng):
    model, w = _linear_model()
    x = rng.uniform(-1, 1, (6, 6, 1)).astype(np.float32)
    e = explain(model, x, "smoothgrad", target=1, samples=7, noise=0.3)
    rel_close(e.attribution, w[:, 1].reshape(6, 6, 1), rtol=1e-5)


def test_smoothgrad_without_noise_is_the_gradient(rng):
    model = small_convnet(seed=3)
    x = rng.uniform(-1, 1, (8, 8, 2)).astype(np.float32)
    a = explain(model, x, "smoothgrad", target=2, samples=3, noise=0.0)
    b = explain(model, x, "gradient", target=2)
    rel_close(a.attribution, b.attribution, rtol=1e-5)
    c = explain(model, x, "smoothgrad", target=2, samples=3, noise=0.2, seed=4)
    assert not np.allclose(c.attribution, b.attribution)
    np.testing.assert_array_equal(c.attribution, explain(model, x, "smoothgrad", target=2, samples=3, noise=0.2, seed=4).attribution)


def test_integrated_gradients_completeness(rng):
    model = small_convnet(seed=3)
    logits_model = keras.Model(model.inputs, model.get_layer("logits").output)
    x = rng.uniform(-1, 1, (8, 8, 2)).astype(np.float32)
    c = 1
    e = explain(model, x, "integrated_gradients", target=c, steps=256, batch_size=64, baseline=0.0)
    gap = logits_model(x[None]).numpy()[0, c] - logits_model(np.zeros((1, 8, 8, 2), np.float32)).numpy()[0, c]
    assert abs(gap) > 0.1
    np.testing.assert_allclose(e.attribution.sum(), gap, rtol=2e-2)
    np.testing.assert_allclose(e.heatmap, e.attribution.sum(axis=-1), rtol=1e-5, atol=1e-7)


def test_integrated_gradients_on_a_linear_model(rng):
    model, w = _linear_model(1)
    x = rng.uniform(-1, 1, (6, 6, 1)).astype(np.float32)
    e = explain(model, x, "integrated_gradients", target=0, steps=5, baseline=0.5, batch_size=2)
    rel_close(e.attribution, (x - 0.5) * w[:, 0].reshape(6, 6, 1), rtol=1e-5)


def test_occlusion_on_a_linear_model(rng):
    model, w = _linear_model(2)
    x = rng.uniform(-1, 1, (6, 6, 1)).astype(np.float32)
    e = explain(model, x, "occlusion", target=1, patch=2, stride=2, fill=0.25)
    contrib = (x[..., 0] - 0.25) * w[:, 1].reshape(6, 6)  # logit drop of hiding each pixel
    expected = np.zeros((6, 6))
    for y in range(0, 6, 2):
        for x0 in range(0, 6, 2):
            expected[y : y + 2, x0 : x0 + 2] = contrib[y : y + 2, x0 : x0 + 2].sum()
    rel_close(e.attribution, expected, rtol=1e-5)
    assert e.options == {"patch": 2, "stride": 2, "fill": 0.25, "batch_size": 32, "convention": "standard"}


def test_occlusion_windows_cover_the_border():
    assert windows(10, 4, 3) == [0, 3, 6]
    assert windows(11, 4, 3) == [0, 3, 6, 7]
    assert windows(4, 4, 2) == [0]
