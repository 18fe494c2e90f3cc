"""Manifest parsing, class order and subject-wise folds."""

from __future__ import annotations

import pytest

from painxai_gui.errors import DatasetError
from painxai_gui.train.manifest import class_order, read_manifest
from painxai_gui.train.splits import make_splits


def _write(path, header, rows):
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def test_folds_are_subject_disjoint_and_validation_is_not_training(synth_manifest):
    manifest = read_manifest(synth_manifest)
    rows = manifest.rows
    splits = make_splits(rows, None, 0.2, seed=0)
    assert [s.fold for s in splits] == [1, 2, 3, 4]
    tests = [set(s.test_subjects) for s in splits]
    assert set().union(*tests) == set(manifest.subjects)
    assert sum(len(t) for t in tests) == len(manifest.subjects)  # every subject tested exactly once
    for s in splits:
        train, val, test = set(s.train_subjects), set(s.val_subjects), set(s.test_subjects)
        assert not (train & val) and not (train & test) and not (val & test)
        assert train | val | test == set(manifest.subjects)
        assert len(val) == max(1, round(0.2 * (len(train) + len(val))))
        assert {rows[i].subject for i in s.train} == train and {rows[i].subject for i in s.val} == val
        assert sorted(s.train + s.val + s.test) == list(range(len(rows)))
    assert make_splits(rows, None, 0.2, seed=0) == splits
    assert make_splits(rows, None, 0.2, seed=1) != splits  # validation subjects depend on the seed


def test_folds_are_assigned_subject_wise_when_the_column_is_empty(tmp_path):
    lines = [f"s{i}/{c}.png,subj{i},{c},v{i}{c}" for i in range(10) for c in ("happiness", "pain")]
    manifest = read_manifest(_write(tmp_path / "m.csv", "path,subject,category,source video", lines))
    assert manifest.rows[0].source_video == "v0happiness"
    assert manifest.rows[0].path == tmp_path / "s0" / "happiness.png"
    splits = make_splits(manifest.rows, 5, 0.2, seed=3)
    assert len(splits) == 5
    assert all(len(s.test_subjects) == 2 for s in splits)
    assert class_order(manifest.categories) == ("pain", "happiness")


def test_a_subject_in_two_folds_is_refused(tmp_path):
    path = _write(tmp_path / "m.csv", "path,subject,category,fold", ["a.png,s1,pain,1", "b.png,s1,disgust,2",
                                                                     "c.png,s2,pain,2"])
    with pytest.raises(DatasetError, match="subject-wise"):
        make_splits(read_manifest(path).rows, None, 0.2, seed=0)


def test_manifest_errors_are_typed(tmp_path):
    with pytest.raises(DatasetError, match="lacks column"):
        read_manifest(_write(tmp_path / "a.csv", "path,subject", ["a.png,s1"]))
    with pytest.raises(DatasetError, match="line 2"):
        read_manifest(_write(tmp_path / "b.csv", "path,subject,category,fold", ["a.png,s1,pain,x"]))
    with pytest.raises(DatasetError, match="does not match"):
        rows = read_manifest(_write(tmp_path / "c.csv", "path,subject,category,fold",
                                    ["a.png,s1,pain,1", "b.png,s2,pain,2"])).rows
        make_splits(rows, 5, 0.2, seed=0)


def test_class_order():
    assert class_order(["happiness", "disgust", "pain"]) == ("pain", "disgust", "happiness")
    assert class_order(["b", "a", "pain"]) == ("a", "b", "pain")
    assert class_order(["pain", "happiness"], ["happiness", "pain"]) == ("happiness", "pain")
    with pytest.raises(DatasetError):
        class_order(["pain", "disgust"], ["pain"])
