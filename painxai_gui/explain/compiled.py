"""Methods computed by one compiled function ``(x, target) -> tensors``, and its helpers.

A :class:`GraphMethod` only says how to build the traced body; batching,
caching (one trace per model and graph-changing options), cancellation
between batches and the :class:`~.base.Explanation` assembly live here.
"""

from __future__ import annotations

from typing import Any, Callable, ClassVar

import numpy as np

from ._lazy import tf
from .base import Explanation, Hooks, Method, chunks
from .context import ModelContext
from .forward import record_values

Body = Callable[[Any, Any], dict[str, Any]]


class GraphMethod(Method):
    """A method whose whole computation is one traced TensorFlow function.

    Subclasses implement :meth:`build` (and, when the method starts from the
    forward pass, :meth:`build_recorded`: given ``forward=`` a recorded pass,
    it is used instead of running the model again), returning ``body(x, t)`` that maps a
    batch ``x`` (B, H, W, C) and target codes ``t`` (B,) (-1 = predicted) to a
    dict with ``attribution``, ``heatmap``, ``target`` and ``logits``.
    ``graph_options`` names the options that change the traced graph (part of
    the cache key); all other options must not influence the body. The thesis
    convention, where it differs, gets its own trace (key suffix ``"thesis"``).
    """

    graph_options: ClassVar[tuple[str, ...]] = ()
    batch_size: ClassVar[int] = 16

    def build(self, ctx: ModelContext, options: dict[str, Any]) -> Body:
        """``body(x, t)``. By default the forward pass recorded inside the trace, then
        :meth:`build_recorded`'s body: one implementation serves a batch and a recorded pass.
        Methods that cannot start from a recorded pass override this."""
        recorded = self.build_recorded(ctx, options)
        if recorded is None:
            raise NotImplementedError(f"{type(self).__name__} defines neither build nor build_recorded")
        run = record_values(ctx.graph)

        def body(x: Any, t: Any) -> dict[str, Any]:
            return recorded(run(x)[0], t)

        return body

    def build_recorded(self, ctx: ModelContext, options: dict[str, Any]) -> Body | None:
        """``body(values, t)`` computing what :meth:`build`'s body computes, from a recorded forward
        pass (:mod:`.forward`: ``values`` instead of ``x``); None: this method cannot start from one."""
        return None

    def key(self, options: dict[str, Any]) -> tuple:
        """The cache key of this method's traced function for ``options``."""
        key = (self.id, *(options[name] for name in self.graph_options))
        return key + ("thesis",) if self.thesis(options) else key

    def function(self, ctx: ModelContext, options: dict[str, Any]) -> Any:
        return ctx.compiled(self.key(options), lambda: self.build(ctx, options))

    def recorded_function(self, ctx: ModelContext, options: dict[str, Any], forward: Any) -> Any:
        """The traced function starting from ``forward`` (a :class:`~.forward.Forward`), or None."""
        key = self.key(options) + ("recorded",)
        body = ctx.derived(("body",) + key, lambda: self.build_recorded(ctx, options))
        return None if body is None else ctx.compiled(key, lambda: body, inputs=forward.signature())

    def run(
        self,
        ctx: ModelContext,
        xs: np.ndarray,
        targets: np.ndarray,
        options: dict[str, Any],
        hooks: Hooks,
        extras: dict[str, Any],
    ) -> list[Explanation]:
        forward = extras.get("forward")
        fn = self.recorded_function(ctx, options, forward) if forward is not None else None
        if fn is None:
            forward, fn = None, self.function(ctx, options)
        results: list[Explanation] = []
        for part in chunks(len(xs), self.batch_size):
            hooks.check(self.id)
            inputs = forward.part(part) if forward is not None else tf.constant(xs[part])
            out = fn(inputs, tf.constant(targets[part], tf.int32))
            out = {k: v.numpy() for k, v in out.items()}
            for i in range(len(out["target"])):
                results.append(self.assemble(ctx, {k: v[i] for k, v in out.items()}, options))
            hooks.report(len(results), len(xs))
        return results

    def assemble(self, ctx: ModelContext, out: dict[str, np.ndarray], options: dict[str, Any]) -> Explanation:
        """One input's Explanation from its row of the traced outputs (LRP adds its warnings here)."""
        return self.make(ctx, out["attribution"], out["heatmap"], out["target"], out["logits"], options)


# ----------------------------------------------------------------- helpers
def select(logits: Any, t: Any) -> tuple[Any, Any]:
    """Resolve target codes (-1 -> arg-max) and pick each row's target logit."""
    t = tf.where(t < 0, tf.argmax(logits, axis=-1, output_type=tf.int32), t)
    return t, tf.gather(logits, t, axis=1, batch_dims=1)


def max_abs(a: Any) -> Any:
    """Display map of gradient-like attributions: max over channels of |a| (thesis eq. 2.10)."""
    return tf.reduce_max(tf.abs(a), axis=-1)


def channel_sum(a: Any) -> Any:
    """Display map of LRP-like attributions: signed sum over channels."""
    return tf.reduce_sum(a, axis=-1)


def upsample(maps: Any, size: tuple[int, int]) -> Any:
    """(B, h, w) -> (B, H, W), bilinear with half-pixel centres (tf.image.resize default)."""
    return tf.image.resize(maps[..., None], size, method="bilinear")[..., 0]


def output_score(graph: Any, logits: Any, t: Any) -> Any:
    """The model's own output for the resolved class ``t``: its softmax probability when the model
    ends in softmax (keras-gradcam differentiates ``model.output``), else the logit."""
    out = tf.nn.softmax(logits, axis=-1) if graph.softmax_stripped else logits
    return tf.gather(out, t, axis=1, batch_dims=1)
