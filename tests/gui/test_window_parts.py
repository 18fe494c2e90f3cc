"""Window parts (issue 11.4): dataset tree names and highlight, class-bar labels, busy indicator, F1 method help,
empty timelines, and the timelines lined up frame for frame."""

from __future__ import annotations

from gui_helpers import first_slot_video, open_project
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
