"""One writer per project *file*: an OS lock on the database file itself, keyed by its identity.

The writer holds ``flock(LOCK_EX)`` on the project file's inode, so a symlink
or a hard link to the same file meets the same lock, and deleting
``<project>.lock`` bypasses nothing: that file beside the (resolved) project
is only the readable record of the holder (pid, host, annotator, device and
inode). The OS releases the lock when the process ends, even on SIGKILL.
Within one process the same identity is checked in :data:`_FILES`, so two
``Project`` objects never write one file either.

POSIX detail handled here: closing *any* descriptor of a file drops the
``fcntl`` locks SQLite holds on it in this process. So each process keeps one
descriptor per file identity, shared by every open project of that file
(readers included), reads the header through it, and closes it only when the
last of them closes (after their SQLite connections).
"""

from __future__ import annotations

import json
import os
import socket
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from painxai_gui.errors import ProjectError, ProjectLockedError

try:  # POSIX
    import fcntl
except ImportError:  # pragma: no cover - Windows: msvcrt byte lock on the record file instead
    fcntl = None  # type: ignore[assignment]
    import msvcrt


def lock_path(project_path: Path) -> Path:
    """The holder record beside the project (beside its real file when ``project_path`` is a link)."""
    return project_path.with_name(project_path.name + ".lock")


@dataclass
class _Shared:
    """This process's descriptor of one file identity and who uses it."""

    fd: int
    users: int = 0
    holder: dict[str, Any] | None = None  # set while a writer in this process holds the lock
    record_fd: int | None = None  # Windows: the locked record file


_FILES: dict[tuple[int, int], _Shared] = {}
_GUARD = threading.Lock()


class FileLease:
    """One open project's share of its file: the shared descriptor, and the writer lock when taken."""

    def __init__(self, path: Path):
        self.path = path
        self.real = path.resolve()
        self.writer = False
        try:
            fd = os.open(self.real, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
        except OSError as exc:
            raise ProjectError(f"cannot open the project file ({exc.strerror})", path) from exc
        stat = os.fstat(fd)
        self.key = (stat.st_dev, stat.st_ino)
        with _GUARD:
            shared = _FILES.get(self.key)
            if shared is None:
                shared = _FILES[self.key] = _Shared(fd)
            else:
                os.close(fd)  # another project of this process has it open: never close *its* descriptor
            shared.users += 1
        self._shared = shared

    @property
    def fd(self) -> int:
        return self._shared.fd

    def header(self, size: int = 100) -> bytes:
        """The first bytes of the file, read through the shared descriptor (changes nothing)."""
        if hasattr(os, "pread"):
            return os.pread(self.fd, size, 0)
        os.lseek(self.fd, 0, os.SEEK_SET)  # pragma: no cover - Windows
        return os.read(self.fd, size)

    def lock_writer(self, annotator: str) -> None:
        """Take the exclusive writer lock; :class:`ProjectLockedError` (saying who, if known) when held."""
        shared = self._shared
        with _GUARD:
            if shared.holder is not None or not self._os_lock():  # held here (another Project) or elsewhere
                raise ProjectLockedError(self.path, **_read_holder(lock_path(self.real), self.key))
            shared.holder = {"pid": os.getpid(), "host": socket.gethostname(), "annotator": annotator,
                             "device": self.key[0], "inode": self.key[1]}
            self.writer = True
        _write_record(lock_path(self.real), shared.holder)

    def _os_lock(self) -> bool:
        if fcntl is not None:
            try:
                fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except OSError:
                return False
        try:  # pragma: no cover - Windows
            record = os.open(lock_path(self.real), os.O_RDWR | os.O_CREAT)
            msvcrt.locking(record, msvcrt.LK_NBLCK, 1)
            self._shared.record_fd = record
            return True
        except OSError:  # pragma: no cover
            return False

    def release(self) -> None:
        """Give up the writer lock (if held) and this share; the last share closes the descriptor."""
        shared = self._shared
        with _GUARD:
            if self.writer:
                _write_record(lock_path(self.real), None)
                if fcntl is not None:
                    fcntl.flock(shared.fd, fcntl.LOCK_UN)
                elif shared.record_fd is not None:  # pragma: no cover - Windows
                    os.close(shared.record_fd)
                    shared.record_fd = None
                shared.holder = None
                self.writer = False
            shared.users -= 1
            if shared.users == 0:
                _FILES.pop(self.key, None)
                os.close(shared.fd)


def _write_record(path: Path, holder: dict[str, Any] | None) -> None:
    """Write (or empty) the readable holder record; best effort: the OS lock is the lock."""
    try:
        with open(path, "a+", encoding="utf-8") as handle:
            handle.seek(0)
            handle.truncate()
            if holder is not None:
                handle.write(json.dumps(holder))
    except OSError:
        pass


def _read_holder(path: Path, key: tuple[int, int]) -> dict[str, Any]:
    """annotator / host / pid as the holder wrote them (None for what is missing, unreadable, or
    recorded for another file, e.g. the record beside a hard link elsewhere)."""
    try:
        info = json.loads(path.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        return {}
    if not isinstance(info, dict):
        return {}
    if "device" in info and (info.get("device"), info.get("inode")) != key:
        return {}
    return _public(info)


def _public(info: dict[str, Any]) -> dict[str, Any]:
    pid = info.get("pid")
    return {"annotator": _text(info.get("annotator")), "host": _text(info.get("host")),
            "pid": pid if isinstance(pid, int) and not isinstance(pid, bool) else None}


def _text(value: Any) -> str | None:
    return None if value is None else str(value)
