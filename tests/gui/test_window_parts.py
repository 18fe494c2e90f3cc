"""Window parts (issue 11.4): dataset tree names and highlight, class-bar labels, busy indicator, F1 method help,
empty timelines, and the timelines lined up frame for frame."""

from __future__ import annotations

import pytest
from gui_helpers import open_project
from PySide6 import QtCore

from painxai_gui.gui.docks.dataset_dock import VIDEO_ROLE


def _current_video(dock) -> str | None:
    index = dock.tree.currentIndex()
    return index.siblingAtColumn(0).data(VIDEO_ROLE) if index.isValid() else None


def test_filter_then_clear_keeps_the_open_video_highlighted(window, qtbot, project_path):
    open_project(window, qtbot, project_path)
    dock = window.dataset_dock
    videos = [v.id for v in window.session.videos()]
    opened = videos[len(videos) // 2 + 1]  # not the first row: a reset would land elsewhere
    window.session.open_video(opened)
    assert _current_video(dock) == opened
    other = next(v for v in window.session.videos() if v.subject != window.session.entry(opened).subject)
    for text in (other.subject[:4], other.subject, ""):  # typed letter by letter, then cleared
        dock.filter.setText(text)
        qtbot.wait(10)
    assert len(dock.visible_video_ids()) == len(videos)
    assert _current_video(dock) == opened
    selected = dock.tree.selectionModel().selectedRows()
    assert [i.data(VIDEO_ROLE) for i in selected] == [opened]


def test_tree_cells_show_their_full_text_on_hover_and_elide_in_the_middle(window, qtbot, project_path):
    open_project(window, qtbot, project_path)
    dock = window.dataset_dock
    assert dock.tree.textElideMode() == QtCore.Qt.TextElideMode.ElideMiddle
    for video_id, row in dock._rows.items():
        assert row[0].toolTip().splitlines()[0] == video_id  # the full id, not the short name
        assert row[1].toolTip() == row[1].text() and row[2].toolTip() == row[2].text()
    for subject, row in dock._subjects.items():
        assert row[0].toolTip() == subject


def test_empty_timelines_show_a_message_not_an_axis(window):
    for tier in (window.timeline, window.views.probabilities, window.views.regions):
        assert tier.empty.empty and tier.empty.text.isVisible()
        assert tier.empty.text.toPlainText() == "no video open"
        assert not tier.plot.getAxis("bottom").style["showValues"]


@pytest.mark.parametrize("probs", [(0.02, 0.97, 0.01), (0.49, 0.51, 0.0), (0.0, 1.0, 0.0), (0.3, 0.5, 0.2),
                                   (0.2, 0.05, 0.75)])
def test_true_label_never_overlaps_a_value(qtbot, probs):
    import numpy as np

    from painxai_gui.gui.docks.bars_dock import BarsDock

    dock = BarsDock()
    qtbot.addWidget(dock)
    dock.resize(260, 150)  # a small dock: text is large against the plot
    dock.show()
    qtbot.waitExposed(dock)
    dock.set_classes(("angry", "disgust", "happy"))
    dock.set_probabilities(np.array(probs), true_index=1)
    qtbot.wait(20)
    true_box = dock.true_text.sceneBoundingRect()
    assert dock.true_text.toPlainText() == "true"
    for k, text in enumerate(dock.value_texts):
        assert text.toPlainText() == f"{probs[k]:.2f}"
        assert not text.sceneBoundingRect().intersects(true_box), (k, probs)


def test_busy_indicator_draws_only_what_the_font_has(window, qtbot):
    from PySide6 import QtGui

    status = window.status
    status.task_started("model", "loading model emotion_model")
    assert status.task_progress.isVisible() and status.task_progress.maximum() == 0  # Qt's moving busy bar
    metrics = QtGui.QFontMetrics(status.task.font())
    text = status.task.text()
    assert "loading model" in text
    missing = [ch for ch in text if not metrics.inFontUcs4(ord(ch))]
    assert not missing, missing
    status.task_ended("model")
    assert not status.task_progress.isVisible() and status.task.text() == ""


def test_help_has_one_line_per_method_with_its_colours(window, qtbot):
    from PySide6.QtCore import Qt

    from painxai_gui.explain import METHODS
    from painxai_gui.explain.help import READING
    from painxai_gui.explain.registry import ORDER

    assert set(ORDER) <= set(READING)  # every method the project ships is described, not given the generic line
    qtbot.keyClick(window.video_view, Qt.Key.Key_F1)
    table = window.help_dialog.methods
    assert table.rowCount() == len(METHODS)
    rows = [[table.item(r, c).text() for c in range(3)] for r in range(table.rowCount())]
    assert [r[0] for r in rows] == [m.display_name for m in METHODS.values()]
    for (name, shows, reading), method in zip(rows, METHODS.values()):
        assert shows == method.summary
        assert ("red" in reading and "blue" in reading) if method.signed else ("yellow" in reading or
                                                                               "bright" in reading), name
    window.help_dialog.close()


def test_region_method_comes_back_at_the_next_start(qtbot, settings):
    from painxai_gui.gui.main_window import MainWindow

    first = MainWindow(settings, quiet_errors=True)
    qtbot.addWidget(first)
    first.views.regions.set_method("lrp.epsilon")
    first.close()
    second = MainWindow(settings, quiet_errors=True)
    qtbot.addWidget(second)
    assert second.views.regions.method_id() == "lrp.epsilon"
    assert second.views.regions.method.currentText() == "LRP-Epsilon"
    second.shutdown()
