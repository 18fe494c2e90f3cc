"""Subject-level intervals and tests (``docs/study.md``, "Intervals and tests").

* :func:`bootstrap` -- resample subjects with replacement (B = 2000, seeded);
  a resample's statistic is the mean over the images of the drawn subjects;
  95% percentile interval. Vectorised over columns: every column of
  ``values`` gets its own interval from the same resamples.
* :func:`subject_means` / :func:`paired_differences` -- per subject, the mean
  of a measure over its images of class A and of class B (subjects with both).
* :func:`sign_flip_p` -- paired sign-flip permutation test of the mean
  difference (two-sided, 10,000 permutations, seeded; p = (1 + #{|perm| >=
  |observed|}) / (1 + permutations)).
* :func:`holm` -- Holm's step-down adjustment of a family of p-values.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

B = 2000
PERMUTATIONS = 10_000


@dataclass(frozen=True)
class Interval:
    mean: np.ndarray  # per column
    low: np.ndarray
    high: np.ndarray
    subjects: int


def _codes(subjects: np.ndarray) -> tuple[np.ndarray, int]:
    names, codes = np.unique(np.asarray(subjects).astype(str), return_inverse=True)
    return codes, len(names)


def bootstrap(values: np.ndarray, subjects: np.ndarray, b: int = B, seed: int = 0,
              level: float = 0.95) -> Interval:
    """Mean and subject-bootstrap percentile interval of each column of ``values`` (N or N x K).

    Rows with NaN in a column do not count for that column.
    """
    values = np.asarray(values, np.float64)
    single = values.ndim == 1
    values = values[:, None] if single else values
    codes, n_subjects = _codes(subjects)
    finite = np.isfinite(values)
    sums = np.zeros((n_subjects, values.shape[1]))
    counts = np.zeros((n_subjects, values.shape[1]))
    np.add.at(sums, codes, np.where(finite, values, 0.0))
    np.add.at(counts, codes, finite.astype(np.float64))
    draws = np.random.default_rng(seed).integers(0, n_subjects, size=(b, n_subjects))
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = sums.sum(0) / counts.sum(0)
        stats = sums[draws].sum(1) / counts[draws].sum(1)
        tail = (1.0 - level) / 2.0 * 100.0
        low, high = np.nanpercentile(stats, [tail, 100.0 - tail], axis=0) if n_subjects else (mean, mean)
    pick = (lambda a: a[0]) if single else (lambda a: a)
    return Interval(pick(mean), pick(np.asarray(low)), pick(np.asarray(high)), n_subjects)


def subject_means(values: np.ndarray, subjects: np.ndarray) -> dict[str, np.ndarray]:
    """Subject -> mean of each column over that subject's rows (NaN-aware)."""
    values = np.asarray(values, np.float64)
    values = values[:, None] if values.ndim == 1 else values
    out = {}
    subjects = np.asarray(subjects).astype(str)
    for name in np.unique(subjects):
        with np.errstate(invalid="ignore"):
            out[str(name)] = np.nanmean(values[subjects == name], axis=0) if (subjects == name).any() else None
    return out


def paired_differences(values: np.ndarray, subjects: np.ndarray, in_a: np.ndarray, in_b: np.ndarray) -> np.ndarray:
    """Per subject with images in both groups: mean over its A images - mean over its B images (S x K)."""
    a = subject_means(np.asarray(values)[in_a], np.asarray(subjects)[in_a])
    b = subject_means(np.asarray(values)[in_b], np.asarray(subjects)[in_b])
    both = sorted(set(a) & set(b))
    width = np.asarray(values).shape[1] if np.asarray(values).ndim == 2 else 1
    return np.stack([a[s] - b[s] for s in both]) if both else np.zeros((0, width))


@lru_cache(maxsize=32)
def sign_flips(n: int, permutations: int = PERMUTATIONS, seed: int = 0) -> np.ndarray:
    """A seeded ``permutations x n`` matrix of +-1 (cached: every test with n subjects shares it)."""
    return np.where(np.random.default_rng([seed, n]).random((permutations, n)) < 0.5, -1.0, 1.0)


def sign_flip_p(diffs: np.ndarray, permutations: int = PERMUTATIONS, seed: int = 0) -> np.ndarray:
    """Two-sided sign-flip permutation p-value of the mean of each column of ``diffs`` (S or S x K)."""
    diffs = np.asarray(diffs, np.float64)
    single = diffs.ndim == 1
    diffs = diffs[:, None] if single else diffs
    p = np.full(diffs.shape[1], np.nan)
    for k in range(diffs.shape[1]):
        d = diffs[:, k][np.isfinite(diffs[:, k])]
        if len(d) == 0:
            continue
        observed = abs(d.mean())
        perm = np.abs(sign_flips(len(d), permutations, seed) @ d) / len(d)
        p[k] = (1.0 + np.count_nonzero(perm >= observed - 1e-12)) / (1.0 + permutations)
    return p[0] if single else p


def holm(pvalues: np.ndarray) -> np.ndarray:
    """Holm-adjusted p-values (NaN stays NaN and is not counted in the family)."""
    p = np.asarray(pvalues, np.float64)
    out = np.full(p.shape, np.nan)
    valid = np.flatnonzero(np.isfinite(p))
    m = len(valid)
    order = valid[np.argsort(p[valid], kind="stable")]
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[i]))
        out[i] = running
    return out
