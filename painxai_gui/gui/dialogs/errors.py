"""Errors shown to the user: which file, what is wrong; the app keeps running.

The core raises typed errors naming the file; here they become a non-blocking
message box (``open()``, never a nested event loop), and every shown error is
kept in ``history`` so tests can assert on it.
"""

from __future__ import annotations

import logging

from PySide6 import QtCore, QtWidgets

from painxai_gui import errors

log = logging.getLogger(__name__)

TITLES = {
    errors.ModelFileError: "Model file problem",
    errors.VideoError: "Video problem",
    errors.ProjectError: "Project problem",
    errors.DatasetError: "Dataset problem",
    errors.FaceError: "Face pipeline problem",
    errors.ExplainError: "Explanation problem",
    errors.ExportError: "Export problem",
    errors.FileWriteError: "Could not write a file",
    errors.RecordError: "File problem",
}


def describe(error: BaseException) -> tuple[str, str, str]:
    """(title, main text, file line) for an error."""
    for kind, title in TITLES.items():
        if isinstance(error, kind):
            problem = getattr(error, "problem", str(error))
            path = getattr(error, "path", None)
            return title, str(problem), f"File: {path}" if path is not None else ""
    return "Unexpected error", f"{type(error).__name__}: {error}", ""


class ErrorReporter(QtCore.QObject):
    """Shows errors as dialogs parented to a window; remembers them (newest last)."""

    reported = QtCore.Signal(object)

    def __init__(self, parent_widget: QtWidgets.QWidget | None = None, *, quiet: bool = False):
        super().__init__(parent_widget)
        self.parent_widget = parent_widget
        self.quiet = quiet  # tests and screenshots: record, do not pop up
        self.history: list[BaseException] = []
        self._open: list[QtWidgets.QMessageBox] = []

    def show(self, error: BaseException, details: str = "", context: str = "") -> None:
        self.history.append(error)
        title, text, file_line = describe(error)
        log.warning("%s: %s %s", title, text, file_line)
        self.reported.emit(error)
        if self.quiet:
            return
        box = QtWidgets.QMessageBox(QtWidgets.QMessageBox.Icon.Warning, title,
                                    f"{context}\n\n{text}".strip(), parent=self.parent_widget)
        info = [file_line] if file_line else []
        if not isinstance(error, errors.PainXAIError):
            info.append("This is a bug in PainXAI; your curated work is saved.")
        box.setInformativeText("\n".join(info))
        if details and not isinstance(error, errors.PainXAIError):
            box.setDetailedText(details)
        box.setAttribute(QtCore.Qt.WidgetAttribute.WA_DeleteOnClose)
        box.finished.connect(lambda _r, b=box: self._open.remove(b) if b in self._open else None)
        self._open.append(box)
        box.open()

    def __call__(self, error: BaseException, details: str = "") -> None:
        self.show(error, details)
