"""A thread-safe LRU cache of decoded frames with a memory cap in bytes."""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np


class FrameCache:
    """Least-recently-used frames, keyed by frame index, bounded by ``max_bytes``.

    Frames are stored read-only (``arr.flags.writeable = False``) because the
    same array is handed to every caller; copy before drawing on one.
    A frame larger than ``max_bytes`` is not stored (``max_bytes=0`` disables
    the cache).
    """

    def __init__(self, max_bytes: int):
        if max_bytes < 0:
            raise ValueError(f"max_bytes must be >= 0, got {max_bytes}")
        self.max_bytes = int(max_bytes)
        self._frames: OrderedDict[int, np.ndarray] = OrderedDict()
        self._nbytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, index: int) -> np.ndarray | None:
        """The cached frame (marked most recently used), or None."""
        with self._lock:
            frame = self._frames.get(index)
            if frame is None:
                self.misses += 1
                return None
            self._frames.move_to_end(index)
            self.hits += 1
            return frame

    def peek(self, index: int) -> np.ndarray | None:
        """The cached frame without counting a hit or a miss or changing its age."""
        with self._lock:
            return self._frames.get(index)

    def __contains__(self, index: int) -> bool:
        with self._lock:
            return index in self._frames

    def put(self, index: int, frame: np.ndarray) -> np.ndarray:
        """Store ``frame`` (made read-only) and evict the oldest frames over the cap."""
        frame.flags.writeable = False
        if frame.nbytes > self.max_bytes:
            return frame
        with self._lock:
            old = self._frames.pop(index, None)
            if old is not None:
                self._nbytes -= old.nbytes
            self._frames[index] = frame
            self._nbytes += frame.nbytes
            while self._nbytes > self.max_bytes:
                _, evicted = self._frames.popitem(last=False)
                self._nbytes -= evicted.nbytes
        return frame

    def clear(self) -> None:
        with self._lock:
            self._frames.clear()
            self._nbytes = 0

    @property
    def nbytes(self) -> int:
        """Bytes held by the cached frames."""
        return self._nbytes

    def __len__(self) -> int:
        return len(self._frames)

    def capacity(self, frame_nbytes: int) -> int:
        """How many frames of ``frame_nbytes`` bytes fit under the cap."""
        return self.max_bytes // frame_nbytes if frame_nbytes > 0 else 0
