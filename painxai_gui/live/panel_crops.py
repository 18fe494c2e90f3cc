"""Face crops of figure-panel rows, from their videos: the job behind the Panel dock's thumbnails and the
panel export (one path for both).

A row is stored as a video id and a frame only; its crop and landmarks come
from the shared :class:`MediaPool` (landmarks cached on disk per video by
``FaceTrack``, so a row seen before costs a decode and a resize). A row whose
video is missing or has no face there gets a ``reason`` instead of a crop and
does not stop the others.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Mapping

import numpy as np

from painxai_gui.curation.panel import PanelRef
from painxai_gui.errors import ExportError, PainXAIError
from painxai_gui.live.media import MediaPool


@dataclass(frozen=True)
class RowCrop:
    """A row's 256x256 face crop and its 68 landmarks (crop pixels), or why there is none."""

    crop: np.ndarray | None
    landmarks: np.ndarray | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.crop is not None


@dataclass(frozen=True)
class RowInfo:
    """What a panel row shows and records besides its crop (from the video's record)."""

    ref: PanelRef
    path: Path | None  # the video file; None when the video is not in the dataset any more
    subject: str = ""
    category: str | None = None

    @property
    def label(self) -> tuple[str, ...]:
        """Row label parts, drawn in full: subject, category, frame."""
        return tuple(p for p in (self.subject, self.category, f"frame {self.ref.frame}") if p)

    @property
    def source(self) -> str:
        return f"{Path(self.ref.video_id).stem}_f{self.ref.frame:05d}"


def row_crops(pool: MediaPool, rows: Iterable[RowInfo], cancelled: Callable[[], bool] = lambda: False
              ) -> dict[PanelRef, RowCrop]:
    """Crop every row's frame (stops early, returning what it has, when ``cancelled()``)."""
    out: dict[PanelRef, RowCrop] = {}
    for row in rows:
        if cancelled():
            break
        out[row.ref] = _crop(pool, row)
    return out


def _crop(pool: MediaPool, row: RowInfo) -> RowCrop:
    if row.path is None:
        return RowCrop(None, reason=f"video {row.ref.video_id} is not in the dataset")
    try:
        face = pool.face(row.path, row.ref.frame)
    except PainXAIError as exc:
        return RowCrop(None, reason=str(exc))
    if not face.ok:
        return RowCrop(None, reason=f"no face in frame {row.ref.frame} ({face.reason})")
    return RowCrop(face.crop, face.landmarks)


def panel_items(rows: list[RowInfo], crops: Mapping[PanelRef, RowCrop]) -> list:
    """The panel job's items, in row order; a row without a crop is an :class:`ExportError` naming it."""
    from painxai_gui.export.panel_job import PanelItem

    items = []
    for n, row in enumerate(rows, start=1):
        crop = crops.get(row.ref)
        if crop is None or not crop.ok:
            why = crop.reason if crop is not None else "not cropped"
            raise ExportError(f"panel row {n} (frame {row.ref.frame} of {row.ref.video_id}): {why}", row.path)
        info = {"video": row.ref.video_id, "subject": row.subject, "frame": row.ref.frame}
        items.append(PanelItem(crop.crop, row.source, row.category, is_crop=True, landmarks=crop.landmarks,
                               label=row.label, info=info))
    return items
