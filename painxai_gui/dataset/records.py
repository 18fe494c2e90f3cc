"""The index's rows: one subject, one video. Immutable, Qt-free, shared by curation, GUI and CLI.

:class:`VideoRecord` is the only video type: the dataset index makes them, a
project stores and hands them back, the app lists them.
"""

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


#: role of a video: every frame goes to the set (Part A clips) or frames are picked per slot
ROLE_ALL_FRAMES = "all_frames"
ROLE_SLOTS = "slots"


@dataclass(frozen=True)
class VideoRecord:
    """One video of the dataset.

    ``id`` is unique and stable within a dataset root (the path relative to
    the root, with forward slashes), so projects can refer to videos by it.
    ``label`` is the raw label in the file (``PA4``, ``BL1``, ``disgust`` ...);
    ``category`` is the class it maps to (``pain``, ``disgust``, ``happiness``)
    or None when the category map does not map it. ``part`` is ``"A"`` (heat
    pain clips) or ``"D"`` (emotion videos). ``frame_count`` / ``fps`` are None
    until probed.
    """

    id: str
    subject: str
    label: str
    category: str | None
    part: str
    path: Path
    frame_count: int | None = None
    fps: float | None = None

    @property
    def role(self) -> str | None:
        """:data:`ROLE_ALL_FRAMES` for Part A clips (every frame is used), :data:`ROLE_SLOTS` for emotion
        videos (frames are picked per time slot), None for unmapped videos."""
        if self.category is None:
            return None
        return ROLE_ALL_FRAMES if self.part == "A" else ROLE_SLOTS

    @property
    def slotted(self) -> bool:
        """Frames of this video are curated per slot."""
        return self.role == ROLE_SLOTS

    @property
    def stem(self) -> str:
        return Path(self.id).stem
