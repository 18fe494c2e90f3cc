"""The one way PainXAI writes a file: atomically, durably, with a clear error.

:func:`atomic_write` writes to a hidden temp file in the target's folder
(``.<name>.<random>.painxai-tmp``), fsyncs it, sets its mode, renames it over
the target with ``os.replace`` and fsyncs the folder: a reader sees the old
file or the new one, never half of one, and after a crash the old file is
intact. The temp file is removed on any failure, Ctrl+C included. A writer
callable (``np.save``, ``cv2.imwrite``, ``savefig``, ``sqlite3.connect``, a
Keras save) gets a temp path that also ends with the target's suffixes, since
these pick the format by suffix.

:func:`write_record` / :func:`read_record` are for every JSON file we write:
each is stamped ``{"kind": ..., "version": ...}`` so a reader can tell a panel
record from a sidecar and refuse a file from a newer version. Files written
before the stamp existed (no ``kind``) are still read.
"""

from __future__ import annotations

import csv
import errno
import io
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence, Union

from painxai_gui.errors import FileWriteError, PainXAIError, RecordError

TEMP_MARK = ".painxai-tmp"
#: bytes, text (written as UTF-8), or a callable that writes the file at the path it is given
Data = Union[bytes, bytearray, memoryview, str, Callable[[Path], Any]]

_REASONS = {getattr(errno, name): reason for name, reason in (
    ("ENOSPC", "disk full (no space left on the device)"),
    ("EDQUOT", "disk quota exceeded"),
    ("EACCES", "permission denied"),
    ("EPERM", "permission denied"),
    ("EROFS", "the file system is read-only"),
    ("ENOENT", "the folder does not exist"),
    ("ENOTDIR", "a part of the path is not a folder"),
    ("EISDIR", "a folder has this name"),
    ("ENAMETOOLONG", "the file name is too long"),
    ("EEXIST", "a file already exists here"),
) if hasattr(errno, name)}
_FOLDER_SYNC_UNSUPPORTED = {getattr(errno, name) for name in ("EINVAL", "ENOTSUP", "EOPNOTSUPP", "EBADF", "EISDIR")
                            if hasattr(errno, name)}


def atomic_write(path: str | os.PathLike[str], data: Data, mode: int = 0o644, *,
                 parents: bool = False, exclusive: bool = False, durable: bool = True) -> Path:
    """Write ``data`` to ``path`` atomically and durably; returns ``path``.

    ``parents`` creates missing folders; ``exclusive`` never replaces an
    existing file (it fails with errno EEXIST instead). ``durable=False``
    skips the fsyncs (still atomic: a reader never sees half a file) for bulk
    writes whose caller syncs once at the end (see :func:`sync_file_system`).
    Raises :class:`FileWriteError` (also an ``OSError``) naming ``path`` on
    any file system error; other errors from a writer callable pass through
    unchanged.
    """
    path = Path(path)
    tmp: Path | None = None
    try:
        if parents:
            path.parent.mkdir(parents=True, exist_ok=True)
        tmp = _write_temp(path, data, durable)
        os.chmod(tmp, mode)
        _publish(tmp, path, exclusive)
        tmp = None
        if durable:
            _sync_folder(path.parent)
    except FileWriteError:
        raise
    except OSError as exc:
        raise write_error(exc, path) from exc
    finally:
        if tmp is not None:
            _remove_quietly(tmp)
    return path


def write_error(exc: OSError, path: Path) -> FileWriteError:
    """The typed error for an ``OSError`` met while writing ``path``, in plain words."""
    reason = _REASONS.get(exc.errno or 0) or exc.strerror or str(exc)
    other = exc.filename is not None and TEMP_MARK not in str(exc.filename) and Path(exc.filename) != path
    if other:  # the writer failed on another file (e.g. one it reads)
        reason = f"{reason}: {exc.filename}"
    return FileWriteError(f"cannot write the file: {reason}", path, exc.errno)


def _write_temp(path: Path, data: Data, durable: bool = True) -> Path:
    """Create the temp file beside ``path``, fill it and fsync it (when ``durable``); removes it if that fails."""
    writer = data if callable(data) else None
    suffix = TEMP_MARK + ("".join(path.suffixes[-2:]) if writer is not None else "")
    fd, name = tempfile.mkstemp(prefix=f".{path.name[:120]}.", suffix=suffix, dir=path.parent)
    tmp = Path(name)
    try:
        if writer is None:
            payload = data.encode("utf-8") if isinstance(data, str) else bytes(data)  # type: ignore[arg-type]
            with os.fdopen(fd, "wb") as handle:
                handle.write(payload)
                handle.flush()
                if durable:
                    os.fsync(handle.fileno())
        else:
            os.close(fd)
            if writer(tmp) is False:  # cv2.imwrite and Qt report failure this way
                raise FileWriteError("cannot write the file: the encoder reported a failure", path)
            if durable:
                _sync_file(tmp, path)
    except BaseException:
        _remove_quietly(tmp)
        raise
    return tmp


def _sync_file(tmp: Path, path: Path) -> None:
    try:
        fd = os.open(tmp, os.O_RDONLY)
    except FileNotFoundError:
        raise FileWriteError("cannot write the file: the writer did not create it", path) from None
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _publish(tmp: Path, path: Path, exclusive: bool) -> None:
    if not exclusive:
        os.replace(tmp, path)
        return
    try:
        os.link(tmp, path)  # fails with EEXIST if ``path`` exists: never replaces a file
    except FileExistsError:
        raise
    except OSError:  # no hard links on this file system: check, then rename (not race-free)
        if path.exists():
            raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(path)) from None
        os.replace(tmp, path)
        return
    _remove_quietly(tmp)


def _sync_folder(folder: Path) -> None:
    """Make the rename durable. Skipped where folders cannot be opened (Windows) or synced."""
    if os.name == "nt":
        return
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return  # e.g. a write-only folder: the rename itself is done
    try:
        os.fsync(fd)
    except OSError as exc:
        if exc.errno not in _FOLDER_SYNC_UNSUPPORTED:
            raise
    finally:
        os.close(fd)


def _remove_quietly(tmp: Path) -> None:
    try:
        os.unlink(tmp)
    except OSError:
        pass


def sync_file_system(folder: str | os.PathLike[str]) -> None:
    """Flush every write on the file system that holds ``folder`` to the disk (``syncfs``; ``sync`` where
    syncfs is missing): the one sync after a batch of ``atomic_write(..., durable=False)``."""
    if os.name == "nt":  # pragma: no cover - no syncfs; the writes were atomic, not durable
        return
    fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        if _syncfs(fd) != 0:
            os.sync()
    finally:
        os.close(fd)


def _syncfs(fd: int) -> int:
    """``syncfs(fd)`` through libc (Linux); -1 where it is not available."""
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        return int(libc.syncfs(fd))
    except (OSError, AttributeError):
        return -1


def csv_text(header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> str:
    """A CSV table as text (``\\n`` line ends), as :func:`write_csv` writes it."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def write_csv(path: str | os.PathLike[str], header: Sequence[Any], rows: Iterable[Sequence[Any]], *,
              parents: bool = False) -> Path:
    """Write a CSV table (UTF-8, ``\\n`` line ends) atomically; returns ``path``."""
    return atomic_write(path, csv_text(header, rows), parents=parents)


def remove_stale_temps(folder: str | os.PathLike[str], patterns: tuple[str, ...] = ()) -> int:
    """Delete temp files that killed processes left under ``folder`` (recursively); returns how many.

    Only for folders no other process is writing to right now. ``patterns``
    adds glob patterns (e.g. temp names of older versions).
    """
    count = 0
    for pattern in (f".*{TEMP_MARK}*", *patterns):
        for tmp in Path(folder).rglob(pattern):
            try:
                tmp.unlink()
                count += 1
            except OSError:
                pass
    return count


@dataclass(frozen=True)
class Record:
    """A JSON record as read: its stamp (None for files written before stamps) and its data."""

    kind: str | None
    version: int | None
    data: dict[str, Any]


def write_record(path: str | os.PathLike[str], kind: str, version: int, data: dict[str, Any], *,
                 default: Callable[[Any], Any] | None = None, parents: bool = False) -> Path:
    """Write ``data`` as indented JSON stamped ``{"kind": kind, "version": version}``, atomically.

    ``default`` converts values JSON cannot hold (as in :func:`json.dumps`).
    """
    return atomic_write(path, record_text(kind, version, data, default=default), parents=parents)


def record_text(kind: str, version: int, data: dict[str, Any], *,
                default: Callable[[Any], Any] | None = None) -> str:
    """The text :func:`write_record` writes: ``data`` stamped with kind and version, indented JSON."""
    for key, value in (("kind", kind), ("version", version)):
        if key in data and data[key] != value:
            raise ValueError(f"record data has {key}={data[key]!r}, stamped {value!r}")
    stamped = {"kind": kind, "version": version, **data}
    return json.dumps(stamped, indent=2, default=default) + "\n"


def check_record(data: Any, kind: str, max_version: int, where: str | os.PathLike[str] | None = None,
                 error: type[PainXAIError] = RecordError) -> Record:
    """Check a parsed record's stamp: ``kind`` must match (or be absent), version at most ``max_version``."""
    if not isinstance(data, dict):
        raise error("not a JSON object", where)
    stamp = data.get("kind")
    if stamp is not None and stamp != kind:
        raise error(f"this is a {stamp!r} file, not a {kind!r} file", where)
    version = data.get("version")
    if version is not None:
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise error(f"version {version!r} is not a whole number >= 1", where)
        if version > max_version:
            raise error(f"written by a newer PainXAI (version {version}; this one reads up to "
                        f"{max_version}); update PainXAI", where)
    rest = {k: v for k, v in data.items() if k not in ("kind", "version")}
    return Record(stamp, version, rest)


def read_record(path: str | os.PathLike[str], kind: str, max_version: int,
                error: type[PainXAIError] = RecordError) -> Record:
    """Read and check a JSON record; raises ``error`` (a typed error naming ``path``) when it cannot."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise error("file not found", path) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise error(f"not readable JSON ({exc})", path) from None
    except OSError as exc:
        raise error(f"cannot read the file ({exc.strerror or exc})", path) from None
    return check_record(data, kind, max_version, path, error)
