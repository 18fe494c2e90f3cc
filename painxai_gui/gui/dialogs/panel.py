"""Figure panel dialog: the frames collected with "Add to panel", methods, target, format and DPI.

It only gathers choices; the export itself is the same composer as
``painxai explain`` (:func:`painxai_gui.export.panel_job.make_panel`), run by
the file controller in a worker with this dialog's progress bar and Cancel.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from PySide6 import QtCore, QtWidgets

FORMATS = ("png", "pdf", "svg")


@dataclass(frozen=True)
class PanelFrame:
    """One collected frame: the face crop, its landmarks and where it came from."""

    video_id: str
    frame: int
    category: str | None  # the video's dataset category
    crop: np.ndarray
    landmarks: np.ndarray | None = None  # the crop's 68 landmarks (crop pixels): region shares in the record

    @property
    def source(self) -> str:
        return f"{Path(self.video_id).stem}_f{self.frame:05d}"


@dataclass(frozen=True)
class PanelChoice:
    frames: tuple[PanelFrame, ...]
    methods: tuple[str, ...]
    target: str
    out: Path
    dpi: int
    options: dict[str, dict[str, Any]] = field(default_factory=dict)


class PanelDialog(QtWidgets.QDialog):
    exportRequested = QtCore.Signal(object)  # PanelChoice
    cancelRequested = QtCore.Signal()

    def __init__(self, frames: list[PanelFrame], methods: list[tuple[str, str]], chosen: list[str],
                 out: Path, parent: QtWidgets.QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Export figure panel")
        self.frames = list(frames)
        self.items = QtWidgets.QListWidget()
        self._fill_frames()
        remove = QtWidgets.QPushButton("Remove frame")
        remove.clicked.connect(self._remove)
        self.methods = QtWidgets.QListWidget()
        for method_id, title in methods:
            item = QtWidgets.QListWidgetItem(title)
            item.setData(QtCore.Qt.ItemDataRole.UserRole, method_id)
            item.setCheckState(QtCore.Qt.CheckState.Checked if method_id in chosen else QtCore.Qt.CheckState.Unchecked)
            self.methods.addItem(item)
        self.target = QtWidgets.QComboBox()
        self.target.addItems(["predicted", "true"])
        self.format = QtWidgets.QComboBox()
        self.format.addItems([f.upper() for f in FORMATS])
        self.format.currentTextChanged.connect(self._format_changed)
        self.dpi = QtWidgets.QSpinBox(minimum=50, maximum=1200, value=300, singleStep=50)
        self.out = QtWidgets.QLineEdit(str(out))
        browse = QtWidgets.QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        self.progress = QtWidgets.QProgressBar()
        self.progress.hide()
        self.status = QtWidgets.QLabel()
        self.status.setWordWrap(True)
        self.buttons = QtWidgets.QDialogButtonBox()
        self.export_button = self.buttons.addButton("Export", QtWidgets.QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self.buttons.addButton(QtWidgets.QDialogButtonBox.StandardButton.Close)
        self.export_button.clicked.connect(self._export)
        self.cancel_button.clicked.connect(self._close_or_cancel)
        self._layout(remove, browse)
        self._running = False
        self._format_changed(self.format.currentText())

    def _layout(self, remove: QtWidgets.QPushButton, browse: QtWidgets.QPushButton) -> None:
        form = QtWidgets.QFormLayout()
        form.addRow("Target", self.target)
        form.addRow("Format", self.format)
        form.addRow("DPI", self.dpi)
        out_row = QtWidgets.QHBoxLayout()
        out_row.addWidget(self.out, 1)
        out_row.addWidget(browse)
        form.addRow("File", out_row)
        lists = QtWidgets.QHBoxLayout()
        left = QtWidgets.QVBoxLayout()
        left.addWidget(QtWidgets.QLabel("Rows (frames)"))
        left.addWidget(self.items)
        left.addWidget(remove)
        right = QtWidgets.QVBoxLayout()
        right.addWidget(QtWidgets.QLabel("Columns (methods)"))
        right.addWidget(self.methods)
        lists.addLayout(left)
        lists.addLayout(right)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addLayout(lists)
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        self.resize(640, 520)

    def _fill_frames(self) -> None:
        self.items.clear()
        for f in self.frames:
            self.items.addItem(f"{f.video_id}  frame {f.frame}  (true: {f.category or '?'})")

    def _remove(self) -> None:
        row = self.items.currentRow()
        if 0 <= row < len(self.frames):
            del self.frames[row]
            self._fill_frames()

    def _format_changed(self, text: str) -> None:
        path = Path(self.out.text() or "panel.png")
        self.out.setText(str(path.with_suffix("." + text.lower())))

    def _browse(self) -> None:
        fmt = self.format.currentText().lower()
        path, _ = QtWidgets.QFileDialog.getSaveFileName(self, "Panel file", self.out.text(),
                                                        f"{fmt.upper()} (*.{fmt})")
        if path:
            self.out.setText(str(Path(path).with_suffix("." + fmt)))

    def choice(self) -> PanelChoice:
        methods = tuple(self.methods.item(i).data(QtCore.Qt.ItemDataRole.UserRole)
                        for i in range(self.methods.count())
                        if self.methods.item(i).checkState() == QtCore.Qt.CheckState.Checked)
        return PanelChoice(tuple(self.frames), methods, self.target.currentText(), Path(self.out.text()),
                           self.dpi.value())

    def _export(self) -> None:
        choice = self.choice()
        if not choice.frames or not choice.methods:
            self.status.setText("Add at least one frame (Add to panel, P) and choose at least one method.")
            return
        self.set_running(True)
        self.exportRequested.emit(choice)

    def _close_or_cancel(self) -> None:
        if self._running:
            self.cancelRequested.emit()
        else:
            self.reject()

    def set_running(self, running: bool, text: str = "") -> None:
        self._running = running
        self.export_button.setEnabled(not running)
        self.cancel_button.setText("Cancel" if running else "Close")
        self.progress.setVisible(running)
        if running:
            self.progress.setRange(0, 0)
        if text:
            self.status.setText(text)

    def set_progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
