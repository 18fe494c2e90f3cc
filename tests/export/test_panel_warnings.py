"""The engine's warnings reach the panel record verbatim (thesis alpha-beta dividing by z- ~ 0)."""

from __future__ import annotations

import json

import keras
import numpy as np
from keras import layers

from painxai_gui.export.panel import record_path
from painxai_gui.export.panel_job import PanelItem, make_panel
from painxai_gui.model.loading import LoadedModel
from painxai_gui.model.spec import ModelSpec


def _dense_model() -> LoadedModel:
    """Issue 14's case: Dense(1), w = [1, -1], b = +0.5 on x = [1.0, 0.502] -> z- = -0.002 under 'thesis'."""
    inp = keras.Input((1, 2, 1))
    dense = layers.Dense(1, name="d")
    model = keras.Model(inp, dense(layers.Flatten()(inp)))
    dense.set_weights([np.array([[1.0], [-1.0]], np.float32), np.array([0.5], np.float32)])
    spec = ModelSpec(class_names=("only",), input_size=(1, 2), color_mode="grayscale", scale=1 / 255.0,
                     offset=0.0, mean=(0.0,))
    return LoadedModel(model, spec)


def test_exploded_relevance_is_flagged_in_the_record(tmp_path):
    crop = np.zeros((256, 256, 3), np.uint8)
    crop[:, :128], crop[:, 128:] = 255, 128  # x = [1.0, 0.502] after the 2-pixel resize
    options = {"lrp.alpha_beta": {"alpha": 2.0, "beta": 1.0, "convention": "thesis"}, "gradcam": {}}
    out = tmp_path / "panel.png"
    result = make_panel([PanelItem(crop, "halves", None, is_crop=True)], _dense_model(), ["lrp.alpha_beta"], out,
                        options=options, crop_faces=False, dpi=60)
    record = json.loads(record_path(out).read_text())
    (tile,) = record["rows"][0]["tiles"]
    assert tile["options"]["convention"] == "thesis"
    assert len(tile["warnings"]) == 1 and "relevance exploded" in tile["warnings"][0]
    assert any("relevance exploded" in note for note in result.notes + record["notes"])
    standard = make_panel([PanelItem(crop, "halves", None, is_crop=True)], _dense_model(), ["lrp.alpha_beta"],
                          tmp_path / "standard.png", options={"lrp.alpha_beta": {"alpha": 2.0, "beta": 1.0}},
                          crop_faces=False, dpi=60)
    assert json.loads(record_path(standard.path).read_text())["rows"][0]["tiles"][0]["warnings"] == []
