"""One writer per project: an OS lock on ``<project>.lock`` beside the file.

The lock is held for as long as a project is open for writing and is released
by the operating system when the process ends, even on SIGKILL, so there are
no stale locks. A second writer is told who holds it; readers never lock.
"""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path
from typing import IO, Any

from painxai_gui.errors import ProjectError, ProjectLockedError

try:  # POSIX
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]
    import msvcrt


def lock_path(project_path: Path) -> Path:
    return project_path.with_name(project_path.name + ".lock")


class WriterLock:
    """Exclusive, non-blocking lock; ``acquire`` raises :class:`ProjectLockedError` (saying who) when taken."""

    def __init__(self, project_path: Path):
        self.project_path = project_path
        self.path = lock_path(project_path)
        self._file: IO[str] | None = None

    def acquire(self, annotator: str) -> None:
        try:
            handle = open(self.path, "a+", encoding="utf-8")
        except OSError as exc:
            raise ProjectError(f"cannot create the lock file {self.path.name} ({exc.strerror})",
                               self.project_path) from exc
        if not _try_lock(handle):
            holder = _read_holder(handle)
            handle.close()
            raise ProjectLockedError(self.project_path, **holder)
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps({"pid": os.getpid(), "host": socket.gethostname(),
                                 "annotator": annotator}))
        handle.flush()
        self._file = handle

    def release(self) -> None:
        if self._file is None:
            return
        try:
            self._file.seek(0)
            self._file.truncate()
            _unlock(self._file)
        finally:
            self._file.close()
            self._file = None


def _try_lock(handle: IO[str]) -> bool:
    try:
        if fcntl is not None:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        else:  # pragma: no cover
            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        return True
    except OSError:
        return False


def _unlock(handle: IO[str]) -> None:
    if fcntl is not None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
    else:  # pragma: no cover
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)


def _read_holder(handle: IO[str]) -> dict[str, Any]:
    """annotator / host / pid as the holder wrote them (None for what is missing or unreadable)."""
    try:
        handle.seek(0)
        info = json.loads(handle.read() or "{}")
    except (OSError, ValueError):
        return {}
    if not isinstance(info, dict):
        return {}
    pid = info.get("pid")
    return {"annotator": _text(info.get("annotator")), "host": _text(info.get("host")),
            "pid": pid if isinstance(pid, int) and not isinstance(pid, bool) else None}


def _text(value: Any) -> str | None:
    return None if value is None else str(value)
