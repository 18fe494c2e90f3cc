"""Read the curated set's ``manifest.csv`` (written by the curation export) and fix the class order."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from painxai_gui.errors import DatasetError
from painxai_gui.model.loading import file_sha256
from painxai_gui.model.spec import THESIS_CLASSES

REQUIRED = ("path", "subject", "category")


@dataclass(frozen=True)
class FrameRow:
    """One face crop of the curated set."""

    image: str  # the path as written in the manifest
    path: Path  # resolved (relative paths are relative to the manifest's folder)
    subject: str
    category: str
    source_video: str = ""
    frame: int | None = None
    slot: int | None = None
    fold: int | None = None


@dataclass(frozen=True)
class Manifest:
    path: Path
    rows: tuple[FrameRow, ...]
    sha256: str

    @property
    def categories(self) -> tuple[str, ...]:
        """Categories in order of first appearance."""
        return tuple(dict.fromkeys(r.category for r in self.rows))

    @property
    def subjects(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(r.subject for r in self.rows))


def _key(name: str) -> str:
    return name.strip().lower().replace(" ", "_").replace("-", "_")


def _int_or_none(value: str | None, column: str, line: int, path: Path) -> int | None:
    if value is None or not value.strip():
        return None
    try:
        return int(float(value))
    except ValueError:
        raise DatasetError(f"line {line}: column {column!r} is not an integer ({value!r})", path) from None


def _row(raw: dict[str, str], line: int, path: Path) -> FrameRow:
    image = (raw.get("path") or "").strip()
    subject = (raw.get("subject") or "").strip()
    category = (raw.get("category") or "").strip()
    if not (image and subject and category):
        raise DatasetError(f"line {line}: path, subject and category must not be empty", path)
    resolved = Path(image) if Path(image).is_absolute() else path.parent / image
    fold = _int_or_none(raw.get("fold"), "fold", line, path)
    if fold is not None and fold < 1:
        raise DatasetError(f"line {line}: fold must be 1 or more, got {fold}", path)
    return FrameRow(image=image, path=resolved, subject=subject, category=category,
                    source_video=(raw.get("source_video") or "").strip(),
                    frame=_int_or_none(raw.get("frame"), "frame", line, path),
                    slot=_int_or_none(raw.get("slot"), "slot", line, path), fold=fold)


def read_manifest(path: str | Path) -> Manifest:
    """Parse and check a manifest; every problem raises :class:`DatasetError` naming the line."""
    path = Path(path)
    if not path.is_file():
        raise DatasetError("manifest not found", path)
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            reader.fieldnames = [_key(n) for n in (reader.fieldnames or [])]
            missing = [c for c in REQUIRED if c not in reader.fieldnames]
            if missing:
                raise DatasetError(f"manifest lacks column(s) {missing} (has {reader.fieldnames})", path)
            rows = tuple(_row(raw, i, path) for i, raw in enumerate(reader, start=2))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise DatasetError(f"manifest is not readable CSV ({exc})", path) from None
    if not rows:
        raise DatasetError("manifest has no rows", path)
    return Manifest(path=path, rows=rows, sha256=file_sha256(path))


def class_order(categories: Sequence[str], given: Sequence[str] | None = None) -> tuple[str, ...]:
    """The model's output order: ``given`` if set (must cover every category), else the thesis
    order (pain, disgust, happiness) when all categories are thesis classes, else sorted."""
    present = set(categories)
    if given:
        given = tuple(given)
        unknown = sorted(present - set(given))
        if unknown or len(set(given)) != len(given):
            raise DatasetError(f"class list {list(given)} must name every category once (missing {unknown})")
        return given
    if present <= set(THESIS_CLASSES):
        return tuple(c for c in THESIS_CLASSES if c in present)
    return tuple(sorted(present))
