"""Slot boundaries and the quota arithmetic (thesis: 24,012 pain frames, 75 subjects, 3 slots -> 107)."""

from __future__ import annotations

import pytest

from painxai_gui.curation.slots import compute_quota, count_per_slot, slot_bounds, slot_of


def test_thesis_quota_is_107():
    assert compute_quota(24_012, 75, 3) == 107
    assert 75 * 3 * 107 == 24_075  # thesis Table 4.2


@pytest.mark.parametrize("frames", [1, 2, 3, 4, 5, 7, 100, 137, 138, 1501, 1502, 1503])
@pytest.mark.parametrize("slots", [1, 2, 3, 4, 7])
def test_every_frame_in_exactly_one_slot(frames, slots):
    bounds = slot_bounds(frames, slots)
    assert len(bounds) == slots
    assert bounds[0][0] == 0 and bounds[-1][1] == frames
    covered = [f for a, b in bounds for f in range(a, b)]
    assert covered == list(range(frames))  # contiguous, no overlap, no gap
    for k, (a, b) in enumerate(bounds):
        assert all(slot_of(f, frames, slots) == k for f in range(a, b))
    sizes = [b - a for a, b in bounds]
    assert max(sizes) - min(sizes) <= 1
    if slots <= 3:
        assert sizes == sorted(sizes, reverse=True)  # documented: longer slots first


def test_documented_rounding_for_odd_counts():
    assert slot_bounds(1501, 3) == [(0, 501), (501, 1001), (1001, 1501)]
    assert slot_bounds(100, 3) == [(0, 34), (34, 67), (67, 100)]
    assert slot_bounds(2, 3) == [(0, 1), (1, 2), (2, 2)]  # an empty slot when F < N
    assert count_per_slot([0, 33, 34, 99], 100, 3) == [2, 1, 1]


def test_bad_arguments():
    with pytest.raises(ValueError):
        slot_bounds(10, 0)
    with pytest.raises(ValueError):
        slot_of(10, 10, 3)
    assert compute_quota(0, 75, 3) == 0 and compute_quota(100, 0, 3) == 0
