"""Index a dataset root: Part A clips and emotion videos as :class:`VideoRecord` rows.

``index_dataset`` never stops on one bad file: unreadable videos, unknown
labels, duplicates, empty folders and malformed names become
:class:`~painxai_gui.dataset.problems.Problem` rows of the result. It raises
:class:`~painxai_gui.errors.DatasetError` only when it cannot start (no root
folder, an invalid pattern).

If neither ``manifest`` nor ``pattern`` is given and the root holds
``emotion_manifest.csv``, that manifest is used (the demo tree writes one).
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping

from painxai_gui.dataset.emotion import read_manifest, scan_pattern
from painxai_gui.dataset.part_a import scan_part_a
from painxai_gui.dataset.problems import Problem, ProblemKind, ProblemLog
from painxai_gui.dataset.records import Subject, VideoRecord
from painxai_gui.dataset.subjects import parse_subject
from painxai_gui.errors import DatasetError, PainXAIError

#: raw label -> category; PA3 and PA4 merge into ``pain`` (thesis §4.1)
DEFAULT_CATEGORY_MAP: Mapping[str, str] = {"PA3": "pain", "PA4": "pain", "disgust": "disgust", "happiness": "happiness"}
DEFAULT_MANIFEST_NAME = "emotion_manifest.csv"

Progress = Callable[[int, int], None]


class UnknownVideoError(DatasetError, KeyError):
    """No video with this id in the index (a DatasetError that is also a KeyError)."""

    def __str__(self) -> str:
        return Exception.__str__(self)


@dataclass
class DatasetIndex:
    """The result of :func:`index_dataset`.

    ``videos`` holds every usable video, sorted by ``id``; ``unmapped``
    is the subset whose label the category map does not map (``category`` None).
    """

    root: Path
    videos: list[VideoRecord]
    subjects: dict[str, Subject]
    problems: list[Problem]
    unmapped: list[VideoRecord]
    category_map: dict[str, str] = field(default_factory=dict)
    _by_id: dict[str, VideoRecord] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._by_id = {v.id: v for v in self.videos}

    def by_category(self) -> dict[str, list[VideoRecord]]:
        """Mapped videos by category, categories in the category map's order."""
        order = list(dict.fromkeys(self.category_map.values()))
        found = sorted({v.category for v in self.videos if v.category is not None} - set(order))
        groups: dict[str, list[VideoRecord]] = {c: [] for c in order + found}
        for video in self.videos:
            if video.category is not None:
                groups[video.category].append(video)
        return {c: vs for c, vs in groups.items() if vs}

    def video(self, video_id: str) -> VideoRecord:
        """The video with this id; :class:`UnknownVideoError` (a KeyError) if there is none."""
        try:
            return self._by_id[video_id]
        except KeyError:
            raise UnknownVideoError(f"no video {video_id!r} in the index", self.root) from None


def index_dataset(
    root: str | os.PathLike[str],
    manifest: str | os.PathLike[str] | None = None,
    pattern: str | None = None,
    token_map: Mapping[str, str] | None = None,
    category_map: Mapping[str, str] | None = None,
    probe: bool = True,
    progress: Progress | None = None,
    allow_outside_root: bool = False,
) -> DatasetIndex:
    """Index ``root``: Part A, then emotion videos (manifest and/or pattern), then probe each video.

    ``probe`` opens every video with :class:`~painxai_gui.video.VideoReader`
    to fill ``frame_count``/``fps`` (validated counts); videos that fail are
    reported as ``unreadable`` and left out. ``progress(done, total)`` is
    called once per probed video. Manifest rows outside ``root`` are refused
    (an ``outside_root`` problem naming the row) unless ``allow_outside_root``.
    """
    root = Path(root)
    if not root.is_dir():
        raise DatasetError("dataset root not found (or not a folder)", root)
    cmap = dict(DEFAULT_CATEGORY_MAP if category_map is None else category_map)
    log = ProblemLog()
    records, subject_ids = _collect(root, manifest, pattern, token_map, cmap, log, allow_outside_root)
    if probe:
        records = _probe(records, log, progress)
    elif progress is not None:
        progress(len(records), len(records))
    records.sort(key=lambda v: v.id)
    subjects = _subjects(subject_ids | {v.subject for v in records}, records, root, log)
    unmapped = [v for v in records if v.category is None]
    return DatasetIndex(root, records, subjects, log.items, unmapped, cmap)


def _collect(
    root: Path,
    manifest: str | os.PathLike[str] | None,
    pattern: str | None,
    token_map: Mapping[str, str] | None,
    cmap: dict[str, str],
    log: ProblemLog,
    allow_outside_root: bool = False,
) -> tuple[list[VideoRecord], set[str]]:
    part_a = scan_part_a(root, cmap, log)
    records = list(part_a.videos.values())
    if manifest is None and pattern is None and (root / DEFAULT_MANIFEST_NAME).is_file():
        manifest = root / DEFAULT_MANIFEST_NAME
    if manifest is not None:
        records += _dedupe(records, read_manifest(root, Path(manifest), cmap, log, allow_outside_root), log)
    if pattern is not None:
        known = {v.path for v in records}
        records += scan_pattern(root, pattern, token_map, cmap, known)
    if not records and not part_a.subjects:
        log.add(root, ProblemKind.EMPTY_FOLDER, "no videos found: no PartA/video or samples.csv, and no manifest or pattern matched")
    return records, part_a.subjects


def _dedupe(existing: list[VideoRecord], new: list[VideoRecord], log: ProblemLog) -> list[VideoRecord]:
    ids = {v.id for v in existing}
    kept = []
    for record in new:
        if record.id in ids:
            log.add(record.path, ProblemKind.DUPLICATE, "listed in the manifest but already indexed as Part A")
        else:
            kept.append(record)
    return kept


def _probe(records: list[VideoRecord], log: ProblemLog, progress: Progress | None) -> list[VideoRecord]:
    """Records with validated frame_count and fps; unreadable videos are logged and dropped."""
    from painxai_gui.video import VideoReader  # lazy: OpenCV

    probed = []
    for done, record in enumerate(records):
        try:
            with VideoReader(record.path, cache_bytes=0) as reader:
                probed.append(dataclasses.replace(record, frame_count=reader.frame_count, fps=reader.fps))
                if reader.truncated:
                    log.add(record.path, ProblemKind.UNREADABLE, f"truncated: {reader.frame_count} of "
                            f"{reader.declared_frame_count} declared frames decode (the decodable ones are kept)")
        except PainXAIError as exc:
            log.add(record.path, ProblemKind.UNREADABLE, exc.problem)
        if progress is not None:
            progress(done + 1, len(records))
    return probed


def _subjects(ids: set[str], records: list[VideoRecord], root: Path, log: ProblemLog) -> dict[str, Subject]:
    """Subjects by id, sorted; ids not in BioVid's pattern are kept (no metadata) and reported."""
    first_path = {}
    for record in records:
        first_path.setdefault(record.subject, record.path)
    subjects = {}
    for subject_id in sorted(ids):
        parsed = parse_subject(subject_id)
        if parsed is None:
            where = first_path.get(subject_id, root)
            log.add(where, ProblemKind.MALFORMED_NAME, f"subject id {subject_id!r} is not like 071309_w_21 (date_gender_age)")
            parsed = Subject(id=subject_id)
        subjects[subject_id] = parsed
    return subjects
