"""Training the head (fc6-fc8) on cached pool5 features: seeded batches and flips, early stopping.

The loss is categorical cross-entropy plus the layers' regularisation losses
(L2); reported losses are the cross-entropy alone, so that training,
validation and test numbers compare. Early stopping watches the validation
cross-entropy and the best epoch's weights are put back at the end.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np

from painxai_gui.train.cache import FeatureCache
from painxai_gui.train.errors import TrainCancelled


@dataclass(frozen=True)
class Part:
    """Samples of one part: cache rows, their flips and class indices."""

    rows: np.ndarray
    flips: np.ndarray
    labels: np.ndarray

    @classmethod
    def of(cls, rows: Sequence[int], labels: Sequence[int], flips: Sequence[int] = (0,)) -> "Part":
        """Every row once per flip in ``flips`` (validation: both orientations)."""
        rows, labels = np.asarray(rows, np.int64), np.asarray(labels, np.int64)
        return cls(np.tile(rows, len(flips)), np.repeat(np.asarray(flips, np.int64), len(rows)),
                   np.tile(labels, len(flips)))

    def __len__(self) -> int:
        return len(self.rows)


@dataclass(frozen=True)
class EpochLog:
    epoch: int  # 1-based
    loss: float  # mean training cross-entropy over the epoch (augmented, dropout on)
    accuracy: float
    val_loss: float
    val_accuracy: float
    seconds: float


@dataclass
class FitResult:
    history: list[EpochLog] = field(default_factory=list)
    best_epoch: int = 0
    best_val_loss: float = float("inf")

    @property
    def epochs(self) -> int:
        return len(self.history)


class EarlyStopping:
    """Stop after ``patience`` epochs in a row without a validation loss below best - min_delta;
    remember the best epoch's weights (patience 1: the thesis's first epoch without improvement)."""

    def __init__(self, patience: int = 1, min_delta: float = 0.0):
        self.patience, self.min_delta = int(patience), float(min_delta)
        self.best_loss, self.best_epoch, self.best_weights, self.wait = float("inf"), 0, None, 0

    def update(self, epoch: int, val_loss: float, get_weights: Callable[[], Any]) -> bool:
        """Record an epoch's validation loss; True when training should stop."""
        if val_loss < self.best_loss - self.min_delta or self.best_weights is None:
            self.best_loss, self.best_epoch, self.best_weights, self.wait = val_loss, epoch, get_weights(), 0
            return False
        self.wait += 1
        return self.wait >= max(self.patience, 1)


def loss_terms(model, x, y_onehot, training: bool):
    """(total loss for the optimiser, mean cross-entropy, per-sample hits) of one batch."""
    import keras
    from keras import ops

    probs = model(x, training=training)
    ce = ops.mean(keras.losses.categorical_crossentropy(y_onehot, probs))
    total = ce + ops.sum(ops.stack(model.losses)) if model.losses else ce
    hits = ops.cast(ops.equal(ops.argmax(probs, -1), ops.argmax(y_onehot, -1)), "float32")
    return total, ce, hits


def loss_and_grads(model, x, y_onehot, training: bool = False):
    """(total loss, gradients w.r.t. the trainable variables) for one batch."""
    import tensorflow as tf

    with tf.GradientTape() as tape:
        total, _, _ = loss_terms(model, x, y_onehot, training)
    return total, tape.gradient(total, model.trainable_variables)


def make_train_step(head, optimizer, num_classes: int):
    import tensorflow as tf

    @tf.function(reduce_retracing=True)
    def step(x, labels):
        y = tf.one_hot(labels, num_classes)
        with tf.GradientTape() as tape:
            total, ce, hits = loss_terms(head, x, y, True)
        grads = tape.gradient(total, head.trainable_variables)
        optimizer.apply_gradients(zip(grads, head.trainable_variables))
        return ce, tf.reduce_sum(hits)

    return step


def predict(head, cache: FeatureCache, part: Part, feature_shape: Sequence[int], batch: int) -> np.ndarray:
    """Class probabilities (N, classes) for a part."""
    out = []
    for s in range(0, len(part), batch):
        x = cache.take(part.rows[s:s + batch], part.flips[s:s + batch]).reshape(-1, *feature_shape)
        out.append(np.asarray(head(x, training=False)))
    return np.concatenate(out) if out else np.zeros((0, head.output_shape[-1]), np.float32)


def scores(probs: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    """(mean cross-entropy, accuracy), clipped like Keras."""
    eps = 1e-7
    p = np.clip(probs[np.arange(len(labels)), labels], eps, 1.0 - eps)
    return float(-np.log(p.astype(np.float64)).mean()), float((probs.argmax(1) == labels).mean())


@dataclass
class HeadTrainer:
    """Trains ``head`` on a cache; ``evaluate_val`` can be replaced (tests script the validation loss)."""

    head: Any
    cache: FeatureCache
    feature_shape: tuple[int, ...]
    num_classes: int
    learning_rate: float = 1e-5
    batch_size: int = 32
    flip: bool = True
    evaluate_val: Callable[[Any], tuple[float, float]] | None = None

    def val_scores(self, val: Part) -> tuple[float, float]:
        if self.evaluate_val is not None:
            return self.evaluate_val(self.head)
        return scores(predict(self.head, self.cache, val, self.feature_shape, 256), val.labels)

    def run_epoch(self, step, train: Part, rng: np.random.Generator) -> tuple[float, float]:
        order = rng.permutation(len(train))
        flips = rng.integers(0, 2, len(train)) if self.flip else np.zeros(len(train), np.int64)
        ce_sum = hit_sum = 0.0
        for s in range(0, len(order), self.batch_size):
            idx = order[s:s + self.batch_size]
            x = self.cache.take(train.rows[idx], flips[idx]).reshape(-1, *self.feature_shape)
            ce, hits = step(x, train.labels[idx].astype(np.int32))
            ce_sum += float(ce) * len(idx)
            hit_sum += float(hits)
        return ce_sum / len(order), hit_sum / len(order)

    def fit(self, train: Part, val: Part, epochs: int, stopper: EarlyStopping, rng: np.random.Generator,
            on_epoch: Callable[[EpochLog], None] | None = None,
            cancel: Callable[[], bool] | None = None) -> FitResult:
        import keras

        optimizer = keras.optimizers.Adam(self.learning_rate)
        optimizer.build(self.head.trainable_variables)
        step = make_train_step(self.head, optimizer, self.num_classes)
        result = FitResult()
        for epoch in range(1, epochs + 1):
            if cancel is not None and cancel():
                raise TrainCancelled(f"cancelled before epoch {epoch}")
            start = time.perf_counter()
            loss, acc = self.run_epoch(step, train, rng)
            val_loss, val_acc = self.val_scores(val)
            log = EpochLog(epoch, loss, acc, val_loss, val_acc, time.perf_counter() - start)
            result.history.append(log)
            if on_epoch is not None:
                on_epoch(log)
            if stopper.update(epoch, val_loss, self.head.get_weights):
                break
        self.head.set_weights(stopper.best_weights)
        result.best_epoch, result.best_val_loss = stopper.best_epoch, stopper.best_loss
        return result

