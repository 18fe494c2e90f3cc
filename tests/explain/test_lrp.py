"""LRP: conservation, rules vs an independent NumPy reference, BN folding, unsupported layers."""

from __future__ import annotations

import numpy as np
import pytest

import keras
from explain_models import init, rel_close, small_convnet
from explain_npref import lrp, ops_from_keras
from keras import layers
from painxai_gui.errors import ExplainError
from painxai_gui.explain import explain


def _zero_bias_residual_net() -> keras.Model:
    """Conv, BN (zero offset), max pool, stand-alone BN, residual Add, separable and
    depthwise conv, average pooling, GAP and dense layers -- all without biases."""
    k = lambda s: init(s, 0.4)  # noqa: E731
    bn = dict(beta_initializer="zeros", moving_mean_initializer="zeros",
              gamma_initializer=keras.initializers.RandomUniform(0.5, 1.5, seed=9),
              moving_variance_initializer=keras.initializers.RandomUniform(0.5, 2.0, seed=10))
    inp = keras.Input((8, 8, 2))
    h = layers.Conv2D(4, 3, padding="same", use_bias=False, kernel_initializer=k(1), name="c1")(inp)
    h = layers.BatchNormalization(name="bn1", **bn)(h)
    h = layers.Activation("relu")(h)
    h = layers.MaxPooling2D(2, name="mp")(h)
    h = layers.BatchNormalization(name="bn_after_pool", **bn)(h)
    branch = layers.Conv2D(4, 1, activation="relu", use_bias=False, kernel_initializer=k(2), name="c_branch")(h)
    h = layers.Add(name="add")([h, branch])
    h = layers.SeparableConv2D(6, 3, padding="same", use_bias=False, activation="relu",
                               depthwise_initializer=k(3), pointwise_initializer=k(4), name="sep")(h)
    h = layers.DepthwiseConv2D(3, padding="same", use_bias=False, depthwise_initializer=k(5), name="dw")(h)
    h = layers.ReLU()(h)
    h = layers.AveragePooling2D(2, name="ap")(h)
    g = layers.GlobalAveragePooling2D(name="gap")(h)
    f = layers.Flatten()(h)
    f = layers.Dense(5, activation="relu", use_bias=False, kernel_initializer=k(6), name="d1")(f)
    h = layers.Concatenate()([f, g])
    out = layers.Dense(3, use_bias=False, kernel_initializer=k(7), name="logits")(h)
    return keras.Model(inp, layers.Activation("softmax")(out))


def test_lrp_z_conserves_the_logit_with_zero_biases(rng):
    model = _zero_bias_residual_net()
    x = rng.uniform(-1, 1, (8, 8, 2)).astype(np.float32)
    logits = keras.Model(model.inputs, model.layers[-2].output)(x[None]).numpy()[0]
    for c in range(3):
        e = explain(model, x, "lrp.z", target=c)
        assert abs(e.logit - logits[c]) < 1e-4 * max(1, abs(logits[c]))
        np.testing.assert_allclose(e.attribution.sum(), logits[c], rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(e.heatmap, e.attribution.sum(axis=-1), rtol=1e-5, atol=1e-7)
        assert e.signed


RULES = {
    "lrp.z": ({"conv": ("z",), "dense": ("z",)}, None, {}),
    "lrp.epsilon": ({"conv": ("epsilon", 0.5), "dense": ("epsilon", 0.5)}, None, {"epsilon": 0.5}),
    "lrp.alpha_beta": ({"conv": ("ab", 2.0, 1.0), "dense": ("ab", 2.0, 1.0)}, None, {"alpha": 2.0, "beta": 1.0}),
    "lrp.preset_a_flat": ({"conv": ("ab", 1.0, 0.0), "dense": ("epsilon", 0.1)}, ("flat",), {}),
    "lrp.preset_b_flat": ({"conv": ("ab", 2.0, 1.0), "dense": ("epsilon", 0.1)}, ("flat",), {}),
}


@pytest.mark.parametrize("pool", ["max", "avg"])
@pytest.mark.parametrize("method", sorted(RULES))
def test_lrp_rules_match_numpy_reference(rng, method, pool):
    rules, first, options = RULES[method]
    model = small_convnet(seed=21, pool=pool, bias=True)
    x = rng.uniform(-1, 1, (8, 8, 2)).astype(np.float32)  # negative inputs exercise both alpha-beta halves
    ops = ops_from_keras(model)
    for c in (0, 3):
        e = explain(model, x, method, target=c, **options)
        expected = lrp(ops, x, c, rules, first)
        assert np.abs(expected).max() > 1e-3
        rel_close(e.attribution, expected, rtol=2e-4)


def test_lrp_alpha1_beta0_default_and_epsilon_default():
    model = small_convnet(seed=21)
    x = np.random.default_rng(0).uniform(-1, 1, (8, 8, 2)).astype(np.float32)
    ops = ops_from_keras(model)
    e = explain(model, x, "lrp.alpha_beta", target=1)
    assert e.options == {"alpha": 1.0, "beta": 0.0, "convention": "standard"}
    rel_close(e.attribution, lrp(ops, x, 1, {"conv": ("ab", 1.0, 0.0), "dense": ("ab", 1.0, 0.0)}), rtol=2e-4)
    e = explain(model, x, "lrp.epsilon", target=1)
    assert e.options == {"epsilon": 1e-7, "convention": "standard"}
    rel_close(e.attribution, lrp(ops, x, 1, {"conv": ("epsilon", 1e-7), "dense": ("epsilon", 1e-7)}), rtol=2e-4)


def test_alpha_beta_must_differ_by_one():
    model = small_convnet(seed=1)
    with pytest.raises(ExplainError, match="alpha - beta must be 1"):
        explain(model, np.zeros((8, 8, 2), np.float32), "lrp.alpha_beta", alpha=2.0, beta=0.5)


def _bn_model(fold: bool, seed: int = 3) -> keras.Model:
    """conv -> BN -> relu -> separable -> BN -> relu -> dense; or the same with BN folded by hand."""
    rng = np.random.default_rng(seed)
    inp = keras.Input((6, 6, 2))
    conv = layers.Conv2D(3, 3, padding="same", name="conv")
    sep = layers.SeparableConv2D(4, 3, padding="same", name="sep")
    dense = layers.Dense(3, name="dense")
    h = conv(inp)
    if not fold:
        h = layers.BatchNormalization(name="bn1")(h)
    h = layers.Activation("relu")(h)
    h = sep(h)
    if not fold:
        h = layers.BatchNormalization(name="bn2")(h)
    h = layers.Activation("relu")(h)
    model = keras.Model(inp, dense(layers.Flatten()(h)))
    conv_w = [rng.normal(0, 0.5, w.shape).astype(np.float32) for w in conv.get_weights()]
    sep_w = [rng.normal(0, 0.5, w.shape).astype(np.float32) for w in sep.get_weights()]
    bn_params = [
        [rng.uniform(0.5, 1.5, n), rng.normal(0, 0.3, n), rng.normal(0, 0.3, n), rng.uniform(0.5, 2, n)]
        for n in (3, 4)
    ]
    if fold:
        for weights, (gamma, beta, mean, var) in ((conv_w, bn_params[0]), (sep_w, bn_params[1])):
            scale = gamma / np.sqrt(var + 1e-3)
            weights[-2] = (weights[-2] * scale).astype(np.float32)  # conv kernel / pointwise kernel
            weights[-1] = (weights[-1] * scale + beta - mean * scale).astype(np.float32)
    else:
        model.get_layer("bn1").set_weights([p.astype(np.float32) for p in bn_params[0]])
        model.get_layer("bn2").set_weights([p.astype(np.float32) for p in bn_params[1]])
    conv.set_weights(conv_w)
    sep.set_weights(sep_w)
    dense.set_weights([rng.normal(0, 0.5, w.shape).astype(np.float32) for w in dense.get_weights()])
    return model


@pytest.mark.parametrize("method", ["lrp.z", "lrp.epsilon", "lrp.preset_b_flat"])
def test_batchnorm_folding_equals_hand_folded_model(rng, method):
    with_bn, folded = _bn_model(fold=False), _bn_model(fold=True)
    x = rng.uniform(-1, 1, (6, 6, 2)).astype(np.float32)
    np.testing.assert_allclose(with_bn(x[None]).numpy(), folded(x[None]).numpy(), rtol=1e-4, atol=1e-5)
    a = explain(with_bn, x, method, target=1)
    b = explain(folded, x, method, target=1)
    assert np.abs(b.attribution).max() > 1e-3
    rel_close(a.attribution, b.attribution, rtol=1e-3)


class Squash(layers.Layer):
    def call(self, x):
        return x * x


def test_unsupported_layer_raises_naming_the_layer(rng):
    inp = keras.Input((6, 6, 1))
    h = layers.Conv2D(2, 3, activation="relu")(inp)
    h = Squash(name="my_squash")(h)
    model = keras.Model(inp, layers.Dense(2)(layers.Flatten()(h)))
    x = rng.uniform(-1, 1, (6, 6, 1)).astype(np.float32)
    for method in ("lrp.z", "lrp.preset_a_flat", "guided_backprop", "deconvnet"):
        with pytest.raises(ExplainError, match=r"my_squash.*Squash"):
            explain(model, x, method)
    e = explain(model, x, "gradient")  # plain gradients go through any layer
    assert np.isfinite(e.attribution).all() and np.abs(e.attribution).max() > 0


def test_lrp_rejects_non_relu_like_activation(rng):
    model = keras.Sequential([keras.Input((4, 4, 1)), layers.Flatten(), layers.Dense(3, activation="tanh", name="th"), layers.Dense(2)])
    with pytest.raises(ExplainError, match=r"'th' \(Dense\).*tanh"):
        explain(model, np.zeros((4, 4, 1), np.float32), "lrp.epsilon")


def test_first_layer_is_the_first_conv_or_dense():
    """The presets' flat rule goes to the first layer that mixes inputs, not to a Rescaling or BN before it."""
    from painxai_gui.explain.context import context_for
    from painxai_gui.explain.lrp.engine import first_layers

    inp = keras.Input((6, 6, 1))
    h = layers.Rescaling(1 / 127.5, offset=-1.0, name="rescale")(inp)
    h = layers.BatchNormalization(name="bn_in")(h)
    a = layers.Conv2D(2, 3, name="conv_a")(h)
    b = layers.Conv2D(2, 3, name="conv_b")(h)
    h = layers.Conv2D(2, 1, name="conv_c")(layers.Add()([a, b]))
    model = keras.Model(inp, layers.Dense(2, name="dense")(layers.Flatten()(h)))
    graph = context_for(model).graph
    assert {graph.nodes[i].name for i in first_layers(graph)} == {"conv_a", "conv_b"}
