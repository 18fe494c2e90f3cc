"""painxai_gui.files: atomic, durable writes with typed errors; JSON records stamped with kind and version."""

from __future__ import annotations

import errno
import json
import os
import stat
from pathlib import Path

import numpy as np
import pytest

from painxai_gui import files
from painxai_gui.errors import FileWriteError, ModelFileError, PainXAIError, RecordError
from painxai_gui.files import (TEMP_MARK, atomic_write, read_record, remove_stale_temps, write_csv,
                               write_record)


def _listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.fixture
def umask_077():
    """A strict umask, so that 0644 can only come from atomic_write's own chmod."""
    old = os.umask(0o077)
    yield
    os.umask(old)


def test_bytes_text_and_writer_land_exactly(tmp_path, umask_077):
    raw = bytes(range(256)) * 3
    assert atomic_write(tmp_path / "a.bin", raw) == tmp_path / "a.bin"
    assert (tmp_path / "a.bin").read_bytes() == raw
    atomic_write(tmp_path / "b.txt", "grüße\n")
    assert (tmp_path / "b.txt").read_bytes() == "grüße\n".encode("utf-8")
    array = np.arange(12, dtype=np.float32).reshape(3, 4)
    atomic_write(tmp_path / "c.npy", lambda tmp: np.save(tmp, array))  # np.save appends .npy unless it is there
    np.testing.assert_array_equal(np.load(tmp_path / "c.npy"), array)
    for name in ("a.bin", "b.txt", "c.npy"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o644, name
    assert _listing(tmp_path) == ["a.bin", "b.txt", "c.npy"]  # no temp file left
    atomic_write(tmp_path / "d.key", b"x", mode=0o600)
    assert stat.S_IMODE((tmp_path / "d.key").stat().st_mode) == 0o600


def test_replaces_an_existing_file_and_writer_gets_a_hidden_temp_with_the_suffix(tmp_path):
    target = tmp_path / "model.weights.h5"
    target.write_bytes(b"old")
    seen = []

    def writer(tmp: Path) -> None:
        seen.append(tmp)
        tmp.write_bytes(b"new")

    atomic_write(target, writer)
    assert target.read_bytes() == b"new"
    (tmp,) = seen
    assert tmp.parent == tmp_path and tmp.name.startswith(".model.weights.h5.")
    assert TEMP_MARK in tmp.name and tmp.name.endswith(".weights.h5") and not tmp.exists()


@pytest.mark.parametrize("failure", [ValueError("encoder broke"), KeyboardInterrupt()])
def test_failing_or_interrupted_writer_leaves_the_old_file_and_no_temp(tmp_path, failure):
    target = tmp_path / "panel.png"
    target.write_bytes(b"the old panel")
    temps = []

    def writer(tmp: Path) -> None:
        temps.append(tmp)
        tmp.write_bytes(b"half a pa")
        raise failure

    with pytest.raises(type(failure)):
        atomic_write(target, writer)
    assert target.read_bytes() == b"the old panel"
    assert temps and not temps[0].exists() and _listing(tmp_path) == ["panel.png"]


def test_disk_full_is_a_typed_error_naming_the_file(tmp_path):
    target = tmp_path / "crop.png"
    target.write_bytes(b"old")

    def writer(tmp: Path) -> None:
        tmp.write_bytes(b"partial")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    with pytest.raises(FileWriteError) as info:
        atomic_write(target, writer)
    err = info.value
    assert "disk full" in str(err) and str(target) in str(err) and err.path == target
    assert err.errno == errno.ENOSPC and isinstance(err, OSError) and isinstance(err, PainXAIError)
    assert target.read_bytes() == b"old" and _listing(tmp_path) == ["crop.png"]


def test_permission_denied_and_missing_folder_in_plain_words(tmp_path):
    def denied(tmp: Path) -> None:
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(tmp))

    with pytest.raises(FileWriteError, match="permission denied"):
        atomic_write(tmp_path / "x.csv", denied)
    with pytest.raises(FileWriteError, match="folder does not exist") as info:
        atomic_write(tmp_path / "nowhere" / "x.csv", b"data")
    assert info.value.path == tmp_path / "nowhere" / "x.csv"
    assert _listing(tmp_path) == []


def test_writer_reporting_failure_by_returning_false(tmp_path):
    with pytest.raises(FileWriteError, match="encoder reported a failure"):
        atomic_write(tmp_path / "x.png", lambda tmp: False)  # as cv2.imwrite does
    assert _listing(tmp_path) == []


def test_file_then_folder_are_fsynced_after_the_rename(tmp_path, monkeypatch):
    """Probe os.fsync (the real one still runs): which inode, a file or a folder, and what was visible then."""
    target = tmp_path / "record.json"
    calls = []
    real_fsync = os.fsync

    def probe(fd: int) -> None:
        info = os.fstat(fd)
        calls.append((stat.S_ISDIR(info.st_mode), info.st_ino,
                       target.read_bytes() if target.exists() else None))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", probe)
    atomic_write(target, b'{"a": 1}')
    atomic_write(target, lambda tmp: tmp.write_bytes(b'{"a": 2}'))
    file_ino, folder_ino = target.stat().st_ino, tmp_path.stat().st_ino
    assert [(d, ino) for d, ino, _ in calls[2:]] == [(False, file_ino), (True, folder_ino)]
    assert calls[0][0] is False and calls[0][2] is None  # the bytes reached the disk before the rename
    assert calls[1] == (True, folder_ino, b'{"a": 1}')  # the folder is synced once the new name is in it
    assert calls[3][2] == b'{"a": 2}'


def test_exclusive_never_replaces(tmp_path):
    target = tmp_path / "p.sqlite"
    atomic_write(target, b"first", exclusive=True)
    with pytest.raises(FileWriteError) as info:
        atomic_write(target, b"second", exclusive=True)
    assert info.value.errno == errno.EEXIST and "already exists" in str(info.value)
    assert target.read_bytes() == b"first" and _listing(tmp_path) == ["p.sqlite"]


def test_parents_and_csv(tmp_path):
    path = write_csv(tmp_path / "a" / "b" / "t.csv", ("x", "y"), [(1, "a,b"), (2, 'q"r')], parents=True)
    assert path.read_bytes() == b'x,y\n1,"a,b"\n2,"q""r"\n'


def test_remove_stale_temps(tmp_path):
    (tmp_path / "sub").mkdir()
    stale = [tmp_path / f".a.png.k2j4{TEMP_MARK}", tmp_path / "sub" / f".m.keras.x9{TEMP_MARK}.keras",
             tmp_path / "sub" / ".b.png.1234.tmp"]
    kept = [tmp_path / "a.png", tmp_path / "sub" / "notes.tmp"]
    for p in stale + kept:
        p.write_bytes(b"x")
    assert remove_stale_temps(tmp_path, (".*.tmp",)) == 3
    assert [p.exists() for p in stale + kept] == [False, False, False, True, True]


# ----------------------------------------------------------------------------------- records
def test_record_is_stamped_first_and_reads_back(tmp_path, umask_077):
    path = write_record(tmp_path / "r.json", "painxai-test", 2, {"b": [1, 2], "a": np.float32(0.5)},
                        default=lambda v: v.item())
    raw = json.loads(path.read_text())
    assert list(raw)[:2] == ["kind", "version"] and raw == {"kind": "painxai-test", "version": 2, "b": [1, 2],
                                                            "a": 0.5}
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    record = read_record(path, "painxai-test", 2)
    assert (record.kind, record.version, record.data) == ("painxai-test", 2, {"b": [1, 2], "a": 0.5})
    assert read_record(path, "painxai-test", 3).version == 2  # older versions stay readable


def test_record_checks_kind_and_version(tmp_path):
    path = write_record(tmp_path / "r.json", "painxai-panel", 3, {})
    with pytest.raises(RecordError, match="'painxai-panel' file, not a 'painxai-export' file") as info:
        read_record(path, "painxai-export", 3)
    assert info.value.path == path
    with pytest.raises(RecordError, match=r"newer PainXAI \(version 3; this one reads up to 2\)"):
        read_record(path, "painxai-panel", 2)
    for bad in ("2", True, 0):
        (tmp_path / "bad.json").write_text(json.dumps({"kind": "k", "version": bad}))
        with pytest.raises(RecordError, match="not a whole number"):
            read_record(tmp_path / "bad.json", "k", 5)
    with pytest.raises(ValueError, match="stamped"):
        write_record(tmp_path / "c.json", "k", 1, {"version": 2})


def test_records_written_before_stamps_still_read(tmp_path):
    old = tmp_path / "old.json"
    old.write_text(json.dumps({"identity": {"seed": 1}}))
    record = read_record(old, "painxai-train-run", 1)
    assert (record.kind, record.version, record.data) == (None, None, {"identity": {"seed": 1}})
    from painxai_gui.model.spec import read_sidecar

    sidecar = tmp_path / "m.json"  # a sidecar as PainXAI wrote it before kinds: "format" + "version"
    sidecar.write_text(json.dumps({"format": "painxai-model-sidecar", "version": 1, "class_names": ["a", "b"],
                                   "input_size": [8, 8], "mean": [0.5]*3}))
    spec = read_sidecar(sidecar)
    assert spec.class_names == ("a", "b") and spec.input_size == (8, 8) and spec.extra == {}


def test_record_errors_are_the_callers_type(tmp_path):
    with pytest.raises(ModelFileError, match="file not found"):
        read_record(tmp_path / "none.json", "k", 1, ModelFileError)
    (tmp_path / "broken.json").write_text("{broken")
    with pytest.raises(ModelFileError, match="not readable JSON"):
        read_record(tmp_path / "broken.json", "k", 1, ModelFileError)
    (tmp_path / "list.json").write_text("[1, 2]")
    with pytest.raises(RecordError, match="not a JSON object"):
        read_record(tmp_path / "list.json", "k", 1)


def test_one_atomic_write_in_the_package():
    """Only painxai_gui/files.py renames files into place (two modules being moved are ported at merge)."""
    root = Path(files.__file__).parent
    pending: set[str] = set()
    found = []
    for path in root.rglob("*.py"):
        rel = path.relative_to(root).as_posix()
        text = path.read_text(encoding="utf-8")
        if rel not in pending and any(s in text for s in ("os.replace(", "os.rename(", "mkstemp(", ".fsync(")):
            found.append(rel)
    assert found == ["files.py"]
