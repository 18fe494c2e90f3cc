"""Our own replay of a Keras model's graph: parse once, run with swappable pieces.

:func:`parse` turns a (built) Sequential or functional model -- nested models
inlined -- into a flat, topologically ordered tuple of :class:`~.layers.Node`
ending at the **pre-softmax logits**: a final ``Activation('softmax')`` /
``Softmax`` layer is dropped, a final layer with ``activation='softmax'`` is
replayed with a linear activation. The user's model is never modified.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Callable, Iterable

from painxai_gui.errors import ExplainError

from ._lazy import keras, tf
from .layers import Node, build_node

CONV_CLASSES = ("Conv2D", "SeparableConv2D", "DepthwiseConv2D")


@dataclass(frozen=True, eq=False)
class ModelGraph:
    nodes: tuple[Node, ...]
    output: int
    input_shape: tuple[int, int, int]
    num_classes: int
    softmax_stripped: bool

    # ----------------------------------------------------------- structure
    @cached_property
    def consumers(self) -> tuple[tuple[int, ...], ...]:
        out: list[list[int]] = [[] for _ in self.nodes]
        for node in self.nodes:
            for i in node.inputs:
                out[i].append(node.index)
        return tuple(tuple(c) for c in out)

    def downstream(self, start: int) -> frozenset[int]:
        """Indices of ``start`` and every node that depends on it."""
        seen = {start}
        for node in self.nodes[start + 1 :]:
            if any(i in seen for i in node.inputs):
                seen.add(node.index)
        return frozenset(seen)

    @cached_property
    def nonnegative(self) -> tuple[bool, ...]:
        """Whether each node's output is >= 0 by construction (after a ReLU)."""
        flags: list[bool] = []
        for node in self.nodes:
            if node.kind in ("linear", "act"):
                flags.append(node.activation in ("relu", "relu6"))
            elif node.kind in ("pool", "maxpool", "reshape", "add", "concat"):
                flags.append(all(flags[i] for i in node.inputs))
            else:
                flags.append(False)
        return tuple(flags)

    def find(self, name: str) -> Node:
        matches = [n for n in self.nodes if n.name == name]
        if not matches:
            names = ", ".join(n.name for n in self.nodes if len(n.shape) == 4)
            raise ExplainError(f"no layer named {name!r} in the model (4-D layers: {names})")
        return matches[-1]

    def require(self, kinds: Iterable[str], method: str) -> None:
        """Raise :class:`ExplainError` naming the first node whose kind is not allowed."""
        allowed = set(kinds) | {"input"}
        for node in self.nodes:
            if node.kind not in allowed:
                raise ExplainError(f"{method} does not support {node.describe()}")

    def default_cam_layer(self) -> Node:
        """The last conv layer's output after its activation (conv5_3 in VGG-Face).

        From the last Conv2D / SeparableConv2D / DepthwiseConv2D with a 4-D
        output, follow single-consumer BatchNormalization / activation nodes
        (a conv-BN-ReLU block's activation is its ReLU)."""
        convs = [n for n in self.nodes if n.layer_class in CONV_CLASSES and len(n.shape) == 4]
        if not convs:
            raise ExplainError("the model has no convolutional layer with a 4-D output for Grad-CAM")
        node = convs[-1]
        while len(self.consumers[node.index]) == 1 and node.index != self.output:
            nxt = self.nodes[self.consumers[node.index][0]]
            if nxt.kind == "act" or nxt.layer_class == "BatchNormalization":
                node = nxt
            else:
                break
        return node

    # ------------------------------------------------------------- running
    def run(self, x: Any, relu: Callable[[Any], Any] | None = None) -> list[Any]:
        """Every node's output for the batch ``x``."""
        relu = relu or tf.nn.relu
        outs: list[Any] = [None] * len(self.nodes)
        for node in self.nodes:
            outs[node.index] = x if node.kind == "input" else node.forward([outs[i] for i in node.inputs], relu)
        return outs

    def logits(self, x: Any, relu: Callable[[Any], Any] | None = None) -> Any:
        return self.run(x, relu)[self.output]


# ----------------------------------------------------------------- parsing
def parse(model: Any) -> ModelGraph:
    """The replayable graph of ``model`` (see the module docstring)."""
    if not isinstance(model, keras.Model):
        raise ExplainError(f"expected a keras.Model, got {type(model).__name__}")
    try:
        inputs, outputs = list(model.inputs), list(model.outputs)
    except (AttributeError, ValueError):
        raise ExplainError(f"model {model.name!r} is not built (give it an Input or call it once)") from None
    if len(inputs) != 1 or len(outputs) != 1:
        raise ExplainError(f"model {model.name!r} must have one input and one output, has {len(inputs)} and {len(outputs)}")
    shape = tuple(inputs[0].shape)
    if len(shape) != 4 or None in shape[1:]:
        raise ExplainError(f"model input must be (batch, H, W, C) with known H, W, C; got {shape}")
    parser = _Parser()
    parser.nodes.append(Node(0, inputs[0].name, "InputLayer", "input", (), shape=shape))
    (out,) = parser.graph(model, [0])
    nodes, out, stripped = _strip_softmax(parser.nodes, out)
    nodes, out = _prune(nodes, out)
    out_shape = nodes[out].shape
    if len(out_shape) != 2 or out_shape[1] is None:
        raise ExplainError(f"model output must be (batch, classes), got {out_shape}")
    return ModelGraph(tuple(nodes), out, tuple(shape[1:]), int(out_shape[1]), stripped)


class _Parser:
    def __init__(self) -> None:
        self.nodes: list[Node] = []
        self._nested: dict[tuple[int, int], list[int]] = {}

    def graph(self, model: Any, input_ids: list[int]) -> list[int]:
        memo = {_key(t): i for t, i in zip(model.inputs, input_ids)}
        return [self._tensor(t, memo) for t in model.outputs]

    def _tensor(self, tensor: Any, memo: dict) -> int:
        stack = [tensor]
        while stack:  # iterative post-order: deep nets exceed Python's recursion limit
            t = stack[-1]
            if _key(t) in memo:
                stack.pop()
                continue
            op, node_index, tensor_index = t._keras_history
            knode = op._inbound_nodes[node_index]
            if knode.is_input or not knode.input_tensors:
                raise ExplainError(f"model has an extra input {t.name!r}; only one input is supported")
            missing = [p for p in knode.input_tensors if _key(p) not in memo]
            if missing:
                stack.extend(missing)
                continue
            stack.pop()
            ids = tuple(memo[_key(p)] for p in knode.input_tensors)
            memo[_key(t)] = self._add(op, node_index, knode, tensor_index, ids)
        return memo[_key(tensor)]

    def _add(self, op: Any, node_index: int, knode: Any, tensor_index: int, ids: tuple[int, ...]) -> int:
        if isinstance(op, keras.Model):  # nested model: inline its graph
            key = (id(op), node_index)
            if key not in self._nested:
                if len(op.inputs) != len(ids):
                    raise ExplainError(f"nested model {op.name!r}: cannot map its inputs")
                self._nested[key] = self.graph(op, list(ids))
            return self._nested[key][tensor_index]
        if not isinstance(op, keras.layers.Layer):
            raise ExplainError(f"operation {getattr(op, 'name', op)!r} ({type(op).__name__}) is not a layer; wrap it in a layer")
        node = build_node(len(self.nodes), op, knode, ids, tensor_index)
        self.nodes.append(node)
        return node.index


def _key(tensor: Any) -> tuple[int, int, int]:
    op, node_index, tensor_index = tensor._keras_history
    return id(op), node_index, tensor_index


def _strip_softmax(nodes: list[Node], out: int) -> tuple[list[Node], int, bool]:
    node = nodes[out]
    if node.activation == "softmax" and node.kind == "act":
        return nodes, node.inputs[0], True
    if node.activation == "softmax" and node.kind == "linear":
        nodes = list(nodes)
        nodes[out] = dataclasses.replace(node, activation="linear")
        return nodes, out, True
    return nodes, out, False


def _prune(nodes: list[Node], out: int) -> tuple[list[Node], int]:
    """Keep only the ancestors of ``out``, renumbered in topological order."""
    keep = {out}
    for node in reversed(nodes[: out + 1]):
        if node.index in keep:
            keep.update(node.inputs)
    new_index: dict[int, int] = {}
    kept: list[Node] = []
    for node in nodes:
        if node.index in keep:
            new_index[node.index] = len(kept)
            kept.append(dataclasses.replace(node, index=len(kept), inputs=tuple(new_index[i] for i in node.inputs)))
    return kept, new_index[out]

