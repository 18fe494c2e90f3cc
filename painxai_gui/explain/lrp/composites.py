"""Composites: which rule each layer gets. The thesis presets are composites.

Layer families: ``conv`` (Conv2D, SeparableConv2D, DepthwiseConv2D, and a
stand-alone BatchNormalization/Rescaling on a 4-D feature map), ``dense``
(Dense, and those affine layers on 2-D inputs). A rule's key is a family,
``"*"`` (every family) or a layer class name; the first matching entry wins.
``first`` overrides the rule of the layers ``first_layers`` picks (the
presets' flat input layer). Average and global-average pooling and residual
``Add`` always use the z rule; max pooling is winner-takes-all (see
:mod:`.engine`).

Each LRP method declares its composite (``methods/lrp.py``);
:func:`thesis_composite` turns it into the thesis convention's.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Callable

from ..graph import CONV_CLASSES, ModelGraph
from ..layers import Node
from .canonizers import fold_batchnorm
from .first import first_layers, input_fed_layers
from .rules import AlphaBeta, BatchNormThesis, Epsilon, Flat, Rule


def family(node: Node) -> str:
    if node.layer_class in CONV_CLASSES:
        return "conv"
    if node.layer_class == "Dense":
        return "dense"
    return "conv" if len(node.shape) == 4 else "dense"


@dataclass(frozen=True)
class Composite:
    rules: tuple[tuple[str, Rule], ...]
    first: Rule | None = None
    first_layers: Callable[[ModelGraph], frozenset[int]] = first_layers
    canonizers: tuple[Callable[[Any], Any], ...] = (fold_batchnorm,)

    def rule_for(self, node: Node, is_first: bool) -> Rule:
        if is_first and self.first is not None:
            return self.first
        fam = family(node)
        for name, rule in self.rules:
            if name in ("*", fam, node.layer_class):
                return rule
        raise LookupError(f"composite has no rule for {node.describe()}")


def preset_flat(alpha: float, beta: float) -> Composite:
    """LRP-PresetAFlat (alpha=1, beta=0) / LRP-PresetBFlat (alpha=2, beta=1)."""
    return Composite(rules=(("conv", AlphaBeta(alpha, beta)), ("dense", Epsilon(0.1))), first=Flat())


def thesis_composite(composite: Composite) -> Composite:
    """The same composite with iNNvestigate 1.0.x's conventions (the thesis's LRP):

    alpha-beta with the whole bias in both denominators; BatchNormalization kept
    as its own layer with iNNvestigate's BN rule (no folding); the first-layer
    rule only for layers fed straight by the input (Flatten/Permute/Reshape
    skipped)."""
    rules = tuple(
        (name, dataclasses.replace(rule, full_bias=True) if isinstance(rule, AlphaBeta) else rule)
        for name, rule in composite.rules
    )
    first = composite.first
    if isinstance(first, AlphaBeta):
        first = dataclasses.replace(first, full_bias=True)
    return Composite(rules=(("BatchNormalization", BatchNormThesis()), *rules), first=first,
                     first_layers=input_fed_layers, canonizers=())
