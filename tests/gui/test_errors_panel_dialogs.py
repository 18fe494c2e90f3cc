"""Bad files give a message naming the file, the app keeps running, curated work stays; panels, exclusion, help."""

from __future__ import annotations

import json
import shutil
import sqlite3

import pytest
from gui_helpers import first_slot_video, open_project, selected_in_file, wait_analysed, wait_shown
from PySide6 import QtCore, QtWidgets

from painxai_gui.errors import ModelFileError, ProjectError, VideoError
from painxai_gui.export.panel import record_path

Key = QtCore.Qt.Key


def _wait_task(window, qtbot, name, timeout=30000):
    qtbot.waitUntil(lambda: not window.tasks.busy(name), timeout=timeout)


def test_missing_and_broken_project_files(window, qtbot, tmp_path):
    missing = tmp_path / "nope.painxai"
    window.files.load_project(missing)
    qtbot.waitUntil(lambda: len(window.errors.history) == 1, timeout=10000)
    error = window.errors.history[-1]
    assert isinstance(error, ProjectError) and error.path == missing and "not found" in str(error)
    broken = tmp_path / "broken.painxai"
    broken.write_text("this is not SQLite")
    window.files.load_project(broken)
    qtbot.waitUntil(lambda: len(window.errors.history) == 2, timeout=10000)
    assert isinstance(window.errors.history[-1], ProjectError) and window.errors.history[-1].path == broken
    assert window.session.project is None and window.isVisible()


def test_broken_model_keeps_the_loaded_one(window, qtbot, tmp_path, project_path, loaded_model):
    open_project(window, qtbot, project_path, loaded_model)
    bad = tmp_path / "bad.h5"
    bad.write_bytes(b"not an HDF5 file at all")
    window.files.load_model(bad)
    qtbot.waitUntil(lambda: bool(window.errors.history), timeout=30000)
    error = window.errors.history[-1]
    assert isinstance(error, ModelFileError) and error.path == bad
    assert window.session.model is loaded_model[0]


def test_broken_video_is_reported_and_curation_goes_on(window, qtbot, tmp_path, demo_root):
    from painxai_gui.curation import Project

    root = tmp_path / "data"
    shutil.copytree(demo_root, root)
    path = tmp_path / "p.painxai"
    with Project.create(path, root, annotator="t") as project:
        project.set_quota(10)
        videos = [v for v in project.videos(role="slots")]
        good, bad = videos[0], videos[1]
        project.select(good, 4)
    bad.path.write_bytes(b"\x00" * 1000)  # damaged after indexing
    open_project(window, qtbot, path)
    window.session.open_video(bad.id)
    qtbot.waitUntil(lambda: any(isinstance(e, VideoError) for e in window.errors.history), timeout=10000)
    error = next(e for e in window.errors.history if isinstance(e, VideoError))
    assert error.path is not None and error.path.name == bad.path.name
    window.session.open_video(good.id)
    wait_shown(window, qtbot, 0)
    window.session.seek(6)
    window.actions["select_toggle"].trigger()
    assert selected_in_file(path, good.id) == [4, 6]


def test_excepthook_shows_a_dialog_and_the_app_goes_on(window):
    import sys

    from painxai_gui.gui.app import install_excepthook

    saved = sys.excepthook
    install_excepthook(window.errors)
    try:
        try:
            raise RuntimeError("boom in a slot")
        except RuntimeError as exc:
            sys.excepthook(type(exc), exc, exc.__traceback__)
    finally:
        sys.excepthook = saved
    assert str(window.errors.history[-1]) == "boom in a slot"


@pytest.mark.slow
def test_figure_panel_from_the_gui_uses_the_shared_composer(window, qtbot, tmp_path, project_path, loaded_model):
    open_project(window, qtbot, project_path, loaded_model)
    video = first_slot_video(window)
    window.session.open_video(video, 5)
    wait_analysed(window, qtbot, 5)
    qtbot.keyClick(window.video_view, Key.Key_P)
    window.session.seek(12)
    wait_analysed(window, qtbot, 12)
    qtbot.keyClick(window.video_view, Key.Key_P)
    rows = window.panel.row_infos()
    assert [(f.ref.video_id, f.ref.frame, f.category) for f in rows] == [(video, 5, "disgust"), (video, 12, "disgust")]
    window.actions["export_panel"].trigger()
    dialog = window.panel.dialog
    for i in range(dialog.methods.count()):
        item = dialog.methods.item(i)
        wanted = item.data(QtCore.Qt.ItemDataRole.UserRole) in ("gradcam", "lrp.epsilon")
        item.setCheckState(QtCore.Qt.CheckState.Checked if wanted else QtCore.Qt.CheckState.Unchecked)
    dialog.format.setCurrentText("SVG")
    dialog.out.setText(str(tmp_path / "panel.svg"))
    dialog.dpi.setValue(100)
    dialog.export_button.click()
    _wait_task(window, qtbot, "panel", 120000)
    assert (tmp_path / "panel.svg").is_file(), dialog.status.text()
    record = json.loads(record_path(tmp_path / "panel.svg").read_text())
    assert record["methods"] == ["gradcam", "lrp.epsilon"] and record["dpi"] == 100
    assert [r["category"] for r in record["rows"]] == ["disgust", "disgust"]
    assert all(r["predicted"] in window.session.class_names for r in record["rows"])
    assert "Wrote" in dialog.status.text()
    # the crops' landmarks travel with the rows: every tile has its region shares
    for row in record["rows"]:
        for tile in row["tiles"]:
            assert tile["regions"] is not None, (row["source"], tile["method"])
            assert list(tile["regions"]) == ["brows", "eyes", "nose", "mouth", "cheeks", "forehead", "jaw", "other"]
            assert sum(tile["regions"].values()) == pytest.approx(1.0, abs=1e-6)
    assert record["rows"][0]["tiles"][1]["region_sums"] is not None  # LRP-Epsilon is signed


def test_exclude_subject_with_a_reason_greys_it_and_undo(window, qtbot, project_path):
    open_project(window, qtbot, project_path)
    subject = window.session.video.subject
    window.actions["exclude_subject"].trigger()
    dialog = window.curation.dialog
    assert not dialog.ok.isEnabled()  # a reason is required
    dialog.text.setText("turned away from the camera and talked")
    dialog.ok.click()
    conn = sqlite3.connect(f"{project_path.resolve().as_uri()}?mode=ro", uri=True)
    rows = conn.execute("SELECT subject, reason, annotator FROM subject_exclusions").fetchall()
    conn.close()
    assert rows == [(subject, "turned away from the camera and talked", window.session.project.annotator)]
    item = window.dataset_dock._subjects[subject][0]
    assert "turned away" in item.toolTip() and item.text().endswith("(excluded)")
    window.actions["undo"].trigger()
    assert not window.dataset_dock._subjects[subject][0].text().endswith("(excluded)")


def test_help_lists_every_shortcut(window, qtbot):
    from painxai_gui.gui.actions import ACTIONS

    qtbot.keyClick(window.video_view, Key.Key_F1)
    dialog = window.help_dialog
    assert dialog.isVisible()
    keys = [dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount())]
    assert len(keys) == sum(1 for a in ACTIONS if a.shortcut)
    for wanted in ("Space", "Left", "Shift+Right", "Home", "End", "[", "]", "PgUp", "PgDown", "S", "I", "O",
                   "Ctrl+Z", "F1"):
        assert wanted in keys, wanted
    assert any("Ctrl+Shift+Z" in k for k in keys)
    dialog.close()


def test_dataset_dock_progress_and_filter(window, qtbot, project_path):
    project = open_project(window, qtbot, project_path)
    video = first_slot_video(window)
    cell = window.dataset_dock._rows[video][2]
    assert cell.text() == "3 slots: 0/10, 0/10, 0/10"
    project.select_range(video, 12, 15)
    assert cell.text() == "3 slots: 0/10, 3/10, 0/10"
    window.dataset_dock.filter.setText("happiness")
    shown = window.dataset_dock.visible_video_ids()
    assert shown and all("happiness" in v for v in shown)
    window.dataset_dock.filter.setText("")
    assert len(window.dataset_dock.visible_video_ids()) == len(window.session.videos())
    assert isinstance(window.dataset_dock.tree, QtWidgets.QTreeView)


def test_a_project_open_elsewhere_opens_read_only(window, qtbot, project_path):
    from painxai_gui.curation import Project

    with Project.open(project_path, annotator="other"):  # another window/process holds the writer lock
        window.files.load_project(project_path)
        qtbot.waitUntil(lambda: window.session.project is not None, timeout=10000)
        assert window.session.project.read_only
        assert window.windowTitle().endswith("(read-only)")
        assert "already open for writing" in str(window.errors.history[-1])
        window.actions["select_toggle"].trigger()  # refused with a message, nothing written
        assert "read-only" in str(window.errors.history[-1])
        window.session.close_project()
