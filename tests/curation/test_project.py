"""Project API: selections, undo/redo, persistence, exclusions, quota, settings, notifications, locking."""

from __future__ import annotations

import os
import sqlite3

import pytest

from painxai_gui.curation import Project
from painxai_gui.errors import ProjectError


def _emotion(p, k=0):
    return p.videos(role="slots")[k]


def test_videos_and_roles(project):
    videos = project.videos()
    assert len(videos) == 12 and {v.category for v in videos} == {"pain", "disgust", "happiness"}
    v = _emotion(project)
    assert project.video(v.id) == v and v.path.is_file() and v.frame_count == 31
    assert {x.role for x in project.videos("pain")} == {"all_frames"}
    with pytest.raises(ProjectError, match="no video"):
        project.selections("nope.mp4")
    with pytest.raises(ProjectError, match="Part A clip"):
        project.select(project.videos("pain")[0], 0)
    with pytest.raises(ProjectError, match="outside"):
        project.select(v, 31)


def test_select_unselect_range_clear(project):
    v = _emotion(project)
    assert project.select(v, 3) == 1 and project.select(v.id, 3) == 0
    assert project.select_range(v, 5, 15) == 10
    assert project.selections(v) == frozenset({3, *range(5, 15)})
    assert project.slot_counts(v) == (7, 4, 0)  # 31 frames -> slots [0,11) [11,21) [21,31)
    assert project.unselect(v, 3) == 1 and project.unselect(v, 3) == 0
    assert project.clear_slot(v, 0) == 6
    assert project.selections(v) == frozenset(range(11, 15))
    assert project.unselect_range(v, 0, 31) == 4 and project.selections(v) == frozenset()


def test_undo_redo_sequence_and_redo_branch(project):
    v, w = _emotion(project, 0), _emotion(project, 1)
    project.select_range(v, 0, 5)
    project.select(w, 7)
    project.clear_slot(v, 0)
    assert project.undo_description == f"clear slot 1 of {v.id}"
    assert project.undo() == f"clear slot 1 of {v.id}" and project.selections(v) == frozenset(range(5))
    assert project.undo() == f"select frame 7 of {w.id}" and project.selections(w) == frozenset()
    assert project.can_redo and project.redo_description == f"select frame 7 of {w.id}"
    assert project.redo() and project.selections(w) == {7}
    project.select(v, 20)  # a new operation drops the redo branch
    assert not project.can_redo and project.redo() is None
    while project.can_undo:
        project.undo()
    assert project.selections(v) == frozenset() and project.selections(w) == frozenset()
    assert project.undo() is None


def test_undo_restores_who_selected(project):
    v = _emotion(project)
    project.select(v, 1)
    project.annotator = "bob"
    project.select(v, 2)
    project.clear_slot(v, 0)
    project.undo()
    rows = project._store.read("SELECT frame, annotator FROM selections ORDER BY frame")
    assert rows == [(1, "alice"), (2, "bob")]
    log = project.audit_log()
    assert [(e.annotator, e.action) for e in log[-4:]] == [
        ("alice", "select"), ("bob", "select"), ("bob", "clear_slot"), ("bob", "undo")]


def test_persistence_across_reopen(tmp_path, project):
    v = _emotion(project)
    project.select_range(v, 0, 4)
    project.exclude_subject(v.subject, "talked to the study leaders")
    project.set_quota(5)
    project.undo()
    project.set_setting("layout", {"docks": ["video", "slots"], "zoom": 1.5})
    path = project.path
    project.close()
    with Project.open(path, annotator="carol") as p:
        assert p.selections(v) == frozenset(range(4))
        assert p.is_excluded(v) and p.exclusions()[0].reason == "talked to the study leaders"
        assert not p.quota_is_set and p.redo_description == "set quota to 5"
        assert p.get_setting("layout") == {"docks": ["video", "slots"], "zoom": 1.5}
        assert p.redo() == "set quota to 5" and p.quota == 5
        assert p.undo() == "set quota to 5"
        assert p.undo().startswith("exclude subject") and not p.is_excluded(v)
        assert p.audit_log()[-1].annotator == "carol"


def test_quota_follows_exclusions(tmp_path):
    # 3 subjects x 2 clips x 12 frames = 72 pain frames; 3 subjects per emotion, 3 slots;
    # 40-frame emotion videos (slots of 14, 13, 13): the cap of 13 leaves the quota of 12 alone
    from curation_helpers import make_dataset

    data = make_dataset(tmp_path / "data", emotion_frames=40, write=False)
    project = Project.create(tmp_path / "p.sqlite", data.root, index=data, annotator="alice")
    assert project.pain_frames() == 72 and project.quota == 8  # ceil(72 / 9)
    v = _emotion(project)
    project.exclude_video(v, "no disgust shown")
    assert project.emotion_subjects()[v.category] == 2 and project.quota == 12  # ceil(72 / 6)
    project.exclude_subject(v.subject, "left early")
    assert project.pain_frames() == 48 and project.quota == 8  # ceil(48 / 6)
    project.set_quota(3)
    assert project.quota == 3 and project.quota_is_set
    project.select_range(_emotion(project, 1), 0, 5, allow_over_quota=True)
    slot = project.slots(_emotion(project, 1))[0]
    assert slot.selected == 5 and slot.over and project.progress_text(_emotion(project, 1)) == "5/3, 0/3, 0/3"
    with pytest.raises(ProjectError, match="reason"):
        project.exclude_subject(v.subject, "  ")
    project.close()


def test_suggestions_distinct_until_accepted(project):
    v = _emotion(project)
    project.set_quota(4)
    project.select(v, 0)
    no_face = {1, 2, 3}
    suggested = project.suggest(v, 0, has_face=lambda f: f not in no_face)
    assert len(suggested) == 3 and not suggested & project.selections(v) and not suggested & no_face
    assert project.slots(v)[0].suggested == 3
    assert project.accept_suggestions(v, 0) == 3
    assert project.suggestions(v) == frozenset() and project.slot_counts(v)[0] == 4
    project.undo()
    assert project.suggestions(v) == suggested and project.selections(v) == {0}
    project.set_predictions(v, {f: f / 31 for f in range(31)})
    top = project.suggest(v, 2, strategy="confidence")
    assert top == suggested | {27, 28, 29, 30}  # slot 3 is [21, 31); slot 1 keeps its suggestions


def test_change_notifications(project):
    seen = []
    unsubscribe = project.subscribe(seen.append)
    v = _emotion(project)
    project.select(v, 1)
    project.exclude_subject(v.subject, "x")
    project.undo()
    assert [c.action for c in seen] == ["select", "exclude_subject", "undo"]
    assert seen[0].videos == {v.id} and not seen[0].global_ and seen[1].global_
    unsubscribe()
    project.select(v, 2)
    assert len(seen) == 3


def test_second_writer_is_told_readers_work(project):
    v = _emotion(project)
    project.select(v, 4)
    with pytest.raises(ProjectError, match="already open for writing"):
        Project.open(project.path)
    with Project.open(project.path, read_only=True) as reader:
        assert reader.selections(v) == {4}
        with pytest.raises(ProjectError, match="read-only"):
            reader.select(v, 5)


def test_read_only_file(tmp_path, project):
    v = _emotion(project)
    project.select(v, 4)
    path = project.path
    project.close()
    os.chmod(path, 0o444)
    try:
        with pytest.raises(ProjectError, match="read-only") as err:
            Project.open(path)
        assert str(path) in str(err.value)
        with Project.open(path, read_only=True) as p:
            assert p.selections(v) == {4} and p.report().completeness
    finally:
        os.chmod(path, 0o644)


def test_not_a_project_and_newer_schema(tmp_path):
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"hello, not sqlite" * 100)
    with pytest.raises(ProjectError, match="not a PainXAI project"):
        Project.open(junk, read_only=True)
    other = tmp_path / "other.sqlite"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    with pytest.raises(ProjectError, match="not a PainXAI project"):
        Project.open(other)
    with pytest.raises(ProjectError, match="not found"):
        Project.open(tmp_path / "missing.sqlite")


def test_newer_schema_refused(project):
    path = project.path
    project.close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(ProjectError, match="newer"):
        Project.open(path)


def test_create_never_overwrites(tmp_path, dataset, project):
    with pytest.raises(ProjectError, match="already exists"):
        Project.create(project.path, dataset.root, index=dataset)
    assert project.videos()  # untouched


def test_moved_dataset_root(tmp_path, dataset, project):
    v = _emotion(project)
    project.select(v, 2)
    moved = tmp_path / "moved"
    dataset.root.rename(moved)
    assert project.root_missing
    with pytest.raises(ProjectError, match="relocate"):
        project.export(tmp_path / "out")
    with pytest.raises(ProjectError, match="none of the project's"):
        project.relocate(tmp_path)
    assert project.relocate(moved) == 0
    assert not project.root_missing and project.video(v.id).path == moved / v.id
    assert project.video(v.id).path.is_file() and project.selections(v) == {2}


def test_integrity_and_pragmas(project):
    conn = sqlite3.connect(project.path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    conn.close()
