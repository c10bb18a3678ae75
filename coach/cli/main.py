"""The `coach` command. Each subcommand parses its arguments, builds objects and calls the library."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from coach import __version__
from coach.app.summary import ended_during, fault_lines, found_again
from coach.cli import history as cli_history
from coach.cli import live as cli_live
from coach.cli.options import (
    DEFAULT_CALIBRATION_DIR,
    DEFAULT_TARGET_REPS,
    add_common_options,
    load_profile_option,
)
from coach.errors import CoachError
from coach.exercises import EXERCISES
from coach.pose.model_files import DEFAULT_MODEL, resolve_model
from coach.storage.report import SessionReport

# Registration functions of commands defined in their own modules: (subparsers) -> None.
EXTRA_COMMANDS: tuple[Callable[[Any], None], ...] = (cli_live.register, cli_history.register)

EXIT_UNEXPECTED = 70
EXIT_INTERRUPTED = 130


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="coach", description="Coaches the seated upper-back stretches Sit and Rotate and Sit and Arch."
    )
    parser.add_argument("--version", action="version", version=f"coach {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    analyze = commands.add_parser("analyze", help="analyze a recorded video")
    analyze.add_argument("video", type=Path)
    analyze.add_argument("--exercise", choices=EXERCISES, required=True)
    analyze.add_argument("--report", type=Path, help="JSON report (default: next to the video)")
    analyze.add_argument("--frames", type=Path, help="per-frame CSV")
    analyze.add_argument("--annotated", type=Path, help="annotated video (.mp4)")
    add_common_options(analyze)
    cli_history.add_analyze_options(analyze)
    analyze.set_defaults(run=run_analyze)

    calibrate = commands.add_parser("calibrate", help="calibrate your neutral seated position")
    source = calibrate.add_mutually_exclusive_group()
    source.add_argument("--camera", type=int, default=None, help="camera index (default 0)")
    source.add_argument("--video", type=Path, help="calibrate from a video file instead of a camera")
    calibrate.add_argument(
        "--exercise", choices=EXERCISES, help="check the camera placement for this stretch"
    )
    calibrate.add_argument("--profile", default="default", help="profile name (default: default)")
    calibrate.add_argument("--seconds", type=float, default=3.0, help="how long to sit still (default 3)")
    calibrate.add_argument("--calibration-dir", type=Path, default=DEFAULT_CALIBRATION_DIR)
    calibrate.add_argument("--model", default=DEFAULT_MODEL, help="lite, full, heavy or a .task path")
    calibrate.set_defaults(run=run_calibrate)

    # Each further command lives in its own module with a `register(commands)` function.
    for register in EXTRA_COMMANDS:
        register(commands)
    return parser


def run_analyze(args: argparse.Namespace) -> int:
    from coach.app.analyze import AnalyzeRequest, analyze_video, default_report_path

    report_path = args.report or default_report_path(args.video, args.exercise)
    request = AnalyzeRequest(
        video=args.video,
        exercise=args.exercise,
        model_path=resolve_model(args.model),
        report_path=report_path,
        frames_path=args.frames,
        annotated_path=args.annotated,
        profile=load_profile_option(args),
        profile_name=args.profile or "default",
        calibration_dir=args.calibration_dir,
        target_reps=args.reps or DEFAULT_TARGET_REPS,
        hold_target_s=args.hold,
        progress=sys.stderr.isatty(),
    )
    with cli_history.keep_analysis(args) as kept:  # history and --report-html
        report = analyze_video(request, on_report=kept.keep)
        print(f"{args.video.name}: {analysis_line(report)}; report: {report_path}")
        for line in fault_lines(report.exercise, report.reps, report.hold_target_s):
            print(f"  {line}")
        if report.reps_reason is not None:
            print(report.reps_reason)
        if (again := found_again(report.calibration)) is not None:
            print(again)
        not_checked = report.calibration.get("not_checked")
        if not_checked:
            print(f"Desk mode (head and shoulders in view): {not_checked}.")
    return 0


def analysis_line(report: SessionReport) -> str:
    """'6 reps (left 3, right 3, 6 good); the video ended during a 7th (left, held 1.2 s so far)'."""
    counts = report.counts
    sides = f"left {counts.left}, right {counts.right}, " if report.exercise == "rotate" else ""
    line = f"{counts.total} reps ({sides}{counts.good} good)"
    if report.incomplete_rep is not None:
        line += "; " + ended_during(report.incomplete_rep, counts.total)
    return line


def run_calibrate(args: argparse.Namespace) -> int:
    from coach.app.calibrate import CalibrateRequest, calibrate

    request = CalibrateRequest(
        model_path=resolve_model(args.model),
        video=args.video,
        camera=0 if args.camera is None else args.camera,
        exercise=args.exercise,
        profile=args.profile,
        calibration_dir=args.calibration_dir,
        seconds=args.seconds,
    )
    calibrate(request)
    return 0


def one_line(error: BaseException) -> str:
    """The error's message on one line (messages from SQLite or FFmpeg may carry newlines)."""
    return " ".join(str(error).split())


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code = int(args.run(args))
        sys.stdout.flush()  # a closed pipe shows here, inside the handling below
        return code
    except CoachError as error:
        print(f"coach: {one_line(error)}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("coach: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # `coach analyze ... | head`: the reader stopped; the results are saved
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as error:  # the user gets one line; COACH_DEBUG=1 shows the traceback
        if os.environ.get("COACH_DEBUG"):
            raise
        print(
            f"coach: unexpected error: {type(error).__name__}: {one_line(error)} "
            "(set COACH_DEBUG=1 for details)",
            file=sys.stderr,
        )
        return EXIT_UNEXPECTED


if __name__ == "__main__":
    sys.exit(main())
