"""The main window: a composition root. It builds views, docks (from a list) and actions (from the table),
wires their signals, and saves/restores the layout. Behaviour lives in the controllers it creates.
"""

from __future__ import annotations

import json
from types import SimpleNamespace

import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from painxai_gui.gui import main_thread_gc
from painxai_gui.gui.actions import CONVENTION_CHOICES, build_actions, build_choice_menu, build_menus, build_toolbar
from painxai_gui.gui.curation_ui import CurationUI
from painxai_gui.gui.dialogs.errors import ErrorReporter
from painxai_gui.gui.dialogs.simple import HelpDialog
from painxai_gui.gui.docks.bars_dock import BarsDock
from painxai_gui.gui.docks.dataset_dock import DatasetDock
from painxai_gui.gui.docks.panel_dock import PanelDock
from painxai_gui.gui.docks.probability_dock import ProbabilityDock
from painxai_gui.gui.docks.region_dock import RegionDock
from painxai_gui.gui.docks.selection_dock import SelectionDock
from painxai_gui.gui.docks.explanation_dock import registry
from painxai_gui.gui.explanations import DEFAULT_METHODS, Explanations
from painxai_gui.gui.files import FileUI
from painxai_gui.gui.panel_ui import PanelUI
from painxai_gui.gui.playback import Playback
from painxai_gui.gui.project_admin import ProjectAdminUI
from painxai_gui.gui.proxies import ProxyPreparer
from painxai_gui.gui.session import Session
from painxai_gui.gui.statusbar import StatusBar
from painxai_gui.gui.study_window import StudyUI
from painxai_gui.gui.viewer import Viewer
from painxai_gui.gui.views.timeline import SlotTimeline
from painxai_gui.gui.views.video_view import VideoView
from painxai_gui.gui.workers import Tasks
from painxai_gui.live.media import MediaPool
from painxai_gui.live.timeline_cache import TimelineCache

STATE_VERSION = 4  # 4: region timeline dock; class bars moved to the left column
Area = QtCore.Qt.DockWidgetArea


class MainWindow(QtWidgets.QMainWindow):
    def __init__(self, settings: QtCore.QSettings | None = None, *, quiet_errors: bool = False,
                 default_docks: bool = True):
        super().__init__()
        self._release_gc = main_thread_gc.hold()  # Qt objects in garbage cycles die on this thread only
        pg.setConfigOptions(imageAxisOrder="row-major", antialias=True)
        self.setWindowTitle("PainXAI")
        self.settings = settings if settings is not None else QtCore.QSettings()
        self.session = Session(self)
        # once every view has dropped the old model: its cycles go, the new model's objects are frozen
        self.session.modelChanged.connect(lambda _m: QtCore.QTimer.singleShot(0, main_thread_gc.refreeze))
        self.errors = ErrorReporter(self, quiet=quiet_errors)
        self.pool, self.cache = MediaPool(), TimelineCache()
        self.tasks = Tasks(self.errors.show, self)
        self.status = StatusBar(self)
        self.setStatusBar(self.status)
        self.video_view, self.timeline = VideoView(), SlotTimeline()
        self.setCentralWidget(self._central())
        self.views = SimpleNamespace(window=self, video=self.video_view, timeline=self.timeline,
                                     probabilities=ProbabilityDock(self), regions=RegionDock(self), bars=BarsDock(self),
                                     selection=None)
        self._controllers()
        self.actions = build_actions(self, self._handlers())
        self.menus = build_menus(self, self.actions)
        self.toolbar = build_toolbar(self, self.actions)
        self.convention_actions = build_choice_menu(self.menus["&View"], "Con&vention", CONVENTION_CHOICES,
                                                    self.explanations.set_convention)
        self.views.selection = SelectionDock(self.actions, self)
        self.panel.attach(PanelDock(self.actions, self))
        self.dataset_dock = DatasetDock(self.session, self)
        self._add_docks()
        self._wire()
        self.curation.refresh_actions()
        self.admin.refresh_actions()
        self.resize(1560, 960)
        self._default_state = self.saveState(STATE_VERSION)
        self.restore_layout(default_docks)

    # -- construction -------------------------------------------------------------------------
    def _central(self) -> QtWidgets.QWidget:
        split = QtWidgets.QSplitter(QtCore.Qt.Orientation.Vertical)
        split.addWidget(self.video_view)
        split.addWidget(self.timeline)
        split.setStretchFactor(0, 1)
        split.setChildrenCollapsible(False)
        return split

    def _controllers(self) -> None:
        s, v = self.session, self.views
        self.viewer = Viewer(s, self.pool, self.cache, v, self.errors, self)
        self.playback = Playback(s, self.viewer, self)
        self.proxies = ProxyPreparer(s, self.pool, self.tasks, self)
        self.explanations = Explanations(self, s, self.video_view, self.status, self)
        self.files = FileUI(s, self, self.tasks, self.errors, self.pool, self.cache, self)
        self.panel = PanelUI(s, self.tasks, self.errors, self.pool, self.settings, self,
                             lambda: self.viewer.last_analysis, self.panel_settings, self)
        self.curation = CurationUI(s, v, self.tasks, self.errors, lambda: getattr(self, "actions", {}),
                                   self.current_subject, self)
        self.admin = ProjectAdminUI(s, self, self.errors, lambda: getattr(self, "actions", {}), self)
        self.study = StudyUI(self, self)

    def _handlers(self) -> dict:
        return {"files": self.files, "playback": self.playback, "curation": self.curation,
                "explanations": self.explanations, "window": self,
                "admin": self.admin, "panel": self.panel, "study": self.study}

    def _add_docks(self) -> None:
        """The fixed docks, from one list: (dock, area). The bottom area holds only the timelines: it spans
        the central widget's width (the bottom corners belong to the side areas), so all tiers line up."""
        self.setCorner(QtCore.Qt.Corner.BottomLeftCorner, Area.LeftDockWidgetArea)
        self.setCorner(QtCore.Qt.Corner.BottomRightCorner, Area.RightDockWidgetArea)
        self.setDockOptions(QtWidgets.QMainWindow.DockOption.AnimatedDocks
                            | QtWidgets.QMainWindow.DockOption.AllowTabbedDocks
                            | QtWidgets.QMainWindow.DockOption.AllowNestedDocks)
        v = self.views
        docks = ((self.dataset_dock, Area.LeftDockWidgetArea), (v.selection, Area.LeftDockWidgetArea),
                 (v.bars, Area.LeftDockWidgetArea), (v.probabilities, Area.BottomDockWidgetArea),
                 (v.regions, Area.BottomDockWidgetArea), (self.panel.dock, Area.LeftDockWidgetArea))
        view_menu = self.menus["&View"]
        view_menu.addSeparator()
        for dock, area in docks:
            self.addDockWidget(area, dock)
            view_menu.addAction(dock.toggleViewAction())
        self.splitDockWidget(v.probabilities, v.regions, QtCore.Qt.Orientation.Vertical)
        for tier in (v.probabilities, v.regions):  # zoom or pan one tier: all follow, frame for frame
            tier.plot.setXLink(self.timeline.box)
        self.tabifyDockWidget(v.selection, self.panel.dock)  # a tab: the window's minimum size stays
        v.selection.raise_()

    def default_sizes(self) -> None:
        """Dock sizes for a first start (a restored layout keeps its own)."""
        horizontal, vertical = QtCore.Qt.Orientation.Horizontal, QtCore.Qt.Orientation.Vertical
        right = [d for d in self.explanations.docks.values() if not d.isFloating()]
        self.resizeDocks([self.dataset_dock, *right[:1]], [380, 380], horizontal)
        self.resizeDocks([self.views.probabilities, self.views.regions], [150, 150], vertical)
        self.resizeDocks([self.dataset_dock, self.views.selection, self.views.bars], [480, 260, 170], vertical)

    def _wire(self) -> None:
        s, st, v = self.session, self.status, self.views
        self.explanations.conventionChanged.connect(self._show_convention)
        self.viewer.frameShown.connect(self.video_view.set_shown_frame)  # results of other frames: stale
        self.viewer.frameShown.connect(self.explanations.frame_shown)
        self.viewer.frameShown.connect(v.bars.set_shown_frame)
        self.viewer.analysed.connect(lambda a: v.bars.set_result_frame(a.frame if a.probs is not None else None))
        self.viewer.analysed.connect(self.explanations.dispatch)
        self.viewer.analysisFailed.connect(self.explanations.show_failure)
        self.viewer.stats.connect(st.set_stat)
        self.viewer.timeline.finished.connect(
            lambda o: self.curation.store_predictions(o.request.video, o.result))
        s.frameChanged.connect(self._show_frame_number)
        s.videoChanged.connect(lambda _v: self._show_frame_number(s.frame))
        s.status.connect(lambda text: st.showMessage(text, 6000))
        s.projectChanged.connect(self._title)
        self.tasks.started.connect(st.task_started)
        self.tasks.ended.connect(st.task_ended)
        self.tasks.progressed.connect(st.task_progress_changed)
        self.files.modelLoaded.connect(st.set_device)
        self.timeline.frameRequested.connect(self._scrub)
        v.probabilities.frameRequested.connect(self._scrub)
        v.regions.frameRequested.connect(self._scrub)
        self.dataset_dock.tree.addActions([self.actions["exclude_subject"], self.actions["include_subject"]])

    # -- small handlers --------------------------------------------------------------------------
    def _scrub(self, frame: int) -> None:
        self.playback.pause()
        self.session.seek(frame)

    def _show_convention(self, convention: str, mixed: bool) -> None:
        self.convention_actions[convention].setChecked(True)
        self.status.set_convention(convention, mixed)

    def _show_frame_number(self, frame: int) -> None:
        video = self.session.video
        if video is not None:
            self.status.set_frame(frame, video.frame_count, video.fps)

    def _title(self, project) -> None:
        if project is None:
            self.setWindowTitle("PainXAI")
        else:
            self.setWindowTitle(f"PainXAI — {project.path.name}" + (" (read-only)" if project.read_only else ""))

    def current_subject(self) -> str | None:
        return self.dataset_dock.selected_subject() or (self.session.video.subject if self.session.video else None)

    def panel_settings(self) -> tuple[list[str], dict]:
        """Methods shown in the explanation docks and their options (defaults for the panel dialog)."""
        methods, options = [], {}
        for dock in self.explanations.docks.values():
            data = dock.settings()
            if data["method"] not in methods:
                methods.append(data["method"])
                options[data["method"]] = data["options"]
        for method in registry():  # methods no dock shows: the app-wide convention
            options.setdefault(method, {"convention": self.explanations.convention})
        return methods, options

    def fit_view(self) -> None:
        self.video_view.zoom_face.setChecked(False)
        self.video_view.fit()

    def toggle_zoom(self) -> None:
        self.video_view.zoom_face.toggle()

    def show_help(self) -> None:
        self.help_dialog = HelpDialog(self)
        self.help_dialog.open()

    # -- layout persistence ------------------------------------------------------------------------
    def restore_layout(self, default_docks: bool = True) -> None:
        st = self.settings
        if not self.explanations.restore(st) and default_docks:
            for method in DEFAULT_METHODS:
                self.explanations.add(method)
        geometry, state = st.value("geometry"), st.value("state")
        if isinstance(geometry, QtCore.QByteArray):
            self.restoreGeometry(geometry)
        restored = isinstance(state, QtCore.QByteArray) and self.restoreState(state, STATE_VERSION)
        if not restored:
            QtCore.QTimer.singleShot(0, self.default_sizes)  # sizes apply once the window is laid out
        try:
            self.video_view.restore(json.loads(st.value("video_view") or "{}"))
        except (TypeError, ValueError):
            pass
        if isinstance(st.value("annotator"), str) and st.value("annotator"):
            self.curation.annotator = st.value("annotator")
        if isinstance(st.value("region_method"), str):
            self.views.regions.set_method(st.value("region_method"))

    def save_layout(self) -> None:
        st = self.settings
        st.setValue("geometry", self.saveGeometry())
        st.setValue("state", self.saveState(STATE_VERSION))
        st.setValue("video_view", json.dumps(self.video_view.state()))
        st.setValue("region_method", self.views.regions.method_id())
        if self.curation.annotator:
            st.setValue("annotator", self.curation.annotator)
        self.explanations.save(st)
        st.sync()

    def reset_layout(self) -> None:
        self.explanations.remove_all()
        for method in DEFAULT_METHODS:
            self.explanations.add(method)
        self.video_view.set_overlay_sources(self.explanations.overlay_sources(), next(iter(self.explanations.docks)))
        self.restoreState(self._default_state, STATE_VERSION)
        self.default_sizes()

    def changeEvent(self, event: QtCore.QEvent) -> None:
        super().changeEvent(event)
        explanations = getattr(self, "explanations", None)
        if explanations is not None and event.type() == QtCore.QEvent.Type.WindowStateChange \
                and not self.isMinimized():
            QtCore.QTimer.singleShot(0, self, explanations.catch_up)  # docks idle while minimised

    # -- shutdown ----------------------------------------------------------------------------------
    def closeEvent(self, event: QtGui.QCloseEvent) -> None:
        self.playback.pause()
        self.save_layout()
        self.files.remember_position()
        self.shutdown()
        super().closeEvent(event)

    def shutdown(self) -> None:
        """Stop every worker, write caches and close the project (idempotent)."""
        if getattr(self, "_shut", False):
            return
        self._shut = True
        self.viewer.shutdown()
        self.explanations.shutdown()
        self.tasks.shutdown()
        self.pool.close()
        self.session.close_project()
        self._release_gc()
