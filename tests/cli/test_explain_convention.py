"""`painxai explain --convention`: applies to every chosen method, per-method --option wins, and the
record keeps each tile's convention (issue 14)."""

from __future__ import annotations

import json

import numpy as np

from painxai_gui.cli import main as cli_main
from painxai_gui.export.panel import record_path


def test_convention_flag_reaches_every_tile_of_the_record(tmp_path, demo_model_path):
    out = tmp_path / "panel.png"
    code = cli_main(["explain", "skimage:astronaut", "--model", str(demo_model_path), "--methods",
                     "gradcam,lrp.preset_a_flat,gradient", "--convention", "thesis",
                     "--option", "gradient.convention=standard", "--npy", str(tmp_path / "npy"), "--dpi", "50",
                     "--out", str(out)])
    assert code == 0
    tiles = json.loads(record_path(out).read_text())["rows"][0]["tiles"]
    assert [t["options"]["convention"] for t in tiles] == ["thesis", "thesis", "standard"]
    cam = np.load(tmp_path / "npy" / "skimage:astronaut_gradcam.npy")
    assert cam.shape == (64, 64) and np.isclose(cam.max(), 1.0)  # keras-gradcam: input-sized, divided by its max


def test_without_the_flag_every_tile_is_standard(tmp_path, demo_model_path):
    out = tmp_path / "panel.png"
    assert cli_main(["explain", "skimage:astronaut", "--model", str(demo_model_path), "--methods", "gradcam",
                     "--dpi", "50", "--out", str(out)]) == 0
    tiles = json.loads(record_path(out).read_text())["rows"][0]["tiles"]
    assert tiles[0]["options"]["convention"] == "standard"
