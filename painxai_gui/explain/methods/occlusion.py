"""Occlusion (Zeiler & Fergus 2014): the drop of the target logit when a patch is hidden.

Own implementation: tf-explain 0.3.1's ``OcclusionSensitivity`` hard-codes the
patch value 127.5 (meaningless for preprocessed inputs in [-1, 1] or
mean-subtracted VGG inputs), uses non-overlapping patches only, and reports
``1 - probability``. Here patches of ``patch`` pixels slide with ``stride``
(auto: 1/7 of the image side, half-overlapping, the last row/column flush with
the border so every pixel is covered), are filled with ``fill`` (0 = the
preprocessed mid-grey / mean), and all occluded images run in batches through
the compiled forward pass. Attribution (H x W, signed): per pixel, the mean
of ``f_c(x) - f_c(x occluded)`` over the patches covering it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._lazy import tf
from ..base import Option, chunks
from ..context import ModelContext
from ..per_input import Parts, PerInputMethod, Progress
from ..registry import register


def windows(size: int, patch: int, stride: int) -> list[int]:
    starts = list(range(0, size - patch + 1, stride))
    if starts[-1] != size - patch:
        starts.append(size - patch)
    return starts


@register
class Occlusion(PerInputMethod):
    id = "occlusion"
    display_name = "Occlusion"
    signed = True
    summary = "Drop of the target logit when a sliding patch is hidden."
    reference = "Zeiler & Fergus 2014"
    options = (
        Option("patch", int, 0, "Patch side in pixels (0: auto, 1/7 of the image side).", range=(0, None)),
        Option("stride", int, 0, "Step between patches (0: auto, half the patch).", range=(0, None)),
        Option("fill", float, 0.0, "Value of the hidden patch (preprocessed units)."),
        Option("batch_size", int, 32, "Occluded images per forward pass (speed only).", range=(1, None)),
    )

    def bind(self, ctx: ModelContext, options: dict[str, Any]) -> dict[str, Any]:
        h, w, _ = ctx.input_shape
        patch = min(options["patch"] or max(1, round(min(h, w) / 7)), h, w)
        return {**options, "patch": patch, "stride": options["stride"] or max(1, patch // 2)}

    def work(self, ctx: ModelContext, options: dict[str, Any]) -> int:
        return len(self.boxes(ctx, options))

    @staticmethod
    def boxes(ctx: ModelContext, options: dict[str, Any]) -> list[tuple[int, int]]:
        h, w, _ = ctx.input_shape
        p, s = options["patch"], options["stride"]
        return [(y, x) for y in windows(h, p, s) for x in windows(w, p, s)]

    def explain_one(self, ctx: ModelContext, x: np.ndarray, target: int, logits: np.ndarray, options: dict[str, Any],
                    progress: Progress, extras: dict[str, Any]) -> Parts:
        forward, boxes, p = ctx.forward_fn(), self.boxes(ctx, options), options["patch"]
        reference = logits[target]
        drop, count = np.zeros(x.shape[:2], np.float64), np.zeros(x.shape[:2], np.float64)
        for part in chunks(len(boxes), options["batch_size"]):
            progress.check()
            batch = np.repeat(x[None], part.stop - part.start, axis=0)
            for k, (y0, x0) in enumerate(boxes[part]):
                batch[k, y0 : y0 + p, x0 : x0 + p] = options["fill"]
            scores = forward(tf.constant(batch)).numpy()[:, target]
            for (y0, x0), score in zip(boxes[part], scores):
                drop[y0 : y0 + p, x0 : x0 + p] += reference - score
                count[y0 : y0 + p, x0 : x0 + p] += 1
            progress.advance(part.stop - part.start)
        attribution = (drop / np.maximum(count, 1)).astype(np.float32)
        return Parts(attribution, attribution)
