"""The explanation engine: one registry of methods, one entry point.

    from painxai_gui.explain import explain, METHODS, Target
    e = explain(model, x, "lrp.epsilon", target=Target.predicted(), epsilon=1e-3)
    e.heatmap  # H x W, e.signed says which colour map

Definitions: ``docs/methods.md``. TensorFlow is imported on first use, so
reading :data:`METHODS` (GUI menus, CLI flags) is cheap.
"""

from painxai_gui.errors import ExplainError

from . import methods as _methods  # noqa: F401  (fills the registry)
from .api import explain, explain_batch, get_method, layer_names, resolve_model
from .base import CONVENTIONS, ExplainCancelled, Explanation, Hooks, Method, Option, Target
from .context import cache_info, clear_cache
from .metrics import Curve, blurred_baseline, curve_aucs, deletion, insertion, random_orders, region_relevance
from .registry import EXTRA_METHODS, METHODS, THESIS_METHODS, register

__all__ = [
    "CONVENTIONS",
    "Curve",
    "blurred_baseline",
    "curve_aucs",
    "deletion",
    "insertion",
    "random_orders",
    "region_relevance",
    "EXTRA_METHODS",
    "ExplainCancelled",
    "ExplainError",
    "Explanation",
    "Hooks",
    "METHODS",
    "Method",
    "Option",
    "THESIS_METHODS",
    "Target",
    "cache_info",
    "clear_cache",
    "explain",
    "explain_batch",
    "get_method",
    "layer_names",
    "register",
    "resolve_model",
]
