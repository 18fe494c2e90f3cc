"""Export: layout, counts, manifest, folds, resumability, missing videos, no-face frames, cancel, sanitising."""

from __future__ import annotations

import csv
import threading

import cv2
import pytest

from curation_helpers import CentreCrops
from painxai_gui.curation.export import safe_name
from painxai_gui.files import read_record


def _fill(project, per_slot=2):
    """``per_slot`` frames in every slot, and the quota set to it: every subject complete.

    3 subjects x 24 pain frames against 6 x per_slot per emotion: not balanced, so the
    tests below export with ``allow_unbalanced`` (the balance rules: test_balance.py).
    """
    project.set_quota(per_slot)
    for v in project.videos(role="slots"):
        for start, _ in project.slot_bounds(v):
            project.select_range(v, start, start + per_slot)


def _manifest(out):
    with open(out / "manifest.csv", newline="") as fh:
        return list(csv.DictReader(fh))


def test_export_counts_layout_and_manifest(tmp_path, project):
    _fill(project)
    out = tmp_path / "out"
    summary = project.export(out, folds=2, crop_source=CentreCrops(), allow_unbalanced=True)
    # 3 subjects: 2 pain clips x 12 frames; 2 emotion videos x 3 slots x 2 frames
    assert summary.per_category == {"disgust": 18, "happiness": 18, "pain": 72}
    assert summary.written == summary.planned == 108 and not summary.missing_videos
    rows = _manifest(out)
    assert list(rows[0]) == ["path", "subject", "category", "source_video", "frame", "slot", "fold"]
    assert len(rows) == 108
    for row in rows:
        png = out / row["path"]
        assert png.parent.parent.name == row["category"] and png.parent.name == row["subject"]
        assert png.name.endswith(f"_f{int(row['frame']):05d}.png")
        assert cv2.imread(str(png)).shape == (256, 256, 3)
        assert (row["slot"] == "") == (row["category"] == "pain")
    folds = {}
    for row in rows:
        assert folds.setdefault(row["subject"], row["fold"]) == row["fold"]  # a subject in one fold
    assert sorted(set(folds.values())) == ["1", "2"]
    assert (out / "export.json").is_file()
    record = read_record(out / "export.json", "painxai-export", 1)
    assert record.version == 1 and record.data["summary"]["written"] == len(rows)


def test_rerun_is_idempotent(tmp_path, project):
    _fill(project, 1)
    out = tmp_path / "out"
    first = project.export(out, crop_source=CentreCrops(), folds=3, allow_unbalanced=True)
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*.png")}
    second = project.export(out, crop_source=CentreCrops(), folds=3, allow_unbalanced=True)
    assert second.written == 0 and second.skipped_existing == first.written
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*.png")} == before
    assert _manifest(out) == _manifest(out)  # rewritten identically
    broken = next(iter(before))
    broken.write_bytes(broken.read_bytes()[:100])  # a truncated file is redone
    third = project.export(out, crop_source=CentreCrops(), folds=3, allow_unbalanced=True)
    assert third.written == 1 and cv2.imread(str(broken)) is not None


def test_missing_video_and_no_face(tmp_path, project):
    _fill(project, 2)
    gone = project.videos("happiness")[0]
    gone.path.unlink()
    summary = project.export(tmp_path / "out", crop_source=CentreCrops(no_face={0, 1}), folds=3,
                             allow_unbalanced=True)
    assert summary.missing_videos == [gone.id]
    # frames 0 and 1 have no face in every video: 6 pain clips and 5 remaining emotion videos
    assert summary.no_face == 6 * 2 + 5 * 2
    assert summary.written == 108 - 6 - 6 * 2 - 5 * 2
    assert len(_manifest(tmp_path / "out")) == summary.written
    assert "missing videos" in summary.text


def test_cancel_then_resume(tmp_path, project):
    _fill(project, 2)
    out, cancel, seen = tmp_path / "out", threading.Event(), []

    def progress(done, total):
        seen.append(done)
        if done >= 20:
            cancel.set()

    summary = project.export(out, crop_source=CentreCrops(), progress=progress, cancel=cancel,
                             folds=3, allow_unbalanced=True)
    assert summary.cancelled and summary.written == 20 and summary.manifest is None
    assert not (out / "manifest.csv").exists()
    rest = project.export(out, crop_source=CentreCrops(), folds=3, allow_unbalanced=True)
    assert rest.skipped_existing == 20 and rest.written == 88 and len(_manifest(out)) == 108


def test_excluded_subject_not_exported(tmp_path, project):
    _fill(project, 1)
    victim = project.videos("pain")[0].subject
    project.exclude_subject(victim, "moved a lot")
    summary = project.export(tmp_path / "out", crop_source=CentreCrops(), folds=2, allow_unbalanced=True)
    assert summary.per_category == {"disgust": 6, "happiness": 6, "pain": 48}
    assert victim not in {r["subject"] for r in _manifest(tmp_path / "out")}


@pytest.mark.parametrize("raw, safe", [("071309_w_21", "071309_w_21"), ("../../etc", "_.._etc"),
                                       ("a/b\\c d", "a_b_c_d"), ("..", "_"), ("", "_"), ("é$x", "_x")])
def test_safe_name(raw, safe):
    assert safe_name(raw) == safe
