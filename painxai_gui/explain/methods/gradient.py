"""Gradient saliency (Simonyan et al. 2014): ``d f_c / d x``, display ``max_c |.|``.

Deconvnet and guided backprop subclass this with another ReLU rule
(:mod:`..relu_rules`); everything else is the same compiled backward pass.
Their thesis conventions differ (see each class); the gradient's do not
(iNNvestigate's Gradient starts from 1 and is not multiplied by the input).
"""

from __future__ import annotations

from typing import Any, ClassVar

from ..compiled import Body, GraphMethod, max_abs, select
from ..context import ModelContext
from ..forward import backprop, replay, seed
from ..registry import register
from ..relu_rules import RULE_SAFE_KINDS, relu_rule


@register
class Gradient(GraphMethod):
    id = "gradient"
    display_name = "Backpropagation"
    summary = "Gradient of the target logit with respect to the input pixels."
    reference = "Simonyan, Vedaldi & Zisserman 2014"
    relu_rule: ClassVar[str] = "gradient"

    def build_recorded(self, ctx: ModelContext, options: dict[str, Any]) -> Body:
        graph = ctx.graph
        if self.relu_rule != "gradient":
            graph.require(RULE_SAFE_KINDS, self.id)
        relu, seed_logit = relu_rule(self.relu_rule), self.seeds_with_logit(options)

        def body(values: Any, t: Any) -> dict[str, Any]:
            rec = replay(graph, values)
            logits = rec.outs[graph.output]
            t, score = select(logits, t)
            start = seed(logits, lambda z: select(z, t)[1], score if seed_logit else None)
            g = backprop(graph, rec, graph.output, start, 0, relu)
            return {"attribution": g, "heatmap": max_abs(g), "target": t, "logits": logits}

        return body

    def seeds_with_logit(self, options: dict[str, Any]) -> bool:
        """Whether the backward pass starts from the logit's value instead of 1."""
        return False
