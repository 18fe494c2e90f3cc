"""LIME (Ribeiro et al. 2016) through the ``lime`` package (its perturbation, its ridge fit).

We only supply the classifier: a compiled forward pass run in large batches,
which also reports progress and checks cancellation between batches. Grayscale
models get RGB copies (LIME expects 3 channels) and channel 0 back. Quickshift
(LIME's defaults) runs on the image min-max scaled to [0, 1] -- the range LIME
sees for the usual uint8 images -- or option ``segments`` passes a
precomputed integer label map (e.g. facial-landmark regions). Note: with
scikit-image >= 0.22 LIME's segmentation wrapper drops its ``random_seed``
(quickshift then uses its fixed default), so quickshift is deterministic and
``seed`` only drives LIME's sampling.

Attribution: every pixel gets its segment's weight in the local linear model.
Heatmap: ``top_k_positive`` keeps the K most positive segments (thesis Fig.
5.16), ``positive_negative`` the K segments of largest |weight| (Fig. 5.17,
LIME's ``get_image_and_mask(positive_only=False)``); ``top_k=0`` keeps all.
"""

from __future__ import annotations

import contextlib
import functools
import threading
from typing import Any, Iterator

import numpy as np

from painxai_gui.errors import ExplainError

from .._lazy import tf
from ..base import Explanation, Hooks, Option
from ..context import ModelContext
from ..per_input import Parts, PerInputMethod, Progress
from ..registry import register

_TQDM_LOCK = threading.Lock()
_TQDM_USERS = [0, None]  # active runs, original tqdm


@contextlib.contextmanager
def _quiet_lime() -> Iterator[None]:
    """Silence lime's per-sample tqdm bar (we report progress ourselves)."""
    from lime import lime_image

    with _TQDM_LOCK:
        if _TQDM_USERS[0] == 0:
            _TQDM_USERS[1] = lime_image.tqdm
            lime_image.tqdm = functools.partial(lime_image.tqdm, disable=True)
        _TQDM_USERS[0] += 1
    try:
        yield
    finally:
        with _TQDM_LOCK:
            _TQDM_USERS[0] -= 1
            if _TQDM_USERS[0] == 0:
                lime_image.tqdm = _TQDM_USERS[1]


def segment_weights(segments: np.ndarray, weights: dict[int, float], mode: str, k: int) -> np.ndarray:
    """The display map: per-pixel weight of the selected segments, 0 elsewhere."""
    ranked = sorted(weights.items(), key=lambda kv: -abs(kv[1]))
    if mode == "top_k_positive":
        ranked = sorted(((s, w) for s, w in weights.items() if w > 0), key=lambda kv: -kv[1])
    keep = dict(ranked[:k] if k > 0 else ranked)
    table = np.array([keep.get(s, 0.0) for s in range(segments.max() + 1)], dtype=np.float32)
    return table[segments]


@register
class Lime(PerInputMethod):
    id = "lime"
    display_name = "LIME"
    signed = True
    summary = "Weights of image segments in a local linear model fitted to perturbed predictions."
    reference = "Ribeiro, Singh & Guestrin 2016"
    hooks = ("progress", "cancel", "segments")
    options = (
        Option("num_samples", int, 1000, "Number of perturbed images.", range=(10, None)),
        Option("seed", int, 0, "LIME's random_state: which segments each sample hides (reproducible output).", range=(0, 2**31 - 1)),
        Option("hide_color", float, None, "Value of hidden segments; None: each segment's mean colour.", nullable=True),
        Option("segmentation", str, "quickshift", "quickshift, or precomputed (pass segments=HxW labels).", choices=("quickshift", "precomputed")),
        Option("kernel_size", float, 4.0, "Quickshift kernel_size.", range=(0.0, None)),
        Option("max_dist", float, 200.0, "Quickshift max_dist.", range=(0.0, None)),
        Option("ratio", float, 0.2, "Quickshift ratio (colour vs. space).", range=(0.0, 1.0)),
        Option("mode", str, "top_k_positive", "Heatmap: top-K positive segments, or top-K by |weight| of both signs.", choices=("top_k_positive", "positive_negative")),
        Option("top_k", int, 3, "K segments in the heatmap (0: all).", range=(0, None)),
        Option("kernel_width", float, 0.25, "LIME's kernel width on the cosine distance.", range=(0.0, None)),
        Option("output", str, "probability", "Model output the local model fits.", choices=("probability", "logit")),
        Option("batch_size", int, 32, "Images per forward pass (speed only).", range=(1, None)),
    )

    def run(self, ctx: ModelContext, xs: np.ndarray, targets: np.ndarray, options: dict[str, Any],
            hooks: Hooks, extras: dict[str, Any]) -> list[Explanation]:
        """Checks the segments hook (the record says 'precomputed' when segments are given), then the base loop."""
        if extras.get("segments") is not None:
            options = {**options, "segmentation": "precomputed"}
        elif options["segmentation"] == "precomputed":
            raise ExplainError("lime: segmentation 'precomputed' needs segments=<H x W integer labels>")
        return super().run(ctx, xs, targets, options, hooks, extras)

    def work(self, ctx: ModelContext, options: dict[str, Any]) -> int:
        return options["num_samples"]

    def explain_one(self, ctx: ModelContext, x: np.ndarray, target: int, logits: np.ndarray, options: dict[str, Any],
                    progress: Progress, extras: dict[str, Any]) -> Parts:
        labels, weights = self._fit(ctx, x, target, options, extras.get("segments"), progress)
        attribution = segment_weights(labels, weights, "positive_negative", 0)
        heatmap = segment_weights(labels, weights, options["mode"], options["top_k"])
        return Parts(attribution, heatmap, segments=labels)

    def _fit(self, ctx: ModelContext, x: np.ndarray, target: int, options: dict[str, Any],
             segments: Any, progress: Progress) -> tuple[np.ndarray, dict[int, float]]:
        from lime import lime_image
        from lime.wrappers.scikit_image import SegmentationAlgorithm

        channels = x.shape[-1]
        image = np.repeat(x, 3, axis=-1) if channels == 1 else x
        if image.shape[-1] != 3:
            raise ExplainError(f"lime needs 1- or 3-channel inputs, got {channels} channels")
        forward = ctx.forward_fn()

        def classifier(images: np.ndarray) -> np.ndarray:
            progress.check()
            batch = np.asarray(images[..., :1] if channels == 1 else images, dtype=np.float32)
            out = forward(tf.constant(batch)).numpy()
            if options["output"] == "probability":
                out = np.exp(out - out.max(axis=1, keepdims=True))
                out /= out.sum(axis=1, keepdims=True)
            progress.advance(len(images))
            return out

        if segments is not None:
            labels = _relabel(segments, x.shape[:2])
            segmentation = lambda img: labels  # noqa: E731
        else:
            quickshift = SegmentationAlgorithm("quickshift", kernel_size=options["kernel_size"], max_dist=options["max_dist"],
                                               ratio=options["ratio"], random_seed=options["seed"])
            segmentation = lambda img: quickshift(_unit_range(img))  # noqa: E731
        explainer = lime_image.LimeImageExplainer(kernel_width=options["kernel_width"], random_state=options["seed"])
        with _quiet_lime():
            exp = explainer.explain_instance(
                image, classifier, labels=(target,), top_labels=None, hide_color=options["hide_color"],
                num_features=100000, num_samples=options["num_samples"], batch_size=options["batch_size"],
                segmentation_fn=segmentation, random_seed=options["seed"],
            )
        return np.asarray(exp.segments), {int(s): float(w) for s, w in exp.local_exp[target]}


def _unit_range(image: np.ndarray) -> np.ndarray:
    lo, hi = float(image.min()), float(image.max())
    return ((image - lo) / (hi - lo) if hi > lo else np.zeros_like(image)).astype(np.float64)


def _relabel(segments: Any, shape: tuple[int, int]) -> np.ndarray:
    """Precomputed labels -> 0..n-1 (LIME indexes features by label value)."""
    segments = np.asarray(segments)
    if segments.shape != tuple(shape) or not np.issubdtype(segments.dtype, np.integer):
        raise ExplainError(f"lime: segments must be an integer {shape[0]} x {shape[1]} label map, got {segments.dtype} {segments.shape}")
    _, labels = np.unique(segments, return_inverse=True)
    return labels.reshape(shape).astype(np.int64)
