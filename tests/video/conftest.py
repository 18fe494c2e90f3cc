"""Small marked test videos (each frame shows its own index; see painxai_gui.demo_data.read_marker)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from synth_h264 import raw_muxing_available, write_pcm_h264
from video_reference import reference_frames

from painxai_gui.demo_data import face_plate, moving_frames, write_test_video
from x264_clips import marked_x264

N_FRAMES = 40  # > 3 mp4v keyframe intervals (GOP 12)
SIZE = (320, 240)


def _write(kind: str, folder: Path) -> Path:
    if kind == "mp4v":
        return write_test_video(folder / "clip_mp4v.mp4", N_FRAMES, SIZE, fourcc="mp4v")
    if kind == "mjpg":
        return write_test_video(folder / "clip_mjpg.avi", N_FRAMES, SIZE, fourcc="MJPG")
    if kind == "mpeg1-ps":  # MPEG program stream: under-counted, and POS_FRAMES seeks overshoot
        return write_test_video(folder / "clip_mpeg1.mpg", N_FRAMES, SIZE, fourcc="PIM1")
    if kind == "h264-x264":  # real x264: one long GOP with B-frames, like BioVid's files
        return marked_x264(folder / "clip_x264.mp4", N_FRAMES, SIZE, preset="veryfast")
    frames = moving_frames(face_plate(SIZE, 1, margin=3), SIZE, N_FRAMES, 3)
    if kind == "h264-mp4":
        if not raw_muxing_available():
            pytest.skip("OpenCV here cannot mux raw H.264 packets (no VIDEOWRITER_PROP_RAW_VIDEO)")
        return write_pcm_h264(folder / "clip_h264.mp4", frames, gop=12)
    return write_pcm_h264(folder / "clip_raw.h264", frames, gop=12)


@pytest.fixture(scope="session")
def video_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("videos")


@pytest.fixture(scope="session", params=["mp4v", "mjpg", "mpeg1-ps", "h264-mp4", "h264-raw", "h264-x264"])
def marked_video(request: pytest.FixtureRequest, video_dir: Path) -> tuple[str, Path, list[np.ndarray]]:
    """(kind, path, reference frames) for each container/codec the reader must handle."""
    path = _write(request.param, video_dir)
    return request.param, path, reference_frames(path)


@pytest.fixture(scope="session")
def mp4v_video(video_dir: Path) -> Path:
    return write_test_video(video_dir / "plain_mp4v.mp4", N_FRAMES, SIZE, fourcc="mp4v")


@pytest.fixture(scope="session")
def mjpg_video(video_dir: Path) -> Path:
    return write_test_video(video_dir / "plain_mjpg.avi", N_FRAMES, SIZE, fourcc="MJPG")
