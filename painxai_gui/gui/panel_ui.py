"""The figure panel's controller: P adds the current frame, the Panel dock edits the rows, Ctrl+E exports.

Rows are kept by the project (``panel_rows`` table, undoable, committed at
once) or, without a writable project, in memory (:class:`MemoryPanel`); the
dock says which. Crops are never stored: the ones the viewer already made are
kept here, the others are cut again from the video in a worker
(:func:`painxai_gui.live.panel_crops.row_crops`) when the dock is shown or a
panel is exported. The export is the shared ``make_panel``.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from pathlib import Path
from typing import Callable

from PySide6 import QtCore, QtWidgets

from painxai_gui.curation.panel import MemoryPanel, PanelRef
from painxai_gui.errors import ProjectError
from painxai_gui.gui.dialogs.panel import PanelChoice, PanelDialog
from painxai_gui.gui.session import Session
from painxai_gui.live.panel_crops import RowCrop, RowInfo, panel_items, row_crops

LAST_FOLDER = "panel/last_folder"  # QSettings key: where the last panel was saved
KEEP_CROPS = 256


class PanelUI(QtCore.QObject):
    rowsChanged = QtCore.Signal()

    def __init__(self, session: Session, tasks, errors, pool, settings: QtCore.QSettings, window: QtWidgets.QWidget,
                 last_analysis: Callable, panel_settings: Callable[[], tuple[list[str], dict]],
                 parent: QtCore.QObject | None = None):
        super().__init__(parent)
        self.session, self.tasks, self.errors, self.pool = session, tasks, errors, pool
        self.settings, self.window = settings, window
        self._last_analysis = last_analysis    # () -> the viewer's latest Analysis
        self._panel_settings = panel_settings  # () -> (methods of open docks, options per method)
        self.keeper = MemoryPanel()
        self.crops: OrderedDict[PanelRef, RowCrop] = OrderedDict()
        self.dock = None
        self.dialog: PanelDialog | None = None
        self.last_panel: Path | None = None
        self._shown: list[PanelRef] = []
        session.projectChanged.connect(self._project_changed)
        session.projectEdited.connect(lambda _change: self.refresh())
        session.datasetChanged.connect(self.refresh)
        tasks.progressed.connect(self._progress)

    def attach(self, dock) -> None:
        """Show the rows in ``dock`` and take its requests."""
        self.dock = dock
        dock.reorderRequested.connect(self.reorder)
        dock.removeRequested.connect(self.remove)
        dock.titleEdited.connect(self.set_title)
        dock.shown.connect(self._crop_missing)
        self._project_changed(self.session.project)

    # -- where the rows are kept ---------------------------------------------------------------------
    def _project_changed(self, project) -> None:
        self.crops.clear()  # video ids are only unique within one dataset
        if project is None:
            self.keeper, note = MemoryPanel(), "No project: these rows are kept in memory only (open or create a " \
                                               "project to keep them)."
        elif project.read_only:
            self.keeper = MemoryPanel(project.panel_rows(), project.panel_title())
            note = "Project open read-only: changes to these rows are kept in memory only."
        else:
            self.keeper, note = project, f"Kept in {project.path.name}; Ctrl+Z undoes changes."
        if self.dock is not None:
            self.dock.set_note(note)
        self.refresh(force=True)

    def rows(self) -> list[PanelRef]:
        return self.keeper.panel_rows()

    def row_infos(self) -> list[RowInfo]:
        out = []
        for ref in self.rows():
            video = self.session.entry(ref.video_id)
            out.append(RowInfo(ref, video.path if video else None, video.subject if video else "",
                               video.category if video else None))
        return out

    def title(self) -> str:
        return self.keeper.panel_title()

    # -- edits -------------------------------------------------------------------------------------------
    def add_frame(self) -> None:
        """P: the current frame, with the crop the viewer already made."""
        analysis, video = self._last_analysis(), self.session.video
        if (analysis is None or video is None or not analysis.ok or analysis.video_id != video.id
                or analysis.frame != self.session.frame):
            self.session.status.emit("No face crop for this frame yet")
            return
        ref = PanelRef(video.id, int(analysis.frame))
        self._remember(ref, RowCrop(analysis.crop, analysis.crop_landmarks))
        added = self._do(self.keeper.add_panel_row, video.id, ref.frame)
        if added is None:
            return
        count = len(self.rows())
        if added:
            self.session.status.emit(f"Added frame {ref.frame} of {video.id} to the panel; {count} rows")
        else:
            self.session.status.emit(f"Frame {ref.frame} of {video.id} is already in the panel ({count} rows)")
        self.refresh()

    def remove(self, indices: list[int]) -> None:
        self._do(self.keeper.remove_panel_rows, indices)
        self.refresh()

    def move(self, src: int, dst: int) -> None:
        self._do(self.keeper.move_panel_row, src, dst)
        self.refresh()

    def reorder(self, order: list[int]) -> None:
        self._do(self.keeper.reorder_panel_rows, order)
        self.refresh(force=True)  # the dock's items were moved by the drag: set them from the rows again

    def set_title(self, title: str) -> None:
        if title != self.title():
            self._do(self.keeper.set_panel_title, title)
            self.refresh()

    def _do(self, fn, *args):
        try:
            return fn(*args)
        except ProjectError as exc:
            self.errors.show(exc)
            return None

    # -- showing them ------------------------------------------------------------------------------------
    def refresh(self, force: bool = False) -> None:
        """Show the kept rows (when they changed) with the thumbnails there are; crop the others."""
        if not (isinstance(self.keeper, MemoryPanel) or self.keeper is self.session.project):
            return  # the project is being replaced: _project_changed follows
        rows = self.rows()
        if self.dock is not None:
            self.dock.set_title(self.title())
        if rows == self._shown and not force:
            return
        self._shown = rows
        infos = self.row_infos()
        texts = [_row_text(info) for info in infos]
        if self.dock is not None:
            self.dock.set_rows(texts)
            for n, ref in enumerate(rows):
                crop = self.crops.get(ref)
                self.dock.set_thumbnail(n, crop.crop if crop is not None else None)
        if self.dialog is not None:
            self.dialog.set_rows([t for t, _ in texts], self.title())
        self.rowsChanged.emit()
        self._crop_missing()

    def _crop_missing(self) -> None:
        """Cut the rows' crops that are not here yet, in a worker, while the dock is visible."""
        if self.dock is None or not self.dock.isVisible() or self.tasks.busy("panel_crops"):
            return
        todo = [info for info in self.row_infos() if info.ref not in self.crops]
        if todo:
            self.tasks.run("panel_crops", "cutting the panel's face crops",
                           lambda ctx: row_crops(self.pool, todo, ctx.cancelled), self._crops_done)

    def _crops_done(self, found: dict[PanelRef, RowCrop]) -> None:
        for ref, crop in found.items():
            self._remember(ref, crop)
        if self.dock is not None:
            for n, ref in enumerate(self._shown):
                crop = self.crops.get(ref)
                if crop is not None:
                    self.dock.set_thumbnail(n, crop.crop)
        QtCore.QTimer.singleShot(0, self, self._crop_missing)  # rows added meanwhile (once this task has ended)

    def _remember(self, ref: PanelRef, crop: RowCrop) -> None:
        self.crops[ref] = crop
        self.crops.move_to_end(ref)
        while len(self.crops) > KEEP_CROPS:
            self.crops.popitem(last=False)

    # -- export --------------------------------------------------------------------------------------------
    def export(self) -> None:
        """Ctrl+E: the export dialog for the dock's rows."""
        from painxai_gui.explain import METHODS, THESIS_METHODS

        if self.session.model is None:
            self.session.status.emit("Load a model first")
            return
        chosen, _options = self._panel_settings()
        methods = [(m.id, m.display_name) for m in METHODS.values()]
        texts = [t for t, _ in map(_row_text, self.row_infos())]
        self.dialog = dialog = PanelDialog(texts, methods, chosen or list(THESIS_METHODS[:3]), self.default_out(),
                                           self.title(), self.window)
        dialog.exportRequested.connect(self.run_panel)
        dialog.cancelRequested.connect(lambda: self.tasks.cancel("panel"))
        dialog.finished.connect(lambda _r: setattr(self, "dialog", None))
        dialog.open()

    def default_out(self) -> Path:
        """The last panel's file, else ``panel.png`` in the last folder a panel went to, else the project's."""
        if self.last_panel is not None:
            return self.last_panel
        last = self.settings.value(LAST_FOLDER)
        if isinstance(last, str) and last and Path(last).is_dir():
            folder = Path(last)
        elif self.session.project is not None:
            folder = self.session.project.path.parent
        else:
            folder = Path.cwd()
        return folder / "panel.png"

    def run_panel(self, choice: PanelChoice) -> None:
        from painxai_gui.export.panel_job import make_panel

        _chosen, options = self._panel_settings()
        infos, model, dialog, title = self.row_infos(), self.session.model, self.dialog, self.title() or None
        have = {info.ref: self.crops[info.ref] for info in infos if info.ref in self.crops}
        started = time.monotonic()

        def job(ctx):
            crops = {**have, **row_crops(self.pool, [i for i in infos if i.ref not in have], ctx.cancelled)}
            items = panel_items(infos, crops)
            return crops, make_panel(items, model, list(choice.methods), choice.out,
                                     options={m: options.get(m, {}) for m in choice.methods},
                                     target=choice.target, crop_faces=False, dpi=choice.dpi, scale=choice.scale,
                                     title=title, progress=ctx.progress, cancel=ctx.cancelled)

        def done(outcome) -> None:
            crops, result = outcome
            for ref, crop in crops.items():
                self._remember(ref, crop)
            self.last_panel = result.path
            self.settings.setValue(LAST_FOLDER, str(result.path.parent))
            notes = "\n".join(result.notes)
            text = (f"Wrote {result.path}\nand its record {result.record_path.name} "
                    f"({len(result.rows)} rows, {time.monotonic() - started:.1f} s)\n{notes}")
            if dialog is not None:
                dialog.set_running(False, text.strip())
            self.session.status.emit(f"Panel written: {result.path}")

        def failed(error, text) -> None:
            if dialog is not None:
                dialog.set_running(False, f"Failed: {error}")
            self.errors.show(error, text)

        def cancelled() -> None:
            if dialog is not None:
                dialog.set_running(False, "Cancelled")

        self.tasks.run("panel", "exporting figure panel", job, done, failed, cancelled)

    def _progress(self, name: str, done: int, total: int) -> None:
        if name == "panel" and self.dialog is not None:
            self.dialog.set_progress(done, total)


def _row_text(info: RowInfo) -> tuple[str, str]:
    """A row in the dock: subject, then category and frame; the video id in the tooltip."""
    if info.path is None:
        return f"missing video\nframe {info.ref.frame}", f"{info.ref.video_id} is not in this dataset"
    return (f"{info.subject}\n{info.category or '?'} · frame {info.ref.frame}",
            f"{info.ref.video_id}, frame {info.ref.frame}")
