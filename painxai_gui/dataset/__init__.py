"""Dataset index: BioVid Part A clips and emotion videos as :class:`VideoRecord` rows."""

from painxai_gui.dataset.index import (
    DEFAULT_CATEGORY_MAP,
    DEFAULT_MANIFEST_NAME,
    DatasetIndex,
    UnknownVideoError,
    index_dataset,
)
from painxai_gui.dataset.problems import Problem, ProblemKind
from painxai_gui.dataset.records import ROLE_ALL_FRAMES, ROLE_SLOTS, Subject, VideoRecord
from painxai_gui.dataset.subjects import parse_subject

__all__ = [
    "ROLE_ALL_FRAMES",
    "ROLE_SLOTS",
    "DEFAULT_CATEGORY_MAP",
    "DEFAULT_MANIFEST_NAME",
    "DatasetIndex",
    "Problem",
    "ProblemKind",
    "Subject",
    "UnknownVideoError",
    "VideoRecord",
    "index_dataset",
    "parse_subject",
]
