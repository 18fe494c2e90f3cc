"""What every timeline ("tier", as ELAN calls them) shares, so frame x sits at the same screen x in all of them.

A tier is a row: a plot whose left axis has the fixed width :data:`AXIS_WIDTH`,
then a gutter of the fixed width :data:`GUTTER_WIDTH` for the tier's own
controls (slot quotas, progress, method). Every tier spans frames
``-0.5 .. n - 0.5`` without padding, and their x ranges are linked, so a zoom
in one is a zoom in all. The slot timeline sits under the video and the
probability and region timelines in the bottom dock area, which spans the
same width as the central widget (the window gives the bottom corners to the
side areas), so their plots line up pixel for pixel.

An empty tier (no video, no model) shows a message instead of a meaningless axis.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

AXIS_WIDTH = 46
GUTTER_WIDTH = 150
BACKGROUND = (30, 30, 34)
CURSOR_PEN = pg.mkPen((255, 60, 60), width=2)


def tier_plot(view_box: pg.ViewBox | None = None, y_label: str = "") -> pg.PlotWidget:
    """A plot in the tiers' style: dark, no menu or auto-range button, left axis of the shared width."""
    plot = pg.PlotWidget(viewBox=view_box) if view_box is not None else pg.PlotWidget()
    plot.setBackground(BACKGROUND)
    plot.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)
    plot.setMenuEnabled(False)
    item = plot.getPlotItem()
    item.hideButtons()
    item.layout.setContentsMargins(0, 2, 4, 0)
    left = plot.getAxis("left")
    left.setWidth(AXIS_WIDTH)
    for name in ("left", "bottom"):
        plot.getAxis(name).enableAutoSIPrefix(False)  # frames are frames: never "frame (x0.001)"
    if y_label:
        left.setLabel(y_label)
    plot.setMouseEnabled(x=True, y=False)
    return plot


def tier_row(plot: QtWidgets.QWidget, gutter: QtWidgets.QWidget) -> QtWidgets.QWidget:
    """The plot (stretching) and its gutter (fixed width) side by side, no margins."""
    gutter.setFixedWidth(GUTTER_WIDTH)
    row = QtWidgets.QWidget()
    layout = QtWidgets.QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(0)
    layout.addWidget(plot, 1)
    layout.addWidget(gutter)
    return row


def gutter_box(*widgets: QtWidgets.QWidget | QtWidgets.QLayout) -> QtWidgets.QWidget:
    """A gutter: widgets stacked top-down with small margins, spare space at the bottom."""
    box = QtWidgets.QWidget()
    layout = QtWidgets.QVBoxLayout(box)
    layout.setContentsMargins(6, 2, 4, 2)
    layout.setSpacing(3)
    for w in widgets:
        layout.addLayout(w) if isinstance(w, QtWidgets.QLayout) else layout.addWidget(w)
    layout.addStretch(1)
    return box


def show_frames(plot: pg.PlotWidget, frame_count: int) -> None:
    """The x range of a video with ``frame_count`` frames: -0.5 .. n - 0.5, no padding."""
    plot.getPlotItem().vb.setXRange(-0.5, max(frame_count, 1) - 0.5, padding=0)


def frame_at(plot: pg.PlotWidget, scene_pos: QtCore.QPointF) -> int | None:
    """The frame under a scene position inside the plot area (None outside)."""
    vb = plot.getPlotItem().vb
    if not vb.sceneBoundingRect().contains(scene_pos):
        return None
    return int(round(vb.mapSceneToView(scene_pos).x()))


def handle_click(plot: pg.PlotWidget, ev, frame_count: int, seek) -> None:
    """A click on a tier: seek to the frame under the mouse; a double-click shows the whole video again."""
    if ev.button() != QtCore.Qt.MouseButton.LeftButton or frame_count <= 0:
        return
    if ev.double():
        show_frames(plot, frame_count)
        return
    frame = frame_at(plot, ev.scenePos())
    if frame is not None:
        seek(min(max(frame, 0), frame_count - 1))


class EmptyState:
    """A centred message over a tier's plot while it has nothing to show; axes show no numbers meanwhile."""

    def __init__(self, plot: pg.PlotWidget, axes: tuple[str, ...] = ("left", "bottom"), items: tuple = ()):
        self.plot, self.axes, self.items = plot, axes, items  # items: hidden while empty (the cursor)
        self.text = pg.TextItem("", color=(170, 170, 170), anchor=(0.5, 0.5))
        self.text.setZValue(50)
        plot.getPlotItem().vb.addItem(self.text, ignoreBounds=True)
        plot.getPlotItem().vb.sigRangeChanged.connect(self._centre)
        self.empty = False

    def show(self, message: str) -> None:
        self.empty = True
        self.text.setText(message)
        self.text.show()
        for name in self.axes:
            self.plot.getAxis(name).setStyle(showValues=False)
        for item in self.items:
            item.hide()
        self._centre()

    def hide(self) -> None:
        self.empty = False
        self.text.hide()
        for name in self.axes:
            self.plot.getAxis(name).setStyle(showValues=True)
        for item in self.items:
            item.show()

    def _centre(self, *_args) -> None:
        (x0, x1), (y0, y1) = self.plot.getPlotItem().vb.viewRange()
        self.text.setPos((x0 + x1) / 2, (y0 + y1) / 2)


class TimelineControls:
    """A whole-video tier's gutter controls: state text, progress bar, Compute / Cancel button."""

    def __init__(self, compute, cancel):
        self._compute, self._cancel = compute, cancel
        self.state = QtWidgets.QLabel("no video")
        self.state.setSizePolicy(QtWidgets.QSizePolicy.Policy.Ignored, QtWidgets.QSizePolicy.Policy.Preferred)
        self.progress = QtWidgets.QProgressBar()
        self.progress.setMaximumHeight(16)
        self.progress.setFormat("%v / %m")
        self.progress.setToolTip("Frames computed / frames in the video")
        self.button = QtWidgets.QToolButton(text="Compute")
        self.button.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)
        self.button.clicked.connect(self._button)
        self.running = False
        self.row = QtWidgets.QHBoxLayout()
        self.row.setContentsMargins(0, 0, 0, 0)
        self.row.addWidget(self.progress, 1)
        self.row.addWidget(self.button)

    def widgets(self) -> tuple[QtWidgets.QWidget | QtWidgets.QLayout, ...]:
        """For :func:`gutter_box`: the state line, then progress and button."""
        return self.state, self.row

    def set_running(self, running: bool, text: str = "") -> None:
        self.running = running
        self.button.setText("Cancel" if running else "Compute")
        self.button.setToolTip("Stop filling the timeline" if running else "Fill the timeline for this video")
        if text:
            self.state.setText(text)
            self.state.setToolTip(text)

    def set_progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)

    def _button(self) -> None:
        (self._cancel if self.running else self._compute).emit()
