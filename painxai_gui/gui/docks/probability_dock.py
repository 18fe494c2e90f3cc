"""Probability timeline: one curve per class over the whole video (filled in the background), a cursor.

The dock only draws; the whole-video job runs on its own channel (see
:mod:`painxai_gui.live.probabilities`), reports progress here and can be
cancelled. Clicking the plot seeks.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from painxai_gui.live.probabilities import for_display

PALETTE = ((31, 119, 180), (214, 39, 40), (148, 103, 189), (44, 160, 44), (140, 86, 75),
           (255, 127, 14), (127, 127, 127), (23, 190, 207), (188, 189, 34), (227, 119, 194))


def class_pen(k: int, width: float = 1.6):
    return pg.mkPen(PALETTE[k % len(PALETTE)], width=width)


class ProbabilityDock(QtWidgets.QDockWidget):
    frameRequested = QtCore.Signal(int)
    computeRequested = QtCore.Signal()
    cancelRequested = QtCore.Signal()

    def __init__(self, parent: QtWidgets.QWidget | None = None):
        super().__init__("Probability timeline", parent)
        self.setObjectName("probabilities")
        self.plot = pg.PlotWidget()
        self.plot.setBackground((30, 30, 34))
        self.plot.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)
        self.plot.setLabel("bottom", "frame")
        self.plot.setLabel("left", "probability")
        self.plot.setYRange(0, 1.04, padding=0)
        self.plot.setMouseEnabled(x=True, y=False)
        self.plot.showGrid(x=False, y=True, alpha=0.2)
        self.legend = self.plot.addLegend(offset=(-6, -6), labelTextSize="8pt", colCount=4,
                                          brush=pg.mkBrush(30, 30, 34, 200))
        self.cursor = pg.InfiniteLine(0, angle=90, pen=pg.mkPen((255, 60, 60), width=1.5))
        self.plot.addItem(self.cursor)
        self.plot.scene().sigMouseClicked.connect(self._clicked)
        self.curves: list[pg.PlotDataItem] = []
        self.progress = QtWidgets.QProgressBar()
        self.progress.setMaximumHeight(16)
        self.progress.setFormat("%v / %m frames")
        self.state = QtWidgets.QLabel("no model yet")
        self.state.setFixedWidth(self.state.fontMetrics().horizontalAdvance("done in 000.0 s") + 8)
        self.button = QtWidgets.QToolButton(text="Cancel")
        self.button.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)
        self.button.clicked.connect(self._button)
        self._running = False
        bar = QtWidgets.QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(self.state)
        bar.addWidget(self.progress, 1)
        bar.addWidget(self.button)
        body = QtWidgets.QWidget()
        layout = QtWidgets.QVBoxLayout(body)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.plot, 1)
        layout.addLayout(bar)
        self.setWidget(body)

    def set_classes(self, names: tuple[str, ...]) -> None:
        for curve in self.curves:
            self.plot.removeItem(curve)
            self.legend.removeItem(curve)
        self.curves = [self.plot.plot([], [], pen=class_pen(k), name=name, connect="finite")
                       for k, name in enumerate(names)]

    def set_video(self, frame_count: int) -> None:
        self.plot.setXRange(0, max(frame_count - 1, 1), padding=0.01)
        self.progress.setRange(0, max(frame_count, 1))
        self.progress.setValue(0)
        for curve in self.curves:
            curve.setData([], [])

    def set_data(self, probs: np.ndarray | None) -> None:
        if probs is None:
            return
        shown = for_display(probs)
        xs = np.arange(len(shown), dtype=np.float64)
        for k, curve in enumerate(self.curves[: shown.shape[1]]):
            curve.setData(xs, shown[:, k], connect="finite")

    def set_cursor(self, frame: int) -> None:
        self.cursor.setValue(frame)

    def set_running(self, running: bool, text: str = "") -> None:
        self._running = running
        self.button.setText("Cancel" if running else "Compute")
        self.button.setToolTip("Stop filling the timeline" if running else "Fill the timeline for this video")
        if text:
            self.state.setText(text)

    def set_progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)

    def _button(self) -> None:
        (self.cancelRequested if self._running else self.computeRequested).emit()

    def _clicked(self, ev) -> None:
        vb = self.plot.getPlotItem().vb
        if ev.button() == QtCore.Qt.MouseButton.LeftButton and vb.sceneBoundingRect().contains(ev.scenePos()):
            self.frameRequested.emit(int(round(vb.mapSceneToView(ev.scenePos()).x())))
