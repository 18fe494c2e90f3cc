"""Project settings handlers: quota, slots per video, and relocating a moved dataset folder.

Each choice is one call into the Qt-free :class:`Project` (``set_quota``,
``set_slot_count``, ``relocate``); quota and slot changes are undoable there,
and the views refresh from the project's change notification. Relocation also
reloads the session's video list, because the videos' paths changed.
"""

from __future__ import annotations

from pathlib import Path

from PySide6 import QtCore, QtWidgets

from painxai_gui.errors import ProjectError
from painxai_gui.gui.dialogs.project_settings import (MissingRootDialog, QuotaDialog, RelocateProblemDialog,
                                                      SlotsDialog, quota_formula)
from painxai_gui.gui.session import Session

#: action ids this controller enables (only for a project open for writing)
ACTION_IDS = ("set_quota", "slot_count", "relocate")


class ProjectAdminUI(QtCore.QObject):
    def __init__(self, session: Session, window: QtWidgets.QWidget, errors, actions_provider,
                 parent: QtCore.QObject | None = None):
        super().__init__(parent)
        self.session, self.window, self.errors = session, window, errors
        self._actions = actions_provider  # () -> dict[id, QAction]
        self.quota_dialog: QuotaDialog | None = None
        self.slots_dialog: SlotsDialog | None = None
        self.missing_dialog: MissingRootDialog | None = None
        self.problem_dialog: RelocateProblemDialog | None = None
        session.projectChanged.connect(self._project_changed)

    # -- state -------------------------------------------------------------------------------
    def _project_changed(self, project) -> None:
        self.refresh_actions()
        if project is not None and project.root_missing:
            self.show_missing_root()

    def refresh_actions(self) -> None:
        actions, project = self._actions(), self.session.project
        if not actions:
            return
        for action_id in ACTION_IDS:
            action = actions.get(action_id)
            if action is None:
                continue
            if project is None:
                action.setEnabled(False)
                action.setToolTip(f"{action.text()} (open a project first)")
            elif project.read_only:
                action.setEnabled(False)
                action.setToolTip("Read-only project: settings cannot be changed here")
            else:
                action.setEnabled(True)
                action.setToolTip(action.statusTip() or action.text())

    def _writable(self):
        project = self.session.project
        if project is None:
            self.session.status.emit("Open a project first")
            return None
        if project.read_only:
            self.session.status.emit("Read-only project: settings cannot be changed here")
            return None
        return project

    def _do(self, fn, *args) -> bool:
        try:
            fn(*args)
        except ProjectError as exc:
            self.errors.show(exc)
            return False
        return True

    # -- quota -----------------------------------------------------------------------------------
    def set_quota(self) -> None:
        project = self._writable()
        if project is None:
            return
        try:
            computed, wanted, cap = project.computed_quota(), project.balancing_quota(), project.quota_cap()
            formula = quota_formula(project.pain_frames(), project.quota_subjects(), project.slot_count, wanted)
            if cap.cap is not None and wanted > cap.cap:  # a slot cannot give more frames than it has
                formula += f", capped at {cap.cap}: {cap.text()}"
            self.quota_dialog = QuotaDialog(project.quota, project.quota_is_set, computed, formula, self.window)
        except ProjectError as exc:
            self.errors.show(exc)
            return
        self.quota_dialog.quotaChosen.connect(self.apply_quota)
        self.quota_dialog.open()

    def apply_quota(self, quota: int | None) -> None:
        project = self._writable()
        if project is not None and self._do(project.set_quota, quota):
            how = "computed" if quota is None else "set"
            self.session.status.emit(f"Quota {how}: {project.quota} frames per slot")

    # -- slots -----------------------------------------------------------------------------------
    def set_slots(self) -> None:
        project = self._writable()
        if project is None:
            return
        self.slots_dialog = SlotsDialog(project.slot_count, self.window)
        self.slots_dialog.slotsChosen.connect(self.apply_slots)
        self.slots_dialog.open()

    def apply_slots(self, n: int) -> None:
        project = self._writable()
        if project is not None and self._do(project.set_slot_count, n):
            self.session.status.emit(f"{project.slot_count} slots per video; quota {project.quota}")

    # -- relocation ------------------------------------------------------------------------------
    def show_missing_root(self) -> None:
        project = self.session.project
        if project is None:
            return
        self.missing_dialog = MissingRootDialog(project.path, project.dataset_root, project.read_only, self.window)
        self.missing_dialog.locateRequested.connect(self.relocate)
        self.missing_dialog.open()

    def relocate(self) -> None:
        """Menu action and the missing-root dialog: choose the folder, then relocate."""
        project = self._writable()
        if project is None:
            return
        start = project.dataset_root
        start = start if start.is_dir() else next((p for p in start.parents if p.is_dir()), Path.home())
        folder = QtWidgets.QFileDialog.getExistingDirectory(self.window, "Dataset folder of this project", str(start))
        if folder:
            self.relocate_to(Path(folder))

    def relocate_to(self, folder: Path, allow_missing: bool = False) -> None:
        project = self._writable()
        if project is None:
            return
        try:
            missing = project.relocate(folder, allow_missing=allow_missing)
        except ProjectError as exc:
            if allow_missing:
                self.errors.show(exc)
                return
            self.problem_dialog = RelocateProblemDialog(str(exc.problem), folder, self.window)
            self.problem_dialog.anywayRequested.connect(lambda f=folder: self.relocate_to(f, True))
            self.problem_dialog.open()
            return
        self.session.reload_videos()
        note = f"; {missing} videos missing there" if missing else ""
        self.session.status.emit(f"Dataset folder is now {project.dataset_root}{note}")
