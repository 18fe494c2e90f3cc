"""Compiled-graph cache (no endless retracing), progress and cancellation hooks."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from explain_models import small_convnet
from painxai_gui.explain import ExplainCancelled, Target, clear_cache, explain, explain_batch
from painxai_gui.explain.context import context_for


def test_repeated_calls_trace_once_per_method(rng):
    model = small_convnet(seed=5)
    ctx = context_for(model)
    xs = rng.uniform(-1, 1, (5, 8, 8, 2)).astype(np.float32)
    for method in ("gradient", "guided_backprop", "gradcam", "lrp.preset_b_flat"):
        for i, target in enumerate([None, 0, 1, 2, 3, Target.true(1)]):
            explain(model, xs[i % 5], method, target=target)
        explain_batch(model, xs, method, targets=[0, 1, 2, 3, None])
        explain_batch(model, xs[:2], method)
    assert dict(ctx.traces) == {
        ("gradient",): 1, ("guided_backprop",): 1, ("gradcam", "c2"): 1, ("lrp.preset_b_flat",): 1,
    }
    # a graph-changing option gets its own trace; the default one is not retraced
    explain(model, xs[0], "gradcam", layer="c1")
    explain(model, xs[0], "gradcam", layer="c2")
    assert ctx.traces[("gradcam", "c1")] == 1 and ctx.traces[("gradcam", "c2")] == 1
    # smoothgrad reuses the gradient trace
    explain(model, xs[0], "smoothgrad", samples=3)
    assert ctx.traces[("gradient",)] == 1
    assert context_for(model) is ctx


def test_clear_cache_forgets_models():
    model = small_convnet(seed=6)
    ctx = context_for(model)
    clear_cache()
    assert context_for(model) is not ctx


def test_lime_reports_progress_and_can_be_cancelled(rng):
    model = small_convnet(seed=8)
    x = rng.uniform(-1, 1, (8, 8, 2)).astype(np.float32)
    seen = []
    segments = np.arange(64).reshape(8, 8) // 16
    # 2-channel inputs are not images LIME can take
    with pytest.raises(Exception, match="1- or 3-channel"):
        explain(model, x, "lime", num_samples=20, segments=segments)
    model3 = _three_channel_model()
    x3 = rng.uniform(-1, 1, (8, 8, 3)).astype(np.float32)
    explain(model3, x3, "lime", num_samples=50, batch_size=20, segments=segments,
            progress=lambda done, total: seen.append((done, total)))
    assert seen == [(20, 50), (40, 50), (50, 50)]

    stop = threading.Event()

    def progress(done, total):
        stop.set()  # cancel after the first batch

    with pytest.raises(ExplainCancelled):
        explain(model3, x3, "lime", num_samples=50, batch_size=10, segments=segments, progress=progress, cancel=stop)
    # the next run is unaffected (lime's progress bar patch was restored, nothing left half-done)
    from lime import lime_image
    import tqdm.auto

    assert lime_image.tqdm is tqdm.auto.tqdm
    explain(model3, x3, "lime", num_samples=20, segments=segments)


def test_cancel_before_start_and_batch_progress(rng):
    model = small_convnet(seed=9)
    xs = rng.uniform(-1, 1, (40, 8, 8, 2)).astype(np.float32)
    with pytest.raises(ExplainCancelled):
        explain(model, xs[0], "lrp.z", cancel=lambda: True)
    seen = []
    explain_batch(model, xs, "gradient", progress=lambda d, t: seen.append((d, t)))
    assert seen == [(16, 40), (32, 40), (40, 40)]
    seen.clear()
    explain(model, xs[0], "occlusion", patch=2, stride=2, batch_size=8, progress=lambda d, t: seen.append((d, t)))
    assert seen[-1] == (16, 16) and len(seen) == 2


def _three_channel_model():
    import keras
    from keras import layers

    return keras.Sequential([
        keras.Input((8, 8, 3)), layers.Conv2D(2, 3, activation="relu", kernel_initializer=keras.initializers.RandomNormal(seed=1)),
        layers.Flatten(), layers.Dense(3, kernel_initializer=keras.initializers.RandomNormal(seed=2)),
        layers.Activation("softmax"),
    ])
