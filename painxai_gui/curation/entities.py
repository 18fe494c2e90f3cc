"""Read-only values the project hands out: slots, progress, exclusions, changes.

Videos are the dataset's own :class:`~painxai_gui.dataset.records.VideoRecord`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

@dataclass(frozen=True)
class SlotInfo:
    """One time slot of a video: frames ``[start, stop)`` and what is picked in it."""

    index: int
    start: int
    stop: int
    selected: int
    suggested: int
    quota: int

    @property
    def full(self) -> bool:
        return self.quota > 0 and self.selected >= self.quota

    @property
    def over(self) -> bool:
        """More frames selected than the quota (only by an explicit, audited override; shown)."""
        return self.selected > self.quota > 0

    @property
    def text(self) -> str:
        return f"{self.selected}/{self.quota}"


@dataclass(frozen=True)
class VideoProgress:
    video: str
    subject: str
    category: str
    counts: tuple[int, ...]
    quota: int
    excluded: bool

    @property
    def slots_filled(self) -> int:
        return sum(1 for c in self.counts if self.quota > 0 and c >= self.quota)

    @property
    def complete(self) -> bool:
        return self.slots_filled == len(self.counts)

    @property
    def text(self) -> str:
        """Like ``107/107, 64/107, 0/107``."""
        return ", ".join(f"{c}/{self.quota}" for c in self.counts)


@dataclass(frozen=True)
class Progress:
    """Curation progress over the included slot videos."""

    quota: int
    slot_count: int
    videos: tuple[VideoProgress, ...]

    @property
    def included(self) -> tuple[VideoProgress, ...]:
        return tuple(v for v in self.videos if not v.excluded)

    @property
    def videos_complete(self) -> int:
        return sum(1 for v in self.included if v.complete)

    @property
    def frames_selected(self) -> int:
        return sum(min(c, self.quota) if self.quota else c for v in self.included for c in v.counts)

    @property
    def frames_target(self) -> int:
        return self.quota * self.slot_count * len(self.included)

    @property
    def text(self) -> str:
        return (f"{self.videos_complete}/{len(self.included)} videos complete, "
                f"{self.frames_selected}/{self.frames_target} frames (quota {self.quota} per slot)")


@dataclass(frozen=True)
class Exclusion:
    scope: str  # "subject" or "video"
    target: str
    reason: str
    annotator: str
    at: str


@dataclass(frozen=True)
class ProjectChange:
    """What a committed operation changed, passed to subscribers after the commit.

    ``videos`` are the videos whose selections/suggestions changed; ``global_``
    is True when exclusions, quota, slot count or the dataset root changed
    (every video's progress may differ).
    """

    action: str
    description: str
    videos: frozenset[str] = field(default_factory=frozenset)
    global_: bool = False
