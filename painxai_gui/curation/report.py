"""Reports: balancing before/after (thesis Tables 4.1/4.2), per-subject completeness, exclusions.

"After" is what the export will write: the numbers come from the same
balance plan (:func:`painxai_gui.curation.balance.plan_balance`), so a
subject left out of the export (excluded, or emotion videos not complete)
counts 0 after balancing, and a table lists those subjects and why.

Each report renders as plain text (CLI), Markdown (one file) and CSV (one
file per table: ``F`` for balancing, ``F_stem_classes.csv``,
``F_stem_completeness.csv``, ``F_stem_exclusions.csv`` and
``F_stem_left_out.csv`` beside it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from painxai_gui.curation.balance import quota_source
from painxai_gui.curation.entities import Exclusion
from painxai_gui.dataset.records import ROLE_ALL_FRAMES, VideoRecord
from painxai_gui.files import atomic_write, write_csv

if TYPE_CHECKING:
    from painxai_gui.curation.balance import BalancePlan
    from painxai_gui.curation.project import Project

BALANCE_COLUMNS = ("part", "name", "category", "subjects_before", "frames_before",
                   "subjects_after", "frames_after")
CLASS_COLUMNS = ("category", "subjects", "frames", "vs_pain")
COMPLETENESS_COLUMNS = ("subject", "category", "video", "slots_filled", "slots", "per_slot", "status")
EXCLUSION_COLUMNS = ("scope", "target", "reason", "annotator", "at")
LEFT_OUT_COLUMNS = ("subject", "reason", "short_slots")


@dataclass(frozen=True)
class Report:
    quota: int
    slot_count: int
    balance: tuple[tuple, ...]
    classes: tuple[tuple, ...]
    completeness: tuple[tuple, ...]
    exclusions: tuple[tuple, ...]
    left_out: tuple[tuple, ...] = ()
    verdict: str = ""
    quota_note: str = ""  # how the quota came about (the cap, when it bites)

    def tables(self) -> list[tuple[str, Sequence[str], tuple[tuple, ...]]]:
        return [("Balancing (before / after = what the export writes)", BALANCE_COLUMNS, self.balance),
                (f"Classes after balancing ({self.verdict})" if self.verdict else "Classes after balancing",
                 CLASS_COLUMNS, self.classes),
                (f"Completeness (quota {self.quota} per slot, {self.slot_count} slots"
                 + (f"; {self.quota_note})" if self.quota_note else ")"),
                 COMPLETENESS_COLUMNS, self.completeness),
                ("Exclusions", EXCLUSION_COLUMNS, self.exclusions),
                ("Subjects left out of the export", LEFT_OUT_COLUMNS, self.left_out)]

    def text(self) -> str:
        return "\n\n".join(f"{title}\n{text_table(cols, rows)}" for title, cols, rows in self.tables())

    def markdown(self) -> str:
        return "\n\n".join(f"## {title}\n\n{md_table(cols, rows)}" for title, cols, rows in self.tables()) + "\n"

    def write_markdown(self, path: Path) -> Path:
        return atomic_write(path, self.markdown())

    def write_csv(self, path: Path) -> list[Path]:
        """Balancing table to ``path``, the other tables beside it; returns the files written."""
        path = Path(path)
        names = [path] + [path.with_name(f"{path.stem}_{s}.csv")
                          for s in ("classes", "completeness", "exclusions", "left_out")]
        for target, (_, cols, rows) in zip(names, self.tables()):
            write_csv(target, cols, rows)
        return names


def build_report(project: "Project") -> Report:
    plan = project.balance()
    verdict = f"balanced within {plan.tolerance:.0%} of pain" if plan.balanced else "NOT balanced"
    left = tuple((item.subject, item.reason, "; ".join(s.text() for s in item.short)) for item in plan.left_out)
    return Report(project.quota, project.slot_count, tuple(_balance(project, plan)), tuple(_classes(project, plan)),
                  tuple(_completeness(project)), tuple(_exclusions(project.exclusions())), left, verdict,
                  quota_source(project))


def row_name(video: VideoRecord) -> tuple[str, str]:
    """Grouping key of the balancing table: ``(part, name)`` like ``("A", "pain intensity 3")``."""
    if video.role == ROLE_ALL_FRAMES:
        match = re.fullmatch(r"PA(\d)", video.label)
        if match:
            return video.part, f"pain intensity {match.group(1)}"
        return video.part, "baseline" if video.label == "BL1" else video.label
    return video.part, video.category or ""


def _balance(project: "Project", plan: "BalancePlan") -> list[tuple]:
    groups: dict[tuple[str, str], list[VideoRecord]] = {}
    for video in project.videos():
        groups.setdefault(row_name(video), []).append(video)
    rows = []
    for (part, name), videos in sorted(groups.items(), key=lambda kv: (kv[0][0], _category_order(kv[1]), kv[0][1])):
        after = {v.id: plan.frames.get(v.id, 0) for v in videos}
        rows.append((part, name, videos[0].category, len({v.subject for v in videos}),
                     sum(v.frame_count for v in videos),
                     len({v.subject for v in videos if after[v.id] > 0}), sum(after.values())))
    return rows


def _category_order(videos: list[VideoRecord]) -> str:
    return videos[0].category or ""


def _classes(project: "Project", plan: "BalancePlan") -> list[tuple]:
    subjects: dict[str, set[str]] = {}
    for video in project.videos():
        if plan.frames.get(video.id, 0):
            subjects.setdefault(video.category or "", set()).add(video.subject)
    pain = plan.pain
    return [(c, len(subjects.get(c, ())), n, f"{n / pain:.3f}" if pain else "")
            for c, n in sorted(plan.per_category.items())]


def _completeness(project: "Project") -> list[tuple]:
    excluded = {(e.scope, e.target): e.reason for e in project.exclusions()}
    rows = []
    for item in project.progress().videos:
        reason = excluded.get(("video", item.video)) or excluded.get(("subject", item.subject))
        status = f"excluded: {reason}" if item.excluded else ("complete" if item.complete else "open")
        rows.append((item.subject, item.category, item.video, item.slots_filled, len(item.counts),
                     item.text, status))
    return sorted(rows, key=lambda r: (r[0], r[1], r[2]))


def _exclusions(exclusions: list[Exclusion]) -> list[tuple]:
    return [(e.scope, e.target, e.reason, e.annotator, e.at) for e in exclusions]


def text_table(cols: Sequence[str], rows: Sequence[tuple]) -> str:
    if not rows:
        return "  (none)"
    cells = [list(map(str, cols))] + [["" if v is None else str(v) for v in r] for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(cols))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def md_table(cols: Sequence[str], rows: Sequence[tuple]) -> str:
    if not rows:
        return "_none_"
    esc = lambda v: "" if v is None else str(v).replace("|", "\\|").replace("\n", " ")  # noqa: E731
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    lines += ["| " + " | ".join(esc(v) for v in r) + " |" for r in rows]
    return "\n".join(lines)
