"""The export's ledger: which files in an output folder the export wrote, with size and SHA-256.

``export-ledger.json`` (a :func:`painxai_gui.files.write_record` record,
kind ``painxai-export-ledger``) lists every file the export wrote. While an
export runs, each file's entry is first appended to a journal
(``.export-ledger.journal``, JSON lines) *before* the file is published, so a
killed export still knows every file it may have written; the journal is
folded into the record at the end (after one sync) and removed.

A file is *ours* when the ledger (or journal) lists its path; it is *intact*
when its size and hash still match. The export skips only intact files,
rewrites its own changed files, and never touches a file it does not own:
temp files are removed only when they are the temps of our own names.

:class:`FolderLock` holds an OS lock on the output folder so two exports never
write one folder at once.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Iterable

from painxai_gui.errors import ExportError
from painxai_gui.files import TEMP_MARK, read_record, write_record

try:  # POSIX
    import fcntl
except ImportError:  # pragma: no cover - Windows: no folder lock
    fcntl = None  # type: ignore[assignment]

LEDGER_NAME = "export-ledger.json"
JOURNAL_NAME = ".export-ledger.journal"
KIND, VERSION = "painxai-export-ledger", 1
JOURNAL_KIND = "painxai-export-journal"


@dataclass(frozen=True)
class Entry:
    size: int
    sha256: str

    @classmethod
    def of(cls, data: bytes) -> "Entry":
        return cls(len(data), hashlib.sha256(data).hexdigest())


def file_entry(path: Path) -> Entry | None:
    """Size and SHA-256 of a file on disk; None when it is not a readable regular file."""
    try:
        if not path.is_file():
            return None
        digest = hashlib.sha256()
        with open(path, "rb") as handle:
            size = 0
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
                size += len(block)
        return Entry(size, digest.hexdigest())
    except OSError:
        return None


class Ledger:
    """The files an export owns in ``out_dir`` (relative POSIX paths -> :class:`Entry`)."""

    def __init__(self, out_dir: Path, files: dict[str, Entry] | None = None, found: bool = False):
        self.out_dir = out_dir
        self.files: dict[str, Entry] = dict(files or {})
        self.found = found  # a ledger or journal was there when the export started
        self._journal: IO[str] | None = None

    # -- reading -------------------------------------------------------------------------
    @classmethod
    def load(cls, out_dir: Path) -> "Ledger":
        """The ledger record plus the journal of an interrupted run (an empty ledger when neither exists)."""
        files: dict[str, Entry] = {}
        record_path, journal = out_dir / LEDGER_NAME, out_dir / JOURNAL_NAME
        found = record_path.exists() or journal.exists()
        if record_path.exists():
            record = read_record(record_path, KIND, VERSION, ExportError)
            raw = record.data.get("files")
            if not isinstance(raw, dict):
                raise ExportError("the export ledger lists no files (damaged?); move the folder away", record_path)
            for rel, item in raw.items():
                files[rel] = _entry(item, record_path)
        if journal.exists():
            files.update(_read_journal(journal))
        return cls(out_dir, files, found)

    def owns(self, rel: str) -> bool:
        return rel in self.files

    def intact(self, rel: str) -> bool:
        """Ours, and its bytes on disk are still the ones we wrote."""
        entry = self.files.get(rel)
        return entry is not None and file_entry(self.out_dir / rel) == entry

    # -- writing -------------------------------------------------------------------------
    def intend(self, rel: str, data: bytes) -> None:
        """Record ``rel`` as ours *before* it is written (journal line, flushed to the OS)."""
        entry = Entry.of(data)
        self.files[rel] = entry
        handle = self._open_journal()
        handle.write(json.dumps({"path": rel, "size": entry.size, "sha256": entry.sha256}) + "\n")
        handle.flush()

    def adopt(self, rel: str, entry: Entry) -> None:
        """A file already there that is byte-identical to what we would write becomes ours."""
        self.files[rel] = entry
        handle = self._open_journal()
        handle.write(json.dumps({"path": rel, "size": entry.size, "sha256": entry.sha256}) + "\n")
        handle.flush()

    def forget(self, rel: str) -> None:
        self.files.pop(rel, None)

    def commit(self, keep: Iterable[str], data: dict[str, Any]) -> Path:
        """Write the record with the entries in ``keep`` (durably), then drop the journal."""
        keep = set(keep)
        files = {rel: {"size": e.size, "sha256": e.sha256} for rel, e in sorted(self.files.items()) if rel in keep}
        path = write_record(self.out_dir / LEDGER_NAME, KIND, VERSION, {**data, "files": files})
        self.close()
        (self.out_dir / JOURNAL_NAME).unlink(missing_ok=True)
        return path

    def close(self) -> None:
        if self._journal is not None:
            self._journal.close()
            self._journal = None

    def _open_journal(self) -> IO[str]:
        if self._journal is None:
            path = self.out_dir / JOURNAL_NAME
            fresh = not path.exists()
            self._journal = open(path, "a", encoding="utf-8")
            if fresh:
                self._journal.write(json.dumps({"kind": JOURNAL_KIND, "version": VERSION}) + "\n")
        return self._journal

    # -- temp files ------------------------------------------------------------------------
    def remove_own_temps(self, names: Iterable[str]) -> int:
        """Delete temp files (``.<name>.<random>.painxai-tmp``) of our own names; returns how many."""
        by_folder: dict[Path, set[str]] = {}
        for rel in set(names) | set(self.files):
            target = self.out_dir / rel
            by_folder.setdefault(target.parent, set()).add(target.name[:120])
        removed = 0
        for folder, own in by_folder.items():
            try:
                entries = list(os.scandir(folder))
            except OSError:
                continue
            for entry in entries:
                name = entry.name
                if not (name.startswith(".") and TEMP_MARK in name and entry.is_file(follow_symlinks=False)):
                    continue
                if any(name.startswith(f".{n}.") for n in own):
                    try:
                        os.unlink(entry.path)
                        removed += 1
                    except OSError:
                        pass
        return removed


def _entry(item: Any, where: Path) -> Entry:
    if not (isinstance(item, dict) and isinstance(item.get("size"), int) and isinstance(item.get("sha256"), str)):
        raise ExportError(f"the export ledger has a malformed entry {item!r}; move the folder away", where)
    return Entry(item["size"], item["sha256"])


def _read_journal(path: Path) -> dict[str, Entry]:
    """Entries of the journal; a torn last line (the run was killed while writing it) is skipped."""
    files: dict[str, Entry] = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ExportError(f"cannot read the export journal ({exc})", path) from None
    if lines:
        try:
            head = json.loads(lines[0])
        except ValueError:
            head = None
        if not isinstance(head, dict) or head.get("kind") != JOURNAL_KIND:
            raise ExportError("not an export journal; move the folder away", path)
    for line in lines[1:]:
        try:
            item = json.loads(line)
            files[str(item["path"])] = Entry(int(item["size"]), str(item["sha256"]))
        except (ValueError, KeyError, TypeError):
            continue
    return files


class FolderLock:
    """An exclusive OS lock on the output folder (released when the process ends, even on SIGKILL)."""

    def __init__(self, folder: Path):
        self.folder = folder
        self._fd: int | None = None

    def __enter__(self) -> "FolderLock":
        if fcntl is None:  # pragma: no cover
            return self
        fd = os.open(self.folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise ExportError("another export is writing to this folder right now", self.folder) from None
        self._fd = fd
        return self

    def __exit__(self, *exc: object) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
