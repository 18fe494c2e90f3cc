"""Explanation engine speed on VGG-Face (224 x 224 x 3, random weights, batch 1, CPU).

    .venv/bin/python benchmarks/bench_explain.py              # full run (LIME with 1000 samples)
    .venv/bin/python benchmarks/bench_explain.py --quick      # smoke run, a minute or two
    .venv/bin/python benchmarks/bench_explain.py --lime-samples 200
    .venv/bin/python benchmarks/bench_explain.py --methods 'lrp.*' --no-lime   # the LRP rows only

Every method is timed after a warm-up call (the trace), as the median of a few
repeats; each repeat is paired with a compiled forward pass timed right before
and after it, and the ratio is the median of the per-repeat ratios -- so load
from other processes on a shared machine affects both sides alike. Every
method whose ``convention="thesis"`` differs is also timed in that
convention ("(thesis)" rows, same targets). Each row prints its target and
PASS/MISS as soon as it is measured, and again in the final table. Then every
method that can start from a recorded forward pass is timed as the live loop's
docks run it (``explain(..., forward=...)``: its backward pass only; no target).

LIME is compared with its floor: ``num_samples`` forward passes at the best
batch size (chosen from a sweep of batch sizes, then timed in full right after
the LIME run), and with
``lime.LimeImageExplainer`` used with its default ``batch_size=10`` on the same
compiled classifier. Our ``gradient`` is compared with tf-explain's
``VanillaGradients``.
"""

from __future__ import annotations

import argparse
import fnmatch
import os
import platform
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

TARGETS = {
    "gradcam": 1.3, "gradient": 2.5, "deconvnet": 2.5, "guided_backprop": 2.5, "guided_gradcam": 3.5,
    "lrp.z": 3.0, "lrp.epsilon": 3.0, "lrp.preset_a_flat": 3.0, "lrp.preset_b_flat": 3.0, "lrp.alpha_beta": 3.0,
}
EXTRA_OPTIONS = {"smoothgrad": {}, "integrated_gradients": {}, "occlusion": {}}
QUICK_EXTRA_OPTIONS = {"smoothgrad": {"samples": 2}, "integrated_gradients": {"steps": 4, "batch_size": 4},
                       "occlusion": {"patch": 112, "stride": 112}}


def build_model(num_classes: int = 3):
    import keras

    keras.utils.set_random_seed(0)
    try:
        from painxai_gui.model import build_vggface

        return build_vggface(num_classes), "painxai_gui.model.build_vggface"
    except ImportError:
        from keras import layers

        x = inp = keras.Input((224, 224, 3))
        for b, (c, r) in enumerate([(64, 2), (128, 2), (256, 3), (512, 3), (512, 3)], 1):
            for i in range(1, r + 1):
                x = layers.Conv2D(c, 3, padding="same", activation="relu", name=f"conv{b}_{i}")(x)
            x = layers.MaxPooling2D(2, name=f"pool{b}")(x)
        x = layers.Flatten(name="flatten")(x)
        x = layers.Dense(4096, activation="relu", name="fc6")(x)
        x = layers.Dense(4096, activation="relu", name="fc7")(x)
        x = layers.Dense(num_classes, activation="softmax", name="fc8")(x)
        return keras.Model(inp, x, name="vggface"), "own VGG16 builder"


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def timed_cpu(fn) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process, all threads)."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def paired(fn, forward, repeats: int) -> tuple[float, float, float, float]:
    """(median seconds, median ratio to the adjacent forward passes, median forward seconds,
    median ratio of CPU times -- less sensitive than wall time to other processes on a shared machine)."""
    fn()  # warm-up / trace
    times, ratios, fwd, cpu_ratios = [], [], [], []
    for _ in range(repeats):
        before = timed_cpu(forward)
        t = timed_cpu(fn)
        after = timed_cpu(forward)
        times.append(t[0])
        fwd.append((before[0] + after[0]) / 2)
        ratios.append(t[0] / fwd[-1])
        cpu_ratios.append(t[1] / max((before[1] + after[1]) / 2, 1e-9))
    return statistics.median(times), statistics.median(ratios), statistics.median(fwd), statistics.median(cpu_ratios)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few repeats, 30 LIME samples, extras with fewer passes")
    parser.add_argument("--lime-samples", type=int, default=None, help="LIME samples (default 1000; --quick: 30)")
    parser.add_argument("--repeats", type=int, default=None, help="timed repeats per method (default 5; --quick: 2)")
    parser.add_argument("--no-lime-default", action="store_true", help="skip lime with its default batch_size=10")
    parser.add_argument("--also-default-batch", action="store_true",
                        help="also time our LIME at its default batch_size when that is not the best one")
    parser.add_argument("--methods", default="*", help="comma-separated method ids or patterns, e.g. 'lrp.*' (default all)")
    parser.add_argument("--no-thesis", action="store_true", help="skip the thesis-convention rows")
    parser.add_argument("--no-lime", action="store_true", help="skip LIME and its floor")
    parser.add_argument("--no-recorded", action="store_true",
                        help="skip the rows of the methods starting from a recorded forward pass (the live loop)")
    args = parser.parse_args(argv)
    repeats = args.repeats or (2 if args.quick else 5)
    lime_samples = args.lime_samples or (30 if args.quick else 1000)

    import tensorflow as tf

    from painxai_gui.explain import METHODS, explain
    from painxai_gui.explain.context import context_for

    model, builder = build_model()
    x = np.random.default_rng(0).uniform(-100, 100, (224, 224, 3)).astype(np.float32)  # VGG-Face: mean-subtracted RGB
    keras_forward = tf.function(lambda v: model(v, training=False), input_signature=[tf.TensorSpec((1, 224, 224, 3))])
    x1 = tf.constant(x[None])
    forward = lambda: keras_forward(x1).numpy()  # noqa: E731
    forward()
    fwd_time = statistics.median(timed(forward) for _ in range(max(3, repeats)))
    ctx = context_for(model)

    rows: list[tuple[str, float, float | None, str, str]] = []  # method, seconds, ratio, target, status

    def row(name: str, seconds: float, ratio: float | None, target: float | None, note: str = "") -> None:
        if target is None:
            rows.append((name, seconds, ratio, "-", note or "-"))
        else:
            status = "PASS" if ratio is not None and ratio <= target else "MISS"
            rows.append((name, seconds, ratio, f"<= {target:g}x", status + (f" ({note})" if note else "")))
        shown = f"{ratio:.2f}x" if ratio is not None else ""
        print(f"  {name:36s} {seconds * 1000:10.0f} ms  {shown:>7s}  {rows[-1][3]:8s} {rows[-1][4]}",
              file=sys.stderr, flush=True)

    patterns = [p.strip() for p in args.methods.split(",") if p.strip()]
    chosen = [m for m in METHODS if m != "lime" and any(fnmatch.fnmatch(m, p) for p in patterns)]
    print(f"VGG-Face ({builder}), forward {fwd_time * 1000:.0f} ms; timing methods...", file=sys.stderr)
    for method in chosen:
        options = (QUICK_EXTRA_OPTIONS if args.quick else EXTRA_OPTIONS).get(method, {})
        conventions = ("standard",) if args.no_thesis or not METHODS[method].thesis_convention else ("standard", "thesis")
        for convention in conventions:
            name = method if convention == "standard" else f"{method} (thesis)"
            run = lambda m=method, c=convention, o=options: explain(model, x, m, convention=c, **o)  # noqa: E731
            seconds, ratio, _, cpu = paired(run, forward, repeats if method in TARGETS else 1)
            note = f"CPU-time ratio {cpu:.2f}x" if method in TARGETS else _extra_note(method, options)
            row(name, seconds, ratio, TARGETS.get(method), note)

    if not args.no_recorded:
        _recorded_rows(model, x, [m for m in chosen if m in TARGETS], forward, repeats, row)
    if "gradient" in chosen:
        _vanilla_gradients(model, x, forward, repeats, rows, row)
    if not args.no_lime and any(fnmatch.fnmatch("lime", p) for p in patterns):
        _lime_rows(model, x, ctx, forward, args, lime_samples, rows, row)
    print(_table(rows, fwd_time, builder, lime_samples, repeats))
    return 0


def _recorded_rows(model, x, methods, forward, repeats, row) -> None:
    """Each method as a live dock runs it: from the frame's recorded forward pass (its backward pass only)."""
    from painxai_gui.explain import explain
    from painxai_gui.explain.api import record_forward

    recorded = record_forward(model, x[None])
    for method in methods:
        run = lambda m=method: explain(model, x, m, forward=recorded)  # noqa: E731
        seconds, ratio, _, cpu = paired(run, forward, repeats)
        row(f"{method} from a recorded forward", seconds, ratio, None,
            f"backward only, CPU-time ratio {cpu:.2f}x; the live loop adds one forward pass per frame for all")


def _vanilla_gradients(model, x, forward, repeats, rows, row) -> None:
    """tf-explain's VanillaGradients on the same model, next to our gradient."""
    try:
        from tf_explain.core.vanilla_gradients import VanillaGradients

        vg = VanillaGradients()
        score_model = vg.get_score_model(model)
        seconds, ratio, _, _ = paired(lambda: vg.compute_gradients(x[None], score_model, 0).numpy(), forward, repeats)
        ours = next(r for r in rows if r[0] == "gradient")
        row("tf-explain VanillaGradients", seconds, ratio, None, f"our gradient: {ours[2]:.2f}x")
    except Exception as exc:  # report, do not hide
        rows.append(("tf-explain VanillaGradients", float("nan"), None, "-", f"failed: {exc!r}"[:80]))


def _lime_rows(model, x, ctx, forward, args, lime_samples, rows, row) -> None:
    """LIME vs its floor: num_samples forward passes at the best batch size."""
    import tensorflow as tf

    from painxai_gui.explain import METHODS, explain

    fwd_fn = ctx.forward_fn()

    def per_image_time(bs: int) -> float:
        batch = tf.constant(np.repeat(x[None], bs, axis=0))
        fwd_fn(batch).numpy()
        return statistics.median(timed(lambda: fwd_fn(batch).numpy()) for _ in range(2 if args.quick else 3)) / bs

    per_image = {bs: per_image_time(bs) for bs in (1, 8, 16, 32, 64)}
    best_bs = min(per_image, key=per_image.get)
    print("  per-image forward by batch size: " + ", ".join(f"{b}: {t * 1000:.0f} ms" for b, t in per_image.items()), file=sys.stderr)
    inside = _time_forward_calls(ctx)
    seconds = timed(lambda: explain(model, x, "lime", num_samples=lime_samples, batch_size=best_bs))
    # the floor runs right after LIME, as long as LIME's own forward work, so both see similar machine load
    floor = _floor(fwd_fn, x, lime_samples, best_bs)
    row(f"lime ({lime_samples} samples, batch {best_bs})", seconds, seconds / floor, 1.15,
        f"vs floor; forward passes = {inside[0] / seconds:.0%} of its time")
    default_batch = METHODS["lime"].option("batch_size").default
    if default_batch != best_bs and (args.quick or args.also_default_batch):
        seconds = timed(lambda: explain(model, x, "lime", num_samples=lime_samples))
        row(f"lime (our default batch {default_batch})", seconds, seconds / floor, 1.15, "vs floor")
    if not args.no_lime_default:
        seconds = _lime_default_batch(ctx, x, lime_samples)
        row("lime package, batch_size=10", seconds, seconds / floor, None, "vs floor")
    rows.append((f"floor: {lime_samples} forwards @ batch {best_bs}", floor, 1.0, "-", "-"))


def _extra_note(method: str, options: dict) -> str:
    from painxai_gui.explain import METHODS

    opts = {o.name: options.get(o.name, o.default) for o in METHODS[method].options}
    if method == "smoothgrad":
        return f"{opts['samples']} noisy gradients"
    if method == "integrated_gradients":
        return f"{opts['steps']} path gradients (tf-explain)"
    if method == "occlusion":
        return "occluded forwards: patch " + (str(opts["patch"]) if opts["patch"] else "auto (32, stride 16: 169)")
    return ""


def _time_forward_calls(ctx) -> list[float]:
    """Accumulate the time spent in the context's compiled forward pass (LIME's classifier)."""
    spent = [0.0]
    fn = ctx.forward_fn()

    def timed_forward(batch):
        start = time.perf_counter()
        out = fn(batch).numpy()
        spent[0] += time.perf_counter() - start
        return _Done(out)

    ctx.forward_fn = lambda: timed_forward  # benchmark-only instrumentation of this context
    return spent


class _Done:
    def __init__(self, value):
        self.value = value

    def numpy(self):
        return self.value


def _floor(fwd_fn, x: np.ndarray, samples: int, batch_size: int) -> float:
    """Wall time of ``samples`` forward passes at ``batch_size`` (the LIME floor)."""
    import tensorflow as tf

    full = tf.constant(np.repeat(x[None], batch_size, axis=0))
    start = time.perf_counter()
    for i in range(0, samples, batch_size):
        n = min(batch_size, samples - i)
        fwd_fn(full if n == batch_size else full[:n]).numpy()
    return time.perf_counter() - start


def _lime_default_batch(ctx, x: np.ndarray, samples: int) -> float:
    """lime with its default batch_size=10, same segmentation and compiled classifier."""
    import tensorflow as tf
    from lime import lime_image
    from lime.wrappers.scikit_image import SegmentationAlgorithm

    from painxai_gui.explain.methods.lime import _quiet_lime, _unit_range

    fwd = ctx.forward_fn()

    def classifier(images):
        out = fwd(tf.constant(images.astype(np.float32))).numpy()
        e = np.exp(out - out.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    seg = SegmentationAlgorithm("quickshift", kernel_size=4, max_dist=200, ratio=0.2)
    explainer = lime_image.LimeImageExplainer(random_state=0)
    with _quiet_lime():
        return timed(lambda: explainer.explain_instance(x, classifier, labels=(0,), top_labels=None, num_samples=samples,
                                                        segmentation_fn=lambda im: seg(_unit_range(im)), random_seed=0))


def _table(rows, fwd_time: float, builder: str, lime_samples: int, repeats: int) -> str:
    import tensorflow as tf

    lines = [
        f"VGG-Face topology ({builder}), random weights (seed 0), 224x224x3, batch 1, CPU "
        f"({os.cpu_count()} cores, {platform.processor() or platform.machine()}), TF {tf.__version__}.",
        f"One compiled forward pass: {fwd_time * 1000:.0f} ms. Ratios: median over {repeats} repeats of "
        "time / adjacent forward passes (extras: 1 repeat); PASS/MISS on the wall-time ratio, the CPU-time "
        "ratio (process CPU seconds, all threads) alongside.",
        "",
        "| method | time (ms) | ratio | target | result |",
        "|---|---:|---:|---|---|",
    ]
    for name, seconds, ratio, target, status in rows:
        r = f"{ratio:.2f}x" if ratio is not None else "-"
        lines.append(f"| {name} | {seconds * 1000:.0f} | {r} | {target} | {status} |")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
