"""The report's figures (matplotlib, Agg), each written as PNG and PDF."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from painxai_gui.study.explain_step import region_columns
from painxai_gui.study.report_faces import FaceResults
from painxai_gui.train.figures import save_figure


def _plt():
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    return plt


def _signed(method: str) -> bool:
    from painxai_gui.explain import METHODS

    return bool(getattr(METHODS.get(method), "signed", False))


def _show(ax, image: np.ndarray, method: str, template=None) -> None:
    if _signed(method):
        v = float(np.nanmax(np.abs(image))) or 1.0
        ax.imshow(image, cmap="RdBu_r", vmin=-v, vmax=v)
    else:
        ax.imshow(image, cmap="inferno", vmin=0, vmax=float(np.nanmax(image)) or 1.0)
    if template is not None:
        pts = template.landmarks_px
        ax.plot(pts[:, 0], pts[:, 1], ".", color="white", markersize=1.2, alpha=0.7)
    ax.set_xticks([])
    ax.set_yticks([])


def region_bars(table: list[dict[str, Any]], grouping: str, methods: list[str], classes: list[str],
                stem: Path) -> list[Path]:
    plt = _plt()
    regions = region_columns()
    fig, axes = plt.subplots(len(methods), 1, figsize=(9, 2.6 * len(methods)), squeeze=False)
    width = 0.8 / max(1, len(classes))
    for ax, method in zip(axes[:, 0], methods):
        for c, cls in enumerate(classes):
            sel = {r["region"]: r for r in table if r["grouping"] == grouping and r["class"] == cls
                   and r["method"] == method and r["measure"] == "share"}
            if not sel:
                continue
            means = np.array([sel[r]["mean"] for r in regions])
            err = np.array([[sel[r]["mean"] - sel[r]["low"] for r in regions],
                            [sel[r]["high"] - sel[r]["mean"] for r in regions]])
            ax.bar(np.arange(len(regions)) + (c - (len(classes) - 1) / 2) * width, means, width, yerr=err,
                   capsize=2, label=cls)
        ax.set_xticks(np.arange(len(regions)), regions)
        ax.set_ylabel("positive share")
        ax.set_title(f"{method} ({grouping} class), 95% subject-bootstrap intervals", fontsize=9)
        ax.legend(fontsize=7, ncol=len(classes))
    fig.tight_layout()
    paths = save_figure(fig, stem)
    plt.close(fig)
    return paths


def average_faces(faces: FaceResults, grouping: str, methods: list[str], classes: list[str], stem: Path) -> list[Path]:
    plt = _plt()
    fig, axes = plt.subplots(len(classes), len(methods), figsize=(1.9 * len(methods) + 0.6, 1.9 * len(classes)),
                             squeeze=False)
    for r, cls in enumerate(classes):
        for c, method in enumerate(methods):
            ax = axes[r, c]
            image = faces.averages.get((grouping, cls, method))
            if image is None:
                ax.axis("off")
                continue
            _show(ax, image, method, faces.template)
            if r == 0:
                ax.set_title(method, fontsize=8)
            if c == 0:
                ax.set_ylabel(f"{cls}\n(n={faces.counts.get((grouping, cls, method), 0)})", fontsize=8)
    fig.suptitle(f"average relevance faces by {grouping} class", fontsize=9)
    fig.tight_layout()
    paths = save_figure(fig, stem)
    plt.close(fig)
    return paths


def method_panels(table: list[dict[str, Any]], stem: Path) -> list[Path]:
    plt = _plt()
    methods = [r["method"] for r in table]
    x = np.arange(len(methods))
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.4))
    for k, (name, label) in enumerate((("deletion_gain", "random del - del"), ("insertion_gain", "ins - random ins"))):
        mean = np.array([r[name] for r in table])
        err = np.array([[r[name] - r[f"{name}_low"] for r in table], [r[f"{name}_high"] - r[name] for r in table]])
        axes[0].bar(x + (k - 0.5) * 0.4, mean, 0.4, yerr=err, capsize=2, label=label)
    axes[0].set_title("faithfulness (larger = more faithful)", fontsize=9)
    axes[0].legend(fontsize=7)
    mean = np.array([r["contrast"] for r in table])
    err = np.array([[r["contrast"] - r["contrast_low"] for r in table], [r["contrast_high"] - r["contrast"] for r in table]])
    axes[1].bar(x, mean, 0.6, yerr=err, capsize=2)
    axes[1].set_title("class contrast (1 - Spearman, predicted vs runner-up)", fontsize=9)
    for r in table:
        ys = [r.get(f"spearman_stage{s}", np.nan) for s in (1, 2, 3)]
        axes[2].plot([1, 2, 3], ys, marker="o", label=r["method"])
    axes[2].set_xticks([1, 2, 3], ["last dense", "last 3", "all"])
    axes[2].set_ylim(-0.2, 1.05)
    axes[2].set_title("sanity: Spearman |h| vs randomised model", fontsize=9)
    axes[2].legend(fontsize=6)
    for ax in axes[:2]:
        ax.set_xticks(x, methods, rotation=30, ha="right", fontsize=7)
    fig.tight_layout()
    paths = save_figure(fig, stem)
    plt.close(fig)
    return paths


def cluster_grid(faces: FaceResults, stem: Path) -> list[Path]:
    plt = _plt()
    groups = list(dict.fromkeys((c["class"], c["method"]) for c in faces.clusters))
    if not groups:
        return []
    width = max(sum(1 for c in faces.clusters if (c["class"], c["method"]) == g) for g in groups)
    fig, axes = plt.subplots(len(groups), width, figsize=(1.8 * width + 0.8, 1.9 * len(groups)), squeeze=False)
    for r, (cls, method) in enumerate(groups):
        items = [c for c in faces.clusters if (c["class"], c["method"]) == (cls, method)]
        for c in range(width):
            ax = axes[r, c]
            if c >= len(items):
                ax.axis("off")
                continue
            item = items[c]
            _show(ax, faces.cluster_maps[(cls, method, item["cluster"])], method, faces.template)
            flag = " OFF-FACE" if item["off_face"] else ""
            ax.set_title(f"n={item['size']} other={item['share_other']:.0%}{flag}", fontsize=7,
                         color="red" if item["off_face"] else "black")
            if c == 0:
                ax.set_ylabel(f"{cls}\n{method}", fontsize=7)
    fig.suptitle("SpRAy clusters (mean warped map per cluster)", fontsize=9)
    fig.tight_layout()
    paths = save_figure(fig, stem)
    plt.close(fig)
    return paths
