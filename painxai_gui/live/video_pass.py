"""One pass over many frames of a video: decode and face crop run ahead in threads, the caller consumes batches.

The stages, with bounded queues between them (memory stays flat, whatever the video's length):

* **decode** -- one thread with its own :class:`~painxai_gui.video.VideoReader`
  (the app's reader keeps its position and cache for the frame on screen),
  frames in increasing order, at most ``ahead`` decoded frames waiting;
* **face** -- ``workers`` threads calling :meth:`FaceTrack.get(frame, image)
  <painxai_gui.face.FaceTrack.get>` (landmarks cached on disk; dlib releases the
  GIL while it detects, so on more cores more threads help);
* **consume** -- the calling thread hands the faces that are ready (at least
  ``min_batch`` unless the video ends, at most ``max_batch``) to
  ``consume(batch)``, e.g. one batched forward pass, while the producers work
  on the next frames. Batches grow by themselves when the consumer is the
  slow stage.

Every stage stands back while ``interactive()`` is true (the user scrubs, the
frame on screen goes first), stops when ``ctx.cancelled()`` (raising
:class:`~painxai_gui.errors.Cancelled`), and an error in a producer is raised
in the caller. Used by the probability and region timelines; usable as is by
a whole-video study (any :class:`~painxai_gui.live.context.JobContext`).
"""

from __future__ import annotations

import os
import queue
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np

from painxai_gui.errors import Cancelled
from painxai_gui.live.context import JobContext

_DONE = object()  # end of a stage's stream
_POLL = 0.05  # seconds between checks for cancellation while a queue is full or empty


@dataclass(frozen=True)
class FaceFrame:
    """One frame through decode + face: ``face.ok`` False when no face was found."""

    frame: int
    face: Any  # FaceResult


def default_workers() -> int:
    """Face threads for this machine: one per two cores (inference needs the rest), 1 to 4."""
    return max(1, min(4, (os.cpu_count() or 2) // 2))


class _Stop(Exception):
    """The pass is over (cancelled or failed elsewhere): a stage leaves quietly."""


class _Pipeline:
    """The shared state of one pass: queues, stop flag, first error."""

    def __init__(self, ctx: JobContext, interactive: Callable[[], bool], ahead: int, max_batch: int):
        self.ctx, self.interactive = ctx, interactive
        self.stop = threading.Event()
        self.error: BaseException | None = None
        self.decoded: queue.Queue = queue.Queue(maxsize=max(1, ahead))
        self.faces: queue.Queue = queue.Queue(maxsize=max(2 * max_batch, ahead))

    def wait_turn(self) -> None:
        """Stand back while the user scrubs; raise _Stop once the pass is over."""
        while True:
            if self.stop.is_set():
                raise _Stop
            if self.ctx.cancelled():
                self.stop.set()
                raise _Stop
            if not self.interactive():
                return
            time.sleep(_POLL)

    def put(self, q: queue.Queue, item: Any) -> None:
        while not self.stop.is_set():
            try:
                q.put(item, timeout=_POLL)
                return
            except queue.Full:
                continue
        raise _Stop

    def get(self, q: queue.Queue, block: bool = True) -> Any:
        while not self.stop.is_set():
            if self.ctx.cancelled():
                self.stop.set()
                break
            try:
                return q.get(timeout=_POLL) if block else q.get_nowait()
            except queue.Empty:
                if not block:
                    return None
        raise _Stop

    def fail(self, exc: BaseException) -> None:
        if self.error is None:
            self.error = exc
        self.stop.set()

    def run_stage(self, body: Callable[[], None]) -> None:
        try:
            body()
        except _Stop:
            pass
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller
            self.fail(exc)


def run_pass(track: Any, frames: Sequence[int], consume: Callable[[list[FaceFrame]], None], ctx: JobContext, *,
             interactive: Callable[[], bool] | None = None, workers: int | None = None, min_batch: int = 8,
             max_batch: int = 32, ahead: int = 8, counted: int = 0, total: int | None = None) -> int:
    """Decode + face crop ``frames`` of ``track``'s video ahead of ``consume``; returns the frames consumed.

    ``track``: the video's :class:`~painxai_gui.face.FaceTrack` (its landmark
    cache is read and filled). ``workers``: face threads (default
    :func:`default_workers`); ``ahead``: decoded frames waiting at most;
    ``min_batch`` / ``max_batch``: batch sizes handed to ``consume``. Progress
    goes to ``ctx.progress(counted + consumed, total)`` after every batch
    (``total`` defaults to ``counted + len(frames)``). Raises
    :class:`Cancelled` when ``ctx`` is cancelled, and a producer's error as is.
    """
    from painxai_gui.video import VideoReader

    frames = sorted(int(f) for f in frames)
    total = counted + len(frames) if total is None else total
    if not frames:
        return 0
    workers = default_workers() if workers is None else max(1, int(workers))
    line = _Pipeline(ctx, interactive or (lambda: False), ahead, max_batch)
    reader = VideoReader(track.reader.path, cache_bytes=0)

    def decode() -> None:
        for frame in frames:
            line.wait_turn()
            line.put(line.decoded, (frame, reader.read(frame)))
        for _ in range(workers):
            line.put(line.decoded, _DONE)

    def face() -> None:
        while (item := line.get(line.decoded)) is not _DONE:
            line.wait_turn()
            frame, image = item
            line.put(line.faces, FaceFrame(frame, track.get(frame, image)))
        line.put(line.faces, _DONE)

    threads = [threading.Thread(target=line.run_stage, args=(decode,), name="painxai-pass-decode", daemon=True)]
    threads += [threading.Thread(target=line.run_stage, args=(face,), name=f"painxai-pass-face{k}", daemon=True)
                for k in range(workers)]
    for thread in threads:
        thread.start()
    consumed = 0
    try:
        consumed = _consume(line, consume, workers, min(min_batch, max_batch), max_batch, counted, total)
    except _Stop:
        pass
    finally:
        line.stop.set()
        for thread in threads:
            thread.join()
        reader.close()
    if line.error is not None:
        raise line.error
    if ctx.cancelled() or consumed < len(frames):
        raise Cancelled()
    return consumed


def _consume(line: _Pipeline, consume: Callable[[list[FaceFrame]], None], workers: int, min_batch: int,
             max_batch: int, counted: int, total: int) -> int:
    """The caller's stage: batches of ready faces to ``consume`` until every face thread is done.

    A batch waits for ``min_batch`` faces (a model call has a fixed cost, about
    40 ms for the small demo model on a busy 2-core CPU), then takes whatever
    else is ready, up to ``max_batch``.
    """
    finished = consumed = 0
    while finished < workers:
        batch: list[FaceFrame] = []
        while finished < workers and len(batch) < max_batch:
            item = line.get(line.faces, block=len(batch) < min_batch)
            if item is None:
                break
            if item is _DONE:
                finished += 1
            else:
                batch.append(item)
        if batch:
            line.wait_turn()
            consume(batch)
            consumed += len(batch)
            line.ctx.progress(counted + consumed, total)
    return consumed


def stacked_crops(batch: Sequence[FaceFrame]) -> tuple[list[FaceFrame], np.ndarray | None]:
    """The faces of ``batch`` that were found, and their crops stacked ``(n, H, W, 3)`` (None if none)."""
    found = [item for item in batch if item.face.ok]
    return found, (np.stack([item.face.crop for item in found]) if found else None)
