"""Selection controls: buttons for the curation actions (from the action table) and what they act on."""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

from painxai_gui.gui.docks.explanation_dock import fixed_label

#: rows of action ids shown as buttons (the actions themselves come from actions.ACTIONS)
BUTTON_ROWS = (
    ("select_toggle", "mark_in", "mark_out", "select_range", "unselect_range"),
    ("clear_slot", "suggest", "suggest_confidence", "accept_suggestions"),
    ("exclude_subject", "include_subject", "undo", "redo", "add_to_panel"),
)


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
        for ids in BUTTON_ROWS:
            row = QtWidgets.QHBoxLayout()
            row.setSpacing(2)
            for action_id in ids:
                if action_id in actions:
                    button = QtWidgets.QToolButton()
                    button.setDefaultAction(actions[action_id])
                    button.setToolButtonStyle(QtCore.Qt.ToolButtonStyle.ToolButtonTextOnly)
                    button.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)
                    button.setSizePolicy(QtWidgets.QSizePolicy.Policy.Expanding,
                                         QtWidgets.QSizePolicy.Policy.Fixed)
                    row.addWidget(button)
            layout.addLayout(row)
        self.history = fixed_label("", lines=4)
        self.history.setStyleSheet("color: #888;")
        layout.addWidget(self.history)
        layout.addStretch(1)
        self.setWidget(body)

    def set_state(self, text: str, history: str = "") -> None:
        self.state.setText(text)
        self.history.setText(history)
