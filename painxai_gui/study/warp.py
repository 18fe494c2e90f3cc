"""Average relevance faces: a mean landmark template and a vectorised piecewise-affine warp onto it.

Template (``docs/study.md``): the mean of all images' landmarks, normalised to
the crop (``(x + 0.5) / crop_size``), plus 8 border points (corners and edge
midpoints) so the Delaunay triangulation covers the crop. A heatmap is warped
onto the template triangle by triangle (piecewise affine, bilinear) at
``size`` x ``size``: for each template pixel the triangle and barycentric
coordinates are fixed once per template (a sparse pixels x points matrix
with three weights per row), so the sampling grids of many images are one
sparse matrix product with their points, and each map is one ``cv2.remap``
(all methods of an image share its grid).
"""

from __future__ import annotations

import numpy as np

BORDER = np.array([[0, 0], [0.5, 0], [1, 0], [0, 0.5], [1, 0.5], [0, 1], [0.5, 1], [1, 1]], np.float64)


def normalised(landmarks: np.ndarray, crop_size: float | np.ndarray) -> np.ndarray:
    """Crop-pixel landmarks (..., 68, 2) as fractions of the crop, pixel centres at (i + 0.5) / size."""
    return (np.asarray(landmarks, np.float64) + 0.5) / np.asarray(crop_size, np.float64)


def with_border(points: np.ndarray) -> np.ndarray:
    """68 normalised points + the 8 border points (76 x 2)."""
    return np.vstack([points, BORDER])


class Template:
    """The mean face (normalised 76 points), its triangulation and the per-pixel barycentric table."""

    def __init__(self, mean_points: np.ndarray, size: int = 64):
        from scipy.spatial import Delaunay

        self.size = int(size)
        self.points = with_border(np.asarray(mean_points, np.float64).reshape(68, 2))
        self.triangles = Delaunay(self.points).simplices  # T x 3 point indices
        centres = (np.arange(self.size) + 0.5) / self.size
        gx, gy = np.meshgrid(centres, centres)
        pixels = np.stack([gx.ravel(), gy.ravel()], axis=1)
        self.triangle_of, self.bary = _barycentric(self.points, self.triangles, pixels)
        from scipy.sparse import csr_matrix

        corners = self.triangles[self.triangle_of]  # P x 3 point indices
        rows = np.repeat(np.arange(len(pixels)), 3)
        self.weights = csr_matrix((self.bary.ravel(), (rows, corners.ravel())), shape=(len(pixels), len(self.points)))

    @classmethod
    def from_landmarks(cls, landmarks: np.ndarray, crop_sizes: np.ndarray | float, size: int = 64) -> "Template":
        """Template from N x 68 x 2 crop-pixel landmarks (NaN rows skipped)."""
        lm = np.asarray(landmarks, np.float64)
        sizes = np.broadcast_to(np.asarray(crop_sizes, np.float64), (len(lm),))
        ok = np.isfinite(lm).all(axis=(1, 2))
        if not ok.any():
            raise ValueError("no image has landmarks: no template")
        return cls(normalised(lm[ok], sizes[ok, None, None]).mean(axis=0), size)

    @property
    def landmarks_px(self) -> np.ndarray:
        """The template's 68 points in pixels of the warped maps (for drawing)."""
        return self.points[:68] * self.size - 0.5

    def grids(self, points: np.ndarray, map_size: int) -> np.ndarray:
        """Sampling positions (N x size x size x 2, float32 map pixels) for N images' normalised 68 points."""
        pts = np.asarray(points, np.float64).reshape(-1, 68, 2)
        full = np.concatenate([pts, np.broadcast_to(BORDER, (len(pts), 8, 2))], axis=1)  # N x 76 x 2
        flat = full.transpose(1, 0, 2).reshape(len(self.points), -1)  # 76 x 2N
        xy = (self.weights @ flat) * map_size - 0.5  # P x 2N
        return xy.reshape(self.size, self.size, len(pts), 2).transpose(2, 0, 1, 3).astype(np.float32)

    def grid(self, points: np.ndarray, map_size: int) -> tuple[np.ndarray, np.ndarray]:
        """cv2.remap maps (float32 size x size) sampling a ``map_size`` map of one image."""
        g = self.grids(points, map_size)[0]
        return np.ascontiguousarray(g[..., 0]), np.ascontiguousarray(g[..., 1])

    def warp(self, heatmaps: np.ndarray, points: np.ndarray, grid: np.ndarray | None = None) -> np.ndarray:
        """Warp one image's maps (M x h x h, or h x h) onto the template (bilinear, edges replicated);
        ``grid``: the image's row of :meth:`grids`, when already computed."""
        import cv2

        maps = np.asarray(heatmaps, np.float32)
        single = maps.ndim == 2
        maps = maps[None] if single else maps
        g = self.grids(points, maps.shape[-1])[0] if grid is None else grid
        out = np.stack([cv2.remap(m, g, None, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE) for m in maps])
        return out[0] if single else out


def _barycentric(points: np.ndarray, triangles: np.ndarray, pixels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per pixel: its triangle (nearest when numerically outside all) and barycentric weights (P x 3)."""
    corners = points[triangles]  # T x 3 x 2
    a, b, c = corners[:, 0], corners[:, 1], corners[:, 2]
    v0, v1 = b - a, c - a
    det = v0[:, 0] * v1[:, 1] - v0[:, 1] * v1[:, 0]  # T
    rel = pixels[:, None, :] - a[None]  # P x T x 2
    l1 = (rel[..., 0] * v1[:, 1] - rel[..., 1] * v1[:, 0]) / det
    l2 = (v0[:, 0] * rel[..., 1] - v0[:, 1] * rel[..., 0]) / det
    weights = np.stack([1.0 - l1 - l2, l1, l2], axis=-1)  # P x T x 3
    inside = weights.min(axis=-1)  # >= 0 inside; the largest is the best triangle
    tri = np.argmax(inside, axis=1)
    rows = np.arange(len(pixels))
    return tri, weights[rows, tri]
