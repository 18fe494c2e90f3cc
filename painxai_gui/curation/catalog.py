"""In-memory view of the project's videos, subjects, exclusions and picks, with caches.

The video list is loaded once per open (and after relocation); selections and
suggestions are cached per video and dropped by the project after every
change, so the GUI's per-frame reads cost a dict lookup.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Iterable

from painxai_gui.curation.entities import Exclusion
from painxai_gui.curation.store import Store
from painxai_gui.dataset.records import Subject, VideoRecord
from painxai_gui.errors import ProjectError


class Catalog:
    def __init__(self, store: Store):
        self._store = store
        self._selections: dict[str, frozenset[int]] = {}
        self._suggestions: dict[str, frozenset[int]] = {}
        self._exclusions: dict[tuple[str, str], Exclusion] | None = None
        self._meta: dict[str, Any] | None = None
        self.derived: dict[str, Any] = {}  # values computed from the whole project (quota, cap)
        self.reload()

    def reload(self) -> None:
        """(Re)build the video list from the file (paths resolved against the current root)."""
        root = Path(self._store.meta("dataset_root"))
        rows = self._store.read("SELECT id, subject, label, category, part, path, frame_count, fps "
                                "FROM videos ORDER BY id")
        self.videos = {r[0]: VideoRecord(r[0], r[1], r[2], r[3], r[4], _resolve(root, r[5]), r[6], r[7])
                       for r in rows}
        subject_rows = self._store.read("SELECT id, date, gender, age FROM subjects ORDER BY id")
        self.subjects = {r[0]: Subject(*r) for r in subject_rows}
        self.invalidate((), True)

    def invalidate(self, videos: Iterable[str], global_: bool) -> None:
        for video in videos:
            self._selections.pop(video, None)
            self._suggestions.pop(video, None)
        if global_:
            self._selections.clear()
            self._suggestions.clear()
            self._exclusions = None
            self._meta = None
            self.derived.clear()

    def video(self, ref: Any, path: Path) -> VideoRecord:
        key = ref.id if isinstance(ref, VideoRecord) else ref
        try:
            return self.videos[key]
        except (KeyError, TypeError):
            raise ProjectError(f"no video {key!r} in this project", path) from None

    def check_subject(self, subject: str) -> None:
        if subject not in self.subjects:
            raise ProjectError(f"no subject {subject!r} in this project", self._store.path)

    def meta(self, key: str) -> Any:
        with self._store.lock:
            if self._meta is None:
                self._meta = self._store.meta_all()
            return self._meta.get(key)

    def cached(self, key: str, compute: Callable[[], Any]) -> Any:
        """A value derived from the whole project, computed once per global change."""
        with self._store.lock:
            if key not in self.derived:
                self.derived[key] = compute()
            return self.derived[key]

    def selections(self, video: str) -> frozenset[int]:
        with self._store.lock:  # fill and invalidation never interleave with a commit
            if video not in self._selections:
                rows = self._store.read("SELECT frame FROM selections WHERE video_id = ?", (video,))
                self._selections[video] = frozenset(r[0] for r in rows)
            return self._selections[video]

    def suggestions(self, video: str) -> frozenset[int]:
        with self._store.lock:
            if video not in self._suggestions:
                rows = self._store.read("SELECT frame FROM suggestions WHERE video_id = ?", (video,))
                self._suggestions[video] = frozenset(r[0] for r in rows)
            return self._suggestions[video]

    def exclusions(self) -> dict[tuple[str, str], Exclusion]:
        """``{(scope, target): Exclusion}`` for subjects and videos."""
        with self._store.lock:
            return self._load_exclusions()

    def _load_exclusions(self) -> dict[tuple[str, str], Exclusion]:
        if self._exclusions is None:
            found: dict[tuple[str, str], Exclusion] = {}
            for scope, sql in (("subject", "SELECT subject, reason, annotator, at FROM subject_exclusions"),
                               ("video", "SELECT video_id, reason, annotator, at FROM video_exclusions")):
                for r in self._store.read(sql):
                    found[(scope, r[0])] = Exclusion(scope, r[0], r[1], r[2], r[3])
            self._exclusions = found
        return self._exclusions

    def is_excluded(self, info: VideoRecord) -> bool:
        excl = self.exclusions()
        return ("subject", info.subject) in excl or ("video", info.id) in excl


def _resolve(root: Path, stored: str) -> Path:
    path = Path(stored)
    return path if path.is_absolute() else root / path
