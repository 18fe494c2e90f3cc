"""Balanced-set export: choose a folder (it may not exist yet: the export creates it) and read the result.

Two small pieces the export handler uses: :func:`choose_export_folder` and
:class:`ExportSummaryDialog` (counts per category, folder, manifest, time,
what was skipped and why), instead of one line in an empty text box.
"""

from __future__ import annotations

import html
import time
from pathlib import Path
from typing import Callable

from PySide6 import QtCore, QtGui, QtWidgets


class ExportFolderDialog(QtWidgets.QDialog):
    """A folder path to type or browse to; a folder that does not exist yet is fine (it is created)."""

    def __init__(self, start: Path, parent: QtWidgets.QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Export the balanced set to")
        self.path = QtWidgets.QLineEdit(str(start))
        self.path.setMinimumWidth(460)
        browse = QtWidgets.QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        self.hint = QtWidgets.QLabel()
        self.hint.setWordWrap(True)
        buttons = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.StandardButton.Ok
                                             | QtWidgets.QDialogButtonBox.StandardButton.Cancel)
        self.ok = buttons.button(QtWidgets.QDialogButtonBox.StandardButton.Ok)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.path.textChanged.connect(self._check)
        row = QtWidgets.QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(QtWidgets.QLabel("Face crops, manifest.csv and export.json are written into this folder:"))
        layout.addLayout(row)
        layout.addWidget(self.hint)
        layout.addWidget(buttons)
        self._check(self.path.text())

    def folder(self) -> Path:
        return Path(self.path.text().strip()).expanduser()

    def _check(self, text: str) -> None:
        path = Path(text.strip()).expanduser() if text.strip() else None
        self.ok.setEnabled(path is not None and not path.is_file())
        if path is None:
            self.hint.setText("Type a folder.")
        elif path.is_file():
            self.hint.setText("This is a file, not a folder.")
        elif path.is_dir():
            self.hint.setText("The folder exists: a rerun of this export resumes (unchanged crops are kept); "
                              "files another program put there are never changed.")
        else:
            self.hint.setText("The folder does not exist yet: it will be created.")

    def _browse(self) -> None:
        start = self.folder()
        while not start.is_dir() and start != start.parent:
            start = start.parent
        chosen = QtWidgets.QFileDialog.getExistingDirectory(self, "Folder for the balanced set", str(start))
        if chosen:
            self.path.setText(chosen)


def choose_export_folder(parent: QtWidgets.QWidget, start: Path, then: Callable[[Path], None]) -> ExportFolderDialog:
    """Ask for the export folder (window-modal, not blocking); ``then(folder)`` when accepted."""
    dialog = ExportFolderDialog(start, parent)
    dialog.accepted.connect(lambda: then(dialog.folder()))
    dialog.setAttribute(QtCore.Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog


def summary_html(summary, seconds: float) -> str:
    """An export summary (``curation.export.ExportSummary``) as a small table for people."""
    state = "cancelled" if summary.cancelled else "finished"
    rows = [("Folder", str(summary.out_dir)),
            ("Manifest", str(summary.manifest) if summary.manifest else "not written (cancelled)"),
            ("Time", f"{state} at {time.strftime('%H:%M:%S')} after {seconds:.1f} s")]
    rows += [("Frames", f"{summary.written} written, {summary.skipped_existing} already there "
                        f"(of {summary.planned} planned)")]
    if summary.no_face or summary.unreadable_frames:
        rows.append(("Skipped", f"{summary.no_face} without a face, {summary.unreadable_frames} unreadable"))
    for name, videos in (("Missing videos", summary.missing_videos), ("Unreadable videos", summary.unreadable_videos)):
        if videos:
            rows.append((name, f"{len(videos)} (first: {videos[0]})"))
    body = "".join(f"<tr><td><b>{html.escape(k)}</b></td><td>{html.escape(v)}</td></tr>" for k, v in rows)
    counts = "".join(f"<tr><td>{html.escape(c or '(none)')}</td><td align='right'>{n}</td></tr>"
                     for c, n in summary.per_category.items())
    total = sum(summary.per_category.values())
    table = (f"<p><b>Frames per category in the manifest</b></p><table cellspacing='6'>{counts}"
             f"<tr><td><i>total</i></td><td align='right'><i>{total}</i></td></tr></table>") if counts else ""
    return f"<p><b>Balanced set export {state}</b></p><table cellspacing='6'>{body}</table>{table}"


class ExportSummaryDialog(QtWidgets.QDialog):
    """The export's result as a readable summary, with a button to open the folder."""

    def __init__(self, summary, seconds: float, parent: QtWidgets.QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Export balanced set")
        self.text = QtWidgets.QLabel(summary_html(summary, seconds))
        self.text.setTextFormat(QtCore.Qt.TextFormat.RichText)
        self.text.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text.setWordWrap(True)
        buttons = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.StandardButton.Close)
        open_folder = buttons.addButton("Open folder", QtWidgets.QDialogButtonBox.ButtonRole.ActionRole)
        open_folder.clicked.connect(
            lambda: QtGui.QDesktopServices.openUrl(QtCore.QUrl.fromLocalFile(str(summary.out_dir))))
        buttons.rejected.connect(self.reject)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(buttons)
        self.setMinimumWidth(520)
        self.setAttribute(QtCore.Qt.WidgetAttribute.WA_DeleteOnClose)
