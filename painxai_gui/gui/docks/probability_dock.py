"""Probability timeline: one curve per class over the whole video (filled in the background), a cursor.

The dock only draws; the whole-video job runs on its own channel (see
:mod:`painxai_gui.live.probabilities` and :class:`painxai_gui.gui.timelines.WholeVideoTimeline`),
reports progress here and can be cancelled. Clicking the plot seeks. It is a
tier (:mod:`painxai_gui.gui.views.tier`): x-aligned with the slot and region timelines.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtWidgets

from painxai_gui.gui.docks.whole_video_dock import WholeVideoDock
from painxai_gui.gui.views.tier import gutter_box, tier_plot, tier_row
from painxai_gui.live.timeline_cache import for_display

SMOOTH_UP_TO = 400  #: frames up to which the curves are antialiased (a BioVid minute has 1500)
PALETTE = ((31, 119, 180), (214, 39, 40), (148, 103, 189), (44, 160, 44), (140, 86, 75),
           (255, 127, 14), (127, 127, 127), (23, 190, 207), (188, 189, 34), (227, 119, 194))


def class_pen(k: int, width: float = 1.6):
    return pg.mkPen(PALETTE[k % len(PALETTE)], width=width)


class ProbabilityDock(WholeVideoDock):
    def __init__(self, parent: QtWidgets.QWidget | None = None):
        super().__init__("Probability timeline", parent)
        self.setObjectName("probabilities")
        plot = tier_plot(y_label="probability")
        plot.setLabel("bottom", "frame")
        plot.setYRange(0, 1.04, padding=0)
        plot.showGrid(x=False, y=True, alpha=0.2)
        self.legend = plot.addLegend(offset=(-6, -6), labelTextSize="8pt", colCount=4,
                                     brush=pg.mkBrush(30, 30, 34, 200))
        self._setup_tier(plot)
        self.curves: list[pg.PlotDataItem] = []
        self.setWidget(tier_row(self.plot, gutter_box(*self.controls.widgets())))

    def set_classes(self, names: tuple[str, ...]) -> None:
        for curve in self.curves:
            self.plot.removeItem(curve)
            self.legend.removeItem(curve)
        self.curves = [self.plot.plot([], [], pen=class_pen(k), name=name, connect="finite")
                       for k, name in enumerate(names)]

    def clear_data(self) -> None:
        for curve in self.curves:
            curve.setData([], [])

    def set_data(self, probs: np.ndarray | None) -> None:
        if probs is None:
            return
        shown = for_display(probs)
        xs = np.arange(len(shown), dtype=np.float64)
        smooth = len(xs) <= SMOOTH_UP_TO  # antialiased curves cost 4x to repaint (every playhead move)
        for k, curve in enumerate(self.curves[: shown.shape[1]]):
            curve.setData(xs, shown[:, k], connect="finite", antialias=smooth)
