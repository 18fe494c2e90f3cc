"""Time slots and the per-slot quota: pure arithmetic, no I/O.

A video of ``F`` frames is cut into ``N`` equal time slots by frame index.
Slot ``k`` (0-based) covers frames ``[ceil(k*F/N), ceil((k+1)*F/N))``, so
frame ``f`` is in slot ``(f*N) // F``. Every frame belongs to exactly one slot;
slot lengths differ by at most one frame (with 2 or 3 slots the longer ones come
first: 1501 frames in 3 slots are 501, 500, 500; 1502 are 501, 501, 500).
"""

from __future__ import annotations

from typing import Iterable

#: time slots per emotion video unless the project says otherwise (the thesis: 3)
DEFAULT_SLOTS = 3


def slot_bounds(frame_count: int, slots: int) -> list[tuple[int, int]]:
    """``[(start, stop), ...]`` of every slot (stop exclusive)."""
    _check(frame_count, slots)
    edges = [-(-k * frame_count // slots) for k in range(slots + 1)]  # ceil(k*F/N)
    return list(zip(edges[:-1], edges[1:]))


def slot_of(frame: int, frame_count: int, slots: int) -> int:
    """The slot (0-based) that holds ``frame``."""
    _check(frame_count, slots)
    if not 0 <= frame < frame_count:
        raise ValueError(f"frame {frame} is outside 0..{frame_count - 1}")
    return frame * slots // frame_count


def count_per_slot(frames: Iterable[int], frame_count: int, slots: int) -> list[int]:
    """How many of ``frames`` fall in each slot."""
    counts = [0] * slots
    for frame in frames:
        counts[slot_of(frame, frame_count, slots)] += 1
    return counts


def compute_quota(pain_frames: int, emotion_subjects: int, slots: int) -> int:
    """``ceil(pain_frames / (emotion_subjects * slots))``; 0 when there is nothing to balance.

    Thesis: 24,012 pain frames, 75 subjects, 3 slots -> 107 frames per slot.
    """
    if emotion_subjects <= 0 or slots <= 0 or pain_frames <= 0:
        return 0
    return -(-pain_frames // (emotion_subjects * slots))


def _check(frame_count: int, slots: int) -> None:
    if slots < 1:
        raise ValueError(f"slot count must be at least 1, got {slots}")
    if frame_count < 0:
        raise ValueError(f"frame count must not be negative, got {frame_count}")
