"""SmoothGrad (Smilkov et al. 2017): the gradient averaged over noisy copies of the input.

Own implementation on top of our compiled ``gradient`` function (same trace),
because tf-explain 0.3.1's ``SmoothGrad`` does not fit the contract: it
differentiates the categorical cross-entropy of the model *output* (the
softmax probabilities), not the pre-softmax logit; its noise is an absolute
std drawn from NumPy's global, unseeded generator; and it traces a new graph
for every class index. Here the noise std is ``noise * (max(x) - min(x))``
(the paper's parametrisation) from a seeded generator, the target is resolved
on the clean input, and samples run in batches. Display: ``max_c |.|``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._lazy import tf
from ..base import Option, chunks
from ..context import ModelContext
from ..per_input import Parts, PerInputMethod, Progress
from ..registry import METHODS, register


@register
class SmoothGrad(PerInputMethod):
    id = "smoothgrad"
    display_name = "SmoothGrad"
    summary = "Gradient averaged over noisy copies of the input."
    reference = "Smilkov et al. 2017"
    options = (
        Option("samples", int, 25, "Number of noisy copies.", range=(1, None)),
        Option("noise", float, 0.15, "Noise std as a fraction of the input's value range.", range=(0.0, None)),
        Option("seed", int, 0, "Seed of the noise.", range=(0, None)),
        Option("batch_size", int, 16, "Copies per backward pass (speed only).", range=(1, None)),
    )

    def work(self, ctx: ModelContext, options: dict[str, Any]) -> int:
        return options["samples"]

    def explain_one(self, ctx: ModelContext, x: np.ndarray, target: int, logits: np.ndarray, options: dict[str, Any],
                    progress: Progress, extras: dict[str, Any]) -> Parts:
        grad_fn = METHODS["gradient"].function(ctx, METHODS["gradient"].resolve_options({}))
        n, rng = options["samples"], np.random.default_rng(options["seed"])
        sigma = options["noise"] * float(x.max() - x.min())
        total = np.zeros(x.shape, np.float64)
        for part in chunks(n, options["batch_size"]):
            progress.check()
            count = part.stop - part.start
            noisy = (x[None] + rng.normal(0.0, sigma, (count, *x.shape))).astype(np.float32)
            out = grad_fn(tf.constant(noisy), tf.fill([count], tf.constant(target, tf.int32)))
            total += out["attribution"].numpy().sum(axis=0)
            progress.advance(count)
        mean = (total / n).astype(np.float32)
        return Parts(mean, np.abs(mean).max(axis=-1))
