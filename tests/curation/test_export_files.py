"""Export touches only its own files: a ledger with size and hash, foreign files never changed or deleted."""

from __future__ import annotations

import csv
import hashlib

import cv2
import numpy as np
import pytest

from curation_helpers import CentreCrops
from painxai_gui.curation import export as export_module
from painxai_gui.curation import ledger as ledger_module
from painxai_gui.curation.export import plan_export
from painxai_gui.curation.ledger import FolderLock
from painxai_gui.errors import ExportError
from painxai_gui.files import TEMP_MARK, read_record

OPTIONS = {"folds": 3, "allow_unbalanced": True}  # 3 subjects; pain 24 vs 6 per emotion each


@pytest.fixture
def ready(project):
    """Every subject complete with 2 frames per slot (quota 2): 72 pain + 18 + 18 crops."""
    project.set_quota(2)
    for v in project.videos(role="slots"):
        for start, _ in project.slot_bounds(v):
            project.select_range(v, start, start + 2)
    return project


def _export(project, out, **extra):
    return project.export(out, crop_source=CentreCrops(), **{**OPTIONS, **extra})


def _snapshot(folder):
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _manifest_paths(out):
    with open(out / "manifest.csv", newline="") as fh:
        return [row["path"] for row in csv.DictReader(fh)]


def _tiny_png() -> bytes:
    ok, data = cv2.imencode(".png", np.zeros((1, 1, 3), np.uint8))
    assert ok
    return data.tobytes()


def test_foreign_files_in_the_folder_are_never_deleted(tmp_path, ready):
    out = tmp_path / "out"
    (out / "sub").mkdir(parents=True)
    (out / ".notes.tmp").write_text("my notes")
    (out / "sub" / ".cache.tmp").write_text("another app's temp file")
    (out / "readme.txt").write_text("not ours")
    before = _snapshot(out)
    with pytest.raises(ExportError, match="no export ledger") as info:
        _export(ready, out)
    assert "--force" in str(info.value) and _snapshot(out) == before
    summary = _export(ready, out, force=True)
    assert summary.written == 108 and summary.removed_temp_files == 0
    after = _snapshot(out)
    assert {k: after[k] for k in before} == before


def test_a_file_in_the_way_is_left_alone_and_not_listed(tmp_path, ready):
    out = tmp_path / "out"
    planned = plan_export(ready)[0].rel_path
    blocker = out / planned
    blocker.parent.mkdir(parents=True)
    blocker.write_bytes(_tiny_png())  # a complete 1x1 black PNG with a planned name
    with pytest.raises(ExportError):
        _export(ready, out)
    summary = _export(ready, out, force=True)
    assert blocker.read_bytes() == _tiny_png()
    assert summary.in_the_way == [planned] and summary.written == 107 and summary.skipped_existing == 0
    assert planned not in _manifest_paths(out) and len(_manifest_paths(out)) == 107
    assert "in the way" in summary.text
    with pytest.raises(ExportError, match="1 planned files already exist"):
        _export(ready, out)  # still not ours: forced again, or moved away
    again = _export(ready, out, force=True)
    assert again.in_the_way == [planned] and again.skipped_existing == 107 and blocker.read_bytes() == _tiny_png()


def test_an_identical_file_already_there_is_adopted(tmp_path, ready):
    first = _export(ready, tmp_path / "a")
    assert first.written == 108
    copy = tmp_path / "b"
    rel = plan_export(ready)[0].rel_path
    (copy / rel).parent.mkdir(parents=True)
    (copy / rel).write_bytes((tmp_path / "a" / rel).read_bytes())
    summary = _export(ready, copy, force=True)
    assert summary.adopted == 1 and summary.written == 107 and rel in _manifest_paths(copy)


def test_a_manifest_not_written_by_an_export_is_never_overwritten(tmp_path, ready):
    out = tmp_path / "out"
    out.mkdir()
    (out / "manifest.csv").write_text("path,label\nmine.png,1\n")
    for force in (False, True):
        with pytest.raises(ExportError, match="manifest.csv here was not written by a PainXAI export"):
            _export(ready, out, force=force)
    assert (out / "manifest.csv").read_text() == "path,label\nmine.png,1\n"
    assert not list(out.rglob("*.png"))


def test_the_ledger_lists_every_file_with_size_and_hash(tmp_path, ready):
    out = tmp_path / "out"
    _export(ready, out)
    record = read_record(out / "export-ledger.json", "painxai-export-ledger", 1)
    files = record.data["files"]
    on_disk = _snapshot(out)
    assert set(files) == set(on_disk) - {"export-ledger.json"}  # journal folded in and removed
    assert {"manifest.csv", "export.json"} <= set(files) and len(files) == 108 + 2
    for rel, entry in files.items():
        data = (out / rel).read_bytes()
        assert entry == {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    assert record.data["complete"] is True


def test_resume_skips_only_files_whose_hash_still_matches(tmp_path, ready):
    out = tmp_path / "out"
    _export(ready, out)
    rel = plan_export(ready)[5].rel_path
    ours = (out / rel).read_bytes()
    ok, other = cv2.imencode(".png", np.full((256, 256, 3), 200, np.uint8))
    (out / rel).write_bytes(other.tobytes())  # a complete PNG, but not the one we wrote
    summary = _export(ready, out)
    assert summary.written == 1 and summary.skipped_existing == 107
    assert (out / rel).read_bytes() == ours


def test_only_own_temp_files_are_removed(tmp_path, ready):
    out = tmp_path / "out"
    _export(ready, out)
    rel = plan_export(ready)[3].rel_path
    own = out / rel.rsplit("/", 1)[0] / f".{rel.rsplit('/', 1)[1]}.k3j9x{TEMP_MARK}"
    own.write_bytes(b"half a png")
    own_manifest = out / f".manifest.csv.abc{TEMP_MARK}"
    own_manifest.write_text("half")
    foreign = [out / f".notes.txt.abc{TEMP_MARK}", out / "pain" / ".draft.tmp", out / ".x.tmp"]
    for path in foreign:
        path.write_text("not ours")
    summary = _export(ready, out)
    assert summary.removed_temp_files == 2 and not own.exists() and not own_manifest.exists()
    assert all(path.read_text() == "not ours" for path in foreign)


def test_files_no_longer_in_the_set_are_removed_foreign_ones_kept(tmp_path, ready):
    out = tmp_path / "out"
    _export(ready, out)
    victim = sorted(ready.subjects())[0]
    folder = out / "pain" / victim
    (folder / "notes.txt").write_text("mine")
    ready.exclude_subject(victim, "moved a lot")
    summary = _export(ready, out, folds=2)
    assert summary.removed_stale == 36 and summary.written == 0
    assert sorted(p.name for p in folder.iterdir()) == ["notes.txt"]
    assert all(victim not in p for p in _manifest_paths(out))


def test_the_ledger_is_committed_after_one_sync(tmp_path, ready, monkeypatch):
    events = []
    real_write, real_sync = export_module.atomic_write, export_module.sync_file_system
    real_record = ledger_module.write_record

    def write(path, data, **kw):
        events.append(("write", path.name, kw.get("durable", True)))
        return real_write(path, data, **kw)

    monkeypatch.setattr(export_module, "atomic_write", write)
    monkeypatch.setattr(export_module, "sync_file_system", lambda folder: (events.append(("sync",)),
                                                                           real_sync(folder)))
    monkeypatch.setattr(ledger_module, "write_record", lambda *a, **k: (events.append(("ledger",)),
                                                                        real_record(*a, **k))[1])
    _export(ready, tmp_path / "out")
    kinds = [e[0] if e[0] != "write" or e[1].endswith(".png") else e[1] for e in events]
    assert kinds == ["write"] * 108 + ["sync", "manifest.csv", "export.json", "ledger"]
    assert all(not e[2] for e in events[:108])  # crops: atomic, no per-file fsync
    assert all(e[2] for e in events if e[0] == "write" and not e[1].endswith(".png"))


def test_durable_mode_fsyncs_every_crop(tmp_path, ready, monkeypatch):
    seen = []
    real_write = export_module.atomic_write
    def write(path, data, **kw):
        seen.append(kw.get("durable", True))
        return real_write(path, data, **kw)

    monkeypatch.setattr(export_module, "atomic_write", write)
    summary = _export(ready, tmp_path / "out", durable=True)
    assert summary.written == 108 and all(seen)


def test_two_exports_never_write_one_folder_at_once(tmp_path, ready):
    out = tmp_path / "out"
    out.mkdir()
    with FolderLock(out):
        with pytest.raises(ExportError, match="another export is writing to this folder"):
            _export(ready, out)
    assert _export(ready, out).written == 108


def test_a_link_out_of_the_folder_is_refused(tmp_path, ready):
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    out.mkdir()
    elsewhere.mkdir()
    (out / "pain").symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(ExportError, match="link out of the output folder"):
        _export(ready, out, force=True)
    assert not any(elsewhere.iterdir())
