"""Project settings dialogs: the per-slot quota, slots per video, and the dataset-root relocation.

They only gather a choice and emit it; the controller (:mod:`painxai_gui.gui.project_admin`)
makes the one call into the Qt-free project. Values can be set programmatically
(``set_quota`` / ``set_computed`` / ``set_slots``) so tests drive them without clicks.
"""

from __future__ import annotations

from pathlib import Path

from PySide6 import QtCore, QtWidgets

Buttons = QtWidgets.QDialogButtonBox.StandardButton

MAX_QUOTA = 1_000_000
MAX_SLOTS = 10


def quota_formula(pain_frames: int, subjects: int, slots: int, computed: int) -> str:
    """``ceil(828 pain frames / (3 subjects x 3 slots)) = 92``."""
    return f"ceil({pain_frames} pain frames / ({subjects} subjects x {slots} slots)) = {computed}"


class QuotaDialog(QtWidgets.QDialog):
    """Frames per slot: a number, or "computed to balance" (``quotaChosen(None)``)."""

    quotaChosen = QtCore.Signal(object)  # int, or None = compute from the data

    def __init__(self, quota: int, is_set: bool, computed: int, formula: str,
                 parent: QtWidgets.QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Set quota")
        self.computed_value = computed
        self.spin = QtWidgets.QSpinBox(minimum=0, maximum=MAX_QUOTA, value=int(quota))
        self.spin.setSuffix(" frames per slot")
        self.manual = QtWidgets.QRadioButton("Fixed quota:")
        self.computed = QtWidgets.QRadioButton(f"Computed to balance the classes: {computed}")
        self.formula = QtWidgets.QLabel(formula)
        self.formula.setObjectName("formula")
        self.formula.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        self.computed.toggled.connect(lambda on: self.spin.setEnabled(not on))
        (self.manual if is_set else self.computed).setChecked(True)
        self.spin.setEnabled(is_set)
        row = QtWidgets.QHBoxLayout()
        row.addWidget(self.manual)
        row.addWidget(self.spin, 1)
        note = QtWidgets.QLabel("Every slot of every emotion video aims at this many selected frames. "
                                "The change is saved at once and can be undone (Ctrl+Z).")
        note.setWordWrap(True)
        buttons = QtWidgets.QDialogButtonBox(Buttons.Ok | Buttons.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.computed)
        indent = QtWidgets.QHBoxLayout()
        indent.addSpacing(24)
        indent.addWidget(self.formula, 1)
        layout.addLayout(indent)
        layout.addWidget(note)
        layout.addWidget(buttons)
        self.accepted.connect(lambda: self.quotaChosen.emit(self.choice()))
        self.setAttribute(QtCore.Qt.WidgetAttribute.WA_DeleteOnClose)

    def set_quota(self, value: int) -> None:
        self.manual.setChecked(True)
        self.spin.setValue(int(value))

    def set_computed(self) -> None:
        self.computed.setChecked(True)

    def choice(self) -> int | None:
        return None if self.computed.isChecked() else self.spin.value()


class SlotsDialog(QtWidgets.QDialog):
    """Slots per video, 1..10 (``slotsChosen(n)``)."""

    slotsChosen = QtCore.Signal(int)

    def __init__(self, slots: int, parent: QtWidgets.QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Slots per video")
        self.spin = QtWidgets.QSpinBox(minimum=1, maximum=MAX_SLOTS, value=max(1, min(int(slots), MAX_SLOTS)))
        self.spin.setSuffix(" slots per video")
        note = QtWidgets.QLabel("Each emotion video is split into this many equal time slots. Selections stay; "
                                "they are re-binned into the new slots. A computed quota is computed again. "
                                "The change is saved at once and can be undone (Ctrl+Z).")
        note.setWordWrap(True)
        buttons = QtWidgets.QDialogButtonBox(Buttons.Ok | Buttons.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(self.spin)
        layout.addWidget(note)
        layout.addWidget(buttons)
        self.accepted.connect(lambda: self.slotsChosen.emit(self.spin.value()))
        self.setAttribute(QtCore.Qt.WidgetAttribute.WA_DeleteOnClose)

    def set_slots(self, n: int) -> None:
        self.spin.setValue(int(n))


class MissingRootDialog(QtWidgets.QDialog):
    """The project's dataset folder is gone: name it and offer "Locate dataset folder…" (``locateRequested``)."""

    locateRequested = QtCore.Signal()

    def __init__(self, project_path: Path, root: Path, read_only: bool,
                 parent: QtWidgets.QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Dataset folder not found")
        text = (f"The dataset folder of the project <b>{project_path.name}</b> is missing:<br><br>"
                f"<tt>{root}</tt><br><br>It was moved, renamed or is not mounted. "
                "Videos cannot be shown until the project points to the folder's new place.")
        if read_only:
            text += ("<br><br>This project is open <b>read-only</b> here, so it cannot be relocated; "
                     "close it where it is open for writing and open it again.")
        self.message = QtWidgets.QLabel(text)
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QtWidgets.QDialogButtonBox()
        self.locate = buttons.addButton("Locate dataset folder…", QtWidgets.QDialogButtonBox.ButtonRole.AcceptRole)
        self.locate.setEnabled(not read_only)
        if read_only:
            self.locate.setToolTip("Read-only project: cannot be relocated here")
        self.close_button = buttons.addButton(Buttons.Close)
        self.locate.clicked.connect(self._locate)
        self.close_button.clicked.connect(self.reject)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.resize(560, 220)
        self.setAttribute(QtCore.Qt.WidgetAttribute.WA_DeleteOnClose)

    def _locate(self) -> None:
        self.accept()
        self.locateRequested.emit()


class RelocateProblemDialog(QtWidgets.QMessageBox):
    """Relocation refused (e.g. videos missing in the new folder): "Relocate anyway" or Cancel."""

    anywayRequested = QtCore.Signal()

    def __init__(self, problem: str, folder: Path, parent: QtWidgets.QWidget | None = None):
        super().__init__(QtWidgets.QMessageBox.Icon.Warning, "Relocate dataset",
                         f"Cannot relocate the project to this folder:\n\n{problem}", parent=parent)
        self.setInformativeText(f"Folder: {folder}\n\nRelocate anyway? Missing videos stay unavailable "
                                "until they are put back.")
        self.anyway = self.addButton("Relocate anyway", QtWidgets.QMessageBox.ButtonRole.AcceptRole)
        self.cancel = self.addButton(QtWidgets.QMessageBox.StandardButton.Cancel)
        self.setDefaultButton(self.cancel)
        self.buttonClicked.connect(lambda b: self.anywayRequested.emit() if b is self.anyway else None)
        self.setAttribute(QtCore.Qt.WidgetAttribute.WA_DeleteOnClose)

    def relocate_anyway(self) -> None:
        self.anyway.click()
