"""Canonizers: rewrite *our replay* of the graph before the rules are applied.

:func:`fold_batchnorm` folds every BatchNormalization that directly follows a
linear conv / dense layer (its only consumer, no activation in between) into
that layer's last stage: ``W' = W * s``, ``b' = b * s + o`` with the BN's
inference-time scale ``s`` and offset ``o``. The BN node becomes an identity.
The user's model is untouched (the replay reads its variables at trace time);
a BN that cannot be folded (after pooling, after a ReLU, ...) stays as a
per-channel affine layer and gets its composite's rule.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from .._lazy import tf
from ..graph import ModelGraph
from ..layers import Node, Stage


def _fold(stage: Stage, bn: Stage) -> Stage:
    def kernel() -> Any:
        k, s = stage.kernel(), bn.kernel()
        if stage.op == "depthwise":  # (kh, kw, in, multiplier): output channel = in * multiplier
            s = tf.reshape(s, tf.shape(k)[-2:])
        return k * s

    def bias() -> Any:
        b = stage.bias() if stage.bias is not None else 0.0
        return b * bn.kernel() + bn.bias()

    return Stage(stage.op, kernel, bias, stage.params)


def _foldable(graph: ModelGraph, node: Node) -> bool:
    if node.layer_class != "BatchNormalization" or node.kind != "linear":
        return False
    prev = graph.nodes[node.inputs[0]]
    return (
        prev.kind == "linear"
        and prev.layer_class != "BatchNormalization"
        and prev.activation == "linear"
        and graph.consumers[prev.index] == (node.index,)
    )


def fold_batchnorm(graph: ModelGraph) -> ModelGraph:
    """The graph with foldable BatchNormalization layers folded (see module doc)."""
    nodes = list(graph.nodes)
    for node in graph.nodes:
        if not _foldable(graph, node):
            continue
        prev = nodes[node.inputs[0]]
        stages = prev.stages[:-1] + (_fold(prev.stages[-1], node.stages[0]),)
        nodes[prev.index] = dataclasses.replace(prev, stages=stages)
        nodes[node.index] = dataclasses.replace(
            node, kind="reshape", stages=(), layer_class="BatchNormalization(folded)", fn=lambda xs: xs[0]
        )
    return dataclasses.replace(graph, nodes=tuple(nodes))
