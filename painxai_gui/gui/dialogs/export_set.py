"""The balanced-set export dialog: a preview of what will be written, before anything is.

It shows the balance plan (:meth:`Project.balance`): frames per category and
their difference from pain, the verdict, and the subjects left out and why
(excluded, or which slots are short). An unbalanced set is exported only when
"export anyway" is ticked; a folder that holds files no export wrote only
when "write beside them" is ticked (the export never changes or deletes
them). ``exportRequested(ExportChoice)`` starts the export; ``choose_*`` let
tests drive it without clicks.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6 import QtCore, QtWidgets


@dataclass(frozen=True)
class ExportChoice:
    out: Path
    allow_unbalanced: bool
    force: bool
    folds: int = 5


class ExportSetDialog(QtWidgets.QDialog):
    exportRequested = QtCore.Signal(object)  # ExportChoice

    def __init__(self, plan, out: Path, folder_problem: str | None, parent: QtWidgets.QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Export balanced set")
        self.plan, self.out = plan, out
        self.verdict = QtWidgets.QLabel(self._verdict_text())
        self.verdict.setWordWrap(True)
        self.counts = _table(["category", "frames", "vs pain"], self._count_rows())
        self.left_out = _table(["subject", "why it is left out"], [(i.subject, _why(i)) for i in plan.left_out])
        self.allow = QtWidgets.QCheckBox("Export anyway: the set is NOT balanced (recorded in the audit log)")
        self.allow.setVisible(plan.total > 0 and not plan.balanced)
        note = f"<br>{folder_problem}" if folder_problem else ""
        self.folder = QtWidgets.QLabel(f"Output folder: <b>{out}</b>{note}")
        self.folder.setWordWrap(True)
        self.force = QtWidgets.QCheckBox("Write beside the files already in this folder (none of them is changed)")
        self.force.setVisible(folder_problem is not None)
        subjects = max(1, len(plan.subjects))
        self.folds = QtWidgets.QSpinBox(minimum=1, maximum=subjects, value=min(5, subjects))
        self.folds.setToolTip("Subject-wise folds (no subject in two folds): at most one per subject in the set")
        folds_row = QtWidgets.QHBoxLayout()
        folds_row.addWidget(QtWidgets.QLabel("Subject-wise folds:"))
        folds_row.addWidget(self.folds)
        folds_row.addStretch(1)
        buttons = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.StandardButton.Cancel)
        self.export_button = buttons.addButton("Export", QtWidgets.QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self._export)
        buttons.rejected.connect(self.reject)
        for box in (self.allow, self.force):
            box.toggled.connect(self._update)
        layout = QtWidgets.QVBoxLayout(self)
        for widget in (self.verdict, self.counts, QtWidgets.QLabel(f"Subjects left out ({len(plan.left_out)}):"),
                       self.left_out, self.allow, self.folder, self.force):
            layout.addWidget(widget)
        layout.addLayout(folds_row)
        layout.addWidget(buttons)
        self.resize(720, 520)
        self.setAttribute(QtCore.Qt.WidgetAttribute.WA_DeleteOnClose)
        self._update()

    # -- for tests and keyboard users ---------------------------------------------------------------
    def choose_unbalanced(self, allow: bool = True) -> None:
        self.allow.setChecked(allow)

    def choose_force(self, force: bool = True) -> None:
        self.force.setChecked(force)

    # ------------------------------------------------------------------------------------------------
    def _verdict_text(self) -> str:
        plan = self.plan
        head = (f"Will write <b>{plan.total}</b> frames from {len(plan.subjects)} subjects "
                f"(quota {plan.quota} per slot).")
        if plan.total == 0:
            return head + "<br><span style='color:#e66'>Nothing to export: no subject is complete.</span>"
        if plan.balanced:
            return head + (f"<br><span style='color:#7c7'>Balanced: every category within {plan.tolerance:.0%} "
                           "of pain.</span>")
        return head + (f"<br><span style='color:#e66'>NOT balanced: a category differs from pain by more than "
                       f"{plan.tolerance:.0%}.</span> Complete the short slots, or export anyway.")

    def _count_rows(self) -> list[tuple[str, str, str]]:
        gaps = self.plan.gaps()
        return [(c, str(n), "" if gaps.get(c) is None else f"{gaps[c]:+.1%}")
                for c, n in self.plan.per_category.items()]

    def _update(self) -> None:
        plan = self.plan
        ok = plan.total > 0 and (plan.balanced or self.allow.isChecked())
        ok = ok and (not self.force.isVisible() or self.force.isChecked())
        self.export_button.setEnabled(ok)

    def _export(self) -> None:
        if not self.export_button.isEnabled():
            return
        self.exportRequested.emit(ExportChoice(self.out, self.allow.isChecked(), self.force.isChecked(),
                                               self.folds.value()))
        self.accept()


def _why(item) -> str:
    if not item.short:
        return item.reason
    slots = "; ".join(s.text() for s in item.short[:4])
    more = f"; and {len(item.short) - 4} more" if len(item.short) > 4 else ""
    return f"{item.reason}: {slots}{more}"


def _table(headers: list[str], rows: list[tuple]) -> QtWidgets.QTableWidget:
    table = QtWidgets.QTableWidget(len(rows), len(headers))
    table.setHorizontalHeaderLabels(headers)
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            table.setItem(r, c, QtWidgets.QTableWidgetItem(str(text)))
    table.verticalHeader().hide()
    table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
    table.resizeColumnsToContents()
    table.horizontalHeader().setStretchLastSection(True)
    return table
