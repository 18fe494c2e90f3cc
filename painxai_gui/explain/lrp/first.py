"""Which layers count as "first" for the presets' special first-layer rule, per convention."""

from __future__ import annotations

from ..graph import CONV_CLASSES, ModelGraph

#: layers iNNvestigate's ``is_input_layer`` looks through (all others end the search)
INNVESTIGATE_SKIPPED = ("Flatten", "Permute", "Reshape")
_KERNEL_CLASSES = (*CONV_CLASSES, "Dense")


def first_layers(graph: ModelGraph) -> frozenset[int]:
    """Standard: conv / dense layers with no conv / dense layer between them and the input.

    Per-channel affine layers (a stand-alone BatchNormalization, Rescaling of
    the raw input) and re-indexing layers (ZeroPadding2D, ...) do not count:
    the presets' "first layer" is the first one that mixes inputs."""
    behind: list[bool] = []  # whether a conv / dense layer lies on some path from the input
    first: set[int] = set()
    for node in graph.nodes:
        before = any(behind[i] for i in node.inputs)
        mixing = node.kind == "linear" and node.layer_class in _KERNEL_CLASSES
        if mixing and not before:
            first.add(node.index)
        behind.append(before or mixing)
    return frozenset(first)


def input_fed_layers(graph: ModelGraph) -> frozenset[int]:
    """Thesis (iNNvestigate 1.x ``is_input_layer``): kernel layers whose inputs, looking through
    Flatten / Permute / Reshape only, are all the model input. After a ZeroPadding2D, a
    Rescaling or a BatchNormalization the first conv is *not* first (it gets the composite's rule)."""

    def sources(index: int) -> set[int]:
        node = graph.nodes[index]
        if node.layer_class in INNVESTIGATE_SKIPPED:
            return set().union(*(sources(i) for i in node.inputs))
        return {index}

    return frozenset(
        node.index for node in graph.nodes
        if node.kind == "linear" and node.layer_class in _KERNEL_CLASSES
        and all(graph.nodes[s].kind == "input" for i in node.inputs for s in sources(i))
    )
