"""Grad-CAM (Selvaraju et al. 2017): ``relu(sum_k alpha_k A^k)``, ``alpha_k = mean_ij d f_c / d A^k_ij``.

``A`` is the output of option ``layer`` (default: the last conv layer after its
activation -- conv5_3 in VGG-Face). Only ``A`` is watched, so the backward
pass covers just the layers above it: Grad-CAM costs about one forward pass.
The display map is the coarse map resized bilinearly (half-pixel centres).

Thesis convention (keras-gradcam's ``grad_cam``): differentiate the model's
output -- the softmax probability ``y_c`` when the model ends in softmax --
``cam = A . mean_ij(d y_c / d A)``, resize to the input size (bilinear), then
ReLU, then divide by the maximum (when it is not 0). Attribution and heatmap
are that H x W map.
"""

from __future__ import annotations

from typing import Any

from painxai_gui.errors import ExplainError

from .._lazy import tf
from ..base import Option
from ..compiled import Body, GraphMethod, output_score, select, upsample
from ..context import ModelContext
from ..forward import backprop, replay, seed
from ..layers import Node
from ..registry import register


def cam_layer(ctx: ModelContext, name: str) -> Node:
    node = ctx.graph.find(name) if name else ctx.graph.default_cam_layer()
    if len(node.shape) != 4:
        raise ExplainError(f"Grad-CAM needs a layer with a 4-D output; {node.describe()} has shape {node.shape}")
    return node


def cam(A: Any, grads: Any) -> Any:
    """(B, h, w) map ``relu(sum_k mean_ij(grads^k) A^k)``."""
    return tf.nn.relu(weighted_sum(A, grads))


def weighted_sum(A: Any, grads: Any) -> Any:
    """(B, h, w) map ``sum_k mean_ij(grads^k) A^k`` (not rectified)."""
    alpha = tf.reduce_mean(grads, axis=[1, 2], keepdims=True)
    return tf.reduce_sum(alpha * A, axis=-1)


def thesis_map(A: Any, grads: Any, size: tuple[int, int]) -> Any:
    """keras-gradcam's map (B, H, W): ``A . mean(grads)``, resize (bilinear), ReLU, / max (when not 0)."""
    maps = tf.nn.relu(upsample(weighted_sum(A, grads), size))
    return tf.math.divide_no_nan(maps, tf.reduce_max(maps, axis=[1, 2], keepdims=True))


@register
class GradCAM(GraphMethod):
    id = "gradcam"
    display_name = "Grad-CAM"
    summary = "Class activation map of a conv layer weighted by its mean gradients."
    reference = "Selvaraju et al. 2017"
    options = (Option("layer", str, "", "Layer whose output is used (empty: last conv layer after its activation)."),)
    graph_options = ("layer",)
    thesis_convention = ("gradients of the softmax output (keras-gradcam); resize, then ReLU, then divide by the "
                         "maximum; attribution = that H x W map.")

    def bind(self, ctx: ModelContext, options: dict[str, Any]) -> dict[str, Any]:
        return {**options, "layer": cam_layer(ctx, options["layer"]).name}

    def build_recorded(self, ctx: ModelContext, options: dict[str, Any]) -> Body:
        graph, node = ctx.graph, cam_layer(ctx, options["layer"])
        size, thesis = graph.input_shape[:2], self.thesis(options)

        def body(values: Any, t: Any) -> dict[str, Any]:
            rec = replay(graph, values)
            logits = rec.outs[graph.output]
            t, _ = select(logits, t)
            start = seed(logits, lambda z: output_score(graph, z, t) if thesis else select(z, t)[1])
            grads = backprop(graph, rec, graph.output, start, node.index)
            return maps(rec.outs[node.index], grads, t, logits, size, thesis)

        return body


def maps(A: Any, grads: Any, t: Any, logits: Any, size: tuple[int, int], thesis: bool) -> dict[str, Any]:
    """The traced outputs from the layer's output ``A`` and the score's gradients w.r.t. it."""
    if thesis:
        thesis_maps = thesis_map(A, grads, size)
        return {"attribution": thesis_maps, "heatmap": thesis_maps, "target": t, "logits": logits}
    coarse = cam(A, grads)
    return {"attribution": coarse, "heatmap": upsample(coarse, size), "target": t, "logits": logits}
