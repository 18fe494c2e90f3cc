"""One recorded forward pass per input batch, shared by prediction and the methods that start from it.

The live loop predicts a frame and then explains it in one or more docks;
each method used to run the model forward again. :func:`record` runs the
replayed graph once and keeps every node's values -- for ``linear`` and
``pool`` nodes each stage's output *before* the activation (LRP needs the
pre-activations), for all other nodes their output -- in a read-only
:class:`Forward`. Methods that start from the forward pass (the gradient
family, Grad-CAM, LRP) take it instead of recomputing it
(``explain(..., forward=...)``): :func:`replay` rebuilds every node's output
from the values (activations only: cheap), and :func:`backprop` runs the
backward pass node by node from the stored values, so no convolution of the
forward pass is computed again (TensorFlow prunes the unused forward ops of
each node's local gradient; the ReLU masks come from the stored values).

A :class:`Forward` is immutable (TensorFlow tensors and read-only arrays)
and may be read by several worker threads at once.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from ._lazy import tf
from .context import ModelContext
from .graph import ModelGraph
from .layers import Node, activate

RECORD_KEY = ("record",)


@dataclass(frozen=True, eq=False)
class Forward:
    """The recorded forward pass of a batch ``x`` through one model (see the module docstring).

    ``values``: one tensor per node (per stage of ``linear`` / ``pool`` nodes),
    in node order; ``logits``: pre-softmax logits (N, classes); ``outputs``:
    the model's own outputs (softmax of the logits when the model ends in
    softmax, else the logits), i.e. what ``model(x)`` gives.
    """

    model: weakref.ref
    x: np.ndarray
    values: tuple[Any, ...]
    logits: np.ndarray
    outputs: np.ndarray

    def matches(self, keras_model: Any, xs: np.ndarray) -> bool:
        """Whether this pass was recorded with ``keras_model`` on exactly the inputs ``xs``."""
        return self.model() is keras_model and self.x.shape == np.shape(xs) and np.array_equal(self.x, xs)

    def signature(self) -> list[Any]:
        """TensorSpecs of :attr:`values` with a free batch size (the input of the methods' traced bodies)."""
        return [tf.TensorSpec((None, *v.shape[1:]), v.dtype) for v in self.values]

    def part(self, rows: slice) -> list[Any]:
        """:attr:`values` of the inputs ``rows`` (all of them without a copy)."""
        if rows.start in (0, None) and rows.stop is not None and rows.stop >= len(self.x):
            return list(self.values)
        return [v[rows] for v in self.values]


def record(ctx: ModelContext, xs: np.ndarray) -> Forward:
    """One forward pass of the preprocessed batch ``xs`` (N x H x W x C float32) through ``ctx``'s model."""
    fn = ctx.compiled(RECORD_KEY, lambda: _record_body(ctx.graph), with_target=False)
    xs = np.array(xs, dtype=np.float32, copy=True)
    xs.setflags(write=False)
    out = fn(tf.constant(xs))
    logits, outputs = out["logits"].numpy(), out["outputs"].numpy()
    for a in (logits, outputs):
        a.setflags(write=False)
    return Forward(weakref.ref(ctx.model), xs, tuple(out["values"]), logits, outputs)


def record_values(graph: ModelGraph) -> Callable[[Any], tuple[list[Any], Any]]:
    """``run(x) -> (values, logits)``: the graph's forward pass keeping what :class:`Forward` holds
    (each stage's output of ``linear`` / ``pool`` nodes, every other node's output); call inside a trace."""
    def run(x: Any) -> tuple[list[Any], Any]:
        values: list[Any] = []
        outs: list[Any] = [None] * len(graph.nodes)
        for node in graph.nodes:  # the ops of ModelGraph.run, keeping the stages' outputs
            if node.kind == "input":
                y = x
                values.append(y)
            elif node.kind in ("linear", "pool"):
                a = outs[node.inputs[0]]
                for stage in node.stages:
                    a = stage.forward(a)
                    values.append(a)
                y = activate(a, node.activation, tf.nn.relu, node.fn)
            else:
                y = node.forward([outs[i] for i in node.inputs], tf.nn.relu)
                values.append(y)
            outs[node.index] = y
        return values, outs[graph.output]

    return run


def _record_body(graph: ModelGraph) -> Callable[[Any], dict[str, Any]]:
    run = record_values(graph)

    def body(x: Any) -> dict[str, Any]:
        values, logits = run(x)
        outputs = tf.nn.softmax(logits, axis=-1) if graph.softmax_stripped else logits
        return {"values": values, "logits": logits, "outputs": outputs}

    return body


# ------------------------------------------------------------ inside traces
@dataclass(frozen=True, eq=False)
class Replay:
    """Every node's output (``outs``) and its stages' outputs (``stages``, empty for other kinds)."""

    outs: list[Any]
    stages: list[list[Any]]


def replay(graph: ModelGraph, values: list[Any]) -> Replay:
    """Node outputs from recorded values (only the activations are computed); call inside a trace."""
    it = iter(values)
    outs: list[Any] = [None] * len(graph.nodes)
    stages: list[list[Any]] = [[] for _ in graph.nodes]
    for node in graph.nodes:
        if node.kind in ("linear", "pool"):
            stages[node.index] = [next(it) for _ in node.stages]
            outs[node.index] = activate(stages[node.index][-1], node.activation, tf.nn.relu, node.fn)
        else:
            outs[node.index] = next(it)
    return Replay(outs, stages)


def seed(logits: Any, score: Callable[[Any], Any], scale: Any = None) -> Any:
    """d score(logits) / d logits (times ``scale`` per row): where the backward pass starts."""
    with tf.GradientTape(watch_accessed_variables=False) as tape:
        tape.watch(logits)
        s = score(logits)
    return tape.gradient(s, logits, output_gradients=scale)


def backprop(graph: ModelGraph, rec: Replay, start: int, grad: Any, stop: int,
             relu: Callable[[Any], Any] | None = None) -> Any:
    """The gradient of ``sum(grad * <output of node start>)`` w.r.t. the output of node ``stop``.

    Node by node from the recorded values, with ``relu``'s backward rule
    (:mod:`.relu_rules`) at every ReLU; the same ops as differentiating the
    whole replay, without its forward convolutions."""
    relu = relu or tf.nn.relu
    down = graph.downstream(stop)
    grads: dict[int, Any] = {start: grad}
    for node in reversed(graph.nodes[stop + 1 : start + 1]):
        g = grads.pop(node.index, None)
        if g is None:
            continue
        ins = [rec.outs[i] for i in node.inputs]
        for i, part in zip(node.inputs, _node_vjp(node, ins, rec.stages[node.index], g, relu)):
            if part is not None and i in down:
                grads[i] = part if i not in grads else grads[i] + part
    out = grads.get(stop)
    return out if out is not None else tf.zeros_like(rec.outs[stop])


def _node_vjp(node: Node, ins: list[Any], stage_outs: list[Any], g: Any, relu: Callable[[Any], Any]) -> list[Any]:
    if node.kind in ("linear", "pool"):
        if node.activation != "linear":
            g = _vjp(lambda z: activate(z, node.activation, relu, node.fn), stage_outs[-1], g)
        for k in reversed(range(len(node.stages))):
            g = _vjp(node.stages[k].forward, ins[0] if k == 0 else stage_outs[k - 1], g)
        return [g]
    if node.kind == "act":
        return [_vjp(lambda z: activate(z, node.activation, relu, node.fn), ins[0], g)]
    with tf.GradientTape(watch_accessed_variables=False) as tape:
        for a in ins:
            tape.watch(a)
        y = node.forward(ins, relu)
    return tape.gradient(y, ins, output_gradients=g)


def _vjp(fn: Callable[[Any], Any], a: Any, g: Any) -> Any:
    with tf.GradientTape(watch_accessed_variables=False) as tape:
        tape.watch(a)
        y = fn(a)
    out = tape.gradient(y, a, output_gradients=g)
    return out if out is not None else tf.zeros_like(a)
