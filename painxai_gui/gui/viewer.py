"""The frame pipeline: session changes -> requests on three channels -> results drawn on the views.

* ``frame``: decode the frame (cached reader) -> video view. Nothing else
  waits on it, so frames keep their pace during playback.
* ``analysis``: face crop (landmarks cached on disk) + model probabilities
  -> face overlay, bars, and ``analysed`` for the explanation docks.
* ``timeline``: whole-video probabilities in the background -> probability dock.

Each channel keeps only the newest request, so scrubbing never builds a queue.
"""

from __future__ import annotations

import time
from collections import deque

import numpy as np
from PySide6 import QtCore

from painxai_gui.gui.session import Session
from painxai_gui.gui.workers import Channel, Outcome
from painxai_gui.live.frames import AnalysisRequest, FrameRequest, analyse, read_frame
from painxai_gui.live.media import MediaPool
from painxai_gui.live.probabilities import ProbabilityCache, TimelineRequest, fill_video


class Viewer(QtCore.QObject):
    analysed = QtCore.Signal(object)      # Analysis
    analysisFailed = QtCore.Signal(object)  # the exception (e.g. the model gives NaN): docks show it
    frameShown = QtCore.Signal(int)       # frame index now on screen
    stats = QtCore.Signal(str, float)     # "decode_fps" | "decode_ms" | "infer_ms" | "face_ms", value

    def __init__(self, session: Session, pool: MediaPool, cache: ProbabilityCache, views, errors,
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
        self.timeline = Channel("timeline", lambda r, c: fill_video(cache, pool, session.interactive, r, c),
                                parent=self)
        self.frames.finished.connect(self._frame_done)
        self.frames.failed.connect(self._failed)
        self.analysis.finished.connect(self._analysis_done)
        self.analysis.failed.connect(self._analysis_failed)
        self.timeline.finished.connect(self._timeline_done)
        self.timeline.failed.connect(self._timeline_failed)
        self.timeline.progress.connect(self._timeline_progress)
        self.timeline.cancelled.connect(lambda _r: self.views.probabilities.set_running(False, "cancelled"))
        session.videoChanged.connect(self._video_changed)
        session.frameChanged.connect(self.request)
        session.modelChanged.connect(self._model_changed)
        views.probabilities.computeRequested.connect(self.start_timeline)
        views.probabilities.cancelRequested.connect(self.timeline.cancel)

    # -- requests --------------------------------------------------------------------------
    def request(self, frame: int | None = None) -> None:
        """Ask for the session's current frame (decode + analysis); newest request wins.

        Cursors move at once; the requests go out on the next turn of the event
        loop, so a burst of seeks (key repeat, a fast drag) becomes one request.
        """
        frame = self.session.frame if frame is None else frame
        self.views.timeline.set_cursor(frame)
        self.views.probabilities.set_cursor(frame)
        if not self._coalesce.isActive():
            self._coalesce.start()

    def _submit(self) -> None:
        video, frame = self.session.video, self.session.frame
        if video is None:
            return
        self.frames.submit(FrameRequest(video, frame, self.playing))
        self.analysis.submit(AnalysisRequest(video, frame, self.session.predictor))

    def _video_changed(self, video) -> None:
        self.timeline.cancel()
        self.shown_frame = None
        self.last_analysis = None
        self.views.bars.clear("—")
        if video is None:
            return
        self.views.probabilities.set_video(video.frame_count)
        self.start_timeline()

    def _model_changed(self, loaded) -> None:
        names = tuple(loaded.spec.class_names) if loaded is not None else ()
        self.views.probabilities.set_classes(names)
        self.views.bars.set_classes(names)
        self.request()
        self.start_timeline()

    def start_timeline(self) -> None:
        """Fill the probability timeline of the current video (from the cache when it was done before)."""
        video, predictor, model = self.session.video, self.session.predictor, self.session.model
        dock = self.views.probabilities
        if video is None or predictor is None:
            dock.set_running(False, "waiting for the model" if video is not None else "no video")
            return
        key = model.sha256 or str(model.path)
        arr = self.cache.array(key, video, predictor.spec.num_classes)
        dock.set_data(arr)
        if self.cache.complete(key, video.id):
            dock.set_progress(video.frame_count, video.frame_count)
            dock.set_running(False, "cached")
            return
        dock.set_running(True, "computing")
        self.timeline.submit(TimelineRequest(video, predictor, key))

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

    def _timeline_progress(self, request, done: int, total: int) -> None:
        if not self._current(request.video.id):
            return
        dock = self.views.probabilities
        dock.set_progress(done, total)
        now = time.perf_counter()
        if now - getattr(self, "_last_curve", 0.0) > 0.25:  # redraw curves at most 4 times a second
            self._last_curve = now
            dock.set_data(self.cache.array(request.model_key, request.video, request.predictor.spec.num_classes))

    def _timeline_done(self, outcome: Outcome) -> None:
        request = outcome.request
        if self._current(request.video.id):
            self.views.probabilities.set_data(outcome.result)
            self.views.probabilities.set_progress(request.video.frame_count, request.video.frame_count)
            self.views.probabilities.set_running(False, f"done in {outcome.seconds:.1f} s")

    def _timeline_failed(self, request, error: Exception, text: str) -> None:
        self.views.probabilities.set_running(False, "failed")
        self._failed(request, error, text)

    def shutdown(self) -> None:
        for channel in (self.timeline, self.analysis, self.frames):
            channel.cancel()
        for channel in (self.timeline, self.analysis, self.frames):
            channel.shutdown(timeout=2.0)
