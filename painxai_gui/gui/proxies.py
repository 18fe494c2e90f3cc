"""Long-GOP videos seek fast after a one-off background step: the open video's intra-frame proxy is made.

When a video opens, a background task asks the core whether it needs a
proxy (keyframes far apart, as in BioVid's H.264) and, if so, makes one in
the project's cache folder with progress in the status bar; the open reader
switches to it when it is ready. Until then the reader stays exact on the
source, only slower. Opening another video cancels the step (a later visit
resumes from scratch; a finished proxy is kept and reused).
"""

from __future__ import annotations

import logging

from PySide6 import QtCore

log = logging.getLogger(__name__)


class ProxyPreparer(QtCore.QObject):
    ready = QtCore.Signal(object)  # the video's path, once its proxy is in use

    def __init__(self, session, pool, tasks, parent: QtCore.QObject | None = None):
        super().__init__(parent)
        self.session, self.pool, self.tasks = session, pool, tasks
        session.videoChanged.connect(self._video_changed)

    def _video_changed(self, video) -> None:
        self.tasks.cancel("proxy")
        if video is None or self.pool.proxy_dir is None:
            return
        path = video.path

        def job(ctx):
            return self.pool.prepare_proxy(path, progress=ctx.progress, cancel=ctx.cancelled)

        def done(made) -> None:
            if made is not None:
                self.session.status.emit(f"{path.name}: fast seeking ready")
                self.ready.emit(path)

        def failed(error: BaseException, _text: str) -> None:  # the reader stays exact on the source
            log.warning("no seeking proxy for %s: %s", path, error)
            self.session.status.emit(f"{path.name}: seeking stays on the source ({error})")

        self.tasks.run("proxy", f"preparing fast seeking for {path.name}", job, done, failed)
