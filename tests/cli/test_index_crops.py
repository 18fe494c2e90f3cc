"""`painxai index` and `painxai crops` end to end on a tiny generated tree (real videos, real dlib)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from painxai_gui.cli import main
from painxai_gui.cli.crops_cmd import parse_frames
from painxai_gui.demo_data import draw_marker, generate_demo_tree, write_video

CLIP = "PartA/video/071309_w_21/071309_w_21-PA4-003.mp4"


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cli") / "root"
    generate_demo_tree(root, subjects=("071309_w_21", "080314_m_44"), size=(320, 240), part_a_frames=5, emotion_frames=6)
    grey = [draw_marker(np.full((240, 320, 3), 110, np.uint8), i) for i in range(3)]
    write_video(root / "emotion" / "empty_room.mp4", grey)
    return root


def test_index_prints_subjects_categories_unmapped_problems(tree: Path, capsys):
    assert main(["index", str(tree)]) == 0
    out = capsys.readouterr().out
    assert "subjects: 2 (gender m 1, w 1; age 18-35 1, 36-50 1)" in out
    assert "  071309_w_21  w 21 (18-35)" in out
    assert "pain             4 videos, 2 subjects, 20 frames" in out
    assert "disgust          2 videos, 2 subjects, 12 frames" in out
    assert "unmapped: 2 (labels BL1 2)" in out
    assert "problems: 0" in out


def test_index_pattern_token_map_and_json(tree: Path, tmp_path: Path, capsys):
    out_json = tmp_path / "index.json"
    code = main(["index", str(tree), "--no-probe", "--json", str(out_json),
                 "--pattern", r"(?P<subject>\d{6}_[wm]_\d{2})-(?P<token>[a-z]+)\.mp4$", "--token-map", "disgust=disgust"])
    assert code == 0
    out = capsys.readouterr().out
    assert "unmapped: 4 (labels BL1 2, happiness 2)" in out
    data = json.loads(out_json.read_text())
    assert (data["kind"], data["version"]) == ("painxai-dataset-index", 1)
    assert len(data["videos"]) == 10 and data["problems"] == []
    assert {v["category"] for v in data["videos"]} == {"pain", "disgust", None}


def test_index_bad_root_is_one_clear_line(tmp_path: Path, capsys):
    with pytest.raises(SystemExit) as info:
        main(["index", str(tmp_path / "missing")])
    assert info.value.code == 1
    assert "dataset root not found" in capsys.readouterr().err


def test_crops_writes_pngs_and_landmarks(tree: Path, tmp_path: Path, capsys):
    out = tmp_path / "crops"
    assert main(["crops", str(tree), "--out", str(out), "--videos", CLIP, "--frames", "0,2-3,99"]) == 0
    summary = capsys.readouterr().out.strip().splitlines()[-1]
    assert summary == f"crops: written 3, skipped (no face) 0, errors 0, out of range 1 (1 videos) -> {out}"
    folder = out / Path(CLIP).with_suffix("")
    assert sorted(p.name for p in folder.iterdir()) == ["000000.png", "000002.png", "000003.png", "landmarks.json"]
    png = cv2.imread(str(folder / "000002.png"))
    assert png.shape == (256, 256, 3)
    record = json.loads((folder / "landmarks.json").read_text())
    assert record["video_id"] == CLIP and sorted(record["frames"]) == ["0", "2", "3"]
    assert (record["kind"], record["version"]) == ("painxai-crop-landmarks", 1)
    points = np.array(record["frames"]["2"]["landmarks"])
    assert points.shape == (68, 2) and (points > 0).all() and (points < 256).all()
    assert list((out / ".landmark-cache").glob("*.landmarks.npz"))


def test_crops_counts_no_face_and_errors(tree: Path, tmp_path: Path, capsys):
    out = tmp_path / "crops"
    code = main(["crops", str(tree), "--out", str(out), "--videos", "emotion/empty_room.mp4", "missing.mp4"])
    captured = capsys.readouterr()
    assert code == 1
    assert captured.out.strip().endswith(f"crops: written 0, skipped (no face) 3, errors 1 (2 videos) -> {out}")
    assert "missing.mp4: file not found" in captured.err
    record = json.loads((out / "emotion" / "empty_room" / "landmarks.json").read_text())
    assert record["frames"] == {"0": None, "1": None, "2": None}


def test_crops_default_is_every_mapped_video(tree: Path, tmp_path: Path, capsys):
    out = tmp_path / "crops"
    assert main(["crops", str(tree), "--out", str(out), "--frames", "1"]) == 0
    assert capsys.readouterr().out.strip().endswith(f"written 8, skipped (no face) 0, errors 0 (8 videos) -> {out}")
    assert not (out / "PartA/video/071309_w_21/071309_w_21-BL1-001").exists()  # BL1 is unmapped


def test_parse_frames():
    assert parse_frames("0,5,10-12,5") == [0, 5, 10, 11, 12]
    for bad in ("a", "5-2", "-1", ","):
        with pytest.raises(argparse.ArgumentTypeError):
            parse_frames(bad)
