"""LRP rules for one linear stage ``z_j = sum_i a_i w_ij + b_j`` (docs/methods.md, exactly).

Each rule maps the stage input ``a``, its pre-activation ``z`` (bias included,
as computed in the forward pass) and the relevance ``R`` of the outputs to the
relevance of the inputs. ``W^T s`` is computed by :meth:`~..layers.Stage.vjp`
(the transposed map), so one implementation serves Conv2D, depthwise,
pointwise, Dense, per-channel affine and average pooling.

Two rules exist only for the thesis convention (iNNvestigate 1.0.x):
``AlphaBeta(full_bias=True)`` and :class:`BatchNormThesis`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .._lazy import tf
from ..layers import Stage, add_bias, flip_kernel

Z_STABILIZER = 1e-9
#: Keras's ``K.epsilon()``: iNNvestigate's SafeDivide and BN stabiliser
KERAS_EPSILON = 1e-7


def stabilize(z: Any, eps: float) -> Any:
    """``z + eps * sign(z)`` with sign(0) = +1."""
    return z + tf.where(z >= 0, tf.constant(eps, z.dtype), tf.constant(-eps, z.dtype))


def safe_divide(a: Any, b: Any) -> Any:
    """iNNvestigate's SafeDivide: ``a / (b + (b == 0) * K.epsilon())``."""
    return a / tf.where(tf.equal(b, 0.0), tf.constant(KERAS_EPSILON, b.dtype), b)


class Rule:
    """Base. A rule may compute its stage's forward pass itself (:meth:`forward`,
    returning ``z`` and a state handed to :meth:`relevance`) -- alpha-beta does,
    to get ``z^+`` and ``z^-`` exactly without extra passes. ``nonneg`` says
    ``a >= 0`` by construction (after a ReLU)."""

    def forward(self, stage: Stage, a: Any, nonneg: bool) -> tuple[Any, Any]:
        return stage.forward(a), self.prepare(stage, a, nonneg)

    def prepare(self, stage: Stage, a: Any, nonneg: bool) -> Any:
        """The state :meth:`relevance` needs besides ``a`` and ``z`` (when ``z`` comes from a recorded
        forward pass, :mod:`..forward`); None by default."""
        return None

    def relevance(self, stage: Stage, a: Any, z: Any, state: Any, R: Any, nonneg: bool) -> Any:
        raise NotImplementedError


@dataclass(frozen=True)
class Epsilon(Rule):
    """``R_i = a_i sum_j w_ij R_j / (z_j + eps sign(z_j))``."""

    epsilon: float = 1e-7

    def relevance(self, stage: Stage, a: Any, z: Any, state: Any, R: Any, nonneg: bool) -> Any:
        kernel = stage.kernel() if stage.kernel is not None else None
        return a * stage.vjp(a, R / stabilize(z, self.epsilon), kernel)


@dataclass(frozen=True)
class ZRule(Epsilon):
    """LRP-0: the epsilon rule with the tiny stabiliser 1e-9 sign(z)."""

    epsilon: float = Z_STABILIZER


#: the kernel of each weight sign, split once per stage (Stage.derived)
_SPLIT = {"+": lambda k: tf.maximum(k, 0.0), "-": lambda k: tf.minimum(k, 0.0)}


def split_kernel(stage: Stage, sign: str) -> Any:
    """``W^+`` or ``W^-`` of ``stage``, split once per model (cached on the stage)."""
    return stage.derived(f"w{sign}", _SPLIT[sign])


def split_transposed(stage: Stage, sign: str, factor: float) -> Any:
    """``factor * W^{sign}`` as the kernel of the transposed conv (:func:`~..layers.flip_kernel`), cached."""
    return stage.derived(f"w{sign}T*{factor!r}", lambda k: flip_kernel(_SPLIT[sign](k)) * factor)


@dataclass(frozen=True)
class AlphaBeta(Rule):
    """``R_i = sum_j (alpha p_ij / z_j^+ - beta n_ij / z_j^-) R_j``.

    ``p_ij = (a_i w_ij)^+``, ``n_ij = (a_i w_ij)^-``, ``z_j^+ = sum_i p_ij +
    b_j^+``, ``z_j^- = sum_i n_ij + b_j^-``; a zero denominator contributes 0.
    ``full_bias`` (thesis convention, iNNvestigate 1.x): ``z_j^+ = sum_i p_ij + b_j``
    and ``z_j^- = sum_i n_ij + b_j`` (the whole bias in both), a zero denominator
    is replaced by 1e-7 -- reproduced faithfully, explosions included.

    The forward pass computes ``z^+`` and ``z^-`` (``z = z^+ + z^-``, minus
    ``b`` under ``full_bias``) instead of ``z``: exact, and one pass cheaper
    than computing all three; with ``beta = 0`` it computes ``z`` and ``z^+``
    only. With ``a >= 0`` only the positive-input half exists (``p = a w^+``,
    ``n = a w^-``). Split kernels are computed once per model; ``alpha`` and
    ``-beta`` are folded into the transposed-conv kernels.
    """

    alpha: float = 1.0
    beta: float = 0.0
    full_bias: bool = False

    def forward(self, stage: Stage, a: Any, nonneg: bool) -> tuple[Any, Any]:
        state = self.prepare(stage, a, nonneg)
        _, z_pos, z_neg = state
        b = stage.bias() if stage.bias is not None else None
        if z_neg is None:  # z^- is not needed: the ordinary z plus z^+ (W^- never materialised when a >= 0)
            return stage.forward(a, bias=b), state
        z = z_pos + z_neg
        if b is not None and self.full_bias:
            z = add_bias(z, -b)
        return z, state

    def prepare(self, stage: Stage, a: Any, nonneg: bool) -> Any:
        """(halves of ``a``, ``z^+``, ``z^-`` or None when ``beta`` = 0)."""
        halves = [(a, "+")] if nonneg else [(tf.maximum(a, 0.0), "+"), (tf.minimum(a, 0.0), "-")]
        b = stage.bias() if stage.bias is not None else None
        # p_ij: positive inputs with positive weights, negative inputs with negative weights; n_ij: the rest
        z_pos = self._z(stage, halves, b, "+")
        if self.beta == 0.0:
            return halves, z_pos, None
        return halves, z_pos, self._z(stage, [(part, _other(sign)) for part, sign in halves], b, "-")

    def _z(self, stage: Stage, terms: list[tuple[Any, str]], b: Any, sign: str) -> Any:
        """``sum_i (a_i w_ij)^{sign}`` plus the bias share of this denominator."""
        if b is not None and not self.full_bias:
            b = tf.maximum(b, 0.0) if sign == "+" else tf.minimum(b, 0.0)
        zs = [stage.apply(part, split_kernel(stage, weight)) for part, weight in terms]
        return add_bias(zs[0] if len(zs) == 1 else tf.add_n(zs), b)

    def relevance(self, stage: Stage, a: Any, z: Any, state: Any, R: Any, nonneg: bool) -> Any:
        halves, z_pos, z_neg = state
        divide = safe_divide if self.full_bias else tf.math.divide_no_nan
        s_pos = divide(R, z_pos)
        s_neg = divide(R, z_neg) if z_neg is not None else None
        out = []
        for part, sign in halves:  # p_ij of this half uses W^{sign}, n_ij the other sign
            back = self._back(stage, part, s_pos, sign, self.alpha)
            if s_neg is not None:
                back = back + self._back(stage, part, s_neg, _other(sign), -self.beta)
            out.append(part * back)
        return out[0] if len(out) == 1 else tf.add_n(out)

    @staticmethod
    def _back(stage: Stage, part: Any, s: Any, sign: str, factor: float) -> Any:
        """``factor * W^{sign} s`` (the transposed map)."""
        if stage.flippable(part):
            return stage.vjp(part, s, flipped=split_transposed(stage, sign, factor))
        back = stage.vjp(part, s, split_kernel(stage, sign))
        return back if factor == 1.0 else back * factor


def _other(sign: str) -> str:
    return "-" if sign == "+" else "+"


@dataclass(frozen=True)
class Flat(Rule):
    """Weights replaced by ones, bias ignored: equal shares of R_j over j's receptive field.

    For a conv the all-ones kernel is applied as a one-channel box sum (the
    same numbers for every input channel, times their count): exact, and
    ~C_in x C_out times less work than the full all-ones conv."""

    def relevance(self, stage: Stage, a: Any, z: Any, state: Any, R: Any, nonneg: bool) -> Any:
        if stage.op == "conv":
            k = stage.kernel()
            box, ones = tf.ones((k.shape[0], k.shape[1], 1, 1), a.dtype), tf.ones_like(a[..., :1])
            count = stage.apply(ones[:1], box) * float(k.shape[2])  # inputs per output position
            s = tf.reduce_sum(tf.math.divide_no_nan(R, count), axis=-1, keepdims=True)
            return stage.vjp(ones, s, box) * tf.ones_like(a)
        ones = tf.ones_like(a)
        w = tf.ones_like(stage.kernel()) if stage.kernel is not None else None
        return stage.vjp(ones, tf.math.divide_no_nan(R, stage.apply(ones, w)), w)


@dataclass(frozen=True)
class BatchNormThesis(Rule):
    """iNNvestigate 1.x's BatchNormalization rule (thesis convention), BN kept as its own layer:

    ``R_in = x (y - beta) R / ((x - mu) y)``, the denominator stabilised by
    ``K.epsilon() sign(.)`` and safely divided, as there (``y``: the BN output,
    ``mu``: moving mean, ``beta``: BN offset; 0 when the BN is not centred).
    """

    def relevance(self, stage: Stage, a: Any, z: Any, state: Any, R: Any, nonneg: bool) -> Any:
        beta = stage.params.get("beta")
        y_minus_beta = z - beta() if beta is not None else z
        return safe_divide(a * y_minus_beta * R, stabilize((a - stage.params["mean"]()) * z, KERAS_EPSILON))
