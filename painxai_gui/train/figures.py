"""Figures of a run (matplotlib without pyplot, PNG + PDF): training curves (thesis Fig. 5.1) and
confusion matrices as counts and row-normalised (Figs. 5.2/5.3)."""

from __future__ import annotations

from pathlib import Path
from typing import Mapping, Sequence

import numpy as np

from painxai_gui.train.head import EpochLog
from painxai_gui.files import atomic_write


def save_figure(fig, stem: str | Path, dpi: int = 150) -> list[Path]:
    """Write ``stem.png`` and ``stem.pdf`` of a matplotlib Figure."""
    written = []
    for ext in ("png", "pdf"):
        target = atomic_write(Path(stem).with_suffix(f".{ext}"),
                              lambda tmp, ext=ext: fig.savefig(tmp, format=ext, dpi=dpi, bbox_inches="tight"))
        written.append(target)
    return written


def _figure(width: float, height: float):
    """A pyplot-free Figure (no global state, safe in a GUI worker thread; Agg/PDF on saving)."""
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height))


def plot_curves(histories: Mapping[int, Sequence[EpochLog]], best: Mapping[int, int], stem: Path,
                title: str) -> list[Path]:
    """Loss and accuracy per epoch, training (solid) and validation (dashed), best epoch marked."""
    fig = _figure(10, 3.8)
    axes = fig.subplots(1, 2)
    for fold, hist in histories.items():
        epochs = [h.epoch for h in hist]
        label = f"fold {fold}" if len(histories) > 1 else ""
        for ax, key in zip(axes, ("loss", "accuracy")):
            line, = ax.plot(epochs, [getattr(h, key) for h in hist], "-o", ms=3, label=f"training {label}".strip())
            ax.plot(epochs, [getattr(h, f"val_{key}") for h in hist], "--s", ms=3, color=line.get_color(),
                    label=f"validation {label}".strip())
            if best.get(fold):
                ax.axvline(best[fold], color=line.get_color(), lw=0.8, alpha=0.5)
    for ax, key in zip(axes, ("cross-entropy loss", "accuracy")):
        ax.set_xlabel("epoch")
        ax.set_ylabel(key)
        ax.grid(alpha=0.3)
    axes[1].legend(fontsize=7, loc="best")
    fig.suptitle(title)
    return save_figure(fig, stem)


def plot_confusion(matrix: np.ndarray, classes: Sequence[str], stem: Path, title: str,
                   normalised: bool) -> list[Path]:
    """A confusion matrix: rows true, columns predicted; normalised rows sum to 1."""
    values = matrix.astype(np.float64)
    if normalised:
        values = values / np.maximum(values.sum(axis=1, keepdims=True), 1)
    fig = _figure(1.2 * len(classes) + 2, 1.2 * len(classes) + 1.5)
    ax = fig.subplots()
    image = ax.imshow(values, cmap="Blues", vmin=0, vmax=1 if normalised else max(values.max(), 1))
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    ax.set_xticks(range(len(classes)), classes, rotation=30, ha="right")
    ax.set_yticks(range(len(classes)), classes)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    limit = values.max() / 2 if values.size else 0
    for (i, j), v in np.ndenumerate(values):
        text = f"{v:.2f}" if normalised else f"{int(v)}"
        ax.text(j, i, text, ha="center", va="center", color="white" if v > limit else "black", fontsize=9)
    ax.set_title(title)
    return save_figure(fig, stem)
