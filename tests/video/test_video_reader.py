"""VideoReader: exact random access, true frame counts, no seeks on sequential reads, cache, read-ahead."""

from __future__ import annotations

import random
import shutil
import threading
from pathlib import Path

import cv2
import numpy as np
import pytest

from painxai_gui.demo_data import read_marker, write_test_video
from painxai_gui.video import SEQUENTIAL, TIMESTAMPS, VideoReader

N_FRAMES = 40


def test_shuffled_reads_return_exactly_frame_i(marked_video):
    kind, path, reference = marked_video
    assert len(reference) == N_FRAMES
    order = list(range(N_FRAMES)) * 2
    random.Random(7).shuffle(order)
    with VideoReader(path, cache_bytes=0) as reader:  # no cache: every read decodes
        assert reader.frame_count == N_FRAMES
        assert reader.size == (320, 240)
        assert reader.fps == pytest.approx(25.0)
        for index in order:
            frame = reader.read(index)
            assert frame.shape == (240, 320, 3) and frame.dtype == np.uint8
            assert read_marker(frame) == index, f"{kind}: asked for {index}"
            assert np.array_equal(frame, reference[index]), f"{kind}: frame {index} differs from sequential decode"
        assert reader.stats().decoded >= len(order)
        # A raw .h264 stream has no index and no timestamps: the reader must notice and decode in order;
        # every other file keeps fast timestamp-verified seeks (MPEG-PS needs its back-off).
        assert reader.seek_mode == (SEQUENTIAL if kind == "h264-raw" else TIMESTAMPS)


def test_containers_that_lie_about_the_frame_count(marked_video):
    kind, path, _ = marked_video
    with VideoReader(path) as reader:
        assert reader.frame_count == N_FRAMES
        if kind == "h264-raw":
            assert reader.declared_frame_count != N_FRAMES  # no count at all in a raw stream
        if kind == "mpeg1-ps":
            assert reader.declared_frame_count == N_FRAMES - 1  # duration-based guess, one short
        assert read_marker(reader.read(N_FRAMES - 1)) == N_FRAMES - 1


def test_sequential_reads_never_seek(mp4v_video: Path):
    with VideoReader(mp4v_video, cache_bytes=0) as reader:
        reader.read(17)
        before = reader.stats()
        for index in range(18, N_FRAMES):
            assert read_marker(reader.read(index)) == index
        after = reader.stats()
    assert after.seeks == before.seeks and after.rewinds == before.rewinds
    assert after.decoded - before.decoded == N_FRAMES - 18
    assert after.grabbed == before.grabbed


def test_short_forward_jump_decodes_forward_without_seeking(mp4v_video: Path):
    with VideoReader(mp4v_video, cache_bytes=0, forward_skip=16) as reader:
        reader.read(5)
        seeks = reader.stats().seeks
        assert read_marker(reader.read(12)) == 12
        assert reader.stats().seeks == seeks
        assert read_marker(reader.read(2)) == 2  # backwards: a seek
        assert reader.stats().seeks == seeks + 1


def test_cache_hits_do_not_decode(mp4v_video: Path):
    with VideoReader(mp4v_video, cache_bytes=64 * 2**20) as reader:
        first = reader.read(30)
        decoded = reader.stats().decoded
        again = reader.read(30)
        assert again is first and not again.flags.writeable
        assert reader.stats().decoded == decoded
        assert reader.stats().cache_hits >= 1


def test_cache_memory_cap_is_respected(mp4v_video: Path):
    frame_bytes = 320 * 240 * 3
    with VideoReader(mp4v_video, cache_bytes=5 * frame_bytes) as reader:
        for index in range(20):
            reader.read(index)
        assert reader._cache.nbytes <= 5 * frame_bytes
        assert [i for i in range(20) if reader.cached(i)] == list(range(15, 20))


def test_prefetch_fills_cache_in_background(mp4v_video: Path):
    with VideoReader(mp4v_video) as reader:
        reader.prefetch(10, 20)
        assert reader.wait_prefetch(timeout=30)
        assert all(reader.cached(i) for i in range(10, 30))
        decoded = reader.stats().decoded
        assert [read_marker(reader.read(i)) for i in range(10, 30)] == list(range(10, 30))
        assert reader.stats().decoded == decoded


def test_concurrent_reads_and_prefetch_stay_exact(mjpg_video: Path):
    errors: list[str] = []
    with VideoReader(mjpg_video, cache_bytes=4 * 320 * 240 * 3) as reader:  # small cache: real decoding

        def worker(seed: int) -> None:
            order = list(range(N_FRAMES))
            random.Random(seed).shuffle(order)
            for index in order:
                got = read_marker(reader.read(index))
                if got != index:
                    errors.append(f"asked {index}, got {got}")

        reader.prefetch(0, N_FRAMES)
        threads = [threading.Thread(target=worker, args=(s,)) for s in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        reader.wait_prefetch(timeout=30)
    assert errors == []


def test_non_ascii_path(mp4v_video: Path, tmp_path: Path):
    folder = tmp_path / "Ünïcödé 测试 видео"
    folder.mkdir()
    target = folder / "пациент 071309_w_21-PA4-062.mp4"
    shutil.copy(mp4v_video, target)
    with VideoReader(target) as reader:
        assert reader.frame_count == N_FRAMES
        assert [read_marker(reader.read(i)) for i in (39, 0, 20)] == [39, 0, 20]


def test_h264_encoder_if_available(tmp_path: Path):
    """H.264 written by OpenCV's own encoder, when this build has one."""
    probe = cv2.VideoWriter(str(tmp_path / "probe.mp4"), cv2.CAP_FFMPEG, cv2.VideoWriter_fourcc(*"avc1"), 25, (320, 240))
    available = probe.isOpened()
    probe.release()
    if not available:
        pytest.skip("no H.264 encoder in this OpenCV build (fourcc 'avc1'); H.264 decoding is covered by PCM streams")
    path = write_test_video(tmp_path / "x264.mp4", N_FRAMES, fourcc="avc1")
    order = list(range(N_FRAMES))
    random.Random(3).shuffle(order)
    with VideoReader(path, cache_bytes=0) as reader:
        assert reader.frame_count == N_FRAMES
        assert all(read_marker(reader.read(i)) == i for i in order)


def test_frame_count_cached_per_file(marked_video):
    kind, path, _ = marked_video
    with VideoReader(path) as first:
        count = first.frame_count
    with VideoReader(path) as second:  # the second open reuses the validated count
        assert second.frame_count == count
        assert second.stats().grabbed == 0
