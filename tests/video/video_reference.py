"""Ground-truth frames for the video tests: plain sequential decoding of a whole file."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np


def reference_frames(path: Path, jpeg_packets: bool | None = None) -> list[np.ndarray]:
    """Every frame by plain sequential decoding (RGB): the ground truth for random access.

    MJPG files are read by the reader as raw packets decoded with ``cv2.imdecode``, so
    their reference is the same (``jpeg_packets``; default: for ``.avi`` files).
    """
    if jpeg_packets is None:
        jpeg_packets = path.suffix.lower() == ".avi"
    params = [cv2.CAP_PROP_FORMAT, -1] if jpeg_packets else []
    cap = cv2.VideoCapture(str(path), cv2.CAP_FFMPEG, params)
    frames = []
    while True:
        ok, data = cap.read()
        if not ok:
            break
        bgr = cv2.imdecode(data, cv2.IMREAD_COLOR) if jpeg_packets else data
        frames.append(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
    cap.release()
    return frames
