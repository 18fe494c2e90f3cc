"""``--screenshot-dock METHOD[:name=value,...]``: extra explanation docks for a screenshot, checked up front."""

from __future__ import annotations

from typing import Any


def parse_dock(spec: str) -> tuple[str, dict[str, Any]]:
    """``"lime:num_samples=300,segmentation=precomputed"`` -> ("lime", {...}); the method must be registered."""
    from painxai_gui.explain import METHODS

    method, _, rest = spec.partition(":")
    if method not in METHODS:
        raise SystemExit(f"--screenshot-dock {spec!r}: unknown method {method!r} (one of {', '.join(METHODS)})")
    known = {opt.name: opt for opt in METHODS[method].options}
    options = {}
    for item in filter(None, rest.split(",")):
        name, sep, value = (part.strip() for part in item.partition("="))
        if not sep or name not in known:
            raise SystemExit(f"--screenshot-dock {spec!r}: expected name=value with name one of {', '.join(known)}")
        try:
            options[name] = known[name].coerce(value, f"--screenshot-dock {method}")
        except Exception as exc:
            raise SystemExit(str(exc)) from None
    return method, options
