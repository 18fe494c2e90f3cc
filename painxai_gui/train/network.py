"""The network of one fold: frozen base up to ``pool5``, a trainable head from ``flatten`` on.

The extractor (input -> pool5) and the head (pool5 features -> softmax) are two
Keras models built on the *same layer objects* as the full model, so training
the head on cached features trains the full model's fc6-fc8 directly and the
saved full model is exactly what was trained.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

from painxai_gui.model.loading import load_weights_by_name
from painxai_gui.model.vggface import build_vggface
from painxai_gui.train.errors import TrainError

log = logging.getLogger(__name__)
BaseBuilder = Callable[..., Any]  # (num_classes, input_shape=, fc_units=, l2=, dropout=) -> keras.Model
FEATURE_LAYER = "pool5"
TINY_FILTERS = (8, 16, 16, 32, 32)


def build_tiny_vggface(num_classes: int, input_shape: tuple[int, int, int] = (32, 32, 3), fc_units: int = 32,
                       l2: float | None = None, dropout: float | None = None, name: str = "tiny_vggface"):
    """A stand-in with VGG-Face's structure and layer names (one conv per block) for tests and demos."""
    return build_vggface(num_classes, input_shape, fc_units, l2, dropout, name,
                         blocks=tuple((f, 1) for f in TINY_FILTERS))


ARCHITECTURES: dict[str, BaseBuilder] = {"vggface": build_vggface, "tiny": build_tiny_vggface}


@dataclass
class Network:
    model: Any  # full keras.Model: image -> probabilities
    extractor: Any  # image -> pool5
    head: Any  # pool5 -> probabilities (shares the model's layers)
    feature_shape: tuple[int, ...]
    fingerprint: str  # SHA-256 of the frozen part's structure and weights
    notes: list[str] = field(default_factory=list)


def split_at_features(model, layer_name: str = FEATURE_LAYER):
    """(extractor, head) sharing ``model``'s layers; the part after ``layer_name`` must be a chain."""
    import keras

    try:
        cut = model.get_layer(layer_name)
    except ValueError:
        raise TrainError(f"the base network has no layer named {layer_name!r}") from None
    layers = model.layers
    tail = layers[layers.index(cut) + 1:]
    previous = cut
    for layer in tail:
        if layer.input is not previous.output:
            raise TrainError(f"layer {layer.name!r} does not follow {previous.name!r}: the part after "
                             f"{layer_name} must be a simple chain (flatten, fc6 ... fc8)")
        previous = layer
    features = keras.Input(shape=tuple(cut.output.shape[1:]), name=f"{layer_name}_features")
    x = features
    for layer in tail:
        x = layer(x)
    extractor = keras.Model(model.input, cut.output, name="extractor")
    return extractor, keras.Model(features, x, name="head")


def freeze_base(model, layer_name: str = FEATURE_LAYER) -> list[str]:
    """Freeze every layer up to and including ``layer_name``; return the trainable layers' names."""
    frozen = True
    for layer in model.layers:
        layer.trainable = not frozen
        if layer.name == layer_name:
            frozen = False
    return [layer.name for layer in model.layers if layer.trainable and layer.weights]


def base_fingerprint(model, layer_name: str = FEATURE_LAYER) -> str:
    digest = hashlib.sha256()
    for layer in model.layers:
        config = {k: v for k, v in layer.get_config().items() if k != "name"}
        digest.update(f"{type(layer).__name__}:{json.dumps(config, sort_keys=True, default=str)}".encode())
        for weight in layer.get_weights():
            digest.update(np.ascontiguousarray(weight, np.float32).tobytes())
        if layer.name == layer_name:
            break
    return digest.hexdigest()


def load_base(model, path: Path | None) -> list[str]:
    """Load VGG-Face weights by layer name (None: keep the random base; the runner warns). Returns notes."""
    if path is None:
        return []
    loaded, skipped = load_weights_by_name(model, path)
    notes = [f"base weights from {path}: {len(loaded)} layers loaded"] + [f"not loaded: {s}" for s in skipped]
    convs = [layer.name for layer in model.layers if layer.weights and layer.name.startswith("conv")]
    missing = [name for name in convs if name not in loaded]
    if missing:
        message = f"conv layers NOT loaded from {path.name} (random weights): {missing}"
        log.warning(message)
        notes.append(message)
    return notes


def build_network(builder: BaseBuilder, num_classes: int, input_shape: tuple[int, int, int], fc_units: int,
                  l2: float | None, dropout: float | None, base_weights: Path | None, seed: int) -> Network:
    """Build with a fixed seed (same random base and head start in every fold), load, freeze, split."""
    import keras

    keras.utils.set_random_seed(seed)
    model = builder(num_classes, input_shape=input_shape, fc_units=fc_units, l2=l2, dropout=dropout)
    notes = load_base(model, base_weights)
    trainable = freeze_base(model)
    if not trainable:
        raise TrainError(f"the base network has no trainable layer after {FEATURE_LAYER}")
    extractor, head = split_at_features(model)
    shape = tuple(int(d) for d in extractor.output.shape[1:])
    return Network(model, extractor, head, shape, base_fingerprint(model), notes)
