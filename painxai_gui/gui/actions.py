"""The action table: id, title, shortcut, handler, menu. Menus, toolbar, buttons and F1 help read it.

A handler is ``"<controller>.<method>"``; :func:`build_actions` resolves it
against the controllers the main window passes in, so no handler lives here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping

from PySide6 import QtCore, QtGui, QtWidgets


@dataclass(frozen=True)
class ActionSpec:
    id: str
    title: str
    shortcut: tuple[str, ...]
    handler: str
    menu: str
    toolbar: bool = False
    tip: str = ""


def _a(id: str, title: str, keys: str | tuple[str, ...], handler: str, menu: str,
       toolbar: bool = False, tip: str = "") -> ActionSpec:
    keys = (keys,) if isinstance(keys, str) and keys else (keys or ())
    return ActionSpec(id, title, tuple(keys), handler, menu, toolbar, tip)


FILE, PLAY, CURATE, VIEW, HELP = "&File", "&Playback", "&Curation", "&View", "&Help"

#: View > Convention: (value of every method's ``convention`` option, menu text, tip)
CONVENTION_CHOICES: tuple[tuple[str, str, str], ...] = (
    ("standard", "&Standard", "Textbook definitions of every method (methods.md; as Captum and Zennit)"),
    ("thesis", "&Thesis", "The conventions of the tools the thesis used (iNNvestigate 1.0.x, keras-gradcam): "
                          "reproduces the thesis's figures"),
)

ACTIONS: tuple[ActionSpec, ...] = (
    _a("open_dataset", "Open dataset…", "Ctrl+Shift+O", "files.open_dataset", FILE, True,
       "Browse a dataset folder (no curation)"),
    _a("new_project", "New project from dataset…", "Ctrl+N", "files.new_project", FILE, False,
       "Index a dataset folder into a new curation project file"),
    _a("open_project", "Open project…", "Ctrl+O", "files.open_project", FILE, True),
    _a("open_model", "Open model…", "Ctrl+M", "files.open_model", FILE, True,
       "A .keras/.h5 model with its .json sidecar"),
    _a("export_panel", "Export figure panel…", "Ctrl+E", "panel.export", FILE, True,
       "Rows = the frames in the Figure panel dock, columns = original + methods"),
    _a("export_set", "Export balanced set…", "Ctrl+Shift+E", "files.export_set", FILE, False,
       "Face crops + manifest with subject-wise folds"),
    _a("report", "Balance report…", "Ctrl+R", "files.report", FILE, False, "Tables 4.1/4.2 of the thesis"),
    _a("open_study", "Open study…", "", "study.open_study", FILE, False,
       "A folder written by painxai study run: regions per class with intervals, average faces, clusters, their frames"),
    _a("relocate", "Relocate dataset…", "", "admin.relocate", FILE, False,
       "Point the project to its dataset folder after the folder was moved"),
    _a("quit", "Quit", "Ctrl+Q", "window.close", FILE),
    _a("play", "Play / pause", "Space", "playback.toggle", PLAY, True),
    _a("prev_frame", "Previous frame", "Left", "playback.prev_frame", PLAY),
    _a("next_frame", "Next frame", "Right", "playback.next_frame", PLAY),
    _a("back_second", "Back one second", "Shift+Left", "playback.back_second", PLAY),
    _a("forward_second", "Forward one second", "Shift+Right", "playback.forward_second", PLAY),
    _a("first_frame", "First frame", "Home", "playback.first_frame", PLAY),
    _a("last_frame", "Last frame", "End", "playback.last_frame", PLAY),
    _a("prev_slot", "Previous slot", "[", "playback.prev_slot", PLAY),
    _a("next_slot", "Next slot", "]", "playback.next_slot", PLAY),
    _a("prev_video", "Previous video", "PgUp", "playback.prev_video", PLAY),
    _a("next_video", "Next video", "PgDown", "playback.next_video", PLAY),
    _a("select_toggle", "Select / unselect frame", "S", "curation.toggle_frame", CURATE, True),
    _a("select_beyond_quota", "Select beyond quota", "Shift+S", "curation.select_beyond_quota", CURATE, False,
       "Select the frame although its slot holds the quota already (recorded in the audit log)"),
    _a("mark_in", "Mark in", "I", "curation.mark_in", CURATE, False, "Start of a range"),
    _a("mark_out", "Mark out", "O", "curation.mark_out", CURATE, False, "End of a range"),
    _a("select_range", "Select range", "Ctrl+S", "curation.select_range", CURATE, False,
       "Select every frame between the in and out marks (or shift-drag on the timeline)"),
    _a("unselect_range", "Unselect range", "Ctrl+Shift+S", "curation.unselect_range", CURATE),
    _a("clear_slot", "Clear slot", "Ctrl+Del", "curation.clear_slot", CURATE, False,
       "Unselect every frame of the current slot"),
    _a("suggest", "Suggest (spread)", "Ctrl+G", "curation.suggest_spread", CURATE, False,
       "Suggest frames evenly spread over each slot up to the quota (frames with a face)"),
    _a("suggest_confidence", "Suggest (confidence)", "Ctrl+Shift+G", "curation.suggest_confidence", CURATE,
       False, "Suggest the frames where the model is most confident of the video's category"),
    _a("accept_suggestions", "Accept suggestions", "Ctrl+Return", "curation.accept_suggestions", CURATE),
    _a("exclude_subject", "Exclude subject…", "Ctrl+X", "curation.exclude_subject", CURATE, False,
       "Exclude the current video's subject, with a reason"),
    _a("include_subject", "Include subject", "Ctrl+Shift+X", "curation.include_subject", CURATE),
    _a("undo", "Undo", "Ctrl+Z", "curation.undo", CURATE, True),
    _a("redo", "Redo", ("Ctrl+Shift+Z", "Ctrl+Y"), "curation.redo", CURATE, True),
    _a("set_quota", "Set quota…", "", "admin.set_quota", CURATE, False,
       "Frames to select per slot: a fixed number or computed to balance the classes"),
    _a("slot_count", "Slots per video…", "", "admin.set_slots", CURATE, False,
       "How many equal time slots each emotion video is split into"),
    _a("annotator", "Annotator name…", "", "curation.ask_annotator", CURATE, False,
       "The name written with every selection and in the audit log"),
    _a("add_to_panel", "Add to panel", "P", "panel.add_frame", CURATE, True,
       "Add the current frame to the figure panel (Figure panel dock)"),
    _a("add_explanation", "Add explanation dock…", "Ctrl+D", "explanations.ask_method", VIEW, True,
       "Choose a method for a new explanation dock (Enter: the first method no dock shows)"),
    _a("fit_view", "Fit frame", "F", "window.fit_view", VIEW),
    _a("zoom_face", "Zoom to face", "Z", "window.toggle_zoom", VIEW),
    _a("reset_layout", "Reset layout", "", "window.reset_layout", VIEW),
    _a("help_keys", "Keyboard help", "F1", "window.show_help", HELP),
)


def build_actions(parent: QtWidgets.QWidget, handlers: Mapping[str, Any],
                  specs: tuple[ActionSpec, ...] = ACTIONS) -> dict[str, QtGui.QAction]:
    """QActions for the table, added to ``parent`` so their shortcuts work anywhere in its window."""
    actions = {}
    for spec in specs:
        owner, _, method = spec.handler.partition(".")
        handler = getattr(handlers[owner], method)
        action = QtGui.QAction(spec.title, parent)
        action.setObjectName(spec.id)
        if spec.shortcut:
            action.setShortcuts([QtGui.QKeySequence(k) for k in spec.shortcut])
            action.setShortcutContext(QtCore.Qt.ShortcutContext.WindowShortcut)
        tip = spec.tip or spec.title
        keys = ", ".join(spec.shortcut)
        action.setToolTip(f"{tip} ({keys})" if keys else tip)
        action.setStatusTip(tip)
        action.triggered.connect(lambda _checked=False, h=handler: h())
        parent.addAction(action)
        actions[spec.id] = action
    return actions


def build_menus(window: QtWidgets.QMainWindow, actions: dict[str, QtGui.QAction],
                specs: tuple[ActionSpec, ...] = ACTIONS) -> dict[str, QtWidgets.QMenu]:
    menus: dict[str, QtWidgets.QMenu] = {}
    for spec in specs:
        menu = menus.get(spec.menu)
        if menu is None:
            menu = menus[spec.menu] = window.menuBar().addMenu(spec.menu)
        menu.addAction(actions[spec.id])
    return menus


def build_choice_menu(menu: QtWidgets.QMenu, title: str, choices: tuple[tuple[str, str, str], ...],
                      on_choose: Callable[[str], Any]) -> dict[str, QtGui.QAction]:
    """A submenu of exclusive checkable choices ``(value, text, tip)``; a click calls ``on_choose(value)``."""
    sub = menu.addMenu(title)
    group = QtGui.QActionGroup(sub)
    group.setExclusive(True)
    actions = {}
    for value, text, tip in choices:
        action = QtGui.QAction(text, sub, checkable=True)
        action.setObjectName(f"{title.replace('&', '').lower()}_{value}")
        action.setToolTip(tip)
        action.setStatusTip(tip)
        action.triggered.connect(lambda _checked=False, v=value: on_choose(v))
        group.addAction(action)
        sub.addAction(action)
        actions[value] = action
    sub.setToolTipsVisible(True)
    return actions


def build_toolbar(window: QtWidgets.QMainWindow, actions: dict[str, QtGui.QAction],
                  specs: tuple[ActionSpec, ...] = ACTIONS) -> QtWidgets.QToolBar:
    bar = window.addToolBar("Main")
    bar.setObjectName("toolbar")
    bar.setToolButtonStyle(QtCore.Qt.ToolButtonStyle.ToolButtonTextOnly)
    menu = None
    for spec in specs:
        if spec.toolbar:
            if menu is not None and spec.menu != menu:
                bar.addSeparator()
            menu = spec.menu
            bar.addAction(actions[spec.id])
    for button in bar.findChildren(QtWidgets.QToolButton):
        button.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)
    return bar


def key_table(specs: tuple[ActionSpec, ...] = ACTIONS) -> list[tuple[str, str, str]]:
    """``(keys, title, menu)`` for every action with a shortcut (the F1 help)."""
    return [(" or ".join(QtGui.QKeySequence(k).toString(QtGui.QKeySequence.SequenceFormat.NativeText)
                         for k in s.shortcut), s.title, s.menu.replace("&", ""))
            for s in specs if s.shortcut]
