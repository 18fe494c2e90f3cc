"""Guided Grad-CAM (Selvaraju et al. 2017): ``guided_backprop * upsample(gradcam)``.

One forward pass with the guided ReLU gives the guided-backprop gradient; the
layers above the Grad-CAM layer are replayed with ordinary ReLUs from the same
activations to get the true gradients Grad-CAM needs (cheap: only the head).
Thesis convention (keras-gradcam's ``compute_saliency``): the class-independent
guided backprop of ``sum(A)`` times the thesis Grad-CAM map (A = option ``layer``).
"""

from __future__ import annotations

from typing import Any

from .._lazy import tf
from ..compiled import Body, GraphMethod, max_abs, output_score, select, upsample
from ..context import ModelContext
from ..forward import backprop, replay, seed
from ..registry import register
from ..relu_rules import RULE_SAFE_KINDS, relu_rule
from .gradcam import GradCAM, cam, cam_layer, thesis_map


@register
class GuidedGradCAM(GraphMethod):
    id = "guided_gradcam"
    display_name = "Guided Grad-CAM"
    summary = "Guided backpropagation weighted by the upsampled Grad-CAM map."
    reference = "Selvaraju et al. 2017"
    options = GradCAM.options
    graph_options = ("layer",)
    bind = GradCAM.bind
    thesis_convention = "the thesis's guided backpropagation x the thesis's Grad-CAM (keras-gradcam)."

    def build_recorded(self, ctx: ModelContext, options: dict[str, Any]) -> Body:
        graph, node = ctx.graph, cam_layer(ctx, options["layer"])
        graph.require(RULE_SAFE_KINDS, self.id)
        guided, size, thesis = relu_rule("guided"), graph.input_shape[:2], self.thesis(options)

        def body(values: Any, t: Any) -> dict[str, Any]:
            rec = replay(graph, values)
            logits, A = rec.outs[graph.output], rec.outs[node.index]
            t, _ = select(logits, t)
            if thesis:
                guided_grads = backprop(graph, rec, node.index, tf.ones_like(A), 0, guided)
            else:
                guided_grads = backprop(graph, rec, graph.output, seed(logits, lambda z: select(z, t)[1]), 0, guided)
            plain = seed(logits, lambda z: output_score(graph, z, t) if thesis else select(z, t)[1])
            grads = backprop(graph, rec, graph.output, plain, node.index)
            return combine(guided_grads, A, grads, t, logits, size, thesis)

        return body


def combine(guided_grads: Any, A: Any, grads: Any, t: Any, logits: Any, size: tuple[int, int],
            thesis: bool) -> dict[str, Any]:
    """The traced outputs: the guided gradient times the (thesis or standard) Grad-CAM map of ``A``."""
    weights = thesis_map(A, grads, size) if thesis else upsample(cam(A, grads), size)
    attribution = guided_grads * weights[..., None]
    return {"attribution": attribution, "heatmap": max_abs(attribution), "target": t, "logits": logits}
