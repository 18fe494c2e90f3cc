"""Cheap reads of a project (videos, picks, slots, quota, progress, history), mixed into Project."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from painxai_gui.curation import history, slots as slotmath
from painxai_gui.curation.entities import Exclusion, Progress, SlotInfo, VideoProgress
from painxai_gui.dataset.records import ROLE_ALL_FRAMES, ROLE_SLOTS, Subject, VideoRecord

if TYPE_CHECKING:
    from painxai_gui.curation.balance import BalancePlan, QuotaCap
    from painxai_gui.curation.catalog import Catalog
    from painxai_gui.curation.store import Store


class ReadsMixin:
    _store: "Store"
    _catalog: "Catalog"

    # -- videos and subjects -------------------------------------------------
    def videos(self, category: str | None = None, *, role: str | None = None,
               included: bool | None = None) -> list[VideoRecord]:
        """Mapped videos, sorted by id; filter by category, role (``"slots"``/``"all_frames"``)
        and exclusion (``included=True`` only included ones, ``False`` only excluded ones)."""
        out = []
        for info in self._catalog.videos.values():
            if info.category is None or (category is not None and info.category != category):
                continue
            if role is not None and info.role != role:
                continue
            if included is not None and self.is_excluded(info) == included:
                continue
            out.append(info)
        return out

    def video(self, video: Any) -> VideoRecord:
        return self._video(video)

    def _video(self, video: Any) -> VideoRecord:
        return self._catalog.video(video, self._store.path)

    def subjects(self) -> dict[str, Subject]:
        return dict(self._catalog.subjects)

    def categories(self) -> list[str]:
        return sorted({v.category for v in self._catalog.videos.values() if v.category is not None})

    @property
    def pain_category(self) -> str:
        return str(self._catalog.meta("pain_category") or "pain")

    @property
    def dataset_root(self) -> Path:
        return Path(self._catalog.meta("dataset_root"))

    @property
    def root_missing(self) -> bool:
        """True when the dataset root is not there (moved or unmounted): see ``relocate``."""
        return not self.dataset_root.is_dir()

    @property
    def cache_dir(self) -> Path:
        """Folder beside the project for derived data (landmark caches)."""
        return self._store.path.with_name(self._store.path.name + ".cache")

    @property
    def index_problems(self) -> list[str]:
        """Problems the dataset index reported when the project was created."""
        return list(self._catalog.meta("index_problems") or [])

    def missing_videos(self) -> list[str]:
        return [v.id for v in self.videos() if not v.path.is_file()]

    # -- picks -------------------------------------------------------------------
    def selections(self, video: Any) -> frozenset[int]:
        """Selected frame indices of a video (cached; cheap)."""
        return self._catalog.selections(self._video(video).id)

    def suggestions(self, video: Any) -> frozenset[int]:
        """Suggested (not yet accepted) frame indices; never overlaps :meth:`selections`."""
        return self._catalog.suggestions(self._video(video).id)

    def predictions(self, video: Any) -> dict[int, float]:
        rows = self._store.read("SELECT frame, confidence FROM predictions WHERE video_id = ?",
                                (self._video(video).id,))
        return {r[0]: r[1] for r in rows}

    # -- slots and quota -------------------------------------------------------
    @property
    def slot_count(self) -> int:
        return int(self._catalog.meta("slot_count") or slotmath.DEFAULT_SLOTS)

    def slot_bounds(self, video: Any) -> list[tuple[int, int]]:
        """``[(start, stop), ...]`` per slot; see :mod:`painxai_gui.curation.slots` for rounding."""
        return slotmath.slot_bounds(self._video(video).frame_count, self.slot_count)

    def slot_of(self, video: Any, frame: int) -> int:
        return slotmath.slot_of(frame, self._video(video).frame_count, self.slot_count)

    def slot_counts(self, video: Any) -> tuple[int, ...]:
        info = self._video(video)
        return tuple(slotmath.count_per_slot(self.selections(info), info.frame_count, self.slot_count))

    def slots(self, video: Any) -> list[SlotInfo]:
        info, quota = self._video(video), self.quota
        sel, sug = self.selections(info), self.suggestions(info)
        bounds = slotmath.slot_bounds(info.frame_count, self.slot_count)
        return [SlotInfo(k, a, b, sum(1 for f in sel if a <= f < b), sum(1 for f in sug if a <= f < b), quota)
                for k, (a, b) in enumerate(bounds)]

    def progress_text(self, video: Any) -> str:
        """Like ``107/107, 64/107, 0/107``."""
        return ", ".join(s.text for s in self.slots(video))

    @property
    def quota(self) -> int:
        """Frames per slot: the user's value, else :meth:`computed_quota`."""
        value = self._catalog.meta("quota")
        return int(value) if value is not None else self.computed_quota()

    @property
    def quota_is_set(self) -> bool:
        return self._catalog.meta("quota") is not None

    def pain_frames(self) -> int:
        """All frames of the included Part A clips of the pain category."""
        return sum(v.frame_count for v in self.videos(self.pain_category, role=ROLE_ALL_FRAMES, included=True))

    def emotion_subjects(self) -> dict[str, int]:
        """Included subjects per slot-curated category."""
        subjects: dict[str, set[str]] = {}
        for v in self.videos(role=ROLE_SLOTS, included=True):
            subjects.setdefault(v.category, set()).add(v.subject)  # type: ignore[arg-type]
        return {c: len(s) for c, s in sorted(subjects.items())}

    def quota_subjects(self) -> int:
        """``included_emotion_subjects`` of the quota: the smallest count over the emotion
        categories, so every emotion class reaches at least the pain count."""
        return min(self.emotion_subjects().values(), default=0)

    def balancing_quota(self) -> int:
        """``ceil(pain_frames / (included_emotion_subjects * N))`` (see :meth:`quota_subjects`), before the cap."""
        return slotmath.compute_quota(self.pain_frames(), self.quota_subjects(), self.slot_count)

    def quota_cap(self) -> "QuotaCap":
        """The largest feasible quota: the shortest slot among the included emotion videos, and which."""
        from painxai_gui.curation.balance import quota_cap

        return self._catalog.cached("quota_cap", lambda: quota_cap(self))  # type: ignore[arg-type]

    def computed_quota(self) -> int:
        """:meth:`balancing_quota`, capped by :meth:`quota_cap` (a slot cannot give more frames than it has)."""
        def compute() -> int:
            cap = self.quota_cap().cap
            wanted = self.balancing_quota()
            return wanted if cap is None else min(wanted, cap)
        return self._catalog.cached("computed_quota", compute)

    def balance(self, tolerance: float | None = None) -> "BalancePlan":
        """What the export will write, per category, with the subjects left out and why
        (:func:`painxai_gui.curation.balance.plan_balance`)."""
        from painxai_gui.curation.balance import DEFAULT_TOLERANCE, plan_balance

        return plan_balance(self, DEFAULT_TOLERANCE if tolerance is None else tolerance)  # type: ignore[arg-type]

    def progress(self) -> Progress:
        quota, items = self.quota, []
        for info in self.videos(role=ROLE_SLOTS):
            counts = slotmath.count_per_slot(self.selections(info), info.frame_count, self.slot_count)
            items.append(VideoProgress(info.id, info.subject, info.category or "", tuple(counts), quota,
                                       self.is_excluded(info)))
        return Progress(quota, self.slot_count, tuple(items))

    # -- exclusions ---------------------------------------------------------------
    def is_excluded(self, video: Any) -> bool:
        """True when the video or its subject is excluded."""
        return self._catalog.is_excluded(self._video(video))

    def exclusions(self) -> list[Exclusion]:
        return sorted(self._catalog.exclusions().values(), key=lambda e: (e.scope, e.target))

    # -- history -----------------------------------------------------------------
    @property
    def can_undo(self) -> bool:
        return self.undo_description is not None

    @property
    def can_redo(self) -> bool:
        return self.redo_description is not None

    @property
    def undo_description(self) -> str | None:
        rows = self._store.read("SELECT description FROM history WHERE state = 'done' ORDER BY id DESC LIMIT 1")
        return rows[0][0] if rows else None

    @property
    def redo_description(self) -> str | None:
        rows = self._store.read("SELECT description FROM history WHERE state = 'undone' ORDER BY id LIMIT 1")
        return rows[0][0] if rows else None

    def history(self) -> list[tuple[int, str, str, str, str]]:
        """``(id, state, description, annotator, at)`` of the undo stack, oldest first."""
        with self._store.lock:
            return history.entries(self._store.conn)

    def audit_log(self, limit: int | None = None) -> list[history.AuditEntry]:
        with self._store.lock:
            return history.audit_entries(self._store.conn, limit)
