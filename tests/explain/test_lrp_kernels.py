"""The LRP speed-ups are exact: transposed convs as flipped forward convs, the flat rule as a box sum,
sign-split kernels computed once per model and shared by the LRP methods (issue 13 item 3)."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

import keras
from explain_models import init, rel_close
from explain_npref import lrp, ops_from_keras
from keras import layers
from painxai_gui.explain import clear_cache, explain
from painxai_gui.explain.context import context_for
from painxai_gui.explain.layers import FLIPPED_CONV_MIN_CHANNELS, Stage
from painxai_gui.explain.lrp.rules import Flat


@pytest.mark.parametrize("kernel, padding", [((3, 3), "same"), ((3, 3), "valid"), ((2, 2), "same"),
                                             ((2, 3), "valid"), ((1, 1), "same"), ((4, 5), "same")])
def test_flipped_conv_equals_the_conv_gradient(rng, kernel, padding):
    cin = FLIPPED_CONV_MIN_CHANNELS
    stage = Stage("conv", params={"strides": (1, 1), "padding": padding, "dilation": (1, 1)})
    a = tf.constant(rng.normal(size=(2, 7, 6, cin)), tf.float32)
    w = tf.constant(rng.normal(size=(*kernel, cin, 5)), tf.float32)
    s = tf.constant(rng.normal(size=stage.apply(a, w).shape), tf.float32)
    assert stage.flippable(a)
    with tf.GradientTape() as tape:  # TensorFlow's own transposed conv, independent of ours
        tape.watch(a)
        z = tf.nn.conv2d(a, w, 1, padding.upper())
    expected = tape.gradient(z, a, output_gradients=s).numpy()
    np.testing.assert_allclose(stage.vjp(a, s, w).numpy(), expected, rtol=1e-4, atol=1e-4)
    assert not stage.flippable(a[..., : cin - 1])  # too few channels: TensorFlow's gradient


@pytest.mark.parametrize("padding, strides", [("same", (1, 1)), ("valid", (1, 1)), ("same", (2, 2))])
def test_flat_box_sum_equals_the_all_ones_conv(rng, padding, strides):
    stage = Stage("conv", kernel=lambda: tf.ones((3, 3, 4, 6)), params={"strides": strides, "padding": padding,
                                                                         "dilation": (1, 1)})
    a = tf.constant(rng.normal(size=(2, 7, 7, 4)), tf.float32)
    z = stage.apply(a, tf.ones((3, 3, 4, 6)))
    R = tf.constant(rng.uniform(0, 1, z.shape), tf.float32)
    # NumPy: every input of j's receptive field gets R_j / |receptive field|
    ones = np.ones((1, 7, 7, 4), np.float32)
    count = stage.apply(tf.constant(ones), tf.ones((3, 3, 4, 6))).numpy()
    with tf.GradientTape() as tape:
        o = tf.constant(np.repeat(ones, 2, axis=0))
        tape.watch(o)
        zz = stage.apply(o, tf.ones((3, 3, 4, 6)))
    expected = tape.gradient(zz, o, output_gradients=R / count).numpy()
    got = Flat().relevance(stage, a, z, None, R, False).numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got.sum(), R.numpy().sum(), rtol=1e-4)  # conservation


def _wide_net(seed: int = 5) -> keras.Model:
    """16-channel input and feature maps: every transposed conv takes the flipped path."""
    b = init(seed + 50, 0.2)
    return keras.Sequential([
        keras.Input((6, 6, 16)),
        layers.Conv2D(16, 3, padding="same", activation="relu", kernel_initializer=init(seed, 0.3), bias_initializer=b),
        layers.Conv2D(16, 3, padding="same", activation="relu", kernel_initializer=init(seed + 1, 0.3), bias_initializer=b),
        layers.MaxPooling2D(2),
        layers.Conv2D(4, 3, padding="valid", activation="relu", kernel_initializer=init(seed + 2, 0.3), bias_initializer=b),
        layers.Flatten(),
        layers.Dense(3, kernel_initializer=init(seed + 3), bias_initializer=b),
    ])


WIDE_RULES = {
    "lrp.z": ({"conv": ("z",), "dense": ("z",)}, None, {}),
    "lrp.epsilon": ({"conv": ("epsilon", 0.5), "dense": ("epsilon", 0.5)}, None, {"epsilon": 0.5}),
    "lrp.alpha_beta": ({"conv": ("ab", 2.0, 1.0), "dense": ("ab", 2.0, 1.0)}, None, {"alpha": 2.0, "beta": 1.0}),
    "lrp.preset_a_flat": ({"conv": ("ab", 1.0, 0.0), "dense": ("epsilon", 0.1)}, ("flat",), {}),
    "lrp.preset_b_flat": ({"conv": ("ab", 2.0, 1.0), "dense": ("epsilon", 0.1)}, ("flat",), {}),
}


@pytest.mark.parametrize("method", sorted(WIDE_RULES))
def test_lrp_on_wide_layers_matches_numpy(rng, method):
    rules, first, options = WIDE_RULES[method]
    model = _wide_net()
    x = rng.uniform(-1, 1, (6, 6, 16)).astype(np.float32)  # negative inputs: both alpha-beta halves
    for c in (0, 2):
        e = explain(model, x, method, target=c, **options)
        expected = lrp(ops_from_keras(model), x, c, rules, first)
        assert np.abs(expected).max() > 1e-3
        rel_close(e.attribution, expected, rtol=5e-4)


def test_split_kernels_are_computed_once_and_shared(rng):
    model = _wide_net(seed=7)
    x = rng.uniform(-1, 1, (6, 6, 16)).astype(np.float32)
    explain(model, x, "lrp.preset_a_flat")
    explain(model, x, "lrp.preset_b_flat")
    stages = [n.stages[0] for n in context_for(model).graph.nodes if n.kind == "linear"]  # no BN: not folded
    cached = stages[1]._derived  # the second conv: alpha-beta in both presets
    assert {"w+", "w-"} <= set(cached)
    w_plus = cached["w+"]
    explain(model, x, "lrp.alpha_beta", alpha=2.0, beta=1.0)
    assert cached["w+"] is w_plus  # shared, not split again
    np.testing.assert_array_equal(w_plus.numpy(), np.maximum(model.layers[1].get_weights()[0], 0))


def test_clear_cache_sees_new_weights(rng):
    model = _wide_net(seed=9)
    x = rng.uniform(-1, 1, (6, 6, 16)).astype(np.float32)
    before = explain(model, x, "lrp.preset_b_flat", target=1).attribution
    conv = model.layers[1]
    conv.set_weights([w * np.float32(-1.5) for w in conv.get_weights()])
    clear_cache()
    after = explain(model, x, "lrp.preset_b_flat", target=1)
    rules, first, _ = WIDE_RULES["lrp.preset_b_flat"]
    rel_close(after.attribution, lrp(ops_from_keras(model), x, 1, rules, first), rtol=5e-4)
    assert not np.allclose(before, after.attribution)
