"""A small BioVid-like demo tree built from a real face photo, plus frame-index markers.

The BioVid database is not public, so the demo and the tests use videos of
the same layout (see ``docs/dataset.md``)::

    <root>/PartA/video/<subject>/<subject>-<BL1|PA3|PA4>-<nnn>.mp4
    <root>/PartA/starting_point/samples.csv          (tab-separated)
    <root>/emotion/<subject>/<subject>-<disgust|happiness>.mp4
    <root>/emotion_manifest.csv                       (subject,category,path)

Frames show ``skimage.data.astronaut()`` (a real face, so dlib finds it),
varied per subject and video (mirror, scale, small rotation, colour), moving
gently, with the frame's own index drawn as a **marker** in the top-left
corner: 16 blocks of bits (white = 1) over a row of their complements, big
enough (8 px at 320 px width, 16 px at 1388) to survive mp4v compression.
:func:`read_marker` decodes it, so tests can check *which* frame they got.
"""

from __future__ import annotations

import csv
import io
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Sequence

import cv2
import numpy as np

from painxai_gui.files import atomic_write

MARKER_BITS = 16
DEMO_SUBJECTS = ("071309_w_21", "080314_m_44", "101908_m_61")
PART_A_LABELS = ("BL1", "PA3", "PA4")
EMOTIONS = ("disgust", "happiness")
MANIFEST_NAME = "emotion_manifest.csv"
DONE_MARKER = ".painxai-demo.json"
_FACE_CENTRE = (222.0, 126.0)  # astronaut(): dlib's face box is about (179, 83)-(266, 170)
_FACE_SIZE = 87.0
_DEMO_VERSION = 1

Progress = Callable[[int, int], None]


# ------------------------------------------------------------------ markers


def marker_block(width: int) -> int:
    """Side of one marker block in pixels for a frame ``width`` pixels wide."""
    return 8 * max(1, width // 600)


def draw_marker(frame: np.ndarray, index: int) -> np.ndarray:
    """Draw ``index`` into the top-left corner of ``frame`` (in place; returned)."""
    if not 0 <= index < 2**MARKER_BITS:
        raise ValueError(f"marker index must be in 0..{2**MARKER_BITS - 1}, got {index}")
    b = marker_block(frame.shape[1])
    if frame.shape[1] < (MARKER_BITS + 2) * b or frame.shape[0] < 6 * b:
        raise ValueError(f"frame {frame.shape[1]}x{frame.shape[0]} is too small for a marker")
    for k in range(MARKER_BITS):
        bit = (index >> (MARKER_BITS - 1 - k)) & 1
        x = b + k * b
        frame[b : 3 * b, x : x + b] = 255 * bit
        frame[3 * b : 5 * b, x : x + b] = 255 * (1 - bit)
    return frame


def read_marker(frame_rgb: np.ndarray) -> int:
    """The frame index drawn by :func:`draw_marker`; ValueError if no valid marker is there."""
    b = marker_block(frame_rgb.shape[1])
    corner = frame_rgb[: 5 * b, : (MARKER_BITS + 1) * b]
    gray = corner.mean(axis=2) if corner.ndim == 3 else corner
    inset = max(1, b // 4)
    value = 0
    for k in range(MARKER_BITS):
        x = b + k * b
        top = gray[b + inset : 3 * b - inset, x + inset : x + b - inset].mean() > 127
        bottom = gray[3 * b + inset : 5 * b - inset, x + inset : x + b - inset].mean() > 127
        if top == bottom:
            raise ValueError(f"no frame marker (bit {k} and its complement agree)")
        value = 2 * value + int(top)
    return value


# ------------------------------------------------------------------ frames


def face_plate(size: tuple[int, int], variant: int, margin: int = 0, seed: int = 0) -> np.ndarray:
    """An RGB image ``(H + 2 margin, W + 2 margin)`` of the astronaut's face, varied by ``variant``.

    The face spans about 42 % of the height; ``variant`` picks mirror, scale
    (+-10 %), rotation (+-6 degrees) and per-channel colour gains.
    """
    from skimage.data import astronaut

    rng = np.random.default_rng([seed, variant])
    width, height = size
    photo = astronaut()
    centre_x, centre_y = _FACE_CENTRE
    if rng.random() < 0.5:
        photo = np.ascontiguousarray(photo[:, ::-1])
        centre_x = photo.shape[1] - 1 - centre_x
    scale = 0.42 * height * rng.uniform(0.9, 1.1) / _FACE_SIZE
    matrix = cv2.getRotationMatrix2D((centre_x, centre_y), float(rng.uniform(-6, 6)), scale)
    matrix[:, 2] += (width / 2 + margin - centre_x, height / 2 + margin - centre_y)
    out_size = (width + 2 * margin, height + 2 * margin)
    plate = cv2.warpAffine(photo, matrix, out_size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT_101)
    gains = rng.uniform(0.85, 1.15, size=3) * rng.uniform(0.9, 1.1)
    return np.clip(plate.astype(np.float32) * gains, 0, 255).astype(np.uint8)


def moving_frames(plate: np.ndarray, size: tuple[int, int], count: int, margin: int) -> Iterable[np.ndarray]:
    """``count`` RGB frames cut from ``plate`` with a gentle sinusoidal drift, each marked with its index."""
    width, height = size
    for i in range(count):
        dx = int(round(margin * np.sin(2 * np.pi * i / 100.0)))
        dy = int(round(0.5 * margin * np.sin(2 * np.pi * i / 70.0)))
        frame = plate[margin + dy : margin + dy + height, margin + dx : margin + dx + width].copy()
        yield draw_marker(frame, i)


def write_video(
    path: str | os.PathLike[str], frames_rgb: Iterable[np.ndarray], fps: float = 25.0, fourcc: str = "mp4v", bgr: bool = False
) -> Path:
    """Write RGB frames (BGR with ``bgr=True``) with OpenCV, atomically: temp file, then rename.

    ValueError if OpenCV cannot encode ``fourcc`` here.
    """
    path = Path(path)

    def encode(tmp: Path) -> None:
        writer = None
        try:
            for frame in frames_rgb:
                if writer is None:
                    size = (frame.shape[1], frame.shape[0])
                    writer = cv2.VideoWriter(str(tmp), cv2.CAP_FFMPEG, cv2.VideoWriter_fourcc(*fourcc), fps, size)
                    if not writer.isOpened():
                        raise ValueError(f"OpenCV cannot encode {fourcc!r} into {path.suffix} here")
                writer.write(frame if bgr else cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
        finally:
            if writer is not None:
                writer.release()
        if writer is None:
            raise ValueError("no frames to write")

    return atomic_write(path, encode)


def write_test_video(
    path: str | os.PathLike[str],
    frame_count: int,
    size: tuple[int, int] = (320, 240),
    fps: float = 25.0,
    fourcc: str = "mp4v",
    variant: int = 0,
) -> Path:
    """A small marked video of the moving face (``read_marker`` gives each frame's index)."""
    margin = max(2, size[0] // 100)
    plate = face_plate(size, variant, margin)
    return write_video(path, moving_frames(plate, size, frame_count, margin), fps, fourcc)


# ------------------------------------------------------------------ tree


@dataclass(frozen=True)
class DemoTree:
    """What :func:`generate_demo_tree` wrote."""

    root: Path
    part_a: tuple[Path, ...]
    emotion: tuple[Path, ...]
    samples_csv: Path
    manifest: Path


def _jobs(root: Path, subjects: Sequence[str]) -> list[tuple[Path, str, str, int]]:
    """(path, subject, label, sample number) for every video of the tree, Part A first."""
    jobs = []
    for s, subject in enumerate(subjects):
        for k, label in enumerate(PART_A_LABELS):
            number = 10 * s + k + 1
            jobs.append((root / "PartA" / "video" / subject / f"{subject}-{label}-{number:03d}.mp4", subject, label, number))
    for subject in subjects:
        for label in EMOTIONS:
            jobs.append((root / "emotion" / subject / f"{subject}-{label}.mp4", subject, label, 0))
    return jobs


def _samples_csv(jobs: list[tuple[Path, str, str, int]], subjects: Sequence[str]) -> str:
    class_ids = {"BL1": 0, "PA1": 1, "PA2": 2, "PA3": 3, "PA4": 4}
    lines = ["subject_id\tsubject_name\tclass_id\tclass_name\tsample_id\tsample_name"]
    part_a = [job for job in jobs if job[2] in class_ids]
    for sample_id, (path, subject, label, _) in enumerate(part_a):
        lines.append(f"{subjects.index(subject)}\t{subject}\t{class_ids[label]}\t{label}\t{sample_id}\t{path.stem}")
    return "\n".join(lines) + "\n"


def _manifest_csv(root: Path, jobs: list[tuple[Path, str, str, int]]) -> str:
    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\n")
    out.writerow(["subject", "category", "path"])
    for path, subject, label, _ in jobs:
        if label in EMOTIONS:
            out.writerow([subject, label, path.relative_to(root).as_posix()])
    return buffer.getvalue()


def generate_demo_tree(
    root: str | os.PathLike[str],
    subjects: Sequence[str] = DEMO_SUBJECTS,
    size: tuple[int, int] = (1388, 1038),
    fps: float = 25.0,
    part_a_frames: int = 138,
    emotion_frames: int = 3 * 25,
    seed: int = 0,
    progress: Progress | None = None,
) -> DemoTree:
    """Write the demo tree under ``root`` (Part A BL1/PA3/PA4 clips, emotion videos, CSVs).

    ``emotion_frames`` is the length of each emotion video (3 equal slots by
    default, the thesis's split). Returns what was written.
    """
    root = Path(root)
    subjects = list(subjects)
    jobs = _jobs(root, subjects)
    margin = max(2, size[0] // 100)
    for done, (path, subject, label, _) in enumerate(jobs):
        path.parent.mkdir(parents=True, exist_ok=True)
        variant = 10 * subjects.index(subject) + (PART_A_LABELS + EMOTIONS).index(label)
        plate = cv2.cvtColor(face_plate(size, variant, margin, seed), cv2.COLOR_RGB2BGR)
        count = part_a_frames if label in PART_A_LABELS else emotion_frames
        write_video(path, moving_frames(plate, size, count, margin), fps, bgr=True)
        if progress is not None:
            progress(done + 1, len(jobs))
    samples = root / "PartA" / "starting_point" / "samples.csv"
    samples.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(samples, _samples_csv(jobs, subjects))
    manifest = atomic_write(root / MANIFEST_NAME, _manifest_csv(root, jobs))
    part_a = tuple(job[0] for job in jobs if job[2] in PART_A_LABELS)
    emotion = tuple(job[0] for job in jobs if job[2] in EMOTIONS)
    return DemoTree(root, part_a, emotion, samples, manifest)


def ensure_demo_tree(root: str | os.PathLike[str], progress: Progress | None = None, **options: object) -> Path:
    """Generate the demo tree once: a completion marker records the options it was made with."""
    root = Path(root)
    done = root / DONE_MARKER
    wanted = json.dumps({"version": _DEMO_VERSION, **{k: options[k] for k in sorted(options)}}, default=list)
    if done.is_file() and done.read_text(encoding="utf-8") == wanted:
        return root
    generate_demo_tree(root, progress=progress, **options)  # type: ignore[arg-type]
    atomic_write(done, wanted)
    return root
