"""Gradient, deconvnet, guided backprop, Grad-CAM and guided Grad-CAM vs independent references."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

import keras
from explain_models import dense_net, rel_close, small_convnet
from explain_npref import bilinear_half_pixel, finite_difference, modified_backward, ops_from_keras
from painxai_gui.explain import Target, explain, explain_batch


def test_gradient_matches_central_finite_differences(rng):
    model = small_convnet(seed=3)
    x = rng.uniform(-1, 1, (8, 8, 2)).astype(np.float32)
    ops = ops_from_keras(model)
    for c in (0, 2):
        e = explain(model, x, "gradient", target=c)
        fd = finite_difference(ops, x, c)
        assert np.abs(fd).max() > 1e-3  # the test is not vacuous
        rel_close(e.attribution, fd, rtol=1e-4)
        assert e.target == c
        np.testing.assert_allclose(e.heatmap, np.abs(e.attribution).max(axis=-1), rtol=1e-6)


@pytest.mark.parametrize("method, rule", [("deconvnet", "deconvnet"), ("guided_backprop", "guided"), ("gradient", "gradient")])
def test_relu_rules_match_numpy_on_dense_net(rng, method, rule):
    model = dense_net(seed=5)
    x = rng.uniform(-1, 1, (4, 4, 1)).astype(np.float32)
    ops = ops_from_keras(model)
    results = {}
    for c in range(3):
        e = explain(model, x, method, target=c)
        rel_close(e.attribution, modified_backward(ops, x, c, rule), rtol=1e-5)
        results[c] = e.attribution
    # the three rules really differ on this net (guards against a silent fallback to the plain gradient)
    if rule != "gradient":
        grads = [modified_backward(ops, x, c, "gradient") for c in range(3)]
        assert any(not np.allclose(results[c], grads[c], atol=1e-6) for c in range(3))


@pytest.mark.parametrize("method, rule", [("deconvnet", "deconvnet"), ("guided_backprop", "guided")])
def test_relu_rules_with_conv_and_max_pool_switches(rng, method, rule):
    model = small_convnet(seed=11)
    x = rng.uniform(-1, 1, (8, 8, 2)).astype(np.float32)
    ops = ops_from_keras(model)
    e = explain(model, x, method, target=1)
    rel_close(e.attribution, modified_backward(ops, x, 1, rule), rtol=1e-5)


def test_softmax_is_stripped(rng):
    with_softmax = small_convnet(seed=2, softmax=True)
    logits_model = small_convnet(seed=2, softmax=False)
    x = rng.uniform(-1, 1, (8, 8, 2)).astype(np.float32)
    a = explain(with_softmax, x, "gradient", target=1)
    b = explain(logits_model, x, "gradient", target=1)
    np.testing.assert_allclose(a.attribution, b.attribution, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(a.logit, logits_model(x[None]).numpy()[0, 1], rtol=1e-5)
    np.testing.assert_allclose(a.probabilities, with_softmax(x[None]).numpy()[0], rtol=1e-5, atol=1e-7)
    assert b.probabilities is None  # nothing was stripped: no probabilities invented
    # the gradient of the softmax output is really different
    xt = tf.constant(x[None])
    with tf.GradientTape() as tape:
        tape.watch(xt)
        p = with_softmax(xt)[:, 1]
    assert not np.allclose(tape.gradient(p, xt).numpy()[0], a.attribution, atol=1e-4)


def test_fused_softmax_activation_is_stripped(rng):
    x = rng.uniform(-1, 1, (4, 4, 1)).astype(np.float32)
    base = dense_net(seed=1)
    fused = keras.Sequential([keras.Input((4, 4, 1))] + [keras.layers.Flatten(), *[keras.layers.Dense.from_config(l.get_config()) for l in base.layers[1:]]])
    fused.layers[-1].activation = keras.activations.softmax
    fused.set_weights(base.get_weights())
    np.testing.assert_allclose(fused(x[None]).numpy().sum(), 1.0, rtol=1e-5)
    a, b = explain(fused, x, "gradient", target=2), explain(base, x, "gradient", target=2)
    np.testing.assert_allclose(a.attribution, b.attribution, rtol=1e-6, atol=1e-7)


def _gradcam_reference(model, layer_name, x, c):
    sub = keras.Model(model.inputs, [model.get_layer(layer_name).output, model.get_layer("logits").output])
    xt = tf.constant(x[None])
    with tf.GradientTape() as tape:
        A, logits = sub(xt)
        score = logits[:, c]
    g = tape.gradient(score, A).numpy()[0].astype(np.float64)
    A = A.numpy()[0].astype(np.float64)
    alpha = g.mean(axis=(0, 1))
    return np.maximum((A * alpha).sum(axis=-1), 0)


def test_gradcam_matches_numpy_recomputation(rng):
    model = small_convnet(seed=7)
    x = rng.uniform(-1, 1, (8, 8, 2)).astype(np.float32)
    for layer in ("c2", "c1"):
        for c in range(4):
            e = explain(model, x, "gradcam", target=c, layer=layer)
            ref = _gradcam_reference(model, layer, x, c)
            if ref.max() > 0:
                break
        assert ref.max() > 0, "degenerate test model"
        assert e.options["layer"] == layer
        rel_close(e.attribution, ref, rtol=1e-4)
        rel_close(e.heatmap, bilinear_half_pixel(ref, (8, 8)), rtol=1e-4)
    assert explain(model, x, "gradcam").options["layer"] == "c2"  # default: last conv layer


def test_guided_gradcam_is_product(rng):
    model = small_convnet(seed=7)
    x = rng.uniform(-1, 1, (8, 8, 2)).astype(np.float32)
    ops = ops_from_keras(model)
    c = int(np.argmax(model(x[None]).numpy()))
    e = explain(model, x, "guided_gradcam", target=Target.predicted())
    assert e.target == c and e.target_kind == "predicted"
    cam = bilinear_half_pixel(_gradcam_reference(model, "c2", x, c), (8, 8))
    expected = modified_backward(ops, x, c, "guided") * cam[..., None]
    rel_close(e.attribution, expected, rtol=1e-4)
    np.testing.assert_allclose(e.heatmap, np.abs(e.attribution).max(axis=-1), rtol=1e-6)


def test_default_cam_layer_follows_bn_and_activation():
    inp = keras.Input((8, 8, 1))
    h = keras.layers.Conv2D(2, 3, padding="same", name="conv")(inp)
    h = keras.layers.BatchNormalization(name="bn")(h)
    h = keras.layers.Activation("relu", name="act")(h)
    h = keras.layers.MaxPooling2D(name="pool")(h)
    out = keras.layers.Dense(2, activation="softmax")(keras.layers.Flatten()(h))
    model = keras.Model(inp, out)
    e = explain(model, np.zeros((8, 8, 1), np.float32), "gradcam", target=0)
    assert e.options["layer"] == "act"


def test_batch_equals_single_calls(rng):
    model = small_convnet(seed=4)
    xs = rng.uniform(-1, 1, (3, 8, 8, 2)).astype(np.float32)
    for method in ("gradient", "gradcam", "lrp.epsilon"):
        batch = explain_batch(model, xs, method, targets=[0, None, Target.true(3)])
        assert [b.target_kind for b in batch] == ["class", "predicted", "true"]
        for x, t, b in zip(xs, [0, None, 3], batch):
            single = explain(model, x, method, target=t)
            assert single.target == b.target
            np.testing.assert_allclose(b.attribution, single.attribution, rtol=1e-5, atol=1e-6)


def test_nested_model_is_inlined(rng):
    """A base network used as a layer (as in fine-tuned VGG-Face) explains like the flat model."""
    from painxai_gui.explain import layer_names

    flat = small_convnet(seed=13)
    base = keras.Sequential(flat.layers[:4], name="base")  # c1, p1, c2, flat
    head = keras.Sequential([flat.get_layer("d1"), flat.get_layer("logits"), flat.get_layer("softmax")], name="head")
    inp = keras.Input((8, 8, 2))
    nested = keras.Model(inp, head(base(inp)))
    x = rng.uniform(-1, 1, (8, 8, 2)).astype(np.float32)
    np.testing.assert_allclose(nested(x[None]).numpy(), flat(x[None]).numpy(), rtol=1e-6)
    assert layer_names(nested) == ["c1", "p1", "c2"]
    for method in ("gradient", "guided_backprop", "gradcam", "lrp.preset_b_flat"):
        a, b = explain(nested, x, method, target=1), explain(flat, x, method, target=1)
        np.testing.assert_allclose(a.attribution, b.attribution, rtol=1e-5, atol=1e-7)
        assert a.options == b.options
