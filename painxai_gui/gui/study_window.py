"""The Study window (File > Open study…): a study folder's regions per class, average faces and SpRAy clusters.

It only presents :func:`painxai_gui.study.browse.open_study`, which runs in a
worker (the main window's ``Tasks``, with progress): the class x region table
as bars with interval whiskers and as a table, the average relevance faces,
the clusters. Clicking a bar, cell, face or cluster lists its frames;
double-clicking a frame asks :class:`StudyUI` to show that video and frame in
the main window with that method (an explanation dock with the method is
raised, or added with the study's options and target).
"""

from __future__ import annotations

import html
from pathlib import Path

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

from painxai_gui.gui.study_bars import IntervalBars
from painxai_gui.gui.study_views import FaceGrid, FramesModel, heat_pixmap
from painxai_gui.study.browse import GROUPINGS, StudyBrowse, export_project, open_study

MEASURE_TITLES = {"share": "positive share", "density": "density (share / area share)", "signed": "signed sum"}


def method_title(method: str) -> str:
    from painxai_gui.explain import METHODS

    entry = METHODS.get(method)
    return getattr(entry, "display_name", method) if entry is not None else method


class StudyWindow(QtWidgets.QMainWindow):
    frameRequested = QtCore.Signal(str, int, str, str)  # video id, frame, method, SHA-256 of its model
    loaded = QtCore.Signal(object)  # StudyBrowse, once shown
    failed = QtCore.Signal(str)  # the message shown

    def __init__(self, tasks, parent: QtWidgets.QWidget | None = None):
        super().__init__(parent)
        self.setWindowFlag(QtCore.Qt.WindowType.Window, True)
        self.setWindowTitle("PainXAI — Study")
        self.tasks = tasks
        self.browse: StudyBrowse | None = None
        self.folder: Path | None = None
        self.selection: dict | None = None  # what the frame list shows
        self._build()
        tasks.progressed.connect(self._progress)
        self.resize(1320, 840)

    # -- construction -----------------------------------------------------------------------------
    def _build(self) -> None:
        self.header = QtWidgets.QLabel("Open a study folder (File > Open study… in the main window).")
        self.header.setWordWrap(True)
        self.header.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message = QtWidgets.QLabel("")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b00020;")
        self.message.hide()
        self.grouping = QtWidgets.QComboBox()
        for g in GROUPINGS:
            self.grouping.addItem(f"{g} class", g)
        self.method = QtWidgets.QComboBox()
        self.method.setSizeAdjustPolicy(QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.measure = QtWidgets.QComboBox()
        for key, title in MEASURE_TITLES.items():
            self.measure.addItem(title, key)
        self.progress = QtWidgets.QProgressBar()
        self.progress.setMaximumWidth(220)
        self.progress.hide()
        controls = QtWidgets.QHBoxLayout()
        for label, widget in (("Classes:", self.grouping), ("Method:", self.method), ("Measure:", self.measure)):
            controls.addWidget(QtWidgets.QLabel(label))
            controls.addWidget(widget)
            controls.addSpacing(12)
        controls.addStretch(1)
        controls.addWidget(self.progress)

        self.bars = IntervalBars()
        self.table = QtWidgets.QTableWidget()
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setToolTip("mean [95% subject-bootstrap interval]; bold: the class's first region; "
                              "click a cell for its frames")
        regions = QtWidgets.QSplitter(QtCore.Qt.Orientation.Vertical)
        regions.addWidget(self.bars)
        regions.addWidget(self.table)
        regions.setSizes([420, 230])
        self.faces, self.clusters = FaceGrid(), FaceGrid()
        self.tabs = QtWidgets.QTabWidget()
        self.tabs.addTab(regions, "Regions per class")
        self.tabs.addTab(self.faces, "Average faces")
        self.tabs.addTab(self.clusters, "Clusters (SpRAy)")

        self.frames_title = QtWidgets.QLabel("Click a bar, cell, face or cluster to list its frames.")
        self.frames_title.setWordWrap(True)
        self.frames_model = FramesModel(self)
        self.frames = QtWidgets.QTableView()
        self.frames.setModel(self.frames_model)
        self.frames.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
        self.frames.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.SingleSelection)
        self.frames.verticalHeader().hide()
        self.frames.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        self.frames.horizontalHeader().setStretchLastSection(True)
        hint = QtWidgets.QLabel("Double-click a frame: the main window opens its video at that frame, with this "
                                "method's explanation dock.")
        hint.setWordWrap(True)
        right = QtWidgets.QWidget()
        column = QtWidgets.QVBoxLayout(right)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.frames_title)
        column.addWidget(self.frames, 1)
        column.addWidget(hint)

        split = QtWidgets.QSplitter(QtCore.Qt.Orientation.Horizontal)
        split.addWidget(self.tabs)
        split.addWidget(right)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([760, 540])
        central = QtWidgets.QWidget()
        layout = QtWidgets.QVBoxLayout(central)
        layout.addWidget(self.header)
        layout.addLayout(controls)
        layout.addWidget(self.message)
        layout.addWidget(split, 1)
        self.setCentralWidget(central)

        for combo in (self.grouping, self.method, self.measure):
            combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.bars.barClicked.connect(self.show_cell)
        self.table.cellClicked.connect(lambda r, c: self.show_cell(self._classes()[c], self.browse.regions_of()[r]))
        self.faces.tileClicked.connect(lambda key: self.show_class(*key))
        self.clusters.tileClicked.connect(lambda key: self.show_cluster(*key))
        self.frames.doubleClicked.connect(lambda index: self.request_frame(index.row()))

    # -- loading ----------------------------------------------------------------------------------
    def load(self, folder: str | Path) -> None:
        """Read the study in a worker; the window shows it (or why it cannot) when done."""
        self.folder = Path(folder)
        self.setWindowTitle(f"PainXAI — Study {self.folder.name}")
        self.header.setText(f"Reading {self.folder} …")
        self.message.hide()
        self.progress.setRange(0, 0)
        self.progress.show()
        self.tasks.run("study", f"reading study {self.folder.name}", lambda ctx: open_study(folder, ctx.progress),
                       self.show_study, self.show_failure)

    def _progress(self, name: str, done: int, total: int) -> None:
        if name == "study":
            self.progress.setRange(0, max(total, 1))
            self.progress.setValue(done)

    def show_failure(self, error: BaseException, _text: str = "") -> None:
        self.progress.hide()
        problem = getattr(error, "problem", None) or f"{type(error).__name__}: {error}"
        path = getattr(error, "path", None) or self.folder
        text = f"Cannot open {path} as a study: {problem}"
        self.browse = None
        self.header.setText("No study open.")
        self.bars.set_data([], [], np.zeros((0, 0)), np.zeros((0, 0)), np.zeros((0, 0)), "")
        self.table.clear()
        self.table.setRowCount(0)
        self.table.setColumnCount(0)
        self.faces.clear("")
        self.clusters.clear("")
        self.method.clear()
        self._list(np.zeros(0, np.int64), None, "value", "No study open.", None)
        self.say(text)
        self.failed.emit(text)

    def say(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def show_study(self, browse: StudyBrowse) -> None:
        self.progress.hide()
        self.browse = browse
        rows = browse.rows
        n_images, n_subjects = len(np.unique(rows["image"])), len(np.unique(np.asarray(rows["subject"]).astype(str)))
        source = (f"tables and faces from the report in {browse.report}" if browse.report is not None else
                  "no current report found: tables and faces computed from rows.parquet as `painxai study report` "
                  "does (defaults)")
        source = html.escape(source)
        target = (browse.record.get("settings") or {}).get("target", "predicted")
        self.header.setText(f"<b>{html.escape(str(browse.folder))}</b> — {n_images} images of {n_subjects} subjects, "
                            f"{len(browse.methods)} methods, maps of the {target} class; {source}.")
        self.method.blockSignals(True)
        self.method.clear()
        for m in browse.methods:
            self.method.addItem(method_title(m), m)
        self.method.blockSignals(False)
        self.say("")
        self.refresh()
        self.frames_model.set_rows(None, np.zeros(0, np.int64), None)
        self.frames_title.setText("Click a bar, cell, face or cluster to list its frames.")
        self.loaded.emit(browse)

    # -- views ------------------------------------------------------------------------------------
    def _classes(self) -> list[str]:
        return self.browse.classes(self.grouping.currentData()) if self.browse else []

    def current(self) -> tuple[str, str, str]:
        return self.grouping.currentData(), self.method.currentData(), self.measure.currentData()

    def refresh(self) -> None:
        if self.browse is None or self.method.currentData() is None:
            return
        grouping, method, measure = self.current()
        classes, regions = self._classes(), self.browse.regions_of()
        stat = {k: np.full((len(classes), len(regions)), np.nan) for k in ("mean", "low", "high")}
        cells = {}
        for c, cls in enumerate(classes):
            for r, region in enumerate(regions):
                cell = self.browse.cell(grouping, cls, method, measure, region)
                if cell is not None:
                    cells[(c, r)] = cell
                    for k in stat:
                        stat[k][c, r] = cell[k]
        self.bars.set_data(classes, regions, stat["mean"], stat["low"], stat["high"], MEASURE_TITLES[measure])
        self._fill_table(classes, regions, cells)
        self._fill_faces(grouping)
        self._fill_clusters(method)

    def _fill_table(self, classes: list[str], regions: list[str], cells: dict) -> None:
        """One row per region, one column per class (cells stay one line wide): mean [low, high]."""
        t = self.table
        t.clear()
        t.setRowCount(len(regions))
        t.setColumnCount(len(classes))
        t.setHorizontalHeaderLabels(classes)
        t.setVerticalHeaderLabels(regions)
        fmt = (lambda v: "–" if not np.isfinite(v) else f"{v:.3f}")
        for (c, r), cell in cells.items():
            item = QtWidgets.QTableWidgetItem(f"{fmt(cell['mean'])} [{fmt(cell['low'])}, {fmt(cell['high'])}]")
            item.setTextAlignment(QtCore.Qt.AlignmentFlag.AlignCenter)
            item.setToolTip(f"{classes[c]} · {regions[r]}: rank {cell['rank']}, {cell['images']} images of "
                            f"{cell['subjects']} subjects")
            if cell["rank"] == 1:
                font = item.font()
                font.setBold(True)
                item.setFont(font)
            t.setItem(r, c, item)
        t.horizontalHeader().setSectionResizeMode(QtWidgets.QHeaderView.ResizeMode.Stretch)
        t.resizeRowsToContents()

    def _fill_faces(self, grouping: str) -> None:
        b = self.browse
        self.faces.clear(f"Average relevance faces by {grouping} class: every map warped onto the mean landmark "
                         "template, scaled to unit sum |h|, averaged. Click one for its frames.")
        for m, method in enumerate(b.methods):
            self.faces.header(1, m + 1, method_title(method))
        for c, cls in enumerate(self._classes()):
            self.faces.header(c + 2, 0, cls)
            for m, method in enumerate(b.methods):
                image = b.averages.get((grouping, cls, method))
                if image is not None:
                    self.faces.add((grouping, cls, method, None), c + 2, m + 1, heat_pixmap(image, method, b.template),
                                   "", f"{cls} · {method_title(method)}: click for its frames")

    def _fill_clusters(self, method: str) -> None:
        b = self.browse
        found = [c for c in b.clusters if c["method"] == method]
        flagged = sum(c["off_face"] for c in found)
        self.clusters.clear(f"SpRAy clusters of {method_title(method)} per true class: mean warped map, size, "
                            f"share of positive relevance outside the face regions; {flagged} of {len(found)} "
                            "flagged OFF-FACE (share > 0.5). Click one for its frames.")
        classes = list(dict.fromkeys(c["class"] for c in found))
        for row, cls in enumerate(classes):
            self.clusters.header(row + 1, 0, cls)
            for col, c in enumerate(x for x in found if x["class"] == cls):
                image = b.cluster_maps.get((cls, method, c["cluster"]))
                if image is None:
                    continue
                flag = "\nOFF-FACE" if c["off_face"] else "\non the face"
                tile = self.clusters.add((cls, method, c["cluster"]), row + 1, col + 1,
                                         heat_pixmap(image, method, b.template),
                                         f"n={c['size']} · other {c['share_other']:.0%}{flag}",
                                         f"cluster {c['cluster']} of {c['k']}: click for its {c['size']} frames")
                if c["off_face"]:
                    tile.setStyleSheet("color: #b00020; font-weight: bold;")

    # -- frame lists ------------------------------------------------------------------------------
    def show_cell(self, cls: str, region: str) -> None:
        """The frames of ``cls`` for the current method, highest value of ``region`` first."""
        grouping, method, measure = self.current()
        rows = self.browse.class_frames(grouping, cls, method, region, measure)
        c, r = self._classes().index(cls), self.browse.regions_of().index(region)
        self.bars.select(cls, region)
        self.table.setCurrentCell(r, c)
        self._list(rows, f"{measure}_{region}", f"{region} {measure}",
                   f"<b>{cls}</b> ({grouping} class) · {method_title(method)} · <b>{region}</b>: {len(rows)} frames, "
                   f"highest {MEASURE_TITLES[measure]} of {region} first",
                   {"kind": "cell", "grouping": grouping, "class": cls, "method": method, "region": region,
                    "measure": measure})

    def show_class(self, grouping: str, cls: str, method: str, _unused=None) -> None:
        rows = self.browse.class_frames(grouping, cls, method)
        self._list(rows, None, "value",
                   f"<b>{cls}</b> ({grouping} class) · {method_title(method)}: {len(rows)} frames",
                   {"kind": "class", "grouping": grouping, "class": cls, "method": method})

    def show_cluster(self, cls: str, method: str, cluster: int) -> None:
        rows = self.browse.cluster_frames(cls, method, cluster)
        self._list(rows, "share_other", "other share",
                   f"<b>{cls}</b> · {method_title(method)} · cluster {cluster}: {len(rows)} frames",
                   {"kind": "cluster", "class": cls, "method": method, "cluster": cluster})

    def _list(self, rows: np.ndarray, column: str | None, title: str, text: str, selection: dict | None) -> None:
        self.selection = selection
        self.frames_model.set_rows(self.browse if len(rows) else None, rows, column, title)
        self.frames.resizeColumnsToContents()
        self.frames_title.setText(text)

    def request_frame(self, row: int) -> None:
        item = self.frames_model.row_of(row)
        if not item["video"] or item["frame"] < 0:
            self.say(f"{item['crop']} has no source video and frame in the study's manifest")
            return
        self.frameRequested.emit(item["video"], item["frame"], item["method"], item["model"])


class StudyUI(QtCore.QObject):
    """File > Open study…, and showing a study's frame in the main window's viewer."""

    def __init__(self, main: QtWidgets.QMainWindow, parent: QtCore.QObject | None = None):
        super().__init__(parent)
        self.main = main
        self.window: StudyWindow | None = None

    def open_study(self) -> None:
        folder = QtWidgets.QFileDialog.getExistingDirectory(self.main, "Study folder (written by painxai study run)")
        if folder:
            self.load(Path(folder))

    def load(self, folder: str | Path) -> StudyWindow:
        if self.window is None:
            self.window = StudyWindow(self.main.tasks, self.main)
            self.window.frameRequested.connect(self.show_frame)
        self.window.load(folder)
        self.window.show()
        self.window.raise_()
        return self.window

    def show_frame(self, video: str, frame: int, method: str, model: str = "") -> None:
        """Open ``video`` at ``frame`` in the main window (opening the study's project first when needed),
        explained by the study's model of that frame (``model``: its SHA-256) with ``method``."""
        session = self.main.session
        if session.entry(video) is not None:
            self._show(video, frame, method, model)
            return
        project = export_project(self.window.browse.record) if self.window and self.window.browse else None
        current = session.project.path.resolve() if session.project is not None else None
        if project is None or project.resolve() == current:
            self.window.say(f"Video {video} is not in the project or dataset open in the main window; open the "
                            "project the study's set was exported from.")
            return
        if current is not None and not self.confirm_switch(current, project):
            return
        self.main.files.load_project(project, then=lambda: self._show(video, frame, method, model))

    def confirm_switch(self, current: Path, project: Path) -> bool:
        """Ask before the main window leaves the open project (its curation is saved; only the view changes)."""
        answer = QtWidgets.QMessageBox.question(
            self.window or self.main, "Open the study's project?",
            f"This frame's video is in {project.name} ({project.parent}), not in the open project "
            f"{current.name}.\n\nClose {current.name} (every curation action is already saved) and open "
            f"{project.name}?")
        return answer == QtWidgets.QMessageBox.StandardButton.Yes

    def _show(self, video: str, frame: int, method: str, model: str = "") -> None:
        self.main.playback.pause()
        if not self.main.session.open_video(video, frame):
            self.window.say(f"Video {video} is not in the open project")
            return
        self._use_model(model)
        explanations = self.main.explanations
        dock = next((d for d in explanations.docks.values() if d.method_id == method), None)
        if dock is None:
            record = self.window.browse.record if self.window and self.window.browse else {}
            options = (record.get("methods") or {}).get(method) or {}
            target = (record.get("settings") or {}).get("target", "predicted")
            dock = explanations.add(method, {"method": method, "options": options, "target": target})
        dock.show()
        dock.raise_()
        self.main.raise_()
        self.main.activateWindow()

    def _use_model(self, sha256: str) -> None:
        """The main window explains with the model that explained the frame in the study (its fold's model)."""
        current = self.main.session.model
        if not sha256 or (current is not None and current.sha256 == sha256):
            return
        browse = self.window.browse if self.window else None
        path = browse.model_path(sha256) if browse is not None else None
        if path is None or not path.is_file():
            where = f" ({path} is missing)" if path is not None else ""
            self.window.say(f"The study's model of this frame is not on disk{where}; the main window explains "
                            "it with the model it has loaded.")
            return
        self.main.files.load_model(path)  # its status line says which model is loading
