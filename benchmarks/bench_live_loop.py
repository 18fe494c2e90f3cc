"""The live loop through the app's own window, pipeline and workers: fresh frames per second on screen.

    .venv/bin/python benchmarks/bench_live_loop.py [--seconds 20] [--docks gradcam lrp.preset_a_flat]

Offscreen. A VGG-Face-sized model (``painxai_gui.model.build_vggface``, 224 x 224 x 3,
3 classes, random weights from a fixed seed) and the demo video (1388 x 1038, 75 frames,
25 fps) in a demo project, its landmarks cached (as after playing it once); playback at
the video's 25 fps, restarted at the end, for ``--seconds``. The whole-video timeline docks
are hidden (they would otherwise fill their timelines in the background first): only the
per-frame loop is measured.

Two runs: bars + one Grad-CAM dock (target: >= 5 fresh frames/s for each), then bars +
Grad-CAM + an LRP-PresetAFlat dock (target: >= 2 fresh frames/s for all three). "Fresh"
frames: distinct analysed frames delivered to the bars, distinct explained frames delivered
to a dock. Also the GUI thread's longest gap between two 20 ms timer ticks (target: <= 200 ms),
the face stage (median ``face_ms`` of the analyses: decode + cached landmarks + crop) and how
long a frame waits before its face stage starts (from becoming the current frame to its
analysis result, minus face and inference: the analysis job runs face, then inference, so
the next frame's face stage waits behind this frame's inference), the model's time per
analysis (``infer_ms``, the bars' job time) and each dock's time per frame.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

ONE_DOCK_FPS = 5.0
ALL_FPS = 2.0
MAX_GAP_MS = 200.0
SEED = 0


def vggface_model():
    """A LoadedModel of VGG-Face with 3 classes and seeded random weights, and its warmed Predictor."""
    import keras
    import numpy as np

    from painxai_gui.model import Predictor, build_vggface
    from painxai_gui.model.loading import LoadedModel
    from painxai_gui.model.spec import vggface_spec

    keras.utils.set_random_seed(SEED)
    loaded = LoadedModel(build_vggface(3), vggface_spec())
    predictor = Predictor(loaded)
    predictor.predict(np.zeros((224, 224, 3), np.uint8))
    return loaded, predictor


def demo_project(folder: Path) -> tuple[Path, Path]:
    """A project over the full-size demo tree (first subject); the path of bench_live's video."""
    from painxai_gui.curation import Project
    from painxai_gui.demo_data import DEMO_SUBJECTS, ensure_demo_tree

    root = ensure_demo_tree(folder / "demo", subjects=DEMO_SUBJECTS[:1])
    path = folder / "bench.painxai"
    with Project.create(path, root, annotator="bench"):
        pass
    return path, sorted((root / "emotion").rglob("*.mp4"))[0]


def spin(app, seconds: float, until=None) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end and not (until and until()):
        app.processEvents()
        time.sleep(0.002)


class Counter:
    """Distinct frames delivered to one view, with the job times they reported."""

    def __init__(self) -> None:
        self.frames: list[int] = []
        self.ms: list[float] = []
        self.face_ms: list[float] = []
        self.counting = False

        self.wait_ms: list[float] = []

    def add(self, frame: int, ms: float, face_ms: float | None = None, wait_ms: float | None = None) -> None:
        if self.counting and (not self.frames or self.frames[-1] != frame):
            self.frames.append(frame)
            self.ms.append(ms)
            if face_ms is not None:
                self.face_ms.append(face_ms)
            if wait_ms is not None:
                self.wait_ms.append(wait_ms)


def run(window, app, video_id: str, methods: list[str], seconds: float) -> dict:
    """Play for ``seconds`` with one dock per method; the counts and times of each view."""
    from painxai_gui.gui.workers import Heartbeat

    explanations = window.explanations
    explanations.remove_all()
    bars = Counter()
    docks = {}
    current: dict[int, float] = {}  # frame -> when it became the session's frame

    def analysed(result) -> None:
        if result.ok and result.probs is not None and result.frame in current:
            # how long the frame waited before its face stage started (behind the previous frame's inference)
            waited = (time.perf_counter() - current[result.frame]) * 1000.0 - result.face_ms - result.infer_ms
            bars.add(result.frame, result.infer_ms, result.face_ms, max(0.0, waited))

    window.session.frameChanged.connect(lambda f: current.__setitem__(f, time.perf_counter()))
    window.viewer.analysed.connect(analysed)
    for method in methods:
        dock = explanations.add(method)
        counter = docks[f"{dock.objectName()} {method}"] = Counter()
        dock.channel.finished.connect(lambda o, c=counter: c.add(o.result.frame, o.result.ms))
    session = window.session
    session.open_video(video_id, 0)
    spin(app, 60, lambda: all(d.last_result is not None for d in explanations.docks.values()))  # compile, warm
    heartbeat = Heartbeat(20)

    def restart(playing: bool) -> None:  # loop the video
        if not playing and bars.counting:
            session.seek(0)
            QtCore.QTimer.singleShot(0, window.playback.play)

    from PySide6 import QtCore

    window.playback.playingChanged.connect(restart)
    for c in (bars, *docks.values()):
        c.counting = True
    heartbeat.start()
    start = time.perf_counter()
    window.playback.play()
    spin(app, seconds)
    elapsed = time.perf_counter() - start
    for c in (bars, *docks.values()):
        c.counting = False
    heartbeat.stop()
    window.playback.pause()
    window.playback.playingChanged.disconnect(restart)
    window.viewer.analysed.disconnect(analysed)
    spin(app, 3, lambda: not any(d.channel.is_busy() for d in explanations.docks.values()))
    return {"seconds": elapsed, "bars": bars, "docks": docks, "gap_ms": heartbeat.max_gap * 1000.0}


def report(name: str, out: dict, target: float) -> list[str]:
    def med(values: list[float]) -> str:
        return f"{statistics.median(values):.0f}" if values else "—"

    rows = []
    views = {"bars (analysis)": out["bars"], **out["docks"]}
    for view, c in views.items():
        fps = len(c.frames) / out["seconds"]
        rows.append(f"| {name} | {view} | {fps:.1f} | >= {target:g} | {'PASS' if fps >= target else 'MISS'} | "
                    f"{med(c.ms)} ms |")
    gap = out["gap_ms"]
    rows.append(f"| {name} | GUI heartbeat max gap | {gap:.0f} ms | <= {MAX_GAP_MS:.0f} ms | "
                f"{'PASS' if gap <= MAX_GAP_MS else 'MISS'} | |")
    rows.append(f"| {name} | face stage: median face_ms / wait before it starts | {med(out['bars'].face_ms)} ms / "
                f"{med(out['bars'].wait_ms)} ms | | | |")
    return rows


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seconds", type=float, default=20.0)
    p.add_argument("--docks", nargs="+", default=["gradcam", "lrp.preset_a_flat"],
                   help="first run: the first dock; second run: all of them")
    args = p.parse_args(argv)

    from PySide6 import QtCore, QtWidgets

    from painxai_gui.gui.main_window import MainWindow

    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication([])
    loaded, predictor = vggface_model()
    rows: list[str] = []
    with tempfile.TemporaryDirectory(prefix="bench_live_loop_") as tmp:
        project, video_path = demo_project(Path(tmp))
        settings = QtCore.QSettings(str(Path(tmp) / "settings.ini"), QtCore.QSettings.Format.IniFormat)
        window = MainWindow(settings, quiet_errors=True, default_docks=False)
        window.show()
        window.files.load_project(project)
        spin(app, 60, lambda: window.session.video is not None)
        for dock in (window.views.probabilities, window.views.regions):
            dock.hide()
        window.session.set_model(loaded, predictor)
        video_id = next(v.id for v in window.session.videos() if Path(v.path) == video_path)
        for frame in range(window.session.entry(video_id).frame_count):  # landmarks cached, as after one play
            window.pool.face(video_path, frame)
        for name, methods, target in (("bars + 1 dock", args.docks[:1], ONE_DOCK_FPS),
                                      (f"bars + {len(args.docks)} docks", args.docks, ALL_FPS)):
            out = run(window, app, video_id, methods, args.seconds)
            rows += report(name, out, target)
            print("\n".join(rows[-(len(methods) + 3):]), file=sys.stderr, flush=True)
        window.shutdown()
        window.close()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\nlive loop: VGG-Face 224x224x3 (3 classes, random weights, seed {SEED}) on {predictor.device}; "
          f"demo video {video_path.name} played at 25 fps for {args.seconds:g} s per run; "
          f"CPU cores: {os.cpu_count()}, load average (1/5/15 min): {load}\n")
    print("| run | view | fresh frames/s | target | met | median job time |")
    print("|---|---|---:|---|---|---:|")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
