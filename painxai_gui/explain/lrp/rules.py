"""LRP rules for one linear stage ``z_j = sum_i a_i w_ij + b_j`` (docs/methods.md, exactly).

Each rule maps the stage input ``a``, its pre-activation ``z`` (bias included,
as computed in the forward pass) and the relevance ``R`` of the outputs to the
relevance of the inputs. ``W^T s`` is computed as the vector-Jacobian product
of the stage's linear map, so one implementation serves Conv2D, depthwise,
pointwise, Dense, per-channel affine and average pooling.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .._lazy import tf
from ..layers import Stage

Z_STABILIZER = 1e-9


def stabilize(z: Any, eps: float) -> Any:
    """``z + eps * sign(z)`` with sign(0) = +1."""
    return z + eps * tf.where(z >= 0, tf.ones_like(z), -tf.ones_like(z))


class Rule:
    """Base. A rule may compute its stage's forward pass itself (:meth:`forward`,
    returning ``z`` and a state handed to :meth:`relevance`) -- alpha-beta does,
    to get ``z^+`` and ``z^-`` exactly without extra passes. ``nonneg`` says
    ``a >= 0`` by construction (after a ReLU)."""

    def forward(self, stage: Stage, a: Any, nonneg: bool) -> tuple[Any, Any]:
        return stage.forward(a), None

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


@dataclass(frozen=True)
class AlphaBeta(Rule):
    """``R_i = sum_j (alpha p_ij / z_j^+ - beta n_ij / z_j^-) R_j``.

    ``p_ij = (a_i w_ij)^+``, ``n_ij = (a_i w_ij)^-``, ``z_j^+ = sum_i p_ij +
    b_j^+``, ``z_j^- = sum_i n_ij + b_j^-``; a zero denominator contributes 0.
    The forward pass computes ``z^+`` and ``z^-`` (``z = z^+ + z^-``) instead
    of ``z``: exact, and one pass cheaper than computing all three; with
    ``beta = 0`` it computes ``z`` and ``z^+`` only. With ``a >= 0`` only the
    positive-input half exists (``p = a w^+``, ``n = a w^-``).
    """

    alpha: float = 1.0
    beta: float = 0.0

    def forward(self, stage: Stage, a: Any, nonneg: bool) -> tuple[Any, Any]:
        w = stage.kernel()
        b = stage.bias() if stage.bias is not None else None
        w_pos = tf.maximum(w, 0.0)
        halves = [a] if nonneg else [tf.maximum(a, 0.0), tf.minimum(a, 0.0)]
        if self.beta == 0.0:  # z^- is not needed: the ordinary z plus z^+ (W^- never materialised)
            pos = [(a, w_pos)] if nonneg else list(zip(halves, (w_pos, tf.minimum(w, 0.0))))
            z_pos = self._z(stage, pos, None if b is None else tf.maximum(b, 0.0))
            return stage.forward(a), (pos, [], z_pos, None)
        w_neg = tf.minimum(w, 0.0)
        # p_ij: positive inputs with positive weights, negative inputs with negative weights; n_ij: the rest
        pos = list(zip(halves, (w_pos, w_neg)))
        neg = list(zip(halves, (w_neg, w_pos)))
        z_pos = self._z(stage, pos, None if b is None else tf.maximum(b, 0.0))
        z_neg = self._z(stage, neg, None if b is None else tf.minimum(b, 0.0))
        return z_pos + z_neg, (pos, neg, z_pos, z_neg)

    @staticmethod
    def _z(stage: Stage, terms: list[tuple[Any, Any]], bias: Any) -> Any:
        z = tf.add_n([stage.apply(part, wk) for part, wk in terms])
        return z if bias is None else z + bias

    def relevance(self, stage: Stage, a: Any, z: Any, state: Any, R: Any, nonneg: bool) -> Any:
        pos, neg, z_pos, z_neg = state
        out = 0.0
        for factor, terms, denominator in ((self.alpha, pos, z_pos), (-self.beta, neg, z_neg)):
            if factor != 0.0:
                s = tf.math.divide_no_nan(R, denominator)
                out = out + factor * tf.add_n([part * stage.vjp(part, s, wk) for part, wk in terms])
        return out


@dataclass(frozen=True)
class Flat(Rule):
    """Weights replaced by ones, bias ignored: equal shares of R_j over j's receptive field."""

    def relevance(self, stage: Stage, a: Any, z: Any, state: Any, R: Any, nonneg: bool) -> Any:
        ones = tf.ones_like(a)
        w = tf.ones_like(stage.kernel()) if stage.kernel is not None else None
        return stage.vjp(ones, tf.math.divide_no_nan(R, stage.apply(ones, w)), w)
