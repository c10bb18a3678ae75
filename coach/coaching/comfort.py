"""The range a person has shown to be comfortable: what the gauge may aim at, never beyond.

A rep without a fault (hips square, no side lean, movement from the upper back, a full hold) reached
a range the person could hold well. Their comfortable range for an exercise is the median peak of the
good reps of their latest session that had any; for Sit and Rotate the smaller of the two sides' (a
target is one number, and the stiffer side sets it). Nothing here ever suggests more range than was
reached: the target only follows the person.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from coach.calibration.profile import MAX_COMFORTABLE_DEG


def comfortable_range(reps: Sequence[dict[str, Any]]) -> float | None:
    """From one session's report reps: the median |peak| of the good ones (smaller side for rotate),
    to a tenth of a degree; None when no rep was good."""
    peaks: dict[str | None, list[float]] = {}
    for rep in reps:
        peak = rep.get("peak_angle_deg")
        if rep.get("good") and isinstance(peak, int | float) and 0 < abs(peak) <= MAX_COMFORTABLE_DEG:
            peaks.setdefault(rep.get("side"), []).append(abs(float(peak)))
    if not peaks:
        return None
    return round(min(float(np.median(values)) for values in peaks.values()), 1)


def latest_comfortable_range(sessions_reps: Sequence[Sequence[dict[str, Any]]]) -> float | None:
    """The comfortable range of the newest session that has one (sessions newest first)."""
    for reps in sessions_reps:
        value = comfortable_range(reps)
        if value is not None:
            return value
    return None
