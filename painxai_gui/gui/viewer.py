"""The frame pipeline: session changes -> requests on three channels -> results drawn on the views.

* ``frame``: decode the frame (cached reader) -> video view. Nothing else
  waits on it, so frames keep their pace during playback.
* ``analysis``: face crop (landmarks cached on disk) + model probabilities
  -> face overlay, bars, and ``analysed`` for the explanation docks.
* ``timeline`` / ``regions``: whole-video probabilities and region shares in
  the background -> probability and region timeline docks
  (:mod:`painxai_gui.gui.timelines`).

Each channel keeps only the newest request, so scrubbing never builds a queue.
"""

from __future__ import annotations

import time
from collections import deque

import numpy as np
from PySide6 import QtCore

from painxai_gui.gui.session import Session
from painxai_gui.gui.timelines import probability_timeline, region_timeline
from painxai_gui.gui.workers import Channel, Outcome
from painxai_gui.live.frames import AnalysisRequest, FrameRequest, analyse, read_frame
from painxai_gui.live.media import MediaPool
from painxai_gui.live.timeline_cache import TimelineCache


class Viewer(QtCore.QObject):
    analysed = QtCore.Signal(object)      # Analysis
    analysisFailed = QtCore.Signal(object)  # the exception (e.g. the model gives NaN): docks show it
    frameShown = QtCore.Signal(int)       # frame index now on screen
    stats = QtCore.Signal(str, float)     # "decode_fps" | "decode_ms" | "infer_ms" | "face_ms", value

    def __init__(self, session: Session, pool: MediaPool, cache: TimelineCache, views, errors,
                 parent: QtCore.QObject | None = None):
        super().__init__(parent)
        self.session, self.pool, self.cache, self.views, self.errors = session, pool, cache, views, errors
        self.playing = False
        self.shown_frame: int | None = None
        self.last_analysis = None
        self._shown_times: deque[float] = deque(maxlen=50)
        self._last_error: str | None = None
        self._coalesce = QtCore.QTimer(self, singleShot=True, interval=0)  # seeks within one loop turn -> one request
        self._coalesce.timeout.connect(self._submit)
        self.frames = Channel("frame", lambda r, c: read_frame(pool, r, c), nice=4, parent=self)
        self.analysis = Channel("analysis", lambda r, c: analyse(pool, r, c), parent=self)
        self.frames.finished.connect(self._frame_done)
        self.frames.failed.connect(self._failed)
        self.analysis.finished.connect(self._analysis_done)
        self.analysis.failed.connect(self._analysis_failed)
        session.videoChanged.connect(self._video_changed)
        session.frameChanged.connect(self.request)
        session.modelChanged.connect(self._model_changed)
        self.probabilities = probability_timeline(session, pool, cache, views.probabilities, self._failed, self)
        self.regions = region_timeline(session, pool, cache, views.regions, self._failed, self)
        self.timeline = self.probabilities.channel

    # -- requests --------------------------------------------------------------------------
    def request(self, frame: int | None = None) -> None:
        """Ask for the session's current frame (decode + analysis); newest request wins.

        Cursors move at once; the requests go out on the next turn of the event
        loop, so a burst of seeks (key repeat, a fast drag) becomes one request.
        """
        frame = self.session.frame if frame is None else frame
        for tier in (self.views.timeline, self.views.probabilities, self.views.regions):
            tier.set_cursor(frame)
        if not self._coalesce.isActive():
            self._coalesce.start()

    def _submit(self) -> None:
        video, frame = self.session.video, self.session.frame
        if video is None:
            return
        self.frames.submit(FrameRequest(video, frame, self.playing))
        self.analysis.submit(AnalysisRequest(video, frame, self.session.predictor))

    def _video_changed(self, video) -> None:
        self.shown_frame = None
        self.last_analysis = None
        self.views.bars.clear("—")

    def _model_changed(self, loaded) -> None:
        self.views.bars.set_classes(tuple(loaded.spec.class_names) if loaded is not None else ())
        self.request()

    # -- results -----------------------------------------------------------------------------
    def _current(self, video_id: str) -> bool:
        return self.session.video is not None and self.session.video.id == video_id

    def _frame_done(self, outcome: Outcome) -> None:
        result = outcome.result
        if not self._current(result.video_id):
            return
        self.views.video.set_frame(result.image)
        self.shown_frame = result.frame
        now = time.perf_counter()
        self._shown_times.append(now)
        recent = [t for t in self._shown_times if now - t <= 1.0]
        self.stats.emit("decode_ms", result.decode_ms)
        self.stats.emit("decode_fps", len(recent) / max(now - recent[0], 1e-3) if len(recent) > 1 else 0.0)
        self.frameShown.emit(result.frame)
        if result.frame_count and result.frame_count != self.session.video.frame_count:
            self.session.update_frame_count(result.frame_count)

    def _analysis_done(self, outcome: Outcome) -> None:
        result = outcome.result
        if not self._current(result.video_id):
            return
        self.last_analysis = result
        video = self.views.video
        if not result.ok:
            video.set_face(None, None, result.reason)
            video.set_heatmap(None)
            self.views.bars.clear(result.reason)
        else:
            video.set_face(result.box, result.landmarks)
            if result.probs is not None:
                self.views.bars.set_probabilities(np.asarray(result.probs), self.session.true_class())
                self.stats.emit("infer_ms", result.infer_ms)
        self.stats.emit("face_ms", result.face_ms)
        self.analysed.emit(result)

    def _analysis_failed(self, request, error: Exception, text: str) -> None:
        self.analysisFailed.emit(error)
        self._failed(request, error, text)

    def _failed(self, request, error: Exception, text: str) -> None:
        key = f"{type(error).__name__}:{error}"
        if key != self._last_error:  # one dialog per distinct problem, not one per frame
            self._last_error = key
            self.errors.show(error, text)

    def shutdown(self) -> None:
        for channel in (self.analysis, self.frames):
            channel.cancel()
        for timeline in (self.probabilities, self.regions):
            timeline.shutdown(timeout=2.0)
        for channel in (self.analysis, self.frames):
            channel.shutdown(timeout=2.0)
