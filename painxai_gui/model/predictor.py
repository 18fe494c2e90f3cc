"""Class probabilities for uint8 RGB face crops: preprocess, batch, one compiled forward pass."""

from __future__ import annotations

from functools import cached_property
from typing import Any

import numpy as np

from painxai_gui.errors import ModelFileError
from painxai_gui.model.loading import LoadedModel, load_model
from painxai_gui.model.spec import ModelSpec
from painxai_gui.tf_tracing import TracedOnce


def preprocess(images: np.ndarray, spec: ModelSpec) -> np.ndarray:
    """uint8 RGB (H,W,3) or (N,H,W,3), any size -> float32 (N,h,w,c) as the model expects."""
    import cv2

    images = np.asarray(images)
    if images.ndim == 3:
        images = images[None]
    if images.ndim != 4 or images.shape[-1] != 3:
        raise ValueError(f"expected RGB images (N,H,W,3), got shape {images.shape}")
    h, w = spec.input_size
    out = np.empty((len(images), h, w, spec.channels), np.float32)
    for i, img in enumerate(images):
        if img.shape[:2] != (h, w):
            shrink = img.shape[0] > h or img.shape[1] > w
            img = cv2.resize(img, (w, h), interpolation=cv2.INTER_AREA if shrink else cv2.INTER_LINEAR)
        if spec.color_mode == "grayscale":
            out[i, ..., 0] = cv2.cvtColor(np.ascontiguousarray(img), cv2.COLOR_RGB2GRAY)
        elif spec.color_mode == "bgr":
            out[i] = img[..., ::-1]
        else:
            out[i] = img
    out *= np.float32(spec.scale)
    out += np.float32(spec.offset)
    out -= np.asarray(spec.mean, np.float32)
    return out


def unpreprocess(x: np.ndarray, spec: ModelSpec) -> np.ndarray:
    """Inverse of :func:`preprocess` for display: float input -> uint8 RGB."""
    img = (np.asarray(x, np.float32) + np.asarray(spec.mean, np.float32) - spec.offset) / spec.scale
    img = np.clip(np.rint(img), 0, 255).astype(np.uint8)
    if spec.color_mode == "grayscale":
        img = np.repeat(img[..., :1], 3, axis=-1)
    elif spec.color_mode == "bgr":
        img = img[..., ::-1]
    return img


def gpu_name() -> str | None:
    """Name of the first GPU TensorFlow sees, or None (CPU only)."""
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    if not gpus:
        return None
    details = tf.config.experimental.get_device_details(gpus[0])
    return details.get("device_name", gpus[0].name)


class Predictor:
    """Batched, compiled inference on the GPU when TensorFlow sees one, else on the CPU."""

    def __init__(self, model: LoadedModel | str, batch_size: int = 32):
        self.loaded = model if isinstance(model, LoadedModel) else load_model(model)
        self.batch_size = int(batch_size)
        self._forward = None

    @property
    def spec(self) -> ModelSpec:
        return self.loaded.spec

    @cached_property
    def device(self) -> str:
        """Human-readable device, e.g. 'GPU (NVIDIA H100)' or 'CPU'."""
        name = gpu_name()
        return f"GPU ({name})" if name else "CPU"

    def _compiled(self):
        if self._forward is None:
            import tensorflow as tf

            h, w = self.spec.input_size
            model = self.loaded.model
            sig = [tf.TensorSpec((None, h, w, self.spec.channels), tf.float32)]
            self._forward = TracedOnce(tf.function(lambda x: model(x, training=False), input_signature=sig))
        return self._forward

    def predict_preprocessed(self, x: np.ndarray) -> np.ndarray:
        """Probabilities (N, classes) for already preprocessed inputs."""
        forward = self._compiled()
        out = [np.asarray(forward(x[i:i + self.batch_size])) for i in range(0, len(x), self.batch_size)]
        probs = np.concatenate(out) if out else np.zeros((0, self.spec.num_classes), np.float32)
        return self._finite(probs)

    def predict_recorded(self, x: np.ndarray) -> tuple[np.ndarray, Any]:
        """Probabilities of one preprocessed input and its recorded forward pass.

        One forward pass serves the class bars and every explanation method
        that starts from it (``explain(..., forward=...)``); a model the
        engine cannot replay is predicted as usual, with no recorded pass."""
        from painxai_gui.errors import ExplainError
        from painxai_gui.explain.api import record_forward

        try:
            forward = record_forward(self.loaded.model, x[None])
        except ExplainError:
            return self.predict_preprocessed(x[None])[0], None
        return self._finite(forward.outputs)[0], forward

    def _finite(self, probs: np.ndarray) -> np.ndarray:
        if not np.isfinite(probs).all():
            raise ModelFileError("the model produced NaN or infinite outputs", self.loaded.path)
        return probs

    def predict(self, images: np.ndarray) -> np.ndarray:
        """uint8 RGB crop(s) -> probabilities: (classes,) for one image, (N, classes) for a batch."""
        single = np.asarray(images).ndim == 3
        probs = self.predict_preprocessed(preprocess(images, self.spec))
        return probs[0] if single else probs
