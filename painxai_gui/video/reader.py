"""Frame-exact, thread-safe random access to a video file (OpenCV/FFmpeg underneath).

How exactness is kept:

* **Timestamps are the ground truth.** Frame ``i`` must have presentation
  time ``t0 + i / fps`` (within half a frame; ``CAP_PROP_POS_MSEC``). A jump
  seeks with OpenCV's ``CAP_PROP_POS_FRAMES`` (FFmpeg goes to the keyframe
  before and decodes forward) and then grabs forward until the frame with
  frame ``i``'s timestamp; if the seek overshot (MPEG program streams do) it
  seeks further back and tries again. Sequential reads are checked the same way.
* **Fallback when timestamps lie.** When timestamps are not one frame period
  apart (variable frame rate, or none at all, like a raw ``.h264`` stream) the
  reader switches to *sequential* mode for that file: a backward jump reopens
  the file and decodes forward, so a frame's index is its decode order.
  Slower, never wrong.
* **The reader's frame count is the truth.** The container's count is checked
  by decoding its last frame and failing to decode one more; otherwise one
  counting pass decodes the whole file (result cached per file path, size and
  mtime for the life of the process).
* **Sequential reads never seek**: the capture's position is tracked, short
  forward jumps grab forward, and reading ``i + 1`` after ``i`` just decodes.
* **Intra-only MJPEG reads packets, not frames.** OpenCV's seek decodes the
  16 frames before its target; for MJPG (every frame a JPEG) the capture is
  opened in raw mode instead (``CAP_PROP_FORMAT`` -1: seeking and skipping only
  read packets) and the one wanted packet is decoded with ``cv2.imdecode``.
  The same seek and timestamp checks apply. The choice is made once per file
  (frame 0 must decode to the container's size, else FFmpeg decodes as usual)
  and every read of that file, sequential or random, uses the same decoder.
  Pixels may differ by a few levels from FFmpeg's own MJPEG decoder.
* **Long GOPs read from a proxy when there is one.** Given ``proxy_dir``, the
  reader serves frames from the source's intra-frame proxy (made once by
  :func:`~painxai_gui.video.proxy_build.prepare_proxy`, same pixels, one
  frame decoded per read) as soon as it is on disk, and reads the source as
  above until then, or again if the proxy turns out damaged.

A file that stops decoding early (truncated, damaged) gives a
:class:`~painxai_gui.errors.VideoError` naming the file and the frame, never a
repeated frame. A file replaced or rewritten while the reader is open (other
inode, size or modification time) gives a VideoError when the reader would
reopen it, never frames of the new file under the old one's indices.
Frames come back RGB uint8 ``(H, W, 3)``, read-only, shared with the cache.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import weakref
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from painxai_gui.errors import ProxyError, VideoError
from painxai_gui.video.cache import FrameCache
from painxai_gui.video.probe import fourcc_text, open_capture
from painxai_gui.video.proxy import ProxyLink
from painxai_gui.video.readahead import ReadAhead
from painxai_gui.video.timing import frame_index, known_count, remember_count, stamps_consistent

log = logging.getLogger(__name__)

TIMESTAMPS = "timestamps"  #: seek with POS_FRAMES, verify by timestamp
SEQUENTIAL = "sequential"  #: index = decode order; backward jumps reopen the file

_MAX_FORWARD = 250  #: never decode more than this many frames forward instead of seeking
_SEEK_ATTEMPTS = 5  #: seek back 0, 16, 32, 64 frames, then from the start, before giving up
_INTRA_ONLY = frozenset({"MJPG"})  #: codecs read as raw packets + cv2.imdecode


@dataclass(frozen=True)
class ReaderStats:
    """Counters since the reader was opened (tests and benchmarks read them)."""

    decoded: int  #: frames decoded to pixels
    grabbed: int  #: frames decoded and skipped (forward jumps, counting; raw packet mode: only read)
    seeks: int  #: POS_FRAMES seeks
    rewinds: int  #: reopen-and-decode-forward jumps (sequential mode)
    cache_hits: int
    cache_misses: int
    proxy_reads: int = 0  #: frames decoded from the proxy (also counted in ``decoded``)


class VideoReader:
    """Random access to the frames of one video; safe to share between threads.

    ``cache_bytes`` caps the decoded-frame LRU cache (0 disables it);
    ``forward_skip`` is the shortest forward jump that may seek: shorter
    ones always decode forward. Longer ones decode forward too while that is
    cheaper than a seek, judged from the measured costs of this file's seeks
    and frames (OpenCV's seek decodes the 16 frames before its target anyway).
    ``proxy_dir``: the cache folder where this video's proxy is (or will be) kept.
    """

    def __init__(self, path: str | os.PathLike[str], cache_bytes: int = 256 * 2**20, forward_skip: int = 16,
                 proxy_dir: str | os.PathLike[str] | None = None):
        self.path = Path(path)
        self.proxy_dir = Path(proxy_dir) if proxy_dir is not None else None
        self.forward_skip = int(forward_skip)
        self._seek_ms: float | None = None  # moving averages of measured costs
        self._grab_ms: float | None = None
        self._lock = threading.RLock()
        self._cache = FrameCache(cache_bytes)
        self._readahead: ReadAhead | None = None
        self._closed = False
        self._counters = {"decoded": 0, "grabbed": 0, "seeks": 0, "rewinds": 0, "proxy_reads": 0}
        self._raw = False
        self._identity = _identity(self.path)
        self._cap = open_capture(self.path)
        self._finalizer = weakref.finalize(self, _release, self._cap)
        self._proxy: ProxyLink | None = None
        try:
            self._read_properties()
            if proxy_dir is not None:
                self._proxy = ProxyLink(self.path, proxy_dir)
                if (proxy := self._proxy.get(now=True)) is not None:  # its count was checked when it was made
                    remember_count(self.path, proxy.frame_count, proxy.meta.seek_mode)
            if self.codec in _INTRA_ONLY and self._raw_packets_decode():
                self._raw = True
                self._reopen()
                self._counters["rewinds"] = 0
            self.frame_count = self._establish_count()
        except BaseException:
            self.close()
            raise

    # ----------------------------------------------------------------- public

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) in pixels."""
        return self._size

    @property
    def seek_mode(self) -> str:
        """``"timestamps"`` (fast verified seeks) or ``"sequential"`` (decode-order fallback)."""
        return self._mode

    @property
    def decoder(self) -> str:
        """``"proxy"`` (the intra-frame proxy), ``"imdecode"`` (raw MJPEG packets decoded by OpenCV's JPEG codec)
        or ``"ffmpeg"``."""
        if self._proxy is not None and self._proxy.file is not None:
            return "proxy"
        return "imdecode" if self._raw else "ffmpeg"

    @property
    def proxy_path(self) -> Path | None:
        """The proxy frames are read from now, or None."""
        return self._proxy.file.path if self._proxy is not None and self._proxy.file is not None else None

    def attach_proxy(self) -> bool:
        """Look for this video's proxy now (the reader also looks by itself, at most once a second); True if in use."""
        if self._proxy is None:
            return False
        with self._lock:
            return self._proxy.get(now=True) is not None

    @property
    def truncated(self) -> bool:
        """True when fewer frames decode than the container declares."""
        return 0 < self.frame_count < self.declared_frame_count

    @property
    def frame_nbytes(self) -> int:
        width, height = self._size
        return width * height * 3

    def __len__(self) -> int:
        return self.frame_count

    def stats(self) -> ReaderStats:
        return ReaderStats(cache_hits=self._cache.hits, cache_misses=self._cache.misses, **self._counters)

    def read(self, index: int) -> np.ndarray:
        """Frame ``index`` as a read-only RGB uint8 array ``(H, W, 3)``."""
        index = self._check_index(index)
        frame = self._cache.get(index)
        if frame is not None:
            return frame
        with self._lock:
            frame = self._cache.peek(index)
            return frame if frame is not None else self._cache.put(index, self._decode(index))

    def cached(self, index: int) -> bool:
        """Whether frame ``index`` is in the decoded-frame cache now."""
        return index in self._cache

    def prefetch(self, start: int, count: int) -> None:
        """Decode ``count`` frames from ``start`` on a background thread (latest call wins).

        The range is clipped to the video and to what the cache can hold.
        """
        capacity = self._cache.capacity(self.frame_nbytes) - 2
        start = max(0, int(start))
        stop = min(self.frame_count, start + min(int(count), capacity))
        if stop <= start:
            return
        if self._readahead is None:
            self._readahead = ReadAhead(self._load_into_cache, name=f"readahead:{self.path.name}")
        self._readahead.request(start, stop)

    def wait_prefetch(self, timeout: float | None = None) -> bool:
        """Block until the read-ahead range is decoded; False on timeout. Re-raises its error."""
        if self._readahead is None:
            return True
        done = self._readahead.wait(timeout)
        if self._readahead.error is not None:
            raise self._readahead.error
        return done

    def close(self) -> None:
        """Stop read-ahead and release the file. Idempotent."""
        if self._readahead is not None:
            self._readahead.close()
            self._readahead = None
        with self._lock:
            self._closed = True
            self._finalizer()
            if self._proxy is not None:
                self._proxy.close()
        self._cache.clear()

    def __enter__(self) -> "VideoReader":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        width, height = self._size
        return (
            f"VideoReader({str(self.path)!r}, frames={self.frame_count}, fps={self.fps:g}, "
            f"size={width}x{height}, codec={self.codec!r}, mode={self._mode})"
        )

    # ------------------------------------------------------------ open/count

    def _read_properties(self) -> None:
        cap = self._cap
        self._size = (int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT)))
        self.codec = fourcc_text(cap.get(cv2.CAP_PROP_FOURCC))
        declared = cap.get(cv2.CAP_PROP_FRAME_COUNT)
        self.declared_frame_count = int(declared) if 0 < declared < 1e9 else 0
        fps = cap.get(cv2.CAP_PROP_FPS)
        self._fps_known = 0.1 < fps < 1000
        self.fps = float(fps) if self._fps_known else 25.0
        self._period_ms = 1000.0 / self.fps
        self._mode = TIMESTAMPS if self._fps_known else SEQUENTIAL
        self._next: int | None = 0  # index the next cap.read() returns; None = unknown

    def _raw_packets_decode(self) -> bool:
        """Whether this file's frame 0 packet decodes with ``cv2.imdecode`` to the container's size."""
        try:
            cap = open_capture(self.path, raw=True)
        except VideoError:
            return False
        try:
            ok, packet = cap.read()
            image = cv2.imdecode(packet, cv2.IMREAD_COLOR) if ok and packet is not None and packet.size else None
        finally:
            cap.release()
        usable = image is not None and (image.shape[1], image.shape[0]) == self._size
        if not usable:
            log.info("%s: %s packets do not decode as JPEG; decoding with FFmpeg", self.path, self.codec)
        return usable

    def _establish_count(self) -> int:
        """Decode frame 0 (it stays cached), then trust or recount the container's frame count."""
        self._cache.put(0, self._read_next(0, "cannot decode the first frame (unsupported codec or damaged file)"))
        self._t0 = self._cap.get(cv2.CAP_PROP_POS_MSEC)
        known = known_count(self.path)
        if known is not None:
            count, self._mode = known
            return count
        count = self._validated_count() if self._mode == TIMESTAMPS else None
        if count is None:
            count = self._counting_pass()
        remember_count(self.path, count, self._mode)
        return count

    def _validated_count(self) -> int | None:
        """The declared count if frame 1 and the last frame decode with the right timestamps."""
        declared = self.declared_frame_count
        if declared < 2 or not self._grab_matches(1, last=0):
            return None
        if declared > 2:
            self._seek(declared - 1)
            if not self._grab_matches(declared - 1, last=None):
                return None
        if self._cap.grab():  # the container under-counts
            return None
        self._next = None
        return declared

    def _grab_matches(self, index: int, last: int | None) -> bool:
        """Decode-and-skip the frame at the current position; True if it is frame ``index``."""
        ok = self._cap.grab()
        self._counters["grabbed"] += 1
        self._next = index + 1 if ok else None
        return ok and self._index_now(last) == index

    def _counting_pass(self) -> int:
        """Decode the whole file once; the number of frames that decode is the truth."""
        log.info("%s: counting frames (container declares %d)", self.path, self.declared_frame_count)
        self._reopen()
        stamps = []
        while self._cap.grab():
            stamps.append(self._cap.get(cv2.CAP_PROP_POS_MSEC))
        self._counters["grabbed"] += len(stamps)
        self._next = None
        if not stamps:
            raise VideoError("no frame of this video can be decoded", self.path, frame=0)
        if self._mode == TIMESTAMPS and not stamps_consistent(stamps, self._t0, self._period_ms):
            self._use_sequential("timestamps are not one frame period apart")
        return len(stamps)

    # ---------------------------------------------------------------- decode

    def _check_index(self, index: int) -> int:
        if isinstance(index, (bool, float)) or not isinstance(index, (int, np.integer)):
            raise TypeError(f"frame index must be an int, got {type(index).__name__}")
        index = int(index)
        if 0 <= index < self.frame_count:
            return index
        detail = f"the video has {self.frame_count} frames (0..{self.frame_count - 1})"
        if self.truncated:
            detail += (
                f"; the container declares {self.declared_frame_count} but decoding stops after frame "
                f"{self.frame_count - 1}: the file is truncated or damaged"
            )
        raise VideoError(f"frame out of range: {detail}", self.path, frame=index)

    def _load_into_cache(self, index: int) -> None:
        if index not in self._cache:
            self.read(index)

    def _decode(self, index: int) -> np.ndarray:
        """Frame ``index`` decoded to RGB (caller holds the lock)."""
        if self._closed:
            raise VideoError("the video reader is closed", self.path, frame=index)
        frame = self._from_proxy(index)
        if frame is not None:
            return frame
        if self._mode == TIMESTAMPS:
            near = self._next is not None and self._next <= index <= self._next + self._forward_limit()
            frame = self._step_to(index) if near else self._timed_seek_to(index)
            if frame is not None:
                return frame
        if self._next is None or index < self._next:
            self._reopen()
        self._skip_to(index)
        return self._read_next(index)

    def _from_proxy(self, index: int) -> np.ndarray | None:
        """Frame ``index`` from the proxy, or None when there is none (a damaged one is dropped)."""
        proxy = self._proxy.get() if self._proxy is not None else None
        if proxy is None:
            return None
        try:
            if proxy.frame_count != self.frame_count:
                raise ProxyError(f"has {proxy.frame_count} frames, the video {self.frame_count}", proxy.path)
            frame = proxy.read_rgb(index)
        except ProxyError as exc:
            self._proxy.drop(exc)
            return None
        self._counters["decoded"] += 1
        self._counters["proxy_reads"] += 1
        return frame

    def _step_to(self, index: int) -> np.ndarray | None:
        """Decode forward to ``index`` and verify it; None (sequential mode) if timestamps disagree."""
        self._skip_to(index)
        frame = self._read_next(index)
        if self._index_now(index - 1) == index:
            return frame
        self._use_sequential(f"frame {index} has timestamp {self._cap.get(cv2.CAP_PROP_POS_MSEC):.1f} ms")
        return None

    def _forward_limit(self) -> int:
        """How far ahead decoding forward is still cheaper than seeking."""
        if self._seek_ms is None or not self._grab_ms:
            return self.forward_skip
        return int(min(_MAX_FORWARD, max(self.forward_skip, self._seek_ms / self._grab_ms)))

    def _timed_seek_to(self, index: int) -> np.ndarray | None:
        start = time.perf_counter()
        frame = self._seek_to(index)
        self._seek_ms = _average(self._seek_ms, (time.perf_counter() - start) * 1000)
        return frame

    def _seek_to(self, index: int) -> np.ndarray | None:
        """Seek at or before ``index``, then walk forward by timestamps; seek further back on overshoot."""
        back = 0
        for _ in range(_SEEK_ATTEMPTS):
            target = max(0, index - back)
            self._seek(target) if target > 0 else self._reopen()
            frame = self._walk_to(index)
            if frame is not None or target == 0:
                return frame
            back = max(self.forward_skip, 2 * back)
        self._use_sequential(f"seeking cannot reach frame {index} by its timestamp")
        return None

    def _walk_to(self, index: int) -> np.ndarray | None:
        """Grab until the frame whose timestamp is ``index``'s; None if the seek overshot or got lost."""
        self._next, last = None, None
        for _ in range(index + 2):
            if not self._cap.grab():
                if last == index - 1:
                    raise VideoError("cannot decode frame: the file is damaged here", self.path, frame=index)
                return None
            self._counters["grabbed"] += 1
            last = self._index_now(last)
            if last == index:
                return self._retrieve(index)
            if last > index:
                return None
        return None

    def _retrieve(self, index: int) -> np.ndarray:
        ok, bgr = self._cap.retrieve()
        bgr = self._pixels(ok, bgr)
        if bgr is None:
            self._next = None
            raise VideoError("cannot decode frame: the file is damaged here", self.path, frame=index)
        self._counters["grabbed"] -= 1
        self._counters["decoded"] += 1
        self._next = index + 1
        return _to_rgb(bgr)

    def _pixels(self, ok: bool, data: np.ndarray | None) -> np.ndarray | None:
        """The BGR image from what the capture returned (a raw packet is JPEG-decoded); None if unusable."""
        if not ok or data is None:
            return None
        if not self._raw:
            return data
        if not data.size:
            return None
        bgr = cv2.imdecode(data, cv2.IMREAD_COLOR)
        return bgr if bgr is not None and (bgr.shape[1], bgr.shape[0]) == self._size else None

    def _seek(self, index: int) -> None:
        self._cap.set(cv2.CAP_PROP_POS_FRAMES, index)
        self._counters["seeks"] += 1
        self._next = index

    def _skip_to(self, index: int) -> None:
        """Decode and drop frames until the next read returns ``index``."""
        assert self._next is not None
        start, skipped = time.perf_counter(), index - self._next
        while self._next < index:
            if not self._cap.grab():
                failed, self._next = self._next, None
                raise VideoError("cannot decode frame: the file is damaged or truncated here", self.path, frame=failed)
            self._counters["grabbed"] += 1
            self._next += 1
        if skipped > 0:
            self._grab_ms = _average(self._grab_ms, (time.perf_counter() - start) * 1000 / skipped)

    def _read_next(self, index: int, message: str = "cannot decode frame: the file is damaged or truncated here") -> np.ndarray:
        ok, bgr = self._cap.read()
        bgr = self._pixels(ok, bgr)
        if bgr is None:
            self._next = None
            raise VideoError(message, self.path, frame=index)
        self._counters["decoded"] += 1
        self._next = index + 1
        return _to_rgb(bgr)

    def _index_now(self, last: int | None) -> int:
        """The index of the frame just decoded, by its timestamp (following ``last`` if it has none)."""
        return frame_index(self._cap.get(cv2.CAP_PROP_POS_MSEC), self._t0, self._period_ms, last)

    def _use_sequential(self, why: str) -> None:
        log.warning("%s: seeking by timestamps is not exact (%s); decoding sequentially", self.path, why)
        self._mode = SEQUENTIAL
        self._next = None

    def _reopen(self) -> None:
        self._finalizer()
        if _identity(self.path) != self._identity:
            self._next = None
            raise VideoError("the file was replaced or changed on disk while it was open (other size, "
                             "time or inode); open it again", self.path)
        self._cap = open_capture(self.path, raw=self._raw)
        self._finalizer = weakref.finalize(self, _release, self._cap)
        self._counters["rewinds"] += 1
        self._next = 0


def _identity(path: Path) -> tuple[int, int, int, int] | None:
    """What tells one file from its replacement: device, inode, size, modification time (None if gone)."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns


def _average(old: float | None, new: float) -> float:
    return new if old is None else 0.8 * old + 0.2 * new


def _release(cap: cv2.VideoCapture) -> None:
    cap.release()


def _to_rgb(bgr: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(bgr, cv2.COLOR_GRAY2RGB if bgr.ndim == 2 else cv2.COLOR_BGR2RGB)
