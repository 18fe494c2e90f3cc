"""The `convention` option: `thesis` reproduces iNNvestigate 1.0.x / keras-gradcam (issue 14), by hand.

Every expected number below is computed by hand or in NumPy from the
definitions in methods.md ("Two conventions"), never by the engine itself.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

import keras
from explain_models import init, rel_close, small_convnet
from explain_npref import bilinear_half_pixel, lrp, modified_backward, ops_from_keras
from keras import layers
from painxai_gui.explain import METHODS, explain
from painxai_gui.explain.base import CONVENTIONS, EXPLOSION_FACTOR
from painxai_gui.explain.context import context_for


def _set(layer, *weights) -> None:
    layer.set_weights([np.asarray(w, np.float32) for w in weights])


# ----------------------------------------------------------------- the option
def test_every_method_has_the_convention_option():
    for method in METHODS.values():
        opt = method.option("convention")
        assert opt.choices == CONVENTIONS == ("standard", "thesis") and opt.default == "standard"
        assert [o.name for o in method.options].count("convention") == 1
    differ = {m.id for m in METHODS.values() if m.thesis_convention}
    assert differ == {"deconvnet", "guided_backprop", "gradcam", "guided_gradcam", "lrp.z", "lrp.epsilon",
                      "lrp.preset_a_flat", "lrp.preset_b_flat", "lrp.alpha_beta"}


@pytest.mark.parametrize("method, options", [
    ("gradient", {}), ("smoothgrad", {"samples": 3}), ("integrated_gradients", {"steps": 4}),
    ("occlusion", {"patch": 4, "stride": 4}),
])
def test_equal_conventions_are_accepted_and_change_nothing(rng, method, options):
    model = small_convnet(seed=31)
    x = rng.uniform(-1, 1, (8, 8, 2)).astype(np.float32)
    a = explain(model, x, method, target=2, **options)
    b = explain(model, x, method, target=2, convention="thesis", **options)
    assert a.options["convention"] == "standard" and b.options["convention"] == "thesis"
    np.testing.assert_array_equal(a.attribution, b.attribution)


def test_thesis_gets_its_own_trace_and_standard_keeps_its_key(rng):
    model = small_convnet(seed=32)
    ctx = context_for(model)
    x = rng.uniform(-1, 1, (8, 8, 2)).astype(np.float32)
    for convention in ("standard", "thesis", "thesis"):
        explain(model, x, "lrp.preset_b_flat", convention=convention)
        explain(model, x, "gradient", convention=convention)
    assert ctx.traces[("lrp.preset_b_flat",)] == 1 and ctx.traces[("lrp.preset_b_flat", "thesis")] == 1
    assert ctx.traces[("gradient",)] == 1 and ("gradient", "thesis") not in ctx.traces  # equal: one trace


# ------------------------------------------------- alpha-beta bias (AB), flag
def _dense1(w, b) -> keras.Model:
    inp = keras.Input((1, 2, 1))
    dense = layers.Dense(1, name="d")
    model = keras.Model(inp, dense(layers.Flatten()(inp)))
    _set(dense, np.array(w).reshape(2, 1), [b])
    return model


def test_alpha_beta_full_bias_dense1_alpha1_beta0():
    """issue 14's minimal case: w = [1, -1], b = -0.5, x = [2, 1]; z+ = 2 + b (thesis) or 2 + b+ (standard)."""
    model = _dense1([1.0, -1.0], -0.5)
    x = np.array([2.0, 1.0], np.float32).reshape(1, 2, 1)
    thesis = explain(model, x, "lrp.alpha_beta", convention="thesis")
    standard = explain(model, x, "lrp.alpha_beta")
    assert thesis.logit == pytest.approx(0.5)
    np.testing.assert_allclose(thesis.attribution.ravel(), [2 / 1.5 * 0.5, 0.0], rtol=1e-6)  # [0.667, 0]
    np.testing.assert_allclose(standard.attribution.ravel(), [2 / 2.0 * 0.5, 0.0], rtol=1e-6)  # [0.5, 0]
    assert thesis.warnings == standard.warnings == ()
    assert thesis.options["convention"] == "thesis"


def test_alpha_beta_full_bias_explodes_and_is_flagged():
    """alpha = 2, beta = 1, b = +0.5, x = [1, 0.5]: z- = -0.5 + 0.5 = 0 -> iNNvestigate divides by 1e-7."""
    model = _dense1([1.0, -1.0], 0.5)
    x = np.array([1.0, 0.5], np.float32).reshape(1, 2, 1)
    thesis = explain(model, x, "lrp.alpha_beta", alpha=2.0, beta=1.0, convention="thesis")
    assert thesis.logit == pytest.approx(1.0)
    # R = 2 * p / z+ * R_out - 1 * n / z- * R_out, z+ = 1 + 0.5, z- = 0 -> 1e-7
    np.testing.assert_allclose(thesis.attribution.ravel(), [2 * 1 / 1.5, 0.5 / 1e-7], rtol=1e-5)  # [1.333, 5e6]
    assert len(thesis.warnings) == 1 and "relevance exploded" in thesis.warnings[0]
    assert f"limit {EXPLOSION_FACTOR:g} x" in thesis.warnings[0]
    standard = explain(model, x, "lrp.alpha_beta", alpha=2.0, beta=1.0)
    # standard: z+ = 1 + b+ = 1.5, z- = -0.5 + b- = -0.5
    np.testing.assert_allclose(standard.attribution.ravel(), [2 * 1 / 1.5, -1.0], rtol=1e-6)
    assert standard.warnings == ()


def _ab_not_first(w, b) -> keras.Model:
    """1x1 identity conv (the presets' flat first layer), then a (1, 2) conv that is the Dense(1) above."""
    inp = keras.Input((1, 2, 1))
    first, ab = layers.Conv2D(1, 1, name="first"), layers.Conv2D(1, (1, 2), name="ab")
    model = keras.Model(inp, layers.Flatten()(ab(first(inp))))
    _set(first, np.ones((1, 1, 1, 1)), [0.0])
    _set(ab, np.array(w).reshape(1, 2, 1, 1), [b])
    return model


def test_presets_use_the_full_bias_under_thesis():
    model = _ab_not_first([1.0, -1.0], -0.5)
    x = np.array([2.0, 1.0], np.float32).reshape(1, 2, 1)
    a_thesis = explain(model, x, "lrp.preset_a_flat", convention="thesis")
    a_standard = explain(model, x, "lrp.preset_a_flat")
    np.testing.assert_allclose(a_thesis.attribution.ravel(), [2 / 1.5 * 0.5, 0.0], rtol=1e-6)
    np.testing.assert_allclose(a_standard.attribution.ravel(), [0.5, 0.0], rtol=1e-6)
    model = _ab_not_first([1.0, -1.0], 0.5)
    x = np.array([1.0, 0.5], np.float32).reshape(1, 2, 1)
    b_thesis = explain(model, x, "lrp.preset_b_flat", convention="thesis")
    np.testing.assert_allclose(b_thesis.attribution.ravel(), [2 / 1.5, 0.5 / 1e-7], rtol=1e-5)
    assert b_thesis.warnings and not explain(model, x, "lrp.preset_b_flat").warnings


@pytest.mark.parametrize("method, rules, first, options", [
    ("lrp.preset_b_flat", {"conv": ("abfull", 2.0, 1.0), "dense": ("epsilon", 0.1)}, ("flat",), {}),
    ("lrp.preset_a_flat", {"conv": ("abfull", 1.0, 0.0), "dense": ("epsilon", 0.1)}, ("flat",), {}),
    ("lrp.alpha_beta", {"conv": ("abfull", 2.0, 1.0), "dense": ("abfull", 2.0, 1.0)}, None, {"alpha": 2.0, "beta": 1.0}),
])
def test_thesis_alpha_beta_matches_numpy_on_a_convnet(rng, method, rules, first, options):
    model = small_convnet(seed=21, bias=True)
    x = rng.uniform(-1, 1, (8, 8, 2)).astype(np.float32)
    for c in (0, 3):
        e = explain(model, x, method, target=c, convention="thesis", **options)
        expected = lrp(ops_from_keras(model), x, c, rules, first)
        rel_close(e.attribution, expected, rtol=5e-4)
        assert not np.allclose(e.attribution, explain(model, x, method, target=c, **options).attribution)


# ------------------------------------------------------------ BatchNorm (BN)
def _bn_net() -> keras.Model:
    """x (2) -> Dense(2) identity -> BN (mu 0.5, scale 2, beta [1, -1]) -> Dense(1) ones: y = [2, 2], logit 4."""
    inp = keras.Input((1, 2, 1))
    d1, bn, d2 = layers.Dense(2, name="d1"), layers.BatchNormalization(name="bn"), layers.Dense(1, name="d2")
    model = keras.Model(inp, d2(bn(d1(layers.Flatten()(inp)))))
    _set(d1, np.eye(2), [0.0, 0.0])
    _set(bn, [1.0, 1.0], [1.0, -1.0], [0.5, 0.5], [0.25 - 1e-3] * 2)  # gamma, beta, mean, var: scale 1/sqrt(0.25) = 2
    _set(d2, [[1.0], [1.0]], [0.0])
    return model


def test_batchnorm_as_its_own_layer_under_thesis():
    model = _bn_net()
    x = np.array([1.0, 2.0], np.float32).reshape(1, 2, 1)
    thesis = explain(model, x, "lrp.epsilon", epsilon=1.0, convention="thesis")
    standard = explain(model, x, "lrp.epsilon", epsilon=1.0)
    assert thesis.logit == pytest.approx(4.0, rel=1e-5)
    # d2 (eps 1): R_y = y * 1 / (4 + 1) * 4 = [1.6, 1.6]
    # thesis BN: R_h = h (y - beta) / ((h - mu) y) R_y = [1*1/(0.5*2), 2*3/(1.5*2)] * 1.6 = [1.6, 3.2]
    #           d1 (eps 1, z = h): R_x = [1/(1+1) * 1.6, 2/(2+1) * 3.2]
    np.testing.assert_allclose(thesis.attribution.ravel(), [0.8, 2 / 3 * 3.2], rtol=1e-5)
    # standard: BN folded into d1: W' = 2 I, b' = [0, -2], z' = y = [2, 2]: R_x = x * 2 / (2 + 1) * 1.6
    np.testing.assert_allclose(standard.attribution.ravel(), [1 * 2 / 3 * 1.6, 2 * 2 / 3 * 1.6], rtol=1e-5)
    # equal for LRP-Z (the issue: "equal for LRP-Z"), up to the stabilisers
    np.testing.assert_allclose(explain(model, x, "lrp.z", convention="thesis").attribution,
                               explain(model, x, "lrp.z").attribution, rtol=1e-5)


# ------------------------------------------------- which layer is first (FIRST)
def test_flat_only_for_layers_fed_straight_by_the_input():
    """ZeroPadding2D first: thesis gives the conv alpha-beta, standard the flat rule."""
    inp = keras.Input((1, 1, 1))
    conv = layers.Conv2D(1, (1, 2), name="conv")
    model = keras.Model(inp, layers.Flatten()(conv(layers.ZeroPadding2D(((0, 0), (0, 1)))(inp))))
    _set(conv, np.array([1.0, -1.0]).reshape(1, 2, 1, 1), [-0.5])
    x = np.full((1, 1, 1), 2.0, np.float32)  # conv sees [2, 0]: z = 2 - 0.5 = 1.5
    thesis = explain(model, x, "lrp.preset_a_flat", convention="thesis")
    standard = explain(model, x, "lrp.preset_a_flat")
    np.testing.assert_allclose(thesis.attribution.ravel(), [2 / (2 - 0.5) * 1.5], rtol=1e-6)  # AB(1, 0), full bias
    np.testing.assert_allclose(standard.attribution.ravel(), [1.5 / 2], rtol=1e-6)  # flat: half goes to the padding


def test_input_fed_layers_look_through_flatten_reshape_only():
    from painxai_gui.explain.lrp.first import first_layers, input_fed_layers

    inp = keras.Input((6, 6, 1))
    a = layers.Conv2D(2, 3, name="direct")(inp)
    b = layers.Conv2D(2, 3, name="after_pad")(layers.ZeroPadding2D(1)(inp))
    c = layers.Conv2D(2, 3, name="after_rescale")(layers.Rescaling(0.5)(inp))
    d = layers.Dense(2, name="after_flatten")(layers.Flatten()(inp))
    e = layers.Dense(2, name="after_reshape")(layers.Reshape((36,))(inp))
    f = layers.Dense(2, name="after_dropout")(layers.Dropout(0.5)(layers.Flatten()(inp)))
    g = layers.Conv2D(2, 1, name="second")(a)
    heads = [layers.Flatten()(t) for t in (a, b, c, g)] + [d, e, f]
    model = keras.Model(inp, layers.Dense(2, name="out")(layers.Concatenate()(heads)))
    graph = context_for(model).graph
    names = lambda ids: {graph.nodes[i].name for i in ids}  # noqa: E731
    assert names(input_fed_layers(graph)) == {"direct", "after_flatten", "after_reshape"}
    assert names(first_layers(graph)) == {"direct", "after_pad", "after_rescale", "after_flatten", "after_reshape",
                                          "after_dropout"}


# ------------------------------------------------------------------ seed (SEED)
def _deconv_net() -> keras.Model:
    inp = keras.Input((1, 2, 1))
    d1, d2 = layers.Dense(2, activation="relu", name="d1"), layers.Dense(1, name="d2")
    model = keras.Model(inp, d2(d1(layers.Flatten()(inp))))
    _set(d1, np.eye(2), [0.0, 0.0])
    _set(d2, [[1.0], [-2.0]], [0.0])
    return model


def test_deconvnet_thesis_starts_from_the_logit():
    model = _deconv_net()
    x = np.array([1.0, 1.0], np.float32).reshape(1, 2, 1)  # h = [1, 1], logit = 1 - 2 = -1
    standard = explain(model, x, "deconvnet")
    thesis = explain(model, x, "deconvnet", convention="thesis")
    assert thesis.logit == pytest.approx(-1.0)
    np.testing.assert_allclose(standard.attribution.ravel(), [1.0, 0.0])  # relu([1, -2]) = [1, 0]
    np.testing.assert_allclose(thesis.attribution.ravel(), [0.0, 2.0])  # relu(-1 * [1, -2]) = [0, 2]: explains -logit
    x = np.array([4.0, 1.0], np.float32).reshape(1, 2, 1)  # logit = 4 - 2 = 2: twice the standard map
    np.testing.assert_allclose(explain(model, x, "deconvnet", convention="thesis").attribution,
                               2.0 * explain(model, x, "deconvnet").attribution)


def test_deconvnet_thesis_matches_numpy_on_a_convnet(rng):
    model = small_convnet(seed=23)
    x = rng.uniform(-1, 1, (8, 8, 2)).astype(np.float32)
    ops = ops_from_keras(model)
    for c in range(4):
        e = explain(model, x, "deconvnet", target=c, convention="thesis")
        rel_close(e.attribution, modified_backward(ops, x, c, "deconvnet", seed=e.logit), rtol=1e-4)


# ------------------------------------------------- keras-gradcam: Grad-CAM, guided
def _cam_net(seed: int = 41) -> keras.Model:
    """8x8x1 -> conv(3, relu) -> maxpool 2 -> conv(2, relu) [A: 4x4x2] -> flatten -> dense 3 -> softmax."""
    return keras.Sequential([
        keras.Input((8, 8, 1)),
        layers.Conv2D(3, 3, padding="same", activation="relu", kernel_initializer=init(seed), bias_initializer=init(seed + 5, 0.1)),
        layers.MaxPooling2D(2),
        layers.Conv2D(2, 3, padding="same", activation="relu", kernel_initializer=init(seed + 1), name="last_conv"),
        layers.Flatten(),
        layers.Dense(3, kernel_initializer=init(seed + 2), name="logits"),
        layers.Activation("softmax"),
    ])


def test_gradcam_thesis_differentiates_the_softmax_then_resizes_relus_and_normalises(rng):
    model = _cam_net()
    x = rng.uniform(-1, 1, (8, 8, 1)).astype(np.float32)
    A = keras.Model(model.inputs, model.get_layer("last_conv").output)(x[None]).numpy()[0].astype(np.float64)
    V, bias = (w.astype(np.float64) for w in model.get_layer("logits").get_weights())
    z = A.ravel() @ V + bias
    p = np.exp(z - z.max()) / np.exp(z - z.max()).sum()
    for c in range(3):
        dp_dz = p[c] * (np.eye(3)[c] - p)  # d softmax_c / d z_k
        grads = (V @ dp_dz).reshape(A.shape)
        cam = A @ grads.mean(axis=(0, 1))  # keras-gradcam: np.dot(output, weights)
        expected = np.maximum(cv2.resize(cam.astype(np.float32), (8, 8), interpolation=cv2.INTER_LINEAR), 0)
        np.testing.assert_allclose(expected, np.maximum(bilinear_half_pixel(cam, (8, 8)), 0), atol=1e-6)
        if expected.max() > 0:
            expected = expected / expected.max()
        e = explain(model, x, "gradcam", target=c, convention="thesis")
        assert e.attribution.shape == (8, 8) and e.options["layer"] == "last_conv"
        np.testing.assert_allclose(e.attribution, expected, atol=2e-5)
        np.testing.assert_allclose(e.heatmap, expected, atol=2e-5)
    standard = explain(model, x, "gradcam", target=0)
    assert standard.attribution.shape == (4, 4)


def test_guided_backprop_thesis_is_class_independent(rng):
    model = _cam_net(seed=43)
    x = rng.uniform(-1, 1, (8, 8, 1)).astype(np.float32)
    maps = [explain(model, x, "guided_backprop", target=c, convention="thesis") for c in range(3)]
    for m in maps[1:]:
        np.testing.assert_array_equal(m.attribution, maps[0].attribution)
    assert [m.target for m in maps] == [0, 1, 2]
    # NumPy: guided backward of sum(A), A = the last conv layer after its ReLU
    trunk = keras.Sequential([keras.Input((8, 8, 1)), *model.layers[:3]])
    expected = modified_backward(ops_from_keras(trunk), x, None, "guided")
    assert np.abs(expected).max() > 1e-3
    rel_close(maps[0].attribution, expected, rtol=1e-4)
    standard = [explain(model, x, "guided_backprop", target=c).attribution for c in range(3)]
    assert not np.allclose(standard[0], standard[1])  # the textbook map depends on the class
    # guided Grad-CAM thesis = that map x the thesis Grad-CAM map
    for c in range(3):
        cam = explain(model, x, "gradcam", target=c, convention="thesis").attribution
        ggc = explain(model, x, "guided_gradcam", target=c, convention="thesis")
        np.testing.assert_allclose(ggc.attribution, maps[0].attribution * cam[..., None], rtol=1e-5, atol=1e-7)
