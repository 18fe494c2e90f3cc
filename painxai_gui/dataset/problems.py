"""What went wrong while indexing: one :class:`Problem` per file or row, collected, never raised."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from pathlib import Path


class ProblemKind(str, Enum):
    """Kinds of index problems; members compare equal to their plain string values."""

    UNREADABLE = "unreadable"  #: the video cannot be opened or decoded
    UNKNOWN_LABEL = "unknown_label"  #: a Part A label other than BL1, PA1..PA4
    LABEL_MISMATCH = "label_mismatch"  #: samples.csv and the file name disagree
    DUPLICATE = "duplicate"  #: the same sample (or manifest path) twice
    EMPTY_FOLDER = "empty_folder"  #: a folder that should hold videos holds none
    MALFORMED_NAME = "malformed_name"  #: a file or subject name not in BioVid's pattern
    MISSING_FILE = "missing_file"  #: listed in samples.csv or a manifest but not on disk
    BAD_TABLE = "bad_table"  #: a CSV without the needed columns, or a row with empty fields
    IGNORED_FILE = "ignored_file"  #: a non-video file where videos are expected
    OUTSIDE_ROOT = "outside_root"  #: a manifest row whose video lies outside the dataset root

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Problem:
    """One problem found while indexing: the file, its kind and a plain-words message."""

    path: Path
    kind: ProblemKind
    message: str

    def __str__(self) -> str:
        return f"{self.kind.value}: {self.path}: {self.message}"


class ProblemLog:
    """Collects problems in the order found."""

    def __init__(self) -> None:
        self.items: list[Problem] = []

    def add(self, path: Path, kind: ProblemKind, message: str) -> None:
        self.items.append(Problem(Path(path), ProblemKind(kind), message))
