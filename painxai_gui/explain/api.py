"""The two entry points: :func:`explain` (one input) and :func:`explain_batch`."""

from __future__ import annotations

import dataclasses
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from painxai_gui.errors import ExplainError

from ._lazy import keras
from .base import Explanation, Hooks, Method, Target
from .context import context_for
from .forward import Forward, record
from .registry import METHODS

_LOADED: OrderedDict[tuple, Any] = OrderedDict()
_LOADED_LOCK = threading.Lock()


def explain(model: Any, x: np.ndarray, method: str, target: Target | int | None = None, **options: Any) -> Explanation:
    """Explain one preprocessed input ``x`` (H x W x C float32) with ``method``.

    ``model``: a ``keras.Model``, a path to a model file (loaded with
    :func:`painxai_gui.model.load_model`), or a loaded-model object with a
    ``.model`` attribute. ``target``: None (predicted class), a class index or
    a :class:`Target`. ``options``: the method's options (see
    ``METHODS[method].options``) plus the hooks ``progress(done, total)`` and
    ``cancel`` (callable or ``threading.Event``), for LIME ``segments``, and
    ``forward``: the input's recorded forward pass (:func:`.forward.record`)
    when the caller has it (the methods that start from it skip their own).
    """
    x = np.asarray(x)
    if x.ndim not in (2, 3):
        raise ExplainError(f"x must be one H x W x C input, got shape {x.shape}; use explain_batch for batches")
    return explain_batch(model, x[None], method, [target], **options)[0]


def explain_batch(
    model: Any,
    xs: np.ndarray,
    method: str,
    targets: Sequence[Target | int | None] | Target | int | None = None,
    **options: Any,
) -> list[Explanation]:
    """Explain a batch ``xs`` (N x H x W x C); gradient-type methods run it batched.

    ``targets``: None (predicted class for every input), one target for all,
    or one per input. ``forward``: the recorded forward pass of ``xs``
    (:func:`.forward.record`); one of another model or other inputs is ignored.
    """
    m = get_method(method)
    forward = options.pop("forward", None)
    hooks = Hooks(options.pop("progress", None), options.pop("cancel", None))
    extras = {name: options.pop(name) for name in m.hooks if name in options}
    resolved = m.resolve_options(options)
    keras_model = resolve_model(model)
    ctx = context_for(keras_model)
    resolved = m.bind(ctx, resolved)
    xs = _check_inputs(xs, ctx.input_shape)
    wanted = _targets(targets, len(xs))
    codes = np.array([t.code(ctx.graph.num_classes) for t in wanted], dtype=np.int32)
    if forward is not None and forward.matches(keras_model, xs):
        extras["forward"] = forward
    hooks.check(m.id)
    results = m.run(ctx, xs, codes, resolved, hooks, extras)
    _check_finite(results, m.id, model, keras_model)
    return [dataclasses.replace(r, target_kind=t.kind) for r, t in zip(results, wanted)]


def _check_finite(results: Sequence[Explanation], method: str, model: Any, keras_model: Any) -> None:
    """NaN or infinity in the logits or the attributions is an ExplainError naming the model, never a
    silently blank heatmap with ``predicted=0`` (NaN weights do that)."""
    for r in results:
        if (r.logit is not None and not np.isfinite(r.logit)) or (
                r.probabilities is not None and not np.isfinite(r.probabilities).all()):
            name, path = _model_name(model, keras_model)
            raise ExplainError(f"{name} gives non-finite logits (NaN or infinity) for this input: its weights "
                               "are probably broken (check the file or retrain); nothing to explain", path)
        if not (np.isfinite(r.attribution).all() and np.isfinite(r.heatmap).all()):
            name, path = _model_name(model, keras_model)
            raise ExplainError(f"{method} gives non-finite attributions (NaN or infinity) on {name}; its "
                               "weights or this method's options are broken", path)


def _model_name(model: Any, keras_model: Any) -> tuple[str, Path | None]:
    path = Path(model) if isinstance(model, (str, Path)) else getattr(model, "path", None)
    if path is not None:
        return f"the model {Path(path).name}", Path(path)
    return f"the model {getattr(keras_model, 'name', '?')!r}", None


def record_forward(model: Any, xs: np.ndarray) -> Forward:
    """One recorded forward pass of the preprocessed batch ``xs`` (N x H x W x C) through ``model``:
    its outputs (what ``model(xs)`` gives), logits, and what ``explain(..., forward=...)`` reuses."""
    keras_model = resolve_model(model)
    ctx = context_for(keras_model)
    return record(ctx, _check_inputs(xs, ctx.input_shape))


def layer_names(model: Any, rank: int | None = 4) -> list[str]:
    """Names of the model's layers as the engine replays them (nested models inlined),
    optionally only those with ``rank``-D outputs -- the choices of Grad-CAM's ``layer``."""
    graph = context_for(resolve_model(model)).graph
    return [n.name for n in graph.nodes if n.kind != "input" and (rank is None or len(n.shape) == rank)]


def get_method(method: str | Method) -> Method:
    if isinstance(method, Method):
        return method
    try:
        return METHODS[method]
    except KeyError:
        raise ExplainError(f"unknown method {method!r}; known: {', '.join(METHODS)}") from None


def resolve_model(model: Any) -> Any:
    """A ``keras.Model`` from a model, a loaded-model object or a path."""
    if isinstance(model, keras.Model):
        return model
    if isinstance(model, (str, Path)):
        return _load(Path(model))
    inner = getattr(model, "model", None)
    if isinstance(inner, keras.Model):
        return inner
    raise ExplainError(f"cannot explain a {type(model).__name__}: give a keras.Model or a model file path")


def _load(path: Path) -> Any:
    from painxai_gui.model import load_model  # the model module is imported only when needed

    try:
        stat = path.stat()
    except OSError as exc:
        raise ExplainError(f"cannot read the model file: {exc.strerror}", path) from None
    key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    with _LOADED_LOCK:
        if key in _LOADED:
            _LOADED.move_to_end(key)
            return _LOADED[key]
    loaded = load_model(path)
    keras_model = getattr(loaded, "model", loaded)
    with _LOADED_LOCK:
        _LOADED[key] = keras_model
        while len(_LOADED) > 2:
            _LOADED.popitem(last=False)
    return keras_model


def _check_inputs(xs: Any, shape: tuple[int, int, int]) -> np.ndarray:
    xs = np.asarray(xs, dtype=np.float32)
    if xs.ndim == 3 and shape[2] == 1 and xs.shape[1:] == shape[:2]:
        xs = xs[..., None]  # N x H x W grayscale
    if xs.ndim != 4 or xs.shape[1:] != shape:
        raise ExplainError(f"inputs must be N x {shape[0]} x {shape[1]} x {shape[2]} (preprocessed), got {xs.shape}")
    if not np.isfinite(xs).all():
        raise ExplainError("inputs contain NaN or infinite values")
    return np.ascontiguousarray(xs)


def _targets(targets: Any, n: int) -> list[Target]:
    if targets is None or isinstance(targets, (Target, int, np.integer)):
        return [Target.coerce(targets)] * n
    targets = list(targets)
    if len(targets) != n:
        raise ExplainError(f"got {len(targets)} targets for {n} inputs")
    return [Target.coerce(t) for t in targets]
