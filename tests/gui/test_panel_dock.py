"""The Panel dock: P adds rows, drag reorders, Del removes, rows persist in the project, export in that order;
rows in memory without a project; the balanced-set export into a new folder with a readable summary."""

from __future__ import annotations

import json
import sqlite3

import pytest
from gui_helpers import open_project, wait_analysed
from PySide6 import QtCore

from painxai_gui.export.panel import record_path

Key = QtCore.Qt.Key


def _file_rows(path):
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT video_id, frame FROM panel_rows ORDER BY position").fetchall()
    finally:
        conn.close()


def _dock_rows(window):
    dock = window.panel.dock
    return [dock.list.item(i).text() for i in range(dock.list.count())]


def _add(window, qtbot, video, frame):
    window.session.open_video(video.id, frame)
    wait_analysed(window, qtbot, frame)
    qtbot.keyClick(window.video_view, Key.Key_P)


def _video(window, category, part="D"):
    return next(v for v in window.session.videos() if v.category == category and v.part == part)


@pytest.mark.slow
def test_panel_rows_persist_across_reopen_and_export_in_order(window, qtbot, tmp_path, project_path, loaded_model):
    open_project(window, qtbot, project_path, loaded_model)
    dock = window.panel.dock
    dock.show()
    dock.raise_()
    disgust, happy, pain = _video(window, "disgust"), _video(window, "happiness"), _video(window, "pain", "A")
    for video, frame in ((disgust, 10), (happy, 20), (pain, 3)):
        _add(window, qtbot, video, frame)
    assert "3 rows" in window.statusBar().currentMessage()
    assert _dock_rows(window) == [f"1. {disgust.subject}\ndisgust · frame 10", f"2. {happy.subject}\nhappiness · frame 20",
                                  f"3. {pain.subject}\npain · frame 3"]
    # a drag moves the row in the list's model; the dock turns that into a reorder of the kept rows
    dock.list.model().moveRow(QtCore.QModelIndex(), 2, QtCore.QModelIndex(), 0)
    qtbot.waitUntil(lambda: _file_rows(project_path) == [(pain.id, 3), (disgust.id, 10), (happy.id, 20)])
    dock.list.setCurrentRow(1)
    dock.list.setFocus()
    qtbot.keyClick(dock.list, Key.Key_Delete)  # Del removes the selected row
    expected = [(pain.id, 3), (happy.id, 20)]
    assert _file_rows(project_path) == expected
    dock.title.setText("Pain and happiness")
    dock.title.editingFinished.emit()
    window.actions["undo"].trigger()  # Ctrl+Z brings the removed row back, redo removes it again
    assert len(_dock_rows(window)) == 3
    window.actions["redo"].trigger()
    shown = _dock_rows(window)
    assert shown == [f"1. {pain.subject}\npain · frame 3", f"2. {happy.subject}\nhappiness · frame 20"]

    window.session.close_project()
    with qtbot.waitSignal(window.session.videoChanged, timeout=20000):
        window.files.load_project(project_path)
    assert _dock_rows(window) == shown and dock.title.text() == "Pain and happiness"
    # crops are not stored: the dock cuts them again from the videos in a worker
    qtbot.waitUntil(lambda: all(not dock.list.item(i).icon().isNull() for i in range(2)), timeout=20000)
    from painxai_gui.face import FaceCropper
    from painxai_gui.video import VideoReader

    with VideoReader(pain.path) as reader:  # the same crop as a fresh detection on the decoded frame
        fresh = FaceCropper().crop(reader.read(3))
    kept = window.panel.crops[window.panel.rows()[0]]
    assert (kept.crop == fresh.crop).all() and abs(kept.landmarks - fresh.landmarks).max() < 1e-3

    window.actions["export_panel"].trigger()
    dialog = window.panel.dialog
    assert dialog.items.count() == 2 and "Pain and happiness" in dialog.title.text()
    for i in range(dialog.methods.count()):
        item = dialog.methods.item(i)
        wanted = item.data(QtCore.Qt.ItemDataRole.UserRole) in ("gradcam", "lrp.epsilon")
        item.setCheckState(QtCore.Qt.CheckState.Checked if wanted else QtCore.Qt.CheckState.Unchecked)
    dialog.scale.setCurrentIndex(dialog.scale.findData("column"))
    dialog.format.setCurrentText("SVG")
    dialog.out.setText(str(tmp_path / "fig.svg"))
    dialog.dpi.setValue(60)
    dialog.export_button.click()
    qtbot.waitUntil(lambda: not window.tasks.busy("panel"), timeout=120000)
    record = json.loads(record_path(tmp_path / "fig.svg").read_text())
    assert [(r["video"], r["frame"], r["category"]) for r in record["rows"]] == [(pain.id, 3, "pain"),
                                                                               (happy.id, 20, "happiness")]
    assert record["title"] == "Pain and happiness" and record["colour_scale"] == "column"
    for row in record["rows"]:
        assert row["label"] == [row["subject"], row["category"], f"frame {row['frame']}"]
        for tile in row["tiles"]:
            assert sum(tile["regions"].values()) == pytest.approx(1.0, abs=1e-6)
    assert window.panel.settings.value("panel/last_folder") == str(tmp_path)
    window.panel.last_panel = None  # as at the next start: the save dialog opens where the last panel went
    assert window.panel.default_out() == tmp_path / "panel.png"


def test_without_a_project_rows_live_in_memory(window, qtbot, demo_root):
    with qtbot.waitSignal(window.session.videoChanged, timeout=20000):
        window.files.load_dataset(demo_root)
    assert "memory only" in window.panel.dock.note.text()
    video = _video(window, "disgust")
    _add(window, qtbot, video, 4)
    _add(window, qtbot, video, 4)  # the same frame twice is one row
    assert "already in the panel" in window.statusBar().currentMessage()
    assert _dock_rows(window) == [f"1. {video.subject}\ndisgust · frame 4"]
    assert window.panel.rows()[0].frame == 4


def test_balanced_export_into_a_new_folder_shows_a_summary(window, qtbot, tmp_path, project_path):
    from painxai_gui.gui.dialogs.export_result import ExportFolderDialog

    project = open_project(window, qtbot, project_path)
    assert window.panel.default_out() == project_path.parent / "panel.png"  # no panel saved yet: the project's folder
    video = next(v for v in project.videos(role="slots") if v.category == "happiness")
    project.set_quota(1)  # one frame per slot: this subject's emotion videos are complete, so it is exported
    project.select_frames(video, [2, 12, 22])
    disgust = next(v for v in project.videos(role="slots") if v.category == "disgust" and v.subject == video.subject)
    project.select_frames(disgust, [3, 13, 23])
    out = tmp_path / "not" / "there" / "yet"
    chooser = ExportFolderDialog(out)
    assert chooser.ok.isEnabled() and "will be created" in chooser.hint.text()
    chooser.path.setText(str(project_path))
    assert not chooser.ok.isEnabled()  # a file is not a folder
    chooser.close()
    window.files.preview_export_set(out)  # what the folder dialog calls on OK
    qtbot.waitUntil(lambda: window.files.export_dialog is not None and window.files.export_dialog.isVisible(),
                    timeout=20000)
    window.files.export_dialog.choose_unbalanced()  # one subject: its pain clips outnumber 3 frames per emotion
    window.files.export_dialog.export_button.click()
    qtbot.waitUntil(lambda: window.files.export_summary is not None, timeout=60000)
    assert out.is_dir() and (out / "manifest.csv").is_file()
    text = window.files.export_summary.text.text()
    manifest = (out / "manifest.csv").read_text().splitlines()[1:]
    pain = sum(",pain," in line for line in manifest)
    assert str(out) in text and "happiness</td><td align='right'>3<" in text
    assert f"pain</td><td align='right'>{pain}<" in text and "after" in text and "s<" in text
