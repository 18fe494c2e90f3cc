"""Guided backpropagation (Springenberg et al. 2015): ReLUs pass ``relu(upstream) * (x > 0)``."""

from __future__ import annotations

from ..registry import register
from .gradient import Gradient


@register
class GuidedBackprop(Gradient):
    id = "guided_backprop"
    display_name = "Guided Backpropagation"
    summary = "Gradient where each ReLU also blocks negative upstream signals."
    reference = "Springenberg et al. 2015"
    relu_rule = "guided"
