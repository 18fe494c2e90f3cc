"""Suggested frames for a slot, by one of two strategies: an even spread over frames with a face, or model confidence.

Suggestions are stored apart from selections and become selections only when
accepted (:meth:`Project.accept_suggestions`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Mapping, Sequence

FaceCheck = Callable[[int], bool]


def even_spread(candidates: Sequence[int], need: int, has_face: FaceCheck | None = None) -> list[int]:
    """Pick up to ``need`` frames evenly spread over ``candidates`` (sorted frame indices).

    The candidates are cut into equal bins, one per missing frame; from each
    bin the frame nearest its centre that has a face is taken (``has_face`` is
    asked only as far as needed, at most once per frame). Bins without a face
    are dropped and the remaining frames are spread over again until ``need``
    frames are found or no candidate with a face is left.
    """
    known: dict[int, bool] = {}

    def face(frame: int) -> bool:
        if has_face is None:
            return True
        if frame not in known:
            known[frame] = bool(has_face(frame))
        return known[frame]

    picks: set[int] = set()
    pool = list(candidates)
    while len(picks) < need:
        pool = [f for f in pool if f not in picks and known.get(f, True)]
        want = min(need - len(picks), len(pool))
        if want <= 0:
            break
        picks.update(_spread_pass(pool, want, face))
    return sorted(picks)


def _spread_pass(pool: Sequence[int], want: int, face: FaceCheck) -> list[int]:
    n, picks = len(pool), []
    for b in range(want):
        lo, hi = b * n // want, (b + 1) * n // want
        for pos in _centre_out(lo, hi):
            if face(pool[pos]):
                picks.append(pool[pos])
                break
    return picks


def by_confidence(candidates: Sequence[int], need: int, scores: Mapping[int, float]) -> list[tuple[int, float]]:
    """The ``need`` candidates the model is most confident about (ties: earlier frame first)."""
    scored = [(f, float(scores[f])) for f in candidates if f in scores]
    scored.sort(key=lambda item: (-item[1], item[0]))
    return sorted(scored[:max(need, 0)])


def _centre_out(lo: int, hi: int) -> list[int]:
    """Positions ``lo..hi-1`` ordered by distance from the bin's centre."""
    centre = (lo + hi - 1) / 2
    return sorted(range(lo, hi), key=lambda p: (abs(p - centre), p))


class TrackFaceCheck:
    """``frame -> has a face`` with the real face pipeline (landmarks cached per video); close it."""

    def __init__(self, video_path: Path, cache_dir: Path):
        from painxai_gui.face import FaceCropper, FaceTrack  # lazy: dlib

        self._track = FaceTrack(video_path, FaceCropper(), cache_dir)

    def __call__(self, frame: int) -> bool:
        return bool(self._track.get(frame).ok)

    def close(self) -> None:
        self._track.close()


def default_face_check(video_path: Path, cache_dir: Path) -> TrackFaceCheck:
    return TrackFaceCheck(video_path, cache_dir)
