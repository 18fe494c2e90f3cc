"""Keyboard-first: step with keys and check the exact frame on screen; select with S and find it in the file."""

from __future__ import annotations

from gui_helpers import first_slot_video, open_project, selected_in_file, wait_shown
from PySide6 import QtCore, QtWidgets

from painxai_gui.curation import Project

Key = QtCore.Qt.Key
Mod = QtCore.Qt.KeyboardModifier


def press(qtbot, window, key, modifier=Mod.NoModifier):
    qtbot.keyClick(window.video_view, key, modifier)


def test_step_jump_slots_and_videos_with_keys(window, qtbot, project_path):
    open_project(window, qtbot, project_path)
    video = first_slot_video(window)
    window.session.open_video(video)
    wait_shown(window, qtbot, 0)
    window.video_view.setFocus()
    steps = [
        ((Key.Key_Right,), 1), ((Key.Key_Right,), 2), ((Key.Key_Right,), 3), ((Key.Key_Left,), 2),
        ((Key.Key_Right, Mod.ShiftModifier), 27),  # one second = 25 frames at 25 fps
        ((Key.Key_Right, Mod.ShiftModifier), 29),  # clamped to the last frame
        ((Key.Key_Left, Mod.ShiftModifier), 4),
        ((Key.Key_Home,), 0), ((Key.Key_End,), 29),
        ((Key.Key_Home,), 0),
        ((Key.Key_BracketRight,), 10), ((Key.Key_BracketRight,), 20),  # 30 frames, 3 slots
        ((Key.Key_Right,), 21), ((Key.Key_BracketLeft,), 20), ((Key.Key_BracketLeft,), 10),
    ]
    for keys, expected in steps:
        press(qtbot, window, *keys)
        assert window.session.frame == expected, keys
        wait_shown(window, qtbot, expected)  # the pixels on screen carry the frame's own index
    ids = [v.id for v in window.session.videos()]
    press(qtbot, window, Key.Key_PageDown)
    assert window.session.video.id == ids[ids.index(video) + 1]
    press(qtbot, window, Key.Key_PageUp)
    assert window.session.video.id == video
    wait_shown(window, qtbot, 0)


def test_select_range_undo_redo_with_keys_are_in_the_project_file(window, qtbot, project_path):
    open_project(window, qtbot, project_path)
    video = first_slot_video(window)
    window.session.open_video(video)
    wait_shown(window, qtbot, 0)
    for _ in range(3):
        press(qtbot, window, Key.Key_Right)
    press(qtbot, window, Key.Key_S)
    assert selected_in_file(project_path, video) == [3]
    press(qtbot, window, Key.Key_Right)
    press(qtbot, window, Key.Key_I)
    for _ in range(4):
        press(qtbot, window, Key.Key_Right)
    press(qtbot, window, Key.Key_O)
    press(qtbot, window, Key.Key_S, Mod.ControlModifier)  # select range 4..8
    assert selected_in_file(project_path, video) == [3, 4, 5, 6, 7, 8]
    press(qtbot, window, Key.Key_Z, Mod.ControlModifier)
    assert selected_in_file(project_path, video) == [3]
    press(qtbot, window, Key.Key_Z, Mod.ControlModifier | Mod.ShiftModifier)
    assert selected_in_file(project_path, video) == [3, 4, 5, 6, 7, 8]
    press(qtbot, window, Key.Key_S)  # frame 8 is selected: S unselects it
    assert selected_in_file(project_path, video) == [3, 4, 5, 6, 7]
    press(qtbot, window, Key.Key_Z, Mod.ControlModifier)
    assert selected_in_file(project_path, video) == [3, 4, 5, 6, 7, 8]
    # the timeline and the selection dock show what the file holds
    assert window.timeline.ticks.getData()[0].tolist() == [f for f in (3, 4, 5, 6, 7, 8) for _ in (0, 1)]
    assert "slot 1: <b>6/10</b>" in window.timeline.quota_labels.text()
    window.shutdown()  # closes the project file
    with Project.open(project_path, read_only=True) as reopened:
        assert sorted(reopened.selections(video)) == [3, 4, 5, 6, 7, 8]


def test_shift_drag_on_the_timeline_selects_a_range(window, qtbot, project_path):
    open_project(window, qtbot, project_path)
    video = first_slot_video(window)
    window.session.open_video(video)
    wait_shown(window, qtbot, 0)
    window.timeline.rangeRequested.emit(12, 16)  # what a shift-drag from frame 12 to 15 emits
    assert selected_in_file(project_path, video) == [12, 13, 14, 15]
    assert (window.curation.mark_in_frame, window.curation.mark_out_frame) == (12, 15)
    window.timeline.frameRequested.emit(17)  # click / drag scrubs
    wait_shown(window, qtbot, 17)


def test_clear_slot_and_accept_suggestions(window, qtbot, project_path):
    project = open_project(window, qtbot, project_path)
    video = first_slot_video(window)
    window.session.open_video(video)
    project.select_range(video, 10, 14)
    project.suggest(video, 0, check_faces=False)
    qtbot.waitUntil(lambda: len(window.timeline.suggestions.getData()[0]) == 20)  # 10 suggested x 2 points
    window.actions["accept_suggestions"].trigger()
    assert selected_in_file(project_path, video) == sorted(project.selections(video))
    assert len(selected_in_file(project_path, video)) == 14
    window.session.seek(12)
    window.actions["clear_slot"].trigger()  # frame 12 is in slot 2 (10..19)
    assert [f for f in selected_in_file(project_path, video) if 10 <= f < 20] == []
    assert len(selected_in_file(project_path, video)) == 10


def test_keys_work_from_other_widgets_but_not_while_typing(window, qtbot, project_path):
    open_project(window, qtbot, project_path)
    video = first_slot_video(window)
    window.session.open_video(video)
    wait_shown(window, qtbot, 0)
    tree = window.dataset_dock.tree
    tree.setFocus()
    qtbot.keyClick(tree, Key.Key_Right)
    assert window.session.frame == 1
    qtbot.keyClick(tree, Key.Key_S)
    assert selected_in_file(project_path, video) == [1]
    box = window.dataset_dock.filter
    box.setFocus()
    qtbot.keyClicks(box, "si")  # typing a filter: no select, no mark
    assert box.text() == "si"
    assert selected_in_file(project_path, video) == [1] and window.curation.mark_in_frame is None
    box.clear()


def test_annotator_name_is_written_with_selections(window, qtbot, project_path):
    import sqlite3

    window.curation.set_annotator("dr. who")
    open_project(window, qtbot, project_path)
    video = first_slot_video(window)
    window.session.open_video(video)
    wait_shown(window, qtbot, 0)
    press(qtbot, window, Key.Key_S)
    conn = sqlite3.connect(f"{project_path.resolve().as_uri()}?mode=ro", uri=True)
    rows = conn.execute("SELECT frame, annotator FROM selections").fetchall()
    conn.close()
    assert rows == [(0, "dr. who")]
    window.save_layout()
    assert window.settings.value("annotator") == "dr. who"


def test_a_full_slot_refuses_s_and_shift_s_selects_beyond_the_quota(window, qtbot, project_path):
    project = open_project(window, qtbot, project_path)
    video = first_slot_video(window)
    project.set_quota(3)
    project.select_frames(video, [0, 1, 2])
    window.session.open_video(video)
    wait_shown(window, qtbot, 0)
    messages = []
    window.session.status.connect(messages.append)
    window.session.seek(5)
    wait_shown(window, qtbot, 5)
    press(qtbot, window, Key.Key_S)
    assert selected_in_file(project_path, video) == [0, 1, 2]
    assert "Slot 1 is full" in messages[-1] and "Shift+S" in messages[-1] and not window.errors.history
    press(qtbot, window, Key.Key_S, Mod.ShiftModifier)
    assert selected_in_file(project_path, video) == [0, 1, 2, 5]
    assert project.audit_log()[-1].details["over_quota"] == [{"slot": 1, "selected": 4, "quota": 3}]
    window.timeline.rangeRequested.emit(12, 16)  # slot 2: 4 frames, quota 3
    qtbot.waitUntil(lambda: window.curation.quota_prompt is not None and window.curation.quota_prompt.isVisible())
    assert selected_in_file(project_path, video) == [0, 1, 2, 5] and "Refused" in messages[-1]
    window.curation.quota_prompt.button(QtWidgets.QMessageBox.StandardButton.Yes).click()
    assert selected_in_file(project_path, video) == [0, 1, 2, 5, 12, 13, 14, 15]
