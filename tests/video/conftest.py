"""Small marked test videos (each frame shows its own index; see painxai_gui.demo_data.read_marker)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from painxai_gui.demo_data import face_plate, moving_frames, write_test_video
from painxai_gui.video.synth_h264 import raw_muxing_available, write_pcm_h264

N_FRAMES = 40  # > 3 mp4v keyframe intervals (GOP 12)
SIZE = (320, 240)


def reference_frames(path: Path, jpeg_packets: bool | None = None) -> list[np.ndarray]:
    """Every frame by plain sequential decoding (RGB): the ground truth for random access.

    MJPG files are read by the reader as raw packets decoded with ``cv2.imdecode``, so
    their reference is the same (``jpeg_packets``; default: for ``.avi`` files).
    """
    if jpeg_packets is None:
        jpeg_packets = path.suffix.lower() == ".avi"
    params = [cv2.CAP_PROP_FORMAT, -1] if jpeg_packets else []
    cap = cv2.VideoCapture(str(path), cv2.CAP_FFMPEG, params)
    frames = []
    while True:
        ok, data = cap.read()
        if not ok:
            break
        bgr = cv2.imdecode(data, cv2.IMREAD_COLOR) if jpeg_packets else data
        frames.append(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
    cap.release()
    return frames


def _write(kind: str, folder: Path) -> Path:
    if kind == "mp4v":
        return write_test_video(folder / "clip_mp4v.mp4", N_FRAMES, SIZE, fourcc="mp4v")
    if kind == "mjpg":
        return write_test_video(folder / "clip_mjpg.avi", N_FRAMES, SIZE, fourcc="MJPG")
    if kind == "mpeg1-ps":  # MPEG program stream: under-counted, and POS_FRAMES seeks overshoot
        return write_test_video(folder / "clip_mpeg1.mpg", N_FRAMES, SIZE, fourcc="PIM1")
    frames = moving_frames(face_plate(SIZE, 1, margin=3), SIZE, N_FRAMES, 3)
    if kind == "h264-mp4":
        if not raw_muxing_available():
            pytest.skip("OpenCV here cannot mux raw H.264 packets (no VIDEOWRITER_PROP_RAW_VIDEO)")
        return write_pcm_h264(folder / "clip_h264.mp4", frames, gop=12)
    return write_pcm_h264(folder / "clip_raw.h264", frames, gop=12)


@pytest.fixture(scope="session")
def video_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("videos")


@pytest.fixture(scope="session", params=["mp4v", "mjpg", "mpeg1-ps", "h264-mp4", "h264-raw"])
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
