"""Balanced-set export: crops written with one sync at the end vs an fsync per crop.

    .venv/bin/python benchmarks/bench_export.py [--subjects 5] [--repeats 3] [--dir /path/on/the/disk]

A synthetic project (every subject complete, balanced) is exported with a
crop source that hands out ready 256x256 face crops (the demo face, shifted
per frame), so the numbers are PNG encoding + the ledger + file writing, the
part the durability mode changes. The two modes run alternately (ABAB...) into
fresh folders on the same file system, and the table reports the median of
each and their ratio. Numbers on a shared CPU and disk vary with the other
users' load; the ratio is the figure to read.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

import numpy as np  # noqa: E402

TARGET_RATIO = 0.9  # one sync must be at least 10 % faster than an fsync per crop


class ShiftedFaces:
    """A crop source: the demo face, shifted by the frame index (distinct bytes per crop)."""

    def __init__(self) -> None:
        from painxai_gui.demo_data import face_plate

        self.base = face_plate((320, 320), 0, 4)[32:288, 32:288].copy()

    def open(self, video):
        return self

    def crop(self, frame: int) -> np.ndarray:
        return np.roll(self.base, (frame % 7, frame % 11), axis=(0, 1))

    def close(self) -> None:
        pass


def make_project(folder: Path, subjects: int):
    """Per subject 2 pain clips of 30 frames and 2 emotion videos of 60 (quota 20: balanced, complete)."""
    from painxai_gui.curation import Project
    from painxai_gui.dataset.records import Subject, VideoRecord

    root = folder / "data"
    videos, subj = [], {}
    for k in range(subjects):
        sid = f"07130{k}_w_2{k}"
        subj[sid] = Subject(sid)
        for label in ("PA3", "PA4"):
            rel = f"PartA/video/{sid}/{sid}-{label}-00{k}.mp4"
            videos.append(VideoRecord(rel, sid, label, "pain", "A", root / rel, 30, 25.0))
        for emotion in ("disgust", "happiness"):
            rel = f"emotion/{sid}-{emotion}.mp4"
            videos.append(VideoRecord(rel, sid, emotion, emotion, "D", root / rel, 60, 25.0))
    for v in videos:  # the export checks that each video file is there; the crop source never reads it
        v.path.parent.mkdir(parents=True, exist_ok=True)
        v.path.write_bytes(b"")
    index = SimpleNamespace(videos=videos, subjects=subj, problems=[], unmapped=[])
    project = Project.create(folder / "bench.painxai", root, index=index, annotator="bench")
    for video in project.videos(role="slots"):
        for start, _ in project.slot_bounds(video):
            project.select_range(video, start, start + project.quota)
    return project


def run(subjects: int, repeats: int, where: Path | None) -> int:
    folder = Path(tempfile.mkdtemp(prefix="bench-export-", dir=where))
    try:
        project = make_project(folder, subjects)
        source = ShiftedFaces()
        times: dict[bool, list[float]] = {False: [], True: []}
        crops = 0
        for r in range(repeats):
            for durable in (False, True) if r % 2 == 0 else (True, False):
                out = folder / f"out-{r}-{int(durable)}"
                t0 = time.perf_counter()
                summary = project.export(out, folds=min(5, subjects), crop_source=source, durable=durable)
                times[durable].append(time.perf_counter() - t0)
                crops = summary.written
                shutil.rmtree(out)
        project.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    fast, safe = statistics.median(times[False]), statistics.median(times[True])
    ratio = fast / safe
    print(f"export of {crops} crops (256x256 PNG), median of {repeats} runs each, alternating:\n")
    print("| mode | seconds | ms per crop |\n|---|---:|---:|")
    print(f"| one sync at the end (default) | {fast:.2f} | {1000 * fast / crops:.2f} |")
    print(f"| fsync per crop (durable=True) | {safe:.2f} | {1000 * safe / crops:.2f} |")
    verdict = "PASS" if ratio <= TARGET_RATIO else "MISS"
    print(f"\nratio one-sync / per-crop fsync: {ratio:.2f} (target <= {TARGET_RATIO}) {verdict}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subjects", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--dir", type=Path, default=None, help="a folder on the disk to measure (default: temp)")
    args = parser.parse_args()
    return run(args.subjects, args.repeats, args.dir)


if __name__ == "__main__":
    sys.exit(main())
