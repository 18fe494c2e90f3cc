"""Frame indices from presentation timestamps (constant frame rate assumed, as in BioVid).

FFmpeg gives a frame's presentation time; ``round((t - t0) / period)`` is its
index. Some frames come without one: OpenCV reports 0 ms for frames drained
from the decoder at the end of a stream (MPEG program streams, B-frame
H.264), and raw elementary streams have none at all. A frame whose time is at
or before the first frame's (but follows another) is taken to be the next one.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Sequence

_COUNTS: dict[tuple[str, int, int], tuple[int, str]] = {}
_COUNTS_LOCK = threading.Lock()


def frame_index(stamp_ms: float, t0_ms: float, period_ms: float, last: int | None) -> int:
    """The index of a frame with timestamp ``stamp_ms`` that follows frame ``last`` (None: unknown)."""
    index = round((stamp_ms - t0_ms) / period_ms)
    if index <= 0 and last is not None:
        return last + 1  # no timestamp: it follows the previous frame
    return index


def stamps_consistent(stamps: Sequence[float], t0_ms: float, period_ms: float) -> bool:
    """Whether decode-order timestamps are one frame period apart (a few missing ones allowed)."""
    last: int | None = None
    missing = 0
    for position, stamp in enumerate(stamps):
        index = frame_index(stamp, t0_ms, period_ms, last)
        if index != position:
            return False
        if position > 0 and round((stamp - t0_ms) / period_ms) <= 0:
            missing += 1
        last = index
    return missing <= max(2, len(stamps) // 10)


def _file_key(path: Path) -> tuple[str, int, int]:
    st = path.stat()
    return (str(path.resolve()), st.st_size, st.st_mtime_ns)


def known_count(path: Path) -> tuple[int, str] | None:
    """(frame count, seek mode) established earlier in this process for this exact file, if any."""
    with _COUNTS_LOCK:
        return _COUNTS.get(_file_key(path))


def remember_count(path: Path, count: int, mode: str) -> None:
    """Keep a validated frame count (keyed by path, size and mtime) for later readers of the file."""
    with _COUNTS_LOCK:
        _COUNTS[_file_key(path)] = (count, mode)
