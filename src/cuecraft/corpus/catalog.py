"""The soundtrack catalog: one SQLite file, written by one process, queried by everyone.

Schema (version 3; a version-1 catalog gains the three timed tables, empty for the pieces it holds, and
a version-2 one the modal_key column, NULL for the pieces it holds):
  pieces       one row per unique file content (sha1): provenance, the features of PieceFeatures,
               and valence/arousal in [-1, 1] where the source labels them (NULL otherwise)
  instruments  piece_id, GM family, program, is_drum, notes — one row per sounding track
  windows      piece_id, index, start_s, end_s, key, key_confidence, note_density, velocity_mean
               — 8-bar sections of symbolic pieces
  chords       piece_id, start_beat, end_beat, chord (G:7), numeral (V65), local_key — the harmony in time
  local_keys   piece_id, start_beat, end_beat, key — the key in force
  sections     piece_id, start_beat, end_beat, label (A, A', B...) — phrases by repetition
  meta         key/value: schema_version
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from cuecraft.corpus.features import PieceFeatures
from cuecraft.corpus.modes import MODE_NAMES
from cuecraft.errors import CuecraftError
from cuecraft.project import now_utc

SCHEMA_VERSION = 3
_FEATURE_COLUMNS = (
    "duration_s", "tempo_bpm", "tempo_changes", "meter", "key", "key_confidence", "note_count", "note_density",
    "polyphony", "pitch_min", "pitch_max", "velocity_mean", "velocity_std", "harmonic_rhythm", "chord_vocabulary",
    "loudness_lufs", "brightness_hz", "modal_key",
)  # fmt: skip
_TEXT_COLUMNS = ("meter", "key", "modal_key")
_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS pieces (
  id INTEGER PRIMARY KEY,
  sha1 TEXT NOT NULL UNIQUE,
  path TEXT NOT NULL,
  title TEXT NOT NULL,
  format TEXT NOT NULL,
  source TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('symbolic', 'audio')),
  {", ".join(f"{c} {'TEXT' if c in _TEXT_COLUMNS else 'REAL'}" for c in _FEATURE_COLUMNS)},
  mode TEXT GENERATED ALWAYS AS (CASE WHEN key LIKE '% major' THEN 'major' WHEN key LIKE '% minor' THEN 'minor' END),
  top_chords TEXT NOT NULL DEFAULT '[]',
  valence REAL CHECK (valence BETWEEN -1 AND 1),
  arousal REAL CHECK (arousal BETWEEN -1 AND 1),
  added_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS instruments (
  piece_id INTEGER NOT NULL REFERENCES pieces(id) ON DELETE CASCADE,
  family TEXT NOT NULL, program INTEGER NOT NULL, is_drum INTEGER NOT NULL, notes INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS windows (
  piece_id INTEGER NOT NULL REFERENCES pieces(id) ON DELETE CASCADE,
  idx INTEGER NOT NULL, start_s REAL NOT NULL, end_s REAL NOT NULL, key TEXT, key_confidence REAL,
  note_density REAL NOT NULL, velocity_mean REAL
);
CREATE TABLE IF NOT EXISTS chords (
  piece_id INTEGER NOT NULL REFERENCES pieces(id) ON DELETE CASCADE,
  start_beat REAL NOT NULL, end_beat REAL NOT NULL, chord TEXT NOT NULL, numeral TEXT NOT NULL, local_key TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS local_keys (
  piece_id INTEGER NOT NULL REFERENCES pieces(id) ON DELETE CASCADE,
  start_beat REAL NOT NULL, end_beat REAL NOT NULL, key TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sections (
  piece_id INTEGER NOT NULL REFERENCES pieces(id) ON DELETE CASCADE,
  start_beat REAL NOT NULL, end_beat REAL NOT NULL, label TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS pieces_key ON pieces(key);
CREATE INDEX IF NOT EXISTS chords_piece ON chords(piece_id);
CREATE INDEX IF NOT EXISTS local_keys_piece ON local_keys(piece_id);
CREATE INDEX IF NOT EXISTS sections_piece ON sections(piece_id);
CREATE INDEX IF NOT EXISTS pieces_tempo ON pieces(tempo_bpm);
CREATE INDEX IF NOT EXISTS instruments_piece ON instruments(piece_id);
CREATE INDEX IF NOT EXISTS windows_piece ON windows(piece_id);
"""
QUADRANTS = {
    "high-valence-high-arousal": "valence >= 0 AND arousal >= 0",
    "high-valence-low-arousal": "valence >= 0 AND arousal < 0",
    "low-valence-high-arousal": "valence < 0 AND arousal >= 0",
    "low-valence-low-arousal": "valence < 0 AND arousal < 0",
}


@dataclass(frozen=True)
class PieceQuery:
    """Filters for `Catalog.query`; unset fields do not filter."""

    mode: str | None = None
    key: str | None = None
    tempo_min: float | None = None
    tempo_max: float | None = None
    quadrant: str | None = None
    family: str | None = None
    source: str | None = None
    labelled: bool | None = None
    limit: int | None = None


class Catalog:
    """A connection to the catalog file, creating the schema on first use."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.db = sqlite3.connect(self.path)
            self.db.row_factory = sqlite3.Row
            self.db.execute("PRAGMA foreign_keys = ON")
            self.db.execute("PRAGMA journal_mode = WAL")
            self.db.executescript(_SCHEMA)
            self.db.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
            self.db.commit()
        except sqlite3.DatabaseError as exc:
            raise CuecraftError(self.path, f"not a usable catalog ({exc})") from None
        version = int(self.db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0])
        if version in (1, 2):  # the timed tables were added by the schema script above; the modal key is added here
            with self.db:
                self.db.execute("ALTER TABLE pieces ADD COLUMN modal_key TEXT")
                self.db.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION),))
            version = SCHEMA_VERSION
        if version != SCHEMA_VERSION:
            raise CuecraftError(self.path, f"catalog schema version {version}, this cuecraft reads {SCHEMA_VERSION}")

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Catalog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def piece_id(self, sha1: str) -> int | None:
        row = self.db.execute("SELECT id FROM pieces WHERE sha1 = ?", (sha1,)).fetchone()
        return row[0] if row else None

    def add(self, *, sha1: str, path: str, title: str, fmt: str, source: str, features: PieceFeatures,
            emotion: tuple[float, float] | None = None) -> int:  # fmt: skip
        """Insert one analysed piece with its instruments and windows, in one transaction."""
        values = [getattr(features, c) for c in _FEATURE_COLUMNS]
        valence, arousal = emotion or (None, None)
        with self.db:
            cursor = self.db.execute(
                f"INSERT INTO pieces (sha1, path, title, format, source, kind, {', '.join(_FEATURE_COLUMNS)}, "
                f"top_chords, valence, arousal, added_at) VALUES ({', '.join('?' * (len(values) + 10))})",
                [sha1, path, title, fmt, source, features.kind, *values, json.dumps(features.top_chords),
                 valence, arousal, now_utc()],
            )  # fmt: skip
            piece = int(cursor.lastrowid)
            self.db.executemany(
                "INSERT INTO instruments VALUES (?, ?, ?, ?, ?)",
                [(piece, i.family, i.program, int(i.is_drum), i.notes) for i in features.instruments],
            )
            self.db.executemany(
                "INSERT INTO windows VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(piece, w.index, w.start_s, w.end_s, w.key, w.key_confidence, w.note_density, w.velocity_mean)
                 for w in features.windows],
            )  # fmt: skip
            self.db.executemany("INSERT INTO chords VALUES (?, ?, ?, ?, ?, ?)",
                                [(piece, c.start_beat, c.end_beat, c.chord, c.numeral, c.local_key) for c in features.chords])  # fmt: skip
            self.db.executemany("INSERT INTO local_keys VALUES (?, ?, ?, ?)",
                                [(piece, k.start_beat, k.end_beat, k.key) for k in features.local_keys])  # fmt: skip
            self.db.executemany("INSERT INTO sections VALUES (?, ?, ?, ?)",
                                [(piece, s.start_beat, s.end_beat, s.label) for s in features.sections])  # fmt: skip
        return piece

    def chords(self, piece_id: int) -> list[dict]:
        """The piece's timed chords (beats) with their numerals and local keys, in order."""
        return self._timed("chords", piece_id)

    def local_keys(self, piece_id: int) -> list[dict]:
        """The keys in force through the piece (beats), in order."""
        return self._timed("local_keys", piece_id)

    def sections(self, piece_id: int) -> list[dict]:
        """The piece's phrases and their letters (A, A', B...), in order."""
        return self._timed("sections", piece_id)

    def _timed(self, table: str, piece_id: int) -> list[dict]:
        rows = self.db.execute(f"SELECT * FROM {table} WHERE piece_id = ? ORDER BY start_beat", (piece_id,)).fetchall()  # noqa: S608 - table names are this module's
        return [dict(row) for row in rows]

    def set_emotion(self, piece_id: int, valence: float, arousal: float) -> None:
        with self.db:
            self.db.execute("UPDATE pieces SET valence = ?, arousal = ? WHERE id = ?", (valence, arousal, piece_id))

    def query(self, q: PieceQuery = PieceQuery()) -> list[dict]:
        """Pieces matching every set filter, as dicts (instrument families as a list), ordered by id."""
        where, params = [], []
        if q.mode is not None and q.mode not in ("major", "minor", *MODE_NAMES):
            raise CuecraftError(q.mode, f"unknown mode (one of: major, minor, {', '.join(sorted(MODE_NAMES - {'major', 'minor'}))})")
        modal = q.mode not in (None, "major", "minor")
        for condition, value in (
            ("mode = ?", None if modal else q.mode),  # major and minor: the key's family, its modes included
            ("modal_key LIKE ?", f"% {q.mode}" if modal else None),
            ("key = ?", q.key),
            ("tempo_bpm >= ?", q.tempo_min),
            ("tempo_bpm <= ?", q.tempo_max),
            ("id IN (SELECT piece_id FROM instruments WHERE family = ?)", q.family),
            ("source = ?", q.source),
        ):
            if value is not None:
                where.append(condition)
                params.append(value)
        if q.quadrant:
            if q.quadrant not in QUADRANTS:
                raise CuecraftError(q.quadrant, f"unknown quadrant (one of: {', '.join(QUADRANTS)})")
            where.append(QUADRANTS[q.quadrant])
        if q.labelled is not None:
            where.append("valence IS NOT NULL" if q.labelled else "valence IS NULL")
        families = "(SELECT group_concat(DISTINCT family) FROM instruments WHERE piece_id = pieces.id) AS families"
        sql = f"SELECT *, {families} FROM pieces" + (f" WHERE {' AND '.join(where)}" if where else "") + " ORDER BY id"
        if q.limit:
            sql += f" LIMIT {int(q.limit)}"
        rows = [dict(r) for r in self.db.execute(sql, params)]
        for row in rows:
            row["top_chords"] = json.loads(row["top_chords"])
            row["families"] = sorted(row["families"].split(",")) if row["families"] else []
        return rows

    def stats(self) -> dict[str, Counter]:
        """Distributions over the catalog: tempo (20-bpm bins), key, mode, mode named with the modal key
        (dorian, mixolydian...), family, quadrant, source, kind."""
        def counts(sql: str) -> Counter:
            return Counter({str(k): v for k, v in self.db.execute(sql) if k is not None})

        quadrant_sql = " ".join(f"WHEN {cond} THEN '{name}'" for name, cond in QUADRANTS.items())
        return {
            "catalog": counts("SELECT 'pieces', COUNT(*) FROM pieces"),
            "kind": counts("SELECT kind, COUNT(*) FROM pieces GROUP BY kind"),
            "source": counts("SELECT source, COUNT(*) FROM pieces GROUP BY source"),
            "tempo": counts(
                "SELECT printf('%3d-%3d', CAST(tempo_bpm / 20 AS INT) * 20, CAST(tempo_bpm / 20 AS INT) * 20 + 19), COUNT(*) "
                "FROM pieces WHERE tempo_bpm IS NOT NULL GROUP BY 1 ORDER BY 1"
            ),
            "mode": counts("SELECT mode, COUNT(*) FROM pieces GROUP BY mode"),
            "modal": counts("SELECT substr(modal_key, instr(modal_key, ' ') + 1), COUNT(*) FROM pieces GROUP BY 1"),
            "key": counts("SELECT key, COUNT(*) FROM pieces GROUP BY key"),
            "family": counts("SELECT family, COUNT(DISTINCT piece_id) FROM instruments GROUP BY family"),
            "quadrant": counts(f"SELECT CASE {quadrant_sql} END, COUNT(*) FROM pieces WHERE valence IS NOT NULL GROUP BY 1"),
        }
