"""Whole-video arrays (one row per frame), shared by the worker that fills them and the GUI that draws them.

One float32 array ``(frames, width)`` per (kind, key, video): NaN where not
computed yet, ``-1`` where the frame has no face (not retried). ``kind`` names
the timeline (``"probabilities"``, ``"regions"``), ``key`` what it was
computed with (the model's hash, plus method and options for regions).
Finished arrays are saved as ``.npy`` under the project's cache folder, so a
video is computed once per key.

File names are hashes of the full key and the full video id -- never a
sanitised name, so ``a b.mp4`` and ``a_b.mp4`` get different files::

    <folder>/<kind>/<sha256(key)[:16]>/<sha256(video id)[:32]>.npy
"""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

import numpy as np

from painxai_gui.dataset.records import VideoRecord
from painxai_gui.files import atomic_write

PROBABILITIES = "probabilities"
NO_FACE = -1.0  #: row value of a frame without a face (drawn as a gap)


def _digest(text: str, n: int) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:n]


class TimelineCache:
    """In-memory arrays plus ``.npy`` files (arrays only grow: the GUI may read one while a worker fills it)."""

    def __init__(self, folder: Path | None = None):
        self.folder = folder
        self._arrays: dict[tuple[str, str, str], np.ndarray] = {}
        self._done: set[tuple[str, str, str]] = set()
        self._lock = threading.Lock()

    def set_folder(self, folder: Path | None) -> None:
        with self._lock:
            self.folder = folder

    def file(self, key: str, video_id: str, kind: str = PROBABILITIES) -> Path | None:
        """Where the finished array of ``video_id`` is saved (None without a cache folder)."""
        if self.folder is None:
            return None
        return self.folder / kind / _digest(key, 16) / f"{_digest(video_id, 32)}.npy"

    def array(self, key: str, video: VideoRecord, width: int, kind: str = PROBABILITIES) -> np.ndarray:
        """The (possibly partial) array of a video; loaded from disk when it was computed before."""
        slot = (kind, key, video.id)
        with self._lock:
            arr = self._arrays.get(slot)
            if arr is not None and arr.shape == (video.frame_count, width):
                return arr
            arr = self._load(key, video, width, kind)
            if arr is None:
                arr = np.full((video.frame_count, width), np.nan, np.float32)
            else:
                self._done.add(slot)
            self._arrays[slot] = arr
            return arr

    def _load(self, key: str, video: VideoRecord, width: int, kind: str) -> np.ndarray | None:
        path = self.file(key, video.id, kind)
        if path is None or not path.is_file():
            return None
        try:
            arr = np.load(path)
        except (OSError, ValueError):
            return None
        return arr.astype(np.float32) if arr.shape == (video.frame_count, width) else None

    def complete(self, key: str, video_id: str, kind: str = PROBABILITIES) -> bool:
        with self._lock:
            return (kind, key, video_id) in self._done

    def finish(self, key: str, video: VideoRecord, kind: str = PROBABILITIES) -> None:
        """Mark complete and save atomically (best effort: a read-only folder only loses the cache)."""
        slot = (kind, key, video.id)
        with self._lock:
            self._done.add(slot)
            arr = self._arrays.get(slot)
            path = self.file(key, video.id, kind)
        if arr is None or path is None:
            return
        try:
            atomic_write(path, lambda tmp: np.save(tmp, arr), parents=True)
        except OSError:
            pass


def todo_frames(arr: np.ndarray) -> list[int]:
    """Frames not computed yet (NaN rows)."""
    return [int(f) for f in np.flatnonzero(np.isnan(arr[:, 0]))]


def for_display(arr: np.ndarray) -> np.ndarray:
    """NaN where not computed or no face (curves draw gaps there)."""
    out = np.array(arr, np.float32, copy=True)
    out[out < 0] = np.nan
    return out
