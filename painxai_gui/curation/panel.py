"""The figure panel's rows: which frames, in which order, under which title.

A row is only a video id and a frame (:class:`PanelRef`); the face crop and its
landmarks are computed again from the video when needed (the landmarks are
cached per video by ``FaceTrack``), so the project file stays small and a row
never goes stale. Two keepers with one API:

* :class:`PanelMixin` (mixed into ``Project``): rows in the ``panel_rows``
  table; add / remove / move are undoable commands, committed at once; the
  title is a project setting.
* :class:`MemoryPanel`: rows in memory, for browsing a dataset without a
  project (or a project open read-only).

Both compute the new row list with the same pure functions (:func:`with_added`,
:func:`without`, :func:`moved`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterable, Sequence

from painxai_gui.curation.commands import Command, PanelChange
from painxai_gui.errors import ProjectError

if TYPE_CHECKING:
    from painxai_gui.curation.store import Store

TITLE_SETTING = "panel.title"


@dataclass(frozen=True)
class PanelRef:
    """One panel row: frame ``frame`` of video ``video_id``."""

    video_id: str
    frame: int


def with_added(rows: Sequence[PanelRef], ref: PanelRef) -> list[PanelRef] | None:
    """``rows`` with ``ref`` appended; None when it is already a row."""
    return None if ref in rows else [*rows, ref]


def without(rows: Sequence[PanelRef], indices: Iterable[int]) -> list[PanelRef]:
    """``rows`` less the rows at ``indices`` (out-of-range indices are ignored)."""
    drop = set(indices)
    return [r for i, r in enumerate(rows) if i not in drop]


def moved(rows: Sequence[PanelRef], src: int, dst: int) -> list[PanelRef]:
    """``rows`` with the row at ``src`` moved to index ``dst`` (clamped to the ends)."""
    out = list(rows)
    if not 0 <= src < len(out):
        return out
    row = out.pop(src)
    out.insert(max(0, min(dst, len(out))), row)
    return out


def reordered(rows: Sequence[PanelRef], order: Sequence[int]) -> list[PanelRef]:
    """``rows`` in the order ``order`` (old indices, each once); a drag of several rows is one reorder."""
    if sorted(order) != list(range(len(rows))):
        raise ValueError(f"{list(order)} is not an order of {len(rows)} rows")
    return [rows[i] for i in order]


class MemoryPanel:
    """Panel rows kept in memory only (no project, or a read-only one)."""

    persistent = False

    def __init__(self, rows: Iterable[PanelRef] = (), title: str = ""):
        self._rows = list(rows)
        self._title = title

    def panel_rows(self) -> list[PanelRef]:
        return list(self._rows)

    def add_panel_row(self, video_id: str, frame: int) -> bool:
        new = with_added(self._rows, PanelRef(video_id, int(frame)))
        if new is not None:
            self._rows = new
        return new is not None

    def remove_panel_rows(self, indices: Iterable[int]) -> int:
        before = len(self._rows)
        self._rows = without(self._rows, indices)
        return before - len(self._rows)

    def move_panel_row(self, src: int, dst: int) -> bool:
        new = moved(self._rows, src, dst)
        changed, self._rows = new != self._rows, new
        return changed

    def reorder_panel_rows(self, order: Sequence[int]) -> bool:
        new = reordered(self._rows, order)
        changed, self._rows = new != self._rows, new
        return changed

    def panel_title(self) -> str:
        return self._title

    def set_panel_title(self, title: str) -> None:
        self._title = title.strip()


class PanelMixin:
    """Panel rows in the project file; each change one undoable command in one transaction."""

    _store: "Store"
    persistent = True

    def panel_rows(self) -> list[PanelRef]:
        if getattr(self._store, "schema_version", 2) < 2:  # an older file opened read-only: no panel yet
            return []
        rows = self._store.read("SELECT video_id, frame FROM panel_rows ORDER BY position")
        return [PanelRef(v, int(f)) for v, f in rows]

    def add_panel_row(self, video: Any, frame: int) -> bool:
        """Append frame ``frame`` of ``video`` (any mapped video); False when it is already a row."""
        info = self._video(video)  # type: ignore[attr-defined]
        if frame < 0 or (info.frame_count and frame >= info.frame_count):
            raise ProjectError(f"frame {frame} is outside 0..{info.frame_count - 1} of video {info.id}",
                               self._store.path)
        return self._panel_edit(lambda rows: with_added(rows, PanelRef(info.id, int(frame))),
                                "panel_add", f"add frame {frame} of {info.id} to the panel")

    def remove_panel_rows(self, indices: Iterable[int]) -> int:
        """Remove the rows at ``indices``; returns how many."""
        indices = sorted(set(indices))
        before = len(self.panel_rows())
        text = f"remove panel row{'s' if len(indices) > 1 else ''} {', '.join(str(i + 1) for i in indices)}"
        self._panel_edit(lambda rows: without(rows, indices), "panel_remove", text)
        return before - len(self.panel_rows())

    def move_panel_row(self, src: int, dst: int) -> bool:
        return self._panel_edit(lambda rows: moved(rows, src, dst), "panel_move",
                                f"move panel row {src + 1} to {dst + 1}")

    def reorder_panel_rows(self, order: Sequence[int]) -> bool:
        """Put the rows in ``order`` (their current indices, each once), e.g. after a drag."""
        order = list(order)
        return self._panel_edit(lambda rows: _checked_order(rows, order, self._store.path), "panel_move",
                                "reorder the panel rows")

    def panel_title(self) -> str:
        return str(self.get_setting(TITLE_SETTING, "") or "")  # type: ignore[attr-defined]

    def set_panel_title(self, title: str) -> None:
        """The panel's title (a project setting: saved at once, not undoable)."""
        self.set_setting(TITLE_SETTING, title.strip() or None)  # type: ignore[attr-defined]

    def _panel_edit(self, change, action: str, text: str) -> bool:
        def build(conn) -> Command | None:
            old = [PanelRef(v, int(f)) for v, f in
                   conn.execute("SELECT video_id, frame FROM panel_rows ORDER BY position")]
            new = change(old)
            return None if new is None or new == old else Command(action, text, (panel_diff(old, new),))

        return self._execute(build) is not None  # type: ignore[attr-defined]


def panel_diff(old: Sequence[PanelRef], new: Sequence[PanelRef]) -> PanelChange:
    """The rows that leave and enter each position (rows that keep their place are not touched)."""
    removed = tuple((i, r.video_id, r.frame) for i, r in enumerate(old) if i >= len(new) or new[i] != r)
    added = tuple((i, r.video_id, r.frame) for i, r in enumerate(new) if i >= len(old) or old[i] != r)
    return PanelChange(added=added, removed=removed)


def _checked_order(rows: Sequence[PanelRef], order: Sequence[int], path) -> list[PanelRef]:
    try:
        return reordered(rows, order)
    except ValueError as exc:
        raise ProjectError(f"cannot reorder the panel: {exc}", path) from None
