"""``make_report(study, out)``: Markdown + PNG/PDF figures + CSV tables + JSON record of a study folder.

Files: ``report.md``, ``report.json`` (inputs, model hashes, options,
versions, files), ``regions.csv``, ``region_differences.csv``,
``methods.csv``, ``clusters.csv``, ``cluster_members.csv`` (every image of every
cluster), ``average_faces.npz``, ``cluster_maps.npz`` and the figures
``regions_<grouping>``, ``average_faces_<grouping>``, ``methods``,
``clusters`` (``.png`` and ``.pdf``). Definitions: ``docs/study.md``.
"""

from __future__ import annotations

import csv
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np

from painxai_gui.errors import StudyError
from painxai_gui.study import report_figures as figures
from painxai_gui.study import stats
from painxai_gui.study.report_faces import FaceResults, face_results
from painxai_gui.study.report_tables import (GROUPINGS, class_labels, difference_table, method_table, methods_of,
                                             region_table)
from painxai_gui.study.store import REPORT_KIND, StudyStore, read_table, write_json


@dataclass
class ReportResult:
    out: Path
    files: list[Path]
    seconds: float
    timings: dict[str, float]


def write_csv(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    names = list(dict.fromkeys(k for r in rows for k in r))
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, names, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: (f"{v:.6g}" if isinstance(v, float) else v) for k, v in row.items()})
    return path


def load_study(study: Path) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray] | None, dict[str, Any]]:
    store = StudyStore(study)
    record = store.read_record()
    if record is None or not (study / "rows.parquet").is_file():
        raise StudyError("not a finished study folder (record.json and rows.parquet are needed; run "
                         "`painxai study run` first)", study)
    sanity = read_table(study / "sanity.parquet") if (study / "sanity.parquet").is_file() else None
    return read_table(study / "rows.parquet"), sanity, record


def _fmt(v: float) -> str:
    return "-" if v is None or not np.isfinite(v) else f"{v:.3f}"


def _top_regions(table: list[dict[str, Any]], grouping: str) -> list[str]:
    lines = ["| class | method | first region (share, 95% CI) | second | interval of first excludes the others |",
             "|---|---|---|---|---|"]
    keys = list(dict.fromkeys((r["class"], r["method"]) for r in table if r["grouping"] == grouping))
    for cls, method in keys:
        rows = sorted((r for r in table if r["grouping"] == grouping and r["class"] == cls and r["method"] == method
                       and r["measure"] == "share"), key=lambda r: r["rank"])
        if len(rows) < 2:
            continue
        first, second = rows[0], rows[1]
        excludes = all(first["low"] > r["high"] for r in rows[1:])
        lines.append(f"| {cls} | {method} | {first['region']} {_fmt(first['mean'])} [{_fmt(first['low'])}, "
                     f"{_fmt(first['high'])}] | {second['region']} {_fmt(second['mean'])} | "
                     f"{'yes' if excludes else 'no'} |")
    return lines


def _markdown(record: dict[str, Any], rows: dict[str, np.ndarray], regions: list[dict[str, Any]],
              diffs: list[dict[str, Any]], methods: list[dict[str, Any]], faces: FaceResults,
              settings: dict[str, Any]) -> str:
    n_images = len(np.unique(rows["image"]))
    n_subjects = len(np.unique(np.asarray(rows["subject"]).astype(str)))
    models = ", ".join(f"`{m['sha256'][:12]}`" + (f" (fold {m['fold']})" if m.get("fold") else "")
                       for m in record.get("models", []))
    out = ["# Study report", "",
           f"{n_images} images of {n_subjects} subjects, methods {', '.join(methods_of(rows))}; models {models}. "
           f"Target: {record.get('settings', {}).get('target')} class. Intervals: 95% subject-level bootstrap "
           f"(B = {settings['bootstrap']}); class differences: paired sign-flip permutation over subjects "
           f"({settings['permutations']} permutations), Holm-corrected over all {len(diffs)} tests.", ""]
    for grouping in GROUPINGS:
        out += [f"## Facial regions by {grouping} class", "",
                "Positive share of relevance per region (full table with density and signed sums: `regions.csv`).",
                "", *_top_regions(regions, grouping), "",
                f"![regions](regions_{grouping}.png)", ""]
    significant = [d for d in diffs if np.isfinite(d["p_holm"]) and d["p_holm"] < 0.05]
    out += ["## Class differences", "", f"{len(significant)} of {len(diffs)} differences have Holm-adjusted "
            "p < 0.05 (all in `region_differences.csv`).", ""]
    if significant:
        out += ["| grouping | A - B | method | region | mean difference | subjects | p (Holm) |", "|---|---|---|---|---|---|---|"]
        out += [f"| {d['grouping']} | {d['class_a']} - {d['class_b']} | {d['method']} | {d['region']} | "
                f"{_fmt(d['mean_difference'])} | {d['subjects']} | {_fmt(d['p_holm'])} |"
                for d in sorted(significant, key=lambda d: d["p_holm"])[:40]]
        out.append("")
    out += ["## Methods compared", "",
            "| method | random del - del | ins - random ins | contrast | Spearman after stage 1 / 2 / 3 | SSIM stage 3 "
            "| sanity |", "|---|---|---|---|---|---|---|"]
    for m in methods:
        out.append(f"| {m['method']} | {_fmt(m['deletion_gain'])} [{_fmt(m['deletion_gain_low'])}, "
                   f"{_fmt(m['deletion_gain_high'])}] | {_fmt(m['insertion_gain'])} [{_fmt(m['insertion_gain_low'])}, "
                   f"{_fmt(m['insertion_gain_high'])}] | {_fmt(m['contrast'])} | "
                   f"{' / '.join(_fmt(m.get(f'spearman_stage{s}', np.nan)) for s in (1, 2, 3))} | "
                   f"{_fmt(m.get('ssim_stage3', np.nan))} | {m['sanity']} |")
    out += ["", "![methods](methods.png)", "", "## Average relevance faces", ""]
    out += [f"![average faces by {g} class](average_faces_{g}.png)" for g in GROUPINGS] + [""]
    flagged = [c for c in faces.clusters if c["off_face"]]
    out += ["## Clever Hans check (SpRAy)", "",
            f"{len(faces.clusters)} clusters; {len(flagged)} flagged off-face (more than half of their positive "
            "relevance outside the face regions).", "",
            "| class | method | cluster | size | share of `other` | off-face | examples |", "|---|---|---|---|---|---|---|"]
    out += [f"| {c['class']} | {c['method']} | {c['cluster']} | {c['size']} | {_fmt(c['share_other'])} | "
            f"{'**yes**' if c['off_face'] else 'no'} | {', '.join(c['examples'].split(';')[:3])} |"
            for c in faces.clusters]
    out += ["", "![clusters](clusters.png)", ""]
    if faces.notes:
        out += ["## Notes", "", *[f"- {n}" for n in faces.notes], ""]
    return "\n".join(out)


def make_report(study: str | Path, out: str | Path, *, bootstrap: int = stats.B,
                permutations: int = stats.PERMUTATIONS, seed: int = 0, spray_max: int = 2000, warp_size: int = 64,
                progress: Callable[[str], None] | None = None) -> ReportResult:
    """Write the report of a study folder into ``out``."""
    start, timings = time.perf_counter(), {}
    study, out = Path(study), Path(out)
    say = progress or (lambda message: None)
    rows, sanity, record = load_study(study)
    out.mkdir(parents=True, exist_ok=True)

    def timed(name: str, fn, *args, **kw):
        say(name)
        t = time.perf_counter()
        value = fn(*args, **kw)
        timings[name] = time.perf_counter() - t
        return value

    regions = timed("regions", region_table, rows, bootstrap, seed)
    diffs = timed("differences", difference_table, rows, permutations, seed)
    methods = timed("methods", method_table, rows, sanity, bootstrap, seed)
    faces = timed("faces", face_results, study, rows, warp_size, seed, spray_max)
    files = [write_csv(out / "regions.csv", regions), write_csv(out / "region_differences.csv", diffs),
             write_csv(out / "methods.csv", methods), write_csv(out / "clusters.csv", faces.clusters),
             write_csv(out / "cluster_members.csv", [{"class": cls, "method": method, "cluster": c, "image": int(i)}
                                                     for (cls, method, c), ids in faces.members.items()
                                                     for i in ids])]
    names = methods_of(rows)
    say("figures")
    t = time.perf_counter()
    for grouping in GROUPINGS:
        classes = list(dict.fromkeys(class_labels(rows, grouping)))
        files += figures.region_bars(regions, grouping, names, classes, out / f"regions_{grouping}")
        files += figures.average_faces(faces, grouping, names, classes, out / f"average_faces_{grouping}")
    files += figures.method_panels(methods, out / "methods")
    files += figures.cluster_grid(faces, out / "clusters")
    timings["figures"] = time.perf_counter() - t
    np.savez_compressed(out / "average_faces.npz", **{"|".join(k): v for k, v in faces.averages.items()},
                        template=faces.template.points if faces.template is not None else np.zeros((0, 2)))
    np.savez_compressed(out / "cluster_maps.npz", **{f"{cls}|{method}|{c}": v
                                                     for (cls, method, c), v in faces.cluster_maps.items()})
    files += [out / "average_faces.npz", out / "cluster_maps.npz"]
    settings = {"bootstrap": bootstrap, "permutations": permutations, "seed": seed, "spray_max": spray_max,
                "warp_size": warp_size}
    (out / "report.md").write_text(_markdown(record, rows, regions, diffs, methods, faces, settings), encoding="utf-8")
    files.append(out / "report.md")
    from painxai_gui.study.run import versions

    write_json(out / "report.json", REPORT_KIND, {"study": str(study.resolve()), "study_record": record, "settings": settings,
                                     "files": [p.name for p in files], "versions": versions(), "timings": timings,
                                     "notes": faces.notes, "created": time.strftime("%Y-%m-%dT%H:%M:%S")})
    files.append(out / "report.json")
    return ReportResult(out, files, time.perf_counter() - start, timings)
