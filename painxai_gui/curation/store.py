"""The open project file: connection, writer lock, transactions, meta values, subscribers.

Thread safety: one :class:`threading.RLock` serialises every use of the
connection, so a project may be used from the GUI thread and a worker (export)
at the same time; calls simply wait for each other. Subscribers are called
after the commit, on the thread that made the change.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

from painxai_gui.curation import schema
from painxai_gui.curation.entities import ProjectChange
from painxai_gui.curation.lock import WriterLock
from painxai_gui.errors import ProjectError

log = logging.getLogger(__name__)
Listener = Callable[[ProjectChange], None]


class Store:
    """Low-level access to one project file; :class:`~painxai_gui.curation.Project` wraps it."""

    def __init__(self, path: Path, *, read_only: bool, annotator: str):
        self.path = path
        self.read_only = read_only
        self.lock = threading.RLock()
        self._listeners: list[Listener] = []
        self._writer: WriterLock | None = None
        _check_file(path, read_only)
        if not read_only:
            self._writer = WriterLock(path)
            self._writer.acquire(annotator)
        try:
            self.conn = schema.connect(path, read_only=read_only)
            self.schema_version = schema.check_and_migrate(self.conn, path, read_only=read_only)
        except BaseException:
            self._release_writer()
            raise

    def close(self) -> None:
        with self.lock:
            if getattr(self, "conn", None) is not None:
                self.conn.close()
                self.conn = None  # type: ignore[assignment]
            self._release_writer()

    def _release_writer(self) -> None:
        if self._writer is not None:
            self._writer.release()
            self._writer = None

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One transaction (``BEGIN IMMEDIATE`` ... ``COMMIT``), rolled back on any error."""
        with self.lock:
            self._check_open()
            if self.read_only:
                raise ProjectError("project is open read-only", self.path)
            try:
                self.conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise _wrap(exc, self.path) from exc
            try:
                yield self.conn
                self.conn.execute("COMMIT")
            except sqlite3.Error as exc:
                self._rollback()
                raise _wrap(exc, self.path) from exc
            except BaseException:
                self._rollback()
                raise

    def read(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self.lock:
            self._check_open()
            try:
                return self.conn.execute(sql, params).fetchall()
            except sqlite3.Error as exc:
                raise _wrap(exc, self.path) from exc

    def _rollback(self) -> None:
        try:
            self.conn.execute("ROLLBACK")
        except sqlite3.Error:  # the transaction may already be gone
            pass

    def _check_open(self) -> None:
        if getattr(self, "conn", None) is None:
            raise ProjectError("project is closed", self.path)

    # -- meta values (JSON) ------------------------------------------------
    def meta(self, key: str, default: Any = None) -> Any:
        rows = self.read("SELECT value FROM meta WHERE key = ?", (key,))
        return json.loads(rows[0][0]) if rows else default

    def meta_all(self) -> dict[str, Any]:
        return {k: json.loads(v) for k, v in self.read("SELECT key, value FROM meta")}

    # -- change notification ----------------------------------------------
    def subscribe(self, listener: Listener) -> Callable[[], None]:
        self._listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)
        return unsubscribe

    def notify(self, change: ProjectChange) -> None:
        for listener in list(self._listeners):
            try:
                listener(change)
            except Exception:  # a broken listener must not undo a committed operation
                log.exception("project change listener failed")


def _check_file(path: Path, read_only: bool) -> None:
    """Clear messages before SQLite gives vague ones. A file without write bits counts as
    read-only even for root (who could write it anyway): the owner meant it that way."""
    if not path.exists():
        raise ProjectError("project file not found", path)
    if not path.is_file():
        raise ProjectError("not a project file (it is a folder or a device)", path)
    if not os.access(path, os.R_OK):
        raise ProjectError("project file is not readable (permissions)", path)
    if not read_only and (not os.access(path, os.W_OK) or not path.stat().st_mode & 0o222):
        raise ProjectError("project file is read-only; open it read-only to view it "
                           "or make it writable to curate", path)
    if not read_only and not os.access(path.parent, os.W_OK):
        raise ProjectError("the folder of the project file is read-only (SQLite needs to write "
                           "its journal beside it); open it read-only or move it", path)


_SQLITE_PROBLEMS = {
    sqlite3.SQLITE_READONLY: "project file cannot be written (read-only)",
    sqlite3.SQLITE_BUSY: "project file is busy (another process holds a write lock)",
    sqlite3.SQLITE_LOCKED: "project file is busy (another process holds a write lock)",
    sqlite3.SQLITE_FULL: "disk full while writing the project",
}


def _wrap(exc: sqlite3.Error, path: Path) -> ProjectError:
    """SQLite's error, told by its result code (the low byte: extended codes refine it)."""
    code = getattr(exc, "sqlite_errorcode", None)
    problem = _SQLITE_PROBLEMS.get(code & 0xFF) if code is not None else None
    return ProjectError(problem or f"database error: {exc}", path)
