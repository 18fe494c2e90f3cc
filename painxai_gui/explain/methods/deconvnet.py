"""Deconvnet (Zeiler & Fergus 2014): every ReLU passes ``relu(upstream)``.

The forward sign is ignored; max pooling routes through the forward arg-max
("switches"). Same compiled pass as :mod:`.gradient`, other ReLU rule.
"""

from __future__ import annotations

from ..registry import register
from .gradient import Gradient


@register
class Deconvnet(Gradient):
    id = "deconvnet"
    display_name = "Deconvnet"
    summary = "Backward pass where each ReLU passes the positive part of the upstream signal."
    reference = "Zeiler & Fergus 2014"
    relu_rule = "deconvnet"
