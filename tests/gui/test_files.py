"""File menu flows: browse a dataset without a project, create a project, report, export the balanced set."""

from __future__ import annotations

import csv

import pytest
from gui_helpers import first_slot_video, open_project, wait_shown
from PySide6 import QtWidgets


def test_browse_a_dataset_without_a_project(window, qtbot, demo_root):
    with qtbot.waitSignal(window.session.videoChanged, timeout=30000):
        window.files.load_dataset(demo_root)
    assert window.session.project is None
    assert len(window.session.videos()) == 12  # 3 subjects x (PA3, PA4, disgust, happiness); BL1 is unmapped
    wait_shown(window, qtbot, 0)
    messages = []
    window.session.status.connect(messages.append)
    window.actions["select_toggle"].trigger()
    assert messages and "project" in messages[-1]
    assert window.timeline.quota_labels.text().startswith("no slots")


def test_create_a_project_from_the_gui(window, qtbot, tmp_path, demo_root):
    path = tmp_path / "new.painxai"
    with qtbot.waitSignal(window.session.videoChanged, timeout=60000):
        window.files.create_project(path, demo_root)
    assert path.is_file() and window.session.project.path == path
    assert window.windowTitle() == "PainXAI — new.painxai"
    assert window.session.video.slotted  # opens the first emotion video


def test_report_and_export_set(window, qtbot, tmp_path, project_path, monkeypatch):
    project = open_project(window, qtbot, project_path)
    video = first_slot_video(window)
    project.set_slot_count(1)  # one slot, quota 4: frames 0..3 complete the video
    project.set_quota(4)
    project.select_range(video, 0, 4)
    partner = [v for v in project.videos(role="slots") if v.subject == project.video(video).subject and v.id != video]
    project.select_range(partner[0], 0, 4)  # the subject's other emotion video: the subject is complete
    window.actions["report"].trigger()
    qtbot.waitUntil(lambda: not window.tasks.busy("report"), timeout=20000)
    dialogs = [d for d in window.findChildren(QtWidgets.QDialog) if d.windowTitle() == "Balance report"]
    assert dialogs and "disgust" in dialogs[-1].findChild(QtWidgets.QPlainTextEdit).toPlainText()
    out = tmp_path / "export"
    out.mkdir()
    window.actions["export_set"].trigger()
    window.files.folder_dialog.path.setText(str(out))  # the folder dialog (a new folder would do too)
    window.files.folder_dialog.accept()
    qtbot.waitUntil(lambda: window.files.export_dialog is not None and window.files.export_dialog.isVisible(),
                    timeout=20000)
    dialog = window.files.export_dialog
    assert "NOT balanced" in dialog.verdict.text() and not dialog.export_button.isEnabled()  # pain 12 vs 4
    dialog.choose_unbalanced()
    dialog.export_button.click()
    qtbot.waitUntil(lambda: not window.tasks.busy("export_set"), timeout=120000)
    assert not window.errors.history, window.errors.history
    with open(out / "manifest.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    picked = sorted(int(r["frame"]) for r in rows if r["source_video"] == video)
    assert picked == [0, 1, 2, 3]
    assert all((out / r["path"]).is_file() for r in rows)


def _table(table):
    return [[table.item(r, c).text() for c in range(table.columnCount())] for r in range(table.rowCount())]


def test_export_dialog_previews_the_plan_before_writing(window, qtbot, tmp_path, project_path, monkeypatch):
    project = open_project(window, qtbot, project_path)
    out = tmp_path / "export"
    out.mkdir()
    (out / "notes.txt").write_text("not ours")
    window.actions["export_set"].trigger()
    window.files.folder_dialog.path.setText(str(out))
    window.files.folder_dialog.accept()
    qtbot.waitUntil(lambda: window.files.export_dialog is not None and window.files.export_dialog.isVisible(),
                    timeout=20000)
    dialog = window.files.export_dialog
    assert "Nothing to export" in dialog.verdict.text() and not dialog.export_button.isEnabled()
    assert _table(dialog.counts) == [["pain", "0", ""], ["disgust", "0", ""], ["happiness", "0", ""]]
    left = _table(dialog.left_out)
    assert [row[0] for row in left] == sorted(project.subjects())
    assert all(row[1].startswith("emotion videos not complete: ") and "slot 1 0/10" in row[1] for row in left)
    assert dialog.force.isVisible() and "no export ledger" in dialog.folder.text()
    dialog.reject()
    for v in project.videos(role="slots"):  # every subject complete: pain 12, 30 per emotion each
        for start, _ in project.slot_bounds(v):
            project.select_range(v, start, start + 10)
    window.actions["export_set"].trigger()
    window.files.folder_dialog.path.setText(str(out))
    window.files.folder_dialog.accept()
    qtbot.waitUntil(lambda: window.files.export_dialog is not dialog and window.files.export_dialog.isVisible(),
                    timeout=20000)
    dialog = window.files.export_dialog
    assert _table(dialog.counts) == [["pain", "36", ""], ["disgust", "90", "+150.0%"], ["happiness", "90", "+150.0%"]]
    assert dialog.left_out.rowCount() == 0 and dialog.allow.isVisible()
    dialog.choose_unbalanced()
    assert not dialog.export_button.isEnabled()  # the folder holds a file no export wrote
    dialog.choose_force()
    assert dialog.export_button.isEnabled()
    dialog.reject()
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]  # a preview writes nothing


@pytest.mark.parametrize("action", ["open_project", "open_model", "open_dataset"])
def test_cancelled_file_dialogs_do_nothing(window, monkeypatch, action):
    monkeypatch.setattr(QtWidgets.QFileDialog, "getOpenFileName", lambda *a, **k: ("", ""))
    monkeypatch.setattr(QtWidgets.QFileDialog, "getExistingDirectory", lambda *a, **k: "")
    window.actions[action].trigger()
    assert not window.tasks.busy("open") and not window.tasks.busy("model")


def test_open_falls_back_to_read_only_only_for_a_locked_project(project_path, tmp_path):
    """The open job tells a lock from other project errors by type (ProjectLockedError), not by message."""
    from painxai_gui.curation import Project
    from painxai_gui.errors import ProjectError, ProjectLockedError
    from painxai_gui.gui.files import open_project_job

    with Project.open(project_path, annotator="other"):
        project, note = open_project_job(project_path)
        try:
            assert project.read_only and isinstance(note, ProjectError) and not isinstance(note, ProjectLockedError)
            assert "by other, pid" in str(note) and "READ-ONLY" in str(note) and note.path == project_path
        finally:
            project.close()
    project, note = open_project_job(project_path)
    try:
        assert not project.read_only and note is None
    finally:
        project.close()
    with pytest.raises(ProjectError, match="not found"):
        open_project_job(tmp_path / "missing.painxai")
