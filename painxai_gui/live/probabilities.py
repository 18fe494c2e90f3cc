"""Class probabilities for every frame of a video, filled in the background and cached.

One array ``(frames, classes)`` per (model, video), NaN where not computed yet
or where no face was found. Finished arrays are saved as ``.npy`` under the
project's cache folder, named by a hash of the model key and of the full
video id, so a video is computed once per model. The job stands
back while the user scrubs (``session.interactive()``), so it never competes
with the frame on screen.
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np

from painxai_gui.dataset.records import VideoRecord
from painxai_gui.errors import Cancelled
from painxai_gui.files import atomic_write
from painxai_gui.live.context import JobContext
from painxai_gui.live.media import MediaPool

BATCH = 16


@dataclass(frozen=True)
class TimelineRequest:
    video: VideoRecord
    predictor: Any
    model_key: str


class ProbabilityCache:
    """In-memory arrays plus ``.npy`` files; shared between the worker and the GUI (arrays only grow)."""

    def __init__(self, folder: Path | None = None):
        self.folder = folder
        self._arrays: dict[tuple[str, str], np.ndarray] = {}
        self._done: set[tuple[str, str]] = set()
        self._lock = threading.Lock()

    def set_folder(self, folder: Path | None) -> None:
        with self._lock:
            self.folder = folder

    def _file(self, model_key: str, video_id: str) -> Path | None:
        """``probabilities/<hash of the model key>/<hash of the full video id>.npy``: distinct ids never
        share a file (``a b.mp4`` and ``a_b.mp4`` did when names were sanitised)."""
        if self.folder is None:
            return None
        return self.folder / "probabilities" / _digest(model_key) / f"{_digest(video_id)}.npy"

    def array(self, model_key: str, video: VideoRecord, classes: int) -> np.ndarray:
        """The (possibly partial) array of a video; loaded from disk when it was computed before."""
        key = (model_key, video.id)
        with self._lock:
            arr = self._arrays.get(key)
            if arr is not None and arr.shape == (video.frame_count, classes):
                return arr
            arr = self._load(model_key, video, classes)
            if arr is None:
                arr = np.full((video.frame_count, classes), np.nan, np.float32)
            else:
                self._done.add(key)
            self._arrays[key] = arr
            return arr

    def _load(self, model_key: str, video: VideoRecord, classes: int) -> np.ndarray | None:
        path = self._file(model_key, video.id)
        if path is None or not path.is_file():
            return None
        try:
            arr = np.load(path)
        except (OSError, ValueError):
            return None
        return arr.astype(np.float32) if arr.shape == (video.frame_count, classes) else None

    def complete(self, model_key: str, video_id: str) -> bool:
        with self._lock:
            return (model_key, video_id) in self._done

    def finish(self, model_key: str, video: VideoRecord) -> None:
        """Mark complete and save atomically (best effort: a read-only folder only loses the cache)."""
        key = (model_key, video.id)
        with self._lock:
            self._done.add(key)
            arr = self._arrays.get(key)
            path = self._file(model_key, video.id)
        if arr is None or path is None:
            return
        try:
            atomic_write(path, lambda tmp: np.save(tmp, arr), parents=True)
        except OSError:
            pass


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def fill_video(cache: ProbabilityCache, pool: MediaPool, interactive: Callable[[], bool],
               request: TimelineRequest, ctx: JobContext) -> np.ndarray:
    """Compute every missing frame of the video, in batches, reporting progress; returns the array."""
    from painxai_gui.model import preprocess

    video, predictor = request.video, request.predictor
    arr = cache.array(request.model_key, video, predictor.spec.num_classes)
    todo = [int(f) for f in np.flatnonzero(np.isnan(arr[:, 0]))]
    total, done = video.frame_count, video.frame_count - len(todo)
    ctx.progress(done, total)
    for start in range(0, len(todo), BATCH):
        frames, crops = [], []
        for frame in todo[start:start + BATCH]:
            while interactive() and not ctx.cancelled():
                time.sleep(0.05)  # the user is scrubbing: let the frame on screen go first
            if ctx.cancelled():
                raise Cancelled()
            face = pool.face(video.path, frame)
            if face.ok:
                frames.append(frame)
                crops.append(face.crop)
            else:
                arr[frame, :] = -1.0  # no face: marked so it is not retried; drawn as a gap
        if crops:
            probs = predictor.predict_preprocessed(preprocess(np.stack(crops), predictor.spec))
            arr[frames] = probs
        done += len(todo[start:start + BATCH])
        ctx.progress(done, total)
    cache.finish(request.model_key, video)
    return arr


def for_display(arr: np.ndarray) -> np.ndarray:
    """NaN where not computed or no face (curves draw gaps there)."""
    out = arr.copy()
    out[out < 0] = np.nan
    return out
