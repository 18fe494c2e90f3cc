"""Slot timeline: slots as coloured bands, selected frames as ticks, suggestions below them, a cursor.

Click or drag scrubs (``frameRequested``); shift-drag marks a range
(``rangeRequested(start, stop)``, stop exclusive). Quota progress per slot is
shown in the tier's gutter (:mod:`painxai_gui.gui.views.tier`: every timeline
has the same axis and gutter widths, so frames line up across them).
"""

from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from painxai_gui.gui.views.tier import CURSOR_PEN, EmptyState, show_frames, tier_plot, tier_row

SLOT_COLOURS = ((70, 130, 180), (150, 110, 190), (90, 160, 120), (200, 150, 70), (180, 90, 90))
TICK_PEN = pg.mkPen((245, 245, 245), width=1)
SUGGEST_PEN = pg.mkPen((255, 170, 40), width=1, style=QtCore.Qt.PenStyle.DotLine)
MARK_PEN = pg.mkPen((120, 255, 120), width=1, style=QtCore.Qt.PenStyle.DashLine)


class _ScrubBox(pg.ViewBox):
    """A ViewBox that turns clicks and drags into frame requests instead of panning."""

    def __init__(self, timeline: "SlotTimeline"):
        super().__init__(enableMenu=False)
        self._timeline = timeline
        self.setMouseEnabled(x=False, y=False)

    def _frame_at(self, pos: QtCore.QPointF) -> int:
        return int(round(self.mapSceneToView(pos).x()))

    def mouseClickEvent(self, ev) -> None:
        if ev.button() == QtCore.Qt.MouseButton.LeftButton:
            ev.accept()
            self._timeline._scrub(self._frame_at(ev.scenePos()))

    def mouseDragEvent(self, ev, axis=None) -> None:
        if ev.button() != QtCore.Qt.MouseButton.LeftButton:
            ev.ignore()
            return
        ev.accept()
        frame = self._frame_at(ev.scenePos())
        if ev.modifiers() & QtCore.Qt.KeyboardModifier.ShiftModifier:
            start = self._frame_at(ev.buttonDownScenePos())
            self._timeline._range_drag(start, frame, ev.isFinish())
        else:
            self._timeline._scrub(frame)


class SlotTimeline(QtWidgets.QWidget):
    frameRequested = QtCore.Signal(int)
    rangeRequested = QtCore.Signal(int, int)

    def __init__(self, parent: QtWidgets.QWidget | None = None):
        super().__init__(parent)
        self.frame_count = 0
        self._bands: list[QtWidgets.QGraphicsRectItem] = []
        self._band_texts: list[pg.TextItem] = []
        self.box = _ScrubBox(self)
        self.plot = tier_plot(self.box, "slots")
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.getAxis("left").setTicks([[], []])
        self.plot.setFixedHeight(86)
        self.box.setYRange(0, 1, padding=0)
        self.ticks = pg.PlotDataItem(pen=TICK_PEN, connect="pairs")
        self.suggestions = pg.PlotDataItem(pen=SUGGEST_PEN, connect="pairs")
        self.region = pg.LinearRegionItem(movable=False, brush=pg.mkBrush(120, 255, 120, 40), pen=MARK_PEN)
        self.region.hide()
        self.cursor = pg.InfiniteLine(0, angle=90, pen=CURSOR_PEN, movable=False)
        for item in (self.ticks, self.suggestions, self.region, self.cursor):
            item.setZValue(10)
            self.box.addItem(item)
        self.cursor.setZValue(20)
        self.empty = EmptyState(self.plot, ("bottom",), items=(self.cursor,))
        self.empty.show("no video open")
        self.quota_labels = QtWidgets.QLabel()
        self.quota_labels.setTextFormat(QtCore.Qt.TextFormat.RichText)
        self.quota_labels.setToolTip("Selected frames per slot / quota")
        self.quota_labels.setContentsMargins(6, 2, 2, 2)
        self.quota_labels.setAlignment(QtCore.Qt.AlignmentFlag.AlignLeft | QtCore.Qt.AlignmentFlag.AlignTop)
        layout = QtWidgets.QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(tier_row(self.plot, self.quota_labels))
        self._drag_preview: tuple[int, int] | None = None

    # -- content -----------------------------------------------------------------
    def set_video(self, frame_count: int, bounds: Sequence[tuple[int, int]]) -> None:
        """A new video: its length and slot bounds ``[(start, stop), ...]`` (none for Part A clips)."""
        self.frame_count = max(0, int(frame_count))
        for item in self._bands + self._band_texts:
            self.box.removeItem(item)
        self._bands, self._band_texts = [], []
        for k, (start, stop) in enumerate(bounds):
            rect = QtWidgets.QGraphicsRectItem(start - 0.5, 0.0, stop - start, 1.0)
            r, g, b = SLOT_COLOURS[k % len(SLOT_COLOURS)]
            rect.setBrush(QtGui.QBrush(QtGui.QColor(r, g, b, 90)))
            rect.setPen(QtGui.QPen(QtGui.QColor(r, g, b, 200), 0))
            text = pg.TextItem(f"slot {k + 1}", color=(230, 230, 230), anchor=(0, 0))
            text.setPos(start, 1.0)
            self.box.addItem(rect)
            self.box.addItem(text)
            self._bands.append(rect)
            self._band_texts.append(text)
        show_frames(self.plot, self.frame_count)
        self.box.setYRange(0, 1, padding=0)
        if self.frame_count:
            self.empty.hide()
        else:
            self.empty.show("no video open")
        self.set_marks((), ())
        self.set_in_out(None, None)
        self.set_slot_text([])

    def set_marks(self, selected: Iterable[int], suggested: Iterable[int]) -> None:
        self.ticks.setData(*_tick_pairs(selected, 0.35, 0.95))
        self.suggestions.setData(*_tick_pairs(suggested, 0.05, 0.3))

    def set_cursor(self, frame: int) -> None:
        self.cursor.setValue(frame)

    def set_in_out(self, mark_in: int | None, mark_out: int | None) -> None:
        if mark_in is None and mark_out is None:
            self.region.hide()
            return
        lo = mark_in if mark_in is not None else mark_out
        hi = mark_out if mark_out is not None else mark_in
        lo, hi = min(lo, hi), max(lo, hi)
        self.region.setRegion((lo - 0.5, hi + 0.5))
        self.region.show()

    def set_slot_text(self, slots: Sequence[tuple[int, int, int]]) -> None:
        """``[(slot, selected, quota), ...]`` -> progress beside the plot and in the bands."""
        lines = []
        for k, selected, quota in slots:
            colour = "#2a2" if quota and selected == quota else ("#d33" if quota and selected > quota else None)
            text = f"slot {k + 1}: <b>{selected}/{quota}</b>"
            lines.append(f"<span style='color:{colour}'>{text}</span>" if colour else text)
            if k < len(self._band_texts):
                self._band_texts[k].setText(f"slot {k + 1}  {selected}/{quota}")
        self.quota_labels.setText("<br>".join(lines) if lines else "no slots<br>(all frames)")

    # -- mouse ---------------------------------------------------------------------
    def _clamp(self, frame: int) -> int:
        return int(np.clip(frame, 0, max(self.frame_count - 1, 0)))

    def _scrub(self, frame: int) -> None:
        if self.frame_count:
            self.frameRequested.emit(self._clamp(frame))

    def _range_drag(self, start: int, end: int, finished: bool) -> None:
        if not self.frame_count:
            return
        lo, hi = sorted((self._clamp(start), self._clamp(end)))
        self.set_in_out(lo, hi)
        if finished:
            self.rangeRequested.emit(lo, hi + 1)


def _tick_pairs(frames: Iterable[int], y0: float, y1: float) -> tuple[np.ndarray, np.ndarray]:
    xs = np.fromiter(frames, dtype=np.float64)
    if xs.size == 0:
        return np.zeros(0), np.zeros(0)
    xs.sort()
    return np.repeat(xs, 2), np.tile(np.array([y0, y1]), xs.size)
