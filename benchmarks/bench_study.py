"""`painxai study` speed and scale: local vs the methods' own compute, Dask vs local, report size, hours on paper.

    .venv/bin/python benchmarks/bench_study.py            # full run (report on 72,000 synthetic rows x 4 methods)
    .venv/bin/python benchmarks/bench_study.py --quick    # a few minutes

1. ``local`` throughput with Grad-CAM + LRP-PresetAFlat + regions + deletion /
   insertion (+ contrast and the random baseline) against the same
   explanations and AUC forward passes timed alone (warm model, same batches);
   pairs alternate so machine load affects both sides. Target <= 1.25x.
2. ``dask`` LocalCluster with 2 worker processes (one task at a time each) on
   the same machine (workers warmed: imports, model loaded and traced) against ``local``.
   Target >= 0.85x; per-task overhead from empty tasks.
3. ``report`` on a generated study folder of 72,000 images x 4 methods. Target < 600 s.
4. On paper: the thesis-sized study (72,162 images x 10 methods) from the
   measured VGG-Face forward pass and the per-method ratios of bench_explain.
Small models stand in for VGG-Face in 1-2 (a VGG-Face-shaped network at 64 x 64).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

METHODS = ("gradcam", "lrp.preset_a_flat")
#: explanation cost in forward passes (bench_explain, VGG-Face 224, this CPU; README table)
EXPLAIN_X_FORWARD = {"deconvnet": 2.09, "gradient": 2.01, "guided_backprop": 2.07, "gradcam": 1.12,
                     "guided_gradcam": 2.26, "lrp.z": 2.20, "lrp.epsilon": 2.23, "lrp.preset_a_flat": 2.87,
                     "lrp.preset_b_flat": 3.92, "lime": 1000.0}
THESIS_IMAGES = 72_162


def row(name: str, value: float, target: str, ok: bool, unit: str = "") -> str:
    return f"| {name} | {value:.3f}{unit} | {target} | {'PASS' if ok else 'MISS'} |"


def make_inputs(root: Path, subjects: int, frames: int):
    from painxai_gui.model.spec import ModelSpec, sidecar_path, write_sidecar
    from painxai_gui.study.synthetic import make_known_truth
    from painxai_gui.train.network import build_tiny_vggface

    import keras

    manifest = make_known_truth(root / "set", subjects=subjects, frames=frames, size=96)
    keras.utils.set_random_seed(0)
    model = build_tiny_vggface(3, (64, 64, 3), fc_units=64)
    path = root / "model.keras"
    model.save(path)
    write_sidecar(ModelSpec(class_names=("pain", "disgust", "happiness"), input_size=(64, 64)), sidecar_path(path))
    return manifest, path


def config(manifest: Path, model: Path, out: Path, **kw):
    from painxai_gui.study import StudyConfig

    return StudyConfig(manifest=manifest, models=model, methods=METHODS, out=out, sanity_images=0, shard_size=8,
                       show_progress_bar=False, **kw)


def own_compute(manifest: Path, model_path: Path) -> float:
    """The methods' own work on the same images and batches: explanations (target + runner-up) and AUC passes."""
    from painxai_gui.explain import explain_batch
    from painxai_gui.explain.metrics import curve_aucs, pixel_order, random_orders
    from painxai_gui.model import preprocess
    from painxai_gui.model.loading import file_sha256
    from painxai_gui.study.inputs import read_crops
    from painxai_gui.study.shard import baselines, model_for, runner_up
    from painxai_gui.train.manifest import read_manifest

    rows = read_manifest(manifest).rows
    loaded, predictor = model_for(str(model_path), file_sha256(model_path))
    crops = read_crops([r.path for r in rows])
    settings = {"baseline": "blur", "blur_fraction": 0.1}
    start = time.perf_counter()
    for i in range(0, len(crops), 8):  # the study's shard size
        xs = preprocess(crops[i:i + 8], loaded.spec)
        probs = predictor.predict_preprocessed(xs)
        targets = probs.argmax(1)
        second = runner_up(probs, targets)
        base = baselines(xs, settings)
        for order in random_orders(xs.shape[1] * xs.shape[2], 3, 0):
            for kind in ("deletion", "insertion"):
                curve_aucs(loaded.model, xs, np.repeat(order[None], len(xs), 0), targets, kind, baselines=base)
        for method in METHODS:
            maps = explain_batch(loaded.model, np.concatenate([xs, xs]), method, list(targets) + list(second))
            orders = np.stack([pixel_order(e.heatmap) for e in maps[:len(xs)]])
            for kind in ("deletion", "insertion"):
                curve_aucs(loaded.model, xs, orders, targets, kind, baselines=base)
    return time.perf_counter() - start


def study_seconds(cfg, client=None) -> float:
    from painxai_gui.study import run_study

    shutil.rmtree(cfg.out, ignore_errors=True)
    start = time.perf_counter()
    run_study(cfg, client=client)
    return time.perf_counter() - start


def _warm_worker(manifest: str, model_path: str, out: str) -> str:
    """Run a small local study inside the worker: imports (TF, Zarr, PyArrow, SciPy), model load, traces."""
    import socket

    from painxai_gui.study import run_study

    run_study(config(Path(manifest), Path(model_path), Path(out) / f"{socket.gethostname()}-{os.getpid()}", limit=8))
    import tensorflow as tf

    return str(tf.config.threading.get_intra_op_parallelism_threads() or "default")


def part_local_and_dask(root: Path, quick: bool, lines: list[str]) -> dict:
    from painxai_gui.study.engines import connect

    manifest, model = make_inputs(root, subjects=4, frames=4 if quick else 8)
    n = sum(1 for _ in open(manifest)) - 1
    study_seconds(config(manifest, model, root / "warm", limit=16))  # load + trace once
    own_compute(manifest, model)
    ratios, local_times, own_times = [], [], []
    for k in range(2 if quick else 3):
        own_times.append(own_compute(manifest, model))
        local_times.append(study_seconds(config(manifest, model, root / f"local{k}")))
        ratios.append(local_times[-1] / own_times[-1])
    ratio = statistics.median(ratios)
    lines.append(row(f"local study / own compute ({n} images, 2 methods)", ratio, "<= 1.25", ratio <= 1.25, " x"))
    client, cluster = connect(2, None)
    try:
        threads = client.run(_warm_worker, str(manifest), str(model), str(root / "warm_workers"))
        start = time.perf_counter()
        client.gather(client.map(lambda i: i, range(400), pure=False))
        overhead = (time.perf_counter() - start) / 400
        speeds = []
        for k in range(2 if quick else 3):
            dask_t = study_seconds(config(manifest, model, root / f"dask{k}", engine="dask"), client=client)
            local_t = study_seconds(config(manifest, model, root / f"local_pair{k}"))
            speeds.append(local_t / dask_t)
    finally:
        client.close()
        cluster.close()
    speed = statistics.median(speeds)
    lines.append(row("dask (2 worker processes) throughput / local", speed, ">= 0.85", speed >= 0.85, " x"))
    lines.append(f"| dask per-task overhead (empty tasks) | {overhead * 1000:.2f} ms | | |")
    lines.append(f"| local: s per image (2 methods, tiny VGG 64x64) | {statistics.median(local_times) / n:.3f} s | | |")
    lines.append(f"| worker TF threads | {', '.join(map(str, threads.values()))} | | |")
    return {"overhead": overhead, "own_per_image": statistics.median(own_times) / n}


def part_report(root: Path, images: int, lines: list[str]) -> None:
    from painxai_gui.study.report import make_report
    from painxai_gui.study.synthetic import make_synthetic_study

    start = time.perf_counter()
    make_synthetic_study(root / "synthetic", images=images)
    made = time.perf_counter() - start
    result = make_report(root / "synthetic", root / "synthetic_report")
    parts = ", ".join(f"{k} {v:.0f} s" for k, v in result.timings.items())
    lines.append(row(f"report on {images:,} images x 4 methods (generation {made:.0f} s; {parts})",
                     result.seconds, "< 600 s", result.seconds < 600, " s"))


def part_paper(lines: list[str], quick: bool) -> None:
    """Hours for 72,162 images x 10 thesis methods from a measured VGG-Face forward pass."""
    import tensorflow as tf

    from painxai_gui.explain.metrics import pixel_order
    from painxai_gui.model import build_vggface

    model = build_vggface(3)
    x = np.random.default_rng(0).normal(0, 1, (16, 224, 224, 3)).astype(np.float32)
    forward = tf.function(lambda v: model(v, training=False))
    forward(x)
    times = []
    for _ in range(1 if quick else 3):
        start = time.perf_counter()
        forward(x)
        times.append((time.perf_counter() - start) / len(x))
    fwd = min(times)
    order = pixel_order(np.random.default_rng(1).random((224, 224)))
    start = time.perf_counter()
    flat = x[0].reshape(-1, 3)
    for k in range(21):  # the CPU side of one curve: building 21 step images
        img = flat.copy()
        img[order[: k * 2389]] = 0.0
    build = (time.perf_counter() - start) / 21
    auc_passes = 10 * 2 * 21 + 3 * 2 * 21
    explain = 2 * sum(EXPLAIN_X_FORWARD.values())  # target + runner-up (contrast)
    per_image = auc_passes + explain
    cpu_s = per_image * fwd
    lines += ["", f"VGG-Face 224 forward on this CPU: {fwd * 1000:.0f} ms / image (batch 16); per image "
              f"{per_image:.0f} forward-equivalents ({auc_passes} AUC passes, {explain:.0f} for explanations incl. "
              f"LIME 2 x 1000 samples); building one AUC step image on the CPU: {build * 1000:.2f} ms.", "",
              "| workers | CPU (2 cores each) hours | GPU hours (assumed 1,500 img/s VGG-16 fp32 per GPU) |",
              "|---|---:|---:|"]
    gpu_s = per_image / 1500.0
    cpu_side = auc_passes * build  # step images built on the host, per image
    for w in (1, 8, 64):
        lines.append(f"| {w} | {THESIS_IMAGES * cpu_s / w / 3600:,.0f} | "
                     f"{THESIS_IMAGES * max(gpu_s, cpu_side) / w / 3600:,.1f} |")
    lines.append(f"\nLIME is {2000 / per_image:.0%} of the work; on GPU the host-side step-image building "
                 f"({cpu_side:.2f} s / image) {'exceeds' if cpu_side > gpu_s else 'is below'} the GPU time "
                 f"({gpu_s:.2f} s / image).")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--report-images", type=int, default=None)
    parser.add_argument("--skip", default="", help="comma-separated parts to skip: engines,report,paper")
    args = parser.parse_args(argv)
    skip = set(filter(None, args.skip.split(",")))
    lines = ["| measure | value | target | result |", "|---|---:|---|---|"]
    root = Path(tempfile.mkdtemp(prefix="bench_study_"))
    try:
        if "engines" not in skip:
            part_local_and_dask(root, args.quick, lines)
        if "report" not in skip:
            part_report(root, args.report_images or (7_200 if args.quick else 72_000), lines)
        if "paper" not in skip:
            part_paper(lines, args.quick)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} (timings are noisy)")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
