"""Shared, thread-safe access to open videos and their face tracks for all the app's workers.

The core gives one :class:`VideoReader` and one :class:`FaceTrack` per video;
this pool opens them lazily on a worker thread and keeps the few most recent.
Face tracks may be used from several threads at once (each detection leases
its own dlib detector; a frame asked for twice at once is detected once).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any


#: proxies (intra-frame copies of long-GOP videos) kept under the cache folder, least recently used dropped
PROXY_BUDGET_BYTES = 20 * 1024**3


class MediaPool:
    """Readers and face tracks by video path; at most ``keep`` of each stay open.

    With a cache folder (the project's), readers find long-GOP videos'
    intra-frame proxies in ``<cache>/proxies`` (see :func:`prepare_proxy`).
    """

    def __init__(self, cache_dir: Path | None = None, keep: int = 4):
        self.cache_dir = cache_dir
        self._keep = keep
        self._lock = threading.Lock()
        self._face_lock = threading.Lock()
        self._readers: OrderedDict[Path, Any] = OrderedDict()
        self._tracks: OrderedDict[Path, Any] = OrderedDict()
        self._cropper = None
        self._retired: list[Any] = []  # readers of another proxy folder: closed with the pool

    @property
    def proxy_dir(self) -> Path | None:
        return self.cache_dir / "proxies" if self.cache_dir is not None else None

    def set_cache_dir(self, cache_dir: Path | None) -> None:
        with self._lock:
            self.cache_dir = cache_dir
            tracks = list(self._tracks.values())
            self._tracks.clear()
        _flush(tracks)

    def reader(self, path: Path):
        """The open reader of ``path`` (opened here on first use; raises VideoError)."""
        from painxai_gui.video import VideoReader

        proxy_dir = self.proxy_dir
        with self._lock:
            reader = self._readers.get(path)
            if reader is not None and reader.proxy_dir == proxy_dir:
                self._readers.move_to_end(path)
                return reader
            if reader is not None:  # the project (cache folder) changed: reopen with its proxies
                self._retired.append(self._readers.pop(path))
        reader = VideoReader(path, proxy_dir=proxy_dir)  # slow part outside the lock
        with self._lock:
            existing = self._readers.get(path)
            if existing is not None and existing.proxy_dir == proxy_dir:
                reader.close()
                return existing
            self._readers[path] = reader
            while len(self._readers) > self._keep:
                _, old = self._readers.popitem(last=False)
                old.close()
            return reader

    def prepare_proxy(self, path: Path, progress=None, cancel=None) -> Path | None:
        """Make the intra-frame proxy of a long-GOP video (a background job); the open reader switches to it.

        None when there is no cache folder or the video seeks fast without one.
        Older proxies beyond :data:`PROXY_BUDGET_BYTES` are deleted.
        """
        from painxai_gui.video import needs_proxy, prepare_proxy, prune_proxies

        proxy_dir = self.proxy_dir
        if proxy_dir is None or not needs_proxy(path):
            return None
        made = prepare_proxy(path, proxy_dir, progress=progress, cancel=cancel)
        prune_proxies(proxy_dir, PROXY_BUDGET_BYTES)
        with self._lock:
            reader = self._readers.get(path)
        if made is not None and reader is not None:
            reader.attach_proxy()
        return made

    def cropper(self):
        """The one face cropper (dlib detector + 68-landmark predictor), loaded on first use."""
        with self._face_lock:
            if self._cropper is None:
                from painxai_gui.face import FaceCropper

                self._cropper = FaceCropper()
            return self._cropper

    def face(self, path: Path, frame: int):
        """FaceResult of ``frame`` (cached on disk by the core's FaceTrack)."""
        return self.track(path).get(frame)

    def track(self, path: Path):
        """The :class:`FaceTrack` of ``path`` (landmark cache in the pool's cache folder), opened on first use."""
        from painxai_gui.face import FaceTrack

        reader = self.reader(path)
        cropper = self.cropper()
        with self._lock:
            track = self._tracks.get(path)
            if track is None:
                cache = self.cache_dir / "landmarks" if self.cache_dir is not None else None
                track = FaceTrack(reader, cropper, cache)
                self._tracks[path] = track
                while len(self._tracks) > self._keep:
                    _flush([self._tracks.popitem(last=False)[1]])
            else:
                self._tracks.move_to_end(path)
            return track

    def close(self) -> None:
        """Write the landmark caches and close every reader."""
        with self._lock:
            _flush(list(self._tracks.values()))
            self._tracks.clear()
            for reader in [*self._readers.values(), *self._retired]:
                reader.close()
            self._readers.clear()
            self._retired.clear()


def _flush(tracks) -> None:
    for track in tracks:
        try:
            track.flush()
        except OSError:  # a read-only cache folder only costs recomputation
            pass
