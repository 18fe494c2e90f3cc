"""A model with NaN or infinite weights is an ExplainError naming the model, never a blank heatmap."""

from __future__ import annotations

import numpy as np
import pytest

from explain_models import dense_net, small_convnet
from painxai_gui.errors import ExplainError
from painxai_gui.explain import explain


def _broken(value: float):
    model = small_convnet(seed=3)
    kernel, bias = model.get_layer("logits").get_weights()
    kernel[0, 1] = value
    model.get_layer("logits").set_weights([kernel, bias])
    return model


@pytest.mark.parametrize("value", [np.nan, np.inf])
@pytest.mark.parametrize("method", ["gradient", "gradcam", "lrp.epsilon"])
def test_non_finite_weights_are_an_error_naming_the_model(rng, value, method):
    model = _broken(value)
    x = rng.normal(size=(8, 8, 2)).astype(np.float32) + 1.0
    with pytest.raises(ExplainError, match="non-finite") as info:
        explain(model, x, method)
    assert model.name in str(info.value)


def test_the_error_names_the_model_file(tmp_path, rng):
    from painxai_gui.model import ModelSpec, sidecar_path, write_sidecar

    model = dense_net(seed=2)  # 4x4x1: a grayscale model file with its sidecar
    kernel, bias = model.layers[-1].get_weights()
    model.layers[-1].set_weights([np.full_like(kernel, np.nan), bias])
    path = tmp_path / "broken.keras"
    model.save(path)
    write_sidecar(ModelSpec(("a", "b", "c"), input_size=(4, 4), color_mode="grayscale", mean=(0.0,)),
                  sidecar_path(path))
    with pytest.raises(ExplainError, match="broken.keras gives non-finite logits") as info:
        explain(path, rng.normal(size=(4, 4, 1)).astype(np.float32), "gradient")
    assert info.value.path == path


def test_finite_models_are_unaffected(rng):
    result = explain(small_convnet(seed=3), rng.normal(size=(8, 8, 2)).astype(np.float32), "gradient")
    assert np.isfinite(result.heatmap).all() and np.isfinite(result.logit)
