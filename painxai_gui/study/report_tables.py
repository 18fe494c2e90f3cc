"""The report's tables, computed from ``rows.parquet`` / ``sanity.parquet`` (see ``docs/study.md``).

* :func:`region_table` -- per grouping (true / predicted class), class, method,
  measure and region: mean with a subject-bootstrap 95% interval and the
  region's rank within its (grouping, class, method, measure).
* :func:`difference_table` -- per grouping, class pair, method and region:
  the paired subject-level difference of the positive share, sign-flip
  permutation p-value, Holm-adjusted over every row of the table.
* :func:`method_table` -- per method: faithfulness gains over the random
  ranking, class contrast, sanity-check similarity per stage.
"""

from __future__ import annotations

from itertools import combinations
from typing import Any

import numpy as np

from painxai_gui.study import stats
from painxai_gui.study.explain_step import region_columns

GROUPINGS = ("true", "predicted")
#: a method whose mean similarity after stage 3 reaches this does not depend on the learned weights
SANITY_THRESHOLD = 0.5

Table = list[dict[str, Any]]


def class_names(rows: dict[str, np.ndarray]) -> list[str]:
    return [k[2:] for k in rows if k.startswith("p_")]


def class_labels(rows: dict[str, np.ndarray], grouping: str) -> np.ndarray:
    """Per row: its true category, or the name of its predicted class."""
    if grouping == "true":
        return np.asarray(rows["category"]).astype(str)
    names = np.asarray(class_names(rows))
    return names[np.asarray(rows["predicted"], np.int64)]


def methods_of(rows: dict[str, np.ndarray]) -> list[str]:
    methods = np.asarray(rows["method"]).astype(str)
    order = np.asarray(rows["method_index"])
    return [str(m) for m in dict.fromkeys(methods[np.argsort(order, kind="stable")])]


def region_table(rows: dict[str, np.ndarray], b: int = stats.B, seed: int = 0) -> Table:
    regions = region_columns()
    out: Table = []
    methods = np.asarray(rows["method"]).astype(str)
    subjects = np.asarray(rows["subject"]).astype(str)
    for grouping in GROUPINGS:
        labels = class_labels(rows, grouping)
        for cls in dict.fromkeys(labels):
            for method in methods_of(rows):
                sel = (labels == cls) & (methods == method)
                for measure in ("share", "density", "signed"):
                    values = np.stack([rows[f"{measure}_{r}"][sel] for r in regions], axis=1).astype(np.float64)
                    if not np.isfinite(values).any():
                        continue
                    iv = stats.bootstrap(values, subjects[sel], b, seed)
                    ranks = np.argsort(np.argsort(-np.nan_to_num(iv.mean, nan=-np.inf), kind="stable")) + 1
                    for k, region in enumerate(regions):
                        out.append({"grouping": grouping, "class": str(cls), "method": method, "measure": measure,
                                    "region": region, "mean": iv.mean[k], "low": iv.low[k], "high": iv.high[k],
                                    "rank": int(ranks[k]), "subjects": iv.subjects, "images": int(sel.sum())})
    return out


def difference_table(rows: dict[str, np.ndarray], permutations: int = stats.PERMUTATIONS, seed: int = 0,
                     measure: str = "share") -> Table:
    regions = region_columns()
    methods = np.asarray(rows["method"]).astype(str)
    subjects = np.asarray(rows["subject"]).astype(str)
    out: Table = []
    for grouping in GROUPINGS:
        labels = class_labels(rows, grouping)
        for a, b in combinations(list(dict.fromkeys(labels)), 2):
            for method in methods_of(rows):
                values = np.stack([rows[f"{measure}_{r}"] for r in regions], axis=1).astype(np.float64)
                is_m = methods == method
                diffs = stats.paired_differences(values[is_m], subjects[is_m], labels[is_m] == a, labels[is_m] == b)
                p = stats.sign_flip_p(diffs, permutations, seed) if len(diffs) else np.full(len(regions), np.nan)
                for k, region in enumerate(regions):
                    column = diffs[:, k] if len(diffs) else np.zeros(0)
                    finite = column[np.isfinite(column)]
                    out.append({"grouping": grouping, "class_a": str(a), "class_b": str(b), "method": method,
                                "measure": measure, "region": region,
                                "mean_difference": float(finite.mean()) if len(finite) else float("nan"),
                                "subjects": int(len(finite)), "p": float(p[k])})
    adjusted = stats.holm(np.asarray([r["p"] for r in out]))
    for row, value in zip(out, adjusted):
        row["p_holm"] = float(value)
    return out


def _interval(values: np.ndarray, subjects: np.ndarray, b: int, seed: int) -> tuple[float, float, float]:
    iv = stats.bootstrap(values, subjects, b, seed)
    return float(iv.mean), float(iv.low), float(iv.high)


def method_table(rows: dict[str, np.ndarray], sanity: dict[str, np.ndarray] | None, b: int = stats.B,
                 seed: int = 0) -> Table:
    methods = np.asarray(rows["method"]).astype(str)
    subjects = np.asarray(rows["subject"]).astype(str)
    out: Table = []
    for method in methods_of(rows):
        sel = methods == method
        entry: dict[str, Any] = {"method": method, "images": int(sel.sum())}
        gains = {"deletion_gain": rows["rand_del_auc"] - rows["del_auc"],
                 "insertion_gain": rows["ins_auc"] - rows["rand_ins_auc"], "contrast": rows["contrast"],
                 "del_auc": rows["del_auc"], "ins_auc": rows["ins_auc"]}
        for name, values in gains.items():
            mean, low, high = _interval(np.asarray(values, np.float64)[sel], subjects[sel], b, seed)
            entry.update({name: mean, f"{name}_low": low, f"{name}_high": high})
        entry.update(_sanity(sanity, method))
        out.append(entry)
    return out


def _sanity(sanity: dict[str, np.ndarray] | None, method: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if sanity is None or not len(sanity.get("method", [])):
        return {"sanity": "not run"}
    sel = np.asarray(sanity["method"]).astype(str) == method
    for stage in (1, 2, 3):
        at = sel & (np.asarray(sanity["stage"]) == stage)
        out[f"spearman_stage{stage}"] = float(np.nanmean(sanity["spearman_abs"][at])) if at.any() else float("nan")
        out[f"ssim_stage{stage}"] = float(np.nanmean(sanity["ssim"][at])) if at.any() else float("nan")
    last = max(out["spearman_stage3"], out["ssim_stage3"])
    out["sanity"] = ("maps stay similar after every layer is randomised: they do NOT depend on what the model "
                     "learned" if last >= SANITY_THRESHOLD else "passes: maps change when the weights are "
                     "randomised") if np.isfinite(last) else "not run"
    return out
