"""Emotion videos (thesis Part D): from a manifest CSV or from a file-name pattern.

* Manifest: columns ``subject, category, path`` (comma, tab or semicolon
  separated; header required). ``path`` is relative to the dataset root or
  absolute, and must lie inside the root (``../x`` or an absolute path
  elsewhere is refused with its row number unless ``allow_outside_root``).
  The ``category`` column is the video's raw label; the category map
  decides its class.
* Pattern: a regular expression with named groups ``subject`` and ``token``,
  searched in every video path under the root (relative, forward slashes;
  ``PartA/`` is skipped). ``token_map`` maps tokens to categories; tokens not
  in it stay unmapped. Without a token map the category map is used.
"""

from __future__ import annotations

import csv
import os
import re
from pathlib import Path
from typing import Mapping

from painxai_gui.dataset.part_a import VIDEO_SUFFIXES, video_id
from painxai_gui.dataset.problems import ProblemKind, ProblemLog
from painxai_gui.dataset.records import VideoRecord
from painxai_gui.errors import DatasetError

MANIFEST_COLUMNS = ("subject", "category", "path")


def read_manifest(root: Path, manifest: Path, category_map: Mapping[str, str], log: ProblemLog,
                  allow_outside_root: bool = False) -> list[VideoRecord]:
    """The manifest's videos; bad rows, rows outside the root, missing files and duplicates go to ``log``."""
    rows = _manifest_rows(manifest, log)
    records: dict[Path, VideoRecord] = {}
    for line, row in rows:
        subject, label, raw_path = row["subject"], row["category"], row["path"]
        if not (subject and label and raw_path):
            log.add(manifest, ProblemKind.BAD_TABLE, f"line {line}: subject, category and path must all be filled")
            continue
        path = Path(raw_path) if Path(raw_path).is_absolute() else root / raw_path
        if not allow_outside_root and not inside(path, root):
            log.add(manifest, ProblemKind.OUTSIDE_ROOT, f"line {line}: video {raw_path!r} is outside the dataset "
                    f"root {root}; move it under the root, or allow videos outside it (--allow-outside-root)")
            continue
        if not path.is_file():
            log.add(manifest, ProblemKind.MISSING_FILE, f"line {line}: video {raw_path!r} not found")
            continue
        key = Path(os.path.normcase(os.path.abspath(path)))
        if key in records:
            log.add(manifest, ProblemKind.DUPLICATE, f"line {line}: {raw_path!r} is listed twice")
            continue
        records[key] = VideoRecord(video_id(root, path), subject, label, category_map.get(label), "D", path)
    return list(records.values())


def inside(path: Path, root: Path) -> bool:
    """Whether ``path`` lies inside ``root`` once ``..`` is resolved (lexically: links in the root are the user's)."""
    full, base = os.path.abspath(path), os.path.abspath(root)
    return os.path.commonpath([full, base]) == base


def _manifest_rows(manifest: Path, log: ProblemLog) -> list[tuple[int, dict[str, str]]]:
    try:
        with open(manifest, newline="", encoding="utf-8-sig") as fh:
            text = fh.read()
    except FileNotFoundError:
        log.add(manifest, ProblemKind.MISSING_FILE, "manifest not found")
        return []
    except (OSError, UnicodeDecodeError) as exc:
        log.add(manifest, ProblemKind.UNREADABLE, f"cannot read the manifest ({exc})")
        return []
    first = text.splitlines()[0] if text else ""
    delimiter = max(",\t;", key=first.count)
    reader = csv.DictReader(text.splitlines(), delimiter=delimiter)
    columns = {(c or "").strip().lower(): c for c in (reader.fieldnames or [])}
    missing = [c for c in MANIFEST_COLUMNS if c not in columns]
    if missing:
        log.add(manifest, ProblemKind.BAD_TABLE, f"missing columns {', '.join(missing)} (need subject, category, path)")
        return []
    rows = []
    for row in reader:
        rows.append((reader.line_num, {c: (row.get(columns[c]) or "").strip() for c in MANIFEST_COLUMNS}))
    return rows


def compile_pattern(pattern: str) -> re.Pattern[str]:
    """The compiled pattern; DatasetError if it is invalid or lacks the named groups."""
    try:
        regex = re.compile(pattern)
    except re.error as exc:
        raise DatasetError(f"invalid file-name pattern {pattern!r}: {exc}") from None
    missing = {"subject", "token"} - set(regex.groupindex)
    if missing:
        raise DatasetError(f"file-name pattern {pattern!r} needs named groups (?P<subject>...) and (?P<token>...)")
    return regex


def scan_pattern(
    root: Path,
    pattern: str,
    token_map: Mapping[str, str] | None,
    category_map: Mapping[str, str],
    skip: set[Path],
) -> list[VideoRecord]:
    """Videos under ``root`` whose relative path matches ``pattern`` (files in ``skip`` excluded)."""
    regex = compile_pattern(pattern)
    mapping = token_map if token_map is not None else category_map
    records = []
    for path in _video_files(root):
        if path in skip:
            continue
        match = regex.search(video_id(root, path))
        if match is None:
            continue
        token = match["token"]
        records.append(VideoRecord(video_id(root, path), match["subject"], token, mapping.get(token), "D", path))
    return records


def _video_files(root: Path) -> list[Path]:
    """Video files under ``root``, hidden folders and ``PartA`` skipped, sorted."""
    found = []
    for folder, dirs, files in os.walk(root):
        here = Path(folder)
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and not (here == root and d == "PartA"))
        found += [here / f for f in files if not f.startswith(".") and Path(f).suffix.lower() in VIDEO_SUFFIXES]
    return sorted(found)
