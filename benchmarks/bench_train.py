"""Training speed on this machine: pool5 feature extraction (images/s) and head training (epochs/s),
projected to the thesis's 72,162 images. VGG-Face topology at 224x224 with random weights.

    .venv/bin/python benchmarks/bench_train.py [--images 36] [--steps 6] [--arch vggface]

Prints a markdown table. Target: feature extraction (PNG reading, preprocessing,
the base's forward pass, memmap writes) at >= 0.8 x its floor, the base's
forward pass alone on the same number of already loaded batches, timed right
after. Numbers on a shared CPU vary with the other users' load.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

import numpy as np  # noqa: E402

TARGET = 0.8  # extraction / floor
THESIS_IMAGES = 72_162
FOLDS = 5


def _dataset(tmp: Path, images: int, size: int):
    from painxai_gui.train.manifest import read_manifest
    from painxai_gui.train.synthetic import make_dataset

    subjects = max(1, -(-images // 6))
    rows = read_manifest(make_dataset(tmp / "data", subjects=subjects, frames=2, size=size, folds=1)).rows
    return [r.path for r in rows[:images]], np.asarray([i % 3 for i in range(min(images, len(rows)))])


def bench_extraction(net, spec, paths, tmp: Path, batch: int):
    """(forward passes per second incl. PNG reading + preprocessing + memmap writes, cache, pairs)."""
    from painxai_gui.train.cache import FeatureCache, compiled_forward, extract

    forward = compiled_forward(net.extractor, spec)
    size = int(np.prod(net.feature_shape))
    cache = FeatureCache.open(tmp / "cache", "bench", len(paths), size, "float32", {})
    extract(cache, forward, paths, [(0, 0)], spec, batch)  # trace and warm up
    pairs = [(r, f) for r in range(len(paths)) for f in (0, 1)]
    start = time.perf_counter()
    done = extract(cache, forward, paths, pairs, spec, batch)
    return done / (time.perf_counter() - start), cache, extraction_floor(forward, spec, paths, done, batch)


def extraction_floor(forward, spec, paths, n: int, batch: int) -> float:
    """Images per second of the base's forward pass alone: ``n`` images in batches of ``batch``, loaded beforehand."""
    from painxai_gui.train.images import load_batch

    x = load_batch(paths[:batch], np.zeros(min(batch, len(paths)), np.int64), spec)
    start = time.perf_counter()
    for k in range(0, n, batch):
        np.asarray(forward(x[: min(batch, n - k)]))
    return n / (time.perf_counter() - start)


def bench_head(net, cache, labels, steps: int, batch: int, lr: float):
    """(seconds per training step incl. reading the cache, seconds per validation sample)."""
    import keras

    from painxai_gui.train.head import Part, make_train_step, predict

    part = Part.of(range(len(labels)), labels, (0, 1))
    optimizer = keras.optimizers.Adam(lr)
    optimizer.build(net.head.trainable_variables)
    step = make_train_step(net.head, optimizer, 3)
    rng = np.random.default_rng(0)

    def one_step() -> None:
        idx = rng.integers(0, len(part), batch)
        x = cache.take(part.rows[idx], part.flips[idx]).reshape(-1, *net.feature_shape)
        float(step(x, part.labels[idx].astype(np.int32))[0])

    one_step()  # trace
    start = time.perf_counter()
    for _ in range(steps):
        one_step()
    step_s = (time.perf_counter() - start) / steps
    predict(net.head, cache, part, net.feature_shape, 256)
    start = time.perf_counter()
    predict(net.head, cache, part, net.feature_shape, 256)
    return step_s, (time.perf_counter() - start) / len(part)


def _hours(seconds: float) -> str:
    return f"{seconds / 3600:.1f} h" if seconds >= 3600 else f"{seconds / 60:.1f} min"


def report(args, rate: float, floor: float, step_s: float, val_s: float, feature_size: int) -> str:
    per_fold_pairs = int(THESIS_IMAGES * (1 - 1 / FOLDS) * 2 + THESIS_IMAGES / FOLDS)
    train_n = int(THESIS_IMAGES * (1 - 1 / FOLDS) * (1 - 0.2))
    val_n = int(THESIS_IMAGES * (1 - 1 / FOLDS) * 0.2) * 2
    epoch_s = -(-train_n // args.batch_size) * step_s + val_n * val_s
    bench_epoch = -(-2 * args.images // args.batch_size) * step_s + 2 * args.images * val_s
    gb = THESIS_IMAGES * 2 * feature_size * 4 / 1e9
    rows = [
        ("feature extraction (PNG -> preprocess -> base -> memmap)", f"{rate:.2f} images/s"),
        ("its floor: the base's forward pass alone", f"{floor:.2f} images/s"),
        (f"extraction / floor (target >= {TARGET})",
         f"{rate / floor:.2f} {'PASS' if rate >= TARGET * floor else 'MISS'}"),
        ("head training step (batch %d, fc6-fc8, Adam)" % args.batch_size, f"{step_s:.3f} s"),
        (f"head epochs/s on the benchmark set ({2 * args.images} samples)", f"{1 / bench_epoch:.3f}"),
        (f"thesis: extraction, one shared cache ({THESIS_IMAGES:,} x 2 flips; --mean all/vggface)",
         _hours(THESIS_IMAGES * 2 / rate)),
        (f"thesis: extraction, per-fold mean ({per_fold_pairs:,} per fold x {FOLDS}; default)",
         _hours(per_fold_pairs * FOLDS / rate)),
        (f"thesis: one head epoch ({train_n:,} training + {val_n:,} validation samples)", _hours(epoch_s)),
        ("thesis: typical head training (5 epochs x 5 folds)", _hours(epoch_s * 25)),
        ("thesis: cache size, all images x 2 flips (float32; half with float16)", f"{gb:.1f} GB"),
    ]
    lines = ["| measure | value |", "|---|---|", *[f"| {a} | {b} |" for a, b in rows]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=36)
    parser.add_argument("--steps", type=int, default=6, help="timed head training steps")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--extract-batch", type=int, default=16)
    parser.add_argument("--arch", default="vggface", choices=("vggface", "tiny"))
    args = parser.parse_args(argv)
    import tensorflow as tf

    from painxai_gui.model.spec import ModelSpec
    from painxai_gui.train.network import ARCHITECTURES, build_network

    size, fc = ((224, 4096) if args.arch == "vggface" else (32, 32))
    net = build_network(ARCHITECTURES[args.arch], 3, (size, size, 3), fc, 1e-4, None, None, seed=0)
    spec = ModelSpec(("pain", "disgust", "happiness"), (size, size), mean=(0.5, 0.4, 0.37))
    with tempfile.TemporaryDirectory() as tmp:
        paths, labels = _dataset(Path(tmp), args.images, 256)
        args.images = len(paths)
        rate, cache, floor = bench_extraction(net, spec, paths, Path(tmp), args.extract_batch)
        step_s, val_s = bench_head(net, cache, labels, args.steps, args.batch_size, 1e-5)
        del cache
    print(f"{args.arch} {size}x{size}, {args.images} images of 256x256, TensorFlow {tf.__version__}, "
          f"{os.cpu_count()} CPU(s) (shared), GPU: {bool(tf.config.list_physical_devices('GPU'))}\n")
    print(report(args, rate, floor, step_s, val_s, int(np.prod(net.feature_shape))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
