"""`coach live`: the command line of the live session (the work is in coach/app/live.py)."""

from __future__ import annotations

import argparse
import signal
from datetime import datetime
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

from coach.cli.options import add_common_options, load_profile_option
from coach.exercises import EXERCISES

if TYPE_CHECKING:
    from coach.sound import SoundMode
    from coach.storage.report import SessionReport

SESSIONS_DIR = Path("sessions")


def register(commands: Any) -> None:
    from coach.cli.history import add_db_option

    live = commands.add_parser("live", help="coach a set live through the webcam")
    live.add_argument("--exercise", choices=EXERCISES, required=True)
    live.add_argument(
        "--camera",
        default="0",
        metavar="N|FILE",
        help="camera index (default 0), or a video file played as if it were a camera",
    )
    live.add_argument("--record", type=Path, metavar="OUT.mp4", help="also record what is shown")
    live.add_argument("--no-window", action="store_true", help="run headless (no window, no keys)")
    live.add_argument(
        "--mirror",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="show the picture as a mirror, as a video call's self-view (default: for a camera, "
        "not for a video file)",
    )
    live.add_argument("--log", type=Path, help="session log, JSON lines (default: sessions/...)")
    live.add_argument("--report", type=Path, help="JSON report (default: sessions/...)")
    sound = live.add_argument_group(
        "sound",
        "The coach talks you through the set (the system's own offline voice) and plays a tone when a "
        "hold starts and another when it is long enough; key m mutes and unmutes.",
    )
    sound.add_argument(
        "--voice",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="spoken guidance and tones (default: on when there is an audio device)",
    )
    sound.add_argument("--tones-only", action="store_true", help="the hold tones, no speech")
    sound.add_argument(
        "--audio-log",
        type=Path,
        metavar="FILE",
        help="write one JSON line per sound as it starts (time on the video or camera clock); "
        "works without an audio device",
    )
    add_common_options(live)
    add_db_option(live)
    live.set_defaults(run=run_live_command)


def run_live_command(args: argparse.Namespace) -> int:
    from coach.app.live import LiveRequest, run_live
    from coach.pose.model_files import resolve_model
    from coach.sound import SoundRequest
    from coach.sources.capture import is_camera_index
    from coach.storage.history import comfortable_range_deg, suggested_target

    stem = SESSIONS_DIR / f"{datetime.now():%Y%m%d-%H%M%S}-{args.exercise}"
    comfortable = comfortable_range_deg(args.exercise, args.db)
    if comfortable is not None:
        _say(
            f"Your comfortable range last time: {comfortable:g} degrees. "
            "Go as far as is comfortable today, no further."
        )
    request = LiveRequest(
        exercise=args.exercise,
        camera=args.camera,
        model_path=resolve_model(args.model),
        log_path=args.log or stem.with_suffix(".log.jsonl"),
        report_path=args.report or stem.with_suffix(".report.json"),
        profile=load_profile_option(args),
        # The history's progression sets the target unless --reps says otherwise.
        target_reps=args.reps if args.reps is not None else suggested_target(args.exercise, args.db),
        hold_target_s=args.hold,
        record_path=args.record,
        window=not args.no_window,
        comfortable_deg=comfortable,
        sound=SoundRequest(mode=_sound_mode(args), audio_log=args.audio_log),
        mirrored=args.mirror if args.mirror is not None else is_camera_index(args.camera),
    )
    signal.signal(signal.SIGTERM, _interrupt)  # `kill` stops the session as Ctrl-C does: saved
    saved: list[SessionReport] = []  # the report, once written: also when run_live then raises
    try:
        run_live(request, out=_say, on_report=saved.append)
    finally:
        for report in saved:
            _remember(report, args.db)
    return 0


def _sound_mode(args: argparse.Namespace) -> SoundMode | None:
    """--no-voice: off; --tones-only: tones; --voice: tones and speech; neither: None (the voice when
    there is an audio device)."""
    from coach.sound import SoundMode

    if args.voice is False:
        return SoundMode.OFF
    if args.tones_only:
        return SoundMode.TONES
    return SoundMode.VOICE if args.voice else None


def _remember(report: SessionReport, db: Path | None) -> None:
    """Store this session (complete, interrupted or camera lost) with its per-frame angles in the history."""
    from coach.storage.history import record_session

    session = record_session(report, db)
    _say(f"History: session {session} (`coach history`, `coach report {session}`)")


def _say(line: str) -> None:
    print(line, flush=True)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt
