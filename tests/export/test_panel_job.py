"""End to end: photo -> face crop -> prediction -> explanations -> panel + record, and the CLI."""

from __future__ import annotations

import json

import numpy as np
import pytest
from skimage import data

from painxai_gui.cli import main as cli_main
from painxai_gui.explain import METHODS, explain
from painxai_gui.export.panel import record_path
from painxai_gui.export.panel_job import PanelItem, make_panel
from painxai_gui.model import Predictor, load_model, preprocess

FAST = ["gradient", "gradcam", "lrp.z"]


@pytest.fixture(scope="module")
def loaded(demo_model_path):
    return load_model(demo_model_path)


def test_panel_record_reproduces_the_tiles(tmp_path, loaded):
    out = tmp_path / "panel.png"
    result = make_panel([PanelItem(data.astronaut(), "astronaut", "happy")], loaded, FAST, out,
                        npy_dir=tmp_path / "npy", dpi=72)
    row = result.rows[0]
    assert row.image.shape == (256, 256, 3)  # dlib found and cropped the face
    probs = Predictor(loaded).predict(row.image)
    assert row.predicted == loaded.spec.class_names[int(np.argmax(probs))] == "happy"
    record = json.loads(result.record_path.read_text())
    assert record["model"]["sha256"] == loaded.sha256
    assert record["methods"] == FAST and record["versions"]["tensorflow"]
    tiles = record["rows"][0]["tiles"]
    assert [t["method"] for t in tiles] == FAST
    assert all(t["target"] == 3 for t in tiles)  # 'happy' is class 3
    assert tiles[2]["vmin"] == -tiles[2]["vmax"]  # LRP is signed, centred on 0
    # raw attributions on disk equal a fresh explanation of the same crop
    x = preprocess(row.image, loaded.spec)[0]
    again = explain(loaded.model, x, "lrp.z", target=3)
    np.testing.assert_allclose(np.load(tmp_path / "npy" / "astronaut_lrp.z.npy"), again.attribution, rtol=1e-4,
                               atol=1e-6)


def test_record_has_relevance_per_facial_region(tmp_path, loaded):
    from painxai_gui.face import FaceCropper
    from painxai_gui.face.regions import region_labels

    out = tmp_path / "panel.png"
    result = make_panel([PanelItem(data.astronaut(), "astronaut", "happy")], loaded, ["gradcam"], out, dpi=72)
    shares = json.loads(result.record_path.read_text())["rows"][0]["tiles"][0]["regions"]
    assert set(shares) == {"brows", "eyes", "nose", "mouth", "cheeks", "forehead", "jaw", "other"}
    assert abs(sum(shares.values()) - 1.0) < 1e-6  # disjoint regions + "other" cover every pixel
    # independent recomputation: landmarks scaled to the 64x64 heatmap, NumPy sums per label
    face = FaceCropper().crop(data.astronaut())
    labels = region_labels(face.landmarks * (64 / 256), size=64)
    heat = np.maximum(result.rows[0].cells[0].heatmap, 0)
    assert shares["mouth"] == pytest.approx(heat[labels == 4].sum() / heat.sum(), abs=1e-6)
    assert shares["other"] == pytest.approx(heat[labels == 0].sum() / heat.sum(), abs=1e-6)


def test_cli_writes_svg_with_titles(tmp_path, demo_model_path, capsys):
    out = tmp_path / "fig.svg"
    code = cli_main(["explain", "skimage:astronaut", "--model", str(demo_model_path), "--methods",
                     "gradcam,lrp.epsilon", "--labels", "happy", "--option", "lrp.epsilon.epsilon=0.01",
                     "--out", str(out)])
    assert code == 0
    svg = out.read_text()
    assert "true: happy · pred: happy" in svg and METHODS["lrp.epsilon"].display_name in svg
    record = json.loads(record_path(out).read_text())
    assert record["rows"][0]["tiles"][1]["options"]["epsilon"] == 0.01


def test_cli_reports_bad_model_file_in_one_line(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli_main(["explain", "skimage:astronaut", "--model", str(tmp_path / "missing.keras"), "--methods",
                  "gradient", "--out", str(tmp_path / "p.png")])
    assert exit_info.value.code == 1
    err = capsys.readouterr().err
    assert "missing.keras" in err and "not found" in err and "Traceback" not in err
