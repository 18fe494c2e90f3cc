"""Intra-frame proxy files: every frame of a long-GOP video, losslessly re-encoded, for instant random access.

A long-GOP H.264 file (BioVid: a keyframe every 250 frames, B-frames) can
only be entered at a keyframe, so a random read decodes up to 249 frames
first. A *proxy* holds the same frames coded one by one (MagicYUV, a lossless
intra-only codec bundled with PyAV's FFmpeg): reading frame ``i`` decodes
exactly one frame.

The proxy stores the decoder's own YUV planes untouched, and the tags
(colour matrix, range) that the conversion to RGB needs, so a proxy frame
converts to the same RGB bytes as the source decoded through OpenCV
(``prepare_proxy`` checks that on real frames before a proxy is kept).

File layout (``*.pxproxy``)::

    b"PXPROXY1"  packet 0  packet 1 ... packet n-1   meta (JSON)   index   footer

``index``: per frame ``<QII`` (offset, size, CRC-32 of the packet);
``footer``: ``<QQI`` (meta bytes, frame count, CRC-32 of meta + index) then
``b"PXEND001"``. A file is written under a temporary name and renamed when
complete, so a proxy on disk is whole or absent; damage is caught by the
footer checks at open and by each packet's CRC before it is decoded.

A proxy is named after its source's *identity*: resolved path, size,
modification time and a hash of the file's first and last 64 KiB. A replaced
source gets a new name, so a stale proxy is never opened for it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import struct
import time
import zlib
from dataclasses import asdict, dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from painxai_gui.errors import ProxyError

log = logging.getLogger(__name__)

SUFFIX = ".pxproxy"
CODEC = "magicyuv"
FORMAT_VERSION = 1
_MAGIC = b"PXPROXY1"
_END = b"PXEND001"
_ENTRY = struct.Struct("<QII")
_FOOTER = struct.Struct("<QQI")
_FINGERPRINT_BYTES = 64 * 1024
#: decoded source format -> the MagicYUV format holding the same planes (range kept as a tag)
PLANES_AS = {"yuv420p": "yuv420p", "yuvj420p": "yuv420p", "yuv422p": "yuv422p", "yuvj422p": "yuv422p",
             "yuv444p": "yuv444p", "yuvj444p": "yuv444p", "gray": "gray", "gbrp": "gbrp"}


@dataclass(frozen=True)
class SourceIdentity:
    """What makes a source file the same file: path, size, mtime and a hash of its ends."""

    path: str
    size: int
    mtime_ns: int
    fingerprint: str

    @classmethod
    def of(cls, path: str | os.PathLike[str]) -> "SourceIdentity":
        path = Path(path).resolve()
        st = path.stat()
        digest = hashlib.sha256()
        with open(path, "rb") as fh:
            digest.update(fh.read(_FINGERPRINT_BYTES))
            if st.st_size > _FINGERPRINT_BYTES:
                fh.seek(max(_FINGERPRINT_BYTES, st.st_size - _FINGERPRINT_BYTES))
                digest.update(fh.read(_FINGERPRINT_BYTES))
        return cls(str(path), st.st_size, st.st_mtime_ns, digest.hexdigest()[:32])

    def proxy_path(self, cache_dir: str | os.PathLike[str]) -> Path:
        """Where this source's proxy lives in ``cache_dir``."""
        stem = re.sub(r"[^A-Za-z0-9_.-]", "_", Path(self.path).stem)[:48]
        return Path(cache_dir) / f"{stem}.{path_tag(self.path)}.{_digest(asdict(self))}{SUFFIX}"


def path_tag(path: str | os.PathLike[str]) -> str:
    """A short tag of a source's resolved path: every proxy of that path, current or stale, has it."""
    return _digest(str(Path(path).resolve()))[:10]


def _digest(value: object) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class ProxyMeta:
    """What a reader needs besides the packets (stored as JSON in the file)."""

    source: SourceIdentity
    frame_count: int
    width: int
    height: int
    fps: float
    seek_mode: str  #: the source reader's mode when the proxy was made (timestamps / sequential)
    pix_fmt: str  #: MagicYUV plane format
    colorspace: int  #: the source frames' AVColorSpace tag
    color_range: int  #: the source frames' AVColorRange tag
    codec: str = CODEC
    version: int = FORMAT_VERSION

    def to_json(self) -> bytes:
        return json.dumps(asdict(self), sort_keys=True).encode()

    @classmethod
    def from_json(cls, data: bytes) -> "ProxyMeta":
        fields = json.loads(data.decode())
        fields["source"] = SourceIdentity(**fields["source"])
        return cls(**fields)


def encoder(width: int, height: int, pix_fmt: str) -> av.CodecContext:
    """A MagicYUV encoder (gradient prediction, 4 slices: fast to decode on several cores)."""
    ctx = av.CodecContext.create(CODEC, "w")
    ctx.width, ctx.height, ctx.pix_fmt = width, height, pix_fmt
    ctx.time_base = Fraction(1, 25)  # MagicYUV ignores time; the encoder API needs one
    ctx.options = {"pred": "gradient", "slices": "4"}
    ctx.thread_type, ctx.thread_count = "SLICE", min(4, os.cpu_count() or 1)
    return ctx


class ProxyWriter:
    """Writes a proxy into ``path`` (a temp file of :func:`painxai_gui.files.atomic_write`, which publishes it):
    packets with :meth:`add`, then meta, index and footer with :meth:`finish`.

    File-system failures (disk full) raise ProxyError naming the file.
    """

    def __init__(self, path: Path):
        self.path = path
        self._index: list[tuple[int, int, int]] = []
        with self._writing():
            self._fh = open(self.path, "wb")
            self._fh.write(_MAGIC)

    @property
    def frames(self) -> int:
        return len(self._index)

    def add(self, packet: bytes) -> None:
        with self._writing():
            self._index.append((self._fh.tell(), len(packet), zlib.crc32(packet)))
            self._fh.write(packet)

    def finish(self, meta: ProxyMeta) -> Path:
        """Write meta, index and footer and close; returns the path written."""
        if meta.frame_count != len(self._index):
            raise ValueError(f"meta says {meta.frame_count} frames, {len(self._index)} written")
        tail = meta.to_json() + b"".join(_ENTRY.pack(*entry) for entry in self._index)
        with self._writing():
            self._fh.write(tail)
            self._fh.write(_FOOTER.pack(len(tail) - len(self._index) * _ENTRY.size, len(self._index),
                                        zlib.crc32(tail)))
            self._fh.write(_END)
            self._fh.close()
        return self.path

    def close(self) -> None:
        self._fh.close()

    @contextlib.contextmanager
    def _writing(self):
        try:
            yield
        except OSError as exc:
            raise ProxyError(f"cannot write the proxy ({exc.strerror or exc})", self.path) from exc


class ProxyFile:
    """An open proxy: frame ``i`` as RGB by decoding its one packet. Not thread-safe on its own."""

    def __init__(self, path: str | os.PathLike[str], expect: SourceIdentity | None = None):
        self.path = Path(path)
        self._fh = open(self.path, "rb")
        try:
            self.meta, self._index = _read_tail(self._fh, self.path)
            if expect is not None and self.meta.source != expect:
                raise ProxyError("made for another version of the source file", self.path)
            self._decoder = av.CodecContext.create(self.meta.codec, "r")
            self._decoder.thread_type, self._decoder.thread_count = "SLICE", min(4, os.cpu_count() or 1)
        except BaseException:
            self._fh.close()
            raise

    @property
    def frame_count(self) -> int:
        return self.meta.frame_count

    @property
    def nbytes(self) -> int:
        return self.path.stat().st_size

    def read_rgb(self, index: int) -> np.ndarray:
        """Frame ``index`` as RGB uint8 ``(H, W, 3)``; ProxyError if its packet is damaged."""
        offset, size, crc = self._index[index]
        self._fh.seek(offset)
        packet = self._fh.read(size)
        if len(packet) != size or zlib.crc32(packet) != crc:
            raise ProxyError("damaged: a frame's checksum does not match", self.path, frame=index)
        try:
            frames = self._decoder.decode(av.Packet(packet))
        except av.FFmpegError as exc:
            raise ProxyError(f"damaged: the frame does not decode ({exc})", self.path, frame=index) from exc
        if len(frames) != 1 or (frames[0].width, frames[0].height) != (self.meta.width, self.meta.height):
            raise ProxyError("damaged: the frame does not decode to the video's size", self.path, frame=index)
        return to_rgb(frames[0], self.meta.colorspace, self.meta.color_range)

    def verify(self) -> None:
        """Check every packet's CRC (reads the whole file); ProxyError naming the first damaged frame."""
        for index, (offset, size, crc) in enumerate(self._index):
            self._fh.seek(offset)
            if zlib.crc32(self._fh.read(size)) != crc:
                raise ProxyError("damaged: a frame's checksum does not match", self.path, frame=index)

    def close(self) -> None:
        self._fh.close()

    def __enter__(self) -> "ProxyFile":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def to_rgb(frame: av.VideoFrame, colorspace: int, color_range: int) -> np.ndarray:
    """RGB of a decoded frame, converted with the given tags (as OpenCV converts the source)."""
    frame.colorspace, frame.color_range = colorspace, color_range
    return np.ascontiguousarray(frame.to_ndarray(format="rgb24"))


def _read_tail(fh, path: Path) -> tuple[ProxyMeta, list[tuple[int, int, int]]]:
    """Meta and index from the end of the file, after checking magic, footer, CRC and packet bounds."""
    size = os.fstat(fh.fileno()).st_size
    footer_size = _FOOTER.size + len(_END)
    if size < len(_MAGIC) + footer_size or fh.read(len(_MAGIC)) != _MAGIC:
        raise ProxyError("not a proxy file, or cut short", path)
    fh.seek(size - footer_size)
    raw = fh.read(footer_size)
    if raw[-len(_END):] != _END:
        raise ProxyError("incomplete or damaged: no end marker", path)
    meta_bytes, count, crc = _FOOTER.unpack(raw[: _FOOTER.size])
    tail_size = meta_bytes + count * _ENTRY.size
    tail_start = size - footer_size - tail_size
    if tail_start < len(_MAGIC):
        raise ProxyError("damaged: the index does not fit in the file", path)
    fh.seek(tail_start)
    tail = fh.read(tail_size)
    if zlib.crc32(tail) != crc:
        raise ProxyError("damaged: the index checksum does not match", path)
    try:
        meta = ProxyMeta.from_json(tail[:meta_bytes])
    except (ValueError, TypeError, KeyError) as exc:
        raise ProxyError(f"unreadable description ({exc})", path) from exc
    if meta.version != FORMAT_VERSION or meta.frame_count != count:
        raise ProxyError(f"format version {meta.version} or frame count does not match", path)
    index = [_ENTRY.unpack_from(tail, meta_bytes + i * _ENTRY.size) for i in range(count)]
    end = len(_MAGIC)
    for offset, length, _ in index:
        if offset != end or length == 0:
            raise ProxyError("damaged: frame packets are not where the index says", path)
        end = offset + length
    if end != tail_start:
        raise ProxyError("damaged: frame packets are not where the index says", path)
    return meta, index


class ProxyLink:
    """A reader's link to its source's proxy in a cache folder; looks for it at most once a second until found."""

    LOOK_EVERY_S = 1.0

    def __init__(self, source: str | os.PathLike[str], cache_dir: str | os.PathLike[str]):
        self.identity = SourceIdentity.of(source)
        self.path = self.identity.proxy_path(cache_dir)
        self.file: ProxyFile | None = None
        self._last_look = -float("inf")

    def get(self, now: bool = False) -> ProxyFile | None:
        """The open proxy; if there is none yet, look on disk (``now``: whatever the time since the last look)."""
        if self.file is None and (now or time.monotonic() - self._last_look >= self.LOOK_EVERY_S):
            self._last_look = time.monotonic()
            if self.path.exists():
                try:
                    self.file = ProxyFile(self.path, self.identity)
                    os.utime(self.path)  # its modification time is its last use: prune_proxies keeps recent ones
                except (ProxyError, OSError) as exc:
                    self.drop(exc)
        return self.file

    def drop(self, why: Exception) -> None:
        """Stop using the proxy and delete it (it is damaged: ``prepare_proxy`` makes it again)."""
        log.warning("%s; reading the source instead", why)
        self.close()
        try:
            self.path.unlink(missing_ok=True)
        except OSError as exc:
            log.warning("cannot delete %s: %s", self.path, exc)

    def close(self) -> None:
        if self.file is not None:
            self.file.close()
            self.file = None


def prune_proxies(cache_dir: str | os.PathLike[str], max_bytes: int) -> list[Path]:
    """Delete the least recently used proxies in ``cache_dir`` until they take at most ``max_bytes``.

    Returns the deleted paths, oldest first. A proxy's modification time is when
    it was made or last opened by a reader. A reader that has a deleted proxy
    open keeps reading it (POSIX); the next reader of that video reads the source.
    """
    proxies = []
    for path in Path(cache_dir).glob(f"*{SUFFIX}"):
        try:
            st = path.stat()
        except FileNotFoundError:
            continue
        proxies.append((st.st_mtime_ns, st.st_size, path))
    total = sum(size for _, size, _ in proxies)
    deleted = []
    for _, size, path in sorted(proxies):
        if total <= max_bytes:
            break
        path.unlink(missing_ok=True)
        total -= size
        deleted.append(path)
    return deleted
