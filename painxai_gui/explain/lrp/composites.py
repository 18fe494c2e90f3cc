"""Composites: which rule each layer gets. The thesis presets are composites.

Layer families: ``conv`` (Conv2D, SeparableConv2D, DepthwiseConv2D, and a
stand-alone BatchNormalization/Rescaling on a 4-D feature map), ``dense``
(Dense, and those affine layers on 2-D inputs). The first matching entry
wins; ``"*"`` matches every family. ``first`` overrides the rule of the first
layer(s) with weights (those with no weight layer between them and the input).
Average and global-average pooling and residual ``Add`` always use the z rule;
max pooling is winner-takes-all (see :mod:`.engine`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from ..graph import CONV_CLASSES
from ..layers import Node
from .canonizers import fold_batchnorm
from .rules import AlphaBeta, Epsilon, Flat, Rule, ZRule


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
    canonizers: tuple[Callable[[Any], Any], ...] = (fold_batchnorm,)

    def rule_for(self, node: Node, is_first: bool) -> Rule:
        if is_first and self.first is not None:
            return self.first
        fam = family(node)
        for name, rule in self.rules:
            if name in ("*", fam):
                return rule
        raise LookupError(f"composite has no rule for {node.describe()}")


def preset_flat(alpha: float, beta: float) -> Composite:
    """LRP-PresetAFlat (alpha=1, beta=0) / LRP-PresetBFlat (alpha=2, beta=1)."""
    return Composite(rules=(("conv", AlphaBeta(alpha, beta)), ("dense", Epsilon(0.1))), first=Flat())


#: builders of the composites behind the registered LRP methods (options -> Composite)
COMPOSITES: dict[str, Callable[..., Composite]] = {
    "lrp.z": lambda: Composite(rules=(("*", ZRule()),)),
    "lrp.epsilon": lambda epsilon=1e-7: Composite(rules=(("*", Epsilon(epsilon)),)),
    "lrp.preset_a_flat": lambda: preset_flat(1.0, 0.0),
    "lrp.preset_b_flat": lambda: preset_flat(2.0, 1.0),
    "lrp.alpha_beta": lambda alpha=1.0, beta=0.0: Composite(rules=(("*", AlphaBeta(alpha, beta)),)),
}
