"""`painxai study run|report`: explain a whole curated set and measure which facial regions each class uses.

    painxai study run --manifest balanced/manifest.csv --models runs/NAME --methods thesis --out study/
    painxai study report study/ --out report/
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(sub) -> None:
    p = sub.add_parser("study", help="explain a curated set, measure regions, faithfulness, contrast (run / report)",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    actions = p.add_subparsers(dest="study_command", metavar="ACTION")
    r = actions.add_parser("run", help="explain every image with every method (resumable)",
                           formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    r.add_argument("--manifest", required=True, help="manifest.csv of the curated set (painxai project export)")
    r.add_argument("--models", required=True, help="a painxai train run folder (each image uses its test fold's "
                   "model) or one model file")
    r.add_argument("--methods", default="thesis", help="comma-separated method ids, 'thesis' or 'all'")
    r.add_argument("--out", required=True, help="study folder; rerun the same command to resume")
    r.add_argument("--engine", default="local", choices=("local", "dask"))
    r.add_argument("--workers", type=int, default=None, help="dask: start a LocalCluster of N worker processes")
    r.add_argument("--scheduler", default=None, help="dask: address of a running scheduler (e.g. a SLURMCluster)")
    r.add_argument("--limit", type=int, default=None, help="only the first N images of the manifest")
    r.add_argument("--option", action="append", default=[], metavar="METHOD.NAME=VALUE",
                   help="method option, e.g. lime.num_samples=500 (repeatable)")
    r.add_argument("--target", default="predicted", choices=("predicted", "true"), help="class explained")
    r.add_argument("--shard-size", type=int, default=32, help="images per shard")
    r.add_argument("--heatmap-size", type=int, default=64, help="side of the stored float16 heatmaps")
    r.add_argument("--steps", type=int, default=20, help="deletion / insertion steps")
    r.add_argument("--baseline", default="blur", choices=("blur", "mean"), help="deletion / insertion baseline")
    r.add_argument("--no-contrast", action="store_true", help="skip the runner-up class explanation")
    r.add_argument("--sanity-images", type=int, default=50, help="images per model for the sanity check (0: none)")
    r.add_argument("--seed", type=int, default=0)
    r.add_argument("--batch-size", type=int, default=32, help="forward-pass batch for the AUC curves")
    r.add_argument("--quiet", action="store_true", help="no progress bar")
    r.set_defaults(func=run)
    q = actions.add_parser("report", help="Markdown, figures, CSV tables and a JSON record of a study folder",
                           formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    q.add_argument("study", help="study folder written by `painxai study run`")
    q.add_argument("--out", required=True, help="report folder")
    q.add_argument("--bootstrap", type=int, default=2000, help="subject bootstrap resamples")
    q.add_argument("--permutations", type=int, default=10000, help="sign-flip permutations")
    q.add_argument("--spray-max", type=int, default=2000, help="maps clustered per (class, method); the rest "
                   "join the nearest cluster")
    q.add_argument("--seed", type=int, default=0)
    q.set_defaults(func=report)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


def run(args: argparse.Namespace) -> int:
    from painxai_gui.cli.common import reported_errors
    from painxai_gui.cli.explain_cmd import parse_methods, parse_options
    from painxai_gui.study import StudyConfig, run_study

    methods = parse_methods(args.methods)
    with reported_errors():
        config = StudyConfig(manifest=Path(args.manifest), models=Path(args.models), methods=tuple(methods),
                             out=Path(args.out), options=parse_options(args.option, methods), target=args.target,
                             shard_size=args.shard_size, heatmap_size=args.heatmap_size, steps=args.steps,
                             baseline=args.baseline, contrast=not args.no_contrast,
                             sanity_images=args.sanity_images, seed=args.seed, batch_size=args.batch_size,
                             limit=args.limit, engine=args.engine, workers=args.workers, scheduler=args.scheduler,
                             show_progress_bar=not args.quiet)
        print(f"study folder: {config.out}", flush=True)
        try:
            result = run_study(config)
        except KeyboardInterrupt:
            print(f"\nto resume, run the same command again (--out {config.out})", file=sys.stderr)
            raise
    if result.shards_run == 0 and not result.merged:
        print(f"nothing to do: all {result.shards_total} shards of {result.images} images are finished")
    else:
        print(f"ran {result.shards_run} of {result.shards_total} shards ({result.images} images) in "
              f"{result.seconds:.1f} s; wrote {config.out / 'rows.parquet'}, sanity.parquet, heatmaps.zarr")
    return 0


def report(args: argparse.Namespace) -> int:
    from painxai_gui.cli.common import reported_errors
    from painxai_gui.study import make_report

    with reported_errors():
        result = make_report(args.study, args.out, bootstrap=args.bootstrap, permutations=args.permutations,
                             seed=args.seed, spray_max=args.spray_max,
                             progress=lambda step: print(f"report: {step}", flush=True))
    print(f"wrote {result.out / 'report.md'} and {len(result.files) - 1} other files in {result.seconds:.1f} s")
    return 0
