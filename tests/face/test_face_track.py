"""FaceTrack: landmarks computed once per frame, stored on disk atomically, re-cut without detection."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from painxai_gui.demo_data import draw_marker, face_plate, write_test_video, write_video
from painxai_gui.face import FaceCropper, FaceTrack
from painxai_gui.video import VideoReader

N_FRAMES = 12


@pytest.fixture(scope="module")
def face_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_test_video(tmp_path_factory.mktemp("face") / "face.mp4", N_FRAMES, (320, 240))


def test_cache_hit_skips_detection(face_video: Path, tmp_path: Path):
    first = FaceCropper()
    with FaceTrack(face_video, first, tmp_path) as track:
        results = [track.get(i) for i in range(N_FRAMES)]
        assert all(r.ok for r in results)
        calls = first.detector_calls
        assert calls >= N_FRAMES
        again = track.get(5)  # revisit in the same session: no detection
        assert first.detector_calls == calls
        np.testing.assert_array_equal(again.crop, results[5].crop)
    assert [p.name for p in tmp_path.iterdir()] == [track.cache_path.name]  # one file, no temp files left

    second = FaceCropper()
    with FaceTrack(face_video, second, tmp_path) as track:  # a new session reads the disk cache
        for i in (7, 0, 11):
            result = track.get(i)
            np.testing.assert_array_equal(result.source_landmarks, results[i].source_landmarks)
            np.testing.assert_array_equal(result.crop, results[i].crop)
            assert result.box == results[i].box
    assert second.detector_calls == 0 and second.predictor_calls == 0


def test_crop_follows_the_moving_face(tmp_path: Path):
    plate = face_plate((320, 240), variant=4, margin=30)
    steps = [(4 * i, -3 * i) for i in range(8)]  # the face moves 4 px right and 3 px up per frame
    frames = [draw_marker(plate[30 - dy : 270 - dy, 30 - dx : 350 - dx].copy(), i) for i, (dx, dy) in enumerate(steps)]
    video = write_video(tmp_path / "moving.avi", frames, fourcc="MJPG")
    with FaceTrack(video, FaceCropper()) as track:  # no cache_dir: memory only
        boxes = np.array([track.get(i).box for i in range(len(steps))])
    np.testing.assert_allclose(boxes[:, :2] - boxes[0, :2], np.array(steps), atol=2.5)


def test_no_face_frames_are_cached_too(tmp_path: Path):
    frames = [draw_marker(np.full((240, 320, 3), 120, np.uint8), i) for i in range(4)]
    video = write_video(tmp_path / "empty_room.avi", frames, fourcc="MJPG")
    cache = tmp_path / "cache"
    first = FaceCropper()
    with FaceTrack(video, first, cache) as track:
        assert [track.get(i).ok for i in range(4)] == [False] * 4
        assert track.get(2).reason == "no face found"
    second = FaceCropper()
    with FaceTrack(video, second, cache) as track:
        assert not track.get(3).ok and track.known(3)
    assert second.detector_calls == 0


def test_changed_video_gets_a_new_cache(face_video: Path, tmp_path: Path):
    copy = tmp_path / "copy.mp4"
    copy.write_bytes(face_video.read_bytes())
    cache = tmp_path / "cache"
    with FaceTrack(copy, FaceCropper(), cache) as track:
        track.get(0)
        old = track.cache_path
    os.utime(copy, ns=(1_000_000_000, 1_000_000_000))  # same bytes, other mtime: treated as edited
    cropper = FaceCropper()
    with FaceTrack(copy, cropper, cache) as track:
        assert track.cache_path != old and not track.known(0)
        track.get(0)
    assert cropper.detector_calls == 1


def test_shared_reader_is_not_closed_and_corrupt_cache_is_ignored(face_video: Path, tmp_path: Path):
    reader = VideoReader(face_video)
    with FaceTrack(reader, FaceCropper(), tmp_path) as track:
        track.get(1)
        path = track.cache_path
    assert reader.read(2) is not None  # still open
    path.write_bytes(b"not an npz file")
    cropper = FaceCropper()
    with FaceTrack(reader, cropper, tmp_path) as track:
        assert track.get(1).ok
    assert cropper.detector_calls == 1
    reader.close()


def test_flush_every_writes_while_running(face_video: Path, tmp_path: Path):
    track = FaceTrack(face_video, FaceCropper(), tmp_path, flush_every=3, flush_seconds=1e9)
    for i in range(3):
        track.get(i)
    assert track.cache_path.is_file()  # written without close()
    with np.load(track.cache_path) as data:
        assert sorted(data["frames"].tolist()) == [0, 1, 2]
        assert data["landmarks"].shape == (3, 68, 2)
    track.close()
