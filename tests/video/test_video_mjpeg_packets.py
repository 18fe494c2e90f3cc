"""MJPG AVI: the reader seeks over raw packets and decodes the wanted one with cv2.imdecode."""

from __future__ import annotations

import random
from pathlib import Path

import cv2
import numpy as np
import pytest

from painxai_gui.demo_data import read_marker, write_test_video
from painxai_gui.video import TIMESTAMPS, VideoReader
from video_reference import reference_frames

N_FRAMES = 40


@pytest.fixture(scope="module")
def mjpg_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_test_video(tmp_path_factory.mktemp("mjpg") / "clip.avi", N_FRAMES, (320, 240), fourcc="MJPG")


def test_shuffled_seeks_over_every_frame_are_exact(mjpg_clip: Path):
    reference = reference_frames(mjpg_clip, jpeg_packets=True)
    assert len(reference) == N_FRAMES
    order = list(range(N_FRAMES)) * 3
    random.Random(11).shuffle(order)
    with VideoReader(mjpg_clip, cache_bytes=0) as reader:
        assert reader.decoder == "imdecode" and reader.seek_mode == TIMESTAMPS
        assert reader.frame_count == N_FRAMES == reader.declared_frame_count
        for index in order:
            frame = reader.read(index)
            assert frame.shape == (240, 320, 3) and frame.dtype == np.uint8
            assert read_marker(frame) == index
            assert np.array_equal(frame, reference[index]), f"frame {index}"
        stats = reader.stats()
    assert stats.decoded == len(order) + 1  # + frame 0 at open: skipped frames are packets, never decoded


def test_repeated_sequential_and_random_reads_are_identical(mjpg_clip: Path):
    with VideoReader(mjpg_clip, cache_bytes=0) as reader:
        sequential = [reader.read(i).copy() for i in range(N_FRAMES)]
        again = [reader.read(i).copy() for i in range(N_FRAMES)]
    order = list(range(N_FRAMES))
    random.Random(3).shuffle(order)
    with VideoReader(mjpg_clip, cache_bytes=0) as reader:
        shuffled = {i: reader.read(i).copy() for i in order}
        backwards = {i: reader.read(i).copy() for i in reversed(range(N_FRAMES))}
    for i in range(N_FRAMES):
        assert read_marker(sequential[i]) == i
        assert np.array_equal(sequential[i], again[i])
        assert np.array_equal(sequential[i], shuffled[i])
        assert np.array_equal(sequential[i], backwards[i])


def test_imdecode_pixels_are_close_to_ffmpeg(mjpg_clip: Path):
    ours = reference_frames(mjpg_clip, jpeg_packets=True)
    ffmpeg = reference_frames(mjpg_clip, jpeg_packets=False)
    assert len(ours) == len(ffmpeg) == N_FRAMES
    for i, (a, b) in enumerate(zip(ours, ffmpeg)):
        diff = np.abs(a.astype(np.int16) - b.astype(np.int16))
        assert diff.mean() < 2.0 and read_marker(a) == read_marker(b) == i


def test_other_codecs_keep_ffmpeg(mp4v_video: Path):
    with VideoReader(mp4v_video) as reader:
        assert reader.decoder == "ffmpeg"


def test_packets_that_do_not_decode_fall_back_to_ffmpeg(mjpg_clip: Path, monkeypatch: pytest.MonkeyPatch):
    ffmpeg = reference_frames(mjpg_clip, jpeg_packets=False)
    monkeypatch.setattr(cv2, "imdecode", lambda *args, **kwargs: None)
    with VideoReader(mjpg_clip, cache_bytes=0) as reader:
        assert reader.decoder == "ffmpeg"
        for index in (17, 3, 39, 0, 18):
            assert np.array_equal(reader.read(index), ffmpeg[index])
