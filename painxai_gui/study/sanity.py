"""Model-randomisation sanity check (Adebayo et al., 2018), cascading from the top.

Stage 1 re-initialises the last Dense layer, stage 2 the last three layers
with weights, stage 3 every layer with weights: kernels (arrays of rank >= 2)
get Glorot-uniform values with fixed seeds, biases become zero, other 1-D
weights (batch-norm statistics) are kept. Each stage is a fresh clone of the
model, so the engine traces it anew and no cached graph keeps old weights.
Similarity per image = Spearman correlation of |h| between the original and
the randomised model's heatmaps, and SSIM of the two maps min-max normalised
to [0, 1] (:func:`similarity`).
"""

from __future__ import annotations

from typing import Any, Iterator

import numpy as np

STAGES = (1, 2, 3)


def leaf_layers(model: Any) -> list[Any]:
    """Every non-model layer in order, nested models inlined."""
    out = []
    for layer in model.layers:
        if hasattr(layer, "layers") and layer.layers:
            out.extend(leaf_layers(layer))
        else:
            out.append(layer)
    return out


def stage_layers(model: Any, stage: int) -> list[str]:
    """Names of the layers re-initialised at ``stage`` (cumulative from the top)."""
    weighted = [layer for layer in leaf_layers(model) if layer.weights]
    if not weighted:
        return []
    if stage == 1:
        dense = [layer for layer in weighted if type(layer).__name__ == "Dense"]
        return [(dense or weighted)[-1].name]
    if stage == 2:
        return [layer.name for layer in weighted[-3:]]
    return [layer.name for layer in weighted]


def randomised(model: Any, stage: int, seed: int = 0) -> Any:
    """A clone of ``model`` with the stage's layers re-initialised (the original is not touched)."""
    import keras

    clone = keras.models.clone_model(model)
    clone.set_weights(model.get_weights())
    names = set(stage_layers(model, stage))
    for index, layer in enumerate(leaf_layers(clone)):
        if layer.name not in names:
            continue
        values = []
        for j, weight in enumerate(layer.weights):
            shape = tuple(weight.shape)
            if len(shape) >= 2:
                init = keras.initializers.GlorotUniform(seed=seed * 100003 + index * 101 + j)
                values.append(np.asarray(init(shape), dtype=weight.dtype))
            elif "bias" in weight.path.split("/")[-1]:
                values.append(np.zeros(shape, weight.dtype))
            else:
                values.append(np.asarray(weight.numpy()))
        layer.set_weights(values)
    return clone


def ssim01(a: np.ndarray, b: np.ndarray) -> float:
    """SSIM (scikit-image defaults, 7 x 7 window) of two maps each min-max normalised to [0, 1]."""
    from skimage.metrics import structural_similarity

    def norm(m: np.ndarray) -> np.ndarray:
        m = np.asarray(m, np.float64)
        span = np.ptp(m)
        return (m - m.min()) / span if span > 0 else np.zeros_like(m)

    return float(structural_similarity(norm(a), norm(b), data_range=1.0))


def similarity(original: np.ndarray, randomised_map: np.ndarray) -> tuple[float, float]:
    """(Spearman of |h|, SSIM of the [0, 1]-normalised maps)."""
    from painxai_gui.study.explain_step import spearman

    return spearman(np.abs(original), np.abs(randomised_map)), ssim01(original, randomised_map)


def cascade(model: Any, seed: int = 0) -> Iterator[tuple[int, Any]]:
    """(stage, randomised clone) for stages 1..3."""
    for stage in STAGES:
        yield stage, randomised(model, stage, seed)
