"""The persisted undo/redo stack and the audit log (both tables in the project file).

The ``history`` table is a linear stack: rows in state ``done`` can be undone
(newest first), rows in state ``undone`` can be redone (oldest first), and a
new command discards the ``undone`` rows, as in every editor. The ``audit``
table keeps every operation, undo and redo included, and is never trimmed.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from painxai_gui.curation.commands import Command


def now() -> str:
    """UTC time, ISO 8601 with milliseconds."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


@dataclass(frozen=True)
class HistoryEntry:
    id: int
    command: Command

    @property
    def description(self) -> str:
        return self.command.description


@dataclass(frozen=True)
class AuditEntry:
    """One line of the audit log: who did what, when."""

    id: int
    at: str
    annotator: str
    action: str
    target: str | None
    details: dict[str, Any]
    history_id: int | None


def record(conn: sqlite3.Connection, command: Command, annotator: str) -> int:
    """Push a new done command (dropping the redo branch); returns its history id."""
    conn.execute("DELETE FROM history WHERE state = 'undone'")
    cur = conn.execute(
        "INSERT INTO history (state, description, command, annotator, at) VALUES ('done', ?, ?, ?, ?)",
        (command.description, command.to_json(), annotator, now()))
    return int(cur.lastrowid)


def next_undo(conn: sqlite3.Connection) -> HistoryEntry | None:
    row = conn.execute("SELECT id, description, command FROM history WHERE state = 'done' "
                       "ORDER BY id DESC LIMIT 1").fetchone()
    return _entry(row)


def next_redo(conn: sqlite3.Connection) -> HistoryEntry | None:
    row = conn.execute("SELECT id, description, command FROM history WHERE state = 'undone' "
                       "ORDER BY id ASC LIMIT 1").fetchone()
    return _entry(row)


def set_state(conn: sqlite3.Connection, history_id: int, state: str) -> None:
    conn.execute("UPDATE history SET state = ? WHERE id = ?", (state, history_id))


def entries(conn: sqlite3.Connection) -> list[tuple[int, str, str, str, str]]:
    """``(id, state, description, annotator, at)`` of the whole stack, oldest first."""
    return conn.execute("SELECT id, state, description, annotator, at FROM history "
                        "ORDER BY id").fetchall()


def audit(conn: sqlite3.Connection, annotator: str, action: str, target: str | None,
          details: dict[str, Any] | None = None, history_id: int | None = None) -> int:
    """Append one audit line (inside the caller's transaction)."""
    cur = conn.execute(
        "INSERT INTO audit (at, annotator, action, target, details, history_id) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (now(), annotator, action, target, json.dumps(details or {}), history_id))
    return int(cur.lastrowid)


def audit_entries(conn: sqlite3.Connection, limit: int | None = None) -> list[AuditEntry]:
    """The audit log, oldest first (the last ``limit`` lines when given)."""
    sql = "SELECT id, at, annotator, action, target, details, history_id FROM audit ORDER BY id DESC"
    rows = conn.execute(sql + " LIMIT ?", (limit,)).fetchall() if limit else conn.execute(sql).fetchall()
    return [AuditEntry(r[0], r[1], r[2], r[3], r[4], json.loads(r[5] or "{}"), r[6])
            for r in reversed(rows)]


def _entry(row: tuple[int, str, str] | None) -> HistoryEntry | None:
    if row is None:
        return None
    return HistoryEntry(row[0], Command.from_json(row[1], row[2]))
