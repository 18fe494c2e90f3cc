"""Layer-wise relevance propagation (Bach et al. 2015; Montavon et al. 2019).

The five LRP methods differ only in the composite each declares
(:meth:`LRPMethod.composite`, :mod:`..lrp.composites`); the sweep itself is
:func:`..lrp.engine.lrp_relevance`. Attribution: input relevance (H x W x C,
sums to the target logit under the z rule with zero biases); display: signed
sum over channels. Thesis convention: the same composite with iNNvestigate's
conventions (:func:`..lrp.composites.thesis_composite`). Either way an
explanation whose relevance sums to more than 10 x |logit| carries a warning.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from painxai_gui.errors import ExplainError

from ..base import Explanation, Option, exploded
from ..compiled import Body, GraphMethod, channel_sum
from ..context import ModelContext
from ..graph import ModelGraph
from ..lrp.composites import Composite, preset_flat, thesis_composite
from ..forward import replay
from ..lrp.engine import canonize, check_supported, lrp_relevance, lrp_relevance_recorded
from ..lrp.rules import AlphaBeta, Epsilon, ZRule
from ..registry import register

_BN = "BatchNormalization kept as its own layer with iNNvestigate's rule (not folded)"
_AB = "alpha-beta with the whole bias in both denominators (can explode; flagged)"
_FIRST = "flat rule only for layers fed straight by the input (not after ZeroPadding2D / Rescaling)"


class LRPMethod(GraphMethod):
    signed = True
    reference = "Bach et al. 2015"

    def composite(self, options: dict[str, Any]) -> Composite:
        """The standard composite of this method for ``options``."""
        raise NotImplementedError

    def canonized(self, ctx: ModelContext, options: dict[str, Any]) -> tuple[ModelGraph, Composite]:
        """The composite of ``options`` (standard or thesis) and the model's graph canonized for it."""
        check_supported(ctx.graph, self.id)
        composite = self.composite(options)
        if self.thesis(options):
            composite = thesis_composite(composite)
        # canonized once per model and canonizers, so that every LRP method shares its stages' split kernels
        return ctx.derived(("lrp-canonized", composite.canonizers), lambda: canonize(ctx.graph, composite)), composite

    def build(self, ctx: ModelContext, options: dict[str, Any]) -> Body:
        graph, composite = self.canonized(ctx, options)

        def body(x: Any, t: Any) -> dict[str, Any]:
            R, t, logits = lrp_relevance(graph, composite, x, t)
            return {"attribution": R, "heatmap": channel_sum(R), "target": t, "logits": logits}

        return body

    def build_recorded(self, ctx: ModelContext, options: dict[str, Any]) -> Body | None:
        """From a recorded forward pass, unless a canonizer changed the graph (a folded BatchNormalization:
        the recorded pre-activations are not the canonized layers')."""
        graph, composite = self.canonized(ctx, options)
        if any(a is not b for a, b in zip(graph.nodes, ctx.graph.nodes)):
            return None

        def body(values: Any, t: Any) -> dict[str, Any]:
            R, t, logits = lrp_relevance_recorded(graph, composite, replay(graph, values), t)
            return {"attribution": R, "heatmap": channel_sum(R), "target": t, "logits": logits}

        return body

    def assemble(self, ctx: ModelContext, out: dict[str, np.ndarray], options: dict[str, Any]) -> Explanation:
        logit = float(out["logits"][int(out["target"])])
        warning = exploded(float(np.sum(out["attribution"], dtype=np.float64)), logit)
        return self.make(ctx, out["attribution"], out["heatmap"], out["target"], out["logits"], options,
                         warnings=(warning,) if warning else ())


@register
class LRPZ(LRPMethod):
    id = "lrp.z"
    display_name = "LRP-Z"
    summary = "LRP-0 (z rule) on every layer."
    thesis_convention = f"{_BN}; equal to standard up to the stabiliser."

    def composite(self, options: dict[str, Any]) -> Composite:
        return Composite(rules=(("*", ZRule()),))


@register
class LRPEpsilon(LRPMethod):
    id = "lrp.epsilon"
    display_name = "LRP-Epsilon"
    summary = "Epsilon rule on every layer."
    options = (Option("epsilon", float, 1e-7, "Stabiliser eps in z + eps*sign(z).", range=(0.0, None)),)
    graph_options = ("epsilon",)
    thesis_convention = f"{_BN}."

    def validate(self, options: dict[str, Any]) -> None:
        if options["epsilon"] <= 0:
            raise ExplainError(f"{self.id}: option 'epsilon' must be > 0, got {options['epsilon']}")

    def composite(self, options: dict[str, Any]) -> Composite:
        return Composite(rules=(("*", Epsilon(options["epsilon"])),))


@register
class LRPPresetAFlat(LRPMethod):
    id = "lrp.preset_a_flat"
    display_name = "LRP-PresetAFlat"
    summary = "First layer flat, conv layers alpha=1 beta=0, dense layers epsilon=0.1."
    thesis_convention = f"{_AB}; {_BN}; {_FIRST}."

    def composite(self, options: dict[str, Any]) -> Composite:
        return preset_flat(1.0, 0.0)


@register
class LRPPresetBFlat(LRPMethod):
    id = "lrp.preset_b_flat"
    display_name = "LRP-PresetBFlat"
    summary = "First layer flat, conv layers alpha=2 beta=1, dense layers epsilon=0.1."
    thesis_convention = f"{_AB}; {_BN}; {_FIRST}."

    def composite(self, options: dict[str, Any]) -> Composite:
        return preset_flat(2.0, 1.0)


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
    thesis_convention = f"{_AB}; {_BN}."

    def validate(self, options: dict[str, Any]) -> None:
        if not math.isclose(options["alpha"] - options["beta"], 1.0, abs_tol=1e-9):
            raise ExplainError(f"{self.id}: alpha - beta must be 1, got alpha={options['alpha']} beta={options['beta']}")

    def composite(self, options: dict[str, Any]) -> Composite:
        return Composite(rules=(("*", AlphaBeta(options["alpha"], options["beta"])),))
