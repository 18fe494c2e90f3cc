"""One face, three callers: the explanation dock's job, the panel export and `painxai explain` agree.

The astronaut's face (crop + dlib landmarks) with the demo FER model, target
"true" for a happiness item: every path must explain "happy" (class 3), draw
the same heatmap and report the same region shares. LIME runs on the
facial-region segments (few samples, fixed seed).
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from painxai_gui.cli import main as cli_main
from painxai_gui.export.panel import record_path
from painxai_gui.export.panel_job import PanelItem, make_panel
from painxai_gui.live.context import PlainContext
from painxai_gui.live.explain_job import ExplainRequest, explain_frame
from painxai_gui.live.frames import Analysis
from painxai_gui.model import load_model, preprocess

METHODS = ["gradcam", "lrp.preset_a_flat", "lime"]
LIME = {"num_samples": 60, "seed": 7, "segmentation": "precomputed", "mode": "positive_negative", "top_k": 0}
HAPPY = 3


@pytest.fixture(scope="module")
def loaded(demo_model_path):
    return load_model(demo_model_path)


def _dock(loaded, crop, landmarks, method):
    """What an explanation dock runs for a frame of a happiness video."""
    x = preprocess(crop, loaded.spec)[0]
    analysis = Analysis("happiness.mp4", 0, True, crop=crop, crop_landmarks=landmarks, x=x)
    options = LIME if method == "lime" else {}
    return explain_frame(ExplainRequest(analysis, loaded, method, "true", "happiness", options), PlainContext())


@pytest.mark.slow
def test_dock_panel_and_cli_explain_the_same_face_the_same_way(tmp_path, loaded, astronaut_face, demo_model_path):
    crop, landmarks = astronaut_face
    dock = {m: _dock(loaded, crop, landmarks, m) for m in METHODS}

    panel = make_panel([PanelItem(crop, "astronaut", "happiness", is_crop=True, landmarks=landmarks)], loaded,
                       METHODS, tmp_path / "panel.png", options={"lime": LIME}, target="true", dpi=50)
    cells = {c.method: c for c in panel.rows[0].cells}

    out, npy = tmp_path / "cli.png", tmp_path / "npy"
    options = [f"lime.{k}={v}" for k, v in LIME.items()]
    argv = ["explain", "skimage:astronaut", "--model", str(demo_model_path), "--methods", ",".join(METHODS),
            "--categories", "happiness", "--target", "true", "--npy", str(npy), "--dpi", "50", "--out", str(out)]
    assert cli_main(argv + [a for o in options for a in ("--option", o)]) == 0
    tiles = {t["method"]: t for t in json.loads(record_path(out).read_text())["rows"][0]["tiles"]}

    for method in METHODS:
        d, c, t = dock[method], cells[method], tiles[method]
        assert d.target == c.target == t["target"] == HAPPY, method
        assert d.target_kind == "true"
        cli_heat = np.load(npy / f"skimage:astronaut_{method}_heatmap.npy")
        np.testing.assert_allclose(c.heatmap, d.heatmap, rtol=1e-5, atol=1e-7, err_msg=method)
        np.testing.assert_allclose(cli_heat, d.heatmap, rtol=1e-5, atol=1e-7, err_msg=method)
        shares = d.regions.shares()
        assert sum(shares.values()) == pytest.approx(1.0)
        for name, value in shares.items():
            assert c.regions[name] == pytest.approx(value, abs=1e-9), (method, name)
            assert t["regions"][name] == pytest.approx(value, abs=1e-9), (method, name)
        if d.signed:
            assert t["region_sums"] == pytest.approx(d.regions.sums(), abs=1e-6)
    # LIME really ran on the facial regions: at most 8 distinct values (7 regions + background)
    assert len(np.unique(dock["lime"].heatmap)) <= 8


def test_non_square_heatmaps_get_region_shares_in_panels(tmp_path, astronaut_face):
    """A model with a 48 x 64 input: the panel record has shares, equal to NumPy sums over resized regions."""
    import keras

    from painxai_gui.face.regions import region_labels
    from painxai_gui.model import LoadedModel, ModelSpec

    keras.utils.set_random_seed(5)
    inputs = keras.Input((48, 64, 3))
    h = keras.layers.Conv2D(4, 3, padding="same", activation="relu")(inputs)
    h = keras.layers.GlobalAveragePooling2D()(h)
    model = keras.Model(inputs, keras.layers.Dense(3)(h))
    spec = ModelSpec(("pain", "disgust", "happiness"), input_size=(48, 64), mean=(0.0, 0.0, 0.0))
    crop, landmarks = astronaut_face
    result = make_panel([PanelItem(crop, "astronaut", "happiness", is_crop=True, landmarks=landmarks)],
                        LoadedModel(model, spec), ["gradient"], tmp_path / "p.png", target="true", dpi=40)
    shares = json.loads(result.record_path.read_text())["rows"][0]["tiles"][0]["regions"]
    heat = np.maximum(result.rows[0].cells[0].heatmap, 0)
    assert heat.shape == (48, 64) and heat.sum() > 0
    big = region_labels(landmarks, size=256)
    labels = big[np.floor(np.arange(48) * 256 / 48).astype(int)][:, np.floor(np.arange(64) * 256 / 64).astype(int)]
    assert shares["mouth"] == pytest.approx(heat[labels == 4].sum() / heat.sum(), abs=1e-6)
    assert shares["other"] == pytest.approx(heat[labels == 0].sum() / heat.sum(), abs=1e-6)
    assert sum(shares.values()) == pytest.approx(1.0)
