"""The Study window on a real (small) study: its numbers, its frame lists, a frame shown in the main window.

The study is the known-truth set of :mod:`painxai_gui.study.synthetic` (6
subjects x 3 classes x 2 frames, two fold models), explained by
`painxai study run`; its manifest names frames of the GUI demo videos as the
crops' sources and an ``export.json`` beside it names a demo project, as a
real `project export` does.
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from PySide6 import QtCore

from gui_helpers import wait_shown

METHODS = ("gradient", "lrp.epsilon")
REGIONS = ("brows", "eyes", "nose", "mouth", "cheeks", "forehead", "jaw", "other")


def _sources(project, subject: int, category: str, frame: int) -> tuple[str, int]:
    """A demo video of the subject (its category's when there is one) and a frame unique per synthetic image."""
    from painxai_gui.demo_data import DEMO_SUBJECTS

    demo_subject = DEMO_SUBJECTS[subject % len(DEMO_SUBJECTS)]
    videos = [v for v in project.videos() if v.subject == demo_subject]
    video = next((v for v in videos if v.category == category), videos[0])
    return video.id, 1 + frame + 2 * (subject // len(DEMO_SUBJECTS))


@pytest.fixture(scope="session")
def study(tmp_path_factory, demo_root):
    """{'study', 'report', 'project', 'manifest'}: the study folder, its report (defaults) and the demo project."""
    from painxai_gui.curation import Project
    from painxai_gui.study import StudyConfig, make_report, run_study
    from painxai_gui.study.synthetic import make_known_truth, make_run_folder

    root = tmp_path_factory.mktemp("study-window")
    manifest = make_known_truth(root / "set", subjects=6, frames=2, size=96, folds=2)
    project_path = root / "demo.painxai"
    with Project.create(project_path, demo_root, annotator="tester") as project:
        rows = list(csv.DictReader(open(manifest, newline="")))
        for row in rows:
            row["source_video"], row["frame"] = _sources(project, int(row["subject"][1:]), row["category"],
                                                         int(row["frame"]))
    with open(manifest, "w", newline="") as fh:
        writer = csv.DictWriter(fh, list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    (manifest.parent / "export.json").write_text(json.dumps({"kind": "painxai-export", "version": 1,
                                                             "project": str(project_path)}))
    run = make_run_folder(root / "run", manifest)
    out = root / "study"
    run_study(StudyConfig(manifest=manifest, models=run, methods=METHODS, out=out, shard_size=12, sanity_images=0,
                          heatmap_size=32, show_progress_bar=False))
    make_report(out, root / "report")
    return {"study": out, "report": root / "report", "project": project_path, "manifest": manifest}


def _csv(path) -> list[dict[str, str]]:
    return list(csv.DictReader(open(path, newline="")))


def _rows(folder) -> dict[str, np.ndarray]:
    """rows.parquet read with pyarrow alone (not through the study package)."""
    import pyarrow.parquet as pq

    table = pq.read_table(folder / "rows.parquet")
    return {name: np.asarray(table.column(name).to_pylist()) for name in table.column_names}


def _ranked(table: dict[str, np.ndarray], picked: np.ndarray, column: str) -> np.ndarray:
    """Row positions of ``picked`` by ``column`` descending, ties by image (sorted with Python, not NumPy)."""
    positions = np.flatnonzero(picked).tolist()
    return np.asarray(sorted(positions, key=lambda i: (-table[column][i], table["image"][i])))


def open_study_window(window, qtbot, folder, signal: str = "loaded", timeout: int = 60000):
    """File > Open study… without the dialog: ``StudyUI.load``; waits until the window shows it (or fails)."""
    from painxai_gui.gui.study_window import StudyWindow

    if window.study.window is None:
        window.study.window = StudyWindow(window.tasks, window)
        window.study.window.frameRequested.connect(window.study.show_frame)
    with qtbot.waitSignal(getattr(window.study.window, signal), timeout=timeout) as blocker:
        window.study.load(folder)
    qtbot.waitExposed(window.study.window)
    return window.study.window, blocker.args[0]


def _select(win, grouping: str, method: str, measure: str) -> None:
    win.grouping.setCurrentIndex(win.grouping.findData(grouping))
    win.method.setCurrentIndex(win.method.findData(method))
    win.measure.setCurrentIndex(win.measure.findData(measure))


def test_table_and_bars_show_the_reports_csv(window, qtbot, study):
    win, browse = open_study_window(window, qtbot, study["study"])
    assert browse.report == study["report"].resolve()
    assert "from the report" in win.header.text()
    csv_rows = _csv(study["report"] / "regions.csv")
    for grouping, method, measure in (("true", "gradient", "share"), ("predicted", "lrp.epsilon", "density"),
                                      ("true", "lrp.epsilon", "signed")):
        _select(win, grouping, method, measure)
        classes = [win.table.horizontalHeaderItem(c).text() for c in range(win.table.columnCount())]
        regions = [win.table.verticalHeaderItem(r).text() for r in range(win.table.rowCount())]
        assert regions == list(REGIONS) and sorted(classes) == ["disgust", "happiness", "pain"]
        assert win.bars.classes == classes and win.bars.regions == regions
        for c, cls in enumerate(classes):
            for r, region in enumerate(regions):
                (row,) = [x for x in csv_rows if (x["grouping"], x["class"], x["method"], x["measure"], x["region"])
                          == (grouping, cls, method, measure, region)]
                mean, low, high = float(row["mean"]), float(row["low"]), float(row["high"])
                assert (win.bars.means[c, r], win.bars.lows[c, r], win.bars.highs[c, r]) == (mean, low, high)
                assert win.table.item(r, c).text() == f"{mean:.3f} [{low:.3f}, {high:.3f}]"
                assert win.table.item(r, c).font().bold() == (row["rank"] == "1")


def test_without_a_report_the_window_computes_the_same_tables(window, qtbot, study, tmp_path):
    bare = tmp_path / "elsewhere" / "study"
    shutil.copytree(study["study"], bare)
    win, browse = open_study_window(window, qtbot, bare)
    assert browse.report is None and "computed from rows.parquet" in win.header.text()
    for row in _csv(study["report"] / "regions.csv"):  # the report's defaults: the same numbers
        cell = browse.cell(row["grouping"], row["class"], row["method"], row["measure"], row["region"])
        np.testing.assert_allclose([cell["mean"], cell["low"], cell["high"]],
                                   [float(row["mean"]), float(row["low"]), float(row["high"])], rtol=1e-5, atol=1e-9)
    # means recomputed from the Parquet table (true class, positive share)
    table = _rows(bare)
    _select(win, "true", "gradient", "share")
    for c, cls in enumerate(win.bars.classes):
        mine = (table["category"] == cls) & (table["method"] == "gradient")
        expected = [table[f"share_{r}"][mine].mean() for r in REGIONS]
        np.testing.assert_allclose(win.bars.means[c], expected, rtol=1e-12)
    members = {}
    for m in _csv(study["report"] / "cluster_members.csv"):
        members.setdefault((m["class"], m["method"], int(m["cluster"])), []).append(int(m["image"]))
    assert {k: list(v) for k, v in browse.members.items()} == members


def _click_cell(qtbot, win, cls: str, region: str) -> None:
    column, row = win.bars.classes.index(cls), win.bars.regions.index(region)  # table: regions x classes
    rect = win.table.visualItemRect(win.table.item(row, column))
    qtbot.mouseClick(win.table.viewport(), QtCore.Qt.MouseButton.LeftButton, pos=rect.center())


def _listed(win) -> list[dict]:
    return [win.frames_model.row_of(i) for i in range(win.frames_model.rowCount())]


def test_clicking_a_cell_or_bar_lists_exactly_that_class_ranked_by_the_region(window, qtbot, study):
    win, _browse = open_study_window(window, qtbot, study["study"])
    win.tabs.setCurrentIndex(0)
    _select(win, "true", "lrp.epsilon", "share")
    table = _rows(study["study"])
    _click_cell(qtbot, win, "pain", "eyes")
    expected = _ranked(table, (table["category"] == "pain") & (table["method"] == "lrp.epsilon"), "share_eyes")
    assert len(expected) == 12
    listed = _listed(win)
    assert [x["image"] for x in listed] == table["image"][expected].tolist()
    assert [x["value"] for x in listed] == table["share_eyes"][expected].tolist()
    assert [(x["video"], x["frame"]) for x in listed] == list(zip(table["source_video"][expected].tolist(),
                                                                  table["frame"][expected].tolist()))
    assert {x["class"] for x in listed} == {"pain"} and {x["method"] for x in listed} == {"lrp.epsilon"}
    assert win.selection == {"kind": "cell", "grouping": "true", "class": "pain", "method": "lrp.epsilon",
                             "region": "eyes", "measure": "share"}
    # the bar of (happiness, mouth) in the predicted-class grouping
    _select(win, "predicted", "gradient", "share")
    names = ["pain", "disgust", "happiness"]
    predicted = np.asarray(names)[table["predicted"]]
    c, r = win.bars.classes.index("happiness"), win.bars.regions.index("mouth")
    qtbot.mouseClick(win.bars, QtCore.Qt.MouseButton.LeftButton, pos=win.bars.bar_rect(c, r).center().toPoint())
    expected = _ranked(table, (predicted == "happiness") & (table["method"] == "gradient"), "share_mouth")
    assert len(expected) > 0 and [x["image"] for x in _listed(win)] == table["image"][expected].tolist()
    assert win.bars.selected == ("happiness", "mouth")
    assert win.table.currentRow() == r and win.table.currentColumn() == c


def test_clicking_a_cluster_lists_its_members(window, qtbot, study):
    win, browse = open_study_window(window, qtbot, study["study"])
    _select(win, "true", "gradient", "share")
    win.tabs.setCurrentWidget(win.clusters)
    report = _csv(study["report"] / "clusters.csv")
    gradient = [c for c in report if c["method"] == "gradient"]
    assert len(win.clusters.tiles) == len(gradient) > 0
    first = gradient[-1]
    key = (first["class"], "gradient", int(first["cluster"]))
    qtbot.mouseClick(win.clusters.tiles[key], QtCore.Qt.MouseButton.LeftButton)
    members = sorted(int(m["image"]) for m in _csv(study["report"] / "cluster_members.csv")
                     if (m["class"], m["method"], m["cluster"]) == (first["class"], "gradient", first["cluster"]))
    listed = _listed(win)
    assert [x["image"] for x in listed] == members and len(members) == int(first["size"])
    assert {x["method"] for x in listed} == {"gradient"} and {x["class"] for x in listed} == {first["class"]}


def test_double_click_shows_the_frame_in_the_main_window_with_that_method(window, qtbot, study):
    assert window.session.project is None  # the window opens the project the set was exported from
    win, _browse = open_study_window(window, qtbot, study["study"])
    _select(win, "true", "lrp.epsilon", "share")
    _click_cell(qtbot, win, "disgust", "nose")
    before = [d.method_id for d in window.explanations.docks.values()]
    assert "lrp.epsilon" not in before
    for row in (0, 5):
        wanted = win.frames_model.row_of(row)
        rect = win.frames.visualRect(win.frames_model.index(row, 0))
        qtbot.mouseClick(win.frames.viewport(), QtCore.Qt.MouseButton.LeftButton, pos=rect.center())
        with qtbot.waitSignal(window.session.frameChanged, timeout=30000):
            qtbot.mouseDClick(win.frames.viewport(), QtCore.Qt.MouseButton.LeftButton, pos=rect.center())
        assert window.session.project.path.resolve() == study["project"].resolve()
        assert window.session.video.id == wanted["video"] and window.session.frame == wanted["frame"]
        wait_shown(window, qtbot, wanted["frame"])  # the frame's own marker is on screen
        docks = [d for d in window.explanations.docks.values() if d.method_id == "lrp.epsilon"]
        assert len(docks) == 1 and docks[0].isVisible()  # added once, then raised
    assert len(window.explanations.docks) == len(before) + 1
    assert window.errors.history == [] and not win.message.isVisible()


def test_the_frame_is_explained_with_the_study_model_that_explained_it(window, qtbot, study):
    """Double-click: the main window loads the fold model whose hash the study row names."""
    import json as _json

    from painxai_gui.model.loading import file_sha256

    win, _browse = open_study_window(window, qtbot, study["study"])
    _click_cell(qtbot, win, "happiness", "mouth")
    item = win.frames_model.row_of(0)
    record = _json.loads((study["study"] / "record.json").read_text())
    path = next(Path(m["path"]) for m in record["models"] if m["sha256"] == item["model"])
    assert file_sha256(path) == item["model"]
    with qtbot.waitSignal(window.session.modelChanged, timeout=60000):
        win.request_frame(0)
    assert window.session.model.sha256 == item["model"] and Path(window.session.model.path) == path
    # the study's tiny dense model has no conv layer: the region timeline's Grad-CAM says so in its dock, no dialog
    regions = window.views.regions
    qtbot.waitUntil(lambda: regions.state.text().startswith("failed: "), timeout=60000)
    assert "Grad-CAM" in regions.state.text() and window.errors.history == []
    assert window.session.video.id == item["video"] and window.session.frame == item["frame"]
    # a frame of the same model: nothing is loaded again
    same = next(r for r in range(win.frames_model.rowCount()) if win.frames_model.row_of(r)["model"] == item["model"])
    loads = []
    window.session.modelChanged.connect(loads.append)
    win.request_frame(same)
    qtbot.wait(300)
    assert loads == []


def test_leaving_another_open_project_asks_first(window, qtbot, study, tmp_path):
    """A frame from another project: the main window asks before it closes the open one; "no" keeps it."""
    from gui_helpers import open_project

    from painxai_gui.curation import Project
    from painxai_gui.demo_data import DEMO_SUBJECTS, ensure_demo_tree

    other_root = ensure_demo_tree(tmp_path / "other", size=(320, 240), part_a_frames=6, emotion_frames=30,
                                  subjects=DEMO_SUBJECTS[:1])
    other = tmp_path / "other.painxai"
    Project.create(other, other_root, annotator="tester").close()
    open_project(window, qtbot, other)
    asked = []
    answers = iter([False, True])

    def confirm(current, project):
        asked.append((current.resolve(), project.resolve()))
        return next(answers)

    window.study.confirm_switch = confirm
    win, _browse = open_study_window(window, qtbot, study["study"])
    _click_cell(qtbot, win, "pain", "eyes")
    rows = [win.frames_model.row_of(r) for r in range(win.frames_model.rowCount())]
    item = next(r for r in rows if window.session.entry(r["video"]) is None)  # a video the open project lacks
    win.frameRequested.emit(item["video"], item["frame"], item["method"], "")
    assert asked == [(other.resolve(), study["project"].resolve())]
    assert window.session.project.path.resolve() == other.resolve()  # "no": nothing changed
    with qtbot.waitSignal(window.session.frameChanged, timeout=30000):
        win.frameRequested.emit(item["video"], item["frame"], item["method"], "")
    assert len(asked) == 2
    assert window.session.project.path.resolve() == study["project"].resolve()
    assert window.session.video.id == item["video"] and window.session.frame == item["frame"]


def test_a_folder_that_is_not_a_study_says_so(window, qtbot, study, tmp_path):
    win, _browse = open_study_window(window, qtbot, study["study"])
    _click_cell(qtbot, win, "pain", "eyes")
    assert win.frames_model.rowCount() == 12
    (tmp_path / "notes.txt").write_text("hello")
    win, text = open_study_window(window, qtbot, tmp_path, signal="failed")
    assert "not a finished study folder" in text and str(tmp_path) in text
    assert win.message.isVisible() and win.message.text() == text and win.browse is None
    # nothing of the study before stays on screen
    assert win.frames_model.rowCount() == 0 and win.table.rowCount() == 0 and win.bars.classes == []
    assert win.faces.tiles == {} and win.clusters.tiles == {} and win.method.count() == 0


def test_file_menu_has_open_study(window):
    titles = [a.text() for a in window.menus["&File"].actions()]
    assert "Open study…" in titles
