"""Per-fold outputs: classification report (Table 5.2), confusion matrices, curves, predictions."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Sequence

import numpy as np

from painxai_gui.files import atomic_write, write_csv
from painxai_gui.train.figures import plot_confusion, plot_curves
from painxai_gui.train.head import EpochLog
from painxai_gui.train.manifest import FrameRow

#: image: the manifest's path (relative to its folder); path: resolved absolute path
PREDICTION_COLUMNS = ("fold", "image", "path", "subject", "source_video", "frame", "true", "predicted", "correct")


def classification_tables(y_true: np.ndarray, y_pred: np.ndarray, classes: Sequence[str]) -> tuple[str, list]:
    """(sklearn's text report, CSV rows: label, precision, recall, f1, support)."""
    from sklearn.metrics import classification_report

    labels = list(range(len(classes)))
    kwargs = dict(labels=labels, target_names=list(classes), zero_division=0)
    text = classification_report(y_true, y_pred, digits=3, **kwargs)
    table = classification_report(y_true, y_pred, output_dict=True, **kwargs)
    rows = []
    for name, values in table.items():
        if isinstance(values, dict):
            rows.append([name, *(f"{values[k]:.6f}" for k in ("precision", "recall", "f1-score")),
                         int(values["support"])])
        else:  # "accuracy" is a bare number
            rows.append([name, "", "", f"{values:.6f}", len(y_true)])
    return text, rows


def confusion(y_true: np.ndarray, y_pred: np.ndarray, n: int) -> np.ndarray:
    matrix = np.zeros((n, n), np.int64)
    np.add.at(matrix, (y_true, y_pred), 1)
    return matrix


def write_confusions(folder: Path, matrix: np.ndarray, classes: Sequence[str], title: str,
                     stem: str = "confusion") -> None:
    write_csv(folder / f"{stem}_counts.csv", ("true \\ predicted", *classes),
              [[c, *row] for c, row in zip(classes, matrix.tolist())])
    plot_confusion(matrix, classes, folder / f"{stem}_counts", f"{title} (counts)", normalised=False)
    plot_confusion(matrix, classes, folder / f"{stem}_normalised", f"{title} (normalised)", normalised=True)


def write_history(folder: Path, fold: int, history: Sequence[EpochLog], best_epoch: int) -> None:
    write_csv(folder / "history.csv", ("epoch", "loss", "accuracy", "val_loss", "val_accuracy", "seconds"),
              [[h.epoch, f"{h.loss:.6f}", f"{h.accuracy:.6f}", f"{h.val_loss:.6f}", f"{h.val_accuracy:.6f}",
                f"{h.seconds:.3f}"] for h in history])
    plot_curves({fold: history}, {fold: best_epoch}, folder / "curves", f"fold {fold}: training curves")


def prediction_rows(fold: int, rows: Sequence[FrameRow], probs: np.ndarray, labels: np.ndarray,
                    classes: Sequence[str]) -> list[list]:
    out = []
    for row, p, y in zip(rows, probs, labels):
        k = int(np.argmax(p))
        frame = "" if row.frame is None else row.frame
        out.append([fold, row.image, str(row.path.resolve()), row.subject, row.source_video, frame,
                    classes[y], classes[k], int(k == y), *(f"{v:.9g}" for v in p)])
    return out


def write_fold_report(folder: Path, fold: int, rows: Sequence[FrameRow], probs: np.ndarray, labels: np.ndarray,
                      classes: Sequence[str]) -> None:
    """report.txt/.csv, confusion matrices and predictions.csv of one fold's test images."""
    pred = probs.argmax(axis=1)
    text, table = classification_tables(labels, pred, classes)
    atomic_write(folder / "report.txt", f"fold {fold}: test set ({len(labels)} images)\n\n{text}")
    write_csv(folder / "report.csv", ("label", "precision", "recall", "f1", "support"), table)
    write_confusions(folder, confusion(labels, pred, len(classes)), classes, f"fold {fold}")
    write_csv(folder / "predictions.csv", prediction_header(classes),
              prediction_rows(fold, rows, probs, labels, classes))


def prediction_header(classes: Sequence[str]) -> tuple[str, ...]:
    return (*PREDICTION_COLUMNS, *(f"p_{c}" for c in classes))


def merge_predictions(out: Path, folds: Sequence[int], classes: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Concatenate the folds' predictions.csv into the run's; returns (true, predicted) indices."""
    header, rows, index = prediction_header(classes), [], {c: i for i, c in enumerate(classes)}
    for fold in folds:
        with open(out / f"fold_{fold}" / "predictions.csv", newline="", encoding="utf-8") as fh:
            rows.extend(csv.DictReader(fh))
    write_csv(out / "predictions.csv", header, [[r[h] for h in header] for r in rows])
    true = np.asarray([index[r["true"]] for r in rows], np.int64)
    pred = np.asarray([index[r["predicted"]] for r in rows], np.int64)
    return true, pred
