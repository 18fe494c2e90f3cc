"""Guided backpropagation (Springenberg et al. 2015): ReLUs pass ``relu(upstream) * (x > 0)``.

Thesis convention (keras-gradcam, the thesis's "results of the last
convolution layer"): class independent -- the guided-ReLU gradient of
``sum(A)`` w.r.t. the input, A = the last conv layer's output after its
activation (``conv5_3`` in VGG-Face), the layer Grad-CAM uses by default.
"""

from __future__ import annotations

from typing import Any

from .._lazy import tf
from ..compiled import Body, max_abs, select
from ..context import ModelContext
from ..forward import backprop, replay
from ..registry import register
from ..relu_rules import RULE_SAFE_KINDS, relu_rule
from .gradient import Gradient


@register
class GuidedBackprop(Gradient):
    id = "guided_backprop"
    display_name = "Guided Backpropagation"
    summary = "Gradient where each ReLU also blocks negative upstream signals."
    reference = "Springenberg et al. 2015"
    relu_rule = "guided"
    thesis_convention = ("class independent: guided gradient of sum(A), A = the last conv layer's output "
                         "(keras-gradcam).")

    def build_recorded(self, ctx: ModelContext, options: dict[str, Any]) -> Body:
        if not self.thesis(options):
            return super().build_recorded(ctx, options)
        graph = ctx.graph
        graph.require(RULE_SAFE_KINDS, self.id)
        node = graph.default_cam_layer()

        def body(values: Any, t: Any) -> dict[str, Any]:
            rec = replay(graph, values)
            A = rec.outs[node.index]
            g = backprop(graph, rec, node.index, tf.ones_like(A), 0, relu_rule("guided"))
            t, _ = select(rec.outs[graph.output], t)
            return {"attribution": g, "heatmap": max_abs(g), "target": t, "logits": rec.outs[graph.output]}

        return body
