"""Undoable commands: small invertible changes grouped under one description.

A :class:`Command` is what one user operation did (``select frames 10-20 of
X``), stored as exact rows so that undo restores the previous state bit for
bit (including who selected a frame and when). Commands are persisted as JSON
in the ``history`` table, so undo/redo survive closing the project.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any, ClassVar, Union

#: a selected frame: (frame, annotator, ISO time)
SelRow = tuple[int, str, str]
#: a suggested frame: (frame, source, score or None)
SugRow = tuple[int, str, Union[float, None]]
#: an exclusion: (reason, annotator, ISO time), None when not excluded
ExclRow = Union[tuple[str, str, str], None]


@dataclass(frozen=True)
class SelectionChange:
    """Frames of one video added to / removed from the selection."""

    video: str
    added: tuple[SelRow, ...] = ()
    removed: tuple[SelRow, ...] = ()
    kind: ClassVar[str] = "selection"

    def apply(self, conn: sqlite3.Connection) -> None:
        conn.executemany("DELETE FROM selections WHERE video_id = ? AND frame = ?",
                         [(self.video, r[0]) for r in self.removed])
        conn.executemany(
            "INSERT INTO selections (video_id, frame, annotator, at) VALUES (?, ?, ?, ?)",
            [(self.video, *r) for r in self.added])

    def inverse(self) -> "SelectionChange":
        return SelectionChange(self.video, added=self.removed, removed=self.added)


@dataclass(frozen=True)
class SuggestionChange:
    """Frames of one video added to / removed from the suggestions."""

    video: str
    added: tuple[SugRow, ...] = ()
    removed: tuple[SugRow, ...] = ()
    kind: ClassVar[str] = "suggestion"

    def apply(self, conn: sqlite3.Connection) -> None:
        conn.executemany("DELETE FROM suggestions WHERE video_id = ? AND frame = ?",
                         [(self.video, r[0]) for r in self.removed])
        conn.executemany(
            "INSERT INTO suggestions (video_id, frame, source, score) VALUES (?, ?, ?, ?)",
            [(self.video, *r) for r in self.added])

    def inverse(self) -> "SuggestionChange":
        return SuggestionChange(self.video, added=self.removed, removed=self.added)


@dataclass(frozen=True)
class ExclusionChange:
    """A subject's or video's exclusion set, changed or lifted (``new is None``)."""

    scope: str  # "subject" or "video"
    target: str
    old: ExclRow
    new: ExclRow
    kind: ClassVar[str] = "exclusion"

    def apply(self, conn: sqlite3.Connection) -> None:
        if self.scope == "subject":
            delete = "DELETE FROM subject_exclusions WHERE subject = ?"
            insert = ("INSERT INTO subject_exclusions (subject, reason, annotator, at) "
                      "VALUES (?, ?, ?, ?)")
        else:
            delete = "DELETE FROM video_exclusions WHERE video_id = ?"
            insert = ("INSERT INTO video_exclusions (video_id, reason, annotator, at) "
                      "VALUES (?, ?, ?, ?)")
        conn.execute(delete, (self.target,))
        if self.new is not None:
            conn.execute(insert, (self.target, *self.new))

    def inverse(self) -> "ExclusionChange":
        return ExclusionChange(self.scope, self.target, old=self.new, new=self.old)


@dataclass(frozen=True)
class MetaChange:
    """A project value in ``meta`` (quota, slot count) changed from ``old`` to ``new``."""

    key: str
    old: Any
    new: Any
    kind: ClassVar[str] = "meta"

    def apply(self, conn: sqlite3.Connection) -> None:
        conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                     (self.key, json.dumps(self.new)))

    def inverse(self) -> "MetaChange":
        return MetaChange(self.key, old=self.new, new=self.old)


#: a figure-panel row: (position, video id, frame)
PanelRow = tuple[int, str, int]


@dataclass(frozen=True)
class PanelChange:
    """Figure-panel rows removed from / added at their positions (add, remove and reorder are all this)."""

    added: tuple[PanelRow, ...] = ()
    removed: tuple[PanelRow, ...] = ()
    kind: ClassVar[str] = "panel"

    def apply(self, conn: sqlite3.Connection) -> None:
        conn.executemany("DELETE FROM panel_rows WHERE position = ?", [(r[0],) for r in self.removed])
        conn.executemany("INSERT INTO panel_rows (position, video_id, frame) VALUES (?, ?, ?)", self.added)

    def inverse(self) -> "PanelChange":
        return PanelChange(added=self.removed, removed=self.added)


Change = Union[SelectionChange, SuggestionChange, ExclusionChange, MetaChange, PanelChange]
_KINDS = {"selection": SelectionChange, "suggestion": SuggestionChange,
          "exclusion": ExclusionChange, "meta": MetaChange, "panel": PanelChange}


@dataclass(frozen=True)
class Command:
    """One user operation: ``do`` applies its changes, ``undo`` applies their inverses backwards."""

    action: str
    description: str
    changes: tuple[Change, ...]

    def do(self, conn: sqlite3.Connection) -> None:
        for change in self.changes:
            change.apply(conn)

    def undo(self, conn: sqlite3.Connection) -> None:
        for change in reversed(self.changes):
            change.inverse().apply(conn)

    @property
    def videos(self) -> frozenset[str]:
        """Videos whose selections or suggestions this command touches."""
        return frozenset(c.video for c in self.changes if isinstance(c, (SelectionChange, SuggestionChange)))

    @property
    def is_global(self) -> bool:
        """True when it changes exclusions or project values (quota, progress of every video)."""
        return any(isinstance(c, (ExclusionChange, MetaChange)) for c in self.changes)

    def to_json(self) -> str:
        items = []
        for change in self.changes:
            items.append({"kind": change.kind, **change.__dict__})
        return json.dumps({"action": self.action, "changes": items}, separators=(",", ":"))

    @classmethod
    def from_json(cls, description: str, text: str) -> "Command":
        data = json.loads(text)
        changes = tuple(_change_from_dict(item) for item in data["changes"])
        return cls(data["action"], description, changes)


def _change_from_dict(item: dict[str, Any]) -> Change:
    kind = item.pop("kind")
    klass = _KINDS[kind]
    for key in ("added", "removed"):
        if key in item:
            item[key] = tuple(tuple(row) for row in item[key])
    for key in ("old", "new"):
        if kind == "exclusion" and item.get(key) is not None:
            item[key] = tuple(item[key])
    return klass(**item)
