"""Region timeline: where the model looks over time -- the share of positive relevance per facial region.

For the chosen method (target: the predicted class), every frame's eight
shares (brows, eyes, nose, mouth, cheeks, forehead, jaw, other; they add up
to 1) are drawn as stacked areas, one column per frame, stacked as in a face
(jaw at the bottom, forehead on top, "other" above), in the region colours of
the legend beside it (listed top-down as stacked). The areas are one image
(:data:`ROWS` rows, one column per frame) in one long-lived ``ImageItem``:
moving the playhead repaints a strip of it, not eight filled paths. Frames not computed yet or without a face stay
empty. A tier (:mod:`painxai_gui.gui.views.tier`): x-aligned with the slot and
probability timelines; clicking seeks. The dock only draws; the job is
:func:`painxai_gui.live.region_timeline.fill_regions` on its own channel.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from painxai_gui.explain.face import REGION_ORDER
from painxai_gui.gui.docks.whole_video_dock import WholeVideoDock
from painxai_gui.gui.views.tier import gutter_box, tier_plot, tier_row
from painxai_gui.live.timeline_cache import for_display

DEFAULT_METHOD = "gradcam"
REGION_COLOURS: dict[str, tuple[int, int, int]] = {
    "brows": (255, 160, 60), "eyes": (50, 130, 220), "nose": (60, 175, 80), "mouth": (220, 50, 50),
    "cheeks": (230, 120, 200), "forehead": (190, 190, 50), "jaw": (150, 105, 200), "other": (105, 105, 105),
}

#: bottom to top, as the regions sit in a face
STACK_ORDER: tuple[str, ...] = ("jaw", "mouth", "cheeks", "nose", "eyes", "brows", "forehead", "other")
ROWS = 200  #: vertical resolution of the stacked-area image: 0.5 % of the share per row


def stacked(shares: np.ndarray) -> np.ndarray:
    """Top edges of the stacked areas ``(frames, regions)`` in :data:`STACK_ORDER`, from shares in REGION_ORDER.

    Rows not computed (NaN) or without a face (-1) are 0 (drawn empty).
    """
    shown = np.nan_to_num(for_display(shares), nan=0.0)
    return np.cumsum(shown[:, [REGION_ORDER.index(name) for name in STACK_ORDER]], axis=1)


def stacked_image(top: np.ndarray, rows: int = ROWS) -> np.ndarray:
    """RGBA ``(rows, frames, 4)``, row 0 at share 0: each pixel has the colour of the area its centre is in
    (transparent above the last edge: frames not computed, no face, no positive relevance)."""
    centres = (np.arange(rows) + 0.5) / rows
    area = (top[None, :, :] <= centres[:, None, None]).sum(axis=2)  # (rows, frames): 0..8, 8 = above all
    palette = np.array([(*REGION_COLOURS[name], 255) for name in STACK_ORDER] + [(0, 0, 0, 0)], np.uint8)
    return palette[area]


class RegionDock(WholeVideoDock):
    methodChanged = QtCore.Signal(str)

    def __init__(self, parent: QtWidgets.QWidget | None = None):
        super().__init__("Region timeline", parent)
        self.setObjectName("regions")
        plot = tier_plot(y_label="share")
        plot.setYRange(0, 1.0, padding=0)
        plot.getAxis("left").setTicks([[(0, "0"), (0.5, ".5"), (1, "1")]])
        self.image = pg.ImageItem(axisOrder="row-major")
        plot.addItem(self.image)
        self.top = np.zeros((0, len(STACK_ORDER)))  # the drawn top edges, frames x STACK_ORDER
        self._setup_tier(plot, ("bottom",))
        self.method = QtWidgets.QComboBox()
        self.method.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)
        self.method.setToolTip("Explanation method whose relevance is split into facial regions "
                               "(target: the predicted class of each frame)")
        self._fill_methods()
        self.method.currentIndexChanged.connect(lambda _i: self.methodChanged.emit(self.method_id()))
        gutter = gutter_box(self.method, legend(), *self.controls.widgets())
        self.setWidget(tier_row(self.plot, gutter))

    def _fill_methods(self) -> None:
        from painxai_gui.gui.docks.explanation_dock import method_groups, registry

        for i, group in enumerate(method_groups()):  # thesis order, then the others, as in every method list
            if i and group:
                self.method.insertSeparator(self.method.count())
            for method in group:
                self.method.addItem(registry()[method].display_name, method)
        self.set_method(DEFAULT_METHOD)

    def method_id(self) -> str:
        return str(self.method.currentData())

    def set_method(self, method: str) -> None:
        index = self.method.findData(method)
        if index >= 0:
            self.method.setCurrentIndex(index)

    def clear_data(self) -> None:
        self.set_data(None)

    def set_data(self, shares: np.ndarray | None) -> None:
        """``(frames, 8)`` shares in REGION_ORDER (NaN: not computed, -1: no face); None clears."""
        if shares is None or len(shares) == 0:
            self.top = np.zeros((0, len(STACK_ORDER)))
            self.image.clear()
            return
        self.top = stacked(shares)
        self.image.setImage(stacked_image(self.top), autoLevels=False)
        self.image.setRect(QtCore.QRectF(-0.5, 0.0, len(self.top), 1.0))


def legend() -> QtWidgets.QWidget:
    """Colour chips with the region names, two columns (drawn swatches: no glyph the font may lack)."""
    box = QtWidgets.QWidget()
    grid = QtWidgets.QGridLayout(box)
    grid.setContentsMargins(0, 0, 0, 0)
    grid.setHorizontalSpacing(4)
    grid.setVerticalSpacing(0)
    font = box.font()
    font.setPointSizeF(max(6.5, font.pointSizeF() - 1.5))
    for k, name in enumerate(reversed(STACK_ORDER)):
        swatch = QtGui.QPixmap(10, 10)
        swatch.fill(QtGui.QColor(*REGION_COLOURS[name]))
        chip = QtWidgets.QLabel()
        chip.setPixmap(swatch)
        text = QtWidgets.QLabel(name)
        text.setFont(font)
        row, col = k % 4, 2 * (k // 4)
        grid.addWidget(chip, row, col)
        grid.addWidget(text, row, col + 1)
    grid.setColumnStretch(1, 1)
    grid.setColumnStretch(3, 1)
    return box
