"""Subject-wise k-fold assignment: deterministic, no subject in two folds, classes balanced.

Subjects are placed one by one, largest first (ties by id), each into the fold
where the per-class frame counts stay closest to ``class total / k`` (sum of
squared relative deviations); ties go to the fold with fewer subjects, then
the lower fold number. The result depends only on the counts, never on a
random seed or on dictionary order.
"""

from __future__ import annotations

from typing import Mapping


def assign_folds(counts: Mapping[str, Mapping[str, int]], k: int) -> dict[str, int]:
    """``{subject: fold}`` with folds numbered ``1..k``; ``counts[subject][category] = frames``."""
    if k < 1:
        raise ValueError(f"fold count must be at least 1, got {k}")
    classes = sorted({c for per in counts.values() for c in per})
    target = {c: sum(per.get(c, 0) for per in counts.values()) / k for c in classes}
    load = [{c: 0 for c in classes} for _ in range(k)]
    members = [0] * k
    order = sorted(counts, key=lambda s: (-sum(counts[s].values()), s))
    folds: dict[str, int] = {}
    for subject in order:
        add = counts[subject]
        best = min(range(k), key=lambda f: (_cost(load[f], add, target) - _cost(load[f], {}, target),
                                            members[f], f))
        for c, n in counts[subject].items():
            load[best][c] += n
        members[best] += 1
        folds[subject] = best + 1
    return folds


def _cost(load: Mapping[str, int], add: Mapping[str, int], target: Mapping[str, float]) -> float:
    """Squared relative deviation from the target of one fold after adding ``add``."""
    cost = 0.0
    for c, goal in target.items():
        after = load[c] + add.get(c, 0)
        cost += ((after - goal) / goal) ** 2 if goal > 0 else 0.0
    return cost


def fold_table(folds: Mapping[str, int], counts: Mapping[str, Mapping[str, int]]) -> dict[int, dict[str, int]]:
    """``{fold: {category: frames, "subjects": n}}`` to check the balance."""
    table: dict[int, dict[str, int]] = {}
    for subject, fold in folds.items():
        row = table.setdefault(fold, {"subjects": 0})
        row["subjects"] += 1
        for c, n in counts[subject].items():
            row[c] = row.get(c, 0) + n
    return dict(sorted(table.items()))
