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
from typing import IO

from painxai_gui.errors import ProjectError

try:  # POSIX
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]
    import msvcrt


def lock_path(project_path: Path) -> Path:
    return project_path.with_name(project_path.name + ".lock")


class WriterLock:
    """Exclusive, non-blocking lock; ``acquire`` raises :class:`ProjectError` when taken."""

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
            raise ProjectError(f"project is already open for writing ({holder}); "
                               "close it there or open it read-only", self.project_path)
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


def _read_holder(handle: IO[str]) -> str:
    try:
        handle.seek(0)
        info = json.loads(handle.read() or "{}")
        return f"by {info.get('annotator', '?')}, pid {info.get('pid', '?')} on {info.get('host', '?')}"
    except (OSError, ValueError):
        return "by another process"
