"""Methods that explain one input at a time with many passes (SmoothGrad, IG, occlusion, LIME).

:class:`PerInputMethod` does what they all share -- one forward pass for the
logits of the batch (none when the caller recorded it: ``forward=``), target
resolution (-1 -> arg-max), progress counted in the method's own work units
over the whole batch, cancellation and the
:class:`~.base.Explanation` assembly -- and leaves one hook,
:meth:`PerInputMethod.explain_one`, like :class:`~.compiled.GraphMethod`
leaves :meth:`~.compiled.GraphMethod.build` (and pytorch-grad-cam's
``BaseCAM`` leaves ``get_cam_weights``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .base import Explanation, Hooks, Method
from .context import ModelContext


@dataclass(frozen=True, eq=False)
class Parts:
    """What :meth:`PerInputMethod.explain_one` returns for one input."""

    attribution: np.ndarray
    heatmap: np.ndarray
    segments: np.ndarray | None = None


class Progress:
    """Progress of one input inside its batch, in the method's work units.

    ``check()`` raises :class:`~.base.ExplainCancelled` when cancelled;
    ``advance(n)`` reports ``n`` more units done (batch-wide count and total).
    """

    def __init__(self, hooks: Hooks, method: str, done: int, total: int):
        self._hooks, self._method = hooks, method
        self.done, self.total = done, total

    def check(self) -> None:
        self._hooks.check(self._method)

    def advance(self, n: int) -> None:
        self.done += int(n)
        self._hooks.report(self.done, self.total)


class PerInputMethod(Method):
    """Base of the methods that loop over inputs; subclasses implement :meth:`explain_one`."""

    def work(self, ctx: ModelContext, options: dict[str, Any]) -> int:
        """Progress units of one input (samples, path points, patches); 1 if not overridden."""
        return 1

    def explain_one(self, ctx: ModelContext, x: np.ndarray, target: int, logits: np.ndarray, options: dict[str, Any],
                    progress: Progress, extras: dict[str, Any]) -> Parts:
        """The attribution and heatmap of ``x`` (H x W x C) for class ``target`` (resolved);
        ``logits``: the pre-softmax logits of ``x``."""
        raise NotImplementedError

    def run(self, ctx: ModelContext, xs: np.ndarray, targets: np.ndarray, options: dict[str, Any],
            hooks: Hooks, extras: dict[str, Any]) -> list[Explanation]:
        forward = extras.get("forward")
        logits = forward.logits if forward is not None else ctx.logits(xs)
        units = self.work(ctx, options)
        results = []
        for i, x in enumerate(xs):
            t = int(np.argmax(logits[i])) if targets[i] < 0 else int(targets[i])
            progress = Progress(hooks, self.id, i * units, len(xs) * units)
            parts = self.explain_one(ctx, x, t, logits[i], options, progress, extras)
            results.append(self.make(ctx, parts.attribution, parts.heatmap, t, logits[i], options, segments=parts.segments))
        return results
