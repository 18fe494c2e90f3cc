"""Per-model state: the parsed graph and the compiled (traced) functions.

The GUI explains frame after frame on the same model, so each method's graph
is traced **once** per model and graph-changing options: inputs have a fixed
signature ``(None, H, W, C)`` float32 and the target is a tensor argument
``(None,)`` int32 (-1 = predicted class), so one trace serves every class,
every batch size and every frame. :func:`cache_info` exposes trace counts.

Contexts live in a small LRU keyed by model identity (the compiled graphs hold
the model's variables, so a weak cache could never release them); call
:func:`clear_cache` to drop them.
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections import Counter, OrderedDict
from typing import Any, Callable, Hashable

import numpy as np

from painxai_gui.tf_tracing import TracedOnce

from ._lazy import tf
from .graph import ModelGraph, parse

MAX_MODELS = 4


class _OwnTracesFilter(logging.Filter):
    """Drop TF's "triggered tf.function retracing" warning: every (method, options) key here is its own
    ``tf.function`` traced once by design, but TF's heuristic counts them as retraces of one function."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "triggered tf.function retracing" not in record.getMessage()


logging.getLogger("tensorflow").addFilter(_OwnTracesFilter())


class ModelContext:
    """The engine's view of one model; built by :func:`context_for`."""

    def __init__(self, model: Any):
        self.model = model
        self.graph: ModelGraph = parse(model)
        self.traces: Counter[Hashable] = Counter()
        self.calls: Counter[Hashable] = Counter()  # runs per compiled function (tests: one forward per frame)
        self._functions: dict[Hashable, Any] = {}
        self._derived: dict[Hashable, Any] = {}
        self._lock = threading.RLock()

    @property
    def input_shape(self) -> tuple[int, int, int]:
        return self.graph.input_shape

    def _signature(self, with_target: bool) -> list[Any]:
        spec = [tf.TensorSpec((None, *self.input_shape), tf.float32, name="x")]
        if with_target:
            spec.append(tf.TensorSpec((None,), tf.int32, name="target"))
        return spec

    def compiled(self, key: Hashable, build: Callable[[], Callable], with_target: bool = True,
                 inputs: list[Any] | None = None) -> Any:
        """The ``tf.function`` for ``key``, built (and traced) on first use only.

        Its arguments: the batch ``x`` (or, given ``inputs``, a list of tensors
        of those TensorSpecs: a recorded forward pass) and, ``with_target``,
        the target codes."""
        with self._lock:
            fn = self._functions.get(key)
            if fn is None:
                body = build()

                def traced(*args: Any) -> Any:
                    self.traces[key] += 1  # Python side effect: runs only while tracing
                    return body(*args)

                signature = self._signature(with_target)
                if inputs is not None:
                    signature[0] = list(inputs)
                fn = _Counted(TracedOnce(tf.function(traced, input_signature=signature, autograph=False)),
                              self, key)
                self._functions[key] = fn
            return fn

    def derived(self, key: Hashable, build: Callable[[], Any]) -> Any:
        """A cached Python-side object (e.g. an LRP-canonized graph)."""
        with self._lock:
            if key not in self._derived:
                self._derived[key] = build()
            return self._derived[key]

    def forward_fn(self) -> Any:
        """Compiled ``x -> logits`` (pre-softmax)."""
        return self.compiled(("forward",), lambda: self.graph.logits, with_target=False)

    def logits(self, xs: np.ndarray, batch_size: int = 32) -> np.ndarray:
        fn = self.forward_fn()
        parts = [fn(tf.constant(xs[i : i + batch_size])).numpy() for i in range(0, len(xs), batch_size)]
        return np.concatenate(parts) if parts else np.zeros((0, self.graph.num_classes), np.float32)


class _Counted:
    """A compiled function that counts its runs in ``ctx.calls``."""

    def __init__(self, fn: Any, ctx: ModelContext, key: Hashable):
        self._fn, self._ctx, self._key = fn, ctx, key

    def __call__(self, *args: Any) -> Any:
        with self._ctx._lock:
            self._ctx.calls[self._key] += 1
        return self._fn(*args)


_CACHE: OrderedDict[int, tuple[weakref.ref, ModelContext]] = OrderedDict()
_CACHE_LOCK = threading.Lock()


def context_for(model: Any) -> ModelContext:
    """The cached :class:`ModelContext` of ``model`` (parsed on first use)."""
    key = id(model)
    with _CACHE_LOCK:
        entry = _CACHE.get(key)
        if entry is not None and entry[0]() is model:
            _CACHE.move_to_end(key)
            return entry[1]
    ctx = ModelContext(model)  # parse outside the lock: it can raise ExplainError
    with _CACHE_LOCK:
        entry = _CACHE.get(key)
        if entry is not None and entry[0]() is model:
            return entry[1]
        _CACHE[key] = (weakref.ref(model), ctx)
        _CACHE.move_to_end(key)
        while len(_CACHE) > MAX_MODELS:
            _CACHE.popitem(last=False)
    return ctx


def clear_cache() -> None:
    """Forget every parsed model and compiled function."""
    with _CACHE_LOCK:
        _CACHE.clear()


def cache_info() -> dict[str, Any]:
    """Models cached, and per model the number of traces per compiled function."""
    with _CACHE_LOCK:
        contexts = [ctx for _, ctx in _CACHE.values()]
    return {
        "models": len(contexts),
        "traces": [{repr(k): v for k, v in ctx.traces.items()} for ctx in contexts],
        "total_traces": sum(sum(ctx.traces.values()) for ctx in contexts),
    }
