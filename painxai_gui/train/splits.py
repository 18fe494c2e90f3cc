"""Subject-wise folds: test = one fold's subjects, validation = a seeded 20% of the other subjects."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from painxai_gui.errors import DatasetError
from painxai_gui.train.manifest import FrameRow


@dataclass(frozen=True)
class FoldSplit:
    """Row indices (into the manifest) and subjects of one fold's three parts."""

    fold: int
    train: tuple[int, ...]
    val: tuple[int, ...]
    test: tuple[int, ...]
    train_subjects: tuple[str, ...]
    val_subjects: tuple[str, ...]
    test_subjects: tuple[str, ...]


def _manifest_folds(rows: Sequence[FrameRow], folds: int | None) -> list[int]:
    seen: dict[str, int] = {}
    for row in rows:
        if seen.setdefault(row.subject, row.fold) != row.fold:
            raise DatasetError(f"subject {row.subject!r} is in folds {seen[row.subject]} and {row.fold}; "
                               "folds must be subject-wise")
    k = max(seen.values())
    empty = sorted(set(range(1, k + 1)) - set(seen.values()))
    if empty:
        raise DatasetError(f"manifest folds 1..{k} have no rows in fold(s) {empty}")
    if folds is not None and folds != k:
        raise DatasetError(f"--folds {folds} does not match the manifest's {k} folds")
    return [row.fold for row in rows]


def _assign_folds(rows: Sequence[FrameRow], folds: int, seed: int) -> list[int]:
    subjects = sorted({row.subject for row in rows})
    if folds < 2 or folds > len(subjects):
        raise DatasetError(f"cannot make {folds} subject-wise folds from {len(subjects)} subjects")
    order = np.random.default_rng([seed, 7919]).permutation(len(subjects))
    fold_of = {subjects[j]: 1 + i % folds for i, j in enumerate(order)}
    return [fold_of[row.subject] for row in rows]


def fold_ids(rows: Sequence[FrameRow], folds: int | None, seed: int) -> list[int]:
    """Each row's fold: the manifest's column when filled, else seeded round-robin over subjects."""
    filled = [row.fold is not None for row in rows]
    if all(filled):
        return _manifest_folds(rows, folds)
    if any(filled):
        raise DatasetError("the fold column is filled for some rows and empty for others")
    return _assign_folds(rows, folds or 5, seed)


def _subjects(rows: Sequence[FrameRow], idx: Sequence[int]) -> tuple[str, ...]:
    return tuple(sorted({rows[i].subject for i in idx}))


def split_fold(rows: Sequence[FrameRow], fold_of: Sequence[int], fold: int, val_fraction: float,
               seed: int) -> FoldSplit:
    """Test = ``fold``'s rows; of the other subjects (sorted, then shuffled with (seed, fold))
    ``max(1, round(val_fraction * n))`` are validation, the rest training."""
    test = tuple(i for i, f in enumerate(fold_of) if f == fold)
    rest = [i for i, f in enumerate(fold_of) if f != fold]
    others = list(_subjects(rows, rest))
    n_val = max(1, int(round(val_fraction * len(others))))
    if len(others) - n_val < 1:
        raise DatasetError(f"fold {fold}: {len(others)} subject(s) outside the test fold are too few "
                           "for a training and a validation part")
    order = np.random.default_rng([seed, fold]).permutation(len(others))
    val_subjects = {others[j] for j in order[:n_val]}
    val = tuple(i for i in rest if rows[i].subject in val_subjects)
    train = tuple(i for i in rest if rows[i].subject not in val_subjects)
    return FoldSplit(fold, train, val, test, _subjects(rows, train), _subjects(rows, val), _subjects(rows, test))


def make_splits(rows: Sequence[FrameRow], folds: int | None, val_fraction: float, seed: int) -> list[FoldSplit]:
    fold_of = fold_ids(rows, folds, seed)
    return [split_fold(rows, fold_of, k, val_fraction, seed) for k in sorted(set(fold_of))]
