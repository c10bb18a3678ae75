"""The coaching state of a live session: calibration first, then the analyzer, sets, pause, cues.

No I/O, no clock, no threads: `observe(poses, t_s, image)` per frame steps the shared pipeline
(coach.pipeline) and returns the pose followed and the analysis to show. The keys of the live window
map onto `toggle_pause`, `new_set` and `recalibrate`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import numpy as np

from coach.calibration.placement import PlacementWatch
from coach.calibration.profile import CalibrationProfile
from coach.exercises import exercise_facts
from coach.measure.view import same_view
from coach.pipeline import Pipeline
from coach.pipeline.core import CALIBRATE_CUE
from coach.pose.framing import Framing
from coach.pose.plausibility import is_usable_upper_body
from coach.pose.types import Pose
from coach.reps.analysis import Analyzer, Cue, FrameAnalysis, Phase, Rep, Severity

CUE_SHOWN_S = 2.5  # a cue stays on screen this long (people need time to read it)
STEP_INTO_VIEW = Cue("no_person", "Step into view", Severity.INFO)
HOLD_DONE = Cue("hold_done", "Hold complete: come back slowly", Severity.GOOD)
GO = Cue("calibrated", "Calibrated: start the stretch", Severity.GOOD)
# After `c`, a new neutral this far from the last one (the previous calibration's own reading, where a
# rep would start counting) is not sitting as before but holding a turn or an arch, unless the camera
# moved: the person is told, and calibration goes on.
AWAY_FROM_NEUTRAL_DEG = {"rotate": 12.0, "arch": 6.0}
AWAY_FROM_NEUTRAL = {
    "rotate": "You seem turned about {angle:.0f} degrees from how you sat at the last calibration: "
    "face the way you did, then hold still",
    "arch": "You seem about {angle:.0f} degrees from how you sat at the last calibration: "
    "sit upright as you did, then hold still",
}
CAMERA_MOVED = "The camera has moved since calibration: sit tall and hold still to calibrate again"


class Coach:
    """What a live session knows between frames: the pipeline (calibration, then the analyzer), the
    set, pause, and the cues people read. No I/O and no clock."""

    def __init__(
        self,
        exercise: str,
        profile: CalibrationProfile | None = None,
        *,
        target_reps: int = 3,
        hold_target_s: float | None = None,
        comfortable_deg: float | None = None,
    ) -> None:
        """`comfortable_deg`: the range this person has shown to be comfortable before (coaching.comfort),
        the gauge's target when the calibration does not know one."""
        self.exercise = exercise
        self.target_reps = target_reps
        self.pipeline = Pipeline(
            exercise,
            target_reps=target_reps,
            hold_target_s=hold_target_s,
            comfortable_deg=comfortable_deg,
        )
        self.set_number = 1
        self.paused = False
        self.reps: list[tuple[int, Rep]] = []  # every completed rep of the session, with its set
        self._cue: tuple[Cue, float] | None = None
        self._last_hold_s = 0.0
        self.people_in_view = 0  # usable upper bodies in the last frame (the model's phantoms are nobody)
        self.calibration_problem: str | None = None  # what calibration last asked the person to change
        self.ever_calibrated = False
        self._just_calibrated = False
        # A ready-made profile is checked against where the camera sees the person now.
        self._placement = PlacementWatch(
            profile.view_azimuth_deg if profile is not None else None,
            profile.framing if profile is not None else Framing.FULL,
        )
        self._before: tuple[Analyzer, CalibrationProfile] | None = None  # the calibration `c` replaces
        self._calibration_note: str | None = None  # said while calibrating until it succeeds
        self.placement_change: str | None = None  # why a given profile was set aside, once it was
        facts = exercise_facts(exercise)
        self.signal_names: tuple[str, str] = facts.signal_names
        self.wants_mask = facts.wants_mask
        if profile is not None:
            self._start_coaching(profile)

    @property
    def calibrating(self) -> bool:
        return self.pipeline.analyzer is None

    @property
    def analyzer(self) -> Analyzer | None:
        return self.pipeline.analyzer

    @property
    def profile(self) -> CalibrationProfile | None:
        return self.pipeline.profile

    def observe(
        self, poses: Sequence[Pose], t_s: float, image: np.ndarray | None = None
    ) -> tuple[Pose | None, FrameAnalysis]:
        """One frame: all people the model found (largest first) -> the followed pose and analysis."""
        if self.calibrating:
            if self.paused:
                self.people_in_view = sum(is_usable_upper_body(pose) for pose in poses)
                return None, FrameAnalysis(t_s=t_s, phase=Phase.CALIBRATING, target_reps=self.target_reps)
            return self._calibrate(poses, t_s, image)
        if self.paused:  # the person stays counted; nothing is measured
            self.people_in_view = sum(is_usable_upper_body(pose) for pose in poses)
            step = self.pipeline.step((), t_s)
        else:
            step = self.pipeline.step(poses, t_s)
            self.people_in_view = step.people_in_view
        pose, analysis = step.pose, step.analysis
        verdict = self._placement.add(pose, t_s)
        if verdict is not None and not verdict.same:
            # Its neutral posture means nothing from here: calibrate again, the person is in view.
            self.placement_change = verdict.describe_change()
            self.recalibrate()
            self._calibration_note = CAMERA_MOVED
            return self._calibrate(poses, t_s, image)
        if analysis.completed_rep is not None:
            self.reps.append((self.set_number, analysis.completed_rep))
        if self.paused:
            return None, dataclasses.replace(analysis, cue=None)
        if analysis.cue is None:
            analysis = dataclasses.replace(analysis, cue=self._encouragement(pose, analysis))
        self._last_hold_s = analysis.hold_s
        return pose, self._keep_cue_readable(analysis)

    def set_complete(self, analysis: FrameAnalysis) -> bool:
        done = analysis.reps_by_side.values()
        return bool(done) and not self.calibrating and all(n >= self.target_reps for n in done)

    def toggle_pause(self) -> None:
        self.paused = not self.paused

    def new_set(self) -> None:
        """Key `r`: counting starts again with the same calibration."""
        self.set_number += 1
        self._cue = None
        if self.profile is not None:
            self._start_coaching(self.profile)

    def recalibrate(self) -> None:
        """Key `c`: calibrate again, then a new set."""
        self.set_number += 1
        if self.analyzer is not None and self.profile is not None:
            self._before = (self.analyzer, self.profile)
        self.pipeline.recalibrate()
        self._cue = None
        self._calibration_note = None

    def calibration_summary(self) -> dict[str, Any]:
        return self.analyzer.calibration_summary() if self.analyzer is not None else {}

    def finish(self) -> Rep | None:
        """At the end of the session: the rep under way, incomplete (`Pipeline.finish`)."""
        return self.pipeline.finish()

    def _calibrate(
        self, poses: Sequence[Pose], t_s: float, image: np.ndarray | None
    ) -> tuple[Pose | None, FrameAnalysis]:
        step = self.pipeline.step(poses, t_s, image)
        self.people_in_view = step.people_in_view
        status = step.calibration
        assert status is not None
        message = status.message
        if message is None and self._calibration_note is not None:
            message = self._calibration_note
        if not self.calibrating:
            assert self.profile is not None and self.pipeline.calibration is not None
            away = self._away_from_before(self.profile, self.pipeline.calibration.view.azimuth_deg)
            self._calibration_note = away
            if away is None:
                self._start_coaching(self.profile)
                self._just_calibrated = True
                message = None
            else:
                self.pipeline.recalibrate()
                message = away
        self.calibration_problem = message
        cue = step.analysis.cue or Cue(
            "calibrating", message or CALIBRATE_CUE, Severity.FAULT if message else Severity.INFO
        )
        # The hold ring shows the still seconds filling up.
        filled_s = 0.0 if message else status.progress * self.pipeline.calibrator.rules.seconds
        return step.pose, dataclasses.replace(
            step.analysis, phase=Phase.CALIBRATING, cue=cue, hold_s=filled_s
        )

    def _away_from_before(self, profile: CalibrationProfile, view_deg: float) -> str | None:
        """Why a new calibration is not a neutral seat (judged by the one it replaces), or None."""
        if self._before is None:
            return None
        analyzer, before = self._before
        if before.view_azimuth_deg is None or not same_view(before.view_azimuth_deg, view_deg):
            return None  # the camera (or the chair) moved: a new place, a new neutral
        angle = analyzer.reading(profile.neutral_pose())
        if angle is None or abs(angle) <= AWAY_FROM_NEUTRAL_DEG[self.exercise]:
            return None
        return AWAY_FROM_NEUTRAL[self.exercise].format(angle=abs(angle))

    def _start_coaching(self, profile: CalibrationProfile) -> None:
        self.pipeline.use_profile(profile)
        self.ever_calibrated = True

    def _encouragement(self, pose: Pose | None, analysis: FrameAnalysis) -> Cue | None:
        """What to say when the analyzer has nothing to correct."""
        if pose is None:
            return STEP_INTO_VIEW
        if self._just_calibrated:
            self._just_calibrated = False
            return GO
        rep = analysis.completed_rep
        if rep is not None and rep.good:
            done = analysis.reps_by_side.get(rep.side or "", sum(analysis.reps_by_side.values()))
            side = f"{rep.side} " if rep.side else ""
            return Cue("good_rep", f"Good rep! {side}{done}/{analysis.target_reps}", Severity.GOOD)
        if self._last_hold_s < analysis.hold_target_s <= analysis.hold_s:
            return HOLD_DONE
        return None

    def _keep_cue_readable(self, analysis: FrameAnalysis) -> FrameAnalysis:
        if analysis.cue is not None:
            self._cue = (analysis.cue, analysis.t_s)
            return analysis
        if self._cue is None or analysis.phase == Phase.NO_POSE:
            return analysis
        cue, since = self._cue
        if analysis.t_s - since > CUE_SHOWN_S or cue is STEP_INTO_VIEW:
            self._cue = None
            return analysis
        return dataclasses.replace(analysis, cue=cue)
