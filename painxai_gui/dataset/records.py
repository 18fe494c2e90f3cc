"""The index's rows: one subject, one video. Immutable, Qt-free, shared by curation, GUI and CLI."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


def age_group(age: int | None) -> str | None:
    """BioVid's age groups (18-35, 36-50, 51-65); None outside them or when unknown."""
    if age is None:
        return None
    for low, high in ((18, 35), (36, 50), (51, 65)):
        if low <= age <= high:
            return f"{low}-{high}"
    return None


@dataclass(frozen=True)
class Subject:
    """A BioVid subject, id like ``071309_w_21`` (recording date, gender w/m, age)."""

    id: str
    date: str | None = None
    gender: str | None = None
    age: int | None = None

    @property
    def age_group(self) -> str | None:
        return age_group(self.age)


@dataclass(frozen=True)
class VideoRecord:
    """One video of the dataset.

    ``video_id`` is unique and stable within a dataset root (the path relative
    to the root, with forward slashes), so projects can refer to videos by it.
    ``label`` is the raw label in the file (``PA4``, ``BL1``, ``disgust`` ...);
    ``category`` is the class it maps to (``pain``, ``disgust``, ``happiness``)
    or None when the category map does not map it.
    """

    video_id: str
    subject: str
    label: str
    category: str | None
    part: str  # "A" (heat pain clips) or "D" (emotion videos)
    path: Path
    frame_count: int | None = None
    fps: float | None = None
