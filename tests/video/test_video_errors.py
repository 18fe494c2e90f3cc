"""VideoReader on bad input: typed VideoError naming the file (and the frame), never a crash or a wrong frame."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from painxai_gui.demo_data import read_marker
from painxai_gui.errors import VideoError
from painxai_gui.video import VideoReader
from painxai_gui.video.cache import FrameCache

N_FRAMES = 40


def _jpeg_starts(data: bytes) -> list[int]:
    starts, at = [], data.find(b"\xff\xd8\xff")
    while at >= 0:
        starts.append(at)
        at = data.find(b"\xff\xd8\xff", at + 3)
    return starts


def test_missing_file(tmp_path: Path):
    path = tmp_path / "nope" / "071309_w_21-PA4-062.mp4"
    with pytest.raises(VideoError, match="not found") as info:
        VideoReader(path)
    assert info.value.path == path and str(path) in str(info.value)


def test_folder_and_empty_file(tmp_path: Path):
    with pytest.raises(VideoError, match="not a file"):
        VideoReader(tmp_path)
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    with pytest.raises(VideoError, match="empty"):
        VideoReader(empty)


def test_garbage_file_is_not_a_video(tmp_path: Path):
    path = tmp_path / "garbage.mp4"
    path.write_bytes(np.random.default_rng(0).integers(0, 256, 20000, dtype=np.uint8).tobytes())
    with pytest.raises(VideoError, match="not a video file") as info:
        VideoReader(path)
    assert str(path) in str(info.value)


def test_unknown_codec_is_named(mjpg_video: Path, tmp_path: Path):
    path = tmp_path / "unknown_codec.avi"
    path.write_bytes(mjpg_video.read_bytes().replace(b"MJPG", b"ZQZQ"))
    with pytest.raises(VideoError, match="codec 'ZQZQ'") as info:
        VideoReader(path)
    assert str(path) in str(info.value)


def test_truncated_avi_names_file_and_frame(mjpg_video: Path, tmp_path: Path):
    data = mjpg_video.read_bytes()
    starts = _jpeg_starts(data)
    assert len(starts) == N_FRAMES
    path = tmp_path / "truncated.avi"
    path.write_bytes(data[: starts[25] + 200])  # frame 25 cut short, frames 26.. and the index gone
    with VideoReader(path) as reader:
        assert reader.declared_frame_count == N_FRAMES
        assert reader.truncated
        good = reader.frame_count
        assert 24 <= good <= 26
        assert [read_marker(reader.read(i)) for i in range(24)] == list(range(24))
        with pytest.raises(VideoError) as info:
            reader.read(30)
    err = info.value
    assert err.frame == 30 and err.path == path
    assert "truncated" in str(err) and str(path) in str(err)
    assert f"after frame {good - 1}" in str(err)


def test_truncated_mp4_fails_at_open_with_reason(mp4v_video: Path, tmp_path: Path):
    data = mp4v_video.read_bytes()
    path = tmp_path / "truncated.mp4"
    path.write_bytes(data[: len(data) * 2 // 3])  # OpenCV writes the moov index last: it is gone
    with pytest.raises(VideoError, match="truncated or damaged") as info:
        VideoReader(path)
    assert str(path) in str(info.value)


def test_damaged_frame_in_the_middle_names_that_frame(mjpg_video: Path, tmp_path: Path):
    data = bytearray(mjpg_video.read_bytes())
    start = _jpeg_starts(bytes(data))[20]
    data[start : start + 3000] = np.random.default_rng(1).integers(0, 256, 3000, dtype=np.uint8).tobytes()
    path = tmp_path / "damaged.avi"
    path.write_bytes(bytes(data))
    with VideoReader(path, cache_bytes=0) as reader:
        assert read_marker(reader.read(19)) == 19
        with pytest.raises(VideoError) as info:
            reader.read(20)
        assert info.value.frame == 20 and str(path) in str(info.value)
        # the frames after the damage are still exact, never a repeat of another frame
        assert [read_marker(reader.read(i)) for i in (21, 35, 22)] == [21, 35, 22]


@pytest.mark.parametrize("index", [-1, N_FRAMES, 10**6])
def test_out_of_range_index(mp4v_video: Path, index: int):
    with VideoReader(mp4v_video) as reader:
        with pytest.raises(VideoError, match="out of range") as info:
            reader.read(index)
    assert info.value.frame == index


def test_non_integer_index(mp4v_video: Path):
    with VideoReader(mp4v_video) as reader:
        with pytest.raises(TypeError):
            reader.read(1.0)  # type: ignore[arg-type]
        assert read_marker(reader.read(np.int64(3))) == 3


def test_closed_reader(mp4v_video: Path):
    reader = VideoReader(mp4v_video, cache_bytes=0)
    reader.close()
    with pytest.raises(VideoError, match="closed"):
        reader.read(5)
    reader.close()  # idempotent


def test_frame_cache_lru_and_cap():
    cache = FrameCache(max_bytes=3 * 100)
    frames = {i: np.full((10, 10), i, np.uint8) for i in range(5)}
    for i in range(3):
        cache.put(i, frames[i])
    assert cache.get(0) is frames[0]  # 0 becomes most recent
    cache.put(3, frames[3])  # evicts 1, the least recently used
    assert 1 not in cache and all(i in cache for i in (0, 2, 3))
    assert cache.nbytes == 300 and len(cache) == 3
    cache.put(4, np.zeros((40, 40), np.uint8))  # bigger than the whole cap: not stored
    assert 4 not in cache and cache.nbytes == 300
    assert not frames[0].flags.writeable
