"""Frame indices from presentation timestamps (constant frame rate assumed, as in BioVid).

FFmpeg gives a frame's presentation time; ``round((t - t0) / period)`` is its
index. Some frames come without one: OpenCV reports 0 ms for frames drained
from the decoder at the end of a stream (MPEG program streams, B-frame
H.264), and raw elementary streams have none at all. A frame whose time is at
or before the first frame's (but follows another) is taken to be the next one.
"""

from __future__ import annotations

from typing import Sequence


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
