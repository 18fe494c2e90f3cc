"""Selection controls: buttons for the curation actions (from the action table) and what they act on."""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

from painxai_gui.gui.docks.explanation_dock import fixed_label

#: action ids shown as buttons, two to a row (the actions themselves come from actions.ACTIONS)
BUTTONS = (
    "select_toggle", "mark_in", "mark_out",
    "select_range", "unselect_range", "clear_slot",
    "suggest", "suggest_confidence", "accept_suggestions",
    "exclude_subject", "include_subject", "add_to_panel",
    "undo", "redo",
)
COLUMNS = 2


class SelectionDock(QtWidgets.QDockWidget):
    def __init__(self, actions: dict[str, QtGui.QAction], parent: QtWidgets.QWidget | None = None):
        super().__init__("Selection", parent)
        self.setObjectName("selection")
        body = QtWidgets.QWidget()
        layout = QtWidgets.QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(3)
        self.state = fixed_label("no video", lines=3)
        layout.addWidget(self.state)
        grid = QtWidgets.QGridLayout()
        grid.setSpacing(2)
        for i, action_id in enumerate(a for a in BUTTONS if a in actions):
            button = QtWidgets.QToolButton()
            button.setDefaultAction(actions[action_id])
            button.setToolButtonStyle(QtCore.Qt.ToolButtonStyle.ToolButtonTextOnly)
            button.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)
            button.setSizePolicy(QtWidgets.QSizePolicy.Policy.Ignored, QtWidgets.QSizePolicy.Policy.Fixed)
            button.setMinimumWidth(60)
            grid.addWidget(button, i // COLUMNS, i % COLUMNS)
        layout.addLayout(grid)
        self.history = fixed_label("", lines=4)
        self.history.setStyleSheet("color: #888;")
        layout.addWidget(self.history)
        layout.addStretch(1)
        self.setWidget(body)

    def set_state(self, text: str, history: str = "") -> None:
        self.state.setText(text)
        self.history.setText(history)
