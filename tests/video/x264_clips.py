"""Long-GOP H.264 test videos written with PyAV's bundled libx264 (no system ffmpeg needed).

x264's defaults (what BioVid's files were made with): a keyframe every 250
frames and B-frames. Each frame carries its index marker
(:func:`painxai_gui.demo_data.read_marker`).
"""

from __future__ import annotations

import itertools
import os
from pathlib import Path
from typing import Iterable

import av
import numpy as np
from av.video.frame import PictureType

from painxai_gui.demo_data import face_plate, moving_frames


def write_x264(path: str | os.PathLike[str], frames_rgb: Iterable[np.ndarray], fps: int = 25, gop: int = 250,
               pix_fmt: str = "yuv420p", x264_params: str = "", preset: str = "medium") -> Path:
    """Encode RGB frames with libx264 (``gop``: keyframe interval; x264's default B-frames).

    ``.h264``: a raw Annex B stream (no container, no timestamps); anything else: MP4.
    """
    path = Path(path)
    params = ":".join(p for p in (f"keyint={gop}", x264_params) if p)
    frames = iter(frames_rgb)
    first = next(frames)
    with av.open(str(path), "w", format="h264" if path.suffix.lower() == ".h264" else None) as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.height, stream.width = first.shape[:2]
        stream.pix_fmt = pix_fmt
        stream.options = {"preset": preset, "x264-params": params}
        for frame in itertools.chain([first], frames):
            container.mux(stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")))
        container.mux(stream.encode(None))
    return path


def marked_x264(path: str | os.PathLike[str], count: int, size: tuple[int, int] = (320, 240), variant: int = 1,
                **options) -> Path:
    """A moving, index-marked face clip of ``count`` frames as long-GOP H.264."""
    return write_x264(path, moving_frames(face_plate(size, variant, margin=3), size, count, 3), **options)


def frame_types(path: str | os.PathLike[str]) -> str:
    """Each frame's picture type in presentation order (``"IBBBP..."``), by decoding with PyAV."""
    with av.open(str(path)) as container:
        return "".join(PictureType(frame.pict_type).name[0] for frame in container.decode(video=0))
