"""Session history: every `analyze` and `live` session in one local SQLite file.

The file lives in the user's data directory ($XDG_DATA_HOME or ~/.local/share, then
upper-back-coach/history.sqlite3); $COACH_DB or an explicit path overrides it. Each session is written
in one transaction. A file that is not a readable coach history (corrupt, another program's database,
a newer schema) raises `HistoryError` and is left exactly as it is: never repaired or replaced.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from coach.coaching.comfort import latest_comfortable_range
from coach.coaching.progression import SessionOutcome, Suggestion, outcome_from_report, suggest
from coach.errors import HistoryError
from coach.reps.analysis import Rep
from coach.storage.angle_series import AngleSeries
from coach.storage.report import SessionReport

SCHEMA_VERSION = 1
APPLICATION_ID = 0x55424348  # "UBCH": marks the file as ours (PRAGMA application_id)
APP_DIR = "upper-back-coach"
DB_NAME = "history.sqlite3"
BUSY_TIMEOUT_MS = 5000

SCHEMA = """
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    recorded_at TEXT NOT NULL,          -- ISO 8601, UTC
    exercise TEXT NOT NULL,
    source TEXT NOT NULL,               -- the video, or the camera for live sessions
    status TEXT NOT NULL,
    target_reps INTEGER NOT NULL,
    hold_target_s REAL,                 -- NULL: the exercise's standard hold
    reps_left INTEGER NOT NULL,
    reps_right INTEGER NOT NULL,
    reps_total INTEGER NOT NULL,
    reps_good INTEGER NOT NULL,
    frames INTEGER NOT NULL,
    frames_with_pose INTEGER NOT NULL,
    calibration TEXT NOT NULL,          -- JSON: the calibration the session used
    report TEXT NOT NULL                -- JSON: the whole session report
);
CREATE INDEX sessions_by_exercise_time ON sessions (exercise, recorded_at);
CREATE TABLE reps (
    session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    side TEXT,
    start_s REAL NOT NULL,
    hold_start_s REAL NOT NULL,
    hold_end_s REAL NOT NULL,
    end_s REAL NOT NULL,
    hold_s REAL NOT NULL,
    peak_angle_deg REAL NOT NULL,
    good INTEGER NOT NULL,
    faults TEXT NOT NULL,               -- JSON list of fault codes
    PRIMARY KEY (session_id, number)
);
CREATE TABLE angle_series (
    session_id INTEGER PRIMARY KEY REFERENCES sessions (id) ON DELETE CASCADE,
    data BLOB NOT NULL                  -- zlib-compressed AngleSeries JSON
);
"""


@dataclass(frozen=True)
class StoredSession:
    id: int
    recorded_at: datetime
    exercise: str
    source: str
    status: str
    target_reps: int
    hold_target_s: float | None
    report: dict[str, Any]

    @property
    def reps(self) -> list[dict[str, Any]]:
        return list(self.report.get("reps", []))

    def outcome(self) -> SessionOutcome:
        return outcome_from_report(self.report, self.hold_target_s)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "recorded_at": self.recorded_at.isoformat(),
            "exercise": self.exercise,
            "source": self.source,
            "status": self.status,
            "target_reps": self.target_reps,
            "hold_target_s": self.hold_target_s,
            "counts": self.report.get("counts", {}),
            "reps": self.reps,
            "calibration": self.report.get("calibration", {}),
        }


def default_db_path() -> Path:
    """$COACH_DB, else $XDG_DATA_HOME/upper-back-coach/history.sqlite3 (default ~/.local/share)."""
    if os.environ.get("COACH_DB"):
        return Path(os.environ["COACH_DB"]).expanduser()
    data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data_home).expanduser() / APP_DIR / DB_NAME


def record_session(
    report: SessionReport, db_path: Path | None = None, *, recorded_at: datetime | None = None
) -> int:
    """Store one session, its report and its per-frame angles; returns its id."""
    when = (recorded_at or datetime.now(UTC)).astimezone(UTC)
    path = db_path or default_db_path()
    with _write_transaction(path) as connection:
        return _insert(connection, report, AngleSeries.from_record(report.record), when)


def list_sessions(
    db_path: Path | None = None, *, exercise: str | None = None, since: datetime | None = None
) -> list[StoredSession]:
    """Stored sessions, newest first; none (and no file created) when the history does not exist."""
    query = "SELECT * FROM sessions WHERE (? IS NULL OR exercise = ?) AND (? IS NULL OR recorded_at >= ?)"
    since_text = None if since is None else _timestamp(since)
    with _read(db_path or default_db_path()) as connection:
        if connection is None:
            return []
        rows = connection.execute(
            query + " ORDER BY recorded_at DESC, id DESC", (exercise, exercise, since_text, since_text)
        ).fetchall()
    return [_stored(row) for row in rows]


def load_session(session_id: int, db_path: Path | None = None) -> tuple[StoredSession, AngleSeries | None]:
    """One session and its per-frame angles (None when it was stored without them)."""
    path = db_path or default_db_path()
    with _read(path) as connection:
        row = (
            None
            if connection is None
            else connection.execute("SELECT * FROM sessions WHERE id = ?", (session_id,)).fetchone()
        )
        if connection is None or row is None:
            raise HistoryError(f"No session {session_id} in the history ({path}); `coach history` lists them")
        blob = connection.execute(
            "SELECT data FROM angle_series WHERE session_id = ?", (session_id,)
        ).fetchone()
    try:
        series = None if blob is None else AngleSeries.from_json(zlib.decompress(blob[0]).decode("utf-8"))
    except (zlib.error, ValueError, KeyError) as error:
        raise HistoryError(
            f"The per-frame angles of session {session_id} in {path} are damaged: {error}"
        ) from error
    return _stored(row), series


def latest_session_id(db_path: Path | None = None, *, exercise: str | None = None) -> int:
    sessions = list_sessions(db_path, exercise=exercise)
    if not sessions:
        what = f" of {exercise}" if exercise else ""
        raise HistoryError(f"No sessions{what} in the history ({db_path or default_db_path()}) yet")
    return sessions[0].id


def suggestion(exercise: str, db_path: Path | None = None) -> Suggestion:
    """The progression rule's suggestion for the next session of `exercise` (coaching/progression.py)."""
    return suggest(exercise, [s.outcome() for s in list_sessions(db_path, exercise=exercise)])


def comfortable_range_deg(exercise: str, db_path: Path | None = None) -> float | None:
    """The range this person showed was comfortable in their latest session of `exercise` with a good
    rep (coach/coaching/comfort.py); None without one."""
    return latest_comfortable_range([s.reps for s in list_sessions(db_path, exercise=exercise)])


def suggested_target(exercise: str, db_path: Path | None = None) -> int:
    """Target reps (per side for rotate) for the next `live` session, unless the user says --reps."""
    return suggestion(exercise, db_path).target_reps


# -- storage ------------------------------------------------------------------------------------


def _insert(
    connection: sqlite3.Connection, report: SessionReport, series: AngleSeries, when: datetime
) -> int:
    counts = report.counts
    cursor = connection.execute(
        "INSERT INTO sessions (recorded_at, exercise, source, status, target_reps, hold_target_s,"
        " reps_left, reps_right, reps_total, reps_good, frames, frames_with_pose, calibration, report)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            _timestamp(when),
            report.exercise,
            report.record.video,
            report.status,
            report.target_reps,
            report.hold_target_s,
            counts.left,
            counts.right,
            counts.total,
            counts.good,
            report.record.frames,
            report.record.frames_with_pose,
            json.dumps(report.calibration),
            json.dumps(report.to_json_dict()),
        ),
    )
    session_id = cursor.lastrowid
    assert session_id is not None
    connection.executemany(
        "INSERT INTO reps VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (_rep_row(session_id, number, rep) for number, rep in enumerate(report.reps, start=1)),
    )
    compressed = zlib.compress(series.to_json().encode("utf-8"), level=6)
    connection.execute("INSERT INTO angle_series VALUES (?, ?)", (session_id, compressed))
    return session_id


def _rep_row(session_id: int, number: int, rep: Rep) -> tuple[Any, ...]:
    shown = rep.to_dict()  # the rounded numbers the report shows
    return (
        session_id, number, rep.side, shown["start_s"], shown["hold_start_s"], shown["hold_end_s"],
        shown["end_s"], shown["hold_s"], shown["peak_angle_deg"], rep.good, json.dumps(list(rep.faults)),
    )  # fmt: skip


def _stored(row: sqlite3.Row) -> StoredSession:
    try:
        report = json.loads(row["report"])
        recorded_at = datetime.fromisoformat(row["recorded_at"])
    except (TypeError, ValueError) as error:  # the file passed SQLite's checks, the text in it did not
        raise HistoryError(
            f"Session {row['id']} in the history is damaged ({error}); move the history away to start anew"
        ) from error
    return StoredSession(
        id=row["id"],
        recorded_at=recorded_at,
        exercise=row["exercise"],
        source=row["source"],
        status=row["status"],
        target_reps=row["target_reps"],
        hold_target_s=row["hold_target_s"],
        report=report,
    )


def _timestamp(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.astimezone()  # a naive time is the user's local time
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


# -- connections --------------------------------------------------------------------------------


@contextlib.contextmanager
def _write_transaction(path: Path) -> Iterator[sqlite3.Connection]:
    """One IMMEDIATE transaction: the schema (for a new file) and the session land together or not at all."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise HistoryError(f"Cannot create the history folder {path.parent}: {error.strerror}") from error
    with _connection(path) as connection:
        try:
            connection.execute("BEGIN IMMEDIATE")
            if _check_schema(connection, path) == 0:
                for statement in _statements(SCHEMA):
                    connection.execute(statement)
                connection.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            yield connection
            connection.execute("COMMIT")
        except BaseException:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            raise


@contextlib.contextmanager
def _read(path: Path) -> Iterator[sqlite3.Connection | None]:
    """A connection for reading, or None when the history file does not exist yet (it is not created).

    Not SQLite's read-only mode: that could not roll back the journal a crashed write left behind.
    """
    if not path.exists():
        yield None
        return
    with _connection(path) as connection:
        if _check_schema(connection, path) == 0:
            yield None
        else:
            yield connection


@contextlib.contextmanager
def _connection(path: Path) -> Iterator[sqlite3.Connection]:
    try:
        connection = sqlite3.connect(path, isolation_level=None)
    except sqlite3.Error as error:
        raise HistoryError(f"Cannot open the history database {path}: {error}") from error
    connection.row_factory = sqlite3.Row
    try:
        connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        connection.execute("PRAGMA foreign_keys = ON")
        yield connection
    except sqlite3.OperationalError as error:
        if "locked" in str(error) or "busy" in str(error):
            raise HistoryError(
                f"The history database {path} is busy (another coach is using it); try again"
            ) from error
        raise _unreadable(path, error) from error
    except sqlite3.DatabaseError as error:
        raise _unreadable(path, error) from error
    finally:
        connection.close()


def _check_schema(connection: sqlite3.Connection, path: Path) -> int:
    """The file's schema version: 0 for a new empty file; raises for anything that is not our history."""
    application_id = connection.execute("PRAGMA application_id").fetchone()[0]
    version = connection.execute("PRAGMA user_version").fetchone()[0]
    tables = connection.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
    if application_id == 0 and version == 0 and tables == 0:
        return 0
    if application_id != APPLICATION_ID:
        raise HistoryError(
            f"{path} is not an Upper-Back Coach history database; it was left untouched: "
            "pass --db to use another file"
        )
    if version > SCHEMA_VERSION:
        raise HistoryError(
            f"The history database {path} was written by a newer coach (schema {version}, this coach "
            f"reads up to {SCHEMA_VERSION}); upgrade the coach or pass --db to use another file"
        )
    check = connection.execute("PRAGMA quick_check").fetchall()
    if [tuple(row) for row in check] != [("ok",)]:
        # quick_check lists every problem on its own line; the user gets one line, the first problem.
        problems = [line for line in str(check[0][0]).splitlines() if line and not line.startswith("***")]
        raise HistoryError(
            f"The history database {path} is damaged ({problems[0] if problems else 'quick_check failed'}); "
            "it was left untouched: "
            "move it away to start a new history, or pass --db to use another file"
        )
    return int(version)


def _unreadable(path: Path, error: sqlite3.Error) -> HistoryError:
    return HistoryError(
        f"The history database {path} cannot be read ({error}); it was left untouched: "
        "move it away to start a new history, or pass --db to use another file"
    )


def _statements(script: str) -> list[str]:
    """Split the schema into statements (executescript would commit the open transaction)."""
    lines = [line.split("--", 1)[0] for line in script.splitlines()]
    return [statement.strip() for statement in "\n".join(lines).split(";") if statement.strip()]
