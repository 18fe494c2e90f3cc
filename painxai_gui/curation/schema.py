"""The project file's SQLite schema, its version and forward migrations.

A project is one SQLite file in WAL mode with foreign keys on. ``PRAGMA
application_id`` marks it as a PainXAI project and ``PRAGMA user_version``
holds the schema version; :data:`MIGRATIONS` upgrades older files in place,
one transaction per step. All SQL in the package is parameterised.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from painxai_gui.errors import ProjectError

#: a project file's name ends so (files of any name open; older ones were often ``.sqlite``)
PROJECT_SUFFIX = ".painxai"
#: "PXAI" as a 32-bit integer, written to PRAGMA application_id
APPLICATION_ID = 0x50584149
SCHEMA_VERSION = 2
#: the oldest version a read-only open accepts as it is (later steps only add tables; readers of
#: those tables treat a missing one as empty)
READABLE_FROM = 1

_V1 = """
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL                     -- JSON
);
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL                     -- JSON, free per-project settings (GUI)
);
CREATE TABLE subjects (
    id     TEXT PRIMARY KEY,
    date   TEXT,
    gender TEXT,
    age    INTEGER
);
CREATE TABLE videos (
    id          TEXT PRIMARY KEY,           -- VideoRecord.id
    subject     TEXT NOT NULL REFERENCES subjects(id),
    label       TEXT NOT NULL,
    category    TEXT,                       -- NULL: not mapped
    part        TEXT NOT NULL,
    path        TEXT NOT NULL,              -- relative to the dataset root when inside it
    frame_count INTEGER NOT NULL CHECK (frame_count >= 0),
    fps         REAL
);
CREATE INDEX videos_subject ON videos(subject);
CREATE TABLE selections (
    video_id  TEXT NOT NULL REFERENCES videos(id),
    frame     INTEGER NOT NULL CHECK (frame >= 0),
    annotator TEXT NOT NULL,
    at        TEXT NOT NULL,
    PRIMARY KEY (video_id, frame)
) WITHOUT ROWID;
CREATE TABLE suggestions (
    video_id TEXT NOT NULL REFERENCES videos(id),
    frame    INTEGER NOT NULL CHECK (frame >= 0),
    source   TEXT NOT NULL,                 -- 'spread' or 'confidence'
    score    REAL,
    PRIMARY KEY (video_id, frame)
) WITHOUT ROWID;
CREATE TABLE predictions (
    video_id   TEXT NOT NULL REFERENCES videos(id),
    frame      INTEGER NOT NULL CHECK (frame >= 0),
    confidence REAL NOT NULL,               -- probability of the video's own category
    PRIMARY KEY (video_id, frame)
) WITHOUT ROWID;
CREATE TABLE subject_exclusions (
    subject   TEXT PRIMARY KEY REFERENCES subjects(id),
    reason    TEXT NOT NULL,
    annotator TEXT NOT NULL,
    at        TEXT NOT NULL
);
CREATE TABLE video_exclusions (
    video_id  TEXT PRIMARY KEY REFERENCES videos(id),
    reason    TEXT NOT NULL,
    annotator TEXT NOT NULL,
    at        TEXT NOT NULL
);
CREATE TABLE history (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    state       TEXT NOT NULL CHECK (state IN ('done', 'undone')),
    description TEXT NOT NULL,
    command     TEXT NOT NULL,              -- JSON list of primitive changes
    annotator   TEXT NOT NULL,
    at          TEXT NOT NULL
);
CREATE TABLE audit (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    at         TEXT NOT NULL,
    annotator  TEXT NOT NULL,
    action     TEXT NOT NULL,
    target     TEXT,
    details    TEXT,                        -- JSON
    history_id INTEGER
);
"""

#: version 2: the figure panel's rows (video + frame, in panel order); crops are recomputed from the video
_V2 = """
CREATE TABLE panel_rows (
    position INTEGER PRIMARY KEY CHECK (position >= 0),   -- 0-based row of the panel
    video_id TEXT NOT NULL REFERENCES videos(id),
    frame    INTEGER NOT NULL CHECK (frame >= 0),
    UNIQUE (video_id, frame)
);
"""

#: MIGRATIONS[v] upgrades a file from version v to v + 1 (index 0 creates it)
MIGRATIONS: tuple[str, ...] = (_V1, _V2)


#: the first bytes of every SQLite 3 database file
SQLITE_MAGIC = b"SQLite format 3\x00"


def check_header(header: bytes, path: Path) -> None:
    """Refuse a file that is not a PainXAI project from its first 100 bytes, before SQLite opens it
    (SQLite would switch another app's file to WAL or turn an empty file into a database)."""
    if not header:
        raise ProjectError("not a PainXAI project (the file is empty)", path)
    if not header.startswith(SQLITE_MAGIC):
        raise ProjectError("not a PainXAI project (not an SQLite file)", path)
    if len(header) < 100:
        raise ProjectError("not a PainXAI project (the SQLite header is cut short)", path)
    if int.from_bytes(header[68:72], "big") != APPLICATION_ID:
        raise ProjectError("not a PainXAI project (SQLite file without the PainXAI mark)", path)


def connect(path: Path, *, read_only: bool = False, immutable: bool = False) -> sqlite3.Connection:
    """Open the SQLite file with the project's pragmas (autocommit; callers use BEGIN).

    ``read_only`` opens with ``mode=ro``; ``immutable`` (read-only media) also tells SQLite the file
    cannot change, so it needs no shared-memory file beside it."""
    try:
        if read_only:
            uri = f"{path.resolve().as_uri()}?mode=ro" + ("&immutable=1" if immutable else "")
            conn = sqlite3.connect(uri, uri=True, isolation_level=None,
                                   check_same_thread=False, timeout=10.0)
        else:
            conn = sqlite3.connect(str(path), isolation_level=None,
                                   check_same_thread=False, timeout=10.0)
        conn.execute("PRAGMA foreign_keys = ON")
        if not read_only:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = FULL")
        return conn
    except sqlite3.DatabaseError as exc:
        raise ProjectError(f"cannot open the project file ({exc})", path) from exc


def check_and_migrate(conn: sqlite3.Connection, path: Path, *, read_only: bool) -> int:
    """Check that this is a PainXAI project, bring its schema to :data:`SCHEMA_VERSION` and check that
    every table and column of its version is there (a clear error otherwise); returns the file's version
    (older than :data:`SCHEMA_VERSION` only when opened read-only)."""
    try:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise ProjectError(f"not a PainXAI project (not an SQLite file: {exc})", path) from exc
    if app_id != APPLICATION_ID:
        raise ProjectError("not a PainXAI project (SQLite file without the PainXAI mark)", path)
    if version > SCHEMA_VERSION:
        raise ProjectError(
            f"project schema version {version} is newer than this PainXAI "
            f"(supports up to {SCHEMA_VERSION}); update PainXAI", path)
    try:
        if version < SCHEMA_VERSION:
            if read_only and version < READABLE_FROM:
                raise ProjectError(
                    f"project schema version {version} must be upgraded; open it for writing once", path)
            if not read_only:
                migrate(conn, version)
                version = SCHEMA_VERSION
        check_tables(conn, path, version)
        integrity = conn.execute("PRAGMA quick_check").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise ProjectError(f"project file cannot be used with schema version {version} ({exc}); "
                           "it is damaged or was changed by another program", path) from exc
    if integrity != "ok":
        raise ProjectError(f"project file is damaged (quick_check: {integrity})", path)
    return version


def check_tables(conn: sqlite3.Connection, path: Path, version: int = SCHEMA_VERSION) -> None:
    """Every table and column of schema ``version`` must exist in the file."""
    for table, columns in expected_tables(version).items():
        found = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
        if not found:
            raise ProjectError(f"project file has schema version {version} but no table {table!r}: "
                               "it is damaged or was changed by another program", path)
        missing = sorted(columns - found)
        if missing:
            raise ProjectError(f"project file's table {table!r} lacks the column(s) {', '.join(missing)}: "
                               "it is damaged or was changed by another program", path)


_EXPECTED: dict[int, dict[str, set[str]]] = {}


def expected_tables(version: int = SCHEMA_VERSION) -> dict[str, set[str]]:
    """``{table: columns}`` of schema ``version``, read from a fresh in-memory database built by
    :data:`MIGRATIONS` (so the check never repeats the schema)."""
    if version not in _EXPECTED:
        mem = sqlite3.connect(":memory:", isolation_level=None)
        try:
            for script in MIGRATIONS[:version]:
                for statement in _statements(script):
                    mem.execute(statement)
            tables = [r[0] for r in mem.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                                "AND name NOT LIKE 'sqlite_%'")]
            _EXPECTED[version] = {t: {r[1] for r in mem.execute(f"PRAGMA table_info({t})")} for t in tables}
        finally:
            mem.close()
    return _EXPECTED[version]


def migrate(conn: sqlite3.Connection, version: int) -> None:
    """Apply every migration after ``version``, each in its own transaction."""
    for step in range(version, SCHEMA_VERSION):
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in _statements(MIGRATIONS[step]):
                conn.execute(statement)
            if step == 0:
                conn.execute(f"PRAGMA application_id = {APPLICATION_ID:d}")
            conn.execute(f"PRAGMA user_version = {step + 1:d}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:  # a failed COMMIT (disk full) has rolled back already
                conn.execute("ROLLBACK")
            raise


def _statements(script: str) -> list[str]:
    """Split a DDL script into statements (our scripts hold no ';' inside strings)."""
    lines = [line.split("--", 1)[0] for line in script.splitlines()]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]
