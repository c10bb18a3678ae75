"""Calibration of the seated neutral position: checks the person, the picture and the stillness over a
window of frames, and builds the `CalibrationProfile` the analyzers use.

    calibrator = Calibrator(exercise="arch")
    for poses, t_s, brightness in stream:            # all people the model found, largest first
        status = calibrator.add(poses, t_s, brightness)  # status.message: what to change, or None
        if status.ready:
            break
    result = calibrator.result()                     # CalibrationError(one sentence) when it failed

Every check that fails gives one plain sentence saying what to change. Measurement is pure numpy on
landmark arrays; the only thing taken from the image is its mean brightness (`frame_brightness`).
"""

from __future__ import annotations

import dataclasses
from collections import Counter, deque
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from coach.calibration.profile import CalibrationProfile, profile_from_poses
from coach.errors import CalibrationError, MultiplePeopleError
from coach.facts import EXERCISES
from coach.measure.posture import (
    MAX_UNSQUARE_DEG,
    elbows_up,
    hands_behind_head,
    is_square,
    upper_body_azimuth_deg,
)
from coach.measure.rotation import FACE_AND_SHOULDER_PAIRS
from coach.measure.view import ViewEstimate, ViewVerdict, estimate_view, verdict
from coach.pose.framing import Framing, body_scale_px, framing_of, upright_xy
from coach.pose.geometry import midpoint, robust_std, robust_std_px, trunk_length_px
from coach.pose.landmarks import PoseLandmark as L
from coach.pose.plausibility import implausible_reason, is_someone, is_usable_upper_body
from coach.pose.types import Pose

UPPER_PARTS: dict[str, tuple[L, ...]] = {
    "head": (L.NOSE, L.LEFT_EYE, L.RIGHT_EYE, L.LEFT_EAR, L.RIGHT_EAR),
    "shoulders": (L.LEFT_SHOULDER, L.RIGHT_SHOULDER),
    "elbows": (L.LEFT_ELBOW, L.RIGHT_ELBOW),
}
# What each framing needs in the picture: at the desk the hips are under it (`coach.pose.framing`).
PARTS: dict[Framing, dict[str, tuple[L, ...]]] = {
    Framing.FULL: UPPER_PARTS | {"hips": (L.LEFT_HIP, L.RIGHT_HIP)},
    Framing.DESK: UPPER_PARTS,
}
# Landmarks whose jitter decides "still enough" (the ones the analyzers measure).
STILLNESS_LANDMARKS = (
    L.NOSE,
    L.LEFT_SHOULDER,
    L.RIGHT_SHOULDER,
    L.LEFT_ELBOW,
    L.RIGHT_ELBOW,
    L.LEFT_HIP,
    L.RIGHT_HIP,
)


@dataclass(frozen=True)
class CalibrationRules:
    """Every threshold of the checks. Lengths are relative to the body scale (trunk length: mid-hip to
    mid-shoulder in the image), so they hold at any distance and resolution."""

    seconds: float = 3.0  # length of the still window
    # Once a still window was refused because the body was not in the starting position (a recording
    # that starts mid-stretch), a still starting position this long will do: the rests between reps.
    # None: always the full window (a person asked to sit still for calibration).
    rest_seconds: float | None = None
    min_brightness: float = 40.0  # mean luma, 0-255
    min_trunk_fraction: float = 0.10  # trunk length / image height (hips to head top is ~1.6 trunks)
    margin_trunks: float = 0.10  # landmarks at least this far inside the picture
    head_top_trunks: float = 0.25  # the top of the head is about this far above the eyes and ears
    min_visibility: float = 0.5  # a part is seen when one of its landmarks is at least this visible
    max_jitter_trunks: float = 0.05  # robust std of each visible landmark over the window
    # How far the landmarks travelled between the window's first and last thirds (`drift_trunks`);
    # a rep that counts moves the shoulders several times this.
    max_drift_trunks: float = 0.05
    # The spread (`_spread`) of the body's own angles over the window, in the person's metric frame:
    # the upper body's turn against the hips, and the trunk's lean back. Seen from the front a turn
    # moves the shoulders in depth more than across the picture; the model's noise here is 0.1-1.3
    # degrees, a rep's smallest counted movement 12.
    max_posture_spread_deg: float = 4.0
    max_jump_trunks: float = 0.5  # between consecutive frames: farther is another person
    max_jump_gap_s: float = 0.5  # (only frames this close are compared)
    min_ok_fraction: float = 0.8  # of the window's frames must pass the per-frame checks
    several_people_frames: int = 2  # frames in the window with evidence of a second person: refuse
    min_window_fraction: float = 0.9  # of `seconds` the window must span


@dataclass(frozen=True)
class Problem:
    """A failed check: `code` is stable (tests, reports), `message` is one sentence for people."""

    code: str
    message: str


TOO_DARK = Problem("too_dark", "The picture is too dark: turn on a light or face a window.")
NOBODY = Problem(
    "nobody",
    "Nobody is in view: sit upright where the camera sees you from head to hips, or at a laptop your "
    "head, shoulders and elbows with your hands behind your head.",
)
SEVERAL_PEOPLE = Problem(
    "several_people", "More than one person is in view: make sure only you are in front of the camera."
)
TOO_SMALL = Problem("too_small", "You are too small in the picture: move closer to the camera.")
NOT_STILL = Problem(
    "not_still",
    "You moved during calibration: sit tall with your hands behind your head and hold still.",
)
HANDS_NOT_UP = Problem(
    "hands", "Put your hands behind your head with your elbows wide, sit tall and hold still."
)
NOT_SQUARE = Problem(
    "not_square",
    "Face forward with your shoulders square to your hips (you are turned to one side) and hold still.",
)
NOT_FACING_CAMERA = Problem(
    "not_square",
    "Face the camera with your shoulders square to it (you are turned to one side) and hold still.",
)
TOO_SHORT = Problem(
    "too_short", "The recording is too short: calibration needs you sitting still for the whole window."
)

_CUT_FIX = {
    "top": "move back from the camera or tilt it up",
    "bottom": "move back from the camera or tilt it down",
    "left": "move back from the camera or sit in the middle of its view",
    "right": "move back from the camera or sit in the middle of its view",
}


FRAMING_CODES = frozenset({"cut_off", "hidden", "too_small"})


def cut_off(part: str, edge: str) -> Problem:
    return Problem(
        "cut_off", f"Your {part} {_verb(part)} cut off at the {edge} edge of the picture: {_CUT_FIX[edge]}."
    )


def hidden(part: str) -> Problem:
    return Problem(
        "hidden",
        f"Your {part} {_verb(part)} hidden from the camera: clear the view between you and the camera.",
    )


def wrong_view(view_verdict: ViewVerdict) -> Problem:
    return Problem("view", view_verdict.instruction or "")


def calibration_failure(problem: Problem, suffix: str = "") -> CalibrationError:
    """The error a failed calibration ends with: two people in view have their own exit code."""
    error = MultiplePeopleError if problem.code == SEVERAL_PEOPLE.code else CalibrationError
    return error(problem.message + suffix)


def _verb(part: str) -> str:
    return "is" if part == "head" else "are"


@dataclass(frozen=True)
class FrameCheck:
    """One frame's checks: the person found (None when nobody person-like) and the first problem."""

    t_s: float
    pose: Pose | None
    problem: Problem | None
    brightness: float | None
    second_person: bool = False  # evidence of another person (two people, or the pose jumped)
    someone: Pose | None = None  # the largest person at all, measurable or not (for the jump check)


@dataclass(frozen=True)
class CalibrationStatus:
    """What the calibration says now: `ready` once a full window passes; `message` what to change."""

    ready: bool
    message: str | None
    progress: float  # 0..1, how much of the window is filled with good frames
    problem: Problem | None = None  # the check behind `message`


@dataclass(frozen=True)
class CalibrationResult:
    """A calibration: the profile, the camera's view, and the still window's poses it was made from."""

    profile: CalibrationProfile
    view: ViewEstimate
    verdicts: dict[str, ViewVerdict] = field(default_factory=dict)
    poses: tuple[Pose, ...] = ()
    end_s: float = 0.0  # the stream time the window ended (the calibration's moment)


# --- pure measurements -----------------------------------------------------------------------------


def frame_brightness(image: np.ndarray) -> float:
    """Mean luma (0-255) of a BGR uint8 image."""
    weights = np.array([0.114, 0.587, 0.299])
    return float(np.mean(image.reshape(-1, 3) @ weights))


def trunk_image_deg(xy: np.ndarray) -> np.ndarray | float:
    """Image angle of the mid-hip -> mid-shoulder line from vertical, + = shoulders towards image right.

    xy: (..., 33, 2).
    """
    up = midpoint(xy, L.LEFT_SHOULDER, L.RIGHT_SHOULDER) - midpoint(xy, L.LEFT_HIP, L.RIGHT_HIP)
    return np.degrees(np.arctan2(up[..., 0], -up[..., 1]))


def picture_framing(pose: Pose, rules: CalibrationRules) -> Framing:
    """The framing the picture gives: full when both hips lie inside it with the margin and are seen,
    else the desk's head and shoulders (hips at the picture's edge are as good as unseen)."""
    width, height = pose.image_size
    margin = rules.margin_trunks * trunk_length_px(pose.xy)
    inner = pose.xy - margin
    inner_size = (int(width - 2 * margin), int(height - 2 * margin))
    if inner_size[0] <= 0 or inner_size[1] <= 0:
        return Framing.DESK
    return framing_of(inner, pose.visibility, inner_size)


def framing_problem(pose: Pose, rules: CalibrationRules) -> Problem | None:
    """The parts the picture's framing needs (`PARTS`) inside it with a margin, each seen by the camera."""
    width, height = pose.image_size
    framing = picture_framing(pose, rules)
    trunk = body_scale_px(pose.xy, framing)
    margin = rules.margin_trunks * trunk
    parts = PARTS[framing]
    for part, landmarks in parts.items():
        points = pose.xy[list(landmarks)]
        top_margin = rules.head_top_trunks * trunk if part == "head" else margin
        if np.any(points[:, 1] < top_margin):
            return cut_off(part, "top")
        if np.any(points[:, 1] > height - margin):
            # At the desk, elbows below the picture are arms down, not a camera to move.
            return HANDS_NOT_UP if framing is Framing.DESK and part == "elbows" else cut_off(part, "bottom")
        if np.any(points[:, 0] < margin):
            return cut_off(part, "left")
        if np.any(points[:, 0] > width - margin):
            return cut_off(part, "right")
    for part, landmarks in parts.items():
        if float(np.max(pose.visibility[list(landmarks)])) < rules.min_visibility:
            return hidden(part)
    if trunk < rules.min_trunk_fraction * height:
        return TOO_SMALL
    return None


def neutral_framing_problem(
    profile: CalibrationProfile, rules: CalibrationRules | None = None
) -> Problem | None:
    """`framing_problem` of a profile's neutral posture (its landmark positions: a profile keeps no
    visibilities). A webcam that shows only the head and shoulders leaves the model to guess the hips
    below the picture, and a guessed hip reads as a turned or tilted pelvis."""
    return framing_problem(profile.neutral_pose(), rules or CalibrationRules())


def check_frame(
    poses: Sequence[Pose], brightness: float | None, rules: CalibrationRules, t_s: float = 0.0
) -> FrameCheck:
    """The per-frame checks, most basic first: light (when known), people, framing, size."""
    people = [pose for pose in poses if is_usable_upper_body(pose)]  # the one seated-person rule
    someone = [pose for pose in poses if is_someone(pose)]
    pose = people[0] if people else None
    problem: Problem | None
    if brightness is not None and brightness < rules.min_brightness:
        problem = TOO_DARK
    elif pose is None and someone and implausible_reason(someone[0]) == "no_arm_in_frame":
        problem = HANDS_NOT_UP  # at a laptop with the hands down on the desk
    elif pose is None:
        problem = NOBODY
    elif len(people) > 1:
        problem = SEVERAL_PEOPLE
    else:
        problem = framing_problem(pose, rules)
    return FrameCheck(
        t_s=t_s,
        pose=pose,
        problem=problem,
        brightness=brightness,
        second_person=len(someone) > 1,
        someone=someone[0] if someone else None,
    )


def jumped(previous: Pose, current: Pose, rules: CalibrationRules) -> bool:
    """Whether the tracked pose moved farther between two frames than a seated person can: the model
    switched to another person (it often tracks only one of two people, hopping between them)."""
    scale = max(_scale(previous), _scale(current))
    shift = np.linalg.norm(
        midpoint(current.xy, L.LEFT_SHOULDER, L.RIGHT_SHOULDER)
        - midpoint(previous.xy, L.LEFT_SHOULDER, L.RIGHT_SHOULDER)
    )
    return bool(shift > rules.max_jump_trunks * scale)


def jitter_trunks(poses: Sequence[Pose], rules: CalibrationRules, upright: np.ndarray) -> float:
    """The second-largest robust std of the visible stillness landmarks over the poses, in trunk
    lengths (one landmark the model throws about, an elbow in a dim room, is not the person moving).
    `upright`: the poses' landmarks upright (`upright_xy`), so a body swaying about its hips is still."""
    return _second_largest(robust_std_px(upright), upright, poses, rules)


def drift_trunks(poses: Sequence[Pose], rules: CalibrationRules, upright: np.ndarray) -> float:
    """How far the visible stillness landmarks travelled over the window, in trunk lengths: the
    second-largest distance between a landmark's median place in the window's first and last thirds.
    A slow movement the spread alone would pass shows here; the model's frame-to-frame noise does not
    (each third's median averages it out); nor does a sway about the hips (`upright`, as above)."""
    third = max(1, len(poses) // 3)
    travel = np.linalg.norm(np.median(upright[-third:], axis=0) - np.median(upright[:third], axis=0), axis=1)
    return _second_largest(travel, upright, poses, rules)


def _second_largest(
    per_landmark_px: np.ndarray, xy: np.ndarray, poses: Sequence[Pose], rules: CalibrationRules
) -> float:
    visibility = np.median(np.stack([pose.visibility for pose in poses]), axis=0)
    landmarks = [lm for lm in STILLNESS_LANDMARKS if visibility[lm] >= rules.min_visibility]
    median_xy = np.median(xy, axis=0)
    scale = body_scale_px(median_xy, framing_of(median_xy, visibility, poses[0].image_size))
    if len(landmarks) < 2 or scale <= 0:
        return float("inf")
    return float(np.sort(per_landmark_px[landmarks])[-2] / scale)


def neutral_measures(poses: Sequence[Pose]) -> dict[str, float]:
    """The neutral measures the analyzers and people read, from a still window of one person's poses.

    Spans are landmark distances (image px and world m); `*_tilt_deg` is a left-right line's slope
    (world, + = the person's left end higher); `*_yaw_deg` its direction seen from the camera (world,
    0 = square to the camera, + = the left end nearer); trunk and head angles are from vertical
    (world, in the person's own frame from the hip line: `*_back_deg` + = behind the hips / shoulders,
    `trunk_side_deg` + = towards the person's left; `*_image_deg` in the picture, + = towards image
    right). `noise_*` are robust stds over the window: the floor below which a change is noise.
    """
    xy = np.stack([pose.xy for pose in poses])
    world = np.stack([pose.world for pose in poses])
    median_xy = np.median(xy, axis=0)
    median_world = np.median(world, axis=0)
    framing = framing_of(median_xy, _median(poses, "visibility"), poses[0].image_size)
    measures: dict[str, float] = {
        "body_scale_px": body_scale_px(median_xy, framing),
        "body_scale_m": float(
            np.linalg.norm(
                midpoint(median_world, L.LEFT_SHOULDER, L.RIGHT_SHOULDER)
                - midpoint(median_world, L.LEFT_HIP, L.RIGHT_HIP)
            )
        ),
    }
    for name, (left, right) in {
        "shoulder": (L.LEFT_SHOULDER, L.RIGHT_SHOULDER),
        "elbow": (L.LEFT_ELBOW, L.RIGHT_ELBOW),
        "hip": (L.LEFT_HIP, L.RIGHT_HIP),
    }.items():
        measures[f"{name}_span_px"] = float(np.linalg.norm(median_xy[left] - median_xy[right]))
        measures[f"{name}_span_m"] = float(np.linalg.norm(median_world[left] - median_world[right]))
        line = median_world[left] - median_world[right]
        measures[f"{name}_tilt_deg"] = float(np.degrees(np.arctan2(-line[1], np.hypot(line[0], line[2]))))
        measures[f"{name}_yaw_deg"] = float(np.degrees(np.arctan2(-line[2], line[0])))
    series = {
        "trunk_image_deg": np.asarray(trunk_image_deg(xy)),
        "head_image_deg": _image_angle_deg(xy, L.LEFT_EAR, L.RIGHT_EAR),
        **_body_frame_angles(world),
    }
    series["head_to_trunk_deg"] = series["head_back_deg"] - series["trunk_back_deg"]
    series["head_to_trunk_image_deg"] = series["head_image_deg"] - series["trunk_image_deg"]
    shoulder_line = world[:, L.LEFT_SHOULDER] - world[:, L.RIGHT_SHOULDER]
    series["shoulder_yaw_deg"] = np.degrees(np.arctan2(-shoulder_line[:, 2], shoulder_line[:, 0]))
    for name, values in series.items():
        if name != "shoulder_yaw_deg":
            measures[name] = float(np.median(values))
        measures[f"noise_{name}"] = robust_std(values)
    noise_px = robust_std_px(xy)[list(STILLNESS_LANDMARKS)]
    measures["noise_px"] = float(np.median(noise_px))
    measures["noise_rel"] = (
        measures["noise_px"] / measures["body_scale_px"] if measures["body_scale_px"] else 0.0
    )
    return {name: round(value, 4) for name, value in measures.items()}


def window_framing(poses: Sequence[Pose], rules: CalibrationRules | None = None) -> Framing:
    """The framing of a still window of one person's poses (`picture_framing` of their median)."""
    median = dataclasses.replace(poses[0], xy=_median(poses, "xy"), visibility=_median(poses, "visibility"))
    return picture_framing(median, rules or CalibrationRules())


def window_view(poses: Sequence[Pose], framing: Framing = Framing.FULL) -> ViewEstimate:
    """The camera's view of a still window of one person's poses (from their median landmarks)."""
    return estimate_view(
        _median(poses, "xy"),
        _median(poses, "depth"),
        _median(poses, "world"),
        _median(poses, "visibility"),
        poses[0].image_size,
        framing,
    )


def build_profile(
    poses: Sequence[Pose],
    times_s: Sequence[float],
    *,
    name: str = "default",
    view: ViewEstimate | None = None,
    extra_measures: dict[str, float] | None = None,
) -> tuple[CalibrationProfile, ViewEstimate]:
    """The neutral profile of a still window of one person's poses, with its measures and camera view."""
    view = window_view(poses, window_framing(poses)) if view is None else view
    measures = neutral_measures(poses) | {"view_spread_deg": view.spread_deg} | dict(extra_measures or {})
    finite = {key: value for key, value in measures.items() if np.isfinite(value)}
    profile = profile_from_poses(
        poses,
        times_s,
        name=name,
        view_azimuth_deg=view.azimuth_deg,
        measures=finite,
        framing=window_framing(poses),
    )
    return profile, view


# --- the procedure ---------------------------------------------------------------------------------


class Calibrator:
    """Keeps the last `rules.seconds` of frames and checks them as a window.

    `add` returns the status after each frame (for a live camera: show `message`, stop when `ready`);
    `result` judges the window it has (for a video: after its first seconds) and builds the profile,
    or raises `CalibrationError` with the one sentence saying what to change.
    `exercise` (rotate | arch | None): when given, a camera view that does not suit it fails too.
    """

    def __init__(
        self,
        *,
        exercise: str | None = None,
        rules: CalibrationRules | None = None,
        name: str = "default",
    ) -> None:
        if exercise is not None and exercise not in EXERCISES:
            raise ValueError(f"Unknown exercise {exercise!r}: use one of {', '.join(EXERCISES)}")
        self.exercise = exercise
        self.rules = rules or CalibrationRules()
        self.name = name
        self._window: deque[FrameCheck] = deque()
        self._last_person: FrameCheck | None = None
        self._seconds = self.rules.seconds  # the window now asked for (see `use_rest_window`)
        self.last_view: ViewEstimate | None = None  # the camera's view of the last still window judged
        # A window in which the person sat still but the picture cut part of them off: the one problem
        # a recording is refused for (nothing else about the seat can be judged until it is fixed).
        self.still_but_framed: Problem | None = None

    def use_rest_window(self) -> None:
        """From now on a still starting position of `rules.rest_seconds` is enough (when the rules have
        one): the person is mid-set, and the rests between reps are their neutral moments."""
        self._seconds = self.rules.rest_seconds or self.rules.seconds

    def reset(self) -> None:
        self._window.clear()
        self._last_person = None
        self.last_view = None

    def add(self, poses: Sequence[Pose], t_s: float, brightness: float | None = None) -> CalibrationStatus:
        check = check_frame(poses, brightness, self.rules, t_s)
        if not check.second_person and self._jumped(check.someone, t_s):
            check = dataclasses.replace(check, second_person=True)
        if check.someone is not None:
            self._last_person = check
        self._window.append(check)
        while self._window and self._window[0].t_s < t_s - self._seconds + 1e-6:
            self._window.popleft()
        return self._status()

    def result(self) -> CalibrationResult:
        problem, result = self._judge()
        if problem is not None:
            raise calibration_failure(problem)
        assert result is not None
        return result

    def _jumped(self, pose: Pose | None, t_s: float) -> bool:
        last = self._last_person
        if pose is None or last is None or last.someone is None:
            return False
        return t_s - last.t_s <= self.rules.max_jump_gap_s and jumped(last.someone, pose, self.rules)

    def _status(self) -> CalibrationStatus:
        good = sum(check.problem is None for check in self._window)
        progress = min(1.0, self._span_fraction()) * good / len(self._window)
        if self._span_fraction() < self.rules.min_window_fraction:
            latest = self._window[-1].problem if self._window else None
            return CalibrationStatus(
                ready=False, message=latest.message if latest else None, progress=progress, problem=latest
            )
        problem, _ = self._judge(build=False)
        return CalibrationStatus(
            ready=problem is None,
            message=problem.message if problem else None,
            progress=progress,
            problem=problem,
        )

    def _span_fraction(self) -> float:
        if len(self._window) < 2:
            return 0.0
        return (self._window[-1].t_s - self._window[0].t_s) / self._seconds

    def _judge(self, *, build: bool = True) -> tuple[Problem | None, CalibrationResult | None]:
        """The window's first problem, or (build=True) the calibration it makes."""
        checks = list(self._window)
        rules = self.rules
        evidence = sum(check.second_person for check in checks)
        if evidence >= rules.several_people_frames:
            return SEVERAL_PEOPLE, None
        good = [check for check in checks if check.problem is None]
        if not checks or len(good) < rules.min_ok_fraction * len(checks):
            problem = _most_common_problem(checks)
            if problem.code in FRAMING_CODES and self._span_fraction() >= rules.min_window_fraction:
                seen = [check.pose for check in checks if check.pose is not None]
                enough = len(seen) >= rules.min_ok_fraction * len(checks)
                if enough and _still(seen, rules, window_framing(seen, rules)):
                    self.still_but_framed = problem
            return problem, None
        if self._span_fraction() < rules.min_window_fraction:
            return TOO_SHORT, None
        poses = [check.pose for check in good if check.pose is not None]
        framing = window_framing(poses, rules)
        if not _still(poses, rules, framing):
            return NOT_STILL, None
        posture = starting_position_problem(poses, framing)
        if posture is not None:
            self.use_rest_window()  # sat still, but not in the starting position: wait for a rest
            return posture, None
        view = window_view(poses, framing)
        self.last_view = view
        verdicts = {exercise: verdict(view.azimuth_deg, exercise, framing) for exercise in EXERCISES}
        if self.exercise is not None and not verdicts[self.exercise].suits:
            return wrong_view(verdicts[self.exercise]), None
        if not build:
            return None, None
        profile, _ = build_profile(
            poses,
            [check.t_s for check in good],
            name=self.name,
            view=view,
            extra_measures=_brightness_measure(good),
        )
        return None, CalibrationResult(
            profile=profile, view=view, verdicts=verdicts, poses=tuple(poses), end_s=checks[-1].t_s
        )


# --- helpers ---------------------------------------------------------------------------------------


def _scale(pose: Pose) -> float:
    return body_scale_px(pose.xy, framing_of(pose.xy, pose.visibility, pose.image_size))


def _image_angle_deg(xy: np.ndarray, left: L, right: L) -> np.ndarray:
    """Image angle from vertical of mid-shoulder -> midpoint(left, right), + = towards image right."""
    up = midpoint(xy, left, right) - midpoint(xy, L.LEFT_SHOULDER, L.RIGHT_SHOULDER)
    return np.asarray(np.degrees(np.arctan2(up[..., 0], -up[..., 1])))


def _body_frame_angles(world: np.ndarray) -> dict[str, np.ndarray]:
    """Trunk and head angles in the person's own frame, from world landmarks (n, 33, 3).

    The hip line gives the person's left (lateral) and facing (forward) directions on the floor plane.
    """
    hip_line = world[:, L.LEFT_HIP, :] - world[:, L.RIGHT_HIP, :]
    lateral = np.stack([hip_line[:, 0], hip_line[:, 2]], axis=1)
    lateral /= np.maximum(np.linalg.norm(lateral, axis=1, keepdims=True), 1e-9)
    # Facing direction: the lateral direction turned a quarter turn (front view: left = +x, faces -z).
    forward = np.stack([lateral[:, 1], -lateral[:, 0]], axis=1)
    shoulders = midpoint(world, L.LEFT_SHOULDER, L.RIGHT_SHOULDER)
    trunk = shoulders - midpoint(world, L.LEFT_HIP, L.RIGHT_HIP)
    head = midpoint(world, L.LEFT_EAR, L.RIGHT_EAR) - shoulders

    def components(vector: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        floor = vector[:, [0, 2]]
        return -vector[:, 1], np.sum(floor * lateral, axis=1), np.sum(floor * forward, axis=1)

    trunk_up, trunk_lateral, trunk_forward = components(trunk)
    head_up, _, head_forward = components(head)
    return {
        "trunk_back_deg": np.degrees(np.arctan2(-trunk_forward, trunk_up)),
        "trunk_side_deg": np.degrees(np.arctan2(trunk_lateral, trunk_up)),
        "head_back_deg": np.degrees(np.arctan2(-head_forward, head_up)),
    }


def starting_position_problem(poses: Sequence[Pose], framing: Framing = Framing.FULL) -> Problem | None:
    """Whether a still window's median pose is the stretches' starting position
    (`coach.measure.posture`): hands behind the head, shoulders square to the hips. At the desk the
    hands are checked by the elbows (hands on the desk are below the picture, where the model guesses
    them) and the shoulders against the camera, which the person faces at a laptop."""

    xy, visibility = _median(poses, "xy"), _median(poses, "visibility")
    if framing is Framing.DESK:
        if not elbows_up(xy, visibility):
            return HANDS_NOT_UP
        if abs(upper_body_azimuth_deg(xy) or 0.0) > MAX_UNSQUARE_DEG:
            return NOT_FACING_CAMERA
        return None
    if not hands_behind_head(xy, visibility):
        return HANDS_NOT_UP
    if not is_square(xy, _median(poses, "world"), visibility, poses[0].image_size):
        return NOT_SQUARE
    return None


def _median(poses: Sequence[Pose], name: str) -> np.ndarray:
    """The median over the poses of one of their landmark arrays ('xy', 'world', ...)."""
    return np.median(np.stack([getattr(pose, name) for pose in poses]), axis=0)


def _still(poses: Sequence[Pose], rules: CalibrationRules, framing: Framing) -> bool:
    upright = np.stack([upright_xy(pose.xy, framing) for pose in poses])
    return (
        jitter_trunks(poses, rules, upright) <= rules.max_jitter_trunks
        and drift_trunks(poses, rules, upright) <= rules.max_drift_trunks
        and posture_spread_deg(poses, framing, upright) <= rules.max_posture_spread_deg
    )


def posture_spread_deg(poses: Sequence[Pose], framing: Framing, upright: np.ndarray) -> float:
    """How much the body's own angles moved over the poses, degrees: the largest spread (`_spread`) or
    travel between the first and last thirds of the window (`_travel`) of the upper body's turn against
    the hips and of the trunk's lean back (world landmarks; not at the desk), and the travel of the way
    the face and shoulders face (image: from the front, world landmarks show a turn at a fraction of its
    size). `upright`: the poses' landmarks upright (`upright_xy`)."""
    world = np.stack([pose.world for pose in poses])

    def yaw_deg(left: L, right: L) -> np.ndarray:
        line = world[:, left] - world[:, right]
        return np.degrees(np.arctan2(-line[:, 2], line[:, 0]))

    turn = (
        yaw_deg(L.LEFT_SHOULDER, L.RIGHT_SHOULDER) - yaw_deg(L.LEFT_HIP, L.RIGHT_HIP) + 180.0
    ) % 360.0 - 180.0
    # At the desk the hips are the model's guess below the picture: angles against them wander on a
    # still body (3-5 degrees), so only the picture's own evidence counts there.
    moved = [
        max(_spread(values), _travel(values))
        for values in (turn, _body_frame_angles(world)["trunk_back_deg"])
        if framing is Framing.FULL
    ]
    # Upright: a sideways sway moves the face across the picture more than the shoulders (it is higher
    # above the hips), which the facing would read as a turn.
    facing = [upper_body_azimuth_deg(xy, FACE_AND_SHOULDER_PAIRS) for xy in upright]
    if None not in facing:  # (its spread follows any one landmark the model throws about: travel only)
        moved.append(_travel(np.array(facing, dtype=np.float64)))
    return max(moved, default=0.0)


def _travel(values: np.ndarray) -> float:
    """How far the values' median moved between the first and last thirds (the end of a slow turn
    back, which the spread of most values lets through)."""
    third = max(1, len(values) // 3)
    return float(abs(np.median(values[-third:]) - np.median(values[:third])))


def _spread(values: np.ndarray, coverage: float = 0.8) -> float:
    """How far from their median `coverage` of the values lie: all but a few stray frames must be
    still, not just half of them (as a median-based spread would allow)."""
    return float(np.quantile(np.abs(values - np.median(values)), coverage))


def _brightness_measure(checks: Sequence[FrameCheck]) -> dict[str, float]:
    known = [check.brightness for check in checks if check.brightness is not None]
    return {"brightness": round(float(np.mean(known)), 1)} if known else {}


def _most_common_problem(checks: Sequence[FrameCheck]) -> Problem:
    problems = [check.problem for check in checks if check.problem is not None]
    if not problems:
        return TOO_SHORT
    counts = Counter(problem.message for problem in problems)
    message = counts.most_common(1)[0][0]
    return next(problem for problem in problems if problem.message == message)
