"""BioVid Part A: ``PartA/video/<subject>/<subject>-<label>-<nnn>.mp4`` and ``samples.csv``."""

from __future__ import annotations

import csv
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from painxai_gui.dataset.problems import ProblemKind, ProblemLog
from painxai_gui.dataset.records import VideoRecord

#: file suffixes treated as videos
VIDEO_SUFFIXES = (".mp4", ".avi", ".mov", ".mkv", ".m4v", ".webm", ".mpg", ".mpeg", ".wmv", ".h264", ".264")
PART_A_LABELS = ("BL1", "PA1", "PA2", "PA3", "PA4")
SAMPLE_COLUMNS = ("subject_id", "subject_name", "class_id", "class_name", "sample_id", "sample_name")
_SAMPLE_NAME = re.compile(r"^(?P<subject>[^-]+)-(?P<label>[A-Za-z]+\d*)-(?P<number>\d+)$")


@dataclass
class PartA:
    """Part A videos by sample name (file stem), and subject ids named anywhere in Part A."""

    videos: dict[str, VideoRecord] = field(default_factory=dict)
    subjects: set[str] = field(default_factory=set)


def video_id(root: Path, path: Path) -> str:
    """The stable id of a video: its path relative to ``root``, with forward slashes."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return Path(os.path.relpath(path, root)).as_posix()


def scan_part_a(root: Path, category_map: Mapping[str, str], log: ProblemLog) -> PartA:
    """Part A from the video folder and/or ``PartA/starting_point/samples.csv``."""
    found = PartA()
    video_dir = root / "PartA" / "video"
    if video_dir.is_dir():
        _scan_video_dir(root, video_dir, category_map, found, log)
    samples = root / "PartA" / "starting_point" / "samples.csv"
    if samples.is_file():
        _check_samples(root, samples, found, log)
    return found


def _visible(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if not p.name.startswith("."))


def _scan_video_dir(root: Path, video_dir: Path, category_map: Mapping[str, str], found: PartA, log: ProblemLog) -> None:
    entries = _visible(video_dir)
    if not entries:
        log.add(video_dir, ProblemKind.EMPTY_FOLDER, "PartA/video holds no subject folders")
    for entry in entries:
        if entry.is_dir():
            _scan_subject_dir(root, entry, category_map, found, log)
        else:
            log.add(entry, ProblemKind.MALFORMED_NAME, "file directly in PartA/video; videos belong in PartA/video/<subject>/")


def _scan_subject_dir(root: Path, folder: Path, category_map: Mapping[str, str], found: PartA, log: ProblemLog) -> None:
    files = [p for p in _visible(folder) if p.is_file()]
    videos = [p for p in files if p.suffix.lower() in VIDEO_SUFFIXES]
    for other in sorted(set(files) - set(videos)):
        log.add(other, ProblemKind.IGNORED_FILE, "not a video file (by its suffix); ignored")
    if not videos:
        log.add(folder, ProblemKind.EMPTY_FOLDER, "subject folder holds no videos")
        return
    found.subjects.add(folder.name)
    for path in videos:
        record = _record(root, path, folder.name, category_map, log)
        if record is None:
            continue
        if path.stem in found.videos:
            log.add(path, ProblemKind.DUPLICATE, f"sample {path.stem} already indexed as {found.videos[path.stem].id}")
            continue
        found.videos[path.stem] = record


def _record(root: Path, path: Path, folder_subject: str, category_map: Mapping[str, str], log: ProblemLog) -> VideoRecord | None:
    match = _SAMPLE_NAME.match(path.stem)
    if match is None:
        log.add(path, ProblemKind.MALFORMED_NAME, "expected <subject>-<label>-<nnn> (e.g. 071309_w_21-PA4-062)")
        return None
    if match["subject"] != folder_subject:
        log.add(path, ProblemKind.MALFORMED_NAME, f"names subject {match['subject']!r} but lies in folder {folder_subject!r}")
        return None
    label = match["label"]
    if label not in PART_A_LABELS:
        log.add(path, ProblemKind.UNKNOWN_LABEL, f"label {label!r} is not one of {', '.join(PART_A_LABELS)}")
        return None
    return VideoRecord(video_id(root, path), folder_subject, label, category_map.get(label), "A", path)


def _check_samples(root: Path, samples: Path, found: PartA, log: ProblemLog) -> None:
    """Cross-check samples.csv with the files: missing files, label mismatches, duplicates."""
    rows = _read_samples(samples, log)
    seen: set[str] = set()
    for line, row in rows:
        name, subject, label = row["sample_name"], row["subject_name"], row["class_name"]
        where = f"line {line}: sample {name!r}"
        if name in seen:
            log.add(samples, ProblemKind.DUPLICATE, f"{where} is listed twice")
            continue
        seen.add(name)
        if subject:
            found.subjects.add(subject)
        if label not in PART_A_LABELS:
            log.add(samples, ProblemKind.UNKNOWN_LABEL, f"{where} has class_name {label!r}")
            continue
        record = found.videos.get(name)
        if record is None:
            log.add(samples, ProblemKind.MISSING_FILE, f"{where} has no video under PartA/video/{subject}/")
        elif record.label != label or record.subject != subject:
            log.add(samples, ProblemKind.LABEL_MISMATCH, f"{where} says {subject}/{label}; the file is {record.id}")


def _read_samples(samples: Path, log: ProblemLog) -> list[tuple[int, dict[str, str]]]:
    """(line number, row) for each data row of the tab-separated samples.csv."""
    try:
        with open(samples, newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh, delimiter="\t")
            columns = [c.strip() for c in (reader.fieldnames or [])]
            missing = [c for c in SAMPLE_COLUMNS if c not in columns]
            if missing:
                log.add(samples, ProblemKind.BAD_TABLE, f"missing columns {', '.join(missing)} (tab-separated expected)")
                return []
            rows = []
            for row in reader:
                clean = {(k or "").strip(): (v or "").strip() for k, v in row.items()}
                rows.append((reader.line_num, clean))
            return rows
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        log.add(samples, ProblemKind.UNREADABLE, f"cannot read samples.csv ({exc})")
        return []
