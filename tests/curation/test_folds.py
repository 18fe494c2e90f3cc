"""Subject-wise folds: deterministic, disjoint, balanced."""

from __future__ import annotations

import random

from painxai_gui.curation.folds import assign_folds, fold_table


def _counts(n, seed=0):
    rng = random.Random(seed)
    counts = {}
    for k in range(n):
        per = {"pain": 276}
        for emotion in ("disgust", "happiness"):
            if rng.random() < 0.9:
                per[emotion] = 321
        counts[f"s{k:03d}"] = per
    return counts


def test_deterministic_and_disjoint():
    counts = _counts(87)
    folds = assign_folds(counts, 5)
    shuffled = dict(sorted(counts.items(), key=lambda kv: random.Random(3).random()))
    assert assign_folds(shuffled, 5) == folds  # independent of input order
    assert set(folds) == set(counts) and set(folds.values()) == {1, 2, 3, 4, 5}


def test_balanced_classes_and_sizes():
    counts = _counts(87)
    table = fold_table(assign_folds(counts, 5), counts)
    for category in ("pain", "disgust", "happiness"):
        sizes = [row.get(category, 0) for row in table.values()]
        assert max(sizes) - min(sizes) <= 2 * 321, (category, sizes)
    subjects = [row["subjects"] for row in table.values()]
    assert max(subjects) - min(subjects) <= 2


def test_fewer_subjects_than_folds():
    folds = assign_folds({"a": {"pain": 3}, "b": {"pain": 3}}, 5)
    assert sorted(folds.values()) == [1, 2]
