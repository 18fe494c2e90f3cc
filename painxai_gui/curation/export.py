"""Export of the balanced set: ``<out>/<category>/<subject>/<video-stem>_f<frame:05d>.png`` + manifest.

What is exported is the balance plan (:mod:`.balance`): the subjects that
are included and whose emotion videos are complete, with every frame of their
included Part A clips and every selected frame of their included emotion
videos. An unbalanced plan (a category more than the tolerance away from
pain) is refused unless ``allow_unbalanced``; an empty one always.
``manifest.csv`` has ``path, subject, category, source_video, frame, slot,
fold``: ``path`` relative to ``<out>``, ``frame`` 0-based, ``slot`` 1-based
(empty for Part A clips), ``fold`` 1..k (subject-wise, see :mod:`.folds`).

Export touches only its own files. The ledger (:mod:`.ledger`) lists every
file it wrote, with size and hash; a rerun skips only ledger files whose hash
still matches, rewrites its own changed ones and removes only its own temp
files. A non-empty folder without a ledger is refused unless ``force``; even
then nothing there is changed or deleted: a file in the way of a planned name
is left alone (and adopted only when it is byte-identical to the crop).
``manifest.csv`` and ``export.json`` that the ledger does not list are never
overwritten. Crops are written atomically without a per-file fsync
(``durable=False``, the default) and the file system is synced once before
the manifest and the ledger are committed, so the ledger never lists bytes
that are not on disk. ``cancel`` is checked between frames; a cancelled
export writes no manifest and can simply be run again.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from painxai_gui.curation.balance import BalancePlan
from painxai_gui.curation.crops import CropSource, FaceCropSource, encode_png
from painxai_gui.curation.folds import assign_folds
from painxai_gui.curation.ledger import JOURNAL_NAME, LEDGER_NAME, Entry, FolderLock, Ledger, file_entry
from painxai_gui.curation.slots import slot_of
from painxai_gui.dataset.records import ROLE_ALL_FRAMES, VideoRecord
from painxai_gui.errors import CancelHook, ExportError, PainXAIError, cancel_check
from painxai_gui.files import atomic_write, csv_text, record_text, sync_file_system

if TYPE_CHECKING:
    from painxai_gui.curation.project import Project

MANIFEST_COLUMNS = ("path", "subject", "category", "source_video", "frame", "slot", "fold")
MANIFEST_NAME, RECORD_NAME = "manifest.csv", "export.json"
#: ``export.json``: what was exported from which project (a files.write_record record)
RECORD_KIND, RECORD_VERSION = "painxai-export", 1
OWN_NAMES = (MANIFEST_NAME, RECORD_NAME, LEDGER_NAME, JOURNAL_NAME)


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
    removed_stale: int = 0  # own files of an earlier run that the plan no longer holds
    adopted: int = 0  # files already there, byte-identical to the crop (force)
    in_the_way: list[str] = field(default_factory=list)  # planned names held by files not ours (force)
    cancelled: bool = False
    balanced: bool = True
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
        if self.in_the_way:
            parts.append(f"{len(self.in_the_way)} planned files left out: a file not written by the export "
                         f"is in the way (first: {self.in_the_way[0]})")
        if self.adopted:
            parts.append(f"{self.adopted} identical files already there adopted")
        if self.removed_stale:
            parts.append(f"{self.removed_stale} files of an earlier export no longer in the set removed")
        if not self.balanced:
            parts.append("NOT BALANCED (exported anyway, as asked)")
        if self.per_category:
            parts.append("in manifest: " + ", ".join(f"{c} {n}" for c, n in sorted(self.per_category.items())))
        return "; ".join(parts)


def safe_name(text: str) -> str:
    """A path component from an id: letters, digits, ``.``, ``_``, ``-`` only; never empty or dotted."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip(".")
    return cleaned or "_"


def plan_export(project: "Project", plan: BalancePlan | None = None) -> list[ExportItem]:
    """Every frame the balance plan writes, grouped by video, frames ascending."""
    plan = plan if plan is not None else project.balance()
    items: list[ExportItem] = []
    stems: dict[tuple[str, str, str], str] = {}
    for video in project.videos(included=True):
        if not plan.frames.get(video.id):
            continue
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


def check_plan(plan: BalancePlan, out_dir: Path, allow_unbalanced: bool) -> None:
    """Refuse an empty plan, and an unbalanced one unless ``allow_unbalanced``."""
    if plan.total == 0 or (not plan.balanced and not allow_unbalanced):
        raise ExportError(plan.refusal(), out_dir)


def folder_problem(out_dir: Path) -> str | None:
    """Why ``out_dir`` needs ``force`` (non-empty, no export ledger), or None."""
    if not out_dir.is_dir() or (out_dir / LEDGER_NAME).exists() or (out_dir / JOURNAL_NAME).exists():
        return None
    others = sorted(os.listdir(out_dir))
    if not others:
        return None
    return (f"the folder holds {len(others)} entries (first: {others[0]}) and no export ledger, so they were not "
            "written by a PainXAI export; choose an empty folder, or force the export to write beside them "
            "(none of them is changed or deleted)")


def export_project(project: "Project", out_dir: Path, *, folds: int = 5,
                   crop_source: CropSource | None = None,
                   progress: Callable[[int, int], None] | None = None,
                   cancel: CancelHook = None, allow_unbalanced: bool = False, force: bool = False,
                   durable: bool = False, tolerance: float | None = None) -> ExportSummary:
    """Run the export (see the module docstring); returns the summary."""
    if isinstance(folds, bool) or int(folds) != folds or folds < 1:
        raise ExportError(f"fold count must be a whole number >= 1, got {folds!r}", out_dir)
    project.check_dataset()
    plan = project.balance(tolerance)
    check_plan(plan, out_dir, allow_unbalanced)
    items = plan_export(project, plan)
    counts = _counts(items)
    if folds > len(counts):
        raise ExportError(f"{folds} folds need at least {folds} subjects, but the set has {len(counts)} "
                          f"({', '.join(sorted(counts)[:5])}); use --folds {len(counts)} or fewer", out_dir)
    fold_of = assign_folds(counts, folds)
    _prepare_out(out_dir)
    with FolderLock(out_dir):
        ledger = Ledger.load(out_dir)
        try:
            _check_folder(out_dir, ledger, items, force)
            summary = ExportSummary(out_dir, planned=len(items), folds=fold_of, balanced=plan.balanced)
            summary.removed_temp_files = ledger.remove_own_temps([i.rel_path for i in items] + list(OWN_NAMES))
            writer = _Writer(out_dir, ledger, summary, durable)
            source = crop_source or FaceCropSource(project.cache_dir / "landmarks")
            done = _run(items, source, writer, progress, cancel_check(cancel))
            _finish(project, writer, items, done, fold_of, folds, plan)
        finally:
            ledger.close()
    return summary


def _check_folder(out_dir: Path, ledger: Ledger, items: list[ExportItem], force: bool) -> None:
    """Refuse foreign manifests, a foreign folder (unless ``force``), links out of the folder."""
    for name in (MANIFEST_NAME, RECORD_NAME):
        if os.path.lexists(out_dir / name) and not ledger.owns(name):
            raise ExportError(f"{name} here was not written by a PainXAI export (the ledger does not list it); "
                              "it is never overwritten: move it away or choose another folder", out_dir)
    if not ledger.found and not force:
        problem = folder_problem(out_dir)
        if problem:
            raise ExportError(problem + " (--force)", out_dir)
    root = out_dir.resolve()
    folders = {parent for i in items for parent in Path(i.rel_path).parents if parent != Path(".")}
    for rel in sorted(folders):
        if os.path.lexists(out_dir / rel) and not (out_dir / rel).resolve().is_relative_to(root):
            raise ExportError(f"{rel.as_posix()} is a link out of the output folder; nothing is written "
                              "through it", out_dir)
    blocked = [i.rel_path for i in items if os.path.lexists(out_dir / i.rel_path) and not ledger.owns(i.rel_path)]
    if blocked and not force:
        raise ExportError(f"{len(blocked)} planned files already exist and were not written by this export "
                          f"(first: {blocked[0]}); move them away, or force the export (they are left "
                          "alone and left out of the manifest unless identical)", out_dir)


class _Writer:
    """Writes one crop: journal first, then an atomic file; handles files in the way."""

    def __init__(self, out_dir: Path, ledger: Ledger, summary: ExportSummary, durable: bool):
        self.out_dir, self.ledger, self.summary, self.durable = out_dir, ledger, summary, durable
        self.done: set[str] = set()

    def place(self, item: ExportItem, data: bytes) -> None:
        path = self.out_dir / item.rel_path
        if os.path.lexists(path) and not self.ledger.owns(item.rel_path):
            entry = file_entry(path)
            if entry is not None and entry == Entry.of(data):
                self.ledger.adopt(item.rel_path, entry)
                self.summary.adopted += 1
                self.done.add(item.rel_path)
            else:
                self.summary.in_the_way.append(item.rel_path)
            return
        self.ledger.intend(item.rel_path, data)
        atomic_write(path, data, parents=True, durable=self.durable)
        self.summary.written += 1
        self.done.add(item.rel_path)


def _run(items: list[ExportItem], source: CropSource, writer: _Writer,
         progress: Callable[[int, int], None] | None, cancelled: Callable[[], bool]) -> set[str]:
    by_video: dict[str, list[ExportItem]] = {}
    for item in items:
        by_video.setdefault(item.video.id, []).append(item)
    count = 0
    for video_items in by_video.values():
        todo = []
        for item in video_items:
            if writer.ledger.intact(item.rel_path):
                writer.summary.skipped_existing += 1
                writer.done.add(item.rel_path)
            else:
                todo.append(item)
        count += len(video_items) - len(todo)
        if todo and _export_video(todo, source, writer, progress, cancelled, count, len(items)):
            return writer.done
        count += len(todo)
        if progress:
            progress(count, len(items))
    return writer.done


def _export_video(todo: list[ExportItem], source: CropSource, writer: _Writer,
                  progress: Callable[[int, int], None] | None,
                  cancelled: Callable[[], bool], count: int, total: int) -> bool:
    """Export the frames of one video; returns True when cancelled."""
    video, summary = todo[0].video, writer.summary
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
            try:
                crop = crops.crop(item.frame)
            except PainXAIError:
                summary.unreadable_frames += 1
                continue
            if crop is None:
                summary.no_face += 1
            else:
                writer.place(item, encode_png(crop))
            if progress:
                progress(count + n + 1, total)
    finally:
        crops.close()
    return False


def _finish(project: "Project", writer: _Writer, items: list[ExportItem], done: set[str],
            fold_of: dict[str, int], folds: int, plan: BalancePlan) -> None:
    """Drop stale own files, sync once, then write manifest, record and ledger (in that order)."""
    out_dir, ledger, summary = writer.out_dir, writer.ledger, writer.summary
    planned = {i.rel_path for i in items}
    if not summary.cancelled:
        for rel in [r for r in ledger.files if r not in planned and r not in OWN_NAMES]:
            if ledger.intact(rel):
                (out_dir / rel).unlink()
                summary.removed_stale += 1
            ledger.forget(rel)
    sync_file_system(out_dir)  # every crop's bytes on disk before anything lists them
    if not summary.cancelled:
        kept = [i for i in items if i.rel_path in done]
        summary.per_category = _per_category(kept)
        summary.manifest = _publish(ledger, MANIFEST_NAME, csv_text(MANIFEST_COLUMNS, _manifest_rows(kept, fold_of)))
        record = {"project": str(project.path), "quota": project.quota, "slots": project.slot_count,
                  "folds": folds, "balanced": plan.balanced, "planned_per_category": dict(plan.per_category),
                  "summary": summary.as_dict()}
        _publish(ledger, RECORD_NAME, record_text(RECORD_KIND, RECORD_VERSION, record))
    keep = done | {n for n in (MANIFEST_NAME, RECORD_NAME) if not summary.cancelled}
    keep |= {rel for rel, e in ledger.files.items() if _same_size(out_dir / rel, e)}
    ledger.commit(keep, {"project": str(project.path), "complete": not summary.cancelled})


def _publish(ledger: Ledger, name: str, text: str) -> Path:
    data = text.encode("utf-8")
    ledger.intend(name, data)
    return atomic_write(ledger.out_dir / name, data)


def _same_size(path: Path, entry: Entry) -> bool:
    try:
        return path.is_file() and path.stat().st_size == entry.size
    except OSError:
        return False


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


def _manifest_rows(items: list[ExportItem], fold_of: dict[str, int]) -> list[list[object]]:
    return [[i.rel_path, i.video.subject, i.video.category, i.video.id, i.frame,
             "" if i.slot is None else i.slot, fold_of[i.video.subject]] for i in items]


def _prepare_out(out_dir: Path) -> None:
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExportError(f"cannot create the output folder ({exc.strerror})", out_dir) from exc
    if not out_dir.is_dir():
        raise ExportError("output path exists and is not a folder", out_dir)
