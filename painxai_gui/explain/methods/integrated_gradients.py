"""Integrated Gradients (Sundararajan et al. 2017) with tf-explain 0.3.1's implementation.

tf-explain's ``IntegratedGradients`` works on Keras 3 when it is given a
callable returning the logits: we use its ``generate_linear_path`` (baseline
to input, both end points, ``steps`` points) and ``get_integrated_gradients``
(mean gradient of the target logit along the path), and multiply by
``x - baseline`` ourselves (tf-explain returns only the mean gradient). The
callable is our compiled replay of the model without the softmax. Caveat of
tf-explain: its ``tf.function`` traces once per class index and chunk length.
Display: signed sum over channels (IG is additive, like LRP).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..base import Option, chunks
from ..context import ModelContext
from ..per_input import Parts, PerInputMethod, Progress
from ..registry import register


@register
class IntegratedGradients(PerInputMethod):
    id = "integrated_gradients"
    display_name = "Integrated Gradients"
    signed = True
    summary = "Path integral of the gradient from a constant baseline to the input, times (x - baseline)."
    reference = "Sundararajan, Taly & Yan 2017"
    options = (
        Option("steps", int, 32, "Points on the straight path (end points included).", range=(2, None)),
        Option("baseline", float, 0.0, "Constant baseline value (in preprocessed units).", ),
        Option("batch_size", int, 16, "Path points per backward pass (speed only).", range=(1, None)),
    )

    def work(self, ctx: ModelContext, options: dict[str, Any]) -> int:
        return options["steps"]

    def explain_one(self, ctx: ModelContext, x: np.ndarray, target: int, logits: np.ndarray, options: dict[str, Any],
                    progress: Progress, extras: dict[str, Any]) -> Parts:
        from tf_explain.core.integrated_gradients import IntegratedGradients as TfExplainIG

        logits_fn = ctx.derived("logits_callable", lambda: _Logits(ctx.graph))
        steps = options["steps"]
        baseline = np.full(x.shape, options["baseline"], np.float32)
        path = np.asarray(TfExplainIG.generate_linear_path(baseline, x, steps), np.float32)
        mean_grad = np.zeros(x.shape, np.float64)
        for part in chunks(steps, options["batch_size"]):
            progress.check()
            count = part.stop - part.start
            grads = TfExplainIG.get_integrated_gradients(path[part], logits_fn, target, count)
            mean_grad += grads.numpy()[0] * count / steps
            progress.advance(count)
        attribution = ((x - baseline) * mean_grad).astype(np.float32)
        return Parts(attribution, attribution.sum(axis=-1))


class _Logits:
    """Callable ``x -> logits`` handed to tf-explain as its "model"."""

    def __init__(self, graph: Any):
        self.graph = graph

    def __call__(self, x: Any) -> Any:
        return self.graph.logits(x)
