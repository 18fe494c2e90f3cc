"""Layer-wise relevance propagation (Bach et al. 2015; Montavon et al. 2019).

The five LRP methods differ only in their composite (:mod:`..lrp.composites`);
the sweep itself is :func:`..lrp.engine.lrp_relevance`. Attribution: input
relevance (H x W x C, sums to the target logit under the z rule with zero
biases); display: signed sum over channels.
"""

from __future__ import annotations

import math
from typing import Any

from painxai_gui.errors import ExplainError

from ..base import Option
from ..compiled import Body, GraphMethod, channel_sum
from ..context import ModelContext
from ..lrp.composites import COMPOSITES
from ..lrp.engine import check_supported, lrp_relevance
from ..registry import register


class LRPMethod(GraphMethod):
    signed = True
    reference = "Bach et al. 2015"

    def build(self, ctx: ModelContext, options: dict[str, Any]) -> Body:
        check_supported(ctx.graph, self.id)
        graph, composite = ctx.graph, COMPOSITES[self.id](**options)

        def body(x: Any, t: Any) -> dict[str, Any]:
            R, t, logits = lrp_relevance(graph, composite, x, t)
            return {"attribution": R, "heatmap": channel_sum(R), "target": t, "logits": logits}

        return body


@register
class LRPZ(LRPMethod):
    id = "lrp.z"
    display_name = "LRP-Z"
    summary = "LRP-0 (z rule) on every layer."


@register
class LRPEpsilon(LRPMethod):
    id = "lrp.epsilon"
    display_name = "LRP-Epsilon"
    summary = "Epsilon rule on every layer."
    options = (Option("epsilon", float, 1e-7, "Stabiliser eps in z + eps*sign(z).", range=(0.0, None)),)
    graph_options = ("epsilon",)

    def validate(self, options: dict[str, Any]) -> None:
        if options["epsilon"] <= 0:
            raise ExplainError(f"{self.id}: option 'epsilon' must be > 0, got {options['epsilon']}")


@register
class LRPPresetAFlat(LRPMethod):
    id = "lrp.preset_a_flat"
    display_name = "LRP-PresetAFlat"
    summary = "First layer flat, conv layers alpha=1 beta=0, dense layers epsilon=0.1."


@register
class LRPPresetBFlat(LRPMethod):
    id = "lrp.preset_b_flat"
    display_name = "LRP-PresetBFlat"
    summary = "First layer flat, conv layers alpha=2 beta=1, dense layers epsilon=0.1."


@register
class LRPAlphaBeta(LRPMethod):
    id = "lrp.alpha_beta"
    display_name = "LRP-AlphaBeta"
    summary = "Alpha-beta rule on every conv and dense layer (alpha - beta = 1)."
    options = (
        Option("alpha", float, 1.0, "Weight of positive contributions.", range=(1.0, None)),
        Option("beta", float, 0.0, "Weight of negative contributions (alpha - beta must be 1).", range=(0.0, None)),
    )
    graph_options = ("alpha", "beta")

    def validate(self, options: dict[str, Any]) -> None:
        if not math.isclose(options["alpha"] - options["beta"], 1.0, abs_tol=1e-9):
            raise ExplainError(f"{self.id}: alpha - beta must be 1, got alpha={options['alpha']} beta={options['beta']}")
