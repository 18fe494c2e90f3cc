"""The cache does not change the model; early stopping stops and restores like the thesis's Keras run."""

from __future__ import annotations

import numpy as np
import pytest

from painxai_gui.model.spec import ModelSpec
from painxai_gui.train.cache import FeatureCache, cache_key, compiled_forward, extract
from painxai_gui.train.head import EarlyStopping, HeadTrainer, Part, loss_and_grads
from painxai_gui.train.images import load_batch
from painxai_gui.train.manifest import read_manifest
from painxai_gui.train.network import build_network, build_tiny_vggface

CLASSES = ("pain", "disgust", "happiness")


@pytest.fixture(scope="module")
def setup(synth_manifest, tmp_path_factory):
    """A tiny network (L2 on), a spec with a non-trivial mean and a cache of 12 images x 2 flips."""
    rows = read_manifest(synth_manifest).rows
    net = build_network(build_tiny_vggface, 3, (32, 32, 3), 16, 1e-4, None, None, seed=1)
    spec = ModelSpec(CLASSES, (32, 32), mean=(0.45, 0.52, 0.49))
    paths = [r.path for r in rows]
    labels = np.asarray([CLASSES.index(r.category) for r in rows])
    key = cache_key(net.fingerprint, spec, [str(i) for i in range(len(rows))], net.feature_shape, "float32")
    cache = FeatureCache.open(tmp_path_factory.mktemp("cache"), key, len(rows), int(np.prod(net.feature_shape)),
                              "float32", {})
    pick = list(range(0, len(rows), len(rows) // 12))[:12]
    extract(cache, compiled_forward(net.extractor, spec), paths, [(r, f) for r in pick for f in (0, 1)], spec, 5)
    return net, spec, cache, paths, labels, pick


def test_cached_features_give_the_same_loss_and_gradients_as_end_to_end(setup):
    net, spec, cache, paths, labels, pick = setup
    rows = np.asarray(pick)
    flips = np.arange(len(rows)) % 2
    y = np.eye(3, dtype=np.float32)[labels[rows]]
    assert [v.path for v in net.model.trainable_variables] == [v.path for v in net.head.trainable_variables]
    assert all(a is b for a, b in zip(net.model.trainable_variables, net.head.trainable_variables))
    full_loss, full_grads = loss_and_grads(net.model, load_batch([paths[r] for r in rows], flips, spec), y)
    x_cached = cache.take(rows, flips).reshape(-1, *net.feature_shape)
    head_loss, head_grads = loss_and_grads(net.head, x_cached, y)
    assert float(full_loss) > 0
    np.testing.assert_allclose(float(head_loss), float(full_loss), rtol=1e-6)
    assert len(full_grads) == len(head_grads) == 6  # fc6, fc7, fc8 kernels and biases
    for a, b in zip(full_grads, head_grads):
        np.testing.assert_allclose(np.asarray(b), np.asarray(a), rtol=1e-5, atol=1e-7)
    # the mirrored image's features really are different (the flip is not a no-op)
    assert not np.allclose(cache.take(rows[:1], np.array([0])), cache.take(rows[:1], np.array([1])))


def test_cache_key_depends_on_the_mean_and_an_open_cache_is_reused(setup, tmp_path):
    net, spec, _, _, _, _ = setup
    other = ModelSpec(CLASSES, (32, 32), mean=(0.45, 0.52, 0.4901))
    k1 = cache_key(net.fingerprint, spec, ["a", "b"], net.feature_shape, "float32")
    assert k1 != cache_key(net.fingerprint, other, ["a", "b"], net.feature_shape, "float32")
    assert k1 != cache_key(net.fingerprint, spec, ["a", "c"], net.feature_shape, "float32")
    assert k1 != cache_key("other-base", spec, ["a", "b"], net.feature_shape, "float32")
    cache = FeatureCache.open(tmp_path, k1, 2, 4, "float32", {})
    cache.write(np.array([1]), np.array([0]), np.ones((1, 4), np.float32))
    del cache
    again = FeatureCache.open(tmp_path, k1, 2, 4, "float32", {})
    assert again.missing([(0, 0), (1, 0), (1, 1)]) == [(0, 0), (1, 1)]
    np.testing.assert_array_equal(again.take(np.array([1]), np.array([0])), np.ones((1, 4)))


@pytest.mark.parametrize("patience, stop_at, best", [(1, 3, 2), (2, 6, 4), (3, 7, 4)])
def test_early_stopping_on_a_scripted_validation_loss(patience, stop_at, best):
    losses = [1.0, 0.8, 0.9, 0.7, 0.75, 0.76, 0.78, 0.5]
    stopper = EarlyStopping(patience)
    stopped = None
    for epoch, loss in enumerate(losses, 1):
        if stopper.update(epoch, loss, lambda e=epoch: f"weights after epoch {e}"):
            stopped = epoch
            break
    assert (stopped, stopper.best_epoch) == (stop_at, best)
    assert stopper.best_weights == f"weights after epoch {best}" and stopper.best_loss == losses[best - 1]


def test_training_stops_at_the_right_epoch_and_keeps_the_best_weights(setup):
    net, _, cache, _, labels, pick = setup
    script = iter([1.0, 0.6, 0.7, 0.65, 0.9])  # best at epoch 2, patience 2 -> stops after epoch 4
    snapshots = []

    def scripted(head):
        snapshots.append([w.copy() for w in head.get_weights()])
        return next(script), 0.5

    trainer = HeadTrainer(net.head, cache, net.feature_shape, 3, learning_rate=1e-2, batch_size=4,
                          evaluate_val=scripted)
    train = Part.of(pick, labels[pick])
    fit = trainer.fit(train, train, 10, EarlyStopping(2), np.random.default_rng(0))
    assert (fit.epochs, fit.best_epoch, fit.best_val_loss) == (4, 2, 0.6)
    assert [h.val_loss for h in fit.history] == [1.0, 0.6, 0.7, 0.65]
    assert not np.allclose(snapshots[1][0], snapshots[3][0])  # the head did move after epoch 2
    for kept, best in zip(net.head.get_weights(), snapshots[1]):
        np.testing.assert_array_equal(kept, best)
    for kept, best in zip(net.model.get_layer("fc8").get_weights(), snapshots[1][-2:]):
        np.testing.assert_array_equal(kept, best)  # the full model got them too (shared layers)
