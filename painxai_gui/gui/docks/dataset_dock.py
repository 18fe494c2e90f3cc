"""Dataset dock: subjects -> videos with category and per-slot progress; excluded subjects greyed; a filter.

Long names are elided in the middle (the subject and the take stay readable)
and every cell's tooltip has its full text; the open video stays the tree's
current row through filtering.
"""

from __future__ import annotations

from pathlib import Path

from PySide6 import QtCore, QtGui, QtWidgets

from painxai_gui.dataset.records import VideoRecord
from painxai_gui.gui.session import Session

VIDEO_ROLE = QtCore.Qt.ItemDataRole.UserRole + 1
SUBJECT_ROLE = QtCore.Qt.ItemDataRole.UserRole + 2
GREY = QtGui.QBrush(QtGui.QColor(140, 140, 140))


class DatasetDock(QtWidgets.QDockWidget):
    def __init__(self, session: Session, parent: QtWidgets.QWidget | None = None):
        super().__init__("Dataset", parent)
        self.setObjectName("dataset")
        self.session = session
        self.model = QtGui.QStandardItemModel(0, 3, self)
        self.model.setHorizontalHeaderLabels(["Subject / video", "Category", "Selected per slot"])
        self.proxy = QtCore.QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setRecursiveFilteringEnabled(True)
        self.proxy.setFilterKeyColumn(-1)
        self.proxy.setFilterCaseSensitivity(QtCore.Qt.CaseSensitivity.CaseInsensitive)
        self.filter = QtWidgets.QLineEdit(placeholderText="Filter subjects, videos, categories…")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self._filter_changed)
        self.tree = QtWidgets.QTreeView()
        self.tree.setModel(self.proxy)
        self.tree.setUniformRowHeights(True)
        self.tree.setTextElideMode(QtCore.Qt.TextElideMode.ElideMiddle)
        self.tree.header().setMinimumSectionSize(48)
        self.tree.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setContextMenuPolicy(QtCore.Qt.ContextMenuPolicy.ActionsContextMenu)
        self.tree.activated.connect(self._open)
        self.tree.clicked.connect(self._open)
        self.summary = QtWidgets.QLabel()
        self.summary.setWordWrap(True)
        body = QtWidgets.QWidget()
        layout = QtWidgets.QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.filter)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.summary)
        self.setWidget(body)
        self._rows: dict[str, list[QtGui.QStandardItem]] = {}
        self._subjects: dict[str, list[QtGui.QStandardItem]] = {}
        session.datasetChanged.connect(self.rebuild)
        session.projectEdited.connect(self._project_edited)
        session.videoChanged.connect(self._mark_current)

    # -- building ----------------------------------------------------------------------
    def rebuild(self) -> None:
        self.model.removeRows(0, self.model.rowCount())
        self._rows.clear()
        self._subjects.clear()
        for entry in self.session.videos():
            parent = self._subjects.get(entry.subject)
            if parent is None:
                parent = [_item(entry.subject, subject=entry.subject), _item(""), _item("")]
                self.model.appendRow(parent)
                self._subjects[entry.subject] = parent
            row = [_item(short_name(entry), video=entry.id, subject=entry.subject), _item(entry.category or "?"),
                   _item("")]
            parent[0].appendRow(row)
            self._rows[entry.id] = row
        self.refresh_all()
        self.tree.expandAll()
        for column in range(2):
            self.tree.resizeColumnToContents(column)
        self._select_current()

    def refresh_all(self) -> None:
        for video_id in self._rows:
            self._refresh_video(video_id)
        self._refresh_exclusions()
        self._refresh_summary()

    def _refresh_video(self, video_id: str) -> None:
        entry = self.session.entry(video_id)
        project = self.session.project
        if entry is None:
            return
        cell = self._rows[video_id][2]
        if not entry.slotted:
            cell.setText(f"all frames ({entry.frame_count})")
        elif project is None:
            cell.setText("no project")
        else:
            slots = project.slots(video_id)
            cell.setText(f"{len(slots)} slots: " + ", ".join(s.text for s in slots))
            done = all(s.full for s in slots)
            cell.setForeground(QtGui.QBrush(QtGui.QColor(60, 170, 60)) if done else QtGui.QBrush())
        cell.setToolTip(cell.text())

    def _refresh_exclusions(self) -> None:
        project = self.session.project
        reasons: dict[tuple[str, str], str] = {}
        if project is not None:
            reasons = {(e.scope, e.target): f"excluded by {e.annotator}: {e.reason}" for e in project.exclusions()}
        for subject, items in self._subjects.items():
            _grey(items, reasons.get(("subject", subject)))
            for r in range(items[0].rowCount()):
                video_id = items[0].child(r, 0).data(VIDEO_ROLE)
                reason = reasons.get(("subject", subject)) or reasons.get(("video", video_id))
                _grey(self._rows[video_id], reason)

    def _refresh_summary(self) -> None:
        project = self.session.project
        if project is None:
            self.summary.setText(f"{len(self._rows)} videos (no project: curation off)")
        else:
            self.summary.setText(project.progress().text)

    # -- events ---------------------------------------------------------------------------
    def _project_edited(self, change) -> None:
        if self.session.project is None:
            return
        if getattr(change, "global_", False):
            self.refresh_all()
            return
        for video_id in getattr(change, "videos", ()):
            if video_id in self._rows:
                self._refresh_video(video_id)
        self._refresh_summary()

    def _filter_changed(self, text: str) -> None:
        self.proxy.setFilterFixedString(text)
        self.tree.expandAll()
        self._select_current()  # filtering moves the current row; the open video is the one to show

    def _open(self, index: QtCore.QModelIndex) -> None:
        video_id = self.proxy.index(index.row(), 0, index.parent()).data(VIDEO_ROLE)
        if video_id and (self.session.video is None or self.session.video.id != video_id):
            self.session.open_video(video_id)

    def _mark_current(self, entry: VideoRecord | None) -> None:
        for video_id, row in self._rows.items():
            font = row[0].font()
            font.setBold(entry is not None and video_id == entry.id)
            row[0].setFont(font)
        self._select_current()

    def _select_current(self) -> None:
        """Make the open video the tree's current and only selected row (none while the filter hides it)."""
        entry = self.session.video
        index = QtCore.QModelIndex()
        if entry is not None and entry.id in self._rows:
            index = self.proxy.mapFromSource(self._rows[entry.id][0].index())
        if index.isValid():
            self.tree.setCurrentIndex(index)
            self.tree.scrollTo(index)
        else:
            self.tree.selectionModel().clear()

    def selected_subject(self) -> str | None:
        index = self.tree.currentIndex()
        return index.siblingAtColumn(0).data(SUBJECT_ROLE) if index.isValid() else None

    def visible_video_ids(self) -> list[str]:
        """Videos that pass the filter, in tree order (for tests and next/previous video)."""
        out = []
        for r in range(self.proxy.rowCount()):
            parent = self.proxy.index(r, 0)
            for c in range(self.proxy.rowCount(parent)):
                out.append(self.proxy.index(c, 0, parent).data(VIDEO_ROLE))
        return out


def short_name(entry: VideoRecord) -> str:
    """``<root>/.../071309_w_21-PA3-002.mp4`` -> ``PA3-002`` (the subject is the parent row)."""
    stem = Path(entry.id).stem
    return stem[len(entry.subject) + 1:] if stem.startswith(entry.subject + "-") else stem


def _item(text: str, *, video: str | None = None, subject: str | None = None) -> QtGui.QStandardItem:
    item = QtGui.QStandardItem(text)
    item.setEditable(False)
    if video is not None:
        item.setData(video, VIDEO_ROLE)
    if subject is not None:
        item.setData(subject, SUBJECT_ROLE)
    return item


def _grey(items: list[QtGui.QStandardItem], reason: str | None) -> None:
    """Grey out (or back) a row, saying why in every cell's tooltip; tooltips carry each cell's full text."""
    video = items[0].data(VIDEO_ROLE)
    for item in items:
        full = video if item.column() == 0 and video else item.text().removesuffix(" (excluded)")
        item.setToolTip("\n".join(t for t in (full, reason) if t))
        if reason:
            item.setForeground(GREY)
        elif item.column() != 2:
            item.setForeground(QtGui.QBrush())
    if reason:
        items[0].setText(items[0].text().removesuffix(" (excluded)") + " (excluded)")
    else:
        items[0].setText(items[0].text().removesuffix(" (excluded)"))
