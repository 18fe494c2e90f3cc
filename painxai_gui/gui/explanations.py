"""The explanation docks: add and remove them, feed them analysed frames, save and restore them.

Docks are named ``explain-1``, ``explain-2``...; their settings and the
window layout (``QMainWindow.saveState``) are stored in QSettings, so the
same docks with the same settings come back at the next start.

One app-wide switch sets every method's ``convention`` option (standard |
thesis) on all docks and on every new one; each dock can still differ through
its option form (the indicator then says "mixed"). The switch is stored in
QSettings, each dock's own value with its options.
"""

from __future__ import annotations

import json
from typing import Any

from PySide6 import QtCore, QtGui, QtWidgets

from painxai_gui.explain.base import CONVENTIONS
from painxai_gui.gui.docks.explanation_dock import ExplanationDock, method_groups, registry
from painxai_gui.gui.session import Session

DEFAULT_METHODS = ("gradcam", "lrp.preset_a_flat")
AREA = QtCore.Qt.DockWidgetArea.RightDockWidgetArea


class Explanations(QtCore.QObject):
    changed = QtCore.Signal()  # docks added, removed or retitled
    conventionChanged = QtCore.Signal(str, bool)  # the app-wide convention; True when some dock differs

    def __init__(self, window: QtWidgets.QMainWindow, session: Session, video_view, status,
                 parent: QtCore.QObject | None = None):
        super().__init__(parent)
        self.window, self.session, self.video_view, self.status = window, session, video_view, status
        self.docks: dict[str, ExplanationDock] = {}
        self._counter = 0
        self._analysis = None
        self._failure: Exception | None = None  # why the current frame could not be analysed (model error)
        self.convention = CONVENTIONS[0]  # app-wide: set on every dock and every new one
        session.modelChanged.connect(self._model_changed)
        session.videoChanged.connect(lambda _v: self._clear_all("waiting for a face…"))
        video_view.overlaySourceChanged.connect(self._overlay_changed)
        self.changed.connect(self._sources_changed)

    # -- docks -----------------------------------------------------------------------------
    def add(self, method: str = DEFAULT_METHODS[0], settings: dict[str, Any] | None = None,
            name: str | None = None) -> ExplanationDock:
        if name is None or name in self.docks:
            self._counter += 1
            name = f"explain-{self._counter}"
            while name in self.docks:
                self._counter += 1
                name = f"explain-{self._counter}"
        if method not in registry():
            method = DEFAULT_METHODS[0]
        dock = ExplanationDock(name, method, self.window)
        if settings:
            dock.apply_settings(settings)
        if "convention" not in ((settings or {}).get("options") or {}):
            dock.set_convention(self.convention)
        dock.options.changed.connect(self._report_convention)
        dock.set_classes(self.session.class_names)
        dock.heatmapReady.connect(self._heatmap)
        dock.closed.connect(self.remove)
        dock.titleChanged.connect(self._retitled)
        dock.feeds_overlay = name == self.video_view.overlay_name()
        dock.set_shown_frame(self.video_view.shown_frame)
        self.docks[name] = dock
        others = [d for d in self.docks.values() if d is not dock and not d.isFloating() and d.isVisible()]
        self.window.addDockWidget(AREA, dock)
        if len(others) >= 3:  # a fourth viewer shares a place as a tab: the window keeps its minimum size
            self.window.tabifyDockWidget(others[-1], dock)
            dock.raise_()
            QtCore.QTimer.singleShot(0, dock, dock.raise_)  # the new tab exists only once the layout ran
        elif len(others) == 2:  # a third one beside the second: all three in sight, the column keeps its height
            self.window.splitDockWidget(others[-1], dock, QtCore.Qt.Orientation.Horizontal)
        elif others:
            self.window.splitDockWidget(others[-1], dock, QtCore.Qt.Orientation.Vertical)
        dock.show()
        self.changed.emit()
        if self._failure is not None:
            dock.show_error(self._failure)
        self._feed(dock)
        self._report_convention()
        return dock

    def next_method(self) -> str:
        """The first method no dock shows: the defaults, then the thesis order, then the others."""
        shown = {d.method_id for d in self.docks.values()}
        ordered = (*DEFAULT_METHODS, *(m for group in method_groups() for m in group))
        return next((m for m in ordered if m not in shown), DEFAULT_METHODS[0])

    def add_default(self) -> ExplanationDock:
        """A new dock with :meth:`next_method`."""
        return self.add(self.next_method())

    def ask_method(self) -> QtWidgets.QMenu:
        """Ctrl+D: which method? A menu at the cursor in thesis order; Enter takes the first method not shown."""
        menu = QtWidgets.QMenu(self.window)
        menu.setAttribute(QtCore.Qt.WidgetAttribute.WA_DeleteOnClose)
        shown = {d.method_id for d in self.docks.values()}
        default = self.next_method()
        for i, group in enumerate(method_groups()):
            if i and group:
                menu.addSeparator()
            for method in group:
                title = registry()[method].display_name + ("  (shown)" if method in shown else "")
                action = menu.addAction(title)
                action.setData(method)
                action.triggered.connect(lambda _checked=False, m=method: self.add(m))
                if method == default:
                    menu.setDefaultAction(action)
        where = QtGui.QCursor.pos()
        if not self.window.frameGeometry().contains(where):
            where = self.window.mapToGlobal(self.window.rect().center())
        menu.popup(where, menu.defaultAction())
        menu.setActiveAction(menu.defaultAction())
        self.method_menu = menu
        return menu

    # -- convention ------------------------------------------------------------------------------
    def set_convention(self, value: str) -> None:
        """The app-wide switch: every dock (and every new one) explains with ``value``."""
        if value not in CONVENTIONS:
            raise ValueError(f"unknown convention {value!r}; use one of {', '.join(CONVENTIONS)}")
        self.convention = value
        for dock in self.docks.values():
            dock.set_convention(value)
        self._report_convention()

    def _report_convention(self) -> None:
        mixed = any(d.convention() not in (None, self.convention) for d in self.docks.values())
        self.conventionChanged.emit(self.convention, mixed)

    def remove(self, name: str) -> None:
        dock = self.docks.pop(name, None)
        if dock is None:
            return
        dock.shutdown()
        self.window.removeDockWidget(dock)
        dock.deleteLater()
        self.changed.emit()
        self._report_convention()

    def remove_all(self) -> None:
        for name in list(self.docks):
            self.remove(name)

    # -- frames ------------------------------------------------------------------------------
    def dispatch(self, analysis) -> None:
        """A newly analysed frame: every dock explains it on its own channel."""
        self._analysis, self._failure = analysis, None
        for dock in self.docks.values():
            self._feed(dock)

    def _feed(self, dock: ExplanationDock) -> None:
        analysis = self._analysis
        if analysis is None or self.session.model is None:
            return
        if not analysis.ok:
            dock.clear(analysis.reason or "no face")
        elif analysis.x is not None:
            dock.request(analysis, self.session.model, self.session.video.category if self.session.video else None)

    def show_failure(self, error: Exception) -> None:
        """The frame could not be analysed (e.g. the model gives NaN): every dock says why, not "waiting"."""
        self._analysis, self._failure = None, error
        for dock in self.docks.values():
            dock.show_error(error)

    def _clear_all(self, message: str) -> None:
        self._analysis = None
        for dock in self.docks.values():
            dock.clear(message, regions="—")
            dock.set_shown_frame(None)
        self.video_view.set_shown_frame(None)
        self.video_view.set_heatmap(None)

    def _model_changed(self, loaded) -> None:
        names = tuple(loaded.spec.class_names) if loaded is not None else ()
        for dock in self.docks.values():
            dock.set_classes(names)

    def catch_up(self) -> None:
        """The window came back (from minimised): docks now seen explain the current frame."""
        for dock in self.docks.values():
            dock.catch_up()

    def frame_shown(self, frame: int | None) -> None:
        """The frame now on screen: every dock marks a result of another frame stale."""
        for dock in self.docks.values():
            dock.set_shown_frame(frame)

    # -- overlay on the video --------------------------------------------------------------------
    def overlay_sources(self) -> list[tuple[str, str]]:
        return [(n, f"dock {_number(n)}: {d.title()}") for n, d in self.docks.items()]

    def _sources_changed(self) -> None:
        self.video_view.set_overlay_sources(self.overlay_sources())

    def _retitled(self, name: str) -> None:
        """A dock changed its method: if it fed the overlay, the overlay goes off (never silently another method)."""
        if name == self.video_view.overlay_name():
            self.video_view.set_overlay_sources(self.overlay_sources(), "")
            self.session.status.emit(f"Heatmap overlay off: dock {_number(name)} now shows "
                                     f"{self.docks[name].title()}; choose the overlay again above the video")
        self.changed.emit()

    def _overlay_changed(self, name: str) -> None:
        for dock_name, dock in self.docks.items():
            dock.feeds_overlay = dock_name == name
        dock = self.docks.get(name)
        overlay = dock.overlay() if dock is not None else None
        if overlay is None:
            self.video_view.set_heatmap(None)
        else:
            self.video_view.set_heatmap(overlay.display, overlay.frame, overlay.box)
        if dock is not None:
            dock.catch_up()  # a hidden dock that becomes the overlay's source computes again

    def _heatmap(self, name: str, overlay) -> None:
        if name == self.video_view.overlay_name() and overlay is not None:
            self.video_view.set_heatmap(overlay.display, overlay.frame, overlay.box)

    # -- settings -------------------------------------------------------------------------------
    def save(self, settings: QtCore.QSettings) -> None:
        settings.setValue("explanations", json.dumps([d.settings() for d in self.docks.values()]))
        settings.setValue("overlay", self.video_view.overlay_name())
        settings.setValue("convention", self.convention)

    def restore(self, settings: QtCore.QSettings) -> bool:
        """Recreate the saved docks (before ``restoreState``); False when nothing was saved."""
        convention = settings.value("convention")
        if convention in CONVENTIONS:
            self.convention = convention
        self._report_convention()
        raw = settings.value("explanations")
        if raw is None:
            return False
        try:
            saved = json.loads(raw)
        except (TypeError, ValueError):
            return False
        for item in saved:
            if isinstance(item, dict):
                self.add(item.get("method", DEFAULT_METHODS[0]), item, name=item.get("name"))
        self._counter = max([_number(n) for n in self.docks] + [0])
        overlay = settings.value("overlay")
        self.video_view.set_overlay_sources(self.overlay_sources(), overlay if isinstance(overlay, str) else None)
        self._report_convention()
        return True

    def shutdown(self) -> None:
        for dock in self.docks.values():
            dock.shutdown()


def _number(name: str) -> int:
    try:
        return int(name.rsplit("-", 1)[1])
    except (IndexError, ValueError):
        return 0
