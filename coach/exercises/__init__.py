"""Per-exercise analyzers; `make_analyzer` picks one by the exercise's name."""

from __future__ import annotations

from coach.calibration.profile import CalibrationProfile
from coach.reps.analysis import Analyzer

EXERCISES = ("rotate", "arch")


def make_analyzer(
    exercise: str,
    profile: CalibrationProfile | None = None,
    *,
    target_reps: int = 3,
    hold_target_s: float | None = None,
) -> Analyzer:
    """The analyzer for `exercise`; without a profile it calibrates from the first still seconds."""
    options: dict[str, float] = {} if hold_target_s is None else {"hold_target_s": hold_target_s}
    if exercise == "rotate":
        from coach.exercises.rotate import RotateAnalyzer

        return RotateAnalyzer(profile, target_reps=target_reps, **options)
    if exercise == "arch":
        from coach.exercises.arch import ArchAnalyzer

        return ArchAnalyzer(profile, target_reps=target_reps, **options)
    raise ValueError(f"Unknown exercise '{exercise}': choose one of {', '.join(EXERCISES)}")
