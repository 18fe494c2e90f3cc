"""The three workflows chained with the real pieces: curate -> export -> train -> explain in a panel.

A generated BioVid-like tree is curated through the project API, exported as
face crops with subject-wise folds, a small VGG-Face stand-in is trained on the
manifest by `painxai train`, and a trained fold model explains a crop in a panel.
"""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest

from painxai_gui.cli import main
from painxai_gui.curation import Project
from painxai_gui.export.panel import record_path

DEMO = dict(size=(320, 240), part_a_frames=6, emotion_frames=18)


@pytest.mark.slow
def test_curated_set_trains_a_model_that_explains(tmp_path):
    from painxai_gui.demo_data import generate_demo_tree
    from painxai_gui.model import load_model

    root, project, out, runs = tmp_path / "biovid", tmp_path / "p.sqlite", tmp_path / "set", tmp_path / "runs"
    generate_demo_tree(root, **DEMO)
    with Project.create(project, root, annotator="e2e") as p:
        assert p.quota == 4  # ceil(3 subjects x 2 clips x 6 frames / (3 subjects x 3 slots))
        for video in p.videos(role="slots"):
            p.suggest(video)
            p.accept_suggestions(video)
    assert main(["project", "export", str(project), "--out", str(out), "--folds", "3"]) == 0
    with open(out / "manifest.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    counts = {c: sum(r["category"] == c for r in rows) for c in ("pain", "disgust", "happiness")}
    assert counts == {"pain": 36, "disgust": 36, "happiness": 36}

    assert main(["train", "--manifest", str(out / "manifest.csv"), "--out", str(runs), "--arch", "tiny",
                 "--epochs", "2", "--lr", "1e-2", "--quiet"]) == 0
    predictions = list(csv.DictReader(open(runs / "predictions.csv", newline="")))
    assert len(predictions) == len(rows)  # every image is tested exactly once across the folds
    loaded = load_model(runs / "fold_1" / "model.keras")
    assert loaded.spec.class_names == ("pain", "disgust", "happiness")

    crop = out / rows[0]["path"]
    panel = tmp_path / "panel.png"
    assert main(["explain", str(crop), "--model", str(runs / "fold_1" / "model.keras"), "--no-crop",
                 "--methods", "gradcam,lrp.epsilon", "--labels", rows[0]["category"], "--out", str(panel)]) == 0
    record = json.loads(record_path(panel).read_text())
    assert record["model"]["sha256"] == loaded.sha256
    assert record["rows"][0]["category"] == rows[0]["category"]
    assert np.isfinite([t["vmax"] for t in record["rows"][0]["tiles"]]).all()
