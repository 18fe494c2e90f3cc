"""Curation > Set quota… / Slots per video…, and relocating a project whose dataset folder was moved.

Dialogs are driven through their own methods; the results are checked in the
SQLite project file (a separate connection) and in the exact strings the views show.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

from gui_helpers import first_slot_video, open_project, wait_shown
from PySide6 import QtWidgets

from painxai_gui.curation import Project


def meta_in_file(path: Path, key: str):
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        rows = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchall()
        return json.loads(rows[0][0]) if rows else None
    finally:
        conn.close()


def reopened(path: Path, attr: str):
    with Project.open(path, read_only=True) as project:
        return getattr(project, attr)


def dock_progress(window, video_id: str) -> str:
    return window.dataset_dock._rows[video_id][2].text()


def timeline_bounds(window) -> list[tuple[int, int]]:
    out = []
    for band in window.timeline._bands:
        r = band.rect()
        start = round(r.x() + 0.5)
        out.append((start, start + round(r.width())))
    return out


def test_set_quota_fixed_then_computed_and_undo(window, qtbot, project_path):
    open_project(window, qtbot, project_path)
    video = first_slot_video(window)
    window.session.open_video(video)
    assert dock_progress(window, video) == "3 slots: 0/10, 0/10, 0/10"

    window.actions["set_quota"].trigger()
    dialog = window.admin.quota_dialog
    assert dialog.spin.value() == 10 and not dialog.computed.isChecked()
    # demo tree: 3 subjects x (PA3 + PA4) x 6 frames = 36 pain frames; 3 emotion subjects; 3 slots
    assert dialog.formula.text() == "ceil(36 pain frames / (3 subjects x 3 slots)) = 4"
    dialog.set_quota(7)
    dialog.accept()

    assert meta_in_file(project_path, "quota") == 7
    assert reopened(project_path, "quota") == 7
    assert dock_progress(window, video) == "3 slots: 0/7, 0/7, 0/7"
    assert "slot 1: <b>0/7</b>" in window.timeline.quota_labels.text()
    assert "slot 1: 0/7" in window.views.selection.state.text()

    window.actions["undo"].trigger()
    assert meta_in_file(project_path, "quota") == 10
    assert dock_progress(window, video) == "3 slots: 0/10, 0/10, 0/10"
    window.actions["redo"].trigger()
    assert meta_in_file(project_path, "quota") == 7

    window.actions["set_quota"].trigger()
    dialog = window.admin.quota_dialog
    dialog.set_computed()
    assert not dialog.spin.isEnabled()
    dialog.accept()
    assert meta_in_file(project_path, "quota") is None
    assert reopened(project_path, "quota_is_set") is False
    assert reopened(project_path, "quota") == 4
    assert dock_progress(window, video) == "3 slots: 0/4, 0/4, 0/4"
    assert not window.errors.history


def test_slots_per_video_rebins_the_timeline(window, qtbot, project_path):
    open_project(window, qtbot, project_path)
    video = first_slot_video(window)
    window.session.open_video(video)
    window.session.project.select_frames(video, [0, 9, 12, 29])
    assert timeline_bounds(window) == [(0, 10), (10, 20), (20, 30)]

    window.actions["slot_count"].trigger()
    dialog = window.admin.slots_dialog
    assert dialog.spin.value() == 3 and dialog.spin.minimum() == 1 and dialog.spin.maximum() == 10
    dialog.set_slots(4)
    dialog.accept()

    assert meta_in_file(project_path, "slot_count") == 4
    assert reopened(project_path, "slot_count") == 4
    assert timeline_bounds(window) == [(0, 8), (8, 15), (15, 23), (23, 30)]
    assert dock_progress(window, video) == "4 slots: 1/10, 2/10, 0/10, 1/10"
    assert window.timeline.quota_labels.text().count("slot ") == 4
    window.session.seek(16)
    assert "slot 3: 0/10" in window.views.selection.state.text()

    window.actions["undo"].trigger()
    assert meta_in_file(project_path, "slot_count") == 3
    assert timeline_bounds(window) == [(0, 10), (10, 20), (20, 30)]
    assert not window.errors.history


def test_moved_dataset_is_relocated_through_the_dialog(window, qtbot, tmp_path, demo_root, monkeypatch):
    data = tmp_path / "data"
    shutil.copytree(demo_root, data)
    path = tmp_path / "moved.painxai"
    Project.create(path, data, annotator="tester").close()
    moved = tmp_path / "elsewhere" / "biovid"
    moved.parent.mkdir()
    shutil.move(str(data), str(moved))

    with qtbot.waitSignal(window.session.videoChanged, timeout=20000):
        window.files.load_project(path)
    dialog = window.admin.missing_dialog
    assert dialog is not None and dialog.isVisible()
    assert str(data.resolve()) in dialog.message.text()
    assert dialog.locate.text() == "Locate dataset folder…" and dialog.locate.isEnabled()

    # a folder with one video missing: refused, then cancelled -> nothing changes
    partial = tmp_path / "partial"
    shutil.copytree(moved, partial)
    video = first_slot_video(window)
    (partial / video).unlink()
    monkeypatch.setattr(QtWidgets.QFileDialog, "getExistingDirectory", lambda *a, **k: str(partial))
    dialog.locate.click()
    problem = window.admin.problem_dialog
    assert problem is not None and "1 of " in problem.text() and "missing" in problem.text()
    problem.cancel.click()
    assert meta_in_file(path, "dataset_root") == str(data.resolve())

    # the real new place, through the File menu action this time
    monkeypatch.setattr(QtWidgets.QFileDialog, "getExistingDirectory", lambda *a, **k: str(moved))
    window.actions["relocate"].trigger()
    assert meta_in_file(path, "dataset_root") == str(moved.resolve())
    assert window.session.project.root_missing is False
    window.session.open_video(video, 5)
    wait_shown(window, qtbot, 5)
    assert window.session.video.path == moved.resolve() / video


def test_relocate_anyway_accepts_missing_videos(window, qtbot, tmp_path, demo_root, monkeypatch):
    data = tmp_path / "data"
    shutil.copytree(demo_root, data)
    path = tmp_path / "p.painxai"
    Project.create(path, data, annotator="tester").close()
    partial = tmp_path / "partial"
    shutil.move(str(data), str(partial))
    with qtbot.waitSignal(window.session.videoChanged, timeout=20000):
        window.files.load_project(path)
    video = first_slot_video(window)
    (partial / video).unlink()
    monkeypatch.setattr(QtWidgets.QFileDialog, "getExistingDirectory", lambda *a, **k: str(partial))
    window.admin.missing_dialog.locate.click()
    window.admin.problem_dialog.relocate_anyway()
    assert meta_in_file(path, "dataset_root") == str(partial.resolve())
    assert window.session.project.missing_videos() == [video]


def test_read_only_project_disables_the_settings(window, qtbot, project_path):
    assert not window.actions["set_quota"].isEnabled()  # no project yet
    with Project.open(project_path, annotator="other"):  # another writer holds the project
        open_project(window, qtbot, project_path)
        assert window.session.project.read_only
        for action_id in ("set_quota", "slot_count", "relocate"):
            action = window.actions[action_id]
            assert not action.isEnabled()
            assert action.toolTip() == "Read-only project: settings cannot be changed here"
