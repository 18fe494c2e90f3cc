"""Grouped bars with interval whiskers (QPainter): one group per region, one bar per class; a bar is clickable.

The Study window draws its class x region table with it: bar = mean, whisker
= 95% subject-bootstrap interval. ``barClicked(class, region)`` on a click;
:meth:`IntervalBars.bar_rect` says where a bar is (tests click it).
"""

from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

#: matplotlib's tab10, so classes have the report figures' colours
CLASS_COLOURS = ((31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189), (140, 86, 75),
                 (227, 119, 194), (127, 127, 127), (188, 189, 34), (23, 190, 207))
MARGIN = QtCore.QMarginsF(56, 30, 12, 30)  # left (axis labels), top (legend), right, bottom (region names)


def class_colour(k: int) -> QtGui.QColor:
    return QtGui.QColor(*CLASS_COLOURS[k % len(CLASS_COLOURS)])


def ticks(lo: float, hi: float, count: int = 6) -> np.ndarray:
    """About ``count`` round tick values (steps of 1, 2, 2.5 or 5 x 10^k) within [lo, hi]."""
    raw = (hi - lo) / max(1, count - 1)
    power = 10.0 ** np.floor(np.log10(raw)) if raw > 0 else 1.0
    step = next(f * power for f in (1, 2, 2.5, 5, 10) if f * power >= raw)
    return np.arange(np.ceil(lo / step) * step, hi + step * 1e-9, step)


class IntervalBars(QtWidgets.QWidget):
    barClicked = QtCore.Signal(str, str)  # class, region

    def __init__(self, parent: QtWidgets.QWidget | None = None):
        super().__init__(parent)
        self.classes: list[str] = []
        self.regions: list[str] = []
        self.means = self.lows = self.highs = np.zeros((0, 0))
        self.label = ""
        self.selected: tuple[str, str] | None = None
        self.setMinimumSize(420, 220)
        self.setMouseTracking(True)

    def set_data(self, classes: list[str], regions: list[str], means: np.ndarray, lows: np.ndarray,
                 highs: np.ndarray, label: str) -> None:
        """``means``/``lows``/``highs``: classes x regions (NaN: no bar)."""
        self.classes, self.regions, self.label = list(classes), list(regions), label
        self.means, self.lows, self.highs = (np.asarray(a, np.float64).reshape(len(classes), len(regions))
                                             for a in (means, lows, highs))
        self.selected = None
        self.update()

    def select(self, cls: str | None, region: str | None) -> None:
        self.selected = (cls, region) if cls is not None else None
        self.update()

    # -- geometry -------------------------------------------------------------------------------
    def _plot(self) -> QtCore.QRectF:
        return QtCore.QRectF(self.rect()).marginsRemoved(MARGIN)

    def _range(self) -> tuple[float, float]:
        values = np.concatenate([self.lows.ravel(), self.highs.ravel(), self.means.ravel(), [0.0]])
        values = values[np.isfinite(values)]
        lo, hi = float(min(values.min(), 0.0)), float(max(values.max(), 0.0))
        return lo, (hi if hi > lo else lo + 1.0) + 0.05 * (hi - lo)

    def _y(self, value: float) -> float:
        plot, (lo, hi) = self._plot(), self._range()
        return plot.bottom() - (value - lo) / (hi - lo) * plot.height()

    def bar_rect(self, c: int, r: int) -> QtCore.QRectF:
        """Where bar ``c`` (class) of region ``r`` is drawn (from 0 to its mean)."""
        plot = self._plot()
        group = plot.width() / max(1, len(self.regions))
        width = group * 0.8 / max(1, len(self.classes))
        x = plot.left() + r * group + group * 0.1 + c * width
        mean = self.means[c, r] if np.isfinite(self.means[c, r]) else 0.0
        top, base = self._y(max(mean, 0.0)), self._y(min(mean, 0.0))
        return QtCore.QRectF(x, top, width, max(base - top, 2.0))

    def bar_at(self, pos: QtCore.QPointF) -> tuple[int, int] | None:
        """(class, region) index of the bar column under ``pos`` (anywhere in the bar's column of the plot)."""
        plot = self._plot()
        for r in range(len(self.regions)):
            for c in range(len(self.classes)):
                rect = self.bar_rect(c, r)
                if rect.left() <= pos.x() < rect.right() and plot.top() <= pos.y() <= plot.bottom():
                    return c, r
        return None

    # -- events ---------------------------------------------------------------------------------
    def mousePressEvent(self, event: QtGui.QMouseEvent) -> None:
        hit = self.bar_at(event.position())
        if hit is not None:
            cls, region = self.classes[hit[0]], self.regions[hit[1]]
            self.select(cls, region)
            self.barClicked.emit(cls, region)
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QtGui.QMouseEvent) -> None:
        hit = self.bar_at(event.position())
        if hit is None:
            self.setToolTip("")
        else:
            c, r = hit
            self.setToolTip(f"{self.classes[c]} · {self.regions[r]}: {self.means[c, r]:.3f} "
                            f"[{self.lows[c, r]:.3f}, {self.highs[c, r]:.3f}] — click for its frames")
        super().mouseMoveEvent(event)

    def paintEvent(self, _event: QtGui.QPaintEvent) -> None:
        p = QtGui.QPainter(self)
        p.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), self.palette().base())
        if not self.classes or not self.regions:
            p.drawText(self.rect(), QtCore.Qt.AlignmentFlag.AlignCenter, "no study open")
            return
        plot, text = self._plot(), self.palette().text().color()
        self._axis(p, plot, text)
        group = plot.width() / len(self.regions)
        for r, region in enumerate(self.regions):
            p.setPen(text)
            p.drawText(QtCore.QRectF(plot.left() + r * group, plot.bottom() + 4, group, 20),
                       QtCore.Qt.AlignmentFlag.AlignHCenter | QtCore.Qt.AlignmentFlag.AlignTop, region)
            for c, cls in enumerate(self.classes):
                if not np.isfinite(self.means[c, r]):
                    continue
                rect = self.bar_rect(c, r)
                chosen = self.selected == (cls, region)
                p.setPen(QtGui.QPen(text, 2.0) if chosen else QtCore.Qt.PenStyle.NoPen)
                p.setBrush(class_colour(c).lighter(115) if chosen else class_colour(c))
                p.drawRect(rect)
                self._whisker(p, rect.center().x(), self.lows[c, r], self.highs[c, r], rect.width(), text)
        self._legend(p, plot, text)

    def _axis(self, p: QtGui.QPainter, plot: QtCore.QRectF, text: QtGui.QColor) -> None:
        lo, hi = self._range()
        grid = QtGui.QColor(text)
        grid.setAlpha(40)
        for tick in ticks(lo, hi):
            y = self._y(tick)
            p.setPen(grid)
            p.drawLine(QtCore.QPointF(plot.left(), y), QtCore.QPointF(plot.right(), y))
            p.setPen(text)
            p.drawText(QtCore.QRectF(0, y - 8, MARGIN.left() - 6, 16),
                       QtCore.Qt.AlignmentFlag.AlignRight | QtCore.Qt.AlignmentFlag.AlignVCenter, f"{tick:g}")
        p.setPen(text)
        p.drawLine(QtCore.QPointF(plot.left(), self._y(0.0)), QtCore.QPointF(plot.right(), self._y(0.0)))
        p.save()
        p.translate(12, plot.center().y())
        p.rotate(-90)
        p.drawText(QtCore.QRectF(-plot.height() / 2, -8, plot.height(), 16), QtCore.Qt.AlignmentFlag.AlignCenter,
                   self.label)
        p.restore()

    def _whisker(self, p: QtGui.QPainter, x: float, low: float, high: float, width: float, colour) -> None:
        if not (np.isfinite(low) and np.isfinite(high)):
            return
        cap = min(6.0, width * 0.35)
        p.setPen(QtGui.QPen(colour, 1.2))
        y0, y1 = self._y(low), self._y(high)
        p.drawLine(QtCore.QPointF(x, y0), QtCore.QPointF(x, y1))
        for y in (y0, y1):
            p.drawLine(QtCore.QPointF(x - cap, y), QtCore.QPointF(x + cap, y))

    def _legend(self, p: QtGui.QPainter, plot: QtCore.QRectF, text: QtGui.QColor) -> None:
        x = plot.left()
        metrics = p.fontMetrics()
        for c, cls in enumerate(self.classes):
            p.setPen(QtCore.Qt.PenStyle.NoPen)
            p.setBrush(class_colour(c))
            p.drawRect(QtCore.QRectF(x, 9, 12, 12))
            p.setPen(text)
            p.drawText(QtCore.QPointF(x + 16, 20), cls)
            x += 16 + metrics.horizontalAdvance(cls) + 18
        p.drawText(QtCore.QRectF(x, 4, max(0.0, plot.right() - x), 22),
                   QtCore.Qt.AlignmentFlag.AlignRight | QtCore.Qt.AlignmentFlag.AlignVCenter,
                   "bars: mean, whiskers: 95% subject-bootstrap interval")
