"""Typed errors of the core. Files and stores raise these; only the GUI shows dialogs.

Every error names the file (when there is one) and the problem in plain words,
so the message can be shown to a researcher as it is.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Callable, Union


class PainXAIError(Exception):
    """Base of every error the core raises on bad input."""

    def __init__(self, message: str, path: str | Path | None = None):
        self.path = Path(path) if path is not None else None
        self.problem = message
        super().__init__(f"{self.path}: {message}" if self.path is not None else message)


class ModelFileError(PainXAIError):
    """A model, weights or sidecar file is missing, unreadable, unsafe or inconsistent."""


class VideoError(PainXAIError):
    """A video is missing, cannot be opened, or a frame cannot be decoded."""

    def __init__(self, message: str, path: str | Path | None = None, frame: int | None = None):
        self.frame = frame
        if frame is not None:
            message = f"{message} (frame {frame})"
        super().__init__(message, path)


class ProxyError(VideoError):
    """A video's intra-frame proxy is damaged, stale, or cannot be made exact; the source is read instead."""


class DatasetError(PainXAIError):
    """A dataset root, manifest or index cannot be used."""


class FaceError(PainXAIError):
    """The face pipeline cannot run (e.g. the landmark model is missing)."""


class ProjectError(PainXAIError):
    """A curation project file cannot be created, opened or written."""


class ExplainError(PainXAIError):
    """An explanation method cannot run on this model or input (e.g. an unsupported layer)."""


class ExportError(PainXAIError):
    """A figure panel or data export cannot be written."""


class ProjectLockedError(ProjectError):
    """Another process holds the project's writer lock; says who, as the lock file records it.

    ``annotator``, ``host`` and ``pid`` are None when the lock file does not say.
    The project can still be opened read-only.
    """

    def __init__(self, path: str | Path | None, annotator: str | None = None, host: str | None = None,
                 pid: int | None = None):
        self.annotator, self.host, self.pid = annotator, host, pid
        if annotator is None and host is None and pid is None:
            holder = "by another process"
        else:
            holder = f"by {annotator or '?'}, pid {pid if pid is not None else '?'} on {host or '?'}"
        super().__init__(f"project is already open for writing ({holder}); "
                         "close it there or open it read-only", path)


class ProjectReadOnlyError(ProjectError):
    """The project cannot be opened for writing here (read-only media, folder or file); ``reason`` says
    which. It can still be opened read-only."""

    def __init__(self, path: str | Path | None, reason: str):
        self.reason = reason
        super().__init__(f"cannot open the project for writing: {reason}; open it read-only to view it", path)


class QuotaError(ProjectError):
    """A selection would put more frames in a slot than the quota; ``slots`` lists
    ``(slot, frames_after, quota)`` (slot 1-based). Selecting beyond the quota needs an explicit override."""

    def __init__(self, path: str | Path | None, video: str, slots: list[tuple[int, int, int]]):
        self.video, self.slots = video, list(slots)
        where = ", ".join(f"slot {s} would hold {n} frames" for s, n, _ in self.slots)
        quota = self.slots[0][2] if self.slots else 0
        super().__init__(f"{video}: {where}, the quota is {quota}; unselect frames first, or select beyond "
                         "the quota on purpose (recorded in the audit log)", path)


class FileWriteError(PainXAIError, OSError):
    """A file could not be written (disk full, permission denied, ...); the old file, if any, is intact.

    Also an :class:`OSError` (``errno`` is the system's code) so that code written
    for plain file errors keeps working.
    """

    def __init__(self, message: str, path: str | Path | None = None, errno: int | None = None):
        super().__init__(message, path)
        self.errno = errno  # not strerror: OSError.__str__ would then drop the message


class RecordError(PainXAIError):
    """A JSON record is missing, unreadable, of another kind or written by a newer version."""


class Cancelled(Exception):
    """Work stopped because its ``cancel`` hook fired (or a newer request superseded it).

    Not a :class:`PainXAIError`: nothing is wrong with the input. Every core
    cancellation (explanations, training, panel export) is this or a subclass,
    so callers tell a cancel from a failure with ``isinstance``.
    """

    def __init__(self, message: str = "cancelled"):
        super().__init__(message)


class ExportCancelled(Cancelled):
    """A figure-panel export was cancelled; nothing was written."""


CancelHook = Union[Callable[[], bool], threading.Event, None]


def cancel_check(cancel: CancelHook) -> Callable[[], bool]:
    """A ``cancel`` hook (None, a callable returning bool, or a ``threading.Event``) as a callable."""
    if cancel is None:
        return lambda: False
    if hasattr(cancel, "is_set"):  # threading.Event or alike
        return cancel.is_set  # type: ignore[union-attr]
    return lambda: bool(cancel())


class StudyError(PainXAIError):
    """A study (``painxai study``) cannot run or report: bad inputs, a folder made with other settings."""
