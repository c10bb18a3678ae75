"""The session history: stored and read back exactly, transactional, never replacing a bad file; the CLI."""

from __future__ import annotations

import argparse
import json
import sqlite3
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from coach.app import analyze as analyze_app
from coach.cli.history import keep_analysis
from coach.cli.main import build_parser
from coach.cli.main import main as coach_main
from coach.errors import HistoryError, InterruptedSession, NoPersonError
from coach.render.video_sink import VideoSink
from coach.reps.analysis import Rep
from coach.storage import history
from coach.storage.angle_series import AngleSeries
from coach.storage.history import (
    default_db_path,
    latest_session_id,
    list_sessions,
    load_session,
    record_session,
    suggested_target,
    suggestion,
)
from coach.storage.report import SessionReport, frames_csv
from tests.seated import StillPoseModel
from tests.session_builders import PlannedRep, good_rotate, synthetic_session

NOON = datetime(2025, 11, 20, 12, 0, tzinfo=UTC)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "data" / "history.sqlite3"


def coach(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "coach", *map(str, args)], capture_output=True, text=True, timeout=120
    )


def faulty_rotate() -> SessionReport:
    plan = [
        PlannedRep("left", 35, 2.2),
        PlannedRep("right", 33, 1.0, ("short_hold",)),
        PlannedRep("left", 30, 2.2, ("low_back",)),
        PlannedRep("right", 32, 2.3),
    ]
    return synthetic_session("rotate", plan).session_report


def table(db: Path, name: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db) as connection:
        return connection.execute(f"SELECT * FROM {name}").fetchall()


# -- where the file lives -----------------------------------------------------------------------


def test_default_path_is_in_the_users_data_directory(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("COACH_DB", raising=False)
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert default_db_path() == tmp_path / ".local" / "share" / "upper-back-coach" / "history.sqlite3"
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_db_path() == tmp_path / "xdg" / "upper-back-coach" / "history.sqlite3"
    monkeypatch.setenv("COACH_DB", str(tmp_path / "mine.sqlite3"))
    assert default_db_path() == tmp_path / "mine.sqlite3"


def test_reading_a_history_that_does_not_exist_creates_nothing(db: Path) -> None:
    assert list_sessions(db) == []
    assert suggested_target("rotate", db) == 3
    assert not db.exists() and not db.parent.exists()


# -- what is stored ------------------------------------------------------------------------------


def test_a_session_round_trips(db: Path) -> None:
    report = faulty_rotate().to_json_dict()
    session_id = record_session(faulty_rotate(), db, recorded_at=NOON)
    assert session_id == 1
    [stored] = list_sessions(db)
    assert stored.id == 1 and stored.recorded_at == NOON
    assert stored.report == report
    assert (stored.exercise, stored.source, stored.status, stored.target_reps) == (
        "rotate", "synthetic.mp4", "complete", 3,
    )  # fmt: skip
    assert stored.hold_target_s is None
    summary = stored.to_dict()
    assert summary["counts"] == {"left": 2, "right": 2, "total": 4, "good": 2}
    assert summary["calibration"] == report["calibration"]
    assert [rep["faults"] for rep in summary["reps"]] == [[], ["short_hold"], ["low_back"], []]


def test_reps_are_stored_one_row_each(db: Path) -> None:
    record_session(faulty_rotate(), db)
    rows = table(db, "reps")
    assert [(r[1], r[2], r[9], json.loads(r[10])) for r in rows] == [
        (1, "left", 1, []),
        (2, "right", 0, ["short_hold"]),
        (3, "left", 0, ["low_back"]),
        (4, "right", 1, []),
    ]
    assert [r[8] for r in rows] == [35.0, 33.0, 30.0, 32.0]  # peak angles
    assert rows[1][7] == pytest.approx(1.0, abs=0.02)  # the short hold
    [session] = table(db, "sessions")
    assert session[7:11] == (2, 2, 4, 2)  # reps left, right, total, good


def test_per_frame_angles_round_trip_from_the_record(db: Path) -> None:
    session = synthetic_session("rotate", [PlannedRep("left", 34, 2.2)], gap=(1.0, 1.5), hold_target_s=2.5)
    session_id = record_session(session.session_report, db)
    stored, series = load_session(session_id, db)
    assert series is not None
    expected = AngleSeries.from_record(session.record)
    assert len(series) == len(session.record.rows) == session.report["frames"]
    assert series.t_s == pytest.approx(expected.t_s, abs=1e-3)
    assert [a is None for a in series.angle_deg] == [a is None for a in expected.angle_deg]
    assert series.phase == expected.phase and series.cue == expected.cue
    assert (series.target_deg, series.comfortable_deg, series.hold_target_s) == (30.0, 38.0, 2.5)
    # The session's hold target is the one it asked for (None: the standard), never a frame's: a
    # frame's hold target is what the screen showed (the calibration's seconds while calibrating).
    assert stored.hold_target_s is None
    asked = record_session(replace(session.session_report, hold_target_s=3.0), db)
    assert load_session(asked, db)[0].hold_target_s == 3.0


def test_the_stored_angles_are_the_per_frame_csv_s(db: Path) -> None:
    session = synthetic_session("rotate", [PlannedRep("right", 30, 2.1)], gap=(4.0, 4.4))
    _, stored = load_session(record_session(session.session_report, db), db)
    from_csv = AngleSeries.from_csv(frames_csv(session.record))
    assert stored is not None and len(stored) == len(from_csv)
    assert (stored.t_s, stored.phase, stored.cue) == (from_csv.t_s, from_csv.phase, from_csv.cue)
    assert stored.angle_deg == pytest.approx(from_csv.angle_deg, abs=0.006)
    assert stored.hold_s == pytest.approx(from_csv.hold_s, abs=0.006)


def test_a_session_stored_without_frames_loads_without_them(db: Path) -> None:
    session_id = record_session(good_rotate().session_report, db)
    with sqlite3.connect(db) as connection:  # as an older coach stored its live sessions
        connection.execute("DELETE FROM angle_series")
    assert load_session(session_id, db)[1] is None


def test_sessions_are_listed_newest_first_and_filtered(db: Path) -> None:
    arch = synthetic_session("arch", [PlannedRep(None, 20, 2.0)] * 3).session_report
    record_session(good_rotate().session_report, db, recorded_at=NOON - timedelta(days=10))
    record_session(arch, db, recorded_at=NOON - timedelta(days=2))
    record_session(faulty_rotate(), db, recorded_at=NOON)
    assert [s.id for s in list_sessions(db)] == [3, 2, 1]
    assert [s.id for s in list_sessions(db, exercise="rotate")] == [3, 1]
    assert [s.id for s in list_sessions(db, since=NOON - timedelta(days=3))] == [3, 2]
    assert latest_session_id(db) == 3 and latest_session_id(db, exercise="arch") == 2


def test_the_suggested_target_follows_the_stored_sessions(db: Path) -> None:
    record_session(good_rotate().session_report, db, recorded_at=NOON - timedelta(days=1))
    assert suggested_target("rotate", db) == 3  # one good session is not enough
    record_session(good_rotate().session_report, db, recorded_at=NOON)
    assert suggested_target("rotate", db) == 5
    assert suggestion("rotate", db).progressed
    assert suggested_target("arch", db) == 3
    record_session(faulty_rotate(), db, recorded_at=NOON + timedelta(days=1))
    assert suggested_target("rotate", db) == 3  # the latest session was at 3 and had faults


# -- transactions and bad files -----------------------------------------------------------------


def test_a_failed_write_leaves_no_trace(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rep_row = history._rep_row

    def fail_at_the_third_rep(session_id: int, number: int, rep: Rep) -> tuple[Any, ...]:
        if number == 3:  # after the session row and 2 reps are inserted
            raise RuntimeError("disk trouble")
        return rep_row(session_id, number, rep)

    broken = faulty_rotate()
    with monkeypatch.context() as patch:
        patch.setattr(history, "_rep_row", fail_at_the_third_rep)
        with pytest.raises(RuntimeError):
            record_session(broken, db)  # the very first write: the schema is rolled back too
    assert list_sessions(db) == []
    record_session(good_rotate().session_report, db)
    with monkeypatch.context() as patch:
        patch.setattr(history, "_rep_row", fail_at_the_third_rep)
        with pytest.raises(RuntimeError):
            record_session(broken, db)
    assert len(list_sessions(db)) == 1
    assert len(table(db, "reps")) == 6


def test_a_corrupt_file_is_reported_and_left_alone(db: Path) -> None:
    db.parent.mkdir(parents=True)
    garbage = b"this is not a database, it is somebody's notes\n" * 100
    db.write_bytes(garbage)
    for action in (lambda: record_session(good_rotate().session_report, db), lambda: list_sessions(db)):
        with pytest.raises(HistoryError, match=r"cannot be read.*left untouched"):
            action()
    assert db.read_bytes() == garbage
    assert sorted(p.name for p in db.parent.iterdir()) == [db.name]


def test_a_damaged_database_is_reported_and_left_alone(db: Path) -> None:
    for _ in range(30):
        record_session(faulty_rotate(), db)
    damaged = bytearray(db.read_bytes())
    damaged[len(damaged) // 2 : len(damaged) // 2 + 4096] = b"\xff" * 4096  # a page overwritten
    db.write_bytes(bytes(damaged))
    with pytest.raises(HistoryError, match=r"history database .* (damaged|cannot be read)"):
        record_session(good_rotate().session_report, db)
    assert db.read_bytes() == bytes(damaged)


def test_another_programs_database_is_not_touched(db: Path) -> None:
    db.parent.mkdir(parents=True)
    with sqlite3.connect(db) as connection:
        connection.execute("CREATE TABLE recipes (name TEXT)")
    before = db.read_bytes()
    with pytest.raises(HistoryError, match="not an Upper-Back Coach history"):
        record_session(good_rotate().session_report, db)
    assert db.read_bytes() == before


def test_a_newer_schema_is_refused(db: Path) -> None:
    record_session(good_rotate().session_report, db)
    with sqlite3.connect(db) as connection:
        connection.execute(f"PRAGMA user_version = {history.SCHEMA_VERSION + 1}")
    with pytest.raises(HistoryError, match="newer coach"):
        list_sessions(db)


def test_a_busy_database_gives_a_clear_error(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(history, "BUSY_TIMEOUT_MS", 50)
    record_session(good_rotate().session_report, db)
    other = sqlite3.connect(db, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        with pytest.raises(HistoryError, match="busy"):
            record_session(good_rotate().session_report, db)
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert len(list_sessions(db)) == 1


def test_an_unknown_session_is_a_clear_error(db: Path) -> None:
    record_session(good_rotate().session_report, db)
    with pytest.raises(HistoryError, match="No session 7"):
        load_session(7, db)


# -- the commands, through the real entry point --------------------------------------------------


def test_history_command_table_and_json(db: Path) -> None:
    now = datetime.now(UTC)
    record_session(good_rotate().session_report, db, recorded_at=now - timedelta(days=10))
    record_session(good_rotate().session_report, db, recorded_at=now - timedelta(hours=2))
    record_session(faulty_rotate(), db, recorded_at=now - timedelta(hours=1))
    result = coach("history", "--db", db)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split()[:4] == ["#", "date", "exercise", "reps"]
    assert [line.split()[0] for line in lines[1:4]] == ["3", "2", "1"]
    assert "L2 R2" in lines[1] and "2/4" in lines[1] and "low_back x1, short_hold x1" in lines[1]
    assert "L3 R3" in lines[2] and "6/6" in lines[2] and "L34 R34" in lines[2]
    assert lines[-1].startswith("Next rotate: 3 reps per side, 2 s holds; as far as is comfortable")

    recent = coach("history", "--db", db, "--days", "3", "--json")
    assert recent.returncode == 0, recent.stderr
    document = json.loads(recent.stdout)
    assert [s["id"] for s in document["sessions"]] == [3, 2]
    assert document["sessions"][0]["counts"] == {"left": 2, "right": 2, "total": 4, "good": 2}
    assert document["next"]["rotate"]["target_reps"] == 3
    # The latest session's good reps: left 35, right 32 degrees; the stiffer side sets the range.
    assert document["next"]["rotate"]["comfortable_deg"] == pytest.approx(32.0, abs=1.0)
    assert document["db"] == str(db)


def test_history_command_suggests_progress(db: Path) -> None:
    record_session(good_rotate().session_report, db, recorded_at=NOON - timedelta(days=1))
    record_session(good_rotate().session_report, db, recorded_at=NOON)
    result = coach("history", "--db", db, "--exercise", "rotate")
    assert result.returncode == 0, result.stderr
    assert "Next rotate: 5 reps per side, 2 s holds" in result.stdout


def test_report_command_writes_the_page(db: Path, tmp_path: Path) -> None:
    session = synthetic_session("rotate", [PlannedRep("left", 34, 2.2), PlannedRep("right", 31, 2.2)])
    record_session(session.session_report, db)
    out = tmp_path / "page.html"
    result = coach("report", "--last", "--out", out, "--db", db)
    assert result.returncode == 0, result.stderr
    assert str(out) in result.stdout
    page = out.read_text()
    assert page.count('class="angle"') == 1 and page.count('class="hold"') == 2
    by_number = coach("report", "1", "--db", db, "--out", tmp_path / "again.html")
    assert by_number.returncode == 0 and (tmp_path / "again.html").read_text() == page


def test_commands_on_a_corrupt_file_say_so_in_one_line(db: Path) -> None:
    db.parent.mkdir(parents=True)
    db.write_bytes(b"\x00garbage" * 1000)
    for args in (("history",), ("report", "--last")):
        result = coach(*args, "--db", db)
        assert result.returncode == HistoryError.exit_code, result.stderr
        assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
        assert str(db) in result.stderr
    assert db.read_bytes() == b"\x00garbage" * 1000


@pytest.mark.parametrize("damage", ["rep without times", "reps not a list"])
def test_report_of_a_stored_session_with_missing_fields_says_so_in_one_line(
    db: Path, tmp_path: Path, damage: str
) -> None:
    session = synthetic_session("rotate", [PlannedRep("left", 34, 2.2)])
    session_id = record_session(session.session_report, db)
    report = json.loads(json.dumps(session.report))
    if damage == "rep without times":
        del report["reps"][0]["hold_start_s"]
    else:
        report["reps"] = 7
    with sqlite3.connect(db) as connection:
        connection.execute("UPDATE sessions SET report = ? WHERE id = ?", (json.dumps(report), session_id))
    result = coach("report", str(session_id), "--db", db, "--out", tmp_path / "page.html")
    assert result.returncode == HistoryError.exit_code, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert f"Session {session_id}" in result.stderr
    assert not (tmp_path / "page.html").exists()


def test_report_of_an_empty_history(db: Path) -> None:
    result = coach("report", "--last", "--db", db)
    assert result.returncode == HistoryError.exit_code and "No sessions" in result.stderr
    assert not db.exists()


def test_the_db_option_is_optional_through_coach_db(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    record_session(good_rotate().session_report, db)
    monkeypatch.setenv("COACH_DB", str(db))
    result = coach("history", "--json")
    assert result.returncode == 0 and len(json.loads(result.stdout)["sessions"]) == 1


# -- the analyze hook ---------------------------------------------------------------------------


def analyze_args(db: Path, *extra: str | Path) -> argparse.Namespace:
    return build_parser().parse_args(
        ["analyze", "clip.mp4", "--exercise", "rotate", "--db", str(db), *map(str, extra)]
    )


def test_analyze_stores_the_session_and_writes_the_page(db: Path, tmp_path: Path) -> None:
    session = synthetic_session(
        "rotate", [PlannedRep("left", 34, 2.2), PlannedRep("right", 32, 1.0, ("short_hold",))]
    )
    page = tmp_path / "page.html"
    with keep_analysis(analyze_args(db, "--report-html", page, "--hold", "2")) as kept:
        kept.keep(replace(session.session_report, hold_target_s=2.0))  # as analyze_video hands it over
    assert kept.session_id == 1
    stored, series = load_session(1, db)
    assert stored.report == session.report and stored.hold_target_s == 2.0
    assert series is not None and len(series) == len(session.record.rows)
    html = page.read_text()
    assert html.count('class="hold"') == 2 and "Next session: 3 reps per side" in html


def test_an_interrupted_analyze_is_stored_and_a_failed_one_is_not(db: Path) -> None:
    with pytest.raises(NoPersonError), keep_analysis(analyze_args(db)):
        raise NoPersonError("nobody")
    assert list_sessions(db) == []
    interrupted = replace(good_rotate().session_report, status="interrupted")
    with pytest.raises(InterruptedSession), keep_analysis(analyze_args(db)) as kept:
        kept.keep(interrupted)
        raise InterruptedSession("stopped")
    [stored] = list_sessions(db)
    assert stored.status == "interrupted"


@pytest.mark.parametrize("ending", ["complete", "interrupted"])
def test_analyze_stores_what_it_measured_not_what_its_files_say(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ending: str
) -> None:
    """`coach analyze` in this process, the pose model replaced by StillPoseModel; its report and
    per-frame table are taken away the moment they are written, so nothing can be read back."""

    class Model(StillPoseModel):
        interrupt_at = 50 if ending == "interrupted" else None  # Ctrl-C

    written: dict[str, str] = {}

    def written_then_taken_away(write: Any) -> Any:
        def wrapper(path: Path, report: Any) -> None:
            write(path, report)
            written[path.name] = path.read_text()
            path.unlink()

        return wrapper

    monkeypatch.setattr(analyze_app, "PoseEstimator", Model)
    monkeypatch.setattr(analyze_app, "write_report", written_then_taken_away(analyze_app.write_report))
    monkeypatch.setattr(
        analyze_app, "write_frames_csv", written_then_taken_away(analyze_app.write_frames_csv)
    )
    video = tmp_path / "still.mp4"
    with VideoSink(video, 15.0, (640, 480)) as sink:
        for _ in range(75):
            sink.write(np.full((480, 640, 3), 128, np.uint8))
    page = tmp_path / "page.html"
    code = coach_main(
        ["analyze", str(video), "--exercise", "rotate", "--report", str(tmp_path / "r.json"),
         "--frames", str(tmp_path / "f.csv"), "--report-html", str(page), "--db", str(db), "--hold", "2.5"]
    )  # fmt: skip
    assert code == (0 if ending == "complete" else InterruptedSession.exit_code)
    assert sorted(written) == ["f.csv", "r.json"] and not (tmp_path / "r.json").exists()
    report = json.loads(written["r.json"])
    assert report["status"] == ending and report["frames"] == (75 if ending == "complete" else 50)
    assert report["calibration"]["calibrated"] is True
    [stored] = list_sessions(db)
    assert stored.report == report and stored.hold_target_s == 2.5
    _, series = load_session(stored.id, db)
    assert series is not None
    from_csv = AngleSeries.from_csv(written["f.csv"])
    assert len(series) == len(from_csv) == report["frames"]
    assert series.phase == from_csv.phase and series.angle_deg == pytest.approx(from_csv.angle_deg, abs=0.006)
    assert "No per-frame angles" not in page.read_text()
