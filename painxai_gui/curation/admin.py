"""Per-project settings, dataset relocation, and the entry points of report and export."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from painxai_gui.curation import history
from painxai_gui.curation.entities import ProjectChange
from painxai_gui.errors import ProjectError

if TYPE_CHECKING:
    from painxai_gui.curation.catalog import Catalog
    from painxai_gui.curation.export import CropSource, ExportSummary
    from painxai_gui.curation.report import Report
    from painxai_gui.curation.store import Store


class AdminMixin:
    _store: "Store"
    _catalog: "Catalog"
    _annotator: str

    # -- settings (key -> JSON value; not undoable, not audited) --------------
    def get_setting(self, key: str, default: Any = None) -> Any:
        rows = self._store.read("SELECT value FROM settings WHERE key = ?", (key,))
        return json.loads(rows[0][0]) if rows else default

    def set_setting(self, key: str, value: Any) -> None:
        """Store a JSON-serialisable value (GUI layout, colour map ...); ``None`` deletes it."""
        try:
            text = json.dumps(value)
        except (TypeError, ValueError) as exc:
            raise ProjectError(f"setting {key!r} is not JSON-serialisable ({exc})", self._store.path) from exc
        with self._store.write() as conn:
            if value is None:
                conn.execute("DELETE FROM settings WHERE key = ?", (key,))
            else:
                conn.execute("INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)", (key, text))
        self._store.notify(ProjectChange("set_setting", f"setting {key}"))

    def settings(self) -> dict[str, Any]:
        return {k: json.loads(v) for k, v in self._store.read("SELECT key, value FROM settings")}

    # -- dataset root ---------------------------------------------------------------
    def check_dataset(self) -> None:
        """Raise a clear :class:`ProjectError` when the dataset root is gone."""
        root = Path(self._catalog.meta("dataset_root"))
        if not root.is_dir():
            raise ProjectError(
                f"dataset root {root} not found (moved or not mounted); point the project to its "
                f"new place with `painxai project relocate {self._store.path} --root NEWROOT`",
                self._store.path)

    def relocate(self, new_root: str | Path, *, allow_missing: bool = False) -> int:
        """Point the project to a moved dataset root; returns how many videos are missing there.

        Refuses (``ProjectError``) when no video is found under ``new_root``, or
        when some are missing and ``allow_missing`` is False. Audited, not undoable.
        """
        root = Path(new_root).resolve()
        if not root.is_dir():
            raise ProjectError("new dataset root not found (or not a folder)", root)
        rows = self._store.read("SELECT id, path FROM videos")
        inside = [(vid, p) for vid, p in rows if not Path(p).is_absolute()]
        missing = [vid for vid, p in inside if not (root / p).is_file()]
        if inside and len(missing) == len(inside):
            raise ProjectError(f"none of the project's {len(inside)} videos is under this folder "
                               f"(looked for {inside[0][1]})", root)
        if missing and not allow_missing:
            raise ProjectError(f"{len(missing)} of {len(inside)} videos are missing under this folder "
                               f"(first: {missing[0]}); pass allow_missing to relocate anyway", root)
        old = self._catalog.meta("dataset_root")
        with self._store.write() as conn:
            conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('dataset_root', ?)",
                         (json.dumps(str(root)),))
            history.audit(conn, self._annotator, "relocate", str(root),
                          {"old_root": old, "missing": len(missing)})
            self._catalog.reload()
        self._store.notify(ProjectChange("relocate", f"dataset root is now {root}", global_=True))
        return len(missing)

    # -- report and export -----------------------------------------------------------
    def report(self) -> "Report":
        """Balancing tables (before/after), per-subject completeness and exclusions."""
        from painxai_gui.curation.report import build_report

        return build_report(self)  # type: ignore[arg-type]

    def export(self, out_dir: str | Path, *, folds: int = 5, crop_source: "CropSource | None" = None,
               progress: Callable[[int, int], None] | None = None,
               cancel: "threading.Event | Callable[[], bool] | None" = None, allow_unbalanced: bool = False,
               force: bool = False, durable: bool = False, tolerance: float | None = None) -> "ExportSummary":
        """Write the balanced set as face crops + ``manifest.csv``; see :mod:`.export`.

        Refuses an unbalanced set unless ``allow_unbalanced`` and a non-empty folder
        without an export ledger unless ``force``; both overrides are audited."""
        from painxai_gui.curation.export import export_project

        summary = export_project(self, Path(out_dir), folds=folds, crop_source=crop_source,  # type: ignore[arg-type]
                                 progress=progress, cancel=cancel, allow_unbalanced=allow_unbalanced,
                                 force=force, durable=durable, tolerance=tolerance)
        if not self._store.read_only:
            details = {**summary.as_dict(), "allow_unbalanced": allow_unbalanced, "force": force}
            with self._store.write() as conn:
                history.audit(conn, self._annotator, "export", str(out_dir), details)
        return summary
