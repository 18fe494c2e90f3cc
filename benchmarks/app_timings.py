"""Measure the app's own per-frame costs through its own workers: decode, face, inference, every method.

    .venv/bin/python benchmarks/app_timings.py [--root demo_data] [--repeats 5] [--methods gradcam,lime]

Runs offscreen. Each number is a job as the GUI runs it (a :class:`Channel`
job: request built on the GUI thread, result back through the queued
signal); "first" includes compiling the method for the model, "warm" is the
median of the following runs on other frames.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing


def _run(channel, request, app, timeout: float = 900.0):
    """Submit one request and spin the event loop until its result (or error) is back."""
    box = {}
    channel.finished.connect(lambda o: box.setdefault("out", o))
    channel.failed.connect(lambda r, e, t: box.setdefault("err", e))
    channel.submit(request)
    t0 = time.perf_counter()
    while not box and time.perf_counter() - t0 < timeout:
        app.processEvents()
        time.sleep(0.002)
    channel.finished.disconnect()
    channel.failed.disconnect()
    if "err" in box:
        raise box["err"]
    return box["out"]


def _frames(video, predictor, pool, app, n: int = 12) -> tuple[list[str], list]:
    """Decode, face crop and inference of ``n`` frames through the viewer's own jobs."""
    from painxai_gui.gui.workers import Channel
    from painxai_gui.live.frames import AnalysisRequest, FrameRequest, analyse, read_frame

    frames = Channel("frame", lambda r, c: read_frame(pool, r, c))
    analysis = Channel("analysis", lambda r, c: analyse(pool, r, c))
    decode, face, infer, analyses = [], [], [], []
    for i in range(n):
        decode.append(_run(frames, FrameRequest(video, i), app).result.decode_ms)
        result = _run(analysis, AnalysisRequest(video, i, predictor), app).result
        face.append(result.face_ms)
        infer.append(result.infer_ms)
        analyses.append(result)
    for channel in (frames, analysis):
        channel.shutdown()
    rows = [f"{name:24s} first {v[0]:8.1f} ms   warm {statistics.median(v[1:]):8.1f} ms"
            for name, v in (("decode", decode), ("face crop (uncached)", face), ("inference", infer))]
    return rows, analyses


def _methods(methods, loaded, analyses, repeats: int, app) -> list[str]:
    """Each method as an explanation dock runs it: first call (compiles) and warm median."""
    from painxai_gui.explain import METHODS
    from painxai_gui.gui.workers import Channel
    from painxai_gui.live.explain_job import ExplainRequest, explain_frame

    rows = []
    for method in methods:
        channel = Channel(f"explain-{method}", explain_frame, supersede=True)
        times = []
        for k in range(repeats):
            request = ExplainRequest(analyses[k % len(analyses)], loaded, method, "predicted", None, {})
            times.append(_run(channel, request, app).result.ms)
        channel.shutdown()
        warm = statistics.median(times[1:]) if len(times) > 1 else float("nan")
        rows.append(f"{METHODS[method].display_name:24s} first {times[0]:8.0f} ms   warm {warm:8.0f} ms")
        print(rows[-1], file=sys.stderr, flush=True)
    return rows


def main(argv: list[str] | None = None) -> int:
    from PySide6 import QtWidgets

    from painxai_gui.dataset.records import VideoRecord
    from painxai_gui.demo_data import ensure_demo_tree
    from painxai_gui.explain import METHODS
    from painxai_gui.gui.files import load_model_job
    from painxai_gui.gui.startup import DEMO_MODEL, DEMO_ROOT
    from painxai_gui.live.media import MediaPool
    from painxai_gui.video import VideoReader

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--root", type=Path, default=DEMO_ROOT)
    p.add_argument("--model", type=Path, default=DEMO_MODEL)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--methods", default="all")
    args = p.parse_args(argv)
    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication([])
    path = sorted((ensure_demo_tree(args.root) / "emotion").rglob("*.mp4"))[0]
    with VideoReader(path) as reader:
        video = VideoRecord(path.name, "s", "disgust", "disgust", "D", path, reader.frame_count, reader.fps)
        width, height = reader.size
    loaded, predictor = load_model_job(args.model)
    pool = MediaPool()
    rows, analyses = _frames(video, predictor, pool, app)
    methods = list(METHODS) if args.methods == "all" else args.methods.split(",")
    rows += _methods(methods, loaded, analyses, args.repeats, app)
    pool.close()
    print(f"video {path.name} {width}x{height}, model {args.model.name}, device {predictor.device}")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
