"""`painxai bench [explain|video|train]`: run the speed benchmarks and print their tables."""

from __future__ import annotations

import argparse
import runpy
import sys
from pathlib import Path

SUITES = {"explain": "bench_explain.py", "video": "bench_video_face.py", "train": "bench_train.py"}


def register(sub) -> None:
    p = sub.add_parser("bench", help="run speed benchmarks (markdown tables of ratios)", description=__doc__)
    p.add_argument("suites", nargs="*", metavar="SUITE", help=f"which: {', '.join(SUITES)} (default: all)")
    p.add_argument("--quick", action="store_true", help="fewer repeats and samples (smoke run)")
    p.set_defaults(func=run)


def bench_dir() -> Path:
    return Path(__file__).resolve().parents[2] / "benchmarks"


def run(args: argparse.Namespace) -> int:
    unknown = [s for s in args.suites if s not in SUITES]
    if unknown:
        print(f"painxai: error: unknown benchmark suite(s) {unknown}; choose from {', '.join(SUITES)}", file=sys.stderr)
        return 2
    folder = bench_dir()
    if not folder.is_dir():
        print(f"painxai: error: {folder}: benchmarks are part of the source checkout", file=sys.stderr)
        return 1
    for name in args.suites or list(SUITES):
        script = folder / SUITES[name]
        if not script.exists():
            print(f"painxai: error: {script}: benchmark not found", file=sys.stderr)
            return 1
        print(f"## {name}\n", flush=True)
        saved = sys.argv
        sys.argv = [str(script), *(["--quick"] if args.quick else [])]
        try:
            runpy.run_path(str(script), run_name="__main__")
        except SystemExit as exc:
            if exc.code not in (0, None):
                return int(exc.code) if isinstance(exc.code, int) else 1
        finally:
            sys.argv = saved
    return 0
