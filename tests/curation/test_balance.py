"""Balanced means balanced: complete subjects only, counts checked before writing, a feasible quota.

The ``project`` fixture: 3 subjects, each 2 pain clips of 12 frames (24 pain
frames) and a disgust and a happiness video of 31 frames (slots of 11, 10, 10);
computed quota ceil(72 / (3 x 3)) = 8, cap 10.
"""

from __future__ import annotations

import csv
import dataclasses

import pytest

from curation_helpers import CentreCrops, make_dataset
from painxai_gui.cli import main
from painxai_gui.curation import Project
from painxai_gui.errors import ExportError, ProjectError, QuotaError


def _complete(project, subject, per_slot):
    for video in project.videos(role="slots"):
        if video.subject == subject:
            for start, _ in project.slot_bounds(video):
                project.select_range(video, start, start + per_slot)


def _cli(*argv):
    try:
        return main([str(a) for a in argv])
    except SystemExit as exc:
        return exc.code


def _manifest(out):
    with open(out / "manifest.csv", newline="") as fh:
        return list(csv.DictReader(fh))


def test_export_writes_only_subjects_whose_emotion_videos_are_complete(tmp_path, project):
    first, second, third = sorted(project.subjects())
    _complete(project, first, 8)
    project.select_range(project.videos("disgust")[1], 0, 8)  # second subject: one slot of one video
    summary = project.export(tmp_path / "out", folds=1, crop_source=CentreCrops())
    assert summary.per_category == {"pain": 24, "disgust": 24, "happiness": 24} and summary.balanced
    assert {row["subject"] for row in _manifest(tmp_path / "out")} == {first}
    plan = project.balance()
    assert plan.subjects == (first,) and [item.subject for item in plan.left_out] == [second, third]
    short = plan.left_out[0].short
    assert plan.left_out[0].reason == "emotion videos not complete" and len(short) == 5  # 6 slots, 1 full
    assert (short[0].video, short[0].slot, short[0].selected, short[0].quota) == (
        project.videos("disgust")[1].id, 2, 0, 8)


def test_unbalanced_set_is_refused_before_anything_is_written(tmp_path, project):
    first, second, _ = sorted(project.subjects())
    project.set_quota(5)
    _complete(project, first, 5)  # pain 24 against disgust 15, happiness 15
    out = tmp_path / "out"
    with pytest.raises(ExportError) as info:
        project.export(out, folds=1, crop_source=CentreCrops())
    message = str(info.value)
    assert "pain 24, disgust 15 (-37.5%), happiness 15 (-37.5%)" in message and "5%" in message
    assert f"{second}: emotion videos not complete" in message and "slot 1 0/5" in message
    assert "--allow-unbalanced" in message
    assert not out.exists() or not any(out.iterdir())
    summary = project.export(out, folds=1, crop_source=CentreCrops(), allow_unbalanced=True)
    assert summary.per_category == {"pain": 24, "disgust": 15, "happiness": 15} and not summary.balanced
    assert "NOT BALANCED" in summary.text
    entry = project.audit_log()[-1]
    assert entry.action == "export" and entry.details["allow_unbalanced"] is True


def test_a_fresh_project_exports_nothing_and_says_why(tmp_path, project, capsys):
    with pytest.raises(ExportError, match="nothing to export: no subject is complete"):
        project.export(tmp_path / "out", crop_source=CentreCrops())
    assert not list(tmp_path.rglob("*.png"))
    path = project.path
    project.close()
    code = _cli("project", "export", path, "--out", tmp_path / "cli")
    captured = capsys.readouterr()
    assert code == 1 and "will write 0 frames" in captured.out
    assert captured.err.strip().startswith("painxai: error:") and "nothing to export" in captured.err
    assert not list(tmp_path.rglob("*.png"))


def test_report_tables_show_what_the_export_writes(tmp_path, project):
    first = sorted(project.subjects())[0]
    _complete(project, first, 8)
    report = project.report()
    after = {row[1]: row[5:] for row in report.balance}
    assert after == {"pain intensity 3": (1, 12), "pain intensity 4": (1, 12),
                     "disgust": (1, 24), "happiness": (1, 24)}
    classes = {row[0]: row[2] for row in report.classes}
    summary = project.export(tmp_path / "out", folds=1, crop_source=CentreCrops())
    assert classes == summary.per_category == {"pain": 24, "disgust": 24, "happiness": 24}
    assert [row[0] for row in report.left_out] == sorted(project.subjects())[1:]
    assert "balanced within 5% of pain" in report.text()


def test_thesis_plan_is_balanced(tmp_path):
    from test_thesis_numbers import _thesis_index

    root = tmp_path / "biovid"
    root.mkdir()
    with Project.create(tmp_path / "t.painxai", root, index=_thesis_index(root), annotator="t") as p:
        p.exclude_video("emotion/s075-disgust.mp4", "turned away from the camera and talked")
        for video in p.videos(role="slots", included=True):
            for start, _ in p.slot_bounds(video):
                p.select_range(video, start, start + 107)
        plan = p.balance()
    # 87 pain subjects (12 without emotion videos enter with their pain clips), 75 x 321 per emotion
    assert dict(plan.per_category) == {"pain": 24_012, "disgust": 24_075, "happiness": 24_075}
    assert plan.balanced and len(plan.subjects) == 87 and plan.left_out == ()
    assert plan.gaps()["disgust"] == pytest.approx(63 / 24_012)


def _capped_project(tmp_path):
    """Pain 3 x 2 x 60 = 360 frames: balancing wants ceil(360 / 9) = 40 per slot; one video has 25 frames."""
    data = make_dataset(tmp_path / "data", clip_frames=60, emotion_frames=31, write=False)
    short = next(v for v in data.videos if v.category == "happiness")
    data.videos = [dataclasses.replace(v, frame_count=25) if v is short else v for v in data.videos]
    return Project.create(tmp_path / "p.painxai", data.root, index=data, annotator="a"), short.id


def test_quota_is_capped_by_the_shortest_slot(tmp_path):
    project, short = _capped_project(tmp_path)
    with project:
        assert project.quota == 8 and not project.quota_is_set
        assert project.balancing_quota() == 40
        cap = project.quota_cap()
        assert (cap.cap, cap.videos) == (8, (short,))  # 25 frames in 3 slots: 9, 8, 8
        with pytest.raises(ProjectError, match=f"quota 9 is more than a slot can hold: the shortest slot has 8 "
                                               f"frames \\({short}\\)"):
            project.set_quota(9)
        assert project.set_quota(8) and project.quota == 8
        project.exclude_video(short, "too short")
        assert project.quota_cap().cap == 10 and project.computed_quota() == 10


def test_init_and_status_report_the_cap(tmp_path, capsys):
    from painxai_gui.demo_data import generate_demo_tree

    root = tmp_path / "biovid"
    generate_demo_tree(root, size=(160, 120), part_a_frames=40, emotion_frames=30)  # wants 27, slots hold 10
    path = tmp_path / "p.painxai"
    assert _cli("project", "init", path, "--root", root) == 0
    out = capsys.readouterr().out
    assert "quota 10 per slot" in out and "capped at 10" in out and "27 would balance" in out
    assert _cli("project", "quota", path, "11") == 1
    err = capsys.readouterr().err
    assert "quota 11 is more than a slot can hold: the shortest slot has 10 frames" in err
    assert _cli("project", "report", path) == 0
    assert "capped at 10" in capsys.readouterr().out


def test_selecting_beyond_the_quota_is_refused_unless_overridden(project):
    video = project.videos("disgust")[0]
    assert project.select_range(video, 0, 8) == 8  # slot 1 (frames 0..10) full at 8
    with pytest.raises(QuotaError, match="slot 1 would hold 9 frames, the quota is 8") as info:
        project.select(video, 8)
    assert info.value.slots == [(1, 9, 8)] and info.value.video == video.id
    with pytest.raises(QuotaError):
        project.select_range(video, 5, 15)  # frames 8..10 go beyond in slot 1
    assert project.selections(video) == frozenset(range(8))
    assert project.select(video, 11) == 1  # slot 2 still has room
    assert project.select(video, 8, allow_over_quota=True) == 1
    entry = project.audit_log()[-1]
    assert entry.action == "select" and entry.details["over_quota"] == [{"slot": 1, "selected": 9, "quota": 8}]
    assert "over_quota" not in project.audit_log()[-2].details
    project.unselect(video, 8)
    assert len(project.suggest(video, 1, check_faces=False)) == 7  # slot 2 (11..20) holds frame 11
    free = [f for f in range(12, 21) if f not in project.suggestions(video)][0]
    project.select(video, free)
    with pytest.raises(QuotaError, match="slot 2 would hold 9 frames"):
        project.accept_suggestions(video, 1)
    assert project.accept_suggestions(video, 1, allow_over_quota=True) == 7


def test_more_folds_than_subjects_is_an_error(tmp_path, project, capsys):
    for subject in project.subjects():
        _complete(project, subject, 8)
    with pytest.raises(ExportError, match="5 folds need at least 5 subjects, but the set has 3"):
        project.export(tmp_path / "out", folds=5, crop_source=CentreCrops())
    assert not list(tmp_path.rglob("*.png"))
    path = project.path
    project.close()
    assert _cli("project", "export", path, "--out", tmp_path / "cli", "--folds", "4") == 1
    assert "4 folds need at least 4 subjects" in capsys.readouterr().err
