"""Open a video with OpenCV's FFmpeg backend, or explain in plain words why it cannot be opened.

OpenCV only says "not opened". To give the researcher a useful message, the
first bytes of the file are sniffed: a recognised container whose video codec
cannot be decoded, an MP4 cut short (no ``moov`` index), or a file that is not
a video at all each get their own message.
"""

from __future__ import annotations

import struct
from pathlib import Path

import cv2

from painxai_gui.errors import VideoError

def fourcc_text(value: float) -> str:
    """OpenCV's numeric FOURCC as text (``'mp4v'``), '' when unknown."""
    code = int(value)
    if code <= 0:
        return ""
    text = code.to_bytes(4, "little").decode("latin-1")
    return text if text.isprintable() else ""


def open_capture(path: Path, raw: bool = False) -> cv2.VideoCapture:
    """An opened ``cv2.VideoCapture`` for ``path``; VideoError naming the file otherwise.

    ``raw``: the capture returns each frame's encoded packet (``CAP_PROP_FORMAT`` -1)
    instead of decoding it; grabbing then only reads packets.
    """
    if not path.exists():
        raise VideoError("file not found", path)
    if not path.is_file():
        raise VideoError("not a file (a folder or a device?)", path)
    if path.stat().st_size == 0:
        raise VideoError("the file is empty (0 bytes)", path)
    if raw:
        cap = cv2.VideoCapture(str(path), cv2.CAP_FFMPEG, [cv2.CAP_PROP_FORMAT, -1])
        if cap.isOpened() and cap.get(cv2.CAP_PROP_FORMAT) == -1:
            return cap
        cap.release()
        raise VideoError("cannot open the file for raw packet reading", path)
    cap = cv2.VideoCapture(str(path), cv2.CAP_FFMPEG)
    if cap.isOpened():
        return cap
    cap.release()
    raise VideoError(explain_unopenable(path), path)


def explain_unopenable(path: Path) -> str:
    """Why FFmpeg could not open ``path``, as well as the file's first bytes tell."""
    with open(path, "rb") as fh:
        head = fh.read(4096)
    kind = container_kind(head)
    if kind is None:
        return "not a video file (unrecognised format), or a video in a format this OpenCV build cannot read"
    if kind == "AVI":
        codec = _avi_video_fourcc(head)
        if codec:
            return f"AVI file with video codec {codec!r} that this OpenCV/FFmpeg build cannot decode (or the file is damaged)"
    if kind == "MP4/QuickTime":
        gap = _mp4_truncation(path)
        if gap:
            return f"MP4/QuickTime file is truncated or damaged: {gap}"
    return f"{kind} file that cannot be opened: damaged, truncated, or an unsupported codec"


def container_kind(head: bytes) -> str | None:
    """The container family from a file's first bytes, or None when unrecognised."""
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return "AVI"
    if head[4:8] in (b"ftyp", b"moov", b"mdat", b"free", b"wide", b"skip"):
        return "MP4/QuickTime"
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return "Matroska/WebM"
    if head[:4] in (b"\x00\x00\x01\xba", b"\x00\x00\x01\xb3"):
        return "MPEG"
    if head[:4] == b"\x30\x26\xb2\x75":
        return "ASF/WMV"
    if head[:4] == b"\x00\x00\x00\x01" or head[:3] == b"\x00\x00\x01":
        return "raw H.264/MPEG elementary stream"
    return None


def _avi_video_fourcc(head: bytes) -> str:
    """The video codec FOURCC of an AVI: ``strf`` biCompression, else ``strh`` fccHandler."""
    strh = head.find(b"strh")
    if strh < 0 or head[strh + 8 : strh + 12] != b"vids":
        return ""
    strf = head.find(b"strf", strh)
    raw = head[strf + 24 : strf + 28] if strf >= 0 else head[strh + 12 : strh + 16]
    return raw.decode("latin-1") if len(raw) == 4 and raw.isascii() and raw.decode().isprintable() else ""


def _mp4_truncation(path: Path) -> str:
    """A description of how the top-level MP4 boxes are cut short, or '' if they are whole."""
    size = path.stat().st_size
    seen = []
    with open(path, "rb") as fh:
        offset = 0
        while offset + 8 <= size:
            fh.seek(offset)
            box_size, box_type = struct.unpack(">I4s", fh.read(8))
            if box_size == 1:
                box_size = struct.unpack(">Q", fh.read(8))[0]
            elif box_size == 0:
                box_size = size - offset
            name = box_type.decode("latin-1")
            if box_size < 8 or offset + box_size > size:
                return f"box {name!r} at byte {offset} needs {box_size} bytes but the file ends at byte {size}"
            seen.append(name)
            offset += box_size
    if "moov" not in seen:
        return "no 'moov' box (the index written at the end of recording is missing)"
    return ""
