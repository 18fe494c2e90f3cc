"""The open project file: connection, writer lock, transactions, meta values, subscribers.

Opening never changes a file that is not a PainXAI project: its header (the
SQLite magic and the PainXAI application id) is read through a plain
read-only descriptor before SQLite or the lock record touch anything. A
project on read-only media, or in a folder that is not writable, opens
read-only (SQLite ``mode=ro``, plus ``immutable=1`` where SQLite cannot keep
its shared-memory file) and :attr:`Store.read_only_reason` says why.

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
from painxai_gui.curation.lock import FileLease
from painxai_gui.errors import ProjectError, ProjectReadOnlyError

log = logging.getLogger(__name__)
Listener = Callable[[ProjectChange], None]


class Store:
    """Low-level access to one project file; :class:`~painxai_gui.curation.Project` wraps it."""

    def __init__(self, path: Path, *, read_only: bool, annotator: str):
        self.path = path
        self.read_only = read_only
        self.lock = threading.RLock()
        self._listeners: list[Listener] = []
        _check_file(path)
        why, immutable = read_only_reason(path)
        if why is not None and not read_only:
            raise ProjectReadOnlyError(path, why)
        self.read_only_reason = why  # None when the file could be written here
        self._lease: FileLease | None = FileLease(path)
        try:
            schema.check_header(self._lease.header(), path)
            if not read_only:
                self._lease.lock_writer(annotator)
            self.conn = schema.connect(path, read_only=read_only, immutable=immutable)
            self.schema_version = schema.check_and_migrate(self.conn, path, read_only=read_only)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        with self.lock:
            if getattr(self, "conn", None) is not None:
                self.conn.close()
                self.conn = None  # type: ignore[assignment]
            if self._lease is not None:  # after the connection: the lease may close the last descriptor
                self._lease.release()
                self._lease = None

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


def _check_file(path: Path) -> None:
    """Clear messages before SQLite gives vague ones."""
    if not path.exists():
        raise ProjectError("project file not found", path)
    if not path.is_file():
        raise ProjectError("not a project file (it is a folder or a device)", path)
    if not os.access(path, os.R_OK):
        raise ProjectError("project file is not readable (permissions)", path)


def read_only_reason(path: Path) -> tuple[str | None, bool]:
    """Why the project can only be read here (None when it can be written), and whether SQLite must open
    it ``immutable`` (it cannot create its shared-memory file beside it). A file without write bits counts
    as read-only even for root (who could write it anyway): the owner meant it that way."""
    folder = path.resolve().parent
    try:
        if os.statvfs(folder).f_flag & getattr(os, "ST_RDONLY", 1):
            return "the file system is read-only (a read-only mount or medium)", True
    except (OSError, AttributeError):  # no statvfs (Windows): the access checks below decide
        pass
    if not os.access(folder, os.W_OK):
        return "the folder of the project file is not writable (SQLite keeps its journal beside the file)", True
    if not os.access(path, os.W_OK) or not path.stat().st_mode & 0o222:
        return "the project file is read-only (permissions); make it writable to curate", False
    return None, False


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
