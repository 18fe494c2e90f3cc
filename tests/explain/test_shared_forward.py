"""One recorded forward pass shared by prediction and the methods: the same numbers as each method's own pass.

Every method that starts from the forward pass gets ``forward=`` a recorded
pass of the same inputs and must give the heatmap and attribution it gives
without one (to float tolerance), on tiny seeded models, for a batch with
mixed targets; ``ctx.calls`` shows which compiled function actually ran.
"""

from __future__ import annotations

import numpy as np
import pytest

import keras
from keras import layers

from painxai_gui.explain import explain, explain_batch
from painxai_gui.explain.api import record_forward
from painxai_gui.explain.context import context_for

from explain_models import init, rel_close, small_convnet

SHARED = ("gradient", "deconvnet", "guided_backprop", "gradcam", "guided_gradcam", "lrp.z", "lrp.epsilon",
          "lrp.preset_a_flat", "lrp.preset_b_flat", "lrp.alpha_beta")
TARGETS = [None, 1, 3]


def mini_vggface(seed: int = 3) -> keras.Model:
    """VGG-Face's structure (conv blocks, max pools, fc relu activations, softmax) at 16 x 16 x 3."""
    from painxai_gui.model import build_vggface

    keras.utils.set_random_seed(seed)
    return build_vggface(4, (16, 16, 3), fc_units=8, blocks=((4, 2), (6, 1)))


def residual_net(seed: int = 5) -> keras.Model:
    """A skip connection (Add) around a conv, average pooling, a separable conv (two stages), no softmax."""
    inp = keras.Input((8, 8, 2))
    a = layers.Conv2D(3, 3, padding="same", activation="relu", kernel_initializer=init(seed), name="c1")(inp)
    b = layers.Conv2D(3, 3, padding="same", activation="relu", kernel_initializer=init(seed + 1), name="c2")(a)
    s = layers.Add(name="add")([a, b])
    s = layers.SeparableConv2D(4, 3, activation="relu", depthwise_initializer=init(seed + 2),
                               pointwise_initializer=init(seed + 3), name="sep")(s)
    s = layers.AveragePooling2D(2, name="avg")(s)
    out = layers.Dense(4, kernel_initializer=init(seed + 4), name="logits")(layers.Flatten()(s))
    return keras.Model(inp, out)


def inputs(model: keras.Model, n: int = 3, seed: int = 7) -> np.ndarray:
    shape = tuple(model.inputs[0].shape[1:])
    return np.random.default_rng(seed).normal(0.0, 1.0, (n, *shape)).astype(np.float32)


@pytest.fixture(scope="module", params=["small_convnet", "mini_vggface", "residual_net"])
def model(request) -> keras.Model:
    return {"small_convnet": small_convnet, "mini_vggface": mini_vggface, "residual_net": residual_net}[request.param]()


def test_the_recorded_outputs_are_the_models_outputs(model):
    xs = inputs(model)
    forward = record_forward(model, xs)
    rel_close(forward.outputs, model(xs).numpy(), 1e-5)
    if model.layers[-1].name.endswith("softmax"):
        e = np.exp(forward.logits - forward.logits.max(axis=1, keepdims=True))
        rel_close(forward.outputs, e / e.sum(axis=1, keepdims=True), 1e-5)
    else:
        np.testing.assert_array_equal(forward.outputs, forward.logits)
    assert not forward.outputs.flags.writeable and not forward.x.flags.writeable


@pytest.mark.parametrize("convention", ["standard", "thesis"])
@pytest.mark.parametrize("method", SHARED)
def test_shared_forward_gives_the_same_explanations(model, method, convention):
    xs = inputs(model)
    forward = record_forward(model, xs)
    ctx = context_for(model)
    own = explain_batch(model, xs, method, TARGETS, convention=convention)
    before = sum(n for k, n in ctx.calls.items() if k[-1] == "recorded")
    shared = explain_batch(model, xs, method, TARGETS, convention=convention, forward=forward)
    assert sum(n for k, n in ctx.calls.items() if k[-1] == "recorded") == before + 1  # it did start from it
    for a, b in zip(own, shared):
        assert (a.target, a.predicted, a.target_kind) == (b.target, b.predicted, b.target_kind)
        rel_close(b.heatmap, a.heatmap, 1e-5)
        rel_close(b.attribution, a.attribution, 1e-5)
        assert b.logit == pytest.approx(a.logit, rel=1e-5)  # alpha-beta (beta > 0) sums z+ and z-
        assert b.warnings == a.warnings


def test_the_four_methods_of_the_live_docks_on_one_input():
    """Gradient, Grad-CAM, LRP-Z and LRP-PresetAFlat on one input (the docks' case); LRP-Z's relevance
    from the shared pass still sums to the explained logit (zero biases: conservation)."""
    model = mini_vggface()
    x = inputs(model, 1)[0]
    forward = record_forward(model, x[None])
    for method in ("gradient", "gradcam", "lrp.z", "lrp.preset_a_flat"):
        own, shared = explain(model, x, method), explain(model, x, method, forward=forward)
        rel_close(shared.heatmap, own.heatmap, 1e-5)
    z = explain(model, x, "lrp.z", forward=forward)
    logit = float(forward.logits[0].max())
    assert z.logit == pytest.approx(logit, rel=1e-6)
    assert float(np.sum(z.attribution, dtype=np.float64)) == pytest.approx(logit, rel=1e-3)


def test_a_forward_of_other_inputs_or_another_model_is_ignored():
    model, other = small_convnet(0), small_convnet(1)
    xs = inputs(model)
    ctx = context_for(model)
    wrong = [record_forward(model, xs[::-1]), record_forward(other, xs), record_forward(model, xs[:2])]
    own = explain_batch(model, xs, "gradcam")
    recorded = ctx.calls[("gradcam", "c2", "recorded")]
    for forward in wrong:
        got = explain_batch(model, xs, "gradcam", forward=forward)
        for a, b in zip(own, got):
            np.testing.assert_array_equal(a.heatmap, b.heatmap)
    assert ctx.calls[("gradcam", "c2", "recorded")] == recorded  # never used


def test_folded_batchnorm_falls_back_to_the_methods_own_pass():
    """LRP folds a conv's BatchNormalization: the recorded pre-activations are not the folded layer's,
    so LRP runs its own pass (same answer), while Grad-CAM still starts from the recorded one."""
    inp = keras.Input((8, 8, 2))
    h = layers.Conv2D(3, 3, padding="same", kernel_initializer=init(11), name="c1")(inp)
    h = layers.BatchNormalization(name="bn",
                                  moving_mean_initializer=keras.initializers.Constant(0.2),
                                  moving_variance_initializer=keras.initializers.Constant(1.5))(h)
    h = layers.Activation("relu", name="r1")(h)
    out = layers.Dense(3, kernel_initializer=init(12), name="logits")(layers.Flatten()(h))
    model = keras.Model(inp, out)
    xs = inputs(model)
    forward = record_forward(model, xs)
    ctx = context_for(model)
    for method in ("lrp.z", "gradcam"):
        own = explain_batch(model, xs, method)
        shared = explain_batch(model, xs, method, forward=forward)
        for a, b in zip(own, shared):
            rel_close(b.heatmap, a.heatmap, 1e-5)
    assert ("lrp.z", "recorded") not in ctx.calls
    assert ctx.calls[("gradcam", "r1", "recorded")] == 1


def test_per_input_methods_take_the_logits_from_the_recorded_pass():
    model = small_convnet(2)
    xs = inputs(model, 2)
    forward = record_forward(model, xs)
    ctx = context_for(model)
    runs = ctx.calls[("forward",)]
    own = explain_batch(model, xs, "occlusion", TARGETS[:2], patch=4, stride=4)
    own_runs, runs = ctx.calls[("forward",)] - runs, ctx.calls[("forward",)]
    shared = explain_batch(model, xs, "occlusion", TARGETS[:2], patch=4, stride=4, forward=forward)
    assert ctx.calls[("forward",)] - runs == own_runs - 1  # the patches only, not the batch's logits
    for a, b in zip(own, shared):
        np.testing.assert_allclose(b.heatmap, a.heatmap, rtol=1e-5, atol=1e-6)
        assert a.target == b.target


def test_a_batch_larger_than_the_methods_batches_is_split_the_same_way():
    """GraphMethod runs 16 inputs at a time: the recorded values are sliced per chunk (18 = 16 + 2)."""
    model = small_convnet(4)
    xs = inputs(model, 18, seed=9)
    forward = record_forward(model, xs)
    ctx = context_for(model)
    for method, key in (("gradcam", ("gradcam", "c2", "recorded")), ("lrp.z", ("lrp.z", "recorded"))):
        own = explain_batch(model, xs, method)
        before = ctx.calls[key]
        shared = explain_batch(model, xs, method, forward=forward)
        assert ctx.calls[key] == before + 2  # two chunks, both from the recorded pass
        assert [e.target for e in own] == [e.target for e in shared]
        for a, b in zip(own, shared):
            rel_close(b.heatmap, a.heatmap, 1e-5)
