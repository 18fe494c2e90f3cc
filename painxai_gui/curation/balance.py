"""What "balanced" means, in one place: the frames the export will write, per category, and why.

A subject *enters* the balanced set when it is included (not excluded) and
every included emotion video it has is complete (every slot holds at least
the quota). A subject without emotion videos (Part A only, like 12 of the
thesis's 87) enters with its pain clips: the quota already counts them. Pain
frames come only from entering subjects. What enters is written in full:
every frame of each included Part A clip, every selected frame of each
included emotion video (a slot filled beyond the quota on purpose counts all
its frames).

The set is *balanced* when every category's frame count is within
``tolerance`` (default 5 %) of the pain count. :func:`plan_balance` computes
this plan; the export writes exactly it (and refuses an unbalanced one unless
told), the report's Tables 4.1/4.2 show its numbers, and the app's export
dialog previews it.

The quota itself is capped by the shortest slot among the included emotion
videos (:func:`quota_cap`): a quota no slot can hold would leave every
subject short.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Mapping

from painxai_gui.dataset.records import ROLE_ALL_FRAMES, ROLE_SLOTS

if TYPE_CHECKING:
    from painxai_gui.curation.project import Project

#: largest allowed difference between a category's frames and the pain frames, as a share of pain
DEFAULT_TOLERANCE = 0.05


@dataclass(frozen=True)
class QuotaCap:
    """The largest feasible quota: the shortest slot among the included emotion videos.

    ``cap`` is None when there is no included emotion video with frames;
    ``videos`` are the videos whose shortest slot equals the cap.
    """

    cap: int | None
    videos: tuple[str, ...] = ()

    def text(self) -> str:
        if self.cap is None:
            return "no included emotion video"
        first = ", ".join(self.videos[:3]) + (f" and {len(self.videos) - 3} more" if len(self.videos) > 3 else "")
        return f"the shortest slot has {self.cap} frames ({first})"


@dataclass(frozen=True)
class ShortSlot:
    """A slot of an included emotion video that holds fewer frames than the quota."""

    video: str
    slot: int  # 1-based
    selected: int
    quota: int

    def text(self) -> str:
        return f"{self.video} slot {self.slot} {self.selected}/{self.quota}"


@dataclass(frozen=True)
class LeftOut:
    """A subject the export leaves out, and why (``short`` lists its unfinished slots)."""

    subject: str
    reason: str
    short: tuple[ShortSlot, ...] = ()

    def text(self, limit: int = 3) -> str:
        if not self.short:
            return f"{self.subject}: {self.reason}"
        slots = "; ".join(s.text() for s in self.short[:limit])
        more = f"; and {len(self.short) - limit} more slots" if len(self.short) > limit else ""
        return f"{self.subject}: {self.reason} ({slots}{more})"


@dataclass(frozen=True)
class BalancePlan:
    """The per-category counts the export will write, the subjects in it and those left out."""

    pain_category: str
    quota: int
    tolerance: float
    cap: QuotaCap
    frames: Mapping[str, int] = field(default_factory=dict)  # video id -> frames written (0: not written)
    per_category: Mapping[str, int] = field(default_factory=dict)
    subjects: tuple[str, ...] = ()
    left_out: tuple[LeftOut, ...] = ()

    @property
    def total(self) -> int:
        return sum(self.per_category.values())

    @property
    def pain(self) -> int:
        return int(self.per_category.get(self.pain_category, 0))

    def gaps(self) -> dict[str, float | None]:
        """``(frames - pain) / pain`` of every other category (None when there are no pain frames)."""
        pain = self.pain
        return {c: ((n - pain) / pain if pain else None)
                for c, n in self.per_category.items() if c != self.pain_category}

    @property
    def balanced(self) -> bool:
        """Every category within ``tolerance`` of the pain frames (and something to write)."""
        if self.total == 0:
            return False
        return all(g is not None and abs(g) <= self.tolerance + 1e-12 for g in self.gaps().values())

    def counts_text(self) -> str:
        """Like ``pain 24, disgust 24 (+0.0 %), happiness 15 (-37.5 %)``."""
        gaps = self.gaps()
        parts = []
        for c, n in self.per_category.items():
            gap = gaps.get(c)
            parts.append(f"{c} {n}" + (f" ({gap:+.1%})" if gap is not None else ""))
        return ", ".join(parts) or "nothing"

    def lines(self, limit: int = 20) -> list[str]:
        """The preview printed by the CLI and shown in the app's export dialog."""
        lines = [f"will write {self.total} frames: {self.counts_text()}",
                 f"{len(self.subjects)} subjects in the set; quota {self.quota} per slot",
                 f"balanced: {'yes' if self.balanced else 'NO'} (tolerance {self.tolerance:.0%} of pain)"]
        if self.left_out:
            lines.append(f"{len(self.left_out)} subjects left out:")
            lines += [f"  {item.text()}" for item in self.left_out[:limit]]
            if len(self.left_out) > limit:
                lines.append(f"  ... and {len(self.left_out) - limit} more")
        return lines

    def refusal(self) -> str:
        """One line saying why an unbalanced (or empty) export is refused, and what to do."""
        if self.total == 0:
            head = "nothing to export: no subject is complete"
        else:
            head = (f"the set is not balanced: {self.counts_text()} differ from pain by more than "
                    f"{self.tolerance:.0%}")
        short = [item for item in self.left_out if item.short]
        if short:
            head += "; short: " + " | ".join(item.text(2) for item in short[:3])
            if len(short) > 3:
                head += f" | and {len(short) - 3} more subjects"
        if self.cap.cap is not None and self.quota >= self.cap.cap:
            head += f"; the quota is capped at {self.cap.cap}: {self.cap.text()}"
        if self.total:
            head += "; complete the short slots, or export anyway with --allow-unbalanced"
        return head


def quota_cap(project: "Project") -> QuotaCap:
    """The shortest slot among the included emotion videos (videos without frames are ignored)."""
    n = project.slot_count
    lengths = {v.id: v.frame_count // n for v in project.videos(role=ROLE_SLOTS, included=True) if v.frame_count > 0}
    if not lengths:
        return QuotaCap(None)
    cap = min(lengths.values())
    return QuotaCap(cap, tuple(sorted(v for v, k in lengths.items() if k == cap)))


def plan_balance(project: "Project", tolerance: float = DEFAULT_TOLERANCE) -> BalancePlan:
    """The balanced set as the export will write it (see the module docstring)."""
    if not tolerance >= 0:
        raise ValueError(f"tolerance must be >= 0, got {tolerance!r}")
    quota = project.quota
    excluded = {e.target: e.reason for e in project.exclusions() if e.scope == "subject"}
    short: dict[str, list[ShortSlot]] = {}
    for item in project.progress().included:
        for k, count in enumerate(item.counts):
            if quota <= 0 or count < quota:
                short.setdefault(item.subject, []).append(ShortSlot(item.video, k + 1, count, quota))
    empty = {v.subject for v in project.videos(role=ROLE_SLOTS, included=True) if v.frame_count == 0}
    subjects = sorted({v.subject for v in project.videos()})
    left: list[LeftOut] = []
    entering: list[str] = []
    for subject in subjects:
        if subject in excluded:
            left.append(LeftOut(subject, f"excluded: {excluded[subject]}"))
        elif subject in short or subject in empty:
            why = "emotion videos not complete" if subject in short else "an emotion video has no frames"
            left.append(LeftOut(subject, why, tuple(short.get(subject, ()))))
        else:
            entering.append(subject)
    return BalancePlan(project.pain_category, quota, float(tolerance), quota_cap(project),
                       *_frames(project, set(entering)), tuple(entering), tuple(left))


def _frames(project: "Project", entering: set[str]) -> tuple[dict[str, int], dict[str, int]]:
    """Frames written per video and per category (categories of every mapped video, 0 included)."""
    frames: dict[str, int] = {}
    per_category: dict[str, int] = {c: 0 for c in _category_order(project)}
    for video in project.videos():
        if video.subject not in entering or project.is_excluded(video):
            count = 0
        elif video.role == ROLE_ALL_FRAMES:
            count = video.frame_count
        else:
            count = len(project.selections(video))
        frames[video.id] = count
        per_category[video.category] = per_category.get(video.category, 0) + count  # type: ignore[index]
    return frames, per_category


def _category_order(project: "Project") -> list[str]:
    """Pain first, then the other categories alphabetically."""
    cats = project.categories()
    return sorted(cats, key=lambda c: (c != project.pain_category, c))



def quota_source(project: "Project") -> str:
    """How the quota came about, with the cap when it bites (or when a quota set by hand exceeds it)."""
    cap, wanted = project.quota_cap(), project.balancing_quota()
    if project.quota_is_set:
        text = "set by hand"
        if cap.cap is not None and project.quota > cap.cap:
            text += f"; ABOVE the cap of {cap.cap}: {cap.text()}"
        return text
    text = (f"computed: ceil({project.pain_frames()} pain frames / ({project.quota_subjects()}"
            f" subjects x {project.slot_count} slots))")
    if cap.cap is not None and wanted > cap.cap:
        text += f" = {wanted}, capped at {cap.cap}: {cap.text()}; {wanted} would balance"
    return text
