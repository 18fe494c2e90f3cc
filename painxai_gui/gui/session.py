"""What the user is looking at: dataset/project, model, current video and frame. Plain state + Qt signals.

The session holds no widgets and runs no work; docks read it and listen to
its signals, controllers change it. Project change notifications (which may
come from a worker thread, e.g. during export) are re-emitted on the GUI
thread through a queued signal.
"""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

from PySide6 import QtCore

from painxai_gui.dataset.records import VideoRecord
from painxai_gui.explain.face import class_index

class Session(QtCore.QObject):
    projectChanged = QtCore.Signal(object)     # Project or None
    projectEdited = QtCore.Signal(object)      # ProjectChange, on the GUI thread
    datasetChanged = QtCore.Signal()           # the list of videos changed
    modelChanged = QtCore.Signal(object)       # LoadedModel or None
    videoChanged = QtCore.Signal(object)       # VideoRecord or None
    frameChanged = QtCore.Signal(int)
    status = QtCore.Signal(str)                # short messages for the status bar

    _edited = QtCore.Signal(object)

    def __init__(self, parent: QtCore.QObject | None = None):
        super().__init__(parent)
        self.project = None
        self.index = None
        self.dataset_root: Path | None = None
        self.model = None          # LoadedModel
        self.predictor = None      # Predictor
        self.video: VideoRecord | None = None
        self.frame = 0
        self._videos: dict[str, VideoRecord] = {}
        self._unsubscribe = None
        self._interactive_until = 0.0
        self._edited.connect(self.projectEdited, QtCore.Qt.ConnectionType.QueuedConnection)

    # -- dataset and project ---------------------------------------------------------
    def set_project(self, project) -> None:
        """Use ``project`` (closing the previous one); its videos replace the list."""
        self.close_project()
        self.project = project
        if project is not None:
            self.dataset_root = project.dataset_root
            self._unsubscribe = project.subscribe(self._project_changed)
            self._set_videos(project.videos())
        self.projectChanged.emit(project)

    def reload_videos(self) -> None:
        """The project's videos again (their paths change when the dataset is relocated); the current
        video is opened again at the same frame, so the views read it from its new place."""
        if self.project is None:
            return
        self.dataset_root = self.project.dataset_root
        current, frame = (self.video.id if self.video else None), self.frame
        self._set_videos(self.project.videos())
        if current is None or not self.open_video(current, frame):
            self.video = None
            self.videoChanged.emit(None)

    def set_index(self, index) -> None:
        """Browse a dataset without a project (no curation)."""
        self.close_project()
        self.index = index
        self.dataset_root = Path(index.root)
        self._set_videos([v for v in index.videos if v.category is not None])
        self.projectChanged.emit(None)

    def _project_changed(self, change) -> None:
        """Project listener: at once on the GUI thread, queued from a worker (export, suggestions)."""
        if QtCore.QThread.currentThread() is self.thread():
            self.projectEdited.emit(change)
        else:
            self._edited.emit(change)

    def close_project(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        if self.project is not None:
            self.project.close()
            self.project = None

    def _set_videos(self, videos) -> None:
        entries = [_playable(v) for v in videos]
        self._videos = {e.id: e for e in sorted(entries, key=lambda e: (e.subject, e.id))}
        self.datasetChanged.emit()

    def videos(self) -> list[VideoRecord]:
        return list(self._videos.values())

    def entry(self, video_id: str) -> VideoRecord | None:
        return self._videos.get(video_id)

    # -- model -------------------------------------------------------------------------
    def set_model(self, loaded, predictor) -> None:
        self.model, self.predictor = loaded, predictor
        self.modelChanged.emit(loaded)

    @property
    def class_names(self) -> tuple[str, ...]:
        return tuple(self.model.spec.class_names) if self.model is not None else ()

    def true_class(self) -> int | None:
        return class_index(self.video.category, self.class_names) if self.video else None

    # -- navigation --------------------------------------------------------------------
    def open_video(self, video_id: str, frame: int = 0) -> bool:
        entry = self._videos.get(video_id)
        if entry is None:
            return False
        self.video = entry
        self.frame = self._clamp(frame)
        self.videoChanged.emit(entry)
        self.frameChanged.emit(self.frame)
        return True

    def update_frame_count(self, count: int) -> None:
        """The reader's frame count is the truth; correct the entry when the index disagrees."""
        if self.video is not None and count > 0 and count != self.video.frame_count:
            self.video = replace(self.video, frame_count=int(count))
            self._videos[self.video.id] = self.video
            self.videoChanged.emit(self.video)
            self.seek(self.frame)

    def seek(self, frame: int) -> None:
        frame = self._clamp(frame)
        self.touch()
        if frame != self.frame:
            self.frame = frame
            self.frameChanged.emit(frame)

    def step(self, delta: int) -> None:
        self.seek(self.frame + delta)

    def _clamp(self, frame: int) -> int:
        count = self.video.frame_count if self.video else 0
        return max(0, min(int(frame), max(count - 1, 0)))

    def neighbour_video(self, delta: int) -> str | None:
        ids = list(self._videos)
        if not ids:
            return None
        if self.video is None or self.video.id not in self._videos:
            return ids[0]
        pos = ids.index(self.video.id) + delta
        return ids[pos] if 0 <= pos < len(ids) else None

    # -- background throttling --------------------------------------------------------
    def touch(self, seconds: float = 0.4) -> None:
        """The user is scrubbing: background work should stand back for a moment."""
        self._interactive_until = time.monotonic() + seconds

    def interactive(self) -> bool:
        return time.monotonic() < self._interactive_until


def _playable(video: VideoRecord) -> VideoRecord:
    """Frame count 0 and 25 fps where the index could not probe them (the reader's count corrects it)."""
    return replace(video, frame_count=int(video.frame_count or 0), fps=float(video.fps or 25.0))
