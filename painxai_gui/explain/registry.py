"""THE registry of explanation methods: ``METHODS`` (id -> method), read by GUI, CLI and export.

Method modules register their class with :func:`register`; the table is
ordered thesis methods first (:data:`THESIS_METHODS`, thesis order), then the
free LRP variant and the extra methods.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Mapping, TypeVar

from .base import Method, Option

#: the ten methods of the thesis, in the thesis's order
THESIS_METHODS: tuple[str, ...] = (
    "deconvnet",
    "gradient",
    "guided_backprop",
    "gradcam",
    "guided_gradcam",
    "lrp.z",
    "lrp.epsilon",
    "lrp.preset_a_flat",
    "lrp.preset_b_flat",
    "lime",
)
EXTRA_METHODS: tuple[str, ...] = ("lrp.alpha_beta", "smoothgrad", "integrated_gradients", "occlusion")
ORDER: tuple[str, ...] = THESIS_METHODS + EXTRA_METHODS

_TABLE: dict[str, Method] = {}
#: id -> method (read-only view; ordered as :data:`ORDER`)
METHODS: Mapping[str, Method] = MappingProxyType(_TABLE)

M = TypeVar("M", bound=type)


def register(cls: M) -> M:
    """Class decorator: add one instance of ``cls`` to :data:`METHODS`."""
    method = cls()
    for attr in ("id", "display_name"):
        if not isinstance(getattr(method, attr, None), str):
            raise TypeError(f"{cls.__name__} needs a class attribute {attr!r}")
    if method.id in _TABLE:
        raise ValueError(f"method id {method.id!r} registered twice")
    if not all(isinstance(opt, Option) for opt in method.options):
        raise TypeError(f"{cls.__name__}.options must be Option descriptors")
    _TABLE[method.id] = method
    _sort()
    return cls


def _sort() -> None:
    rank = {name: i for i, name in enumerate(ORDER)}
    items = sorted(_TABLE.items(), key=lambda kv: rank.get(kv[0], len(rank)))
    _TABLE.clear()
    _TABLE.update(items)
