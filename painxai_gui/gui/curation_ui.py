"""Curation handlers (select, range, slots, suggestions, exclusions, undo) and what the timeline shows.

Every operation is one call into the Qt-free :class:`Project`, which commits
before returning; the views refresh from the project's change notification.
Slow ones (suggestions that run the face pipeline) go to a worker.
"""

from __future__ import annotations

import numpy as np
from PySide6 import QtCore

from painxai_gui.errors import ProjectError, QuotaError
from painxai_gui.gui.dialogs.simple import ReasonDialog
from painxai_gui.explain.face import class_index
from painxai_gui.gui.session import Session


class CurationUI(QtCore.QObject):
    def __init__(self, session: Session, views, tasks, errors, actions_provider, subject_provider,
                 parent: QtCore.QObject | None = None):
        super().__init__(parent)
        self.session, self.views, self.tasks, self.errors = session, views, tasks, errors
        self._actions = actions_provider      # () -> dict[id, QAction]
        self._subject = subject_provider      # () -> selected subject or None
        self.mark_in_frame: int | None = None
        self.mark_out_frame: int | None = None
        self.dialog: ReasonDialog | None = None
        self.quota_prompt = None  # the "select beyond the quota?" question of a refused range
        self.annotator: str | None = None  # None: the project's default (the login name)
        session.videoChanged.connect(self._video_changed)
        session.projectChanged.connect(self._project_changed)
        session.projectEdited.connect(self._edited)
        session.frameChanged.connect(lambda _f: self.refresh_state())
        views.timeline.rangeRequested.connect(self.range_from_timeline)

    def _project_changed(self, project) -> None:
        if project is not None and self.annotator and project.annotator != self.annotator:
            self._do(setattr, project, "annotator", self.annotator)
        self._video_changed(self.session.video)
        self.refresh_actions()

    # -- guards ----------------------------------------------------------------------------
    def _slot_video(self):
        """(project, video) when curation is possible here, else None with a status message."""
        project, video = self.session.project, self.session.video
        if project is None:
            self.session.status.emit("Open or create a project to curate (File menu)")
        elif video is None:
            self.session.status.emit("No video open")
        elif not video.slotted:
            self.session.status.emit("Part A clips use all their frames; frames are picked in emotion videos")
        else:
            return project, video
        return None

    def _do(self, fn, *args, **kwargs) -> bool:
        """Call into the project; a quota refusal goes to the status bar, other errors to the reporter."""
        try:
            fn(*args, **kwargs)
            return True
        except QuotaError as exc:
            self._quota_refused(exc, fn, args)
        except ProjectError as exc:
            self.errors.show(exc)
        return False

    def _quota_refused(self, exc: QuotaError, fn, args) -> None:
        """Say why in the status bar; one frame: Shift+S overrides; a range or suggestions: ask."""
        slot, count, quota = exc.slots[0]
        if fn.__name__ == "select":
            self.session.status.emit(f"Slot {slot} is full ({quota} frames): Shift+S selects frame {args[-1]} "
                                     "beyond the quota (recorded in the audit log)")
            return
        self.session.status.emit(f"Refused: slot {slot} would hold {count} frames, the quota is {quota}")
        from PySide6 import QtWidgets

        box = QtWidgets.QMessageBox(QtWidgets.QMessageBox.Icon.Question, "Beyond the quota",
                                    f"{exc.problem}\n\nSelect them anyway? (recorded in the audit log)",
                                    QtWidgets.QMessageBox.StandardButton.Yes
                                    | QtWidgets.QMessageBox.StandardButton.No, self.views.window)
        yes = QtWidgets.QMessageBox.StandardButton.Yes
        box.buttonClicked.connect(
            lambda button: box.standardButton(button) == yes and self._do(fn, *args, allow_over_quota=True))
        box.setAttribute(QtCore.Qt.WidgetAttribute.WA_DeleteOnClose)
        self.quota_prompt = box
        box.open()

    # -- handlers -----------------------------------------------------------------------------
    def toggle_frame(self) -> None:
        pv = self._slot_video()
        if pv:
            project, video = pv
            frame = self.session.frame
            op = project.unselect if frame in project.selections(video.id) else project.select
            self._do(op, video.id, frame)

    def select_beyond_quota(self) -> None:
        """Shift+S: select the current frame even when its slot is full (the override is audited)."""
        pv = self._slot_video()
        if pv:
            project, video = pv
            frame = self.session.frame
            if frame in project.selections(video.id):
                self.session.status.emit(f"Frame {frame} is selected already")
            elif self._do(project.select, video.id, frame, allow_over_quota=True):
                slot = project.slots(video.id)[project.slot_of(video.id, frame)]
                self.session.status.emit(f"Selected frame {frame}: slot {slot.index + 1} holds {slot.selected}/"
                                         f"{slot.quota}")

    def mark_in(self) -> None:
        self.mark_in_frame = self.session.frame
        self._show_marks()

    def mark_out(self) -> None:
        self.mark_out_frame = self.session.frame
        self._show_marks()

    def _marked_range(self) -> tuple[int, int] | None:
        a, b = self.mark_in_frame, self.mark_out_frame
        if a is None and b is None:
            self.session.status.emit("Set the range with I (in) and O (out) first, or shift-drag on the timeline")
            return None
        a = b if a is None else a
        b = a if b is None else b
        return min(a, b), max(a, b) + 1

    def select_range(self) -> None:
        pv, rng = self._slot_video(), self._marked_range()
        if pv and rng:
            self._do(pv[0].select_range, pv[1].id, *rng)

    def unselect_range(self) -> None:
        pv, rng = self._slot_video(), self._marked_range()
        if pv and rng:
            self._do(pv[0].unselect_range, pv[1].id, *rng)

    def range_from_timeline(self, start: int, stop: int) -> None:
        """Shift-drag on the timeline: set the marks and select the range at once."""
        self.mark_in_frame, self.mark_out_frame = start, stop - 1
        self._show_marks()
        pv = self._slot_video()
        if pv:
            self._do(pv[0].select_range, pv[1].id, start, stop)

    def clear_slot(self) -> None:
        pv = self._slot_video()
        if pv:
            project, video = pv
            self._do(project.clear_slot, video.id, project.slot_of(video.id, self.session.frame))

    def suggest_spread(self) -> None:
        self._suggest("spread")

    def suggest_confidence(self) -> None:
        self._suggest("confidence")

    def _suggest(self, strategy: str) -> None:
        pv = self._slot_video()
        if not pv:
            return
        project, video = pv
        self.session.status.emit(f"Suggesting frames ({strategy}) for {video.id}…")
        self.tasks.run("suggest", f"suggesting frames ({strategy})",
                       lambda ctx: project.suggest(video.id, strategy=strategy),
                       lambda found: self.session.status.emit(f"{len(found)} frames suggested"))

    def accept_suggestions(self) -> None:
        pv = self._slot_video()
        if pv:
            self._do(pv[0].accept_suggestions, pv[1].id)

    def exclude_subject(self) -> None:
        subject, project = self._subject(), self.session.project
        if project is None or subject is None:
            self.session.status.emit("Open a project and choose a subject first")
            return
        self.dialog = ReasonDialog(subject, self.views.window)
        self.dialog.reasonGiven.connect(lambda reason: self._do(project.exclude_subject, subject, reason))
        self.dialog.open()

    def include_subject(self) -> None:
        subject, project = self._subject(), self.session.project
        if project is not None and subject is not None:
            self._do(project.include_subject, subject)

    def undo(self) -> None:
        if self.session.project is not None:
            self._history(self.session.project.undo, "Undid")

    def redo(self) -> None:
        if self.session.project is not None:
            self._history(self.session.project.redo, "Redid")

    def _history(self, step, verb: str) -> None:
        try:
            text = step()
        except ProjectError as exc:
            self.errors.show(exc)
            return
        self.session.status.emit(f"{verb}: {text}" if text else "Nothing to " + verb.lower()[:-1])

    def ask_annotator(self) -> None:
        from PySide6 import QtWidgets

        current = self.session.project.annotator if self.session.project is not None else ""
        name, ok = QtWidgets.QInputDialog.getText(self.views.window, "Annotator", "Your name (saved with every "
                                                  "selection and in the audit log):", text=current)
        if ok and name.strip():
            self.set_annotator(name.strip())

    def set_annotator(self, name: str) -> None:
        """Use ``name`` now and for every project opened later (remembered in the settings)."""
        self.annotator = name
        if self.session.project is not None:
            self._do(setattr, self.session.project, "annotator", name)
        self.session.status.emit(f"Annotator: {name}")

    # -- predictions for "suggest by confidence" ------------------------------------------------
    def store_predictions(self, video, probs: np.ndarray) -> None:
        """Keep the model's confidence for the video's own category in the project (once per video)."""
        project = self.session.project
        k = class_index(video.category, self.session.class_names)
        if project is None or project.read_only or not video.slotted or k is None:
            return
        if project.predictions(video.id):
            return
        conf = {int(f): float(p) for f, p in enumerate(probs[:, k]) if np.isfinite(p) and p >= 0}
        if conf:
            self._do(project.set_predictions, video.id, conf)

    # -- views ------------------------------------------------------------------------------
    def _video_changed(self, video) -> None:
        self.mark_in_frame = self.mark_out_frame = None
        self._rebuild_timeline()

    def _rebuild_timeline(self) -> None:
        """Bands for the current video's slots (slot count or quota may have changed)."""
        video, project, timeline = self.session.video, self.session.project, self.views.timeline
        if video is None:
            timeline.set_video(0, [])
            return
        bounds = project.slot_bounds(video.id) if project is not None and video.slotted else []
        timeline.set_video(video.frame_count, bounds)
        self.refresh_marks()

    def _edited(self, change) -> None:
        video = self.session.video
        if video is not None:
            if getattr(change, "global_", False):
                self._rebuild_timeline()
            elif video.id in getattr(change, "videos", ()):
                self.refresh_marks()
        self.refresh_actions()

    def refresh_marks(self) -> None:
        project, video, timeline = self.session.project, self.session.video, self.views.timeline
        if project is None or video is None or not video.slotted:
            timeline.set_marks((), ())
            timeline.set_slot_text([])
        else:
            timeline.set_marks(project.selections(video.id), project.suggestions(video.id))
            timeline.set_slot_text([(s.index, s.selected, s.quota) for s in project.slots(video.id)])
        self._show_marks()
        self.refresh_state()

    def _show_marks(self) -> None:
        self.views.timeline.set_in_out(self.mark_in_frame, self.mark_out_frame)
        self.refresh_state()

    def refresh_state(self) -> None:
        self.views.selection.set_state(*self.state_text())

    def state_text(self) -> tuple[str, str]:
        project, video, frame = self.session.project, self.session.video, self.session.frame
        if video is None:
            return "no video", ""
        parts = [f"<b>{video.id}</b> — {video.category or 'unmapped'}", f"frame {frame}"]
        if project is not None and video.slotted:
            slot = project.slot_of(video.id, frame)
            info = project.slots(video.id)[slot]
            chosen = frame in project.selections(video.id)
            suggested = frame in project.suggestions(video.id)
            parts.append(f"slot {slot + 1}: {info.selected}/{info.quota}")
            parts.append("<span style='color:#7c7'>selected</span>" if chosen else
                         ("<span style='color:#fa3'>suggested</span>" if suggested else "not selected"))
        elif not video.slotted:
            parts.append("Part A clip: all frames are used")
        if self.mark_in_frame is not None or self.mark_out_frame is not None:
            parts.append(f"range {self.mark_in_frame if self.mark_in_frame is not None else '–'}"
                         f"…{self.mark_out_frame if self.mark_out_frame is not None else '–'}")
        history = ""
        if project is not None:
            undo, redo = project.undo_description, project.redo_description
            history = f"undo: {undo or '—'}<br>redo: {redo or '—'}"
        return " · ".join(parts), history

    def refresh_actions(self) -> None:
        actions, project = self._actions(), self.session.project
        if not actions:
            return
        undo = project.undo_description if project is not None else None
        redo = project.redo_description if project is not None else None
        actions["undo"].setEnabled(undo is not None)
        actions["redo"].setEnabled(redo is not None)
        actions["undo"].setToolTip(f"Undo {undo} (Ctrl+Z)" if undo else "Nothing to undo")
        actions["redo"].setToolTip(f"Redo {redo} (Ctrl+Shift+Z)" if redo else "Nothing to redo")
        self.refresh_state()
