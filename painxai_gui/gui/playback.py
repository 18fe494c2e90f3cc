"""Playback and navigation handlers: play/pause by elapsed time, step, jump, slots, videos.

Playback never lags: each tick computes which frame *should* be on screen
from the time since play started and asks for it; frames the decoder could
not deliver in time are simply skipped (the frame channel keeps only the
newest request).
"""

from __future__ import annotations

import time

from PySide6 import QtCore

from painxai_gui.curation.slots import DEFAULT_SLOTS, slot_bounds
from painxai_gui.gui.session import Session


class Playback(QtCore.QObject):
    playingChanged = QtCore.Signal(bool)

    def __init__(self, session: Session, viewer, parent: QtCore.QObject | None = None):
        super().__init__(parent)
        self.session, self.viewer = session, viewer
        self._timer = QtCore.QTimer(self)
        self._timer.setTimerType(QtCore.Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._tick)
        self._t0 = 0.0
        self._f0 = 0
        session.videoChanged.connect(lambda _v: self.pause())

    @property
    def playing(self) -> bool:
        return self._timer.isActive()

    def toggle(self) -> None:
        self.pause() if self.playing else self.play()

    def play(self) -> None:
        video = self.session.video
        if video is None or self.playing:
            return
        if self.session.frame >= video.frame_count - 1:
            self.session.seek(0)
        self._t0, self._f0 = time.perf_counter(), self.session.frame
        self.viewer.playing = True
        self._timer.start(max(5, int(500 / max(video.fps, 1.0))))  # tick at twice the frame rate
        self.playingChanged.emit(True)

    def pause(self) -> None:
        if self._timer.isActive():
            self._timer.stop()
            self.viewer.playing = False
            self.playingChanged.emit(False)

    def _tick(self) -> None:
        video = self.session.video
        if video is None:
            self.pause()
            return
        target = self._f0 + int((time.perf_counter() - self._t0) * video.fps)
        if target >= video.frame_count - 1:
            self.session.seek(video.frame_count - 1)
            self.pause()
            return
        self.session.seek(target)

    # -- stepping (a step while playing pauses, like every video player) --------------------------
    def _go(self, frame: int) -> None:
        self.pause()
        self.session.seek(frame)

    def prev_frame(self) -> None:
        self._go(self.session.frame - 1)

    def next_frame(self) -> None:
        self._go(self.session.frame + 1)

    def _second(self) -> int:
        return max(1, int(round(self.session.video.fps))) if self.session.video else 25

    def back_second(self) -> None:
        self._go(self.session.frame - self._second())

    def forward_second(self) -> None:
        self._go(self.session.frame + self._second())

    def first_frame(self) -> None:
        self._go(0)

    def last_frame(self) -> None:
        if self.session.video is not None:
            self._go(self.session.video.frame_count - 1)

    def slot_starts(self) -> list[int]:
        video, project = self.session.video, self.session.project
        if video is None or video.frame_count <= 0:
            return []
        slots = project.slot_count if project is not None else DEFAULT_SLOTS
        return [start for start, _stop in slot_bounds(video.frame_count, slots)]

    def prev_slot(self) -> None:
        """To the start of the current slot, or of the previous one when already there."""
        earlier = [s for s in self.slot_starts() if s < self.session.frame]
        if earlier:
            self._go(earlier[-1])

    def next_slot(self) -> None:
        later = [s for s in self.slot_starts() if s > self.session.frame]
        if later:
            self._go(later[0])

    def prev_video(self) -> None:
        self._open_neighbour(-1)

    def next_video(self) -> None:
        self._open_neighbour(+1)

    def _open_neighbour(self, delta: int) -> None:
        self.pause()
        video_id = self.session.neighbour_video(delta)
        if video_id is not None:
            self.session.open_video(video_id)
