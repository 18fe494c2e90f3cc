"""What the probability and region timelines share: a tier plot over every frame, a playhead, Compute/Cancel.

Subclasses build their plot, call :meth:`_setup_tier` with it and implement
:meth:`clear_data` (drop the drawn data when another video opens).
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from painxai_gui.gui.views.tier import CURSOR_PEN, EmptyState, TimelineControls, handle_click, show_frames


class WholeVideoDock(QtWidgets.QDockWidget):
    frameRequested = QtCore.Signal(int)
    computeRequested = QtCore.Signal()
    cancelRequested = QtCore.Signal()

    def _setup_tier(self, plot: pg.PlotWidget, empty_axes: tuple[str, ...] = ("left", "bottom")) -> None:
        """Playhead, click-to-seek, the "no video open" state and the Compute/Cancel controls on ``plot``."""
        self.plot = plot
        self.cursor = pg.InfiniteLine(0, angle=90, pen=CURSOR_PEN)
        self.cursor.setZValue(100)
        plot.addItem(self.cursor)
        plot.scene().sigMouseClicked.connect(self._clicked)
        self.empty = EmptyState(plot, empty_axes, items=(self.cursor,))
        self.empty.show("no video open")
        self.frame_count = 0
        self.controls = TimelineControls(self.computeRequested, self.cancelRequested)
        self.progress, self.state, self.button = self.controls.progress, self.controls.state, self.controls.button

    def clear_data(self) -> None:
        raise NotImplementedError

    def set_video(self, frame_count: int) -> None:
        self.frame_count = frame_count
        show_frames(self.plot, frame_count)
        self.controls.set_progress(0, frame_count)
        self.clear_data()
        if frame_count:
            self.empty.hide()
        else:
            self.empty.show("no video open")

    def set_cursor(self, frame: int) -> None:
        self.cursor.setValue(frame)

    def set_running(self, running: bool, text: str = "") -> None:
        self.controls.set_running(running, text)

    def set_progress(self, done: int, total: int) -> None:
        self.controls.set_progress(done, total)

    def _clicked(self, ev) -> None:
        handle_click(self.plot, ev, self.frame_count, self.frameRequested.emit)
