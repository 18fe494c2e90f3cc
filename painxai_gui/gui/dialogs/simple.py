"""Small dialogs: the exclusion reason, keyboard help (from the action table), a text report."""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

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
    """Every keyboard shortcut, read from the action table (so it is never out of date)."""

    def __init__(self, parent: QtWidgets.QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Keyboard help")
        rows = key_table()
        self.table = QtWidgets.QTableWidget(len(rows), 3)
        self.table.setHorizontalHeaderLabels(["Keys", "Action", "Menu"])
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                self.table.setItem(r, c, QtWidgets.QTableWidgetItem(text))
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setStretchLastSection(True)
        notes = QtWidgets.QLabel("On the slot timeline: click or drag to scrub, shift-drag to select a range. "
                                 "On the probability timeline: click to jump.")
        notes.setWordWrap(True)
        close = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(notes)
        layout.addWidget(close)
        self.resize(560, 640)


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
