"""Typed errors of the curation core: who holds the lock, SQLite result codes, atomic project creation."""

from __future__ import annotations

import os
import socket
import sqlite3

import pytest

from painxai_gui.curation import Project
from painxai_gui.curation.lock import lock_path
from painxai_gui.curation.store import _wrap
from painxai_gui.errors import ProjectError, ProjectLockedError


def test_a_locked_project_names_its_holder(project):
    with pytest.raises(ProjectLockedError) as info:
        Project.open(project.path, annotator="bob")
    err = info.value
    assert isinstance(err, ProjectError) and err.path == project.path
    assert (err.annotator, err.pid, err.host) == ("alice", os.getpid(), socket.gethostname())
    assert f"by alice, pid {os.getpid()} on {socket.gethostname()}" in str(err)


def test_an_unreadable_lock_record_still_gives_a_locked_error(project):
    with open(lock_path(project.path), "w", encoding="utf-8") as handle:  # the lock is advisory: we can write
        handle.write("not json")
    with pytest.raises(ProjectLockedError, match="by another process") as info:
        Project.open(project.path)
    assert (info.value.annotator, info.value.pid, info.value.host) == (None, None, None)


def test_other_project_errors_are_not_lock_errors(tmp_path):
    with pytest.raises(ProjectError) as info:
        Project.open(tmp_path / "missing.sqlite")
    assert not isinstance(info.value, ProjectLockedError)


def _table(path):
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()


def test_sqlite_errors_are_told_by_result_code(tmp_path):
    path = tmp_path / "db.sqlite"
    _table(path)
    reader = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    with pytest.raises(sqlite3.Error) as info:
        reader.execute("INSERT INTO t VALUES (1)")
    assert _wrap(info.value, path).problem == "project file cannot be written (read-only)"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    with pytest.raises(sqlite3.Error) as info:
        other.execute("BEGIN IMMEDIATE")
    assert _wrap(info.value, path).problem == "project file is busy (another process holds a write lock)"
    with pytest.raises(sqlite3.Error) as info:
        other.execute("SELECT * FROM no_such_table")
    wrapped = _wrap(info.value, path)
    assert wrapped.problem == "database error: no such table: no_such_table" and wrapped.path == path
    for conn in (reader, holder, other):
        conn.close()


def test_project_creation_never_replaces_and_leaves_no_temp(tmp_path, dataset):
    path = tmp_path / "p.sqlite"
    Project.create(path, dataset.root, index=dataset, annotator="alice").close()
    size = path.stat().st_size
    with pytest.raises(ProjectError, match="already exists"):
        Project.create(path, dataset.root, index=dataset, annotator="bob")
    assert path.stat().st_size == size
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "p.sqlite", "p.sqlite.lock"]  # no temp, no -wal
    with Project.open(path) as p:
        assert len(p.videos()) == 12
