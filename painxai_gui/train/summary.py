"""The run's summary, rewritten after every fold: Table 5.1, all predictions, all-fold figures."""

from __future__ import annotations

from typing import Mapping

from painxai_gui.train.figures import plot_curves
from painxai_gui.train.report import confusion, merge_predictions, write_confusions
from painxai_gui.train.results import FoldResult, write_results_csv, write_results_md
from painxai_gui.train.runner import RunContext, RunResult

MEAN_TEXT = {"fold": "the fold's training images (thesis)", "all": "all images of the manifest",
             "vggface": "VGG-Face's training set (Parkhi et al.)"}


def _settings(ctx: RunContext) -> dict:
    cfg = ctx.config
    return {"architecture": ctx.arch_label, "base weights": str(cfg.base_weights) if cfg.base_weights else "RANDOM",
            "optimiser": f"Adam lr {cfg.learning_rate:g}", "batch size": cfg.batch_size,
            "regularisation": f"dropout {cfg.dropout:g}" if cfg.dropout else
            (f"L2 {cfg.l2:g}" if cfg.l2 else "none"),
            "early stopping": f"validation loss, patience {cfg.patience}, min delta {cfg.min_delta:g}",
            "max epochs": cfg.epochs, "horizontal flips": cfg.flip, "validation fraction": cfg.val_fraction,
            "seed": cfg.seed, "input size": f"{cfg.input_size[0]}x{cfg.input_size[1]}",
            "preprocessing": f"/255, then the channel mean of {MEAN_TEXT[cfg.mean_source]}",
            "colour order": cfg.color_mode,
            "manifest": str(ctx.manifest.path), "images": len(ctx.manifest.rows)}


def write_summary(ctx: RunContext, results: Mapping[int, FoldResult]) -> RunResult:
    done = [results[k] for k in sorted(results)]
    pending = [s.fold for s in ctx.splits if s.fold not in results]
    out = ctx.out
    write_results_csv(out / "results.csv", done)
    notes = list(dict.fromkeys([*ctx.notes, *(n for r in done for n in r.notes)]))
    write_results_md(out / "results.md", done, ctx.classes, notes, _settings(ctx), pending)
    if done:
        true, pred = merge_predictions(out, [r.fold for r in done], ctx.classes)
        title = f"all test folds ({', '.join(str(r.fold) for r in done)})"
        write_confusions(out, confusion(true, pred, len(ctx.classes)), ctx.classes, title)
        plot_curves({r.fold: r.history for r in done}, {r.fold: r.best_epoch for r in done}, out / "curves",
                    "training curves, all folds")
    return RunResult(out, ctx.classes, done, pending, notes)
