"""The one loop body every command shares: the people the model found -> the person -> the analysis.

    pipeline = Pipeline("rotate")                     # no profile: it calibrates first
    for frame in source:
        step = pipeline.step(estimator.estimate(frame), frame.t_s, frame.image)
        sink.write(annotate(frame.image, step.pose, step.analysis))

While it has no calibration, each frame goes to the one `Calibrator` (the checks `coach calibrate`
makes: light, one seated person, framing, stillness, a view that suits the stretch). Once a window
passes, the exercise's analyzer is built on that neutral and the person who sat in it is followed.
No I/O and no clock: the image is only read for its brightness while calibrating.
"""

from __future__ import annotations

import dataclasses
from collections import Counter, deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from coach.calibration.calibrator import (
    CalibrationResult,
    CalibrationRules,
    CalibrationStatus,
    Calibrator,
    Problem,
    frame_brightness,
)
from coach.calibration.profile import CalibrationProfile
from coach.exercises import exercise_facts, make_analyzer
from coach.measure.posture import hands_behind_head
from coach.pipeline.kept_frames import KeptFrames
from coach.pipeline.wrong_way import Frame, WrongWayWatch
from coach.pose.exposure import brightened
from coach.pose.tracking import PersonSelector
from coach.pose.types import Pose
from coach.reps.analysis import Analyzer, Cue, FrameAnalysis, Phase, Rep, Severity

CALIBRATE_CUE = "Sit tall, hands behind your head, and hold still"
# A recording is searched for its first still neutral window of this length; a person who is asked to
# hold still (`coach calibrate`, `coach live`) gets the longer window of `CalibrationRules`.
RECORDING_WINDOW_S = 2.0
# A recording that starts mid-stretch has its neutral moments in the rests between reps, which last
# well under a second: once it is seen to start mid-stretch, a still neutral this long will do.
RECORDING_REST_S = 0.7


# A reading past the stretch's plausible range (`coach.facts.Stretch.max_plausible_deg`) for this long
# means the neutral is wrong (taken while turned, a camera moved), not a jolt of the model: calibrate
# again, from the next still starting position.
RECALIBRATE_AFTER_IMPLAUSIBLE_S = 1.0


# Hands away from the head for this long is a change of position, not a hand passing by: say so.
HANDS_DOWN_CUE_AFTER_S = 0.5
HANDS_CUE = Cue("hands", "Hands behind your head, elbows wide", Severity.FAULT)
# Said when a neutral taken mid-stretch is found again (`coach.pipeline.wrong_way`).
NEUTRAL_AGAIN_CUE = Cue(
    "neutral_again", "Calibrated again on how you sit now: the arch is measured from here", Severity.INFO
)


def recording_rules() -> CalibrationRules:
    return CalibrationRules(seconds=RECORDING_WINDOW_S, rest_seconds=RECORDING_REST_S)


@dataclass(frozen=True)
class Step:
    """What one frame gave.

    pose: the person followed (while calibrating: the person being calibrated), None when nobody.
    analysis: the analyzer's reading, or a CALIBRATING frame whose hold ring fills with the window.
    people_in_view: usable seated people the model found (its phantoms are nobody).
    calibration: while calibrating, what the calibrator says now; None once calibrated.
    earlier: on the frame a recording calibrates on, the frames before it measured (again) now that
        the neutral is known (oldest first; `measure_from_start`); they replace the analyses given
        for those frames.
    """

    pose: Pose | None
    analysis: FrameAnalysis
    people_in_view: int
    calibration: CalibrationStatus | None = None
    earlier: tuple[FrameAnalysis, ...] = ()


class Pipeline:
    """Calibration, then person selection and the exercise's analyzer, one frame at a time.

    exercise: rotate | arch, or None to calibrate only (`coach calibrate` without --exercise).
    profile: a ready calibration; without one the pipeline calibrates from the stream.
    rules: the calibration window (default: `CalibrationRules()`, 3 s; recordings: `recording_rules()`).
    comfortable_deg: the range this person has shown to be comfortable before (coaching.comfort), the
        gauge's target when the calibration does not know one.
    measure_from_start: once calibrated, measure the frames before the calibration too, from the
        stream's first (a recording: a person who starts moving before the coach is ready has done
        reps before their neutral is seen; see `Step.earlier` and `coach.pipeline.kept_frames`). A
        live session coaches the present and does not.
    """

    def __init__(
        self,
        exercise: str | None,
        profile: CalibrationProfile | None = None,
        *,
        target_reps: int = 3,
        hold_target_s: float | None = None,
        rules: CalibrationRules | None = None,
        name: str = "default",
        comfortable_deg: float | None = None,
        measure_from_start: bool = False,
    ) -> None:
        self.exercise = exercise
        self.comfortable_deg = comfortable_deg
        self.target_reps = target_reps
        self.hold_target_s = hold_target_s
        self.calibrator = Calibrator(exercise=exercise, rules=rules, name=name)
        self.selector = PersonSelector()
        self.analyzer: Analyzer | None = None
        self.calibration: CalibrationResult | None = None
        self._problems: Counter[Problem] = Counter()
        self._view_problem: str | None = None  # why this view cannot show the stretch, for reports
        self._view_refused: Problem | None = None  # the calibrator's own sentence for it
        self._follow_calibrated_person = False
        self._earlier_reps: list[Rep] = []  # counted before a recalibration
        # Every window a calibration of this stream found the person still in (a movement within one is
        # the model's jitter, when the frames are measured again from the start).
        self._still_windows_s: list[tuple[float, float]] = []
        self._implausible_since: float | None = None
        self._said_unreliable = False
        self.unreliable_frames = 0  # frames whose reading was past what a spine can do
        self.hands_down_frames = 0  # measured frames with the hands away from the head
        self._hands_down_since: float | None = None
        self._said_hands = False
        # The pipeline's own cues (hands, an unreliable reading) wait for a frame without an analyzer's.
        self._pending_cues: deque[Cue] = deque()
        self.recalibrations = 0  # times such readings made the pipeline calibrate again
        # When the still pose, the wrong way for the stretch, that became the neutral again began.
        self.found_again_at_s: float | None = None
        self._kept = KeptFrames() if measure_from_start and exercise is not None else None
        self._measured_from_s: float | None = None  # the first early frame measured, if any
        self._wrong_way = self._wrong_way_watch()
        if profile is not None:
            self.use_profile(profile)

    # -- the loop body -----------------------------------------------------------------------------

    def step(self, poses: Sequence[Pose], t_s: float, image: np.ndarray | None = None) -> Step:
        """One frame: every person the model found (largest first) and the frame's time in seconds;
        `image` (BGR) only for the light check while calibrating."""
        if self._kept is not None:
            self._kept.add(poses, t_s)
        if self.analyzer is None:
            return self._calibrate(poses, t_s, image)
        return self._measure(poses, t_s)

    def _measure(self, poses: Sequence[Pose], t_s: float, *, may_recalibrate: bool = True) -> Step:
        assert self.analyzer is not None
        if self._follow_calibrated_person and self.profile is not None:
            # Start with whoever sits where the calibrated person sat, not just the biggest person.
            self.selector.reset()
            self.selector.select([self.profile.neutral_pose()], t_s)
            self._follow_calibrated_person = False
        pose = self.selector.select(poses, t_s)
        hands_due = self._watch_hands(pose, t_s) if pose is not None else False
        reading = self.analyzer.reading(pose) if pose is not None else None
        if reading is not None and abs(reading) > self._plausible_limit_deg():
            analysis = self._not_a_measurement(reading, t_s, may_recalibrate)
        else:
            self._implausible_since = None
            analysis = self.analyzer.update(pose, t_s)
            if may_recalibrate and self._wrong_way is not None and self.calibration is not None:
                wrong_way_deg = self.analyzer.wrong_way_deg(pose) if pose is not None else None
                window = self._wrong_way.add(wrong_way_deg, poses, t_s)
                again = self._calibrate_again_on(window) if window is not None else None
                if again is not None:
                    return again
        if hands_due:
            self._said_hands = True
            self._pending_cues.append(HANDS_CUE)
        if analysis.cue is None and self._pending_cues:
            analysis = dataclasses.replace(analysis, cue=self._pending_cues.popleft())
        return Step(pose, analysis, self.selector.people_in_view)

    # -- state --------------------------------------------------------------------------------------

    @property
    def calibrated(self) -> bool:
        return self.analyzer is not None or (self.exercise is None and self.calibration is not None)

    @property
    def profile(self) -> CalibrationProfile | None:
        return self.analyzer.profile if self.analyzer is not None else None

    @property
    def reps(self) -> list[Rep]:
        """Every rep counted in this stream, also before a recalibration."""
        return self._earlier_reps + (self.analyzer.reps if self.analyzer is not None else [])

    def finish(self) -> Rep | None:
        """At the end of the stream: the rep under way, as an incomplete rep with what was measured
        of it (None when none is, or before calibration). It is never among `reps`."""
        return self.analyzer.finish() if self.analyzer is not None else None

    def use_profile(
        self,
        profile: CalibrationProfile,
        *,
        calibrated_at_s: float | None = None,
        measured_from_s: float | None = None,
    ) -> None:
        """Measure from `profile` from now on (a saved one, or one this stream calibrated, whose frames
        from `measured_from_s` on are measured again)."""
        assert self.exercise is not None, "calibrate-only pipelines measure nothing"
        if self.comfortable_deg is not None and self.exercise not in profile.comfortable_deg:
            known = {**profile.comfortable_deg, self.exercise: self.comfortable_deg}
            profile = dataclasses.replace(profile, comfortable_deg=known)
        if calibrated_at_s is not None:
            self._still_windows_s.append((calibrated_at_s - profile.duration_s, calibrated_at_s))
        self.analyzer = make_analyzer(
            self.exercise,
            profile,
            target_reps=self.target_reps,
            hold_target_s=self.hold_target_s,
            calibrated_at_s=calibrated_at_s,
            measured_from_s=measured_from_s,
            still_poses=self.calibration.poses if self.calibration is not None else (),
            still_windows_s=tuple(self._still_windows_s),
            in_hindsight=self._kept is not None,
        )
        self.selector.session = profile.framing
        self._follow_calibrated_person = True

    def recalibrate(self) -> None:
        """Forget the calibration and calibrate again from the next frames (the person is in view); the
        reps counted so far stay counted."""
        if self.analyzer is not None:
            self._earlier_reps.extend(self.analyzer.reps)
        self.analyzer = None
        self.calibration = None
        self.selector.session = None
        self.calibrator.reset()
        if self._wrong_way is not None:
            self._wrong_way.reset()

    def refused_picture(self) -> Problem | None:
        """When never calibrated although the person sat still: the part of them the picture cut off."""
        return None if self.calibrated else self.calibrator.still_but_framed

    def calibration_problem(self) -> Problem | None:
        """While never calibrated: the check that failed on most frames (what to tell the person)."""
        if self.calibrated:
            return None
        if self._view_refused is not None:
            return self._view_refused
        if self._view_problem is not None:
            return Problem("view", self._view_problem)
        common = self._problems.most_common(1)
        return common[0][0] if common else None

    def calibration_summary(self) -> dict[str, Any]:
        if self.analyzer is not None:
            measured = self.analyzer.calibration_summary()
            if self.unreliable_frames:
                measured.update(unreliable_frames=self.unreliable_frames, recalibrations=self.recalibrations)
            if self.hands_down_frames:
                measured.update(hands_down_frames=self.hands_down_frames)
            if self._measured_from_s is not None:
                measured.update(measured_from_s=round(self._measured_from_s, 3))
            if self.found_again_at_s is not None:
                measured.update(found_again_at_s=round(self.found_again_at_s, 3))
            if self._still_windows_s:
                measured.update(
                    still_windows_s=[[round(start, 3), round(end, 3)] for start, end in self._still_windows_s]
                )
            return measured
        summary: dict[str, Any] = {"source": "none", "calibrated": False}
        problem = self.calibration_problem()
        if problem is not None:
            summary.update(reason=self._view_problem or problem.message, problem=problem.code)
            if problem.code == "view":
                summary.update(measurable=False)
                view = self.calibrator.last_view
                if view is not None:
                    summary.update(view_azimuth_deg=round(view.azimuth_deg, 1))
        return summary

    # -- the hands ---------------------------------------------------------------------------------

    def _watch_hands(self, pose: Pose, t_s: float) -> bool:
        """Both stretches are done with the hands behind the head: when they stay elsewhere, the hands
        cue is due, to be said once (until they are back). The analyzers go on measuring the trunk from
        what shows it; the report counts the frames measured with the hands down."""
        if hands_behind_head(pose.xy, pose.visibility):
            self._hands_down_since, self._said_hands = None, False
            return False
        self.hands_down_frames += 1
        if self._hands_down_since is None:
            self._hands_down_since = t_s
        return not self._said_hands and t_s - self._hands_down_since >= HANDS_DOWN_CUE_AFTER_S

    # -- readings no spine makes ------------------------------------------------------------------

    def _plausible_limit_deg(self) -> float:
        assert self.exercise is not None
        return exercise_facts(self.exercise).stretch.max_plausible_deg

    def _not_a_measurement(self, reading: float, t_s: float, may_recalibrate: bool) -> FrameAnalysis:
        """A frame read past what a spine can do: the analyzer sees it as a frame without the person
        (nothing is counted, timed or stored from it). Once such readings last with the hands behind
        the head, the neutral is what is wrong: calibrate again (unless measuring early frames again,
        which the neutral came after). (With the hands down the arms are the reason, and the hands cue
        says so.)"""
        assert self.analyzer is not None and self.exercise is not None
        self.unreliable_frames += 1
        analysis = self.analyzer.unread(t_s)
        if not self._said_unreliable:
            movement = exercise_facts(self.exercise).stretch.movement
            said = (
                f"That reading of {movement} ({abs(reading):.0f} degrees) is past what a spine can do, so "
                "the calibration is off: sit tall facing forward with your hands behind your head and hold "
                "still."
            )
            self._pending_cues.append(Cue("unreliable", said, Severity.INFO))
            self._said_unreliable = True
        if self._hands_down_since is not None or not may_recalibrate:
            self._implausible_since = None
            return analysis
        if self._implausible_since is None:
            self._implausible_since = t_s
        if t_s - self._implausible_since >= RECALIBRATE_AFTER_IMPLAUSIBLE_S:
            self.recalibrate()
            self.calibrator.use_rest_window()  # mid-set: the rests between reps are the neutral moments
            self.recalibrations += 1
            self._implausible_since = None
        return analysis

    # -- calibration --------------------------------------------------------------------------------

    def _calibrate(self, poses: Sequence[Pose], t_s: float, image: np.ndarray | None) -> Step:
        # The light the model gets (a dim picture is brightened first), read on every 4th pixel each way.
        brightness = frame_brightness(brightened(image[::4, ::4])) if image is not None else None
        status = self.calibrator.add(poses, t_s, brightness)
        cue: Cue | None = None
        if status.problem is not None:
            self._problems[status.problem] += 1
            if status.problem.code == "view" and self.exercise is not None:
                # Sat still where the camera cannot see the stretch: say so once, and where to put it.
                movement = exercise_facts(self.exercise).stretch.movement
                said = f"Cannot measure {movement} from this view. {status.problem.message}"
                if self._view_problem is None:
                    cue = Cue("view", said, Severity.INFO)
                self._view_problem, self._view_refused = said, status.problem
        if status.ready:
            result = self.calibrator.result()
            problem = self._view_problem_of(result.profile)
            if problem is None:
                status = dataclasses.replace(status, message=None)
                measured = self._adopt(result, status)
                if measured is not None:
                    return measured
            else:
                if self._view_problem is None:  # said once; the search goes on for a better view
                    cue = Cue("view", problem, Severity.INFO)
                self._view_problem = problem
                self.calibrator.reset()
                if self._kept is not None:  # seen from a view that is not the one measured from
                    self._kept.clear()
                status = CalibrationStatus(ready=False, message=problem, progress=0.0, problem=None)
        pose = self.selector.select(poses, t_s)  # (also keeps count of when anybody was in view)
        analysis = FrameAnalysis(
            t_s=t_s,
            phase=Phase.CALIBRATING if pose is not None else Phase.NO_POSE,
            signals=dict.fromkeys(self._signal_names()),
            hold_target_s=self.calibrator.rules.seconds,
            cue=cue,
            target_reps=self.target_reps,
        )
        return Step(pose, analysis, self.selector.people_in_view, status)

    def _adopt(self, result: CalibrationResult, status: CalibrationStatus) -> Step | None:
        """Measure against `result` from now on: a recording measures its kept frames now (the last is
        this frame, whose step it returns); otherwise from the next frame (None)."""
        self.calibration = result
        if self._kept is not None:
            return self._measure_kept_frames(result, status)
        if self.exercise is not None:
            self.use_profile(result.profile, calibrated_at_s=result.end_s)
        return None

    def _measure_kept_frames(self, result: CalibrationResult, status: CalibrationStatus) -> Step:
        """Calibrated on this frame: measure every kept frame (this one last) against the neutral, from
        the first; they come back as this frame's step and its `earlier`. The reps among them are
        counted afresh."""
        assert self._kept is not None
        frames = self._kept.frames()
        first_poses, first_t_s = next(frames)
        self._measured_from_s = first_t_s
        self._earlier_reps = [rep for rep in self._earlier_reps if rep.end_s < first_t_s]
        self.hands_down_frames = self.unreliable_frames = 0  # counted again over the frames measured
        self._hands_down_since, self._said_hands = None, False
        self.use_profile(result.profile, calibrated_at_s=result.end_s, measured_from_s=first_t_s)
        steps = [self._measure(first_poses, first_t_s, may_recalibrate=False)]
        steps += [self._measure(poses, t_s, may_recalibrate=False) for poses, t_s in frames]
        earlier = tuple(step.analysis for step in steps[:-1])
        return dataclasses.replace(steps[-1], calibration=status, earlier=earlier)

    # -- a neutral taken mid-stretch -----------------------------------------------------------------

    def _wrong_way_watch(self) -> WrongWayWatch | None:
        """For a stretch that goes one way only (`coach.pipeline.wrong_way`)."""
        if self.exercise is None or exercise_facts(self.exercise).stretch.by_side:
            return None
        rules, window = exercise_facts(self.exercise).rep_rules, self.calibrator.rules
        return WrongWayWatch(rules.start_deg, window.rest_seconds or window.seconds)

    def _calibrate_again_on(self, window: list[Frame]) -> Step | None:
        """The person sat still the wrong way for the stretch: when that window passes the calibration's
        checks, it is their neutral, and (a recording) all that was kept is measured again against it.
        The window's last frame is this one; None: nothing changed."""
        assert self.exercise is not None
        trial = Calibrator(exercise=self.exercise, rules=self.calibrator.rules, name=self.calibrator.name)
        trial.use_rest_window()
        statuses = [trial.add(poses, t_s) for poses, t_s in window]
        if not statuses[-1].ready:
            cut = trial.still_but_framed
            if cut is not None and cut.code == "cut_off":
                self._forget_neutral_taken_mid_stretch(cut, len(window))
            return None
        result = trial.result()
        if self._view_problem_of(result.profile) is not None:
            return None
        self.recalibrate()
        self.found_again_at_s = window[0][1]
        measured = self._adopt(result, dataclasses.replace(statuses[-1], message=None))
        step = measured or self._measure(*window[-1], may_recalibrate=False)
        return dataclasses.replace(step, analysis=dataclasses.replace(step.analysis, cue=NEUTRAL_AGAIN_CUE))

    def _forget_neutral_taken_mid_stretch(self, cut: Problem, frames: int) -> None:
        """The person sat still the wrong way for the stretch where the picture cuts them off (an elbow
        past its edge when upright, back inside it mid-arch): not a neutral to take, but the one
        measured from was a held stretch all the same. Calibrate again; in a recording nothing measured
        against it stands (its frames are measured again once a neutral is found), and if none is,
        what the picture cut off is the reason."""
        if self._kept is not None:
            self.analyzer = None
        self.recalibrate()
        self.calibrator.use_rest_window()
        self._problems[cut] += frames

    def _view_problem_of(self, profile: CalibrationProfile) -> str | None:
        if self.exercise is None:
            return None
        return exercise_facts(self.exercise).view_problem(profile)

    def _signal_names(self) -> tuple[str, ...]:
        return exercise_facts(self.exercise).signal_names if self.exercise is not None else ()
