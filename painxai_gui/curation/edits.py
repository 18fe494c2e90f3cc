"""Builders that turn a user request into a :class:`Command` from the current rows.

Each builder reads what it needs inside the caller's transaction and returns
``None`` when the request changes nothing (no history entry, no audit line).
"""

from __future__ import annotations

import sqlite3
from typing import Container, Iterable

from painxai_gui.curation.commands import (Command, ExclRow, ExclusionChange, MetaChange,
                                           SelectionChange, SuggestionChange, SugRow)
from painxai_gui.curation.history import now


def selection_rows(conn: sqlite3.Connection, video: str) -> dict[int, tuple[int, str, str]]:
    rows = conn.execute("SELECT frame, annotator, at FROM selections WHERE video_id = ?", (video,))
    return {r[0]: (r[0], r[1], r[2]) for r in rows}


def suggestion_rows(conn: sqlite3.Connection, video: str) -> dict[int, SugRow]:
    rows = conn.execute("SELECT frame, source, score FROM suggestions WHERE video_id = ?", (video,))
    return {r[0]: (r[0], r[1], r[2]) for r in rows}


def select(conn: sqlite3.Connection, video: str, frames: Iterable[int], annotator: str,
           description: str, action: str = "select") -> Command | None:
    """Add ``frames`` to the selection (already selected ones are left as they are).

    Frames that were suggested stop being suggestions: a chosen frame is never both.
    """
    current = selection_rows(conn, video)
    at = now()
    added = tuple((f, annotator, at) for f in sorted(set(frames)) if f not in current)
    if not added:
        return None
    suggested = suggestion_rows(conn, video)
    dropped = tuple(suggested[f] for f, _, _ in added if f in suggested)
    changes: list = [SelectionChange(video, added=added)]
    if dropped:
        changes.append(SuggestionChange(video, removed=dropped))
    return Command(action, description, tuple(changes))


def unselect(conn: sqlite3.Connection, video: str, frames: Iterable[int], description: str,
             action: str = "unselect") -> Command | None:
    current = selection_rows(conn, video)
    removed = tuple(current[f] for f in sorted(set(frames)) if f in current)
    if not removed:
        return None
    return Command(action, description, (SelectionChange(video, removed=removed),))


def replace_suggestions(conn: sqlite3.Connection, video: str, frames_in_scope: Container[int],
                        new: list[SugRow], description: str) -> Command | None:
    """Replace the suggestions inside ``frames_in_scope`` by ``new``."""
    current = suggestion_rows(conn, video)
    removed = tuple(row for f, row in sorted(current.items()) if f in frames_in_scope)
    if not removed and not new:
        return None
    change = SuggestionChange(video, added=tuple(sorted(new)), removed=removed)
    return Command("suggest", description, (change,))


def accept_suggestions(conn: sqlite3.Connection, video: str, frames_in_scope: range,
                       annotator: str, description: str) -> Command | None:
    """Turn the suggestions inside ``frames_in_scope`` into selections."""
    suggested = {f: r for f, r in suggestion_rows(conn, video).items() if f in frames_in_scope}
    if not suggested:
        return None
    current = selection_rows(conn, video)
    at = now()
    added = tuple((f, annotator, at) for f in sorted(suggested) if f not in current)
    changes: list = [SuggestionChange(video, removed=tuple(suggested[f] for f in sorted(suggested)))]
    if added:
        changes.append(SelectionChange(video, added=added))
    return Command("accept_suggestions", description, tuple(changes))


def clear_suggestions(conn: sqlite3.Connection, video: str, frames_in_scope: range,
                      description: str) -> Command | None:
    removed = tuple(r for f, r in sorted(suggestion_rows(conn, video).items()) if f in frames_in_scope)
    if not removed:
        return None
    return Command("clear_suggestions", description, (SuggestionChange(video, removed=removed),))


_EXCLUSION_SQL = {
    "subject": "SELECT reason, annotator, at FROM subject_exclusions WHERE subject = ?",
    "video": "SELECT reason, annotator, at FROM video_exclusions WHERE video_id = ?",
}


def exclusion(conn: sqlite3.Connection, scope: str, target: str, reason: str | None,
              annotator: str, description: str) -> Command | None:
    """Exclude (``reason`` given) or include again (``reason is None``) a subject or video."""
    row = conn.execute(_EXCLUSION_SQL[scope], (target,)).fetchone()
    old: ExclRow = tuple(row) if row else None  # type: ignore[assignment]
    if (old is None and reason is None) or (old is not None and reason == old[0]):
        return None
    new: ExclRow = (reason, annotator, now()) if reason is not None else None
    action = f"{'exclude' if reason is not None else 'include'}_{scope}"
    return Command(action, description, (ExclusionChange(scope, target, old, new),))


def meta_value(key: str, old: object, new: object, description: str) -> Command | None:
    if old == new:
        return None
    return Command(f"set_{key}", description, (MetaChange(key, old, new),))
