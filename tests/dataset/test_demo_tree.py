"""The generated demo tree: BioVid layout, exact markers, real faces that differ per subject."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from painxai_gui.demo_data import DONE_MARKER, draw_marker, ensure_demo_tree, read_marker
from painxai_gui.video import VideoReader

PART_A_FRAMES, EMOTION_FRAMES = 6, 9  # as in this folder's conftest.py


def test_layout_and_tables(demo_tree):
    root = demo_tree.root
    assert len(demo_tree.part_a) == 9 and len(demo_tree.emotion) == 6
    assert root / "PartA/video/071309_w_21/071309_w_21-PA4-003.mp4" in demo_tree.part_a
    with open(demo_tree.samples_csv, newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    assert list(rows[0]) == ["subject_id", "subject_name", "class_id", "class_name", "sample_id", "sample_name"]
    assert len(rows) == 9
    assert {(r["class_name"], r["class_id"]) for r in rows} == {("BL1", "0"), ("PA3", "3"), ("PA4", "4")}
    assert rows[2]["sample_name"] == "071309_w_21-PA4-003"
    with open(demo_tree.manifest, newline="") as fh:
        manifest = list(csv.DictReader(fh))
    assert len(manifest) == 6 and {m["category"] for m in manifest} == {"disgust", "happiness"}
    assert all((root / m["path"]).is_file() for m in manifest)


def test_videos_have_exact_markers_and_lengths(demo_tree):
    for path, count in ((demo_tree.part_a[0], PART_A_FRAMES), (demo_tree.emotion[-1], EMOTION_FRAMES)):
        with VideoReader(path) as reader:
            assert reader.frame_count == count and reader.size == (320, 240)
            assert [read_marker(reader.read(i)) for i in reversed(range(count))] == list(reversed(range(count)))


def test_subjects_look_different_and_faces_are_found(demo_tree):
    from painxai_gui.face import FaceCropper

    cropper = FaceCropper()
    firsts = []
    for path in demo_tree.part_a[::3]:  # one clip per subject
        with VideoReader(path) as reader:
            frame = reader.read(0)
        assert cropper.crop(frame).ok, path.name
        firsts.append(frame.astype(int))
    for a in range(3):
        for b in range(a + 1, 3):
            assert np.abs(firsts[a] - firsts[b]).mean() > 10


def test_marker_round_trip_and_rejects_noise():
    frame = np.zeros((240, 320, 3), np.uint8)
    for index in (0, 1, 137, 1500, 65535):
        assert read_marker(draw_marker(frame, index)) == index
    with pytest.raises(ValueError):
        read_marker(np.full((240, 320, 3), 128, np.uint8))
    with pytest.raises(ValueError):
        draw_marker(frame, 65536)


def test_ensure_demo_tree_generates_once(tmp_path: Path):
    options = dict(size=(160, 128), part_a_frames=2, emotion_frames=3, subjects=("071309_w_21",))
    root = ensure_demo_tree(tmp_path / "demo", **options)
    clip = root / "PartA/video/071309_w_21/071309_w_21-BL1-001.mp4"
    stamp = clip.stat().st_mtime_ns
    assert (root / DONE_MARKER).is_file()
    ensure_demo_tree(root, **options)
    assert clip.stat().st_mtime_ns == stamp  # not regenerated
    ensure_demo_tree(root, **{**options, "part_a_frames": 4})  # other options: regenerated
    with VideoReader(clip) as reader:
        assert reader.frame_count == 4
