"""Two annotators: Jaccard and Cohen's kappa per slot and overall, kappa checked against scikit-learn."""

from __future__ import annotations

import random
import shutil

import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score

from painxai_gui.curation import Project
from painxai_gui.curation.agreement import Counts, compare_files, counts_of, decisions


@pytest.mark.parametrize("seed", range(8))
def test_kappa_matches_sklearn(seed):
    rng = random.Random(seed)
    n = rng.randint(5, 300)
    a = {f for f in range(n) if rng.random() < rng.uniform(0.05, 0.6)}
    b = {f for f in range(n) if (f in a) == (rng.random() < 0.8)}
    counts = counts_of(a, b, range(n))
    expected = cohen_kappa_score(decisions(a, n), decisions(b, n))
    if np.isnan(expected):
        assert counts.kappa is None
    else:
        assert counts.kappa == pytest.approx(expected, abs=1e-12)
    union = a | b
    assert counts.jaccard == (len(a & b) / len(union) if union else None)


def test_undefined_values():
    assert Counts(neither=10).kappa is None and Counts(neither=10).jaccard is None
    assert Counts(both=10).kappa is None and Counts(both=10).jaccard == 1.0


def test_two_projects(tmp_path, project):
    videos = project.videos(role="slots")
    rng = random.Random(1)
    for v in videos:
        project.select_frames(v, rng.sample(range(v.frame_count), 9))
    path_b = tmp_path / "b.sqlite"
    project.close()
    shutil.copy(project.path, path_b)
    with Project.open(path_b, annotator="bob") as b:
        for v in videos:
            chosen = sorted(b.selections(v))
            b.unselect_frames(v, chosen[:3])
            b.select_frames(v, [f for f in range(v.frame_count) if f not in chosen][:3])
    result = compare_files(project.path, path_b)
    assert len(result.per_video) == len(videos) and len(result.per_slot) == 3
    total = result.overall
    assert total.both == 6 * len(videos) and total.only_a == total.only_b == 3 * len(videos)
    assert total.jaccard == pytest.approx(6 / 12)
    with Project.open(project.path, read_only=True) as a, Project.open(path_b, read_only=True) as b:
        da = sum((decisions(a.selections(v), v.frame_count) for v in videos), [])
        db = sum((decisions(b.selections(v), v.frame_count) for v in videos), [])
    assert total.kappa == pytest.approx(cohen_kappa_score(da, db), abs=1e-12)
    pooled = sum((c for _, c in result.per_slot), Counts())
    assert pooled == total
    assert "slot 1" in result.text() and "overall" in result.text()
