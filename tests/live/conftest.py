"""Fixtures of the Qt-free live jobs: a small marked face video, its face track, the demo model."""

from __future__ import annotations

from pathlib import Path

import pytest

from painxai_gui.dataset.records import VideoRecord

N_FRAMES = 24  # frames of the test video


@pytest.fixture(scope="session")
def face_video(tmp_path_factory) -> Path:
    """24 frames (320x240) of the moving real face with the frame index drawn in (read_marker)."""
    from painxai_gui.demo_data import write_test_video

    return write_test_video(tmp_path_factory.mktemp("live") / "a b.mp4", N_FRAMES, (320, 240))


@pytest.fixture(scope="session")
def video_record(face_video) -> VideoRecord:
    return VideoRecord("emotion/s1/a b.mp4", "s1", "disgust", "disgust", "D", face_video, N_FRAMES, 25.0)


@pytest.fixture(scope="session")
def loaded(demo_model_path):
    from painxai_gui.model import load_model

    return load_model(demo_model_path)


@pytest.fixture(scope="session")
def predictor(loaded):
    from painxai_gui.model import Predictor

    return Predictor(loaded)
