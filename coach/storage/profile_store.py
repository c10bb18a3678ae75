"""Calibration profiles on disk: `calibration/NAME.json`, `--profile NAME|PATH`, safe writes.

Every problem with a profile file is one `ProfileError` line that names the file and says what to do.
Writes are atomic (temporary file, fsync, rename); a file being replaced is first kept as NAME.json.bak,
so a profile that could not be read is never lost without a word.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from coach.calibration.calibrator import starting_position_problem
from coach.calibration.profile import SCHEMA_VERSION, CalibrationProfile
from coach.errors import ProfileError
from coach.measure.view import ViewEstimate, describe, same_view
from coach.pose.framing import Framing
from coach.storage.atomic import atomic_writer, write_text_atomic

DEFAULT_DIR = Path("calibration")
DEFAULT_NAME = "default"
SUFFIX = ".json"
BACKUP_SUFFIX = ".bak"
_NAME = re.compile(r"^[\w-]+$")


@dataclass(frozen=True)
class SavedProfile:
    """Where a profile was written; `backup` holds the file it replaced (None if there was none);
    `replaced_unreadable` is True when that file was not a readable profile."""

    path: Path
    backup: Path | None = None
    replaced_unreadable: bool = False


def profile_path(name_or_path: str | Path, directory: Path = DEFAULT_DIR) -> Path:
    """`--profile` resolution: a path (has a folder part or ends in .json) is used as given, a name
    becomes DIRECTORY/NAME.json."""
    text = str(name_or_path)
    if isinstance(name_or_path, Path) or "/" in text or "\\" in text or text.endswith(SUFFIX):
        return Path(text).expanduser()
    if not _NAME.match(text):
        raise ProfileError(
            f"Profile name {text!r} is not valid: use letters, digits, '-' and '_', or a path ending in .json"
        )
    return Path(directory) / f"{text}{SUFFIX}"


def load_profile(
    name_or_path: str | Path = DEFAULT_NAME, directory: Path = DEFAULT_DIR
) -> CalibrationProfile:
    """The profile `--profile NAME|PATH` points to, or ProfileError saying what is wrong and what to do."""
    path = profile_path(name_or_path, directory)
    redo = calibrate_command(name_or_path, directory)
    if not path.exists():
        raise ProfileError(
            f"No calibration profile at {path}: run `{redo}` first, or give --profile an existing one"
        )
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ProfileError(
            f"Cannot read calibration profile {path} ({_reason(error)}): run `{redo}`"
        ) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ProfileError(
            f"Calibration profile {path} is corrupt (not valid JSON: {error.msg} at line {error.lineno}): "
            f"run `{redo}` to make a new one (the old file is kept as {path.name}{BACKUP_SUFFIX})"
        ) from None
    except RecursionError:  # nested deeper than the JSON parser goes: no profile looks like that
        raise ProfileError(
            f"Calibration profile {path} is corrupt (nested too deeply): run `{redo}`"
        ) from None
    if not isinstance(data, dict):
        raise ProfileError(f"Calibration profile {path} is corrupt (not a profile object): run `{redo}`")
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise ProfileError(f"Calibration profile {path} is corrupt (no version number): run `{redo}`")
    if version != SCHEMA_VERSION:
        raise ProfileError(
            f"Calibration profile {path} is version {version}, this coach reads version {SCHEMA_VERSION}: "
            f"run `{redo}` to calibrate again"
        )
    try:
        profile = CalibrationProfile.from_dict(data)
    except (KeyError, TypeError, ValueError) as error:
        raise ProfileError(
            f"Calibration profile {path} is corrupt ({_reason(error)}): run `{redo}`"
        ) from None
    problem = starting_position_problem([profile.neutral_pose()], profile.framing)
    if problem is not None:  # a neutral taken while turned would shift every reading by that turn
        fix = problem.message.rstrip(".")
        raise ProfileError(
            f"Calibration profile {path} was not made in the starting position ({fix}): run `{redo}`"
        )
    return profile


def save_profile(
    profile: CalibrationProfile, name_or_path: str | Path = DEFAULT_NAME, directory: Path = DEFAULT_DIR
) -> SavedProfile:
    """Write the profile atomically; an existing file is first kept as NAME.json.bak."""
    path = profile_path(name_or_path, directory)
    try:
        text = profile_json(profile)
    except ValueError as error:
        raise ProfileError(f"Cannot save calibration profile {path}: {error}") from None
    backup: Path | None = None
    unreadable = False
    try:
        if path.is_file():
            try:
                load_profile(path)
            except ProfileError:
                unreadable = True
            backup = path.with_name(path.name + BACKUP_SUFFIX)
            with atomic_writer(backup, "wb") as handle:
                handle.write(path.read_bytes())
        write_text_atomic(path, text)
    except OSError as error:
        raise ProfileError(f"Cannot write calibration profile {path} ({_reason(error)})") from None
    return SavedProfile(path=path, backup=backup, replaced_unreadable=unreadable)


def profile_json(profile: CalibrationProfile) -> str:
    """The profile as JSON, one field per line (arrays stay on their line, so the file reads well)."""
    fields = [
        f"  {json.dumps(key)}: {json.dumps(value, allow_nan=False)}"
        for key, value in profile.to_dict().items()
    ]
    return "{\n" + ",\n".join(fields) + "\n}\n"


def check_view(
    profile: CalibrationProfile,
    seen: ViewEstimate | float,
    name_or_path: str | Path = DEFAULT_NAME,
    directory: Path = DEFAULT_DIR,
    framing: Framing | None = None,
) -> None:
    """ProfileError when the camera now sees the person from another place than at calibration
    (`seen`: the view estimated now, e.g. from the first still seconds of a video; `framing`: how much
    of the person it shows now, when known)."""
    path = profile_path(name_or_path, directory)
    if framing is not None and framing is not profile.framing:
        words = {Framing.FULL: "you from head to hips", Framing.DESK: "only your head and shoulders"}
        raise ProfileError(
            f"Calibration profile {path} was made with the camera seeing {words[profile.framing]} but it "
            f"now sees {words[framing]}: put the camera back or run "
            f"`{calibrate_command(name_or_path, directory)}` for this placement"
        )
    if profile.view_azimuth_deg is None:
        return
    now = seen.azimuth_deg if isinstance(seen, ViewEstimate) else float(seen)
    then = profile.view_azimuth_deg
    if same_view(then, now):
        return
    raise ProfileError(
        f"Calibration profile {path} was made with the camera seeing you {describe(then)} (about "
        f"{round(then):d} degrees) but it now sees you {describe(now)} (about {round(now):d} degrees): "
        f"put the camera back or run `{calibrate_command(name_or_path, directory)}` for this placement"
    )


def calibrate_command(name_or_path: str | Path = DEFAULT_NAME, directory: Path = DEFAULT_DIR) -> str:
    """The `coach calibrate` command line that makes (or remakes) this profile."""
    words = ["coach", "calibrate"]
    if str(name_or_path) != DEFAULT_NAME:
        words += ["--profile", str(name_or_path)]
    path = profile_path(name_or_path, directory)
    if Path(directory) != DEFAULT_DIR and path.parent == Path(directory):
        words += ["--calibration-dir", str(directory)]
    return " ".join(words)


def _reason(error: Any) -> str:
    if isinstance(error, OSError) and error.strerror:
        return error.strerror.lower()
    if isinstance(error, KeyError):
        return f"missing {error.args[0]!r}"
    return str(error) or type(error).__name__
