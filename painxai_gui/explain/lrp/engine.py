"""The LRP sweep: forward once keeping every linear stage's (input, pre-activation),
then distribute relevance from the target logit back to the input.

Per node kind (docs/methods.md):

* ``linear`` -- activation: identity for relevance; each stage (last first)
  gets its composite rule (the first weight layer may get a special rule);
  the rule also runs the stage's forward pass (alpha-beta splits it);
* ``pool`` (average, global average) -- z rule;
* ``maxpool`` -- winner takes all (the relevance follows the forward arg-max);
* ``reshape`` (flatten, reshape, dropout, padding, folded BN) -- moved as is;
* ``add`` -- z rule on the sum: ``R_k = a_k / (sum a + 1e-9 sign) * R``;
* ``concat`` -- split back to the inputs;
* ``act`` -- identity for ReLU-like activations.
"""

from __future__ import annotations

from typing import Any

from painxai_gui.errors import ExplainError

from .._lazy import tf
from ..compiled import select
from ..forward import Replay
from ..graph import ModelGraph
from ..layers import LRP_IDENTITY_ACTIVATIONS, Node, activate
from .composites import Composite
from .first import first_layers  # noqa: F401  (re-exported: the standard choice of first layers)
from .rules import Z_STABILIZER, Rule, ZRule, stabilize

SUPPORTED_KINDS = ("linear", "pool", "maxpool", "reshape", "add", "concat", "act")


def check_supported(graph: ModelGraph, method: str) -> None:
    """Raise :class:`ExplainError` naming the first layer LRP cannot handle."""
    graph.require(SUPPORTED_KINDS, method)
    for node in graph.nodes:
        if node.kind in ("linear", "act") and node.activation not in LRP_IDENTITY_ACTIVATIONS:
            raise ExplainError(f"{method} does not support {node.describe()} with activation {node.activation!r}")


def _vjp(fn: Any, inputs: list[Any], R: Any) -> list[Any]:
    with tf.GradientTape(watch_accessed_variables=False) as tape:
        for a in inputs:
            tape.watch(a)
        y = fn(inputs)
    return tape.gradient(y, inputs, output_gradients=R)


def _node_relevance(node: Node, graph: ModelGraph, rule: Rule | None, ins: list[Any],
                    stage_io: list[tuple[Any, Any, Any]], R: Any) -> list[Any]:
    if node.kind in ("linear", "pool"):
        for k in reversed(range(len(node.stages))):
            a, z, state = stage_io[k]
            R = rule.relevance(node.stages[k], a, z, state, R, _nonneg(graph, node, k))
        return [R]
    if node.kind == "act":
        return [R]
    if node.kind == "add":
        total = stabilize(tf.add_n(ins), Z_STABILIZER)
        return [a * R / total for a in ins]
    return _vjp(node.fn, ins, R)  # maxpool (arg-max routing), reshape, concat


def _nonneg(graph: ModelGraph, node: Node, stage: int) -> bool:
    """Whether the input of ``stage`` is >= 0 by construction (only a node's first stage can be)."""
    return stage == 0 and graph.nonnegative[node.inputs[0]]


def canonize(graph: ModelGraph, composite: Composite) -> ModelGraph:
    """``graph`` after the composite's canonizers (BN folding); cache the result per model
    (:meth:`~..context.ModelContext.derived`) so that its stages -- and their split kernels -- are shared."""
    for canonizer in composite.canonizers:
        graph = canonizer(graph)
    return graph


def lrp_relevance(graph: ModelGraph, composite: Composite, x: Any, t: Any) -> tuple[Any, Any, Any]:
    """(relevance of ``x``, resolved targets, logits) for a batch; call inside a trace.

    ``graph``: already canonized for ``composite`` (:func:`canonize`). The
    backward pass starts from the target logit's value (both conventions)."""
    first = composite.first_layers(graph)
    rules: dict[int, Rule] = {}
    outs: list[Any] = [None] * len(graph.nodes)
    stage_io: dict[int, list[tuple[Any, Any, Any]]] = {}
    for node in graph.nodes:
        if node.kind == "input":
            outs[node.index] = x
            continue
        ins = [outs[i] for i in node.inputs]
        if node.kind in ("linear", "pool"):
            rule = rules[node.index] = _rule(composite, node, first)
            a, io = ins[0], []
            for k, stage in enumerate(node.stages):
                z, state = rule.forward(stage, a, _nonneg(graph, node, k))
                io.append((a, z, state))
                a = z
            stage_io[node.index] = io
            outs[node.index] = activate(a, node.activation, tf.nn.relu, node.fn)
        else:
            outs[node.index] = node.forward(ins, tf.nn.relu)
    return _backward(graph, rules, outs, stage_io, t)


def lrp_relevance_recorded(graph: ModelGraph, composite: Composite, rec: Replay, t: Any) -> tuple[Any, Any, Any]:
    """:func:`lrp_relevance` from a recorded forward pass (:func:`..forward.replay`): the stages'
    pre-activations are the recorded ones; a rule adds only what it needs besides them (alpha-beta's
    ``z^+`` / ``z^-``). ``graph`` must have the recorded graph's nodes (no canonizer changed them)."""
    first = composite.first_layers(graph)
    rules: dict[int, Rule] = {}
    stage_io: dict[int, list[tuple[Any, Any, Any]]] = {}
    for node in graph.nodes:
        if node.kind in ("linear", "pool"):
            rule = rules[node.index] = _rule(composite, node, first)
            a, io = rec.outs[node.inputs[0]], []
            for k, stage in enumerate(node.stages):
                z = rec.stages[node.index][k]
                io.append((a, z, rule.prepare(stage, a, _nonneg(graph, node, k))))
                a = z
            stage_io[node.index] = io
    return _backward(graph, rules, rec.outs, stage_io, t)


def _rule(composite: Composite, node: Node, first: frozenset[int]) -> Rule:
    return ZRule() if node.kind == "pool" else composite.rule_for(node, node.index in first)


def _backward(graph: ModelGraph, rules: dict[int, Rule], outs: list[Any],
              stage_io: dict[int, list[tuple[Any, Any, Any]]], t: Any) -> tuple[Any, Any, Any]:
    """Relevance from the target logit back to the input, given every node's output and stage (a, z, state)."""
    logits = outs[graph.output]
    t, _ = select(logits, t)
    relevance: list[Any] = [None] * len(graph.nodes)
    relevance[graph.output] = tf.one_hot(t, graph.num_classes, dtype=logits.dtype) * logits
    for node in reversed(graph.nodes):
        R = relevance[node.index]
        if R is None or node.kind == "input":
            continue
        ins = [outs[i] for i in node.inputs]
        parts = _node_relevance(node, graph, rules.get(node.index), ins, stage_io.get(node.index, []), R)
        for i, part in zip(node.inputs, parts):
            relevance[i] = part if relevance[i] is None else relevance[i] + part
    R_in = relevance[0] if relevance[0] is not None else tf.zeros_like(outs[0])
    return R_in, t, logits
