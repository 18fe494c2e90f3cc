"""The pipelined whole-video pass: every frame once with the right face, batches, progress, standing back,
cancellation, producer errors; the timeline cache's file keys."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from painxai_gui.demo_data import read_marker
from painxai_gui.errors import Cancelled, VideoError
from painxai_gui.face import FaceCropper, FaceTrack
from painxai_gui.live.context import PlainContext
from painxai_gui.live.timeline_cache import TimelineCache, todo_frames
from painxai_gui.live.video_pass import run_pass


@pytest.fixture(scope="module")
def cropper():
    return FaceCropper()


FRAMES = [0, 1, 2, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 20, 23]


@pytest.fixture(scope="module")
def reference(face_video, cropper):
    """Landmarks of FRAMES through a plain FaceTrack, frame after frame on one thread."""
    with FaceTrack(face_video, cropper) as track:
        return {i: track.get(i).source_landmarks for i in FRAMES}


class Marked(FaceTrack):
    """A FaceTrack that also records which frame's pixels it was handed (the demo marker)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.seen: list[tuple[int, int]] = []

    def get(self, frame_index, image=None):
        self.seen.append((frame_index, read_marker(image)))
        return super().get(frame_index, image)


@pytest.mark.parametrize("workers", [1, 2])
def test_every_frame_once_with_its_own_pixels_and_landmarks(face_video, cropper, reference, tmp_path, workers):
    frames = FRAMES
    batches: list[list[int]] = []
    ctx = PlainContext()
    with Marked(face_video, cropper, tmp_path) as track:
        got: dict[int, np.ndarray] = {}

        def consume(batch):
            batches.append([item.frame for item in batch])
            for item in batch:
                assert item.face.ok
                got[item.frame] = item.face.source_landmarks

        consumed = run_pass(track, frames, consume, ctx, workers=workers, min_batch=4, max_batch=6,
                            counted=8, total=24)
        assert consumed == len(frames)
        assert all(frame == marker for frame, marker in track.seen)  # each face stage got its own frame
    assert sorted(f for b in batches for f in b) == frames  # every frame exactly once
    assert all(4 <= len(b) <= 6 for b in batches[:-1]) and 1 <= len(batches[-1]) <= 6
    assert [r[0] for r in ctx.reports] == list(np.cumsum([len(b) for b in batches]) + 8)
    assert ctx.reports[-1] == (24, 24)
    # one face thread tracks exactly as a plain loop; with two, a neighbour may not be done yet, so the
    # detector may search another window (the box, hence the landmarks, move by a pixel or two)
    for frame in frames:
        np.testing.assert_allclose(got[frame], reference[frame], atol=0.0 if workers == 1 else 3.0)


def test_stands_back_while_the_user_scrubs(face_video, cropper):
    scrubbing_until = time.monotonic() + 0.6
    first_batch: list[float] = []
    with FaceTrack(face_video, cropper) as track:
        run_pass(track, range(6), lambda batch: first_batch.append(time.monotonic()), PlainContext(),
                 interactive=lambda: time.monotonic() < scrubbing_until, min_batch=1)
    assert first_batch and min(first_batch) >= scrubbing_until


class CancelAfter(PlainContext):
    def __init__(self, batches: int):
        super().__init__()
        self.left = batches

    def cancelled(self) -> bool:
        return self.left <= 0


def test_cancel_stops_every_stage(face_video, cropper, video_record):
    before = {t.name for t in threading.enumerate()}
    ctx = CancelAfter(1)
    seen = []

    def consume(batch):
        seen.extend(item.frame for item in batch)
        ctx.left -= 1

    with FaceTrack(face_video, cropper) as track, pytest.raises(Cancelled):
        run_pass(track, range(video_record.frame_count), consume, ctx, min_batch=2, max_batch=2)
    assert seen == [0, 1]
    assert not [t for t in threading.enumerate() if t.name.startswith("painxai-pass") and t.name not in before]


class BrokenAt(FaceTrack):
    def get(self, frame_index, image=None):
        if frame_index == 5:
            raise VideoError("cannot decode frame 5", self.reader.path)
        return super().get(frame_index, image)


def test_a_producer_error_reaches_the_caller(face_video, cropper):
    with BrokenAt(face_video, cropper) as track, pytest.raises(VideoError, match="frame 5"):
        run_pass(track, range(12), lambda batch: None, PlainContext(), min_batch=1)


def test_cache_files_are_keyed_by_hashes_of_the_full_ids(tmp_path, video_record):
    from dataclasses import replace

    cache = TimelineCache(tmp_path)
    other = replace(video_record, id=video_record.id.replace(" ", "_"))  # "a b.mp4" vs "a_b.mp4"
    assert cache.file("m", video_record.id) != cache.file("m", other.id)
    assert cache.file("m", video_record.id, "regions") != cache.file("m", video_record.id)
    assert cache.file("model-1", video_record.id) != cache.file("model-2", video_record.id)
    n = video_record.frame_count
    first = cache.array("m", video_record, 3)
    first[:] = np.arange(n * 3, dtype=np.float32).reshape(n, 3)
    cache.finish("m", video_record)
    assert todo_frames(cache.array("m", other, 3)) == list(range(n))  # not the other's array
    again = TimelineCache(tmp_path)  # a new session reads the file
    np.testing.assert_array_equal(again.array("m", video_record, 3), first)
    assert again.complete("m", video_record.id) and not again.complete("m", other.id)
