"""Whole-video timelines: one background job per tier dock, from the cache when it was computed before.

:class:`WholeVideoTimeline` is the one controller of both the probability and
the region timeline: on a new video, model or method it builds a request (or
learns why there is none: "no video", "waiting for the model", a hidden
dock), shows what the :class:`~painxai_gui.live.timeline_cache.TimelineCache`
already has, and fills the rest on its own channel (newest request wins and
cancels the running one), redrawing at most four times a second. The jobs
themselves are Qt-free (``live/probabilities.py``, ``live/region_timeline.py``).
"""

from __future__ import annotations

import time
from typing import Any, Callable

from PySide6 import QtCore

from painxai_gui.gui.session import Session
from painxai_gui.gui.workers import Channel, Outcome
from painxai_gui.live.media import MediaPool
from painxai_gui.live.probabilities import TimelineRequest, fill_video
from painxai_gui.live.region_timeline import RegionRequest, fill_regions
from painxai_gui.live.timeline_cache import TimelineCache

Request = Any  # TimelineRequest | RegionRequest: .video, .key, .kind, .width


class WholeVideoTimeline(QtCore.QObject):
    """Feeds one tier dock (``set_video/set_data/set_progress/set_running``) from one whole-video job."""

    def __init__(self, name: str, dock, session: Session, cache: TimelineCache, job: Callable[[Request, Any], Any],
                 make_request: Callable[[], Request | str], report: Callable[[Any, Exception, str], None],
                 parent: QtCore.QObject | None = None):
        super().__init__(parent)
        self.dock, self.session, self.cache = dock, session, cache
        self._make_request, self._report = make_request, report
        self._active: Request | None = None
        self._last_redraw = 0.0
        self.channel = Channel(name, job, supersede=True, parent=self)
        self.channel.finished.connect(self._done)
        self.channel.failed.connect(self._failed)
        self.channel.progress.connect(self._progress)
        self.channel.cancelled.connect(self._cancelled)
        dock.computeRequested.connect(self.start)
        dock.cancelRequested.connect(self.channel.cancel)
        session.videoChanged.connect(self._video_changed)
        session.modelChanged.connect(lambda _m: self.start())

    def start(self) -> None:
        """Show the cached part of the current request's array and fill the rest in the background."""
        request = self._make_request()
        if not isinstance(request, str) and self._current(request) and self.channel.is_busy():
            return  # already being filled
        if isinstance(request, str):  # why nothing can be computed now
            self.channel.cancel()
            self._active = None
            self.dock.set_running(False, request)
            return
        arr = self.cache.array(request.key, request.video, request.width, request.kind)
        self.dock.set_data(arr)
        self._active = request
        if self.cache.complete(request.key, request.video.id, request.kind):
            self.channel.cancel()
            self.dock.set_progress(request.video.frame_count, request.video.frame_count)
            self.dock.set_running(False, "cached")
            return
        self.dock.set_running(True, "computing")
        self.channel.submit(request)

    def _video_changed(self, video) -> None:
        self.channel.cancel()
        self._active = None
        self.dock.set_video(video.frame_count if video is not None else 0)
        if video is not None:
            self.start()

    def _current(self, request: Request) -> bool:
        active = self._active
        return active is not None and active.video.id == request.video.id and active.key == request.key

    def _progress(self, request: Request, done: int, total: int) -> None:
        if not self._current(request):
            return
        self.dock.set_progress(done, total)
        now = time.perf_counter()
        if now - self._last_redraw > 0.25:  # redraw at most 4 times a second
            self._last_redraw = now
            self.dock.set_data(self.cache.array(request.key, request.video, request.width, request.kind))

    def _done(self, outcome: Outcome) -> None:
        request = outcome.request
        if self._current(request):
            self.dock.set_data(outcome.result)
            self.dock.set_progress(request.video.frame_count, request.video.frame_count)
            self.dock.set_running(False, f"done in {outcome.seconds:.1f} s")

    def _cancelled(self, request: Request) -> None:
        if self._current(request) and not self.channel.is_busy():
            self.dock.set_running(False, "cancelled")

    def _failed(self, request: Request, error: Exception, text: str) -> None:
        """The method cannot explain this model (an ExplainError, e.g. Grad-CAM without a conv layer): said in
        the dock, where the method is chosen; anything else also goes to the error dialog."""
        from painxai_gui.errors import ExplainError

        if self._current(request):
            self.dock.set_running(False, f"failed: {error}" if isinstance(error, ExplainError) else "failed")
        if not isinstance(error, ExplainError):
            self._report(request, error, text)

    def shutdown(self, timeout: float = 2.0) -> None:
        self.channel.cancel()
        self.channel.shutdown(timeout=timeout)


def _model_key(model) -> str:
    return model.sha256 or str(model.path)


def probability_timeline(session: Session, pool: MediaPool, cache: TimelineCache, dock, report,
                         parent: QtCore.QObject | None = None) -> WholeVideoTimeline:
    """Every frame's class probabilities (always computed: "suggest by confidence" reads them too)."""
    session.modelChanged.connect(  # before the timeline's own handler: curves exist before data arrives
        lambda loaded: dock.set_classes(tuple(loaded.spec.class_names) if loaded is not None else ()))

    def request() -> TimelineRequest | str:
        if session.video is None:
            return "no video"
        if session.predictor is None:
            return "waiting for the model"
        return TimelineRequest(session.video, session.predictor, _model_key(session.model))

    return WholeVideoTimeline("timeline", dock, session, cache,
                              lambda r, c: fill_video(cache, pool, session.interactive, r, c),
                              request, report, parent)


def region_timeline(session: Session, pool: MediaPool, cache: TimelineCache, dock, report,
                    parent: QtCore.QObject | None = None) -> WholeVideoTimeline:
    """Every frame's region shares for the dock's method; computed only while the dock is visible."""

    def request() -> RegionRequest | str:
        if session.video is None:
            return "no video"
        if session.model is None:
            return "waiting for the model"
        if not dock.isVisible():
            return "hidden: not computed"
        return RegionRequest(session.video, session.model, _model_key(session.model), dock.method_id())

    timeline = WholeVideoTimeline("regions", dock, session, cache,
                                  lambda r, c: fill_regions(cache, pool, session.interactive, r, c),
                                  request, report, parent)
    dock.methodChanged.connect(lambda _m: timeline.start())
    dock.visibilityChanged.connect(lambda _visible: timeline.start())  # hidden: cancelled, says so
    return timeline
