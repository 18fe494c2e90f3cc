"""File handlers: open dataset / project / model, the balanced-set export, reports.

Opening and exporting run in workers (``Tasks``); their results are applied
on the GUI thread. Failures come back as the core's typed errors and are
shown by the error reporter; nothing here writes curated data itself.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Callable

from PySide6 import QtCore, QtWidgets

from painxai_gui.curation.schema import PROJECT_SUFFIX
from painxai_gui.gui.dialogs.export_result import ExportSummaryDialog, choose_export_folder
from painxai_gui.gui.dialogs.export_set import ExportChoice, ExportSetDialog
from painxai_gui.gui.dialogs.simple import TextDialog
from painxai_gui.gui.session import Session


def load_model_job(path: Path):
    """Worker: import TensorFlow, load the model and warm its compiled forward passes up (the batched one
    of the timelines, the recorded one of the live loop: tracing later would stall the first frames)."""
    import numpy as np

    from painxai_gui.model import Predictor, load_model, preprocess

    loaded = load_model(path)
    predictor = Predictor(loaded)
    blank = np.zeros((*loaded.spec.input_size, 3), np.uint8)
    predictor.predict(blank)
    predictor.predict_recorded(preprocess(blank, loaded.spec)[0])
    _ = predictor.device
    return loaded, predictor


def open_project_job(path: Path):
    """Worker: open for writing; when another process holds it or it cannot be written here
    (read-only media, folder or file), open it read-only and say why."""
    from painxai_gui.curation import Project
    from painxai_gui.errors import ProjectError, ProjectLockedError, ProjectReadOnlyError

    try:
        return Project.open(path), None
    except (ProjectLockedError, ProjectReadOnlyError) as exc:
        why = exc.reason if isinstance(exc, ProjectReadOnlyError) else exc.problem
        note = ProjectError(f"{why}. Opened it READ-ONLY here: you can browse and explain, "
                            "but not change selections.", path)
        return Project.open(path, read_only=True), note


class FileUI(QtCore.QObject):
    modelLoaded = QtCore.Signal(str)  # device

    def __init__(self, session: Session, window: QtWidgets.QWidget, tasks, errors, pool, cache,
                 parent: QtCore.QObject | None = None):
        super().__init__(parent)
        self.session, self.window, self.tasks, self.errors = session, window, tasks, errors
        self.pool, self.cache = pool, cache
        self.folder_dialog = None  # the balanced-set folder dialog while it is open
        self.export_dialog: ExportSetDialog | None = None  # the preview of what export will write
        self.export_summary: ExportSummaryDialog | None = None

    # -- dataset and project ------------------------------------------------------------------
    def open_dataset(self) -> None:
        root = QtWidgets.QFileDialog.getExistingDirectory(self.window, "Dataset folder")
        if root:
            self.load_dataset(Path(root))

    def load_dataset(self, root: Path) -> None:
        from painxai_gui.dataset import index_dataset

        self.tasks.run("open", f"indexing {root}", lambda ctx: index_dataset(root, progress=ctx.progress),
                       self._dataset_ready)

    def _dataset_ready(self, index) -> None:
        self.pool.set_cache_dir(None)
        self.cache.set_folder(None)
        self.session.set_index(index)
        self._open_first()

    def new_project(self) -> None:
        root = QtWidgets.QFileDialog.getExistingDirectory(self.window, "Dataset folder for the new project")
        if not root:
            return
        path, _ = QtWidgets.QFileDialog.getSaveFileName(self.window, "New project file",
                                                        str(Path(root).parent / f"project{PROJECT_SUFFIX}"),
                                                        f"PainXAI project (*{PROJECT_SUFFIX})")
        if path:
            self.create_project(Path(path), Path(root))

    def create_project(self, path: Path, root: Path) -> None:
        from painxai_gui.curation import Project

        self.tasks.run("open", f"creating project {path.name}",
                       lambda ctx: Project.create(path, root, progress=ctx.progress), self.project_ready)

    def open_project(self) -> None:
        path, _ = QtWidgets.QFileDialog.getOpenFileName(self.window, "Open project", "",
                                                        f"PainXAI project (*{PROJECT_SUFFIX} *.sqlite);;All files (*)")
        if path:
            self.load_project(Path(path))

    def load_project(self, path: Path, then: Callable[[], None] | None = None) -> None:
        def done(result) -> None:
            project, note = result
            self.project_ready(project)
            if note:
                self.errors.show(note)
            if then is not None:
                then()

        self.tasks.run("open", f"opening project {path.name}", lambda ctx: open_project_job(path), done)

    def project_ready(self, project) -> None:
        """Show an open project: its videos, its caches, the video it was left on."""
        self.pool.set_cache_dir(project.cache_dir)
        self.cache.set_folder(project.cache_dir)
        self.session.set_project(project)
        missing = project.missing_videos() if not project.root_missing else []
        if project.root_missing:
            self.session.status.emit(f"Dataset root {project.dataset_root} is missing: relocate the project")
        elif missing:
            self.session.status.emit(f"{len(missing)} videos are missing (first: {missing[0]})")
        last = project.get_setting("gui.last_video")
        if not (last and self.session.open_video(last, int(project.get_setting("gui.last_frame", 0) or 0))):
            self._open_first()

    def _open_first(self) -> None:
        videos = self.session.videos()
        slotted = [v for v in videos if v.slotted] or videos
        if slotted:
            self.session.open_video(slotted[0].id)

    def remember_position(self) -> None:
        project, video = self.session.project, self.session.video
        if project is not None and not project.read_only and video is not None:
            try:
                project.set_setting("gui.last_video", video.id)
                project.set_setting("gui.last_frame", int(self.session.frame))
            except Exception:  # the position is a convenience; never block closing
                pass

    # -- model ------------------------------------------------------------------------------
    def open_model(self) -> None:
        path, _ = QtWidgets.QFileDialog.getOpenFileName(self.window, "Open model", "",
                                                        "Keras models (*.keras *.h5 *.hdf5);;All files (*)")
        if path:
            self.load_model(Path(path))

    def load_model(self, path: Path) -> None:
        self.session.status.emit(f"Loading TensorFlow and the model {path.name}…")
        self.tasks.run("model", f"loading model {path.name}", lambda ctx: load_model_job(path), self._model_ready)

    def _model_ready(self, result) -> None:
        loaded, predictor = result
        self.session.set_model(loaded, predictor)
        self.session.status.emit(f"Model {Path(loaded.path).name if loaded.path else ''} on {predictor.device}")
        self.modelLoaded.emit(predictor.device)

    # -- balanced set and report -----------------------------------------------------------------
    def export_set(self) -> None:
        """Choose a folder, preview the balance plan in the export dialog, export on confirmation."""
        if self.session.project is None:
            self.session.status.emit("Open a project first")
            return
        self.folder_dialog = choose_export_folder(self.window, self.session.project.path.parent / "balanced",
                                                  self.preview_export_set)

    def preview_export_set(self, out: Path) -> None:
        """Worker: the balance plan and the folder's state; then the export dialog shows them (nothing written)."""
        from painxai_gui.curation.export import folder_problem

        project = self.session.project

        def show(result) -> None:
            plan, problem = result
            self.export_dialog = dialog = ExportSetDialog(plan, out, problem, self.window)
            dialog.exportRequested.connect(self.run_export_set)
            dialog.open()

        self.tasks.run("export_set", "checking the balanced set",
                       lambda ctx: (project.balance(), folder_problem(out)), show)

    def run_export_set(self, choice: ExportChoice) -> None:
        """Export as chosen in the preview dialog, in a worker (the folder is created when missing); the
        summary opens when done."""
        project, started = self.session.project, time.monotonic()
        progress = QtWidgets.QProgressDialog("Exporting face crops…", "Cancel", 0, 0, self.window)
        progress.setWindowTitle("Export balanced set")
        progress.canceled.connect(lambda: self.tasks.cancel("export_set"))
        progress.show()
        update = lambda name, d, t: (progress.setMaximum(t), progress.setValue(d)) if name == "export_set" else None
        self.tasks.progressed.connect(update)

        def finish(summary) -> None:
            progress.close()
            self.tasks.progressed.disconnect(update)
            self.export_summary = ExportSummaryDialog(summary, time.monotonic() - started, self.window)
            self.export_summary.open()

        def failed(error, text) -> None:
            progress.close()
            self.tasks.progressed.disconnect(update)
            self.errors.show(error, text)

        self.tasks.run("export_set", "exporting the balanced set",
                       lambda ctx: project.export(choice.out, folds=choice.folds, progress=ctx.progress,
                                                  cancel=ctx.cancelled, allow_unbalanced=choice.allow_unbalanced,
                                                  force=choice.force),
                       finish, failed)

    def report(self) -> None:
        project = self.session.project
        if project is None:
            self.session.status.emit("Open a project first")
            return
        self.tasks.run("report", "building the balance report", lambda ctx: project.report().text(),
                       lambda text: TextDialog("Balance report", text, self.window).open())
