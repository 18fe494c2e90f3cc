"""Clever Hans check: SpRAy (Lapuschkin et al., 2019) on template-warped heatmaps.

Per (class, method): features = warped maps downsampled to 32 x 32, each
normalised to unit sum of |h|; a symmetric 10-nearest-neighbour affinity
(i ~ j when either is among the other's 10 nearest); the number of clusters
(2-8) is the one after the largest eigengap of the normalised Laplacian
(its smallest eigenvalues, from ARPACK on the sparse graph); spectral
clustering (scikit-learn, seeded, ``cluster_qr`` labels) on that affinity. Groups larger
than ``max_points`` are clustered on a seeded subsample and the rest join
the cluster with the nearest mean (the report says so). Per cluster: size,
mean warped map, the 8 images nearest its centre; the caller adds the
cluster's positive share of ``other`` and flags "off-face" above 0.5.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

NEIGHBOURS = 10
K_RANGE = (2, 8)
EXAMPLES = 8


@dataclass
class Clusters:
    labels: np.ndarray  # per input row
    k: int
    eigenvalues: np.ndarray  # smallest of the normalised Laplacian
    sampled: int  # rows clustered directly (the rest assigned to the nearest mean)


def features(warped: np.ndarray, size: int = 32) -> np.ndarray:
    """N x size*size: maps area-downsampled to ``size`` and normalised to unit sum of |h|."""
    import cv2

    maps = np.asarray(warped, np.float32)
    n, h, w = maps.shape if maps.ndim == 3 else (0, size, size)
    if h % size == 0 and w % size == 0:  # integer factor: INTER_AREA is the block mean
        small = maps.reshape(n, size, h // size, size, w // size).mean(axis=(2, 4))
    else:
        small = np.stack([cv2.resize(m, (size, size), interpolation=cv2.INTER_AREA) for m in maps])
    flat = small.reshape(n, -1).astype(np.float64)
    norms = np.abs(flat).sum(axis=1, keepdims=True)
    return np.divide(flat, norms, out=np.zeros_like(flat), where=norms > 0)


def affinity(x: np.ndarray, neighbours: int = NEIGHBOURS):
    """Symmetric binary kNN affinity (sparse)."""
    from sklearn.neighbors import kneighbors_graph

    graph = kneighbors_graph(x, n_neighbors=min(neighbours, len(x) - 1), include_self=False)
    return graph.maximum(graph.T).tocsr()


def eigengap_k(a, k_range: tuple[int, int] = K_RANGE) -> tuple[int, np.ndarray]:
    """k in k_range with the largest gap lambda_{k+1} - lambda_k of the normalised Laplacian (1-based)."""
    from scipy.sparse import diags
    from scipy.sparse.linalg import eigsh

    a = a.astype(np.float64)
    d = np.asarray(a.sum(axis=1)).ravel()
    scale = diags(1.0 / np.sqrt(np.where(d > 0, d, 1.0)))
    adjacency = scale @ a @ scale  # L = I - D^-1/2 A D^-1/2: smallest of L = 1 - largest of this
    count = min(k_range[1] + 1, a.shape[0] - 1)
    if a.shape[0] <= 200:
        top = np.linalg.eigvalsh(adjacency.toarray())[::-1][:count]
    else:
        top = eigsh(adjacency, k=count, which="LA", tol=1e-8, v0=np.ones(a.shape[0]))[0]
    values = np.sort(1.0 - top)
    ks = np.arange(k_range[0], min(k_range[1], len(values) - 1) + 1)
    if len(ks) == 0:
        return 1, values
    gaps = values[ks] - values[ks - 1]  # lambda_{k+1} - lambda_k with 0-based values[k] = lambda_{k+1}
    return int(ks[np.argmax(gaps)]), values


def cluster(x: np.ndarray, seed: int = 0, max_points: int = 2000) -> Clusters:
    """Spectral clustering of feature rows ``x`` with the eigengap's k."""
    from sklearn.cluster import spectral_clustering

    n = len(x)
    if n < K_RANGE[0] + 2:
        return Clusters(np.zeros(n, np.int64), 1, np.zeros(0), n)
    sample = np.arange(n) if n <= max_points else np.sort(np.random.default_rng(seed).choice(n, max_points,
                                                                                            replace=False))
    a = affinity(x[sample])
    k, values = eigengap_k(a)
    if k < 2:
        return Clusters(np.zeros(n, np.int64), 1, values, len(sample))
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Graph is not fully connected")
        sub = spectral_clustering(a, n_clusters=k, random_state=seed, assign_labels="cluster_qr")
    labels = np.empty(n, np.int64)
    labels[sample] = sub
    if len(sample) < n:
        rest = np.setdiff1d(np.arange(n), sample)
        centres = np.stack([x[sample][sub == c].mean(axis=0) for c in range(k)])
        distance = (centres ** 2).sum(1)[None, :] - 2.0 * x[rest] @ centres.T  # + |x|^2, the same for every centre
        labels[rest] = np.argmin(distance, axis=1)
    return Clusters(labels, k, values, len(sample))


def nearest_to_centre(x: np.ndarray, members: np.ndarray, count: int = EXAMPLES) -> np.ndarray:
    """Indices (into x) of the ``count`` members nearest the members' mean."""
    centre = x[members].mean(axis=0)
    distance = ((x[members] - centre) ** 2).sum(axis=1)
    return members[np.argsort(distance, kind="stable")[:count]]
