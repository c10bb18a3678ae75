"""Options several commands share: the model, the calibration profile, reps and hold."""

from __future__ import annotations

import argparse
from pathlib import Path

from coach.calibration.profile import CalibrationProfile
from coach.pose.model_files import DEFAULT_MODEL

DEFAULT_TARGET_REPS = 3
DEFAULT_CALIBRATION_DIR = Path("calibration")


def add_common_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", default=DEFAULT_MODEL, help="lite, full (default), heavy or a .task path")
    parser.add_argument(
        "--profile", help="calibration profile name or path (default: calibrate from the video)"
    )
    parser.add_argument("--calibration-dir", type=Path, default=DEFAULT_CALIBRATION_DIR)
    parser.add_argument(
        "--reps", type=reps_count, default=None, help="target reps (per side for rotate), 3-10 (default 3)"
    )
    parser.add_argument("--hold", type=float, default=None, help="hold target in seconds")


def reps_count(text: str) -> int:
    value = int(text)
    if not 3 <= value <= 10:
        raise argparse.ArgumentTypeError("the article's progression is 3 to 10 reps")
    return value


def load_profile_option(args: argparse.Namespace) -> CalibrationProfile | None:
    if not args.profile:
        return None
    from coach.storage.profile_store import load_profile

    return load_profile(args.profile, args.calibration_dir)
