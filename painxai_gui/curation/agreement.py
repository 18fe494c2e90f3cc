"""Agreement between two annotators' projects: Jaccard overlap and Cohen's kappa per slot.

Every frame of every emotion video that both projects include is one
decision (selected or not). Per slot (pooled over videos), per video and
overall we report the Jaccard index of the selected sets and Cohen's kappa
over the decisions. Either is None when undefined (no frame selected by
either; kappa when both annotators made one constant decision).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from painxai_gui.dataset.records import ROLE_SLOTS

if TYPE_CHECKING:
    from painxai_gui.curation.project import Project

COLUMNS = ("scope", "frames", "selected_a", "selected_b", "both", "jaccard", "kappa")


@dataclass(frozen=True)
class Counts:
    """2x2 decision table: ``both`` selected, only A, only B, neither."""

    both: int = 0
    only_a: int = 0
    only_b: int = 0
    neither: int = 0

    def __add__(self, other: "Counts") -> "Counts":
        return Counts(self.both + other.both, self.only_a + other.only_a,
                      self.only_b + other.only_b, self.neither + other.neither)

    @property
    def frames(self) -> int:
        return self.both + self.only_a + self.only_b + self.neither

    @property
    def jaccard(self) -> float | None:
        union = self.both + self.only_a + self.only_b
        return self.both / union if union else None

    @property
    def kappa(self) -> float | None:
        """Cohen's kappa: ``(po - pe) / (1 - pe)``; None when ``pe == 1``."""
        n = self.frames
        if n == 0:
            return None
        po = (self.both + self.neither) / n
        pa, pb = (self.both + self.only_a) / n, (self.both + self.only_b) / n
        pe = pa * pb + (1 - pa) * (1 - pb)
        return None if pe >= 1.0 else (po - pe) / (1 - pe)


def counts_of(a: set[int] | frozenset[int], b: set[int] | frozenset[int], frames: range) -> Counts:
    a_in, b_in = {f for f in a if f in frames}, {f for f in b if f in frames}
    both = len(a_in & b_in)
    return Counts(both, len(a_in) - both, len(b_in) - both, len(frames) - len(a_in | b_in))


@dataclass(frozen=True)
class Agreement:
    a: str
    b: str
    slot_count: int
    per_slot: tuple[tuple[str, Counts], ...]
    per_video: tuple[tuple[str, Counts], ...]
    overall: Counts
    notes: tuple[str, ...] = ()

    def rows(self, per_video: bool = False) -> list[tuple]:
        items = list(self.per_slot) + (list(self.per_video) if per_video else []) + [("overall", self.overall)]
        return [(scope, c.frames, c.both + c.only_a, c.both + c.only_b, c.both,
                 _fmt(c.jaccard), _fmt(c.kappa)) for scope, c in items]

    def text(self, per_video: bool = False) -> str:
        from painxai_gui.curation.report import text_table

        head = f"agreement of {self.a} (A) and {self.b} (B), {len(self.per_video)} videos"
        notes = "".join(f"\nnote: {n}" for n in self.notes)
        return f"{head}\n{text_table(COLUMNS, self.rows(per_video))}{notes}"


def compare(a: "Project", b: "Project") -> Agreement:
    """Compare two open projects (any mode) over the emotion videos both include."""
    slots, notes = a.slot_count, []
    if b.slot_count != slots:
        notes.append(f"slot counts differ (A {slots}, B {b.slot_count}); slots of A are used")
    b_videos = {v.id: v for v in b.videos(role=ROLE_SLOTS, included=True)}
    per_slot = [Counts() for _ in range(slots)]
    per_video = []
    for video in a.videos(role=ROLE_SLOTS, included=True):
        other = b_videos.get(video.id)
        if other is None or other.frame_count != video.frame_count:
            if other is not None:
                notes.append(f"{video.id}: frame counts differ ({video.frame_count} vs {other.frame_count}); skipped")
            continue
        sel_a, sel_b = a.selections(video), b.selections(video)
        total = Counts()
        for k, (start, stop) in enumerate(a.slot_bounds(video)):
            c = counts_of(sel_a, sel_b, range(start, stop))
            per_slot[k] += c
            total += c
        per_video.append((video.id, total))
    skipped = len(set(b_videos) - {v.id for v in a.videos(role=ROLE_SLOTS, included=True)})
    if skipped:
        notes.append(f"{skipped} videos included only in B were not compared")
    overall = sum((c for _, c in per_video), Counts())
    return Agreement(str(a.path), str(b.path), slots,
                     tuple((f"slot {k + 1}", c) for k, c in enumerate(per_slot)),
                     tuple(per_video), overall, tuple(notes))


def compare_files(path_a: str | Path, path_b: str | Path) -> Agreement:
    """Open both project files read-only and compare them."""
    from painxai_gui.curation.project import Project

    with Project.open(path_a, read_only=True) as a, Project.open(path_b, read_only=True) as b:
        return compare(a, b)


def decisions(selected: Sequence[int] | frozenset[int], frame_count: int) -> list[int]:
    """0/1 per frame (for checks against other kappa implementations)."""
    chosen = set(selected)
    return [1 if f in chosen else 0 for f in range(frame_count)]


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


__all__ = ["Agreement", "Counts", "compare", "compare_files", "counts_of", "decisions"]
