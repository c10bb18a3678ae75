"""The report's calibration in words and units: `{"noise_px": 1.23}` reads "Landmark noise: 1.2 px".

The keys are those of the analyzers' `calibration_summary` (coach/exercises/*.py) and the profile's
comfortable range; any other key still shows, labelled from its name and unit suffix.
"""

from __future__ import annotations

import math
from typing import Any

# Known keys in the order a person reads them.
LABELS = {
    "source": "Calibrated from",
    "calibrated": "Calibrated",
    "measurable": "Camera view usable",
    "reason": "Why not",
    "calibrated_at_s": "Calibrated at",
    "duration_s": "Still window",
    "frames": "Still frames",
    "view_azimuth_deg": "Camera direction",
    "framing": "The camera sees",
    "target_deg": "Target angle",
    "comfortable_deg": "Comfortable range",
    "shoulder_span_px": "Shoulder width in the picture",
    "torso_px": "Torso length in the picture",
    "body_scale_px": "Trunk length in the picture",
    "belly_outline": "Belly outline seen",
    "noise_px": "Landmark noise",
}
SOURCES = {"profile": "your saved profile", "self": "this session", "none": "nothing yet"}
FRAMINGS = {"full": "you from head to hips", "desk": "your head, shoulders and elbows (at a desk)"}
WORDS = {"source": SOURCES, "framing": FRAMINGS}
UNITS = {"_deg": "°", "_s": " s", "_px": " px", "_m": " m"}
DECIMALS = {"_deg": 0, "_s": 1, "_px": 1, "_m": 2}


# Codes for programs (the reason's words are shown instead).
MACHINE_KEYS = frozenset({"problem"})


def calibration_rows(calibration: dict[str, Any], exercise: str) -> list[tuple[str, str]]:
    """(label, value) rows: the known keys first in a fixed order, then the rest as they come.

    Empty values (None, non-finite numbers, lists) are left out; a per-exercise dict shows this
    exercise's value.
    """
    keys = [key for key in LABELS if key in calibration]
    keys += [key for key in calibration if key not in LABELS and key not in MACHINE_KEYS]
    rows = []
    for key in keys:
        value = calibration[key]
        if isinstance(value, dict):
            value = value.get(exercise)
        text = value_text(key, value)
        if text is not None:
            rows.append((LABELS.get(key) or generic_label(key), text))
    return rows


def value_text(key: str, value: Any) -> str | None:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return WORDS.get(key, {}).get(value, value)
    if not isinstance(value, int | float) or not math.isfinite(value):
        return None
    if key == "view_azimuth_deg":
        return camera_direction(value)
    suffix = _unit_suffix(key)
    if suffix is not None:
        return f"{value:.{DECIMALS[suffix]}f}{UNITS[suffix]}"
    return str(value) if isinstance(value, int) else f"{value:.3g}"


def camera_direction(azimuth_deg: float) -> str:
    """Where the camera is, from the person: azimuth 0 is in front, + towards their left."""
    degrees = round(abs(azimuth_deg))
    if degrees == 0:
        return "straight in front of you"
    return f"{degrees}° to your {'left' if azimuth_deg > 0 else 'right'}"


def generic_label(key: str) -> str:
    """`neck_tilt_deg` -> "Neck tilt": the unit goes with the value."""
    suffix = _unit_suffix(key)
    words = (key[: -len(suffix)] if suffix else key).replace("_", " ").strip()
    return words[:1].upper() + words[1:] if words else key


def _unit_suffix(key: str) -> str | None:
    return next((suffix for suffix in UNITS if key.endswith(suffix) and key != suffix), None)
