"""Sit and Rotate: thoracic rotation per frame, reps per side with their 2-second holds, and the faults
a physiotherapist would point out (the hips turning with the shoulders, leaning sideways, a short hold).

Per frame: the upper body's turn (`coach.measure.rotation.fit_yaw`), the pelvis's own turn and the side lean,
each smoothed by a One Euro filter; the reported angle is the upper body's turn relative to the pelvis.
The smoothed angle drives the shared rep state machine (`coach.reps.tracker.RepTracker`). While a rep is near
its turned position the analyzer collects evidence for the faults and raises each one's cue the moment
it has lasted long enough; the finished rep carries the faults it collected.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import replace
from typing import Any, NamedTuple

import numpy as np

from coach.calibration.profile import CalibrationProfile
from coach.facts import ROTATE, stretch
from coach.measure.filters import OneEuroFilter, OneEuroSettings
from coach.measure.head_turn import head_turned_alone
from coach.measure.perspective import build_near_template, fit_near_yaw, near_misfit, near_side_lean
from coach.measure.rotation import (
    TEMPLATE_LANDMARKS,
    build_template,
    depth_evidence,
    fit_yaw,
    lower_body_pairs,
    pelvis_yaw,
    refine_depths,
    side_lean,
    trunk_rotation,
    upper_body_motion,
)
from coach.measure.view import estimate_view_of, verdict
from coach.pose.framing import Framing, Uprighting, body_scale_px
from coach.pose.geometry import midpoint
from coach.pose.landmarks import PoseLandmark as L
from coach.pose.types import Pose
from coach.reps.analysis import Cue, FrameAnalysis, Phase, Rep, Severity
from coach.reps.fault_evidence import FaultEvidence
from coach.reps.hold_dating import moving_points
from coach.reps.tracker import RepRules, RepTracker, RepWindow, TrackerUpdate, calibration_rest

EXERCISE = ROTATE
CUES = {
    "low_back": Cue("low_back", "Keep your hips square, turn from the upper back", Severity.FAULT),
    "side_lean": Cue("side_lean", "Sit tall, don't lean", Severity.FAULT),
    "short_hold": Cue("short_hold", "Hold for 2 seconds", Severity.FAULT),
    "head_only": Cue("head_only", "Turn your chest, not just your head", Severity.FAULT),
}
# The template's prior depths count as much as this many frames seen turned by 90 degrees: about one
# rep's worth (some 30 frames near 35 degrees, sin^2 ~ 0.33). Afterwards the person's own frames lead.
DEPTH_PRIOR_WEIGHT = 10.0
# The prior of a trunk line that does not tilt with the turn counts as this many frames turned by 90
# degrees, as the depths' prior does.
TURN_TILT_PRIOR_WEIGHT = DEPTH_PRIOR_WEIGHT
# Frames read as turned further than any seated upper-back turn goes teach the template nothing.
LEARN_MAX_YAW_DEG = 60.0
# Hips turning this far with the shoulders is visible compensation (a quarter of a typical turn).
LOW_BACK_PELVIS_DEG = 10.0
# The hip-to-shoulder chord of an evenly side-bent spine tilts by about half the bend: 5 degrees of
# chord is a side bend of about 10 degrees, clearly more than sitting tall allows. A lean is a posture
# kept through the turn, not a moment of a sway or a breath: it is judged on the median of the rep's
# frames near its turned position so far, from the person's own upright (`_RestingLean`).
SIDE_LEAN_DEG = 5.0
# The person's upright is where their trunk line rests between reps, over this long: many breaths and
# sways, where the calibration's couple of seconds may have caught one at its side.
REST_MEMORY_S = 60.0
# Evidence is collected while the turn is at least this fraction of the rep's peak so far.
NEAR_PEAK_FRACTION = 0.8
# The head turned alone is the position held, judged over the hold's frames so far: the head leads a
# good turn on the way out and trails it on the way back, and from a desk camera in a dim room the
# shoulders' evidence of a held chest turn comes and goes from frame to frame (a third of a good
# hold's frames read the head alone), so most of the hold's frames must say so.
HEAD_ALONE_SHARE = 0.5
# Smoothing: at rest the angle jitters by about a degree; turns run at up to ~60 deg/s, where the
# cutoff rises to ~4 Hz (about 40 ms of lag at 15-30 fps).
ANGLE_SMOOTHING = OneEuroSettings(min_cutoff_hz=1.0, beta=0.05, d_cutoff_hz=1.0)
SIGNAL_SMOOTHING = OneEuroSettings(min_cutoff_hz=0.8, beta=0.05, d_cutoff_hz=1.0)
# What a desk picture cannot show, said in the report and on the live screen. (Without the hips a side
# lean is read from the head over the shoulders: `near_side_lean`.)
DESK_NOT_CHECKED = "hips not in view: turning on the seat is not checked"
# At the desk, a frame whose landmarks lie further than this (root mean square, in shoulder spans) from
# every turn of the person's template through the lens is not read (`near_misfit`): good turns stray by
# up to about 0.07, one landmark thrown a third of a span away adds 0.1; a body the model folds, 0.15-0.3.
UNREADABLE_MISFIT_SPANS = 0.12
# Counting rules. Back at neutral, the reading can stay up to ~7 degrees off for a while after a turn
# (the model is slow to let go of a half-hidden far elbow at oblique views), so "back" is below 8
# degrees and a new turn starts past 12; a rep still needs a 15-degree peak. A hold drifts by a few
# degrees per second at most, while a turn out of it runs at 30-60 deg/s: "nearly still" is slower
# than 8 deg/s over a quarter of a second, which notices a departure after about 2 degrees of it. The
# hold band is 4 degrees, or three times the angle's calibrated jitter if that is larger. A phase
# changes only after a third of a second: the model's landmarks drift or jolt for up to ~0.3 s in a
# frozen hold, while a real departure keeps going (the hold's end is still stamped where it began).
ROTATE_RULES = RepRules(
    start_deg=12.0,
    return_deg=8.0,
    hold_speed_dps=8.0,
    speed_window_s=0.25,
    hold_band_deg=4.0,
    min_dwell_s=0.35,
    sway_free_shape=True,
)
# A hold counts as done at three quarters of its target (1.5 s of the article's 2 s): the clock starts
# and stops up to 0.3 s off (the speed window, the model's own smoothing), and a person who holds
# "about two seconds" has done the stretch. What is short is clearly short: 1.2 s or less.
HOLD_COUNTED_FRACTION = stretch(EXERCISE).counted_hold_s / stretch(EXERCISE).hold_s
# "Nearly still" for the body: the shoulders and elbows (the upper quartile of the template's landmark
# motion, about 0.45 torso lengths from the turn's axis) moving no faster than the hold's angular
# speed limit would move them. The model under-reads the last ~10 degrees of a turn, so the angle can
# look still while the body has already started back; the landmarks show it.
LANDMARK_LEVER_TORSOS = 0.45
# The body's motion is measured over this long: well under the tracker's dwell, so one jolt of the
# model cannot end a hold, long enough that a turn shows above the jitter.
MOTION_BASELINE_S = 0.1
# Between two frames, jitter alone moves the landmarks by about their calibrated noise; motion within
# twice that is jitter, not movement.
JITTER_FACTOR = 2.0
# The current jitter: the low quartile of the frame-to-frame motion over the last two seconds (the
# quietest frames; a turn that filled the last seconds does not raise it).
JITTER_MEMORY_S = 2.0
RECENT_JITTER_PERCENTILE = 25.0


def view_problem(profile: CalibrationProfile) -> str | None:
    """Why the turn cannot be read from where this camera sees the neutral (None when it can): the
    one view rule (`coach.measure.view.verdict`) that calibration applies too."""
    judged = verdict(
        estimate_view_of(profile.neutral_pose(), profile.framing).azimuth_deg, EXERCISE, profile.framing
    )
    return None if judged.suits else f"Cannot measure the turn from this view. {judged.instruction}"


class _BodyStillness:
    """Whether the upper body is nearly still, from how far its landmarks moved over a short baseline.

    The baseline is a fixed time (`MOTION_BASELINE_S`), not a frame, so the verdict does not depend on
    the frame rate: real motion grows with the baseline, jitter does not. Motion counts only above the
    jitter: twice the calibrated noise, or twice the quiet frames' motion of the last seconds if that
    is larger (the model jitters more with a second person in view, in a dim room or on a heavily
    compressed video). A single jolt of the model shows for one baseline, shorter than the tracker's
    dwell, so it never ends a hold. A frame identical to the last (a repeated frame) says nothing new.
    """

    def __init__(self, still_px_per_s: float, calibrated_jitter_px: float) -> None:
        self.still_px = still_px_per_s * MOTION_BASELINE_S
        self.calibrated_jitter_px = calibrated_jitter_px
        self.reset()

    def reset(self) -> None:
        self._frames: deque[tuple[float, np.ndarray]] = deque()
        self._motion: deque[tuple[float, float]] = deque()  # (t, pixels moved over the baseline)
        self._still = True

    def update(self, xy: np.ndarray, t_s: float) -> bool:
        if self._frames and (t_s <= self._frames[-1][0] or np.array_equal(xy, self._frames[-1][1])):
            return self._still
        self._frames.append((t_s, xy))
        while len(self._frames) > 1 and t_s - self._frames[1][0] >= MOTION_BASELINE_S:
            self._frames.popleft()
        then_s, then_xy = self._frames[0]
        if t_s - then_s < MOTION_BASELINE_S:
            return self._still
        moved = upper_body_motion(then_xy, xy)
        self._motion.append((t_s, moved))
        while t_s - self._motion[0][0] > JITTER_MEMORY_S:
            self._motion.popleft()
        recent_px = float(np.percentile([m for _, m in self._motion], RECENT_JITTER_PERCENTILE))
        self._still = moved <= max(self.still_px, self.calibrated_jitter_px, JITTER_FACTOR * recent_px)
        return self._still


class _TurnTilt:
    """How far the trunk line (hips to shoulders) tilts in the picture as the upper body turns: the
    shoulders' middle lies a few centimetres off the spine's axis, so a turn carries it sideways by
    that times sin(turn). Learnt from the session's own frames (tilt = k sin(turn), least squares
    against a prior of no tilt): a sway is uncorrelated with the turn and averages out."""

    def __init__(self) -> None:
        self._weight = TURN_TILT_PRIOR_WEIGHT
        self._evidence = 0.0

    def expected_deg(self, yaw_deg: float) -> float:
        return self._evidence / self._weight * float(np.sin(np.radians(yaw_deg)))

    def learn(self, yaw_deg: float, tilt_deg: float) -> None:
        sin = float(np.sin(np.radians(yaw_deg)))
        self._weight += sin**2
        self._evidence += sin * tilt_deg


class _Turn(NamedTuple):
    """A frame read for its turn: the upright landmarks, the trunk line's tilt, the landmarks with the
    frame's sway taken out, and the upper body's turn from them."""

    xy: np.ndarray
    tilt_deg: float
    turn_xy: np.ndarray
    yaw_deg: float


class _RestingLean:
    """The side lean the person sits with at rest, from their own upright: the median over the
    calibration window and the frames at neutral since (the calibration's are let go once the
    rests alone span `REST_MEMORY_S`, and rests older than that too)."""

    def __init__(self, calibration_leans: Sequence[float] = ()) -> None:
        self._calibration = list(calibration_leans)
        self._rests: deque[tuple[float, float]] = deque()
        self.deg = float(np.median(self._calibration)) if self._calibration else 0.0

    def add(self, lean_deg: float, t_s: float) -> None:
        self._rests.append((t_s, lean_deg))
        if t_s - self._rests[0][0] >= REST_MEMORY_S:
            self._calibration = []
        while t_s - self._rests[0][0] > REST_MEMORY_S:
            self._rests.popleft()
        self.deg = float(np.median(self._calibration + [lean for _, lean in self._rests]))


class RotateAnalyzer:
    """Sit and Rotate, frame by frame, against the calibrated neutral `profile`.

    calibrated_at_s: when the stream it measures calibrated itself (None: a saved profile).
    measured_from_s: the stream's first frame, when it is measured from there once calibrated (a
        recording, `coach.pipeline.kept_frames`); None: from the calibration on.
    still_windows_s: the windows in which this stream's calibrations found the person sitting still;
        measured from the start, a movement within one is the model's jitter, not a rep.
    """

    exercise = EXERCISE
    signal_names = ("pelvis_deg", "lean_deg")
    wants_mask = False

    def __init__(
        self,
        profile: CalibrationProfile,
        *,
        target_reps: int = 3,
        hold_target_s: float = stretch(EXERCISE).hold_s,
        calibrated_at_s: float | None = None,
        measured_from_s: float | None = None,
        still_poses: Sequence[Pose] = (),
        still_windows_s: Sequence[tuple[float, float]] = (),
    ) -> None:
        if target_reps < 1:
            raise ValueError("target_reps must be at least 1")
        if hold_target_s <= 0:
            raise ValueError("hold_target_s must be positive")
        self.target_reps = target_reps
        self.hold_target_s = hold_target_s
        self.cues = {
            **CUES,
            "short_hold": Cue("short_hold", f"Hold for {hold_target_s:g} seconds", Severity.FAULT),
        }
        counted_hold_s = HOLD_COUNTED_FRACTION * hold_target_s
        self.base_rules = replace(ROTATE_RULES, hold_target_s=counted_hold_s)
        self.rules = self.base_rules
        self._profile = profile
        self._calibrated_at_s = calibrated_at_s
        # The calibration's still window was a rest at neutral: a rep may start straight after it.
        self._rested_s = calibration_rest(calibrated_at_s, profile.duration_s, measured_from_s)
        # Measured from the start, the frames include the calibrations' still windows.
        self._still_windows_s = tuple(still_windows_s)
        self._still_poses = list(still_poses)
        self.reset()

    def reset(self) -> None:
        self.rules = self.base_rules
        self._tracker = RepTracker(self.rules, self._rested_s, self._still_windows_s)
        self._angle_filter = OneEuroFilter(ANGLE_SMOOTHING)
        self._pelvis_filter = OneEuroFilter(SIGNAL_SMOOTHING)
        self._lean_filter = OneEuroFilter(SIGNAL_SMOOTHING)
        self._reps: list[Rep] = []
        self._evidence = FaultEvidence()
        self._cues: deque[Cue] = deque()
        self._peak_deg = 0.0
        self._near_peak_leans: list[float] = []
        self._held_frames = self._held_head_alone_frames = 0
        self._stillness = _BodyStillness(0.0, 0.0)
        self._last_turn: tuple[Pose, _Turn] | None = None
        self._use_profile(self._profile)

    @property
    def reps(self) -> list[Rep]:
        return list(self._reps)

    @property
    def profile(self) -> CalibrationProfile:
        return self._profile

    def calibration_summary(self) -> dict[str, Any]:
        return {
            "source": "profile" if self._calibrated_at_s is None else "self",
            "calibrated": True,
            "calibrated_at_s": self._calibrated_at_s,
            "frames": self._profile.frames,
            "duration_s": round(self._profile.duration_s, 3),
            "view_azimuth_deg": round(self._template.azimuth_deg, 1),
            "framing": str(self._profile.framing),
            "not_checked": DESK_NOT_CHECKED if self.desk else None,
            "target_deg": self._profile.comfortable_deg.get(EXERCISE),
            "shoulder_span_px": round(self._template.shoulder_span_px, 1),
            "noise_px": round(float(np.median(self._profile.noise_px)), 3),
        }

    @property
    def desk(self) -> bool:
        """Only the head, shoulders and elbows are seen: the pelvis is not, and is not judged."""
        return self._profile.framing is Framing.DESK

    def reading(self, pose: Pose) -> float | None:
        turn = self._turn(pose)
        return trunk_rotation(turn.yaw_deg, self._pelvis(turn.xy))

    def wrong_way_deg(self, pose: Pose) -> float | None:
        return None  # a turn goes either way

    def _tilt_deg(self, xy: np.ndarray) -> float:
        """The trunk line's tilt from the neutral's upright (0 at the desk: no hips seen)."""
        return 0.0 if self.desk else Uprighting.of_trunk(xy).roll_deg

    def _turn_xy(self, xy: np.ndarray, tilt_deg: float) -> np.ndarray:
        """The upright landmarks the turn is read from, with this frame's sway about the hips taken out:
        a sideways sway moves the head across the picture more than the shoulders, which the fit
        would read as part of a turn (up to 2 degrees for a 2-degree sway). The sway is the trunk
        line's tilt less the tilt the turn itself gives it (`_TurnTilt`). At the desk no hips are
        seen to sway about."""
        if self.desk:
            return xy
        sway = tilt_deg - self._turn_tilt.expected_deg(self._last_yaw)
        return Uprighting(roll_deg=sway, pivot_px=midpoint(xy, L.LEFT_HIP, L.RIGHT_HIP))(xy)

    def _yaw(self, xy: np.ndarray) -> float:
        """The upper body's turn: through the lens at the desk, where the camera is near."""
        if self._near_template is not None:
            return fit_near_yaw(self._near_template, xy)
        return fit_yaw(self._template, xy)

    def _pelvis(self, xy: np.ndarray) -> float:
        return 0.0 if self.desk else pelvis_yaw(self._neutral_xy, xy, self._lower_body)

    def _lean(self, xy: np.ndarray, yaw_deg: float) -> float:
        """The side lean from neutral: the trunk line's tilt; at the desk, where no hips are seen, the
        head's over the shoulders beyond what the turn gives it (`near_side_lean`)."""
        if self._near_template is not None:
            return near_side_lean(self._near_template, self._neutral_xy, xy, yaw_deg)
        return side_lean(self._neutral_xy, xy)

    def _turn(self, pose: Pose) -> _Turn:
        """`pose` read for its turn, kept for the pose last read (the pipeline reads a frame before the
        update does; the fit is the costliest reading)."""
        if self._last_turn is not None and self._last_turn[0] is pose:
            return self._last_turn[1]
        xy = self._upright(pose.xy)
        tilt = self._tilt_deg(xy)
        turn_xy = self._turn_xy(xy, tilt)
        turn = _Turn(xy, tilt, turn_xy, self._yaw(turn_xy))
        self._last_turn = (pose, turn)
        return turn

    def update(self, pose: Pose | None, t_s: float) -> FrameAnalysis:
        if pose is None:
            return self._absent(t_s)
        xy, tilt, turn_xy, yaw = self._turn(pose)
        self._last_turn = None  # what this frame teaches changes how the next reads
        if self._unreadable(turn_xy, yaw):
            return self._absent(t_s, unread=True)
        self._learn_depths(turn_xy, yaw)
        if abs(yaw) <= LEARN_MAX_YAW_DEG and not self.desk:
            self._turn_tilt.learn(yaw, tilt)
        self._last_yaw = yaw
        total = self._angle_filter(yaw, t_s)
        pelvis = self._pelvis_filter(self._pelvis(xy), t_s)
        seated_lean = self._lean_filter(self._lean(xy, yaw), t_s)
        lean = seated_lean - self._resting_lean.deg
        angle = trunk_rotation(total, pelvis)
        update = self._tracker.update(
            angle,
            t_s,
            body_still=self._stillness.update(pose.xy, t_s),
            raw_deg=trunk_rotation(yaw, pelvis),
            body_xy=moving_points(pose.xy, self._profile.framing),
        )
        # Only a held turn is judged for the head turned alone (a second fit: read only then).
        head_only = update.phase == Phase.HOLD and self._head_only(xy, pose.world)
        self._collect_faults(update, angle, pelvis, lean, t_s, head_only)
        completed = self._complete(update.completed) if update.completed is not None else None
        if update.phase == Phase.NEUTRAL:  # no rep under way (finished, or never started)
            self._evidence = FaultEvidence()
            self._peak_deg = 0.0
            self._near_peak_leans = []
            self._held_frames = self._held_head_alone_frames = 0
            self._resting_lean.add(seated_lean, t_s)
        return self._frame(
            t_s,
            update.phase,
            angle=angle,
            signals={"pelvis_deg": None if self.desk else pelvis, "lean_deg": lean},
            update=update,
            completed=completed,
        )

    def finish(self) -> Rep | None:
        window = self._tracker.unfinished()
        if window is None:
            return None
        return window.as_rep(self._evidence.raised_faults(self.cues), incomplete=True)

    # -- internals ---------------------------------------------------------------------------------

    def _use_profile(self, profile: CalibrationProfile) -> None:
        self._upright = Uprighting.of_trunk(profile.neutral_xy, profile.framing)
        self._neutral_xy = self._upright(profile.neutral_xy)
        self._prior_template = self._template = build_template(self._neutral_xy)
        desk = profile.framing is Framing.DESK
        self._near_template = build_near_template(self._neutral_xy, profile.image_size) if desk else None
        self._depth_weight = 0.0
        self._depth_evidence = np.zeros(len(TEMPLATE_LANDMARKS))
        self._turn_tilt = _TurnTilt()
        self._last_yaw = 0.0
        self._lower_body = lower_body_pairs(profile.neutral_xy, profile.image_size)
        # The person's jitter, in pixels and as the angle it makes at the landmarks' lever.
        lever_px = LANDMARK_LEVER_TORSOS * max(body_scale_px(profile.neutral_xy, profile.framing), 1.0)
        noise_px = float(np.median(profile.noise_px[list(TEMPLATE_LANDMARKS)]))
        noise_deg = float(np.degrees(noise_px / lever_px))
        rules = self.base_rules
        self.rules = replace(rules, hold_band_deg=max(rules.hold_band_deg, 3.0 * noise_deg))
        self._tracker = RepTracker(self.rules, self._rested_s, self._still_windows_s)
        still = [self._upright(pose.xy) for pose in self._still_poses]
        self._resting_lean = _RestingLean([self._lean(xy, self._yaw(xy)) for xy in still])
        still_px_per_s = float(np.radians(self.rules.hold_speed_dps)) * lever_px
        self._stillness = _BodyStillness(still_px_per_s, JITTER_FACTOR * noise_px)

    def _learn_depths(self, xy: np.ndarray, yaw_deg: float) -> None:
        assert self._prior_template is not None and self._template is not None
        if abs(yaw_deg) > LEARN_MAX_YAW_DEG or self._near_template is not None:
            return  # not this stretch (standing up, turning away); or the near camera's own model
        weight, evidence = depth_evidence(self._template, xy, yaw_deg)
        self._depth_weight += weight
        self._depth_evidence += evidence
        self._template = refine_depths(
            self._prior_template, self._depth_weight, self._depth_evidence, DEPTH_PRIOR_WEIGHT
        )

    def unread(self, t_s: float) -> FrameAnalysis:
        return self._absent(t_s, unread=True)

    def _unreadable(self, xy: np.ndarray, yaw_deg: float) -> bool:
        """At the desk: landmarks no turn of the person's template explains (the model folding a turned
        body close to the lens), whose reading says nothing of the body."""
        template = self._near_template
        return template is not None and near_misfit(template, xy, yaw_deg) > UNREADABLE_MISFIT_SPANS

    def _absent(self, t_s: float, *, unread: bool = False) -> FrameAnalysis:
        """A frame without the person; `unread`: with the person there, but no reading of them."""
        update = self._tracker.update(None, t_s, unread=unread)
        for smoother in (self._angle_filter, self._pelvis_filter, self._lean_filter):
            smoother.reset()
        self._evidence.pause()
        self._stillness.reset()
        return self._frame(t_s, update.phase, update=update)

    def _head_only(self, xy: np.ndarray, world: np.ndarray) -> bool:
        """At the desk: the face turned past a rep's start while the shoulders kept square."""
        if self._near_template is None:
            return False
        neutral_world = self._profile.neutral_world
        return head_turned_alone(self._near_template, xy, world, neutral_world, self.rules.start_deg)

    def _collect_faults(
        self, update: TrackerUpdate, angle: float, pelvis: float, lean: float, t_s: float, head_only: bool
    ) -> None:
        """Faults seen near the turned position count once they last; a hold left early counts at once."""
        if update.phase in (Phase.NEUTRAL, Phase.NO_POSE) or update.side is None:
            self._evidence.pause()
        else:
            direction = 1.0 if update.side == "left" else -1.0
            turned = angle * direction
            self._peak_deg = max(self._peak_deg, turned)
            faults = set()
            if turned >= NEAR_PEAK_FRACTION * self._peak_deg and self._peak_deg >= self.rules.min_peak_deg:
                if pelvis * direction >= LOW_BACK_PELVIS_DEG:
                    faults.add("low_back")
                self._near_peak_leans.append(lean)
                if abs(float(np.median(self._near_peak_leans))) >= SIDE_LEAN_DEG:
                    faults.add("side_lean")
                if update.phase == Phase.HOLD:
                    self._held_frames += 1
                    self._held_head_alone_frames += head_only
                if self._held_head_alone_frames > HEAD_ALONE_SHARE * self._held_frames:
                    faults.add("head_only")
                for code in self._evidence.observe(faults, t_s):
                    self._cues.append(self.cues[code])
            else:
                self._evidence.pause()
        if update.hold_ended_early and self._evidence.hold_cut_short():
            self._cues.append(self.cues["short_hold"])

    def _complete(self, window: RepWindow) -> Rep:
        rep = window.as_rep(
            self._evidence.rep_faults(self.cues, window.hold_at_most_s, self.rules.hold_target_s)
        )
        self._reps.append(rep)
        return rep

    def _frame(
        self,
        t_s: float,
        phase: Phase,
        *,
        angle: float | None = None,
        signals: dict[str, float | None] | None = None,
        update: TrackerUpdate | None = None,
        completed: Rep | None = None,
    ) -> FrameAnalysis:
        comfortable = self._profile.comfortable_deg.get(EXERCISE) if self._profile is not None else None
        # The gauge aims only at a range this person has shown to be comfortable, never a textbook one.
        target = comfortable if self._template is not None else None
        return FrameAnalysis(
            t_s=t_s,
            phase=phase,
            angle_deg=angle,
            signals=signals if signals is not None else {name: None for name in self.signal_names},
            side=update.side if update is not None else None,
            hold_s=update.hold_s if update is not None else 0.0,
            hold_target_s=self.hold_target_s,
            cue=self._cues.popleft() if self._cues else None,
            reps_by_side={
                "left": sum(r.side == "left" for r in self._reps),
                "right": sum(r.side == "right" for r in self._reps),
            },
            good_reps=sum(r.good for r in self._reps),
            target_reps=self.target_reps,
            completed_rep=completed,
            target_deg=target,
            comfortable_deg=comfortable,
        )
