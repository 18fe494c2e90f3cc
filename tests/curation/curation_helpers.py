"""Small real datasets for curation tests: mp4 files written with OpenCV, VideoRecords built directly."""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # child processes run this file's siblings directly
    sys.path.insert(0, str(ROOT))

from painxai_gui.dataset.records import Subject, VideoRecord  # noqa: E402


def write_video(path: Path, frames: int, size: tuple[int, int] = (64, 48), fps: float = 25.0) -> Path:
    """An mp4v video whose frame i is a flat colour derived from i."""
    path.parent.mkdir(parents=True, exist_ok=True)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, size)
    assert writer.isOpened(), path
    for i in range(frames):
        image = np.full((size[1], size[0], 3), (i * 7) % 256, np.uint8)
        cv2.putText(image, str(i % 100), (2, size[1] - 4), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (255, 0, 0))
        writer.write(image)
    writer.release()
    return path


def make_dataset(root: Path, subjects: int = 3, clip_frames: int = 12, emotion_frames: int = 31,
                 write: bool = True) -> SimpleNamespace:
    """A BioVid-like tree: per subject PA3 + PA4 clips (Part A) and disgust + happiness videos."""
    videos, subj = [], {}
    for k in range(subjects):
        sid = f"07130{k}_w_2{k}"
        subj[sid] = Subject(sid, f"07130{k}", "w", 20 + k)
        for label in ("PA3", "PA4"):
            rel = f"PartA/video/{sid}/{sid}-{label}-00{k}.mp4"
            videos.append(VideoRecord(rel, sid, label, "pain", "A", root / rel, clip_frames, 25.0))
        for emotion in ("disgust", "happiness"):
            rel = f"emotion/{sid}-{emotion}.mp4"
            videos.append(VideoRecord(rel, sid, emotion, emotion, "D", root / rel, emotion_frames, 25.0))
    if write:
        for v in videos:
            write_video(v.path, v.frame_count)
    return SimpleNamespace(root=root, videos=videos, subjects=subj, problems=[], unmapped=[])


class CentreCrops:
    """A crop source for synthetic videos (no faces in them): the centre square, via OpenCV.

    ``no_face`` frames return None, as the face pipeline does for frames without a face.
    """

    def __init__(self, no_face: set[int] | None = None, delay: float = 0.0):
        self.no_face = no_face or set()
        self.delay = delay

    def open(self, video):
        from painxai_gui.errors import VideoError

        cap = cv2.VideoCapture(str(video.path))
        if not cap.isOpened():
            raise VideoError("cannot open", video.path)
        frames = []
        ok, image = cap.read()
        while ok:
            frames.append(image)
            ok, image = cap.read()
        cap.release()
        return _Crops(frames, self.no_face, self.delay)


class _Crops:
    def __init__(self, frames, no_face, delay):
        self.frames, self.no_face, self.delay = frames, no_face, delay

    def crop(self, frame):
        if self.delay:
            import time

            time.sleep(self.delay)
        if frame in self.no_face:
            return None
        image = self.frames[frame]
        h, w = image.shape[:2]
        s = min(h, w)
        square = image[(h - s) // 2:(h - s) // 2 + s, (w - s) // 2:(w - s) // 2 + s]
        return cv2.cvtColor(cv2.resize(square, (256, 256)), cv2.COLOR_BGR2RGB)

    def close(self):
        self.frames = []
