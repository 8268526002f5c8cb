"""The project store: one SQLite file in the project folder holding the project document (with a
version for optimistic locking), users and sessions, background jobs and the append-only audit log.

Every change is one transaction: the document is replaced only if nobody changed it since it was
read (else `Conflict`), and the audit row is written with it. After each commit `project.json` is
re-exported atomically, so files and tools that read the folder always see a whole project.
Schema changes are numbered migrations applied in order (PRAGMA user_version).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from cuecraft.errors import CuecraftError
from cuecraft.project import Project, now_utc

STORE_FILE = "cuecraft.db"

MIGRATIONS = (
    """
    CREATE TABLE project (id INTEGER PRIMARY KEY CHECK (id = 1), document TEXT NOT NULL, version INTEGER NOT NULL);
    CREATE TABLE users (name TEXT PRIMARY KEY, role TEXT NOT NULL, password_hash TEXT NOT NULL, created_at TEXT NOT NULL);
    CREATE TABLE sessions (token_hash TEXT PRIMARY KEY, user TEXT NOT NULL REFERENCES users(name), created_at TEXT NOT NULL);
    CREATE TABLE audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, user TEXT NOT NULL, action TEXT NOT NULL,
        cue TEXT, take TEXT, detail TEXT NOT NULL DEFAULT '{}');
    CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    """,
    """
    CREATE TABLE jobs (
        id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, cue TEXT NOT NULL, user TEXT NOT NULL,
        state TEXT NOT NULL, progress REAL NOT NULL DEFAULT 0, message TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL, finished_at TEXT);
    """,
    """
    ALTER TABLE sessions ADD COLUMN started REAL NOT NULL DEFAULT 0;
    ALTER TABLE sessions ADD COLUMN seen REAL NOT NULL DEFAULT 0;
    CREATE TABLE login_failures (key TEXT NOT NULL, at REAL NOT NULL);
    CREATE INDEX login_failures_key ON login_failures (key, at);
    """,
)


class Conflict(CuecraftError):
    """Somebody else changed the project between reading and writing it."""


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: str
    user: str
    action: str
    cue: str | None
    take: str | None
    detail: dict


class ProjectStore:
    """The store of one project folder (created, and the project imported, on first open)."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        if not self.folder.is_dir():
            raise CuecraftError(self.folder, "not a project folder")
        self.path = self.folder / STORE_FILE
        # a new store reads its project first, so a folder without one gets nothing created in it
        found = None if self.path.exists() else Project.load(self.folder)
        if found is not None:
            self.path.touch(mode=0o600)  # it holds password and session hashes: owner only
        with self.connect() as db:
            self._migrate(db)
            if db.execute("SELECT 1 FROM project").fetchone() is None:
                project = found or Project.load(self.folder)
                db.execute("INSERT INTO project (id, document, version) VALUES (1, ?, 1)", (project.model_dump_json(),))

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA foreign_keys=ON")
        try:
            yield db
        finally:
            db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """An immediate (write-locked) transaction, committed on success and rolled back on error."""
        with self.connect() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    @staticmethod
    def _migrate(db: sqlite3.Connection) -> None:
        version = db.execute("PRAGMA user_version").fetchone()[0]
        for number, script in enumerate(MIGRATIONS[version:], version + 1):
            db.executescript(f"BEGIN; {script} PRAGMA user_version = {number}; COMMIT;")

    def schema_version(self) -> int:
        with self.connect() as db:
            return int(db.execute("PRAGMA user_version").fetchone()[0])

    def load(self) -> tuple[Project, int]:
        """The project and its version (pass the version back to `save`)."""
        with self.connect() as db:
            row = db.execute("SELECT document, version FROM project WHERE id = 1").fetchone()
        return Project.model_validate_json(row["document"]), int(row["version"])

    def save(self, project: Project, version: int, user: str, action: str, cue: str | None = None,
             take: str | None = None, detail: dict | None = None) -> int:  # fmt: skip
        """Replace the project if it is still at `version`, log the action; returns the new version."""
        with self.transaction() as db:
            updated = db.execute("UPDATE project SET document = ?, version = version + 1 WHERE id = 1 AND version = ?",
                                 (project.model_dump_json(), version)).rowcount  # fmt: skip
            if updated != 1:
                raise Conflict(self.folder, "the project changed meanwhile; reload and try again")
            self.append_log(db, user, action, cue, take, detail)
        project.save(self.folder)
        return version + 1

    def log(self, user: str, action: str, cue: str | None = None, take: str | None = None, detail: dict | None = None) -> None:
        """Record an action that changes no project data (a login, an export)."""
        with self.transaction() as db:
            self.append_log(db, user, action, cue, take, detail)

    @staticmethod
    def append_log(db: sqlite3.Connection, user: str, action: str, cue: str | None, take: str | None, detail: dict | None) -> None:
        db.execute("INSERT INTO audit (at, user, action, cue, take, detail) VALUES (?, ?, ?, ?, ?, ?)",
                   (now_utc(), user, action, cue, take, json.dumps(detail or {})))  # fmt: skip

    def history(self, cue: str | None = None) -> list[AuditEntry]:
        """The audit log, oldest first (of one cue if given)."""
        query, args = "SELECT * FROM audit", ()
        if cue is not None:
            query, args = query + " WHERE cue = ?", (cue,)
        with self.connect() as db:
            rows = db.execute(query + " ORDER BY id", args).fetchall()
        return [AuditEntry(r["id"], r["at"], r["user"], r["action"], r["cue"], r["take"], json.loads(r["detail"])) for r in rows]

    def create_job(self, kind: str, cue: str, user: str) -> int:
        with self.transaction() as db:
            return int(db.execute("INSERT INTO jobs (kind, cue, user, state, created_at) VALUES (?, ?, ?, 'queued', ?)",
                                  (kind, cue, user, now_utc())).lastrowid)  # fmt: skip

    def update_job(self, job: int, progress: float, message: str = "", state: str = "running") -> None:
        finished = now_utc() if state != "running" else None
        with self.transaction() as db:
            db.execute("UPDATE jobs SET progress = ?, message = ?, state = ?, finished_at = ? WHERE id = ?",
                       (progress, message, state, finished, job))  # fmt: skip

    def job(self, job: int) -> dict | None:
        with self.connect() as db:
            row = db.execute("SELECT * FROM jobs WHERE id = ?", (job,)).fetchone()
        return dict(row) if row else None

    def interrupt_running_jobs(self) -> int:
        """Settle the jobs a server that died left queued or running: one whose result was saved (its
        action is in the audit log, written in the same transaction as the project) is done, with the
        take it made; the others are interrupted. Returns how many were interrupted."""
        saved = ("FROM audit a WHERE a.action = jobs.kind AND a.user = jobs.user AND a.at >= jobs.created_at"
                 " AND (a.cue = jobs.cue OR (jobs.cue = '*' AND a.cue IS NULL))")  # fmt: skip
        with self.transaction() as db:
            db.execute(f"UPDATE jobs SET state = 'done', progress = 1, finished_at = ?, "  # noqa: S608 - constant SQL
                       f"message = COALESCE((SELECT a.take {saved} ORDER BY a.id LIMIT 1), 'finished before the server stopped') "
                       f"WHERE state IN ('queued', 'running') AND EXISTS (SELECT 1 {saved})", (now_utc(),))  # fmt: skip
            return db.execute("UPDATE jobs SET state = 'interrupted', finished_at = ? WHERE state IN ('queued', 'running')",
                              (now_utc(),)).rowcount  # fmt: skip
