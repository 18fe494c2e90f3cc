"""`painxai train --manifest out/manifest.csv [--base vggface.h5] [--folds 5] [--out runs/NAME]`:
subject-wise cross-validation of VGG-Face's fc6-fc8 on cached pool5 features (resumable, seeded)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path


def _size(text: str) -> tuple[int, int]:
    parts = [int(p) for p in text.lower().replace("x", ",").split(",") if p.strip()]
    if len(parts) == 1:
        parts *= 2
    if len(parts) != 2 or min(parts) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not SIZE or HEIGHTxWIDTH")
    return parts[0], parts[1]


def _ints(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in text.split(",") if p.strip())


def register(sub) -> None:
    p = sub.add_parser("train", help="cross-validate VGG-Face's head on a curated set (manifest.csv)",
                       description=__doc__, formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--manifest", required=True, help="manifest.csv of the curated set")
    p.add_argument("--base", default=None, help="VGG-Face weights (.h5), loaded by layer name; "
                   "without it the base is RANDOM (a loud warning)")
    p.add_argument("--folds", type=int, default=None, help="number of folds (default: the manifest's)")
    p.add_argument("--out", default=None, help="run folder (default runs/train-<time>); rerun to resume")
    p.add_argument("--classes", default=None, help="comma-separated output order (default pain,disgust,happiness)")
    p.add_argument("--epochs", type=int, default=30, help="maximum epochs")
    p.add_argument("--patience", type=int, default=1, help="epochs without validation improvement before stopping")
    p.add_argument("--min-delta", type=float, default=0.0)
    p.add_argument("--lr", type=float, default=1e-5, help="Adam learning rate")
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--l2", type=float, default=1e-4, help="L2 factor on fc6-fc8")
    p.add_argument("--dropout", type=float, nargs="?", const=0.5, default=None,
                   help="dropout after fc6/fc7 instead of L2 (rate, 0.5 when given alone)")
    p.add_argument("--val-fraction", type=float, default=0.2, help="share of the non-test subjects for validation")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--arch", default="vggface", choices=("vggface", "tiny"),
                   help="vggface, or tiny (a small stand-in of the same structure, for demos)")
    p.add_argument("--input-size", type=_size, default=None, help="model input, e.g. 224 (vggface) or 32 (tiny)")
    p.add_argument("--fc-units", type=int, default=None, help="width of fc6/fc7 (4096 vggface, 32 tiny)")
    p.add_argument("--color-mode", default="rgb", choices=("rgb", "bgr"),
                   help="channel order the base expects (Caffe-converted VGG-Face ports: bgr)")
    p.add_argument("--mean", default="fold", choices=("fold", "all", "vggface"),
                   help="channel mean: the fold's training images (thesis; one feature cache per fold), or one "
                        "mean for all folds (all images / VGG-Face's), which lets the folds share one cache")
    p.add_argument("--no-flip", action="store_true", help="no horizontal flips")
    p.add_argument("--only-fold", type=_ints, default=None, metavar="K[,K...]", help="run only these folds")
    p.add_argument("--cache-dir", default=None, help="feature cache folder (default <out>/cache)")
    p.add_argument("--cache-dtype", default="float32", choices=("float32", "float16"))
    p.add_argument("--keep-cache", action="store_true", help="keep each fold's features after the fold")
    p.add_argument("--extract-batch", type=int, default=16)
    p.add_argument("--quiet", action="store_true", help="no progress bar, only fold summaries")
    p.set_defaults(func=run)


def config_from_args(args: argparse.Namespace):
    from painxai_gui.train import TrainConfig

    tiny = args.arch == "tiny"
    out = Path(args.out) if args.out else Path("runs") / time.strftime("train-%Y%m%d-%H%M%S")
    return TrainConfig(
        manifest=Path(args.manifest), out=out, base_weights=Path(args.base) if args.base else None,
        architecture=args.arch, folds=args.folds, only_folds=args.only_fold,
        classes=tuple(c.strip() for c in args.classes.split(",")) if args.classes else None,
        epochs=args.epochs, patience=args.patience, min_delta=args.min_delta, learning_rate=args.lr,
        batch_size=args.batch_size, l2=None if args.dropout else (args.l2 or None), dropout=args.dropout,
        val_fraction=args.val_fraction, seed=args.seed,
        input_size=args.input_size or ((32, 32) if tiny else (224, 224)),
        fc_units=args.fc_units or (32 if tiny else 4096), color_mode=args.color_mode, mean_source=args.mean,
        flip=not args.no_flip,
        extract_batch=args.extract_batch, cache_dir=Path(args.cache_dir) if args.cache_dir else None,
        cache_dtype=args.cache_dtype, keep_cache=args.keep_cache, show_progress_bar=not args.quiet)


def _printer(quiet: bool):
    def show(event) -> None:
        if event.stage == "warning":
            print(f"\n*** WARNING: {event.message} ***\n", file=sys.stderr, flush=True)
        elif event.stage in ("fold", "skip", "done", "resume") or (event.stage == "epoch" and not quiet):
            print(event.message, flush=True)
        elif event.stage == "scan" and not quiet and event.step in (0, event.total):
            print(event.message, flush=True)
    return show


def run(args: argparse.Namespace) -> int:
    from painxai_gui.cli.common import reported_errors
    from painxai_gui.train import train

    with reported_errors():
        config = config_from_args(args)
        print(f"run folder: {config.out}", flush=True)
        try:
            result = train(config, progress=_printer(args.quiet))
        except KeyboardInterrupt:
            print(f"\nto resume, run the same command with --out {config.out}", file=sys.stderr)
            raise
    print(f"wrote {config.out / 'results.md'}, results.csv, predictions.csv and fold_k/model.keras (+ model.json)")
    if result.pending:
        print(f"folds still to do: {result.pending}")
    return 0
