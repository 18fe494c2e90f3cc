"""Reading face crops: content hashes and per-image channel means (one pass), preprocessed batches."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from painxai_gui.model.predictor import preprocess
from painxai_gui.model.spec import ModelSpec
from painxai_gui.train.errors import TrainCancelled, TrainError


def read_rgb(path: Path) -> tuple[np.ndarray, str]:
    """(uint8 RGB image, SHA-256 of the file's bytes)."""
    import cv2

    try:
        data = np.fromfile(str(path), np.uint8)
    except OSError as exc:
        raise TrainError(f"cannot read image ({exc})", path) from None
    raw = cv2.imdecode(data, cv2.IMREAD_COLOR) if data.size else None
    if raw is None:
        raise TrainError("not a readable image", path)
    return cv2.cvtColor(raw, cv2.COLOR_BGR2RGB), hashlib.sha256(data.tobytes()).hexdigest()


@dataclass(frozen=True)
class ImageStats:
    """Per manifest row: content hash and the channel means of the preprocessed, not yet centred image."""

    digests: tuple[str, ...]
    channel_means: np.ndarray  # (N, channels) float64

    def mean_of(self, rows: Sequence[int]) -> tuple[float, ...]:
        """Per-channel mean over ``rows`` (all images have the model's input size, so equal weights)."""
        return tuple(float(v) for v in self.channel_means[list(rows)].mean(axis=0))


def uncentred(spec: ModelSpec) -> ModelSpec:
    return replace(spec, mean=(0.0,) * spec.channels)


def scan_images(paths: Sequence[Path], spec: ModelSpec, on_step: Callable[[int, int], None] | None = None,
                cancel: Callable[[], bool] | None = None) -> ImageStats:
    """Read every image once: hash it and take its channel means after resize and scaling."""
    flat = uncentred(spec)
    digests, means = [], np.zeros((len(paths), spec.channels), np.float64)
    for i, path in enumerate(paths):
        if cancel is not None and cancel():
            raise TrainCancelled("cancelled while reading the images")
        image, digest = read_rgb(path)
        digests.append(digest)
        means[i] = preprocess(image, flat)[0].mean(axis=(0, 1), dtype=np.float64)
        if on_step is not None:
            on_step(i + 1, len(paths))
    return ImageStats(tuple(digests), means)


def load_batch(paths: Sequence[Path], flips: Sequence[int], spec: ModelSpec) -> np.ndarray:
    """Preprocessed inputs; an image with flip 1 is mirrored left-right before preprocessing."""
    images: dict[Path, np.ndarray] = {}
    batch = []
    for path, flip in zip(paths, flips):
        if path not in images:
            images[path] = read_rgb(path)[0]
        image = images[path]
        batch.append(preprocess(image[:, ::-1] if flip else image, spec)[0])
    return np.stack(batch)
