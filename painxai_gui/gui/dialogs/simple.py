"""Small dialogs: the exclusion reason, keyboard and method help (from the action table and the method
registry), a text report."""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from painxai_gui.explain.help import method_help
from painxai_gui.gui.actions import key_table


class ReasonDialog(QtWidgets.QDialog):
    """Asks why a subject is excluded; ``reasonGiven(text)`` on OK (an empty reason is refused)."""

    reasonGiven = QtCore.Signal(str)

    def __init__(self, subject: str, parent: QtWidgets.QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(f"Exclude subject {subject}")
        self.text = QtWidgets.QLineEdit(placeholderText="e.g. turned away from the camera and talked")
        self.text.setMinimumWidth(360)
        buttons = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.StandardButton.Ok
                                             | QtWidgets.QDialogButtonBox.StandardButton.Cancel)
        self.ok = buttons.button(QtWidgets.QDialogButtonBox.StandardButton.Ok)
        self.ok.setEnabled(False)
        self.text.textChanged.connect(lambda t: self.ok.setEnabled(bool(t.strip())))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(QtWidgets.QLabel(f"Why is subject <b>{subject}</b> excluded? "
                                          "The reason is saved in the project and its audit log."))
        layout.addWidget(self.text)
        layout.addWidget(buttons)
        self.accepted.connect(lambda: self.reasonGiven.emit(self.text.text().strip()))
        self.setAttribute(QtCore.Qt.WidgetAttribute.WA_DeleteOnClose)


class HelpDialog(QtWidgets.QDialog):
    """Every keyboard shortcut (from the action table) and every explanation method with how to read its
    colours (from the registry and ``explain/help.py``), so neither is ever out of date."""

    def __init__(self, parent: QtWidgets.QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Keys and methods")
        self.table = _table(["Keys", "Action", "Menu"], key_table())
        notes = QtWidgets.QLabel("On the slot timeline: click or drag to scrub, shift-drag to select a range. "
                                 "On the probability and region timelines: click to jump, wheel to zoom all "
                                 "timelines, double-click to show the whole video.")
        notes.setWordWrap(True)
        self.methods = _table(["Method", "What it shows", "How to read its colours"],
                              [(m.name, m.shows, m.reading) for m in method_help()], wrap=True)
        close = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(self.table, 2)
        layout.addWidget(notes)
        layout.addWidget(QtWidgets.QLabel("<b>Explanation methods</b> (the same colours in the docks, the "
                                          "overlay and exported panels)"))
        layout.addWidget(self.methods, 3)
        layout.addWidget(close)
        self.resize(940, 780)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.methods.resizeRowsToContents()  # wrapped rows need the final column widths


def _table(headers: list[str], rows, wrap: bool = False) -> QtWidgets.QTableWidget:
    table = QtWidgets.QTableWidget(len(rows), len(headers))
    table.setHorizontalHeaderLabels(headers)
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            item = QtWidgets.QTableWidgetItem(text)
            item.setToolTip(text)
            table.setItem(r, c, item)
    table.verticalHeader().hide()
    table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
    header = table.horizontalHeader()
    if wrap:
        table.setWordWrap(True)
        table.resizeColumnToContents(0)
        for c in range(1, len(headers)):
            header.setSectionResizeMode(c, QtWidgets.QHeaderView.ResizeMode.Stretch)
        table.resizeRowsToContents()
    else:
        table.resizeColumnsToContents()
        header.setStretchLastSection(True)
    return table


class TextDialog(QtWidgets.QDialog):
    """A read-only monospaced text (reports)."""

    def __init__(self, title: str, text: str, parent: QtWidgets.QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        view = QtWidgets.QPlainTextEdit(text, readOnly=True)
        view.setLineWrapMode(QtWidgets.QPlainTextEdit.LineWrapMode.NoWrap)
        font = view.font()
        font.setFamily("monospace")
        view.setFont(font)
        close = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(view)
        layout.addWidget(close)
        self.resize(820, 560)
        self.setAttribute(QtCore.Qt.WidgetAttribute.WA_DeleteOnClose)
