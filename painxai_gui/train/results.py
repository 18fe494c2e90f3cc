"""What a finished fold records (``fold_k/result.json``) and the run's Table 5.1 (results.csv / .md)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Sequence

from painxai_gui.files import atomic_write, read_record, write_csv
from painxai_gui.train.errors import TrainError
from painxai_gui.train.head import EpochLog

RESULT_KIND, RESULT_VERSION = "painxai-train-fold-result", 1  # fold_k/result.json
TABLE_COLUMNS = ("train_loss", "train_accuracy", "val_loss", "val_accuracy", "test_loss", "test_accuracy",
                 "epochs", "best_epoch")


@dataclass(frozen=True)
class FoldResult:
    fold: int
    train_loss: float
    train_accuracy: float
    val_loss: float
    val_accuracy: float
    test_loss: float
    test_accuracy: float
    epochs: int  # epochs trained (including those without improvement)
    best_epoch: int  # the epoch whose weights were kept
    n_train: int
    n_val: int
    n_test: int
    mean: tuple[float, ...]
    train_subjects: tuple[str, ...]
    val_subjects: tuple[str, ...]
    test_subjects: tuple[str, ...]
    history: tuple[EpochLog, ...] = ()
    seconds: float = 0.0
    notes: tuple[str, ...] = ()  # what loading the base weights did

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> "FoldResult":
        kwargs = {f.name: data[f.name] for f in fields(cls) if f.name in data}
        kwargs.setdefault("notes", ())
        for key in ("mean", "train_subjects", "val_subjects", "test_subjects", "notes"):
            kwargs[key] = tuple(kwargs[key])
        kwargs["history"] = tuple(EpochLog(**h) for h in data.get("history", ()))
        return cls(**kwargs)

    @classmethod
    def read(cls, path: Path) -> "FoldResult":
        return cls.from_json(read_record(path, RESULT_KIND, RESULT_VERSION, TrainError).data)


def _mean_row(results: Sequence[FoldResult]) -> list:
    row: list = ["mean"]
    for col in TABLE_COLUMNS:
        values = [getattr(r, col) for r in results]
        row.append(sum(values) / len(values))
    return row


def table_rows(results: Sequence[FoldResult]) -> list[list]:
    rows = [[r.fold, *(getattr(r, c) for c in TABLE_COLUMNS)] for r in results]
    return rows + ([_mean_row(results)] if results else [])


def write_results_csv(path: Path, results: Sequence[FoldResult]) -> Path:
    rows = [[f"{v:.6f}" if isinstance(v, float) else v for v in row] for row in table_rows(results)]
    return write_csv(path, ("fold", *TABLE_COLUMNS), rows)


def markdown_table(results: Sequence[FoldResult]) -> str:
    head = ("| fold | training loss | training acc. | validation loss | validation acc. | testing loss "
            "| testing acc. | epochs | best epoch |")
    lines = [head, "|" + "---|" * 9]
    for row in table_rows(results):
        cells = [f"{v:.3f}" if isinstance(v, float) else str(v) for v in row]
        if row[0] == "mean":
            cells = ["**average**", *cells[1:7], f"{row[7]:.1f}", f"{row[8]:.1f}"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def write_results_md(path: Path, results: Sequence[FoldResult], classes: Sequence[str], notes: Sequence[str],
                     settings: dict, pending: Sequence[int] = ()) -> Path:
    """Table 5.1 in markdown with the settings and warnings that qualify it."""
    parts = ["# Cross-validation results", ""]
    warnings = [n for n in notes if "RANDOM" in n or "NOT loaded" in n]
    parts += [f"> **WARNING:** {n}" for n in warnings]
    parts += ["", markdown_table(results), ""]
    if pending:
        parts += [f"Folds not finished yet: {', '.join(map(str, pending))} (rerun the same command to resume).", ""]
    parts += [
        f"Classes (output order): {', '.join(classes)}.",
        "Losses are the categorical cross-entropy without the L2 term, evaluated with the kept (best) weights: "
        "training and validation on original and mirrored images, testing on the original images. "
        "Epochs counts every epoch trained; the best epoch's weights were kept.",
        "", "## Settings", "",
        *[f"- {k}: `{v}`" for k, v in sorted(settings.items())],
        "", "## Fold details", "",
        *[f"- fold {r.fold}: {r.n_train} training / {r.n_val} validation / {r.n_test} test images; "
          f"test subjects {', '.join(r.test_subjects)}; validation subjects {', '.join(r.val_subjects)}; "
          f"channel mean {', '.join(f'{m:.4f}' for m in r.mean)}" for r in results],
        "", *[f"- note: {n}" for n in notes if n not in warnings], "",
    ]
    return atomic_write(path, "\n".join(parts))
