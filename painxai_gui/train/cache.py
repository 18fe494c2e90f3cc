"""On-disk, memory-mapped cache of the frozen base's output (pool5), one row per image and flip.

Design: the frozen base sees ``pixel/255 - mean`` and the mean is computed on
each fold's training images, so a constant shift of the input that zero
padding and ReLUs do not let through unchanged: features depend on the mean.
A cache folder is therefore keyed by everything the features depend on: the
base's structure and weights (fingerprint), the full preprocessing (input size,
colour order, scale, offset, *mean*), and the ordered content hashes of the
images. Rows are manifest rows; axis 1 is the flip (0 original, 1 mirrored).
A ``done`` mask is written after each batch's features are flushed, so an
interrupted extraction goes on where it stopped, and a fold of a rerun with the
same data and settings reuses it. Stale or foreign folders are never reused:
a different key is a different folder.

With the thesis's per-fold mean every fold has its own cache (each image is
run through the base once per fold and flip). ``mean_source`` "all" or
"vggface" gives every fold the same mean and hence the same key, so the folds
share one cache and each (image, flip) is computed once per run.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from painxai_gui.files import write_record
from painxai_gui.model.spec import ModelSpec
from painxai_gui.train.errors import TrainCancelled, TrainError
from painxai_gui.train.images import load_batch

CACHE_VERSION = 1
META_KIND = "painxai-feature-cache"  # meta.json: what the cached features were computed from
Pair = tuple[int, int]  # (manifest row, flip)


def cache_key(fingerprint: str, spec: ModelSpec, digests: Sequence[str], feature_shape: Sequence[int],
              dtype: str) -> str:
    prep = {"size": list(spec.input_size), "color": spec.color_mode, "dtype": dtype,
            "scale": np.float32(spec.scale).tobytes().hex(), "offset": np.float32(spec.offset).tobytes().hex(),
            "mean": np.asarray(spec.mean, np.float32).tobytes().hex(), "shape": list(feature_shape)}
    images = hashlib.sha256("\n".join(digests).encode()).hexdigest()
    text = json.dumps({"v": CACHE_VERSION, "base": fingerprint, "prep": prep, "images": images}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:24]


class FeatureCache:
    """``features.npy`` (rows, 2, D) and ``done.npy`` (rows, 2), both memory-mapped."""

    def __init__(self, folder: Path, features: np.memmap, done: np.memmap):
        self.folder, self.features, self.done = folder, features, done

    @classmethod
    def open(cls, root: Path, key: str, rows: int, size: int, dtype: str, meta: dict) -> "FeatureCache":
        folder = Path(root) / key
        feat_path, done_path = folder / "features.npy", folder / "done.npy"
        if feat_path.exists() and done_path.exists():
            features = np.load(feat_path, mmap_mode="r+")
            done = np.load(done_path, mmap_mode="r+")
            if features.shape == (rows, 2, size) and done.shape == (rows, 2):
                return cls(folder, features, done)
        folder.mkdir(parents=True, exist_ok=True)
        _check_space(folder, rows * 2 * size * np.dtype(dtype).itemsize)
        done_path.unlink(missing_ok=True)  # features are valid only once done.npy exists
        features = np.lib.format.open_memmap(feat_path, "w+", dtype, (rows, 2, size))
        done = np.lib.format.open_memmap(done_path, "w+", np.uint8, (rows, 2))
        write_record(folder / "meta.json", META_KIND, CACHE_VERSION, meta)
        return cls(folder, features, done)

    def missing(self, pairs: Sequence[Pair]) -> list[Pair]:
        return [(r, f) for r, f in pairs if not self.done[r, f]]

    def write(self, rows: np.ndarray, flips: np.ndarray, values: np.ndarray) -> None:
        self.features[rows, flips] = values.reshape(len(rows), -1)
        self.features.flush()
        self.done[rows, flips] = 1
        self.done.flush()

    def take(self, rows: np.ndarray, flips: np.ndarray) -> np.ndarray:
        return np.asarray(self.features[rows, flips], np.float32)

    def remove(self) -> None:
        del self.features, self.done
        shutil.rmtree(self.folder, ignore_errors=True)


def _check_space(folder: Path, needed: int) -> None:
    free = shutil.disk_usage(folder).free
    if needed > free:
        raise TrainError(f"the feature cache needs {needed / 1e9:.1f} GB but only {free / 1e9:.1f} GB are free "
                         "(use --cache-dtype float16 or another --cache-dir)", folder)


def compiled_forward(model, spec: ModelSpec):
    import tensorflow as tf

    sig = [tf.TensorSpec((None, *spec.input_size, spec.channels), tf.float32)]
    return tf.function(lambda x: model(x, training=False), input_signature=sig)


def extract(cache: FeatureCache, forward, paths: Sequence[Path], pairs: Sequence[Pair], spec: ModelSpec,
            batch: int, on_step: Callable[[int, int], None] | None = None,
            cancel: Callable[[], bool] | None = None) -> int:
    """Compute the missing (row, flip) features in batches; returns how many were computed."""
    todo = sorted(set(cache.missing(pairs)))
    for start in range(0, len(todo), batch):
        if cancel is not None and cancel():
            raise TrainCancelled("cancelled during feature extraction (extracted features are kept)")
        chunk = np.asarray(todo[start:start + batch])
        rows, flips = chunk[:, 0], chunk[:, 1]
        x = load_batch([paths[r] for r in rows], flips, spec)
        cache.write(rows, flips, np.asarray(forward(x)))
        if on_step is not None:
            on_step(min(start + batch, len(todo)), len(todo))
    return len(todo)
