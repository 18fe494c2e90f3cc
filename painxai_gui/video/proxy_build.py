"""Make a video's intra-frame proxy once (a background job): progress, cancel, checked against the source.

``prepare_proxy(path, cache_dir, progress, cancel)`` decodes the source once
with PyAV (FFmpeg, frame threads), codes every frame's YUV planes losslessly
(MagicYUV) into ``cache_dir`` and returns the proxy's path. Before the proxy
is kept, frames read back from it must equal the same frames read from the
source by :class:`~painxai_gui.video.VideoReader` byte for byte, and its frame
count must be the reader's. A whole proxy already there for this exact file
is reused; proxies of an older version of the file are deleted.
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path
from typing import Callable

import av
import numpy as np

from painxai_gui.errors import Cancelled, FileWriteError, ProxyError, VideoError, cancel_check
from painxai_gui.files import TEMP_MARK, atomic_write
from painxai_gui.video.proxy import (PLANES_AS, SUFFIX, ProxyFile, ProxyMeta, ProxyWriter, SourceIdentity, encoder,
                                     path_tag)
from painxai_gui.video.reader import TIMESTAMPS, VideoReader
from painxai_gui.video.timing import frame_index

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
Cancel = "threading.Event | Callable[[], bool] | None"
SHORT_GOP = 32  #: keyframes at most this far apart: seeking is already cheap, no proxy needed
_STALE_PART_S = 600.0  #: a temporary proxy untouched this long was left by a preparation that died


class ProxyCancelled(Cancelled):
    """``prepare_proxy`` stopped because its ``cancel`` fired; nothing was left on disk."""


def needs_proxy(path: str | os.PathLike[str]) -> bool:
    """Whether some keyframes of ``path`` are more than :data:`SHORT_GOP` frames apart (reads packets only)."""
    try:
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            run = longest = 0
            for packet in container.demux(stream):
                if packet.size == 0:
                    continue
                run = 1 if packet.is_keyframe else run + 1
                longest = max(longest, run)
    except (av.FFmpegError, IndexError) as exc:
        raise VideoError(f"cannot read the video's packets ({exc})", path) from exc
    return longest > SHORT_GOP


def find_proxy(path: str | os.PathLike[str], cache_dir: str | os.PathLike[str]) -> Path | None:
    """The whole proxy of this exact version of ``path`` in ``cache_dir``, or None (a damaged one is deleted)."""
    identity = SourceIdentity.of(path)
    target = identity.proxy_path(cache_dir)
    if not target.exists():
        return None
    try:
        with ProxyFile(target, identity):
            os.utime(target)  # used now (see prune_proxies)
            return target
    except ProxyError as exc:
        log.warning("%s; making it again", exc)
        target.unlink(missing_ok=True)
        return None


def prepare_proxy(path: str | os.PathLike[str], cache_dir: str | os.PathLike[str], progress: Progress | None = None,
                  cancel: Cancel = None) -> Path | None:
    """The proxy of ``path`` in ``cache_dir``, made now if needed; None when the video needs none.

    ``progress(done, total)`` is called after every frame; ``cancel`` (an Event
    or a callable) is checked before each frame and raises
    :class:`ProxyCancelled`. Raises ProxyError when no exact proxy can be made
    (unsupported pixel format, frames that differ from the source's), and
    VideoError when the source itself cannot be read.
    """
    path, cache_dir = Path(path), Path(cache_dir)
    existing = find_proxy(path, cache_dir)
    if existing is not None or not needs_proxy(path):
        return existing
    identity = SourceIdentity.of(path)
    target = identity.proxy_path(cache_dir)
    _remove_stale(cache_dir, identity, target)
    with VideoReader(path, cache_bytes=0) as reader:
        def build(tmp: Path) -> None:
            writer = ProxyWriter(tmp)
            try:
                meta = _transcode(path, reader, writer, identity, progress or _no_progress, cancel_check(cancel))
                _check_against_source(writer.finish(meta), identity, reader)
            finally:
                writer.close()

        try:  # the temp file is made first: an unwritable cache folder fails before any decoding
            atomic_write(target, build, parents=True)
        except FileWriteError as exc:
            raise ProxyError(f"cannot write the proxy ({exc.problem})", target) from exc
    return target


def _no_progress(done: int, total: int) -> None:
    pass


def _transcode(path: Path, reader: VideoReader, writer: ProxyWriter, identity: SourceIdentity, progress: Progress,
               cancelled: Callable[[], bool]) -> ProxyMeta:
    """Decode every frame of ``path`` and add its losslessly coded planes to ``writer``."""
    total, stamps = reader.frame_count, _Stamps(reader)
    first: av.VideoFrame | None = None
    enc, count = None, 0
    try:
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            for index, frame in enumerate(container.decode(stream)):
                if cancelled():
                    raise ProxyCancelled(f"{path}: proxy preparation cancelled")
                if first is None:
                    first, enc = frame, encoder(frame.width, frame.height, _planes_format(frame, path))
                _check_frame(frame, first, index, total, stamps, path)
                for packet in enc.encode(_with_pts(_as_planes(frame, enc.pix_fmt), index)):
                    writer.add(bytes(packet))
                count = index + 1
                progress(count, total)
            if enc is not None:
                for packet in enc.encode(None):  # MagicYUV holds no frames back; flush to be sure
                    writer.add(bytes(packet))
    except av.FFmpegError as exc:
        raise ProxyError(f"cannot decode the source with PyAV ({exc})", path, frame=count) from exc
    if first is None or count != total or writer.frames != total:
        raise ProxyError(f"PyAV decodes {count} frames, the reader {total}", path)
    return ProxyMeta(source=identity, frame_count=total, width=first.width, height=first.height, fps=reader.fps,
                     seek_mode=reader.seek_mode, pix_fmt=enc.pix_fmt, colorspace=int(first.colorspace),
                     color_range=int(first.color_range))


class _Stamps:
    """Checks that PyAV's frame ``i`` is the reader's frame ``i`` by its timestamp (timestamp-mode files)."""

    def __init__(self, reader: VideoReader):
        self.active = reader.seek_mode == TIMESTAMPS
        self.period_ms = 1000.0 / reader.fps
        self.t0_ms: float | None = None
        self.last: int | None = None

    def index(self, frame: av.VideoFrame) -> int | None:
        """The frame's index by its timestamp, None when not checked (no timestamp, or sequential mode)."""
        if not self.active or frame.time is None:
            return None
        if self.t0_ms is None:
            self.t0_ms = frame.time * 1000
        self.last = frame_index(frame.time * 1000, self.t0_ms, self.period_ms, self.last)
        return self.last


def _check_frame(frame: av.VideoFrame, first: av.VideoFrame, index: int, total: int, stamps: _Stamps,
                 path: Path) -> None:
    """ProxyError unless ``frame`` is the reader's frame ``index`` and is coded like the first frame."""
    if index >= total:
        raise ProxyError(f"PyAV decodes more frames than the reader's {total}", path, frame=index)
    stamped = stamps.index(frame)
    if stamped is not None and stamped != index:
        raise ProxyError(f"frame timestamps skip or repeat (frame {index} is stamped as {stamped})", path, frame=index)
    now = (frame.width, frame.height, frame.format.name, int(frame.colorspace), int(frame.color_range))
    then = (first.width, first.height, first.format.name, int(first.colorspace), int(first.color_range))
    if now != then:
        raise ProxyError(f"the video changes size or pixel format mid-stream ({then} -> {now})", path, frame=index)


def _planes_format(frame: av.VideoFrame, path: Path) -> str:
    name = frame.format.name
    if name not in PLANES_AS:
        raise ProxyError(f"pixel format {name!r} has no lossless proxy (supported: {', '.join(PLANES_AS)})", path)
    return PLANES_AS[name]


def _as_planes(frame: av.VideoFrame, pix_fmt: str) -> av.VideoFrame:
    """``frame``'s planes, untouched, in a frame of format ``pix_fmt`` (yuvj420p -> yuv420p: no range change)."""
    if frame.format.name == pix_fmt:
        return frame
    out = av.VideoFrame(frame.width, frame.height, pix_fmt)
    for src, dst in zip(frame.planes, out.planes):
        rows = np.frombuffer(src, np.uint8).reshape(-1, src.line_size)[: src.height, : src.width]
        np.frombuffer(dst, np.uint8).reshape(-1, dst.line_size)[: dst.height, : dst.width] = rows
    return out


def _with_pts(frame: av.VideoFrame, index: int) -> av.VideoFrame:
    frame.pts = index
    return frame


def _check_against_source(part: Path, identity: SourceIdentity, reader: VideoReader) -> None:
    """Frames 0, 1, the middle and the last from the proxy must equal the reader's, byte for byte."""
    n = reader.frame_count
    with ProxyFile(part, identity) as proxy:
        for index in sorted({0, min(1, n - 1), n // 2, n - 1}):
            if not np.array_equal(proxy.read_rgb(index), reader.read(index)):
                raise ProxyError("a frame read from the proxy differs from the same frame read from the source "
                                 "(PyAV and OpenCV convert colours differently here): proxy not used",
                                 reader.path, frame=index)


def _remove_stale(cache_dir: Path, identity: SourceIdentity, keep: Path) -> None:
    """Delete proxies of older versions of this source, and temporary files of dead preparations."""
    tag = path_tag(identity.path)
    for old in cache_dir.glob(f"*.{tag}.*{SUFFIX}"):
        if old != keep:
            log.info("deleting the proxy of an older version of %s: %s", identity.path, old)
            old.unlink(missing_ok=True)
    for part in cache_dir.glob(f".*.{tag}.*{TEMP_MARK}*"):
        try:
            if time.time() - part.stat().st_mtime > _STALE_PART_S:
                part.unlink(missing_ok=True)
        except FileNotFoundError:
            pass
