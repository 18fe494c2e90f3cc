"""Threads, slot-count changes, command round trips, malformed manifests through the API."""

from __future__ import annotations

import threading

import pytest

from painxai_gui.curation import Project
from painxai_gui.curation.commands import Command, ExclusionChange, MetaChange, SelectionChange
from painxai_gui.errors import DatasetError


def test_two_threads_share_a_project(project):
    videos = project.videos(role="slots")[:2]
    errors = []

    def work(video):
        try:
            for f in range(video.frame_count):
                project.select(video, f, allow_over_quota=True)
                project.selections(video)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(v,)) for v in videos]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert all(project.selections(v) == frozenset(range(v.frame_count)) for v in videos)
    assert len(project.history()) == sum(v.frame_count for v in videos)


def test_slot_count_change_is_undoable(project):
    v = project.videos(role="slots")[0]
    project.select_range(v, 0, 31, allow_over_quota=True)
    assert project.slot_counts(v) == (11, 10, 10)
    project.set_slot_count(2)
    assert project.slot_counts(v) == (16, 15) and project.quota == 12  # ceil(72 / (3 x 2))
    project.undo()
    assert project.slot_count == 3 and project.slot_counts(v) == (11, 10, 10)


def test_command_json_round_trip():
    command = Command("demo", "a demo", (
        SelectionChange("v", added=((1, "a", "t"),), removed=((2, "b", "u"),)),
        ExclusionChange("subject", "s", None, ("why", "a", "t")),
        MetaChange("quota", None, 107)))
    again = Command.from_json("a demo", command.to_json())
    assert again == command and again.videos == {"v"} and again.is_global


def test_malformed_manifest_refused(tmp_path, demo_tree):
    bad = tmp_path / "manifest.csv"
    bad.write_text("subject;video\n071309_w_21;x.mp4\n")
    with pytest.raises(DatasetError, match="missing columns") as err:
        Project.create(tmp_path / "p.sqlite", demo_tree, manifest=bad)
    assert err.value.path == bad.resolve() and not (tmp_path / "p.sqlite").exists()


def test_manifest_with_a_bad_row_is_kept_with_problems(tmp_path, demo_tree):
    manifest = tmp_path / "manifest.csv"
    lines = (demo_tree / "emotion_manifest.csv").read_text().splitlines()
    manifest.write_text("\n".join(lines + ["071309_w_21,disgust,emotion/nowhere.mp4", ",,"]) + "\n")
    with Project.create(tmp_path / "p.sqlite", demo_tree, manifest=manifest) as p:
        assert len(p.videos(role="slots")) == 6
        assert any("nowhere.mp4" in problem for problem in p.index_problems)
