"""One explanation viewer: a method from the engine's registry on the current frame's face crop.

Each dock owns a latest-wins channel, so a slow method (LIME) never delays
the frame, the probabilities or another dock; while it runs it shows
progress and can be cancelled, and a newer frame supersedes it.

A result never lies about its frame: the image carries a "frame N" stamp, and
while another frame is on screen the image and the region table are dimmed
and the stamp and caption say so. A dock nobody can see (a background tab,
closed, the window minimised) computes nothing and catches up on the current
frame when it shows again -- unless it feeds the main view's overlay.
"""

from __future__ import annotations

import html
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from painxai_gui.explain.face import REGION_ORDER, RegionStats
from painxai_gui.gui.docks.option_form import OptionForm
from painxai_gui.gui.views.heat import AUTO, HeatDisplay, cmap_choices, heat_display, smoothed
from painxai_gui.gui.views.stale import STALE_COLOUR, STALE_OPACITY, frame_label, is_stale
from painxai_gui.gui.workers import Channel, Outcome
from painxai_gui.live.explain_job import ExplainRequest, ExplainResult, explain_frame
from painxai_gui.live.frames import Analysis




def registry():
    from painxai_gui.explain import METHODS

    return METHODS


class ExplanationDock(QtWidgets.QDockWidget):
    heatmapReady = QtCore.Signal(str, object)  # object name, Overlay (for the video overlay)
    timing = QtCore.Signal(str, str, float)    # object name, method title, ms
    closed = QtCore.Signal(str)
    titleChanged = QtCore.Signal(str)

    def __init__(self, name: str, method: str, parent: QtWidgets.QWidget | None = None):
        super().__init__(parent)
        self.setObjectName(name)
        self.setAttribute(QtCore.Qt.WidgetAttribute.WA_DeleteOnClose, False)
        self._analysis: Analysis | None = None
        self._model = None
        self._category: str | None = None
        self._class_names: tuple[str, ...] = ()
        self.last_result: ExplainResult | None = None
        self._result_box: tuple[float, float, float, float] | None = None  # the face box of the result's frame
        self._result_convention: str | None = None  # the convention the result was computed with
        self._display: HeatDisplay | None = None    # the result's heatmap as drawn (colours, levels)
        self.shown_frame: int | None = None  # the frame on screen (results of other frames are stale)
        self.feeds_overlay = False  # the main view draws this dock's heatmap: it computes even when hidden
        self._owed = False          # a request skipped while hidden: run it when shown
        self._note = ""             # "cancelled" after a run was cancelled
        self.warnings: tuple[str, ...] = ()  # the engine's warnings for the result shown
        self._started = 0.0
        self.channel = Channel(name, explain_frame, supersede=True, parent=self)
        self.channel.finished.connect(self._finished)
        self.channel.failed.connect(self._failed)
        self.channel.progress.connect(self._progress)
        self.channel.cancelled.connect(self._cancelled)
        self._build(method)
        # the signal's flag is unreliable for tabbed docks: look again once the layout has settled
        self.visibilityChanged.connect(lambda _visible: QtCore.QTimer.singleShot(0, self, self.catch_up))

    # -- construction --------------------------------------------------------------------
    def _build(self, method: str) -> None:
        self.method = method_combo(method)
        self.method.setToolTip("Explanation method (the thesis's ten in its order, then the others)")
        self.target = _combo((("predicted", "predicted"), ("true", "true")), "predicted")
        self.target.setToolTip("Class to explain: the predicted one, the video's true category, or a class")
        for combo, chars in ((self.method, 8), (self.target, 6)):  # narrow docks: the combos shrink, not the window
            combo.setSizeAdjustPolicy(QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(chars)
        self.cmap = _combo(((c, c) for c in cmap_choices()), AUTO)
        self.signed = QtWidgets.QCheckBox("signed")
        self.signed.setToolTip("Signed: diverging map centred on 0. Unsigned: magnitude in a sequential map.")
        self.opacity = QtWidgets.QSlider(QtCore.Qt.Orientation.Horizontal, minimum=0, maximum=100, value=70)
        self.opacity.setToolTip("Heatmap opacity over the face crop")
        self.fade = QtWidgets.QCheckBox("fade near 0")
        self.fade.setChecked(True)
        self.fade.setToolTip("Weak values transparent, so the face shows through (colours unchanged)")
        self.show_regions = QtWidgets.QCheckBox("regions")
        self.show_regions.setChecked(True)
        self.show_regions.setToolTip("Relevance per facial region under the heatmap")
        self.regions = RegionTable()
        self.options = OptionForm()
        self.options_button = _popup_button("Options", "The method's options")
        self.options_popup = Popup(self.options_button, self.options)
        self.view_button = _popup_button("View", "Colours, sign, opacity, fading and the region table")
        self.view_popup = Popup(self.view_button, self._view_form())
        self.image_view = pg.GraphicsLayoutWidget()
        self.image_view.setBackground((24, 24, 28))
        self.image_view.setMinimumSize(100, 100)
        box = self.image_view.addViewBox(lockAspect=True, invertY=True, enableMenu=False)
        box.setMouseEnabled(False, False)
        self.crop_item = pg.ImageItem(axisOrder="row-major")
        self.heat_item = pg.ImageItem(axisOrder="row-major")
        self.heat_item.setOpacity(0.7)
        self.stamp = pg.TextItem("", anchor=(0, 0))  # "frame N": the frame this image was computed for
        self.stamp.setZValue(10)
        self.stamp.setFlag(self.stamp.GraphicsItemFlag.ItemIgnoresTransformations)
        self._stamp_pt = max(6.0, QtGui.QFont(self.font()).pointSizeF() * 0.8)  # small: the face shows
        self._stamp_html = ""
        box.addItem(self.crop_item)
        box.addItem(self.heat_item)
        box.addItem(self.stamp)
        self.viewbox = box
        self.caption = fixed_label("waiting for a face…", lines=2)
        self.warning = fixed_label("")  # the engine's warnings (e.g. exploded LRP relevance), full text on hover
        self.warning_icon = QtWidgets.QLabel()
        size = self.warning.fontMetrics().height()
        self.warning_icon.setPixmap(self.style().standardIcon(
            QtWidgets.QStyle.StandardPixmap.SP_MessageBoxWarning).pixmap(size, size))
        self.warning_row = QtWidgets.QWidget()
        row = QtWidgets.QHBoxLayout(self.warning_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(4)
        row.addWidget(self.warning_icon)
        row.addWidget(self.warning, 1)
        self.warning_row.hide()
        self.progress = QtWidgets.QProgressBar(maximumHeight=14, maximumWidth=90, textVisible=True)
        self.cancel = QtWidgets.QToolButton(text="Cancel")
        self.cancel.clicked.connect(self.channel.cancel)
        for w in (self.progress, self.cancel):  # showing them must not re-layout the window
            policy = w.sizePolicy()
            policy.setRetainSizeWhenHidden(True)
            w.setSizePolicy(policy)
        self._running = None
        self._shown_size: tuple[int, int] | None = None
        self._layout_widgets()
        self._connect()
        self._method_changed()

    def _view_form(self) -> QtWidgets.QWidget:
        """How the heatmap is drawn (the View popup): nothing here changes what is computed."""
        form = QtWidgets.QWidget()
        grid = QtWidgets.QGridLayout(form)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(QtWidgets.QLabel("colours"), 0, 0)
        grid.addWidget(self.cmap, 0, 1, 1, 2)
        grid.addWidget(QtWidgets.QLabel("opacity"), 1, 0)
        grid.addWidget(self.opacity, 1, 1, 1, 2)
        grid.addWidget(self.signed, 2, 0)
        grid.addWidget(self.fade, 2, 1)
        grid.addWidget(self.show_regions, 2, 2)
        return form

    def _layout_widgets(self) -> None:
        """Two rows of controls (the rest in popups), so the heatmap gets most of the dock."""
        top = QtWidgets.QGridLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.setSpacing(2)
        top.addWidget(self.method, 0, 0, 1, 3)
        top.addWidget(self.target, 1, 0)
        top.addWidget(self.options_button, 1, 1)
        top.addWidget(self.view_button, 1, 2)
        top.setColumnStretch(0, 1)
        running = QtWidgets.QVBoxLayout()  # beside the caption: no row of its own
        running.setSpacing(1)
        running.addWidget(self.progress)
        running.addWidget(self.cancel, 0, QtCore.Qt.AlignmentFlag.AlignRight)
        bottom = QtWidgets.QHBoxLayout()
        bottom.setSpacing(4)
        bottom.addWidget(self.caption, 1)
        bottom.addLayout(running)
        body = QtWidgets.QWidget()
        layout = QtWidgets.QVBoxLayout(body)
        layout.setContentsMargins(3, 3, 3, 3)
        layout.setSpacing(2)
        layout.addLayout(top)
        layout.addWidget(self.image_view, 1)
        layout.addWidget(self.regions)
        layout.addWidget(self.warning_row)
        layout.addLayout(bottom)
        for w in (self.method, self.target, self.cmap, self.signed, self.opacity, self.fade, self.show_regions,
                  self.options_button, self.view_button):
            w.setFocusPolicy(QtCore.Qt.FocusPolicy.ClickFocus)
        self._set_running(False)
        self.setWidget(body)

    def _connect(self) -> None:
        self.method.currentIndexChanged.connect(lambda _i: (self._method_changed(), self.rerun()))
        self.target.currentIndexChanged.connect(lambda _i: self.rerun())
        self.cmap.currentIndexChanged.connect(lambda _i: self._redraw())
        self.signed.toggled.connect(lambda _v: self._redraw())
        self.fade.toggled.connect(lambda _v: self._redraw())
        self.show_regions.toggled.connect(self.regions.setVisible)
        self.opacity.valueChanged.connect(lambda _v: self._show_staleness())
        self.options.changed.connect(self.rerun)
        self.options.changed.connect(self._describe_options)

    # -- settings --------------------------------------------------------------------------
    @property
    def method_id(self) -> str:
        return self.method.currentData()

    def title(self) -> str:
        return registry()[self.method_id].display_name

    def _method_changed(self) -> None:
        entry = registry()[self.method_id]
        self.signed.blockSignals(True)
        self.signed.setChecked(bool(entry.signed))
        self.signed.blockSignals(False)
        convention = self.convention()  # the dock's convention outlives a change of method
        self.options.set_options(entry.options, {"convention": convention} if convention else None)
        self._show_options(entry)
        self.setWindowTitle(f"Explain: {entry.display_name}")
        self.titleChanged.emit(self.objectName())

    def _show_options(self, entry) -> None:
        """The Options button counts the method's options; its tooltip lists their values."""
        self.options_button.setEnabled(bool(entry.options))
        self.options_button.setText(f"Options ({len(entry.options)})")
        self._describe_options()

    def _describe_options(self) -> None:
        values = self.options.values()
        lines = "\n".join(f"{name.replace('_', ' ')}: {value}" for name, value in values.items())
        self.options_button.setToolTip(f"{self.title()} options (click to change)\n{lines}" if values
                                       else "This method has no options")

    def settings(self) -> dict[str, Any]:
        return {"name": self.objectName(), "method": self.method_id, "target": self.target.currentData(),
                "cmap": self.cmap.currentData(), "signed": self.signed.isChecked(),
                "opacity": self.opacity.value(), "fade": self.fade.isChecked(), "regions": self.show_regions.isChecked(),
                "options": self.options.values()}

    def apply_settings(self, data: dict[str, Any]) -> None:
        if data.get("method") in registry():
            self.method.setCurrentIndex(self.method.findData(data["method"]))
        entry = registry()[self.method_id]
        self.options.set_options(entry.options, data.get("options") or {})
        self._show_options(entry)
        self.cmap.setCurrentIndex(max(0, self.cmap.findData(data.get("cmap", AUTO))))
        self.signed.setChecked(bool(data.get("signed", entry.signed)))
        self.opacity.setValue(int(data.get("opacity", 70)))
        self.fade.setChecked(bool(data.get("fade", True)))
        self.show_regions.setChecked(bool(data.get("regions", True)))
        target = data.get("target", "predicted")
        self._pending_target = target
        self._select_target(target)

    def convention(self) -> str | None:
        """The dock's ``convention`` option (standard | thesis); None for a method without it."""
        return self.options.values().get("convention")

    def set_convention(self, value: str) -> None:
        """Set the ``convention`` option (the app-wide switch); a change explains the frame again."""
        current = self.convention()
        if current is not None and current != value:
            self.options.set_values({"convention": value})

    def set_classes(self, names: tuple[str, ...]) -> None:
        keep = getattr(self, "_pending_target", None) or self.target.currentData()
        self._class_names = tuple(names)
        self.target.blockSignals(True)
        self.target.clear()
        for text in ("predicted", "true", *names):
            self.target.addItem(text, text)
        self.target.blockSignals(False)
        self._select_target(keep)

    def _select_target(self, target: str) -> None:
        index = self.target.findData(target)
        if index >= 0:
            self.target.setCurrentIndex(index)
            self._pending_target = None

    # -- requests ----------------------------------------------------------------------------
    def request(self, analysis: Analysis, model, category: str | None) -> None:
        """A newly analysed frame of a video of dataset ``category``: explain it (superseding whatever runs)."""
        self._analysis, self._model, self._category = analysis, model, category
        self.rerun()

    def rerun(self) -> None:
        analysis = self._analysis
        if analysis is None or self._model is None or analysis.x is None:
            return
        if not self.wanted():
            self._owed = True  # nobody sees it: no job now, the current frame when shown again
            if self.channel.is_busy():
                self.channel.cancel()
            return
        self._owed = False
        self._started = time.perf_counter()
        self.channel.submit(ExplainRequest(analysis, self._model, self.method_id, self.target.currentData(),
                                           self._category, self.options.values()))
        QtCore.QTimer.singleShot(300, self._show_running_if_slow)

    def is_shown(self) -> bool:
        """On screen: not closed, not a background tab (empty visible region), its window not minimised."""
        return self.isVisible() and not self.visibleRegion().isEmpty() and not self.window().isMinimized() \
            and not self._main_minimised()

    def wanted(self) -> bool:
        """Worth a job: shown, or feeding the main view's overlay while the main window is not minimised."""
        return self.is_shown() or (self.feeds_overlay and not self._main_minimised())

    def _main_minimised(self) -> bool:
        main = self.parentWidget()
        return main is not None and main.window().isMinimized()

    def catch_up(self) -> None:
        """Shown again (or made the overlay's source): explain the current frame if that was skipped."""
        analysis = self._analysis
        if analysis is None or not self.wanted():
            return
        behind = self.last_result is None or self.last_result.frame != analysis.frame
        if self._owed or (behind and not self.channel.is_busy()):
            self.rerun()

    def clear(self, message: str, regions: str = "no face") -> None:
        self.channel.cancel()
        self._analysis = None
        self._owed = False
        self.last_result = None
        self._result_box = None
        self._display = None
        self.crop_item.clear()
        self.heat_item.clear()
        self.stamp.setText("")
        self._stamp_html = ""
        self.regions.set_stats(None, regions)
        self.regions.setEnabled(True)
        self.show_warnings(())
        self.caption.setText(message)

    def _show_running_if_slow(self) -> None:
        if self.channel.is_busy():
            self._set_running(True)

    def _set_running(self, running: bool, text: str | None = None) -> None:
        if running != self._running:
            self._running = running
            self.progress.setVisible(running)
            self.cancel.setVisible(running)
            if not running:
                self.progress.reset()
        if text:
            self.caption.setText(text)

    # -- results -------------------------------------------------------------------------------
    def _finished(self, outcome: Outcome) -> None:
        result: ExplainResult = outcome.result
        self.last_result = result
        self._result_box = outcome.request.analysis.box
        self._result_convention = outcome.request.options.get("convention")
        self._note = ""
        self._set_running(self.channel.is_busy())
        self.crop_item.setImage(np.ascontiguousarray(result.crop), autoLevels=False, levels=(0, 255))
        self._redraw()
        self.regions.set_stats(result.regions)
        self.show_warnings(result.warnings)
        self._show_staleness()
        self.timing.emit(self.objectName(), self.title(), result.ms)

    def show_warnings(self, warnings: tuple[str, ...]) -> None:
        """The engine's warnings for the result shown: one line with an icon, every sentence on hover."""
        self.warnings = tuple(warnings)
        text = "\n\n".join(self.warnings)
        self.warning.setText(f"<span style='color:{STALE_COLOUR}'>{html.escape(self.warnings[0])}</span>"
                             if self.warnings else "")
        for w in (self.warning_row, self.warning, self.warning_icon):
            w.setToolTip(text)
        self.warning_row.setVisible(bool(self.warnings))

    def _cancelled(self, _request) -> None:
        """A cancelled run replaces nothing: the last result stays with its own frame's label."""
        if self.channel.is_busy():
            return  # superseded by a newer request, which is running now
        self._set_running(False)
        if self._analysis is None:
            return  # cleared meanwhile (no face, another video): its message stays
        self._note = "cancelled"
        self._show_staleness()

    def set_shown_frame(self, frame: int | None) -> None:
        """The frame now on screen: the result is marked stale while it belongs to another one."""
        self.shown_frame = frame
        self._show_staleness()

    def is_stale(self) -> bool:
        return self.last_result is not None and is_stale(self.last_result.frame, self.shown_frame)

    def _show_staleness(self) -> None:
        """Dim image and table, stamp and caption naming the result's frame, when it is not the one shown."""
        result, stale = self.last_result, self.is_stale()
        dim = STALE_OPACITY if stale else 1.0
        self.crop_item.setOpacity(dim)
        self.heat_item.setOpacity(dim * self.opacity.value() / 100.0)
        self.regions.setEnabled(not stale)
        if result is None:
            self.stamp.setText("")
            self._stamp_html = ""
            if self._note:
                self.caption.setText(f"{self._note} — no result yet")
            return
        colour = STALE_COLOUR if stale else "#ddd"
        where = frame_label(result.frame, self.shown_frame, html=False)
        stamp = (f"<span style='color:{colour}; background:rgba(0,0,0,140); font-size:{self._stamp_pt:.0f}pt'>"
                 f"&nbsp;{where}&nbsp;</span>")
        if stamp != self._stamp_html:  # called for every frame shown: touch the scene only on a change
            self._stamp_html = stamp
            self.stamp.setHtml(stamp)
        names = self._class_names
        target = names[result.target] if result.target < len(names) else str(result.target)
        label = frame_label(result.frame, self.shown_frame)
        if self._note:
            label = f"{self._note} — showing {label}"
        convention = " · thesis" if self._result_convention == "thesis" else ""
        # two lines even in a narrow dock (three docks at 1366 px): the target's kind only when not "predicted"
        kind = "" if result.target_kind == "predicted" else f" ({result.target_kind})"
        self.caption.setText(f"{label} · {target}{kind}{convention} · {result.ms:.0f} ms")

    def _redraw(self) -> None:
        result = self.last_result
        if result is None:
            return
        display = self._display = self.display(result.heatmap)
        h, w = result.crop.shape[:2]
        shown = smoothed(display, (w, h))  # the crop's own pixels: no blocks of the model's input size
        self.heat_item.setImage(shown.data, autoLevels=False, levels=shown.levels)
        self.heat_item.setLookupTable(shown.lut)
        self.heat_item.setRect(QtCore.QRectF(0, 0, w, h))
        if self._shown_size != (w, h):
            self._shown_size = (w, h)
            self.viewbox.setRange(QtCore.QRectF(0, 0, w, h), padding=0)
        self.heatmapReady.emit(self.objectName(), self.overlay())

    def overlay(self) -> Overlay | None:
        """What the main view draws for this dock: the heatmap, its frame and that frame's face box."""
        result = self.last_result
        if result is None or self._display is None:
            return None
        return Overlay(self._display, result.frame, self._result_box)

    def display(self, heatmap: np.ndarray) -> HeatDisplay:
        return heat_display(heatmap, self.signed.isChecked(), self.cmap.currentData(), self.fade.isChecked())

    def _failed(self, _request, error: Exception, _text: str) -> None:
        self.show_error(error)

    def show_error(self, error: Exception) -> None:
        """The error in red in the caption (the engine's message names the method or the model)."""
        self._set_running(False)
        self.caption.setText(f"<span style='color:#e66'>{error}</span>")

    def _progress(self, _request, done: int, total: int) -> None:
        if time.perf_counter() - self._started > 0.3:  # only slow methods show a progress bar
            self._set_running(True)
            self.progress.setRange(0, max(total, 1))
            self.progress.setValue(done)

    def closeEvent(self, event) -> None:
        self.channel.cancel()
        super().closeEvent(event)
        self.closed.emit(self.objectName())

    def shutdown(self) -> None:
        self.channel.shutdown(timeout=1.0)


@dataclass(frozen=True)
class Overlay:
    """A dock's heatmap for the main view, with the frame it was computed for and that frame's face box."""

    display: HeatDisplay
    frame: int
    box: tuple[float, float, float, float] | None


class RegionTable(QtWidgets.QStackedWidget):
    """Relevance per facial region, compact: one column per region, rows share (%) and signed sum.

    The exact values sit in each cell's ``UserRole``; the largest share is
    bold. Without landmarks the table gives way to a "no face" line.
    """

    ROWS = ("share %", "Σ signed")
    #: column titles when the full names do not fit (three docks on a small screen)
    SHORT = {"brows": "brw", "eyes": "eye", "nose": "nse", "mouth": "mth", "cheeks": "chk", "forehead": "fhd",
             "jaw": "jaw", "other": "oth"}

    def __init__(self, parent: QtWidgets.QWidget | None = None):
        super().__init__(parent)
        self.stats: RegionStats | None = None
        self._narrow = False
        self.table = QtWidgets.QTableWidget(len(self.ROWS), len(REGION_ORDER))
        self.table.setHorizontalHeaderLabels(list(REGION_ORDER))
        self.table.setVerticalHeaderLabels(list(self.ROWS))
        for c, name in enumerate(REGION_ORDER):  # narrow columns get short names (resizeEvent)
            self.table.horizontalHeaderItem(c).setToolTip(name)
            self.table.horizontalHeaderItem(c).setData(QtCore.Qt.ItemDataRole.UserRole, name)
        self.table.setToolTip("Relevance per facial region: share of the positive relevance (%), "
                              "and the signed sum for signed methods")
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.NoSelection)
        self.table.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)
        self.table.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.setVerticalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        font = self.table.font()
        font.setPointSizeF(max(6.0, font.pointSizeF() * 0.85))
        self.table.setFont(font)
        self.table.horizontalHeader().setFont(font)
        self.table.verticalHeader().setFont(font)
        self.table.horizontalHeader().setSectionResizeMode(QtWidgets.QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setMinimumSectionSize(10)
        self.table.horizontalHeader().setTextElideMode(QtCore.Qt.TextElideMode.ElideNone)  # short names: no "…"
        self.table.horizontalHeader().setStyleSheet("QHeaderView::section { padding: 0px 1px; }")
        self.table.setTextElideMode(QtCore.Qt.TextElideMode.ElideNone)  # "-12" clipped at worst, never "-…"
        self.table.setStyleSheet("QTableWidget::item { padding: 0px; }")
        row_h = QtGui.QFontMetrics(font).lineSpacing() + 4
        self.table.verticalHeader().setSectionResizeMode(QtWidgets.QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(row_h)
        for c in range(len(REGION_ORDER)):
            for r in range(len(self.ROWS)):
                item = QtWidgets.QTableWidgetItem("")
                item.setTextAlignment(QtCore.Qt.AlignmentFlag.AlignCenter)
                self.table.setItem(r, c, item)
        self._row_h = row_h
        self._fit_height(len(self.ROWS))
        self.message = QtWidgets.QLabel("no face")
        self.message.setAlignment(QtCore.Qt.AlignmentFlag.AlignCenter)
        self.message.setObjectName("regionsMessage")
        self.addWidget(self.table)
        self.addWidget(self.message)
        self.setSizePolicy(QtWidgets.QSizePolicy.Policy.Ignored, QtWidgets.QSizePolicy.Policy.Fixed)
        self.set_stats(None, "—")

    def set_stats(self, stats: RegionStats | None, message: str = "no face") -> None:
        self.stats = stats
        if stats is None:
            self.message.setText(message)
            self.setCurrentWidget(self.message)
            return
        self.table.setRowHidden(1, stats.signed_sum is None)
        self._fit_height(1 if stats.signed_sum is None else len(self.ROWS))
        best = int(np.argmax(stats.share)) if any(v > 0 for v in stats.share) else -1
        exponent = self._signed_exponent(stats)
        self.table.verticalHeaderItem(1).setText(self.ROWS[1] if exponent == 0 else f"Σ ×1e{exponent}")
        for c, name in enumerate(stats.names):
            share = self.table.item(0, c)
            share.setData(QtCore.Qt.ItemDataRole.UserRole, float(stats.share[c]))
            share.setText(f"{stats.share[c] * 100:.{0 if self._narrow else 1}f}")
            share.setToolTip(f"{name}: {stats.share[c]:.2%} of the positive relevance")
            font = QtGui.QFont(self.table.font())
            font.setBold(c == best)
            share.setFont(font)
            signed = self.table.item(1, c)
            value = None if stats.signed_sum is None else float(stats.signed_sum[c])
            signed.setData(QtCore.Qt.ItemDataRole.UserRole, value)
            if value is None:
                signed.setText("")
            else:
                signed.setText(compact_number(value) if exponent == 0 else f"{round(value / 10.0 ** exponent):d}")
            signed.setToolTip("" if value is None else f"{name}: signed sum {value:.6g}")
        self.setCurrentWidget(self.table)

    def _signed_exponent(self, stats: RegionStats) -> int:
        """Narrow columns: signed sums as whole numbers of 10**e (within +-99), e in the row's header; else 0."""
        if not self._narrow or stats.signed_sum is None:
            return 0
        peak = max((abs(float(v)) for v in stats.signed_sum), default=0.0)
        if peak == 0 or not np.isfinite(peak):
            return 0
        return int(np.floor(np.log10(peak))) - 1

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:
        """Narrow columns (three docks on a small screen) show whole percents, so no cell reads "…"."""
        super().resizeEvent(event)
        cell = self.width() / (len(REGION_ORDER) + 1.5)  # the row header takes about 1.5 columns
        narrow = cell < QtGui.QFontMetrics(self.table.font()).horizontalAdvance("00.0") + 8
        if narrow != self._narrow:
            self._narrow = narrow
            if self.stats is not None:
                self.set_stats(self.stats)
        metrics = QtGui.QFontMetrics(self.table.horizontalHeader().font())
        for c, name in enumerate(REGION_ORDER):
            fits = metrics.horizontalAdvance(name) + 6 <= cell
            self.table.horizontalHeaderItem(c).setText(name if fits else self.SHORT.get(name, name[:3]))

    def _fit_height(self, rows: int) -> None:
        """Header plus ``rows`` rows, no empty band (unsigned methods have no signed row)."""
        height = self._row_h * (rows + 1) + 2 * self.table.frameWidth() + 2
        self.table.setFixedHeight(height)
        self.setFixedHeight(height)

    def values(self, row: int = 0) -> dict[str, float | None]:
        """What the table holds (row 0: shares, row 1: signed sums), by region."""
        header = self.table.horizontalHeaderItem
        return {header(c).data(QtCore.Qt.ItemDataRole.UserRole): self.table.item(row, c).data(
                QtCore.Qt.ItemDataRole.UserRole) for c in range(self.table.columnCount())}

    def showing_message(self) -> str | None:
        return self.message.text() if self.currentWidget() is self.message else None


def compact_number(value: float) -> str:
    """About four characters, so a narrow cell never elides it: 1234 -> "1.2k", 56.7 -> "57", 0.0123 -> ".012".

    The exact value stays in the cell's tooltip and ``UserRole``.
    """
    a = abs(value)
    sign = "-" if value < 0 else ""
    if a >= 1e6:
        return f"{value:.0e}".replace("e+0", "e").replace("e+", "e")
    if a >= 1e3:
        return f"{sign}{a / 1e3:.1f}k" if a < 1e4 else f"{sign}{a / 1e3:.0f}k"
    if a >= 10:
        return f"{value:.0f}"
    if a >= 1:
        return f"{value:.1f}"
    if a == 0:
        return "0"
    text = f"{a:.2g}".lstrip("0") if a >= 0.01 else f"{a:.0e}".replace("e-0", "e-")
    return sign + text


def fixed_label(text: str, lines: int = 1) -> QtWidgets.QLabel:
    """A label whose changing text never changes the layout (fixed height, width from the layout)."""
    label = QtWidgets.QLabel(text)
    label.setWordWrap(lines > 1)
    label.setTextFormat(QtCore.Qt.TextFormat.RichText)
    label.setAlignment(QtCore.Qt.AlignmentFlag.AlignLeft | QtCore.Qt.AlignmentFlag.AlignTop)
    label.setSizePolicy(QtWidgets.QSizePolicy.Policy.Ignored, QtWidgets.QSizePolicy.Policy.Fixed)
    label.setFixedHeight(label.fontMetrics().lineSpacing() * lines + 4)
    return label


def _combo(items, current: str) -> QtWidgets.QComboBox:
    combo = QtWidgets.QComboBox()
    for text, data in items:
        combo.addItem(text, data)
    combo.setCurrentIndex(max(0, combo.findData(current)))
    return combo


def method_groups() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Method ids for every method list: the thesis's ten in the thesis's order, then the others."""
    from painxai_gui.explain import THESIS_METHODS

    methods = registry()
    thesis = tuple(m for m in THESIS_METHODS if m in methods)
    return thesis, tuple(m for m in methods if m not in thesis)


def method_combo(current: str) -> QtWidgets.QComboBox:
    """A combo of every method in :func:`method_groups` order, a separator between the groups."""
    combo = QtWidgets.QComboBox()
    for i, group in enumerate(method_groups()):
        if i and group:
            combo.insertSeparator(combo.count())
        for method in group:
            combo.addItem(registry()[method].display_name, method)
    combo.setCurrentIndex(max(0, combo.findData(current)))
    return combo


class Popup(QtWidgets.QFrame):
    """``content`` in a panel that opens under ``button`` and closes on a click outside (scrolls when tall)."""

    MAX_HEIGHT = 360

    def __init__(self, button: QtWidgets.QToolButton, content: QtWidgets.QWidget):
        super().__init__(button, QtCore.Qt.WindowType.Popup)
        self.button = button
        self.setFrameShape(QtWidgets.QFrame.Shape.StyledPanel)
        self.scroll = QtWidgets.QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setWidget(content)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.scroll)
        button.clicked.connect(self.open)

    def open(self) -> None:
        hint = self.scroll.widget().sizeHint()
        bar = self.scroll.verticalScrollBar().sizeHint().width()
        width = max(hint.width() + bar + 16, self.button.width(), 240)
        height = min(hint.height() + 16, self.MAX_HEIGHT)
        where = self.button.mapToGlobal(QtCore.QPoint(0, self.button.height()))
        screen = self.button.screen().availableGeometry()
        x = min(max(where.x(), screen.left()), screen.right() - width)
        y = where.y() if where.y() + height <= screen.bottom() else where.y() - self.button.height() - height
        self.setGeometry(x, max(y, screen.top()), width, height)
        self.show()


def _popup_button(text: str, tip: str) -> QtWidgets.QToolButton:
    button = QtWidgets.QToolButton(text=text)
    button.setToolTip(tip)
    button.setArrowType(QtCore.Qt.ArrowType.NoArrow)
    return button
