"""`coach history` and `coach report`, and the history hook `coach analyze` runs after each video."""

from __future__ import annotations

import argparse
import contextlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from coach.coaching.progression import SIGNED_EXERCISES
from coach.errors import HistoryError, InterruptedSession
from coach.exercises import EXERCISES
from coach.render.html_report import write_html_report
from coach.storage.angle_series import AngleSeries
from coach.storage.history import (
    StoredSession,
    comfortable_range_deg,
    default_db_path,
    latest_session_id,
    list_sessions,
    load_session,
    record_session,
    suggestion,
)
from coach.storage.report import SessionReport


def register(commands: Any) -> None:
    history = commands.add_parser("history", help="list past sessions and the suggested next target")
    history.add_argument("--exercise", choices=EXERCISES, help="only this stretch")
    history.add_argument("--days", type=positive_int, help="only the last N days")
    history.add_argument("--json", action="store_true", help="machine-readable output")
    add_db_option(history)
    history.set_defaults(run=run_history)

    report = commands.add_parser("report", help="write a stored session's visual report (HTML)")
    which = report.add_mutually_exclusive_group(required=True)
    which.add_argument("session", nargs="?", type=positive_int, help="session number (see `coach history`)")
    which.add_argument("--last", action="store_true", help="the latest session")
    report.add_argument("--exercise", choices=EXERCISES, help="with --last: the latest of this stretch")
    report.add_argument("--out", type=Path, help="HTML file (default: coach-session-N.html)")
    add_db_option(report)
    report.set_defaults(run=run_report)


def add_db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db", type=Path, help="history database (default: $COACH_DB, else the user's data directory)"
    )


def add_analyze_options(parser: argparse.ArgumentParser) -> None:
    """`analyze`'s history options: --report-html and --db."""
    parser.add_argument("--report-html", type=Path, help="visual report: angle plot and rep table (.html)")
    add_db_option(parser)


def positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


# -- coach history ------------------------------------------------------------------------------


def run_history(args: argparse.Namespace) -> int:
    since = None if args.days is None else datetime.now(UTC) - timedelta(days=args.days)
    sessions = list_sessions(args.db, exercise=args.exercise, since=since)
    exercises = (
        [args.exercise] if args.exercise else sorted({s.exercise for s in sessions}) or list(EXERCISES)
    )
    suggestions = {exercise: suggestion(exercise, args.db) for exercise in exercises}
    comfortable = {exercise: comfortable_range_deg(exercise, args.db) for exercise in exercises}
    if args.json:
        document = {
            "db": str(args.db or default_db_path()),
            "sessions": [session.to_dict() for session in sessions],
            "next": {
                exercise: s.to_dict() | {"comfortable_deg": comfortable[exercise]}
                for exercise, s in suggestions.items()
            },
        }
        print(json.dumps(document, indent=2))
        return 0
    if not sessions:
        print(f"No sessions yet (history: {args.db or default_db_path()}).")
    else:
        print(format_table(sessions))
    for exercise, next_session in suggestions.items():
        reach = comfortable[exercise]
        range_note = f"; as far as is comfortable (last time {reach:g} degrees)" if reach is not None else ""
        print(f"Next {exercise}: {next_session.describe()}{range_note} ({next_session.reason}).")
    return 0


TABLE_HEADER = (
    "#",
    "date",
    "exercise",
    "reps",
    "good",
    "target",
    "holds (s)",
    "peak (deg)",
    "faults",
    "status",
)


def format_table(sessions: list[StoredSession]) -> str:
    rows = [TABLE_HEADER, *(table_row(session) for session in sessions)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(TABLE_HEADER))]
    return "\n".join(
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows
    )


def table_row(session: StoredSession) -> tuple[str, ...]:
    reps = session.reps
    signed = session.exercise in SIGNED_EXERCISES
    counts = session.report.get("counts", {})
    if signed:
        rep_text = f"L{counts.get('left', 0)} R{counts.get('right', 0)}"
        peaks = [
            f"{side[0].upper()}{max(abs(r['peak_angle_deg']) for r in reps if r['side'] == side):.0f}"
            for side in ("left", "right")
            if any(r["side"] == side for r in reps)
        ]
    else:
        rep_text = str(counts.get("total", len(reps)))
        peaks = [f"{max(r['peak_angle_deg'] for r in reps):.0f}"] if reps else []
    holds = [float(r["hold_s"]) for r in reps]
    hold_text = f"{min(holds):.1f}-{max(holds):.1f}" if holds else "-"
    faults: dict[str, int] = {}
    for rep in reps:
        for fault in rep["faults"]:
            faults[fault] = faults.get(fault, 0) + 1
    fault_text = ", ".join(f"{code} x{n}" for code, n in sorted(faults.items())) or "-"
    target = f"{session.target_reps}{'/side' if signed else ''}"
    if session.hold_target_s is not None:
        target += f" {session.hold_target_s:g}s"
    return (
        str(session.id),
        local_time(session.recorded_at),
        session.exercise,
        rep_text,
        f"{counts.get('good', 0)}/{counts.get('total', len(reps))}",
        target,
        hold_text,
        " ".join(peaks) or "-",
        fault_text,
        session.status,
    )


def local_time(moment: datetime) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


# -- coach report -------------------------------------------------------------------------------


def run_report(args: argparse.Namespace) -> int:
    session_id = args.session or latest_session_id(args.db, exercise=args.exercise)
    session, series = load_session(session_id, args.db)
    out = args.out or Path(f"coach-session-{session_id}.html")
    try:
        write_html_report(out, session.report, series, recorded=local_time(session.recorded_at))
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        # The history holds what an older or damaged run stored: say which session, not a traceback.
        raise HistoryError(
            f"Session {session_id} in the history is incomplete ({type(error).__name__}: {error}); "
            "its report cannot be drawn"
        ) from error
    print(f"session {session_id} ({session.exercise}, {local_time(session.recorded_at)}): {out}")
    return 0


# -- the analyze hook ---------------------------------------------------------------------------


@dataclass
class KeptSession:
    """Where `analyze` hands its report (`keep`), and the history's number for it once stored."""

    report: SessionReport | None = None
    session_id: int | None = None

    def keep(self, report: SessionReport) -> None:
        self.report = report


@contextlib.contextmanager
def keep_analysis(args: argparse.Namespace) -> Iterator[KeptSession]:
    """Around one `analyze` run: once the run is over (also when interrupted), stores the report it
    handed to `kept.keep` in the history and writes --report-html, both from memory."""
    kept = KeptSession()
    try:
        yield kept
    except (InterruptedSession, BrokenPipeError):  # stopped, or the terminal stopped reading
        _keep(args, kept, quiet=True)
        raise
    _keep(args, kept)


def _keep(args: argparse.Namespace, kept: KeptSession, *, quiet: bool = False) -> None:
    """Store the kept report (history, --report-html), then say where; `quiet` when stdout may be
    gone. Everything is written before anything is printed: a closed stdout loses only the lines."""
    report = kept.report
    if report is None:
        return
    kept.session_id = record_session(report, args.db)
    lines = [f"history: session {kept.session_id} (`coach history`, `coach report {kept.session_id}`)"]
    if args.report_html is not None:
        next_session = suggestion(report.exercise, args.db).describe()
        recorded = local_time(datetime.now(UTC))
        write_html_report(
            args.report_html,
            report.to_json_dict(),
            AngleSeries.from_record(report.record),
            recorded=recorded,
            next_session=next_session,
        )
        lines.append(f"visual report: {args.report_html}")
    if not quiet:
        print("\n".join(lines))
