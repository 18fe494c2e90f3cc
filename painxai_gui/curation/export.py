"""Export of the balanced set: ``<out>/<category>/<subject>/<video-stem>_f<frame:05d>.png`` + manifest.

What is exported: every frame of each included Part A clip whose category is
mapped (by default PA3 and PA4 -> pain; when a subject has several mapped
clips, all of them are used), and the selected frames of each included
emotion video. ``manifest.csv`` has ``path, subject, category, source_video,
frame, slot, fold``: ``path`` relative to ``<out>``, ``frame`` 0-based,
``slot`` 1-based (empty for Part A clips), ``fold`` 1..k (subject-wise, see
:mod:`.folds`).

Resumable and idempotent: a finished PNG is skipped on a rerun; each PNG is
written with :func:`painxai_gui.files.atomic_write`, so a killed export never
leaves a partial PNG (its temp files are removed on the next run). Frames
without a face are skipped and counted. ``cancel`` (an Event or a callable) is checked between
frames; a cancelled export writes no manifest and can simply be run again.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from painxai_gui.curation.crops import CropSource, FaceCropSource, encode_png, is_complete_png
from painxai_gui.curation.folds import assign_folds
from painxai_gui.curation.slots import slot_of
from painxai_gui.dataset.records import ROLE_ALL_FRAMES, VideoRecord
from painxai_gui.errors import CancelHook, ExportError, PainXAIError, cancel_check
from painxai_gui.files import atomic_write, remove_stale_temps, write_csv, write_record

if TYPE_CHECKING:
    from painxai_gui.curation.project import Project

MANIFEST_COLUMNS = ("path", "subject", "category", "source_video", "frame", "slot", "fold")
#: ``export.json``: what was exported from which project (a files.write_record record)
RECORD_KIND, RECORD_VERSION = "painxai-export", 1
LEGACY_TEMPS = (".*.tmp",)  # temp names of exports made before painxai_gui.files


@dataclass(frozen=True)
class ExportItem:
    video: VideoRecord
    frame: int
    slot: int | None  # 1-based, None for Part A clips
    rel_path: str


@dataclass
class ExportSummary:
    """What an export did; ``text`` is a one-paragraph summary for people."""

    out_dir: Path
    planned: int = 0
    written: int = 0
    skipped_existing: int = 0
    no_face: int = 0
    unreadable_frames: int = 0
    missing_videos: list[str] = field(default_factory=list)
    unreadable_videos: list[str] = field(default_factory=list)
    removed_temp_files: int = 0
    cancelled: bool = False
    manifest: Path | None = None
    per_category: dict[str, int] = field(default_factory=dict)
    folds: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["out_dir"], data["manifest"] = str(self.out_dir), str(self.manifest) if self.manifest else None
        data.pop("folds")
        return data

    @property
    def text(self) -> str:
        state = "cancelled" if self.cancelled else "done"
        parts = [f"export {state}: {self.written} written, {self.skipped_existing} already there, "
                 f"{self.no_face} without a face, {self.unreadable_frames} unreadable frames "
                 f"(of {self.planned} planned)"]
        if self.missing_videos:
            parts.append(f"{len(self.missing_videos)} missing videos (first: {self.missing_videos[0]})")
        if self.unreadable_videos:
            parts.append(f"{len(self.unreadable_videos)} unreadable videos (first: {self.unreadable_videos[0]})")
        if self.per_category:
            parts.append("in manifest: " + ", ".join(f"{c} {n}" for c, n in sorted(self.per_category.items())))
        return "; ".join(parts)


def safe_name(text: str) -> str:
    """A path component from an id: letters, digits, ``.``, ``_``, ``-`` only; never empty or dotted."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip(".")
    return cleaned or "_"


def plan_export(project: "Project") -> list[ExportItem]:
    """Every frame to export, grouped by video, frames ascending."""
    items: list[ExportItem] = []
    stems: dict[tuple[str, str, str], str] = {}
    for video in project.videos(included=True):
        category, subject = safe_name(video.category or ""), safe_name(video.subject)
        stem = _unique_stem(stems, (category, subject, safe_name(video.stem)), video.id)
        if video.role == ROLE_ALL_FRAMES:
            picks = [(f, None) for f in range(video.frame_count)]
        else:
            picks = [(f, slot_of(f, video.frame_count, project.slot_count) + 1)
                     for f in sorted(project.selections(video))]
        for frame, slot in picks:
            items.append(ExportItem(video, frame, slot, f"{category}/{subject}/{stem}_f{frame:05d}.png"))
    return items


def _unique_stem(stems: dict[tuple[str, str, str], str], key: tuple[str, str, str], video_id: str) -> str:
    """Two videos whose names sanitise alike get a short hash of their id appended."""
    if stems.setdefault(key, video_id) == video_id:
        return key[2]
    return f"{key[2]}_{hashlib.sha1(video_id.encode()).hexdigest()[:8]}"


def export_project(project: "Project", out_dir: Path, *, folds: int = 5,
                   crop_source: CropSource | None = None,
                   progress: Callable[[int, int], None] | None = None,
                   cancel: CancelHook = None) -> ExportSummary:
    """Run the export (see the module docstring); returns the summary."""
    if int(folds) != folds or folds < 1:
        raise ExportError(f"fold count must be a whole number >= 1, got {folds!r}", out_dir)
    project.check_dataset()
    _prepare_out(out_dir)
    items = plan_export(project)
    fold_of = assign_folds(_counts(items), folds) if items else {}
    summary = ExportSummary(out_dir, planned=len(items), folds=fold_of)
    summary.removed_temp_files = remove_stale_temps(out_dir, LEGACY_TEMPS)
    source = crop_source or FaceCropSource(project.cache_dir / "landmarks")
    done_paths = _run(items, out_dir, source, summary, progress, cancel_check(cancel))
    if not summary.cancelled:
        summary.manifest = _write_manifest(out_dir, [i for i in items if i.rel_path in done_paths], fold_of)
        summary.per_category = _per_category([i for i in items if i.rel_path in done_paths])
        write_record(out_dir / "export.json", RECORD_KIND, RECORD_VERSION,
                     {"project": str(project.path), "quota": project.quota, "slots": project.slot_count,
                      "folds": folds, "summary": summary.as_dict()})
    return summary


def _run(items: list[ExportItem], out_dir: Path, source: CropSource, summary: ExportSummary,
         progress: Callable[[int, int], None] | None, cancelled: Callable[[], bool]) -> set[str]:
    done: set[str] = set()
    by_video: dict[str, list[ExportItem]] = {}
    for item in items:
        by_video.setdefault(item.video.id, []).append(item)
    count = 0
    for video_items in by_video.values():
        todo = []
        for item in video_items:
            if is_complete_png(out_dir / item.rel_path):
                summary.skipped_existing += 1
                done.add(item.rel_path)
            else:
                todo.append(item)
        count += len(video_items) - len(todo)
        if todo and _export_video(todo, out_dir, source, summary, done, progress, cancelled, count, len(items)):
            return done
        count += len(todo)
        if progress:
            progress(count, len(items))
    return done


def _export_video(todo: list[ExportItem], out_dir: Path, source: CropSource, summary: ExportSummary,
                  done: set[str], progress: Callable[[int, int], None] | None,
                  cancelled: Callable[[], bool], count: int, total: int) -> bool:
    """Export the frames of one video; returns True when cancelled."""
    video = todo[0].video
    if not video.path.is_file():
        summary.missing_videos.append(video.id)
        return False
    try:
        crops = source.open(video)
    except PainXAIError:
        summary.unreadable_videos.append(video.id)
        return False
    try:
        for n, item in enumerate(todo):
            if cancelled():
                summary.cancelled = True
                return True
            _export_frame(crops, item, out_dir, summary, done)
            if progress:
                progress(count + n + 1, total)
    finally:
        crops.close()
    return False


def _export_frame(crops: object, item: ExportItem, out_dir: Path, summary: ExportSummary,
                  done: set[str]) -> None:
    try:
        crop = crops.crop(item.frame)  # type: ignore[attr-defined]
    except PainXAIError:
        summary.unreadable_frames += 1
        return
    if crop is None:
        summary.no_face += 1
        return
    atomic_write(out_dir / item.rel_path, encode_png(crop), parents=True)
    summary.written += 1
    done.add(item.rel_path)


def _counts(items: list[ExportItem]) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {}
    for item in items:
        per = counts.setdefault(item.video.subject, {})
        per[item.video.category or ""] = per.get(item.video.category or "", 0) + 1
    return counts


def _per_category(items: list[ExportItem]) -> dict[str, int]:
    out: dict[str, int] = {}
    for item in items:
        out[item.video.category or ""] = out.get(item.video.category or "", 0) + 1
    return dict(sorted(out.items()))


def _write_manifest(out_dir: Path, items: list[ExportItem], fold_of: dict[str, int]) -> Path:
    rows = ([i.rel_path, i.video.subject, i.video.category, i.video.id, i.frame,
             "" if i.slot is None else i.slot, fold_of[i.video.subject]] for i in items)
    return write_csv(out_dir / "manifest.csv", MANIFEST_COLUMNS, rows)


def _prepare_out(out_dir: Path) -> None:
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExportError(f"cannot create the output folder ({exc.strerror})", out_dir) from exc
    if not out_dir.is_dir():
        raise ExportError("output path exists and is not a folder", out_dir)

