"""Creating a project file from a dataset index, atomically (:func:`painxai_gui.files.atomic_write`).

The index comes from :func:`painxai_gui.dataset.index_dataset` unless the
caller passes one (the GUI may already hold it). Video paths inside the
dataset root are stored relative to it, so a moved dataset only needs
:meth:`Project.relocate`.
"""

from __future__ import annotations

import errno
import json
import sqlite3
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

from painxai_gui.curation import history, schema
from painxai_gui.dataset.records import Subject, VideoRecord
from painxai_gui.errors import DatasetError, FileWriteError, PainXAIError, ProjectError
from painxai_gui.files import atomic_write


def load_index(root: Path, manifest: Path | None, *, pattern: str | None = None,
               token_map: Mapping[str, str] | None = None,
               category_map: Mapping[str, str] | None = None,
               progress: Callable[..., None] | None = None, allow_outside_root: bool = False) -> Any:
    """Index the dataset with the dataset package (imported lazily)."""
    if not root.is_dir():
        raise DatasetError("dataset root not found (or not a folder)", root)
    if manifest is not None and not manifest.is_file():
        raise DatasetError("manifest not found", manifest)
    from painxai_gui.dataset import index_dataset  # lazy: the indexer probes videos

    index = index_dataset(root, manifest=manifest, pattern=pattern, token_map=token_map,
                          category_map=category_map, probe=True, progress=progress,
                          allow_outside_root=allow_outside_root)
    if manifest is not None:
        check_manifest(index, manifest)
    return index


def check_manifest(index: Any, manifest: Path) -> None:
    """Refuse a manifest that gave no video because it is malformed or unreadable.

    Row-level problems in an otherwise usable manifest do not stop creation;
    they are kept in the project (``Project.index_problems``) and shown by ``status``.
    """
    fatal = [p for p in getattr(index, "problems", [])
             if Path(getattr(p, "path", "")) == manifest and str(getattr(p, "kind", "")) in ("bad_table", "unreadable")]
    from_manifest = [v for v in index.videos if v.part != "A"]
    if fatal and not from_manifest:
        raise DatasetError(f"manifest unusable: {fatal[0].message}", manifest)


def write_project(path: Path, root: Path, index: Any, meta: dict[str, Any], annotator: str) -> None:
    """Write a new project file at ``path``; never overwrites an existing file.

    The file is built under a temporary name in the same folder, closed (its
    WAL folded in), checked, and only then renamed to ``path``: on any failure
    (a full disk included) nothing is left behind and the error says why.
    """
    if path.exists():
        raise ProjectError("a file already exists here; choose another name", path)
    if not path.parent.is_dir():
        raise ProjectError("folder for the project file does not exist", path)
    videos = len(list(index.videos))

    def build(tmp: Path) -> None:
        try:
            conn = sqlite3.connect(str(tmp), isolation_level=None)
            try:
                conn.execute("PRAGMA journal_mode = WAL")
                schema.migrate(conn, 0)
                _fill(conn, root, index, meta, annotator)
            finally:
                conn.close()  # the last connection folds the WAL back into the file
            _check_built(tmp, path, videos)
        finally:
            _remove_journals(tmp)

    try:
        atomic_write(path, build, exclusive=True)
    except sqlite3.Error as exc:
        raise ProjectError(_sqlite_problem(exc), path) from exc
    except FileWriteError as exc:
        if exc.errno == errno.EEXIST:
            raise ProjectError("a file already exists here; choose another name", path) from exc
        raise ProjectError(exc.problem, path) from exc


def _check_built(tmp: Path, path: Path, videos: int) -> None:
    """The new file must stand alone (no WAL left) and read back as a whole PainXAI project."""
    wal = Path(str(tmp) + "-wal")
    if wal.exists() and wal.stat().st_size > 0:
        raise ProjectError("cannot finish the project file: its write-ahead log could not be folded in "
                           "(disk full?)", path)
    _remove_journals(tmp)
    conn = sqlite3.connect(f"{tmp.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
    try:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        check = conn.execute("PRAGMA quick_check").fetchone()[0]
        count = conn.execute("SELECT COUNT(*) FROM videos").fetchone()[0]
    finally:
        conn.close()
    if app_id != schema.APPLICATION_ID or check != "ok" or count != videos:
        raise ProjectError(f"the new project file did not check out (quick_check: {check}, "
                           f"{count} of {videos} videos); nothing was written", path)


def _sqlite_problem(exc: sqlite3.Error) -> str:
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None and code & 0xFF == sqlite3.SQLITE_FULL:
        return "cannot write the project file: disk full (no space left on the device); nothing was written"
    return f"cannot write the project file ({exc}); nothing was written"


def _fill(conn: sqlite3.Connection, root: Path, index: Any, meta: dict[str, Any], annotator: str) -> None:
    videos: list[VideoRecord] = list(index.videos)
    subjects: dict[str, Subject] = dict(getattr(index, "subjects", {}) or {})
    for video in videos:  # subjects named only by videos still get a row
        subjects.setdefault(video.subject, Subject(video.subject))
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany("INSERT INTO meta (key, value) VALUES (?, ?)",
                     [(k, json.dumps(v)) for k, v in meta.items()])
    conn.executemany("INSERT INTO subjects (id, date, gender, age) VALUES (?, ?, ?, ?)",
                     [(s.id, s.date, s.gender, s.age) for s in subjects.values()])
    conn.executemany(
        "INSERT INTO videos (id, subject, label, category, part, path, frame_count, fps) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [_video_row(v, root) for v in videos])
    history.audit(conn, annotator, "create", str(root),
                  {"videos": len(videos), "subjects": len(subjects)})
    conn.execute("COMMIT")


def _video_row(video: VideoRecord, root: Path) -> tuple[Any, ...]:
    frames = video.frame_count if video.frame_count is not None else probe_frame_count(Path(video.path))
    return (video.id, video.subject, video.label, video.category, video.part,
            stored_path(Path(video.path), root), int(frames or 0), video.fps)


def stored_path(path: Path, root: Path) -> str:
    """Path relative to ``root`` (forward slashes) when inside it, else absolute."""
    full = path if path.is_absolute() else root / path
    try:
        return full.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(full.resolve())


def probe_frame_count(path: Path) -> int:
    """Frame count of a video whose index row has none (0 when it cannot be read)."""
    try:
        from painxai_gui.video import VideoReader  # type: ignore[attr-defined]

        with VideoReader(path) as reader:
            return int(reader.frame_count)
    except ImportError:
        import cv2

        cap = cv2.VideoCapture(str(path))
        try:
            return max(0, int(cap.get(cv2.CAP_PROP_FRAME_COUNT))) if cap.isOpened() else 0
        finally:
            cap.release()
    except PainXAIError:
        return 0


def problems_of(index: Any) -> list[str]:
    """The index's problems as plain strings (for the project's meta)."""
    return [str(p) for p in (getattr(index, "problems", None) or [])][:1000]


def unmapped_of(index: Any) -> list[str]:
    items: Iterable[Any] = getattr(index, "unmapped", None) or []
    return [str(getattr(u, "video_id", u)) for u in items][:1000]


def _remove_journals(db: Path) -> None:
    """SQLite's side files of a database that is closed (none are left after a clean close)."""
    for suffix in ("-wal", "-shm", "-journal"):
        Path(str(db) + suffix).unlink(missing_ok=True)
