"""The small vocabulary every explanation method shares.

* :class:`Target` -- *what* to explain (predicted class, class k, true class).
* :class:`Option` -- one method option, described well enough for the GUI to
  build a widget and for the CLI to build a flag.
* :class:`Explanation` -- the immutable result of one method on one input.
* :class:`Method` -- the base class of the methods in :data:`METHODS`.
* :class:`Hooks` -- progress reporting and cancellation for long methods.

Every method has the option ``convention`` (:data:`CONVENTIONS`): ``standard``
(the textbook definitions of methods.md) or ``thesis`` (the conventions of the
tools the thesis used: iNNvestigate 1.0.x and keras-gradcam). It is declared
here once, so the GUI's option form, the CLI and every record get it; a method
whose two conventions are equal accepts it and changes nothing.

TensorFlow is not imported here: the registry is readable without it.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, ClassVar, Mapping, Sequence

import numpy as np

from painxai_gui.errors import Cancelled, ExplainError

if TYPE_CHECKING:  # pragma: no cover
    from .context import ModelContext


class ExplainCancelled(Cancelled):
    """Raised inside a running method when its ``cancel`` hook fires.

    Not a :class:`~painxai_gui.errors.PainXAIError`: nothing was wrong with the
    input, the user (or a newer request) stopped the work.
    """


# --------------------------------------------------------------------- target
@dataclass(frozen=True)
class Target:
    """What to explain: the predicted class, an explicit class, or the true class.

    ``Target.predicted()`` resolves to the arg-max of the logits at explain
    time; ``Target.of_class(k)`` and ``Target.true(k)`` both explain class
    ``k`` -- the kind is kept so that panels can label the tile
    ("true / predicted").
    """

    kind: str = "predicted"
    index: int | None = None

    KINDS: ClassVar[tuple[str, ...]] = ("predicted", "class", "true")

    def __post_init__(self) -> None:
        if self.kind not in self.KINDS:
            raise ExplainError(f"unknown target kind {self.kind!r}; use one of {', '.join(self.KINDS)}")
        if self.kind == "predicted":
            if self.index is not None:
                raise ExplainError("a 'predicted' target takes no class index")
        elif self.index is None or isinstance(self.index, bool) or int(self.index) != self.index:
            raise ExplainError(f"a {self.kind!r} target needs an integer class index, got {self.index!r}")
        elif self.index < 0:
            raise ExplainError(f"class index must be >= 0, got {self.index}")

    @classmethod
    def predicted(cls) -> Target:
        return cls("predicted")

    @classmethod
    def of_class(cls, k: int) -> Target:
        return cls("class", int(k))

    @classmethod
    def true(cls, k: int) -> Target:
        return cls("true", int(k))

    @classmethod
    def coerce(cls, value: Target | int | None) -> Target:
        """None -> predicted, int -> that class, Target -> itself."""
        if value is None:
            return cls.predicted()
        if isinstance(value, Target):
            return value
        if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
            return cls.of_class(int(value))
        raise ExplainError(f"target must be None, an int or a Target, got {value!r}")

    def code(self, num_classes: int) -> int:
        """The integer the compiled graphs take: -1 for 'predicted', else the class."""
        if self.index is None:
            return -1
        if self.index >= num_classes:
            raise ExplainError(f"class {self.index} does not exist: the model has {num_classes} classes")
        return self.index


#: values of every method's ``convention`` option; the first is the default
CONVENTIONS: tuple[str, ...] = ("standard", "thesis")

#: explanations whose |sum of relevance| exceeds this many times |logit| carry a warning
EXPLOSION_FACTOR = 10.0


# --------------------------------------------------------------------- option
@dataclass(frozen=True)
class Option:
    """One option of a method: the GUI builds a widget and the CLI a flag from it.

    ``type`` is one of ``int``, ``float``, ``str``, ``bool``. ``choices`` limits
    the values; ``range`` is an inclusive ``(low, high)`` with None for open;
    ``nullable`` allows None (e.g. LIME's ``hide_color=None`` = segment mean).
    """

    name: str
    type: type
    default: Any
    help: str
    choices: tuple[Any, ...] | None = None
    range: tuple[float | None, float | None] | None = None
    nullable: bool = False

    def coerce(self, value: Any, method: str) -> Any:
        where = f"{method}: option {self.name!r}"
        if value is None or (self.nullable and isinstance(value, str) and value.lower() in ("", "none")):
            if self.nullable:
                return None
            raise ExplainError(f"{where} must be {self.type.__name__}, got None")
        try:
            if self.type is bool:
                if isinstance(value, str):
                    if value.lower() not in ("1", "0", "true", "false", "yes", "no"):
                        raise ValueError(value)
                    value = value.lower() in ("1", "true", "yes")
                value = bool(value)
            elif self.type is int:
                if isinstance(value, float) and not value.is_integer():
                    raise ValueError(value)
                value = int(value)
            else:
                value = self.type(value)
        except (TypeError, ValueError):
            raise ExplainError(f"{where} must be {self.type.__name__}, got {value!r}") from None
        if self.type is float and not math.isfinite(value):
            raise ExplainError(f"{where} must be finite, got {value!r}")
        if self.choices is not None and value not in self.choices:
            raise ExplainError(f"{where} must be one of {', '.join(map(str, self.choices))}, got {value!r}")
        if self.range is not None:
            low, high = self.range
            if (low is not None and value < low) or (high is not None and value > high):
                raise ExplainError(f"{where} must be in [{low}, {high}], got {value!r}")
        return value

    def describe(self) -> dict[str, Any]:
        """JSON-friendly descriptor (for the CLI's --help and saved settings)."""
        return {
            "name": self.name,
            "type": self.type.__name__,
            "default": self.default,
            "help": self.help,
            "choices": list(self.choices) if self.choices is not None else None,
            "range": list(self.range) if self.range is not None else None,
            "nullable": self.nullable,
        }


# ---------------------------------------------------------------- explanation
@dataclass(frozen=True, eq=False)
class Explanation:
    """One method's answer for one input. Arrays are read-only.

    ``attribution``: the method's raw numbers (see docs/methods.md for each shape).
    ``heatmap``: 2-D, input H x W, what a viewer draws; ``signed`` says whether
    it is centred on zero (diverging colour map) or not (sequential).
    ``target``: the class index actually explained; ``target_kind``: how it
    was asked for ("predicted", "class", "true"). ``options``: every
    effective option incl. defaults (JSON-serialisable). ``logit``: the
    explained pre-softmax logit; ``probabilities``: softmax of the logits when
    the model ends in softmax, else None; ``predicted``: arg-max class;
    ``segments``: LIME's integer segment map (None for other methods).
    ``warnings``: complete sentences a dock or a panel record shows verbatim
    (e.g. exploded relevance under the thesis's alpha-beta); empty when all is well.
    """

    attribution: np.ndarray
    heatmap: np.ndarray
    target: int
    method: str
    options: dict[str, Any]
    signed: bool = False
    logit: float | None = None
    probabilities: np.ndarray | None = None
    predicted: int | None = None
    target_kind: str = "class"
    segments: np.ndarray | None = None
    warnings: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for name in ("attribution", "heatmap", "probabilities", "segments"):
            value = getattr(self, name)
            if value is not None:
                value = np.array(value, copy=True)
                value.setflags(write=False)
                object.__setattr__(self, name, value)
        object.__setattr__(self, "warnings", tuple(str(w) for w in self.warnings))


# ---------------------------------------------------------------------- hooks
@dataclass(frozen=True)
class Hooks:
    """``progress(done, total)`` and ``cancel`` (a callable returning bool, or a
    ``threading.Event``), both optional. Methods call :meth:`check` between
    batches and :meth:`report` after each."""

    progress: Callable[[int, int], Any] | None = None
    cancel: Callable[[], bool] | threading.Event | None = None

    def cancelled(self) -> bool:
        if self.cancel is None:
            return False
        if isinstance(self.cancel, threading.Event):
            return self.cancel.is_set()
        return bool(self.cancel())

    def check(self, method: str) -> None:
        if self.cancelled():
            raise ExplainCancelled(f"{method}: cancelled")

    def report(self, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(int(done), int(total))


# --------------------------------------------------------------------- method
class Method:
    """Base of every explanation method; subclasses are registered in :data:`METHODS`.

    A subclass sets the class attributes and implements :meth:`run`, which
    explains a batch of inputs for already-resolved target codes (-1 =
    predicted). Calling an instance is ``explain(model, x, <its id>, ...)``.

    ``options`` lists the method's own options; the ``convention`` option is
    appended to every subclass's tuple here. ``thesis_convention`` says in one
    sentence what ``convention="thesis"`` changes ("" = nothing: both
    conventions are equal for this method).
    """

    id: ClassVar[str]
    display_name: ClassVar[str]
    signed: ClassVar[bool] = False
    options: ClassVar[tuple[Option, ...]] = ()
    thesis_convention: ClassVar[str] = ""
    #: keyword arguments accepted besides ``options`` (not JSON, not CLI flags)
    hooks: ClassVar[tuple[str, ...]] = ("progress", "cancel")
    summary: ClassVar[str] = ""
    reference: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        own = tuple(opt for opt in cls.options if opt.name != "convention")
        cls.options = own + (convention_option(cls.thesis_convention),)

    def __call__(self, model: Any, x: np.ndarray, target: Target | int | None = None, **options: Any) -> Explanation:
        from .api import explain

        return explain(model, x, self.id, target, **options)

    def __repr__(self) -> str:
        return f"<method {self.id!r} ({self.display_name})>"

    def option(self, name: str) -> Option:
        for opt in self.options:
            if opt.name == name:
                return opt
        raise KeyError(name)

    def thesis(self, options: Mapping[str, Any]) -> bool:
        """Whether ``options`` ask for the thesis convention *and* it differs for this method."""
        return bool(self.thesis_convention) and options.get("convention") == "thesis"

    def resolve_options(self, given: Mapping[str, Any]) -> dict[str, Any]:
        """Defaults filled in, values coerced and validated; unknown names rejected."""
        known = {opt.name for opt in self.options}
        unknown = sorted(set(given) - known)
        if unknown:
            allowed = ", ".join(sorted(known)) or "none"
            raise ExplainError(f"{self.id}: unknown option(s) {', '.join(unknown)} (allowed: {allowed})")
        resolved = {opt.name: opt.coerce(given.get(opt.name, opt.default), self.id) for opt in self.options}
        self.validate(resolved)
        return resolved

    def validate(self, options: dict[str, Any]) -> None:
        """Cross-option checks (override where needed)."""

    def bind(self, ctx: ModelContext, options: dict[str, Any]) -> dict[str, Any]:
        """Options with model-dependent defaults made explicit (e.g. Grad-CAM's layer)."""
        return options

    def run(
        self,
        ctx: ModelContext,
        xs: np.ndarray,
        targets: np.ndarray,
        options: dict[str, Any],
        hooks: Hooks,
        extras: dict[str, Any],
    ) -> list[Explanation]:
        raise NotImplementedError

    # helpers for subclasses ------------------------------------------------
    def make(
        self,
        ctx: ModelContext,
        attribution: np.ndarray,
        heatmap: np.ndarray,
        target: int,
        logits: np.ndarray | None,
        options: dict[str, Any],
        segments: np.ndarray | None = None,
        warnings: Sequence[str] = (),
    ) -> Explanation:
        """The :class:`Explanation` of one input (``logits``: its pre-softmax logits)."""
        logit = probabilities = predicted = None
        if logits is not None:
            logits = np.asarray(logits, dtype=np.float64)
            logit = float(logits[target])
            predicted = int(np.argmax(logits))
            if ctx.graph.softmax_stripped:
                e = np.exp(logits - logits.max())
                probabilities = (e / e.sum()).astype(np.float32)
        return Explanation(
            attribution=np.asarray(attribution, dtype=np.float32),
            heatmap=np.asarray(heatmap, dtype=np.float32),
            target=int(target),
            method=self.id,
            options=dict(options),
            signed=self.signed,
            logit=logit,
            probabilities=probabilities,
            predicted=predicted,
            segments=segments,
            warnings=tuple(warnings),
        )


def convention_option(thesis_change: str) -> Option:
    """The ``convention`` option, its help saying what ``thesis`` changes for one method."""
    what = f"thesis: {thesis_change}" if thesis_change else "Both conventions are equal for this method."
    return Option(
        "convention", str, CONVENTIONS[0],
        "standard: the textbook definitions (methods.md, as Captum / Zennit); thesis: the conventions of the "
        f"tools the thesis used (iNNvestigate 1.0.x, keras-gradcam). {what}",
        choices=CONVENTIONS,
    )


def exploded(relevance_sum: float, logit: float | None, factor: float = EXPLOSION_FACTOR) -> str | None:
    """The warning for relevance that sums to more than ``factor`` x |logit| (LRP), else None."""
    if logit is None or (np.isfinite(relevance_sum) and abs(relevance_sum) <= factor * abs(logit)):
        return None
    ratio = f"{abs(relevance_sum) / abs(logit):.3g} x" if logit else "infinitely many times"
    return (
        f"relevance exploded: the input relevance sums to {relevance_sum:.4g}, {ratio} the logit {logit:.4g} "
        f"(limit {factor:g} x); a rule's denominator came close to zero (typically alpha-beta's z- under the "
        "thesis convention), so the map shows numerical blow-up more than the model's evidence"
    )


def chunks(n: int, size: int) -> Sequence[slice]:
    """Slices covering range(n) in pieces of at most ``size``."""
    size = max(1, int(size))
    return [slice(i, min(n, i + size)) for i in range(0, n, size)]
