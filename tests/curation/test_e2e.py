"""End to end with the real pieces: generated tree -> real index -> face-checked suggestions -> CLI export."""

from __future__ import annotations

import csv

import cv2
import pytest

from painxai_gui.cli import main
from painxai_gui.curation import Project


@pytest.mark.slow
def test_generated_dataset_exports_expected_counts(tmp_path, demo_tree, capsys):
    path, out = tmp_path / "p.sqlite", tmp_path / "out"
    with Project.create(path, demo_tree, annotator="ann") as p:  # real index_dataset, manifest found
        assert {c: len(p.videos(c)) for c in p.categories()} == {"disgust": 3, "happiness": 3, "pain": 6}
        assert p.pain_frames() == 36 and p.quota == 4  # ceil(36 / (3 subjects x 3 slots))
        for video in p.videos(role="slots"):
            suggested = p.suggest(video)  # even spread over frames where dlib finds a face
            assert len(suggested) == 12
            assert p.accept_suggestions(video) == 12
        assert p.progress().videos_complete == 6
    assert main(["project", "export", str(path), "--out", str(out), "--folds", "3"]) == 0
    printed = capsys.readouterr().out
    assert "36 written" not in printed and "108 written" in printed and "0 without a face" in printed
    with open(out / "manifest.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    per_category = {}
    for row in rows:
        per_category[row["category"]] = per_category.get(row["category"], 0) + 1
        assert cv2.imread(str(out / row["path"])).shape == (256, 256, 3)
    assert per_category == {"pain": 36, "disgust": 36, "happiness": 36}
    assert {row["fold"] for row in rows} == {"1", "2", "3"}
    with Project.open(path) as p:
        again = p.export(out, folds=3)
        assert again.written == 0 and again.skipped_existing == 108
        assert p.audit_log()[-1].action == "export"
