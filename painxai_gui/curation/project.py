"""The curation project: a Qt-free API over one SQLite project file.

Every user operation is one transaction, committed before the call returns,
recorded in the undo history and in the audit log with the annotator's name.
A project is open for writing in one process at a time (a second writer gets a
:class:`ProjectError` naming the holder); any number may open it read-only.
All methods are thread-safe (one lock around the connection).

``video`` arguments accept a video id (``VideoRecord.id``) or a :class:`VideoRecord`.
"""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Union

from painxai_gui.curation import create as _create
from painxai_gui.curation import edits, history
from painxai_gui.curation import slots as slotmath
from painxai_gui.curation.catalog import Catalog
from painxai_gui.curation.commands import Command
from painxai_gui.curation.entities import Exclusion, ProjectChange
from painxai_gui.curation.admin import AdminMixin
from painxai_gui.curation.panel import PanelMixin
from painxai_gui.curation.reads import ReadsMixin
from painxai_gui.curation.suggestions import SuggestionsMixin
from painxai_gui.curation.slots import DEFAULT_SLOTS
from painxai_gui.curation.store import Listener, Store
from painxai_gui.dataset.records import ROLE_SLOTS, VideoRecord
from painxai_gui.errors import ProjectError, QuotaError

VideoRef = Union[str, VideoRecord]


class Project(SuggestionsMixin, ReadsMixin, AdminMixin, PanelMixin):
    """An open curation project. Use :meth:`create` or :meth:`open`; close it (or use ``with``)."""

    def __init__(self, store: Store, annotator: str):
        self._store = store
        self._annotator = annotator
        self._catalog = Catalog(store)

    # -- lifecycle ---------------------------------------------------------
    @classmethod
    def create(cls, path: str | Path, dataset_root: str | Path, manifest: str | Path | None = None,
               *, slots: int = DEFAULT_SLOTS, annotator: str | None = None, pattern: str | None = None,
               token_map: Mapping[str, str] | None = None,
               category_map: Mapping[str, str] | None = None, pain_category: str = "pain",
               index: Any = None, progress: Callable[..., None] | None = None,
               allow_outside_root: bool = False) -> "Project":
        """Index ``dataset_root`` (or use ``index``) and write a new project file at ``path``.

        Manifest rows outside the root are refused unless ``allow_outside_root``."""
        path, root = Path(path), Path(dataset_root).resolve()
        if slots < 1:
            raise ProjectError(f"slot count must be at least 1, got {slots}", path)
        if path.exists():
            raise ProjectError("a file already exists here; choose another name", path)
        manifest_path = Path(manifest).resolve() if manifest is not None else None
        if index is None:
            index = _create.load_index(root, manifest_path, pattern=pattern, token_map=token_map,
                                       category_map=category_map, progress=progress,
                                       allow_outside_root=allow_outside_root)
        who = annotator or _default_annotator()
        meta = {"dataset_root": str(root), "manifest": str(manifest_path) if manifest_path else None,
                "pattern": pattern, "token_map": dict(token_map) if token_map else None,
                "category_map": dict(getattr(index, "category_map", None) or category_map or {}) or None,
                "slot_count": int(slots), "quota": None, "pain_category": pain_category,
                "created_by": who, "created_at": history.now(),
                "index_problems": _create.problems_of(index),
                "unmapped": _create.unmapped_of(index)}
        _create.write_project(path, root, index, meta, who)
        return cls.open(path, annotator=who)

    @classmethod
    def open(cls, path: str | Path, *, annotator: str | None = None,
             read_only: bool = False) -> "Project":
        """Open an existing project (for writing unless ``read_only``)."""
        who = annotator or _default_annotator()
        return cls(Store(Path(path), read_only=read_only, annotator=who), who)

    def close(self) -> None:
        self._store.close()

    def __enter__(self) -> "Project":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- properties ---------------------------------------------------------
    @property
    def path(self) -> Path:
        return self._store.path

    @property
    def read_only(self) -> bool:
        return self._store.read_only

    @property
    def read_only_reason(self) -> str | None:
        """Why the project cannot be written here (read-only media, folder or file); None when it could be
        (a project opened with ``read_only=True`` on writable media has no reason)."""
        return self._store.read_only_reason

    @property
    def annotator(self) -> str:
        """Name written on every operation; settable (e.g. after a login dialog)."""
        return self._annotator

    @annotator.setter
    def annotator(self, name: str) -> None:
        if not name or not name.strip():
            raise ProjectError("annotator name must not be empty", self.path)
        self._annotator = name.strip()

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener(ProjectChange)`` after every committed change; returns unsubscribe."""
        return self._store.subscribe(listener)

    # -- selections ----------------------------------------------------------
    # Selecting beyond the quota of a slot raises QuotaError unless allow_over_quota is
    # True; an override that does go beyond is recorded in the audit log ("over_quota").
    def select(self, video: VideoRef, frame: int, *, allow_over_quota: bool = False) -> int:
        """Select one frame; returns how many frames changed (0 or 1)."""
        info = self._slot_video(video, frame)
        return self._frames_op(info, [frame], True, f"select frame {frame} of {info.id}",
                               allow_over_quota=allow_over_quota)

    def unselect(self, video: VideoRef, frame: int) -> int:
        info = self._slot_video(video, frame)
        return self._frames_op(info, [frame], False, f"unselect frame {frame} of {info.id}")

    def select_frames(self, video: VideoRef, frames: Iterable[int], *, allow_over_quota: bool = False) -> int:
        frames = sorted(set(frames))
        info = self._slot_video(video, *frames)
        return self._frames_op(info, frames, True, f"select {len(frames)} frames of {info.id}",
                               allow_over_quota=allow_over_quota)

    def unselect_frames(self, video: VideoRef, frames: Iterable[int]) -> int:
        frames = sorted(set(frames))
        info = self._slot_video(video, *frames)
        return self._frames_op(info, frames, False, f"unselect {len(frames)} frames of {info.id}")

    def select_range(self, video: VideoRef, start: int, stop: int, *, allow_over_quota: bool = False) -> int:
        """Select frames ``start <= f < stop`` (stop exclusive, like ``range``)."""
        info = self._slot_video(video, *_range_ends(start, stop))
        return self._frames_op(info, range(start, stop), True,
                               f"select frames {start}-{stop - 1} of {info.id}", "select_range",
                               allow_over_quota=allow_over_quota)

    def unselect_range(self, video: VideoRef, start: int, stop: int) -> int:
        info = self._slot_video(video, *_range_ends(start, stop))
        return self._frames_op(info, range(start, stop), False,
                               f"unselect frames {start}-{stop - 1} of {info.id}", "unselect_range")

    def clear_slot(self, video: VideoRef, slot: int) -> int:
        """Unselect every frame of slot ``slot`` (0-based); returns how many."""
        info = self._slot_video(video)
        scope = self._slot_range(info, slot)
        return self._frames_op(info, scope, False, f"clear slot {slot + 1} of {info.id}", "clear_slot")

    def _frames_op(self, info: VideoRecord, frames: Iterable[int], add: bool, text: str,
                   action: str | None = None, *, allow_over_quota: bool = False) -> int:
        frames = list(frames)
        extra: dict[str, Any] = {}
        if add:
            def build(c: Any) -> Command | None:
                extra.update(self._quota_check(c, info, frames, allow_over_quota))
                return edits.select(c, info.id, frames, self._annotator, text, action or "select")
        else:
            build = lambda c: edits.unselect(c, info.id, frames, text, action or "unselect")
        command = self._execute(build, extra)
        return 0 if command is None else sum(len(ch.added) + len(ch.removed) for ch in command.changes
                                             if ch.kind == "selection")

    def _quota_check(self, conn: Any, info: VideoRecord, frames: Iterable[int], allow: bool) -> dict[str, Any]:
        """Refuse (QuotaError) frames that would fill a slot beyond the quota; with ``allow``,
        return the audit details of the override."""
        current = set(edits.selection_rows(conn, info.id))
        new = [f for f in frames if f not in current]
        if not new:
            return {}
        n, quota = self.slot_count, self.quota
        counts = slotmath.count_per_slot(current | set(new), info.frame_count, n)
        touched = sorted({slotmath.slot_of(f, info.frame_count, n) for f in new})
        over = [(k + 1, counts[k], quota) for k in touched if counts[k] > quota]
        if not over:
            return {}
        if not allow:
            raise QuotaError(self.path, info.id, over)
        return {"over_quota": [{"slot": k, "selected": c, "quota": q} for k, c, q in over]}

    # -- exclusions, quota, slots ---------------------------------------------
    def exclude_subject(self, subject: str, reason: str) -> bool:
        """Exclude every video of ``subject``; ``reason`` is required. True when something changed."""
        self._catalog.check_subject(subject)
        reason = _reason(reason, self.path)
        text = f"exclude subject {subject}: {reason}"
        return self._execute(lambda c: edits.exclusion(c, "subject", subject, reason,
                                                       self._annotator, text)) is not None

    def include_subject(self, subject: str) -> bool:
        self._catalog.check_subject(subject)
        return self._execute(lambda c: edits.exclusion(c, "subject", subject, None, self._annotator,
                                                       f"include subject {subject}")) is not None

    def exclude_video(self, video: VideoRef, reason: str) -> bool:
        """Exclude one video (e.g. only the disgust video of a subject), with a reason."""
        info, reason = self._video(video), _reason(reason, self.path)
        text = f"exclude video {info.id}: {reason}"
        return self._execute(lambda c: edits.exclusion(c, "video", info.id, reason,
                                                       self._annotator, text)) is not None

    def include_video(self, video: VideoRef) -> bool:
        info = self._video(video)
        return self._execute(lambda c: edits.exclusion(c, "video", info.id, None, self._annotator,
                                                       f"include video {info.id}")) is not None

    def set_quota(self, quota: int | None) -> bool:
        """Set the per-slot quota by hand, or ``None`` to compute it again (undoable).

        A quota above :meth:`quota_cap` (the shortest slot among the included
        emotion videos) is refused: no such slot could be filled.
        """
        if quota is not None and (isinstance(quota, bool) or int(quota) != quota or quota < 0):
            raise ProjectError(f"quota must be a whole number >= 0, got {quota!r}", self.path)
        cap = self.quota_cap()
        if quota is not None and cap.cap is not None and quota > cap.cap:
            raise ProjectError(f"quota {int(quota)} is more than a slot can hold: {cap.text()}; "
                               f"the largest feasible quota is {cap.cap} (or exclude those videos)", self.path)
        old, new = self._store.meta("quota"), None if quota is None else int(quota)
        text = f"set quota to {new}" if new is not None else "compute the quota from the data"
        return self._execute(lambda c: edits.meta_value("quota", old, new, text)) is not None

    def set_slot_count(self, slots: int) -> bool:
        """Change N (selections stay; they are re-binned). Undoable."""
        if int(slots) != slots or slots < 1:
            raise ProjectError(f"slot count must be a whole number >= 1, got {slots!r}", self.path)
        old = self.slot_count
        return self._execute(lambda c: edits.meta_value("slot_count", old, int(slots),
                                                        f"use {slots} slots per video")) is not None

    # -- undo / redo -----------------------------------------------------------
    def undo(self) -> str | None:
        """Undo the last operation; returns its description, None when nothing to undo."""
        return self._step(history.next_undo, "undone", "undo")

    def redo(self) -> str | None:
        return self._step(history.next_redo, "done", "redo")

    def _step(self, pick: Callable, state: str, action: str) -> str | None:
        with self._store.write() as conn:
            entry = pick(conn)
            if entry is None:
                return None
            (entry.command.undo if action == "undo" else entry.command.do)(conn)
            history.set_state(conn, entry.id, state)
            history.audit(conn, self._annotator, action, _target(entry.command),
                          {"description": entry.description}, entry.id)
            self._catalog.invalidate(entry.command.videos, entry.command.is_global)
        self._notify(entry.command, action, f"{action} {entry.description}")
        return entry.description

    # -- plumbing ----------------------------------------------------------------
    def _execute(self, build: Callable[[Any], Command | None],
                 extra: Mapping[str, Any] | None = None) -> Command | None:
        """Build and apply a command in one transaction; ``extra`` (filled by ``build``) goes to the audit line."""
        with self._store.write() as conn:
            command = build(conn)
            if command is None:
                return None
            command.do(conn)
            hid = history.record(conn, command, self._annotator)
            history.audit(conn, self._annotator, command.action, _target(command),
                          {"description": command.description, "changes": _sizes(command), **(extra or {})}, hid)
            self._catalog.invalidate(command.videos, command.is_global)
        self._notify(command, command.action, command.description)
        return command

    def _notify(self, command: Command, action: str, description: str) -> None:
        self._store.notify(ProjectChange(action, description, command.videos, command.is_global))

    def _slot_video(self, video: VideoRef, *frames: int) -> VideoRecord:
        info = self._video(video)
        if info.role != ROLE_SLOTS:
            kind = "unmapped" if info.role is None else "Part A clip (all its frames are used)"
            raise ProjectError(f"video {info.id} is a {kind}; frames are picked only in emotion videos",
                               self.path)
        for frame in frames:
            if not 0 <= frame < info.frame_count:
                raise ProjectError(f"frame {frame} is outside 0..{info.frame_count - 1} of video {info.id}",
                                   self.path)
        return info

    def _slot_range(self, info: VideoRecord, slot: int) -> range:
        bounds = self.slot_bounds(info)
        if not 0 <= slot < len(bounds):
            raise ProjectError(f"slot {slot} does not exist (0..{len(bounds) - 1})", self.path)
        return range(*bounds[slot])


def _default_annotator() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name (containers)
        return "unknown"


def _reason(reason: str, path: Path) -> str:
    if not isinstance(reason, str) or not reason.strip():
        raise ProjectError("an exclusion needs a reason", path)
    return reason.strip()


def _range_ends(start: int, stop: int) -> tuple[int, ...]:
    return (start, stop - 1) if stop > start else ()


def _target(command: Command) -> str | None:
    first = command.changes[0] if command.changes else None
    return getattr(first, "video", None) or getattr(first, "target", None) or getattr(first, "key", None)


def _sizes(command: Command) -> dict[str, int]:
    sizes: dict[str, int] = {}
    for change in command.changes:
        for key in ("added", "removed"):
            n = len(getattr(change, key, ()))
            if n:
                sizes[f"{change.kind}_{key}"] = sizes.get(f"{change.kind}_{key}", 0) + n
    return sizes


__all__ = ["Project", "Exclusion"]
