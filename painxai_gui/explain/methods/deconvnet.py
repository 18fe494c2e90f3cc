"""Deconvnet (Zeiler & Fergus 2014): every ReLU passes ``relu(upstream)``.

The forward sign is ignored; max pooling routes through the forward arg-max
("switches"). Same compiled pass as :mod:`.gradient`, other ReLU rule.
Thesis convention (iNNvestigate): the backward pass starts from the target
logit's value, not 1 -- a scaled map for a positive logit, and for a negative
logit the map of ``-logit`` (the ReLU rule is not odd).
"""

from __future__ import annotations

from typing import Any

from ..registry import register
from .gradient import Gradient


@register
class Deconvnet(Gradient):
    id = "deconvnet"
    display_name = "Deconvnet"
    summary = "Backward pass where each ReLU passes the positive part of the upstream signal."
    reference = "Zeiler & Fergus 2014"
    relu_rule = "deconvnet"
    thesis_convention = "the backward pass starts from the target logit's value instead of 1 (iNNvestigate)."

    def seeds_with_logit(self, options: dict[str, Any]) -> bool:
        return self.thesis(options)
