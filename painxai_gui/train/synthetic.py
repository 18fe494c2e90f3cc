"""A small generated stand-in for a curated set (tests, demos, benchmarks): PNG crops + manifest.csv.

Each class gets a colour cast and a pattern on top of a per-subject skin tone
and noise, so a network can learn it but not trivially per pixel.

    python -m painxai_gui.train.synthetic --out /tmp/synth --subjects 8 --frames 6 --size 32
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from painxai_gui.model.spec import THESIS_CLASSES
from painxai_gui.files import atomic_write, write_csv

CASTS = {"pain": (40, -20, -20), "disgust": (-20, 40, -20), "happiness": (-20, -20, 40)}


def synthetic_image(rng: np.random.Generator, category: str, tone: np.ndarray, size: int,
                    noise: float = 30.0) -> np.ndarray:
    yy, xx = np.mgrid[0:size, 0:size] / max(size - 1, 1)
    img = np.broadcast_to(tone, (size, size, 3)).astype(np.float64).copy()
    img += np.asarray(CASTS.get(category, (0, 0, 0)), np.float64)
    pattern = {"pain": np.sin(yy * 6 * np.pi), "disgust": np.sin(xx * 6 * np.pi),
               "happiness": np.cos((xx - 0.5) ** 2 * 40 + (yy - 0.5) ** 2 * 40)}.get(category, 0 * xx)
    img += 25.0 * pattern[..., None]
    img += rng.normal(0.0, noise, img.shape)
    return np.clip(np.rint(img), 0, 255).astype(np.uint8)


def _write_png(path: Path, image: np.ndarray) -> None:
    import cv2

    ok, data = cv2.imencode(".png", cv2.cvtColor(image, cv2.COLOR_RGB2BGR))
    if not ok:
        raise ValueError("PNG encoding failed")
    atomic_write(path, data.tobytes(), parents=True)


def make_dataset(out: str | Path, subjects: int = 8, frames: int = 6, size: int = 32, folds: int = 4,
                 classes: tuple[str, ...] = THESIS_CLASSES, seed: int = 0) -> Path:
    """Write ``out/crops/*.png`` and ``out/manifest.csv``; subject ``i`` is in fold ``i % folds + 1``."""
    out = Path(out)
    rng = np.random.default_rng(seed)
    rows = []
    for s in range(subjects):
        subject = f"{100000 + s:06d}_{'wm'[s % 2]}_{20 + s}"
        tone = rng.uniform(90, 170, 3)
        for category in classes:
            video = f"{subject}-{category}"
            for f in range(frames):
                rel = f"crops/{video}-{f:04d}.png"
                _write_png(out / rel, synthetic_image(rng, category, tone, size))
                rows.append([rel, subject, category, video, f * 10, f % 3, s % folds + 1])
    return write_csv(out / "manifest.csv", ("path", "subject", "category", "source_video", "frame", "slot", "fold"),
                     rows, parents=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--subjects", type=int, default=8)
    parser.add_argument("--frames", type=int, default=6, help="frames per subject and class")
    parser.add_argument("--size", type=int, default=32, help="crop size in pixels (the thesis: 256)")
    parser.add_argument("--folds", type=int, default=4)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    path = make_dataset(args.out, args.subjects, args.frames, args.size, args.folds, seed=args.seed)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
