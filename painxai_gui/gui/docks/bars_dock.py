"""Class probabilities of the current frame as bars, the class of the video's category marked.

The "true" label sits above the dashed marker (at 1.0); a value above 0.5 is
written inside the top of its bar and a lower one just above it, so the two
labels never meet (unless the plot is under about 40 pixels high).

The bars carry the frame they were computed for: while another frame is on
screen they are dimmed and the caption names their frame.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from painxai_gui.gui.docks.explanation_dock import fixed_label
from painxai_gui.gui.views.stale import STALE_OPACITY, frame_label, is_stale
from painxai_gui.gui.docks.probability_dock import PALETTE
from painxai_gui.gui.views.tier import EmptyState


class BarsDock(QtWidgets.QDockWidget):
    def __init__(self, parent: QtWidgets.QWidget | None = None):
        super().__init__("Class probabilities", parent)
        self.setObjectName("bars")
        self.plot = pg.PlotWidget()
        self.plot.setBackground((30, 30, 34))
        self.plot.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.setMenuEnabled(False)
        self.plot.getPlotItem().hideButtons()
        self.plot.setYRange(0, 1.2, padding=0)
        self.plot.showGrid(x=False, y=True, alpha=0.2)
        self.bars = pg.BarGraphItem(x=[], height=[], width=0.7)
        self.true_marker = pg.BarGraphItem(x=[], height=[], width=0.86, brush=None,
                                           pen=pg.mkPen((255, 255, 255), width=2.5))
        self.true_text = pg.TextItem("", color=(255, 255, 255), anchor=(0.5, 1.0))
        self.value_texts: list[pg.TextItem] = []
        for item in (self.bars, self.true_marker, self.true_text):
            self.plot.addItem(item)
        self.empty = EmptyState(self.plot)
        self.empty.show("no model yet")
        self.caption = fixed_label("—")
        body = QtWidgets.QWidget()
        layout = QtWidgets.QVBoxLayout(body)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.caption)
        self.setWidget(body)
        self._names: tuple[str, ...] = ()
        self.result_frame: int | None = None  # the frame the bars were computed for
        self.shown_frame: int | None = None
        self._text = "—"

    def set_classes(self, names: tuple[str, ...]) -> None:
        self._names = tuple(names)
        axis = self.plot.getAxis("bottom")
        axis.setTicks([[(k, n) for k, n in enumerate(names)]])
        font = axis.font() if hasattr(axis, "font") else None
        if font is not None:
            font.setPointSizeF(max(6.0, font.pointSizeF() - 1.5))
            axis.setStyle(tickFont=font)
        self.plot.setXRange(-0.6, len(names) - 0.4, padding=0)
        if names:
            self.empty.hide()
        else:
            self.empty.show("no model yet")
        for text in self.value_texts:
            self.plot.removeItem(text)
        self.value_texts = []
        for _ in names:
            text = pg.TextItem("", color=(220, 220, 220), anchor=(0.5, 1.0))
            self.plot.addItem(text)
            self.value_texts.append(text)
        self.clear()

    def clear(self, message: str = "—") -> None:
        self.bars.setOpts(x=[], height=[])
        self.true_marker.setOpts(x=[], height=[])
        self.true_text.setText("")
        for text in self.value_texts:
            text.setText("")
        self.result_frame = None
        self._text = message
        self._show_staleness()

    def set_probabilities(self, probs: np.ndarray, true_index: int | None, caption: str = "") -> None:
        n = len(probs)
        xs = np.arange(n)
        brushes = [QtGui.QBrush(QtGui.QColor(*PALETTE[k % len(PALETTE)])) for k in range(n)]
        self.bars.setOpts(x=xs, height=probs, width=0.7, brushes=brushes, pens=[pg.mkPen(None)] * n)
        for k, text in enumerate(self.value_texts[:n]):
            p = float(probs[k])
            text.setText(f"{p:.2f}")
            text.setAnchor((0.5, 0.0) if p > 0.5 else (0.5, 1.0))  # inside the bar's top, or above a low bar
            text.setPos(k, p if p > 0.5 else p + 0.005)
        if true_index is not None and 0 <= true_index < n:
            self.true_marker.setOpts(x=[true_index], height=[1.0], width=0.86, brush=None,
                                     pen=pg.mkPen((255, 255, 255), width=2.5, style=QtCore.Qt.PenStyle.DashLine))
            self.true_text.setText("true")
            self.true_text.setPos(true_index, 1.0)
        else:
            self.true_marker.setOpts(x=[], height=[])
            self.true_text.setText("")
        predicted = int(np.argmax(probs))
        name = self._names[predicted] if predicted < len(self._names) else str(predicted)
        self._text = caption or f"predicted: {name} ({probs[predicted]:.2f})"
        self._show_staleness()

    def set_result_frame(self, frame: int | None) -> None:
        """The frame the bars now on show were computed for."""
        self.result_frame = frame
        self._show_staleness()

    def set_shown_frame(self, frame: int | None) -> None:
        self.shown_frame = frame
        self._show_staleness()

    def is_stale(self) -> bool:
        return is_stale(self.result_frame, self.shown_frame)

    def _show_staleness(self) -> None:
        stale = self.is_stale()
        dim = STALE_OPACITY if stale else 1.0
        for item in (self.bars, self.true_marker, self.true_text, *self.value_texts):
            item.setOpacity(dim)
        if self.result_frame is None:
            self.caption.setText(self._text)
        else:
            self.caption.setText(f"{frame_label(self.result_frame, self.shown_frame)} · {self._text}")
