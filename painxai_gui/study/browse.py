"""What the Study window shows, read from a study folder (no Qt): tables, faces, clusters and their frames.

:func:`open_study` reads ``rows.parquet`` and ``record.json``. The class x
region table, the average relevance faces and the SpRAy clusters come from
the study's report (``painxai study report``) when there is one for exactly
this state of the study (``<study>/report`` or a folder beside the study whose
``report.json`` names it); otherwise they are computed from the Parquet table
by the report's own functions (:func:`region_table`, :func:`face_results`)
with the report's defaults. Frames are rows of ``rows.parquet`` (one per
image and method): :meth:`StudyBrowse.class_frames`, :meth:`StudyBrowse.cluster_frames`.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Callable

import numpy as np

from painxai_gui.study import stats
from painxai_gui.study.report import load_study
from painxai_gui.study.report_faces import face_results
from painxai_gui.study.report_tables import GROUPINGS, class_labels, class_names, methods_of, region_table

REPORT_FILES = ("report.json", "regions.csv", "clusters.csv", "cluster_members.csv", "average_faces.npz",
                "cluster_maps.npz")
MEASURES = ("share", "density", "signed")


@dataclass
class StudyBrowse:
    folder: Path
    record: dict[str, Any]
    rows: dict[str, np.ndarray]
    regions: list[dict[str, Any]]  # rows of region_table / regions.csv
    averages: dict[tuple[str, str, str], np.ndarray] = field(default_factory=dict)  # (grouping, class, method)
    clusters: list[dict[str, Any]] = field(default_factory=list)  # rows of clusters.csv
    cluster_maps: dict[tuple[str, str, int], np.ndarray] = field(default_factory=dict)
    members: dict[tuple[str, str, int], np.ndarray] = field(default_factory=dict)  # -> image ids
    template: np.ndarray | None = None  # 76 x 2 template points, fractions of the crop
    report: Path | None = None  # the report read, None when computed here

    @cached_property
    def methods(self) -> list[str]:
        return methods_of(self.rows)

    @cached_property
    def class_names(self) -> list[str]:
        return class_names(self.rows)

    def classes(self, grouping: str) -> list[str]:
        return [str(c) for c in dict.fromkeys(self._labels[grouping])]

    def regions_of(self) -> list[str]:
        return list(dict.fromkeys(r["region"] for r in self.regions))

    def cell(self, grouping: str, cls: str, method: str, measure: str, region: str) -> dict[str, Any] | None:
        """The table's row for one class x region (mean, low, high, rank, subjects, images)."""
        return self._cells.get((grouping, cls, method, measure, region))

    @cached_property
    def _cells(self) -> dict[tuple, dict[str, Any]]:
        return {(r["grouping"], r["class"], r["method"], r["measure"], r["region"]): r for r in self.regions}

    @cached_property
    def _methods(self) -> np.ndarray:
        return np.asarray(self.rows["method"]).astype(str)

    @cached_property
    def _labels(self) -> dict[str, np.ndarray]:
        return {g: class_labels(self.rows, g) for g in GROUPINGS}

    def class_frames(self, grouping: str, cls: str, method: str, region: str | None = None,
                     measure: str = "share") -> np.ndarray:
        """Row positions of ``cls``'s images for ``method``; with a region, highest value of it first."""
        picked = np.flatnonzero((self._labels[grouping] == cls) & (self._methods == method))
        if region is None:
            return picked
        values = np.asarray(self.rows[f"{measure}_{region}"], np.float64)[picked]
        order = np.lexsort((np.asarray(self.rows["image"])[picked], -np.nan_to_num(values, nan=-np.inf)))
        return picked[order]

    def cluster_frames(self, cls: str, method: str, cluster: int) -> np.ndarray:
        """Row positions of the images of one SpRAy cluster (by image)."""
        ids = self.members.get((cls, method, int(cluster)), np.zeros(0, np.int64))
        picked = np.flatnonzero((self._methods == method) & np.isin(np.asarray(self.rows["image"]), ids))
        return picked[np.argsort(np.asarray(self.rows["image"])[picked], kind="stable")]

    def model_path(self, sha256: str) -> Path | None:
        """The file of the study's model with this hash (the fold model that explained a row), if recorded."""
        for entry in self.record.get("models") or []:
            if entry.get("sha256") == sha256 and entry.get("path"):
                return Path(entry["path"])
        return None

    def predicted_name(self, row: int) -> str:
        return self.class_names[int(self.rows["predicted"][row])]


def find_report(study: Path, record: dict[str, Any]) -> Path | None:
    """A report folder made from exactly this state of ``study`` (``<study>/report`` or beside it)."""
    study = study.resolve()
    candidates = [study / "report"]
    try:
        candidates += sorted(p for p in study.parent.iterdir() if p.is_dir() and p != study)
    except OSError:
        pass
    for folder in candidates:
        if all((folder / name).is_file() for name in REPORT_FILES) and _made_from(folder, study, record):
            return folder
    return None


def _made_from(report: Path, study: Path, record: dict[str, Any]) -> bool:
    try:
        data = json.loads((report / "report.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (isinstance(data, dict) and Path(str(data.get("study", ""))) == study
            and (data.get("study_record") or {}).get("state") == record.get("state"))


def _csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _read_report(browse: StudyBrowse, report: Path) -> None:
    browse.regions = [dict(r, mean=float(r["mean"]), low=float(r["low"]), high=float(r["high"]), rank=int(r["rank"]),
                           subjects=int(r["subjects"]), images=int(r["images"])) for r in _csv(report / "regions.csv")]
    browse.clusters = [dict(c, cluster=int(c["cluster"]), k=int(c["k"]), size=int(c["size"]),
                            share_other=float(c["share_other"]), off_face=c["off_face"] == "True")
                       for c in _csv(report / "clusters.csv")]
    members: dict[tuple[str, str, int], list[int]] = {}
    for m in _csv(report / "cluster_members.csv"):
        members.setdefault((m["class"], m["method"], int(m["cluster"])), []).append(int(m["image"]))
    browse.members = {k: np.asarray(v, np.int64) for k, v in members.items()}
    with np.load(report / "average_faces.npz") as faces:
        browse.template = faces["template"] if len(faces["template"]) else None
        browse.averages = {tuple(k.split("|")): faces[k] for k in faces.files if k != "template"}
    with np.load(report / "cluster_maps.npz") as maps:
        browse.cluster_maps = {(k.split("|")[0], k.split("|")[1], int(k.split("|")[2])): maps[k] for k in maps.files}
    browse.report = report


def _compute(browse: StudyBrowse, progress: Callable[[int, int], None] | None) -> None:
    """The report's tables and faces, by the report's functions and defaults, without writing anything."""
    browse.regions = region_table(browse.rows, stats.B, 0)
    faces = face_results(browse.folder, browse.rows, progress=progress)
    browse.averages, browse.clusters = faces.averages, faces.clusters
    browse.cluster_maps, browse.members = faces.cluster_maps, faces.members
    browse.template = faces.template.points if faces.template is not None else None


def open_study(folder: str | Path, progress: Callable[[int, int], None] | None = None) -> StudyBrowse:
    """Everything the Study window shows; :class:`StudyError` naming the folder when it is not a study."""
    folder = Path(folder)
    rows, _sanity, record = load_study(folder)
    browse = StudyBrowse(folder, record, rows, [])
    report = find_report(folder, record)
    if report is not None:
        _read_report(browse, report)
    else:
        _compute(browse, progress)
    return browse


def export_project(record: dict[str, Any]) -> Path | None:
    """The curation project the study's manifest was exported from (its ``export.json``), if it still exists."""
    manifest = Path(str((record.get("inputs") or {}).get("manifest", "")))
    try:
        data = json.loads((manifest.parent / "export.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    project = Path(str(data.get("project", ""))) if isinstance(data, dict) and data.get("project") else None
    return project if project is not None and project.is_file() else None


__all__ = ["GROUPINGS", "MEASURES", "StudyBrowse", "export_project", "find_report", "open_study"]
