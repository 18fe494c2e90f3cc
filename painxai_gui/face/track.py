"""Landmarks per video frame, computed once and kept on disk.

:class:`FaceTrack` runs the detector only for frames it has never seen; a
revisited frame is re-cut from the frame and its stored landmarks (no
detection). The store is one ``.npz`` per video in ``cache_dir``, named by a
hash of the video's absolute path, size and mtime and of the detector
settings (an edited video or other settings get a fresh file), written
atomically. It is flushed every ``flush_every`` new frames or
``flush_seconds``, on :meth:`FaceTrack.close`, and when the track is
garbage-collected or the process exits.

Store format (version 1): ``frames`` int32 (n,), ``landmarks`` float32
(n, 68, 2) in source pixels (NaN where no face was found), ``meta`` JSON text.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import threading
import time
import weakref
from pathlib import Path

import numpy as np

from painxai_gui.face.cropper import FaceCropper, FaceResult
from painxai_gui.face.geometry import Box
from painxai_gui.files import atomic_write
from painxai_gui.video.reader import VideoReader

log = logging.getLogger(__name__)
STORE_VERSION = 1
STORE_KIND = "painxai-landmark-cache"  # stamped into the store's meta JSON


class LandmarkStore:
    """Frame index -> 68x2 landmarks (or None for "no face"), optionally backed by an .npz file."""

    def __init__(self, path: Path | None, meta: dict[str, object]):
        self.path = path
        self.meta = {"kind": STORE_KIND, "version": STORE_VERSION, **meta}
        self._items: dict[int, np.ndarray | None] = {}
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()
        self.dirty = 0
        if path is not None:
            self._items.update(self._load())

    def get(self, index: int) -> tuple[bool, np.ndarray | None]:
        """(known, landmarks): known is False for frames never computed."""
        with self._lock:
            return index in self._items, self._items.get(index)

    def put(self, index: int, landmarks: np.ndarray | None) -> None:
        with self._lock:
            self._items[index] = None if landmarks is None else np.asarray(landmarks, np.float32)
            self.dirty += 1

    def __len__(self) -> int:
        return len(self._items)

    def flush(self) -> None:
        """Write new entries (merged with what another process may have written) atomically."""
        if self.path is None or not self.dirty:
            return
        with self._write_lock:  # two flushes at once: the later snapshot must be the one left on disk
            with self._lock:
                merged = {**self._load(), **self._items}
                self._items = merged
                self.dirty = 0
            atomic_write(self.path, _encode(merged, self.meta), parents=True)

    def _load(self) -> dict[int, np.ndarray | None]:
        if self.path is None or not self.path.is_file():
            return {}
        try:
            with np.load(self.path, allow_pickle=False) as data:
                if json.loads(str(data["meta"])).get("version") != STORE_VERSION:
                    return {}
                frames, points = data["frames"], data["landmarks"]
        except (OSError, ValueError, KeyError, json.JSONDecodeError) as exc:
            log.warning("%s: unreadable landmark cache ignored (%s)", self.path, exc)
            return {}
        return {int(f): (None if np.isnan(p).any() else p) for f, p in zip(frames, points)}


def _encode(items: dict[int, np.ndarray | None], meta: dict[str, object]) -> bytes:
    frames = np.array(sorted(items), np.int32)
    points = np.full((len(frames), 68, 2), np.nan, np.float32)
    for row, index in enumerate(frames):
        if items[int(index)] is not None:
            points[row] = items[int(index)]
    buffer = io.BytesIO()
    np.savez(buffer, frames=frames, landmarks=points, meta=np.array(json.dumps(meta)))
    return buffer.getvalue()


def _flush_quietly(store: LandmarkStore) -> None:
    """Flush at garbage collection or exit; a vanished cache folder must not raise there."""
    try:
        store.flush()
    except OSError as exc:
        log.warning("%s: landmark cache not written (%s)", store.path, exc)


def cache_file(cache_dir: Path, video: Path, signature: str) -> Path:
    """The store file of ``video`` for detector settings ``signature``."""
    st = video.stat()
    key = f"{video.resolve()}|{st.st_size}|{st.st_mtime_ns}|{signature}"
    digest = hashlib.sha1(key.encode("utf-8", "surrogateescape")).hexdigest()[:16]
    return Path(cache_dir) / f"{video.stem}-{digest}.landmarks.npz"


class FaceTrack:
    """Face results for the frames of one video, landmarks computed once per frame and cached.

    ``video`` is a :class:`VideoReader` (shared, not closed here) or a path
    (opened and closed here). ``cache_dir`` None keeps landmarks in memory only.
    """

    def __init__(
        self,
        video: VideoReader | str | os.PathLike[str],
        cropper: FaceCropper,
        cache_dir: str | os.PathLike[str] | None = None,
        flush_every: int = 50,
        flush_seconds: float = 2.0,
    ):
        self._owns_reader = not isinstance(video, VideoReader)
        self.reader = VideoReader(video) if self._owns_reader else video  # type: ignore[arg-type]
        self.cropper = cropper
        self.flush_every = flush_every
        self.flush_seconds = flush_seconds
        path = cache_file(Path(cache_dir), self.reader.path, cropper.signature) if cache_dir is not None else None
        meta = {"video": str(self.reader.path), "detector": cropper.signature}
        self.store = LandmarkStore(path, meta)
        self._last_flush = time.monotonic()
        self._pending: dict[int, threading.Event] = {}  # frames being detected now
        self._pending_lock = threading.Lock()
        self._finalizer = weakref.finalize(self, _flush_quietly, self.store)

    @property
    def cache_path(self) -> Path | None:
        return self.store.path

    def get(self, frame_index: int, image: np.ndarray | None = None) -> FaceResult:
        """The face result of frame ``frame_index`` (detection only the first time).

        ``image``: the frame itself when the caller has decoded it already (a
        pipelined pass decodes ahead on its own reader). Threads asking for the
        same new frame at once share one detection.
        """
        frame = self.reader.read(frame_index) if image is None else image
        known, points = self.store.get(frame_index)
        if known:
            return self._cut(frame, points)
        with self._pending_lock:
            running = self._pending.get(frame_index)
            if running is None:
                self._pending[frame_index] = threading.Event()
        if running is not None:  # another thread detects this frame now: use its landmarks
            running.wait()
            known, points = self.store.get(frame_index)
            return self._cut(frame, points) if known else self._detect(frame_index, frame)
        try:
            return self._detect(frame_index, frame)
        finally:
            with self._pending_lock:
                self._pending.pop(frame_index).set()

    def _cut(self, frame: np.ndarray, points: np.ndarray | None) -> FaceResult:
        return self.cropper.cut(frame, points) if points is not None else FaceResult.missing()

    def _detect(self, frame_index: int, frame: np.ndarray) -> FaceResult:
        result = self.cropper.crop(frame, previous_box=self._neighbour_box(frame_index))
        self.store.put(frame_index, result.source_landmarks)
        self._maybe_flush()
        return result

    def known(self, frame_index: int) -> bool:
        """Whether frame ``frame_index`` has been through the detector (now or in an earlier run)."""
        return self.store.get(frame_index)[0]

    def flush(self) -> None:
        self.store.flush()
        self._last_flush = time.monotonic()

    def close(self) -> None:
        """Write the store; close the reader if this track opened it."""
        self.flush()
        if self._owns_reader:
            self.reader.close()

    def __enter__(self) -> "FaceTrack":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _neighbour_box(self, index: int) -> Box | None:
        """The crop box of the nearest already-known frame within 2 frames, for tracking."""
        for delta in (-1, 1, -2, 2):
            known, points = self.store.get(index + delta)
            if known and points is not None:
                return self.cropper.cut_box(points)
        return None

    def _maybe_flush(self) -> None:
        if self.store.path is None:
            return
        if self.store.dirty >= self.flush_every or time.monotonic() - self._last_flush >= self.flush_seconds:
            self.flush()
