"""The exercises: one registry of what each one measures and how, and its analyzer."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from coach.calibration.profile import CalibrationProfile
from coach.exercises import arch, rotate
from coach.facts import ARCH, EXERCISES, ROTATE, Stretch, stretch
from coach.pose.types import Pose
from coach.reps.analysis import Analyzer
from coach.reps.tracker import RepRules

__all__ = ["EXERCISES", "Exercise", "exercise_facts", "make_analyzer"]


@dataclass(frozen=True)
class Exercise:
    """An exercise as the pipeline sees it.

    signal_names: the two secondary per-frame numbers the CSV carries.
    wants_mask: the analyzer reads the pose model's segmentation mask.
    view_problem: why a calibrated neutral's camera view cannot show this movement (None when it can).
    rep_rules: where a rep starts, the least peak that counts and where it is back at neutral.
    fault_cues: what to tell the person for each fault code a rep can carry.
    """

    stretch: Stretch
    signal_names: tuple[str, str]
    wants_mask: bool
    view_problem: Callable[[CalibrationProfile], str | None]
    rep_rules: RepRules
    fault_cues: Mapping[str, str]


REGISTRY: dict[str, Exercise] = {
    ROTATE: Exercise(
        stretch(ROTATE),
        rotate.RotateAnalyzer.signal_names,
        False,
        rotate.view_problem,
        rotate.ROTATE_RULES,
        {code: cue.message for code, cue in rotate.CUES.items()},
    ),
    ARCH: Exercise(
        stretch(ARCH),
        arch.ArchAnalyzer.signal_names,
        True,
        arch.view_problem,
        arch.ARCH_RULES,
        {code: cue.message for code, cue in arch.CUES.items()},
    ),
}


def exercise_facts(name: str) -> Exercise:
    """The exercise called `name`; ValueError naming the choices when there is none."""
    return REGISTRY[stretch(name).name]


def make_analyzer(
    exercise: str,
    profile: CalibrationProfile,
    *,
    target_reps: int = 3,
    hold_target_s: float | None = None,
    calibrated_at_s: float | None = None,
    measured_from_s: float | None = None,
    still_poses: Sequence[Pose] = (),
    still_windows_s: Sequence[tuple[float, float]] = (),
    in_hindsight: bool = False,
) -> Analyzer:
    """The analyzer for `exercise`, measuring against the calibrated neutral `profile`. in_hindsight: a
    recording, whose earlier reps may be judged again with what later ones show (the arch at the desk)."""
    options: dict[str, float] = {} if hold_target_s is None else {"hold_target_s": hold_target_s}
    if exercise_facts(exercise).stretch.name == ROTATE:
        return rotate.RotateAnalyzer(
            profile,
            target_reps=target_reps,
            calibrated_at_s=calibrated_at_s,
            measured_from_s=measured_from_s,
            still_poses=still_poses,
            still_windows_s=still_windows_s,
            **options,
        )
    return arch.ArchAnalyzer(
        profile,
        target_reps=target_reps,
        calibrated_at_s=calibrated_at_s,
        measured_from_s=measured_from_s,
        still_poses=still_poses,
        still_windows_s=still_windows_s,
        in_hindsight=in_hindsight,
        **options,
    )
