"""The thesis's Tables 4.1/4.2 reproduced through the project API (index rows, no video files)."""

from __future__ import annotations

from types import SimpleNamespace

from painxai_gui.curation import Project
from painxai_gui.dataset.records import VideoRecord


def _thesis_index(root):
    videos = []
    for k in range(87):  # Part A: PA3 + PA4, one 138-frame clip each
        sid = f"s{k:03d}"
        for label in ("PA3", "PA4"):
            rel = f"PartA/video/{sid}/{sid}-{label}-001.mp4"
            videos.append(VideoRecord(rel, sid, label, "pain", "A", root / rel, 138, 25.0))
    for k in range(76):  # emotion videos of 1501 frames: 76 disgust, 75 happiness
        sid = f"s{k:03d}"
        for emotion in ("disgust", "happiness"):
            if emotion == "happiness" and k == 75:
                continue
            rel = f"emotion/{sid}-{emotion}.mp4"
            videos.append(VideoRecord(rel, sid, emotion, emotion, "D", root / rel, 1501, 25.0))
    return SimpleNamespace(videos=videos, subjects={})


def test_thesis_tables(tmp_path):
    root = tmp_path / "biovid"
    root.mkdir()
    with Project.create(tmp_path / "t.sqlite", root, index=_thesis_index(root), annotator="t") as p:
        assert p.pain_frames() == 24_012
        p.exclude_video("emotion/s075-disgust.mp4", "turned away from the camera and talked")
        assert p.emotion_subjects() == {"disgust": 75, "happiness": 75}
        assert p.quota == 107 and not p.quota_is_set
        for video in p.videos(role="slots", included=True):
            for start, _ in p.slot_bounds(video):
                p.select_range(video, start, start + 107)
        assert p.progress().videos_complete == 150
        rows = {r[1]: r[3:] for r in p.report().balance}
    assert rows["pain intensity 3"] == (87, 12_006, 87, 12_006)
    assert rows["pain intensity 4"] == (87, 12_006, 87, 12_006)
    assert rows["disgust"] == (76, 114_076, 75, 24_075)
    assert rows["happiness"] == (75, 112_575, 75, 24_075)
