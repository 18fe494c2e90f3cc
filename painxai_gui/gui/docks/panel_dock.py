"""The Panel dock: the figure panel's rows as thumbnails (subject, category, frame), in panel order.

Drag a row to reorder (or Move up / down), Del or Remove to drop the selected
rows, a title for the panel, Add frame (P) and Export… (Ctrl+E) from the
action table. The dock only shows and asks: every change goes to the panel
controller as a signal, which changes the rows where they are kept (the
project file, or memory) and sets them here again.
"""

from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

from painxai_gui.gui.docks.explanation_dock import fixed_label

THUMB = 72  # thumbnail side, pixels
ORDER_ROLE = QtCore.Qt.ItemDataRole.UserRole  # an item's row index when the rows were last set


class PanelDock(QtWidgets.QDockWidget):
    reorderRequested = QtCore.Signal(list)   # new order: old row indices
    removeRequested = QtCore.Signal(list)    # row indices
    titleEdited = QtCore.Signal(str)
    shown = QtCore.Signal()                  # became visible (thumbnails may be due)

    def __init__(self, actions: dict[str, QtGui.QAction], parent: QtWidgets.QWidget | None = None):
        super().__init__("Figure panel", parent)
        self.setObjectName("panel")
        self.note = fixed_label("", lines=2)
        self.note.setStyleSheet("color: #999;")
        self.title = QtWidgets.QLineEdit(placeholderText="Panel title (optional)")
        self.title.editingFinished.connect(lambda: self.titleEdited.emit(self.title.text().strip()))
        self.list = self._row_list()
        QtGui.QShortcut(QtGui.QKeySequence(QtGui.QKeySequence.StandardKey.Delete), self.list, self.remove_selected,
                        context=QtCore.Qt.ShortcutContext.WidgetShortcut)
        body = QtWidgets.QWidget()
        layout = QtWidgets.QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(3)
        layout.addWidget(self.note)
        layout.addWidget(self.title)
        layout.addWidget(self.list, 1)
        layout.addLayout(self._buttons(actions))
        self.setWidget(body)
        self._reorder_timer = QtCore.QTimer(self, singleShot=True, interval=0)
        self._reorder_timer.timeout.connect(self._emit_order)
        self.visibilityChanged.connect(lambda visible: self.shown.emit() if visible else None)

    def _row_list(self) -> QtWidgets.QListWidget:
        rows = QtWidgets.QListWidget()
        rows.setIconSize(QtCore.QSize(THUMB, THUMB))
        rows.setWordWrap(True)
        rows.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.ExtendedSelection)
        rows.setDragDropMode(QtWidgets.QAbstractItemView.DragDropMode.InternalMove)
        rows.setDefaultDropAction(QtCore.Qt.DropAction.MoveAction)
        rows.setMinimumHeight(THUMB + 8)
        rows.model().rowsMoved.connect(lambda *_: self._reorder_timer.start())  # a drag moves rows in the model
        return rows

    def _buttons(self, actions: dict[str, QtGui.QAction]) -> QtWidgets.QGridLayout:
        """Two short rows of buttons (add, export / up, down, remove): the dock stays narrow."""
        grid = QtWidgets.QGridLayout()
        grid.setSpacing(2)
        column = 0
        for action_id, text in (("add_to_panel", "Add frame"), ("export_panel", "Export…")):
            if action_id in actions:
                button = QtWidgets.QToolButton()
                button.setDefaultAction(actions[action_id])
                button.setText(text)
                button.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)
                grid.addWidget(button, 0, column)
                column += 1
        for column, (text, tip, slot) in enumerate((
                ("Up", "Move the selected row up", lambda: self.move_selected(-1)),
                ("Down", "Move the selected row down", lambda: self.move_selected(1)),
                ("Remove", "Remove the selected rows (Del)", self.remove_selected))):
            button = QtWidgets.QToolButton(text=text, toolTip=tip)
            button.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)
            button.clicked.connect(slot)
            grid.addWidget(button, 1, column)
        grid.setColumnStretch(3, 1)
        return grid

    # -- what the controller sets ------------------------------------------------------------------
    def set_rows(self, rows: list[tuple[str, str]]) -> None:
        """Rows as ``(text, tooltip)`` in panel order; selection kept by position where it can be."""
        selected = self.selected_rows()
        self.list.clear()
        for n, (text, tip) in enumerate(rows):
            item = QtWidgets.QListWidgetItem(f"{n + 1}. {text}")
            item.setToolTip(tip)
            item.setData(ORDER_ROLE, n)
            item.setSizeHint(QtCore.QSize(THUMB * 3, THUMB + 6))
            self.list.addItem(item)
        for n in selected:
            if n < self.list.count():
                self.list.item(n).setSelected(True)

    def set_thumbnail(self, row: int, crop: np.ndarray | None) -> None:
        item = self.list.item(row)
        if item is not None:
            item.setIcon(QtGui.QIcon(_pixmap(crop)) if crop is not None else QtGui.QIcon())

    def set_note(self, text: str) -> None:
        self.note.setText(text)

    def set_title(self, text: str) -> None:
        if self.title.text() != text and not self.title.hasFocus():
            self.title.setText(text)

    # -- what the user asks ---------------------------------------------------------------------------
    def selected_rows(self) -> list[int]:
        return sorted(self.list.row(item) for item in self.list.selectedItems())

    def remove_selected(self) -> None:
        rows = self.selected_rows()
        if rows:
            self.removeRequested.emit(rows)

    def move_selected(self, delta: int) -> None:
        rows = self.selected_rows()
        if len(rows) != 1:
            return
        order = list(range(self.list.count()))
        dst = max(0, min(len(order) - 1, rows[0] + delta))
        order.insert(dst, order.pop(rows[0]))
        if order != sorted(order):
            self.list.setCurrentRow(dst)
            self.reorderRequested.emit(order)

    def _emit_order(self) -> None:
        """After a drag: the items' previous row indices in their new order."""
        order = [int(self.list.item(i).data(ORDER_ROLE)) for i in range(self.list.count())]
        if order != sorted(order):
            self.reorderRequested.emit(order)


def _pixmap(crop: np.ndarray) -> QtGui.QPixmap:
    rgb = np.ascontiguousarray(crop[..., :3], dtype=np.uint8)
    h, w = rgb.shape[:2]
    image = QtGui.QImage(rgb.data, w, h, 3 * w, QtGui.QImage.Format.Format_RGB888).copy()
    return QtGui.QPixmap.fromImage(image).scaled(THUMB, THUMB, QtCore.Qt.AspectRatioMode.KeepAspectRatio,
                                                 QtCore.Qt.TransformationMode.SmoothTransformation)
