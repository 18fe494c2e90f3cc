"""Figure panel dialog: methods, target, colour scale, format, DPI and file for the Panel dock's rows.

The rows (and the title) are the Panel dock's: the dialog lists them and
follows the dock while it is open, but rows are added, ordered and removed
there. It only gathers choices; the export itself is the same composer as
``painxai explain`` (:func:`painxai_gui.export.panel_job.make_panel`), run by
the panel controller in a worker with this dialog's progress bar and Cancel.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

from PySide6 import QtCore, QtWidgets

from painxai_gui.export.panel import DEFAULT_SCALE, FORMATS

#: colour scales as offered: (value, text)
SCALE_CHOICES = (("tile", "per tile (each map to its own max)"),
                 ("column", "shared per column (one scale per method)"))


@dataclass(frozen=True)
class PanelChoice:
    methods: tuple[str, ...]
    target: str
    out: Path
    dpi: int
    scale: str = DEFAULT_SCALE


class PanelDialog(QtWidgets.QDialog):
    exportRequested = QtCore.Signal(object)  # PanelChoice
    cancelRequested = QtCore.Signal()

    def __init__(self, rows: list[str], methods: list[tuple[str, str]], chosen: list[str], out: Path,
                 title: str = "", parent: QtWidgets.QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Export figure panel")
        self.items = QtWidgets.QListWidget()
        self.items.setWordWrap(True)
        self.items.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.NoSelection)
        self.title = QtWidgets.QLabel()
        self.title.setWordWrap(True)
        self.set_rows(rows, title)
        self.methods = QtWidgets.QListWidget()
        for method_id, name in methods:
            item = QtWidgets.QListWidgetItem(name)
            item.setData(QtCore.Qt.ItemDataRole.UserRole, method_id)
            item.setCheckState(QtCore.Qt.CheckState.Checked if method_id in chosen else QtCore.Qt.CheckState.Unchecked)
            self.methods.addItem(item)
        self.target = QtWidgets.QComboBox()
        self.target.addItems(["predicted", "true"])
        self.scale = QtWidgets.QComboBox()
        for value, text in SCALE_CHOICES:
            self.scale.addItem(text, value)
        self.scale.setCurrentIndex([v for v, _ in SCALE_CHOICES].index(DEFAULT_SCALE))
        self.format = QtWidgets.QComboBox()
        self.format.addItems([f.upper() for f in FORMATS])
        self.dpi = QtWidgets.QSpinBox(minimum=50, maximum=1200, value=300, singleStep=50)
        self.out = QtWidgets.QLineEdit(str(out))
        self.out.setMinimumWidth(420)
        self.out.textChanged.connect(lambda text: self.out.setToolTip(text))
        self.out.setToolTip(str(out))
        self.format.setCurrentText(out.suffix.lstrip(".").upper() if out.suffix.lstrip(".") in FORMATS else "PNG")
        self.format.currentTextChanged.connect(self._format_changed)
        browse = QtWidgets.QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        self.progress = QtWidgets.QProgressBar()
        self.progress.hide()
        self.status = QtWidgets.QLabel()
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        self.buttons = QtWidgets.QDialogButtonBox()
        self.export_button = self.buttons.addButton("Export", QtWidgets.QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self.buttons.addButton(QtWidgets.QDialogButtonBox.StandardButton.Close)
        self.export_button.clicked.connect(self._export)
        self.cancel_button.clicked.connect(self._close_or_cancel)
        self._layout(browse)
        self._running = False
        self._format_changed(self.format.currentText())

    def _layout(self, browse: QtWidgets.QPushButton) -> None:
        form = QtWidgets.QFormLayout()
        form.addRow("Target", self.target)
        form.addRow("Colour scale", self.scale)
        form.addRow("Format", self.format)
        form.addRow("DPI", self.dpi)
        out_row = QtWidgets.QHBoxLayout()
        out_row.addWidget(self.out, 1)
        out_row.addWidget(browse)
        form.addRow("File", out_row)
        lists = QtWidgets.QHBoxLayout()
        left = QtWidgets.QVBoxLayout()
        left.addWidget(QtWidgets.QLabel("Rows (order and remove them in the Panel dock)"))
        left.addWidget(self.title)
        left.addWidget(self.items)
        right = QtWidgets.QVBoxLayout()
        right.addWidget(QtWidgets.QLabel("Columns (methods)"))
        right.addWidget(self.methods)
        lists.addLayout(left, 3)
        lists.addLayout(right, 2)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addLayout(lists)
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        self.resize(760, 560)

    def set_rows(self, rows: list[str], title: str = "") -> None:
        """The dock's rows as text (one per row, in order) and the panel's title."""
        self.items.clear()
        for n, text in enumerate(rows, start=1):
            item = QtWidgets.QListWidgetItem(f"{n}. {text}")
            item.setToolTip(text)
            self.items.addItem(item)
        self.row_count = len(rows)
        self.title.setText(f"Title: <b>{html.escape(title)}</b>" if title else "No title (set one in the Panel dock)")

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
        return PanelChoice(methods, self.target.currentText(), Path(self.out.text()), self.dpi.value(),
                           self.scale.currentData())

    def _export(self) -> None:
        choice = self.choice()
        if not self.row_count or not choice.methods:
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
