"""Typed errors of the core. Files and stores raise these; only the GUI shows dialogs.

Every error names the file (when there is one) and the problem in plain words,
so the message can be shown to a researcher as it is.
"""

from __future__ import annotations

from pathlib import Path


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


class StudyError(PainXAIError):
    """A study (``painxai study``) cannot run or report: bad inputs, a folder made with other settings."""
