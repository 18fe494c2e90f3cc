"""Every registered method on the real FER2013 demo model (BN, separable convs, residual Adds, GAP)."""

from __future__ import annotations

import json

import numpy as np
import pytest

import keras
from painxai_gui.explain import METHODS, explain

FAST = {
    "lime": {"num_samples": 40, "batch_size": 40},
    "smoothgrad": {"samples": 4},
    "integrated_gradients": {"steps": 8},
    "occlusion": {"patch": 16, "stride": 16},
}
UNSIGNED_NONNEG = ("gradient", "deconvnet", "guided_backprop", "gradcam", "guided_gradcam", "smoothgrad")


@pytest.fixture(scope="module")
def demo(demo_model_path):
    model = keras.models.load_model(demo_model_path, compile=False)
    yy, xx = np.mgrid[0:64, 0:64] / 63.0
    x = (np.sin(6 * xx) * np.cos(4 * yy) * 0.8 + 0.1 * np.random.default_rng(0).normal(size=(64, 64)))
    x = np.clip(x, -1, 1).astype(np.float32)[..., None]  # 64 x 64 x 1 in [-1, 1]
    probs = model(x[None]).numpy()[0]
    return model, x, probs


@pytest.mark.parametrize("method", list(METHODS))
def test_every_method_runs_on_the_demo_model(demo, method):
    model, x, probs = demo
    e = explain(model, x, method, **FAST.get(method, {}))
    assert e.method == method
    assert e.heatmap.shape == (64, 64)
    assert np.isfinite(e.attribution).all() and np.isfinite(e.heatmap).all()
    assert np.abs(e.heatmap).max() > 0
    assert e.target == int(np.argmax(probs)) == e.predicted and e.target_kind == "predicted"
    np.testing.assert_allclose(e.probabilities, probs, rtol=1e-4, atol=1e-6)  # softmax stripped, logits exact
    assert e.signed is METHODS[method].signed
    if method in UNSIGNED_NONNEG:
        assert e.heatmap.min() >= 0
    expected_shape = {"gradcam": (4, 4), "lime": (64, 64), "occlusion": (64, 64)}.get(method, (64, 64, 1))
    assert e.attribution.shape == expected_shape
    json.dumps(e.options)
    assert set(e.options) == {o.name for o in METHODS[method].options}


def test_demo_defaults(demo):
    model, x, _ = demo
    assert explain(model, x, "gradcam").options["layer"] == "conv2d_7"
    e = explain(model, x, "lime", num_samples=20)
    assert e.options["segmentation"] == "quickshift" and e.options["seed"] == 0
    # LIME's quickshift defaults on the image scaled to [0, 1] (as LIME sees uint8 images)
    from skimage.segmentation import quickshift

    unit = np.repeat((x - x.min()) / (x.max() - x.min()), 3, axis=-1).astype(np.float64)
    np.testing.assert_array_equal(e.segments, quickshift(unit, kernel_size=4, max_dist=200, ratio=0.2))
    again = explain(model, x, "lime", num_samples=20)
    np.testing.assert_array_equal(e.attribution, again.attribution)  # fixed seed: reproducible


def test_model_given_as_path(demo, demo_model_path):
    model, x, _ = demo
    a = explain(str(demo_model_path), x, "lrp.epsilon", target=3)
    b = explain(model, x, "lrp.epsilon", target=3)
    np.testing.assert_allclose(a.attribution, b.attribution, rtol=1e-5, atol=1e-7)
