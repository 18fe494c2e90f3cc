"""A tiny H.264 writer for test and benchmark videos, for machines without an H.264 encoder.

OpenCV's wheels often ship FFmpeg without libx264, so ``VideoWriter_fourcc('avc1')``
fails, yet they *decode* H.264, the codec of the real BioVid files. This module
writes a valid Baseline-profile stream by hand: every frame is a slice of
uncompressed ``I_PCM`` macroblocks; keyframes (IDR) every ``gop`` frames, and
in between P frames that code only the macroblocks that changed and skip the
rest (skipped macroblocks are copied from the previous frame, so a decoder must
really follow the reference chain: a wrong seek shows). Files are large (no
compression) but exact. The stream is written raw (``.h264``: no container,
no timestamps, no index: the hardest case for seeking) or muxed into MP4 by
OpenCV's raw-packet mode (``VIDEOWRITER_PROP_RAW_VIDEO``).
"""

from __future__ import annotations

import itertools
import os
import re
from pathlib import Path
from typing import Iterable, Iterator

import cv2
import numpy as np

_EMULATION = re.compile(b"\x00\x00(?=[\x00-\x03])")


class _Bits:
    """Big-endian bit writer with Exp-Golomb codes and aligned raw bytes."""

    def __init__(self) -> None:
        self.out = bytearray()
        self.acc = 0
        self.n = 0

    def u(self, nbits: int, value: int) -> None:
        self.acc = (self.acc << nbits) | (value & ((1 << nbits) - 1))
        self.n += nbits
        while self.n >= 8:
            self.n -= 8
            self.out.append((self.acc >> self.n) & 0xFF)
        self.acc &= (1 << self.n) - 1

    def ue(self, value: int) -> None:
        value += 1
        self.u(2 * value.bit_length() - 1, value)

    def se(self, value: int) -> None:
        self.ue(2 * value - 1 if value > 0 else -2 * value)

    def align(self) -> None:
        if self.n:
            self.u(8 - self.n, 0)

    def raw(self, data: bytes) -> None:
        assert self.n == 0
        self.out += data

    def trailing(self) -> bytes:
        self.u(1, 1)
        self.align()
        return bytes(self.out)


def _nal(ref_idc: int, nal_type: int, rbsp: bytes) -> bytes:
    return b"\x00\x00\x00\x01" + bytes([(ref_idc << 5) | nal_type]) + _EMULATION.sub(b"\x00\x00\x03", rbsp)


def _sps(width: int, height: int) -> bytes:
    """Sequence parameters; sizes that are not multiples of 16 are cropped from padded macroblocks."""
    width_mbs, height_mbs = -(-width // 16), -(-height // 16)
    b = _Bits()
    b.u(8, 66), b.u(8, 0xC0), b.u(8, 40)  # Baseline, constraint_set0/1, level 4.0
    b.ue(0), b.ue(4), b.ue(2), b.ue(1), b.u(1, 0)  # sps id, log2_max_frame_num-4, poc type 2, 1 ref
    b.ue(width_mbs - 1), b.ue(height_mbs - 1)
    b.u(1, 1), b.u(1, 1)  # frames only, direct8x8
    crop_right, crop_bottom = (16 * width_mbs - width) // 2, (16 * height_mbs - height) // 2  # 4:2:0 units
    b.u(1, int(bool(crop_right or crop_bottom)))
    if crop_right or crop_bottom:
        b.ue(0), b.ue(crop_right), b.ue(0), b.ue(crop_bottom)
    b.u(1, 0)  # no VUI
    return _nal(3, 7, b.trailing())


def _pps() -> bytes:
    b = _Bits()
    b.ue(0), b.ue(0), b.u(1, 0), b.u(1, 0), b.ue(0), b.ue(0), b.ue(0)  # CAVLC, one slice group
    b.u(1, 0), b.u(2, 0), b.se(0), b.se(0), b.se(0)  # no weighted prediction, QP 26
    b.u(1, 1), b.u(1, 0), b.u(1, 0)  # deblocking control present
    return _nal(3, 8, b.trailing())


def _macroblocks(frame_rgb: np.ndarray) -> list[bytes]:
    """Each 16x16 macroblock's PCM bytes (256 Y, 64 Cb, 64 Cr), raster order (edges padded)."""
    h, w = frame_rgb.shape[:2]
    if h % 16 or w % 16:
        frame_rgb = cv2.copyMakeBorder(frame_rgb, 0, -h % 16, 0, -w % 16, cv2.BORDER_REPLICATE)
        h, w = frame_rgb.shape[:2]
    yuv = cv2.cvtColor(np.ascontiguousarray(frame_rgb), cv2.COLOR_RGB2YUV_I420)
    y = yuv[:h].reshape(h // 16, 16, w // 16, 16).transpose(0, 2, 1, 3)
    u = yuv[h : h + h // 4].reshape(h // 16, 8, w // 16, 8).transpose(0, 2, 1, 3)
    v = yuv[h + h // 4 :].reshape(h // 16, 8, w // 16, 8).transpose(0, 2, 1, 3)
    return [y[r, c].tobytes() + u[r, c].tobytes() + v[r, c].tobytes() for r in range(h // 16) for c in range(w // 16)]


def _slice(idr: bool, frame_num: int, idr_id: int, mbs: list[bytes], changed: list[bool]) -> bytes:
    b = _Bits()
    b.ue(0), b.ue(7 if idr else 5), b.ue(0), b.u(8, frame_num % 256)
    if idr:
        b.ue(idr_id), b.u(1, 0), b.u(1, 0)  # idr_pic_id, no_output_of_prior_pics, long_term
    else:
        b.u(1, 0), b.u(1, 0), b.u(1, 0)  # no ref override, no list modification, sliding window
    b.se(0), b.ue(1)  # slice_qp_delta, deblocking off
    skipped = 0
    for mb, coded in zip(mbs, changed):
        if not idr and not coded:
            skipped += 1
            continue
        if not idr:
            b.ue(skipped)
            skipped = 0
        b.ue(25 if idr else 30)  # I_PCM (offset by the 5 P types in a P slice)
        b.align()
        b.raw(mb)
    if skipped:
        b.ue(skipped)
    return _nal(3 if idr else 2, 5 if idr else 1, b.trailing())


def encode_pcm_h264(frames_rgb: Iterable[np.ndarray], gop: int = 12) -> Iterator[bytes]:
    """One Annex-B access unit per frame (SPS+PPS+IDR every ``gop`` frames, P frames between)."""
    previous: list[bytes] | None = None
    for i, frame in enumerate(frames_rgb):
        h, w = frame.shape[:2]
        if h % 2 or w % 2:
            raise ValueError(f"frame width and height must be even (4:2:0), got {w}x{h}")
        mbs = _macroblocks(frame)
        k = i % gop
        if k == 0 or previous is None:
            yield _sps(w, h) + _pps() + _slice(True, 0, (i // gop) % 2, mbs, [True] * len(mbs))
        else:
            yield _slice(False, k, 0, mbs, [a != b for a, b in zip(mbs, previous)])
        previous = mbs


def write_pcm_h264(path: str | os.PathLike[str], frames_rgb: Iterable[np.ndarray], fps: float = 25.0, gop: int = 12) -> Path:
    """Write an H.264 video: raw Annex B for ``.h264``/``.264``, MP4 (via OpenCV) otherwise."""
    path = Path(path)
    frames = iter(frames_rgb)
    first = next(frames)
    units = encode_pcm_h264(itertools.chain([first], frames), gop)
    if path.suffix.lower() in (".h264", ".264"):
        with open(path, "wb") as fh:
            fh.writelines(units)
        return path
    if not raw_muxing_available():
        raise RuntimeError("this OpenCV build cannot mux raw packets (no VIDEOWRITER_PROP_RAW_VIDEO)")
    size = (first.shape[1], first.shape[0])
    params = [cv2.VIDEOWRITER_PROP_RAW_VIDEO, 1]
    writer = cv2.VideoWriter(str(path), cv2.CAP_FFMPEG, cv2.VideoWriter_fourcc(*"avc1"), fps, size, params)
    if not writer.isOpened():
        raise RuntimeError("this OpenCV build cannot mux raw H.264 packets into MP4")
    try:
        for unit in units:
            writer.write(np.frombuffer(unit, np.uint8).reshape(1, -1))
    finally:
        writer.release()
    return path


def raw_muxing_available() -> bool:
    """Whether OpenCV here can put pre-encoded packets into a container."""
    return hasattr(cv2, "VIDEOWRITER_PROP_RAW_VIDEO")
