"""Guided Grad-CAM (Selvaraju et al. 2017): ``guided_backprop * upsample(gradcam)``.

One forward pass with the guided ReLU gives the guided-backprop gradient; the
layers above the Grad-CAM layer are replayed with ordinary ReLUs from the same
activations to get the true gradients Grad-CAM needs (cheap: only the head).
"""

from __future__ import annotations

from typing import Any

from .._lazy import tf
from ..compiled import Body, GraphMethod, max_abs, select, upsample
from ..context import ModelContext
from ..registry import register
from ..relu_rules import RULE_SAFE_KINDS, relu_rule
from .gradcam import GradCAM, cam, cam_layer


@register
class GuidedGradCAM(GraphMethod):
    id = "guided_gradcam"
    display_name = "Guided Grad-CAM"
    summary = "Guided backpropagation weighted by the upsampled Grad-CAM map."
    reference = "Selvaraju et al. 2017"
    options = GradCAM.options
    graph_options = ("layer",)
    bind = GradCAM.bind

    def build(self, ctx: ModelContext, options: dict[str, Any]) -> Body:
        graph, node = ctx.graph, cam_layer(ctx, options["layer"])
        graph.require(RULE_SAFE_KINDS, self.id)
        guided, size = relu_rule("guided"), graph.input_shape[:2]

        def body(x: Any, t: Any) -> dict[str, Any]:
            with tf.GradientTape(watch_accessed_variables=False) as tape:
                tape.watch(x)
                outs = graph.run(x, guided)
                t, score = select(outs[graph.output], t)
            guided_grads = tape.gradient(score, x)
            A = outs[node.index]
            with tf.GradientTape(watch_accessed_variables=False) as head:
                head.watch(A)
                _, plain = select(graph.rerun(outs, node.index, A)[graph.output], t)
            coarse = cam(A, head.gradient(plain, A, unconnected_gradients="zero"))
            attribution = guided_grads * upsample(coarse, size)[..., None]
            return {"attribution": attribution, "heatmap": max_abs(attribution), "target": t, "logits": outs[graph.output]}

        return body
