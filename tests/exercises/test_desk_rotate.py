"""Sit and Rotate from a desk webcam, on hand-made poses seen through a pinhole lens 0.85 m away.

The turns are scripted; the geometry (perspective, which parts turn) is exact. The real model on a
rendered desk clip is in `tests/app/test_desk.py`.
"""

from __future__ import annotations

import numpy as np
import pytest

from coach.calibration.profile import profile_from_poses
from coach.exercises.rotate import DESK_NOT_CHECKED, RotateAnalyzer
from coach.measure.perspective import focal_px
from coach.pose.framing import Framing
from coach.pose.landmarks import NUM_LANDMARKS
from coach.pose.landmarks import PoseLandmark as L
from coach.pose.types import Pose
from tests.measure.test_perspective import SIZE, prior_body

FPS = 15
DISTANCE_M = 0.85
HEAD = [L.NOSE, L.LEFT_EYE_INNER, L.LEFT_EYE, L.LEFT_EYE_OUTER, L.RIGHT_EYE_INNER, L.RIGHT_EYE,
        L.RIGHT_EYE_OUTER, L.LEFT_EAR, L.RIGHT_EAR, L.MOUTH_LEFT, L.MOUTH_RIGHT, L.LEFT_ELBOW,
        L.RIGHT_ELBOW, L.LEFT_WRIST, L.RIGHT_WRIST, L.LEFT_PINKY, L.RIGHT_PINKY, L.LEFT_INDEX,
        L.RIGHT_INDEX, L.LEFT_THUMB, L.RIGHT_THUMB]  # fmt: skip


def desk_pose(
    turn_deg: float, *, head_only: bool = False, lean_deg: float = 0.0, head_ahead_deg: float = 0.0
) -> Pose:
    """The seated body through a 70-degree lens 0.85 m in front; the upper body (or the head with the
    hands and elbows behind it) turned by `turn_deg`, the head with the hands and elbows then turned
    `head_ahead_deg` further, the trunk bent sideways by `lean_deg` about the hips (+ = to the
    person's right)."""
    body = prior_body()
    pivot = body[L.LEFT_SHOULDER] / 2 + body[L.RIGHT_SHOULDER] / 2  # on the axis the chest turns about
    head_ahead_deg += turn_deg if head_only else 0.0
    for moving, angle in (
        (np.flatnonzero(body[:, 1] > 0.3), 0.0 if head_only else turn_deg),
        (HEAD, head_ahead_deg),
    ):
        t = np.radians(angle)
        turn = np.array([[np.cos(t), 0, np.sin(t)], [0, 1, 0], [-np.sin(t), 0, np.cos(t)]])
        body[moving] = (body[moving] - pivot) @ turn.T + pivot
    s = np.radians(lean_deg)
    bend = np.array([[np.cos(s), -np.sin(s), 0], [np.sin(s), np.cos(s), 0], [0, 0, 1]])
    upper = np.flatnonzero(body[:, 1] > 0.3)
    body[upper] = body[upper] @ bend.T
    focal = focal_px(SIZE[0])
    away = DISTANCE_M - body[:, 2]
    xy = np.column_stack([SIZE[0] / 2 + focal * body[:, 0] / away, 300 - focal * (body[:, 1] - 0.5) / away])
    visibility = np.ones(NUM_LANDMARKS)
    visibility[[L.LEFT_HIP, L.RIGHT_HIP, L.LEFT_KNEE, L.RIGHT_KNEE]] = 0.2
    world = np.column_stack([body[:, 0], -body[:, 1], -body[:, 2]])
    return Pose(
        xy=xy, depth=focal * world[:, 2] / DISTANCE_M, world=world, visibility=visibility, image_size=SIZE
    )


def run(reps: list[tuple[float, dict]]) -> RotateAnalyzer:
    """Calibrate on 2 s of neutral, then each rep: 1.2 s out, 2.2 s held, 1.2 s back, 1 s of rest
    (`how`: head_only, lean_deg at the turned position; head_leads_frames: on the way out the head is
    this many frames ahead of the chest)."""
    neutral = [desk_pose(0.0) for _ in range(2 * FPS)]
    profile = profile_from_poses(neutral, [i / FPS for i in range(len(neutral))], framing=Framing.DESK)
    analyzer = RotateAnalyzer(profile)
    t = 0.0
    for turn, how in reps:
        ramp = [turn * (1 - np.cos(np.pi * k / 18)) / 2 for k in range(18)]
        lead, head_only = how.get("head_leads_frames", 0), how.get("head_only", False)
        # (the chest's turn, how far the head is turned beyond it): a head that leads sets off that
        # many frames before the chest on the same movement
        chests, heads = [0.0] * lead + ramp, ramp + [turn] * lead
        out = [(chest, head - chest) for chest, head in zip(chests, heads, strict=True)]
        for chest, ahead in out + [(turn, 0.0)] * 33 + [(a, 0.0) for a in ramp[::-1]] + [(0.0, 0.0)] * 15:
            share = chest / turn  # a lean comes and goes with the turn
            lean = {"lean_deg": how["lean_deg"] * share} if "lean_deg" in how else {}
            analyzer.update(desk_pose(chest, head_only=head_only, head_ahead_deg=ahead, **lean), t)
            t += 1 / FPS
    return analyzer


def test_desk_turns_are_counted_per_side_with_their_angle_and_no_fault() -> None:
    analyzer = run([(35.0, {}), (-30.0, {})])
    reps = analyzer.reps
    assert [r.side for r in reps] == ["left", "right"]
    assert abs(reps[0].peak_angle_deg - 35.0) < 2.0 and abs(reps[1].peak_angle_deg + 30.0) < 2.0
    assert all(r.good for r in reps), [r.faults for r in reps]


@pytest.mark.parametrize("turn_deg", [40.0, -40.0])
def test_a_head_turned_alone_is_told_to_turn_the_chest(turn_deg: float) -> None:
    [rep] = run([(turn_deg, {"head_only": True})]).reps
    assert rep.faults == ("head_only",)


@pytest.mark.parametrize("turn_deg", [30.0, -30.0])
@pytest.mark.parametrize("lean_deg", [8.0, -8.0])
def test_a_side_lean_at_the_desk_is_read_from_the_head_over_the_shoulders(
    turn_deg: float, lean_deg: float
) -> None:
    # With the turn or against it: the ears' line over the shoulders tilts beyond what the turn through
    # the lens gives it. A good turn and a head turned alone do not (the tests above and below).
    [rep] = run([(turn_deg, {"lean_deg": lean_deg})]).reps
    assert rep.faults == ("side_lean",)


@pytest.mark.parametrize("turn_deg", [35.0, -35.0])
def test_a_head_that_leads_the_chest_on_the_way_out_is_a_good_turn(turn_deg: float) -> None:
    # Look, then turn: the head sets off 0.8 s before the chest. Only the position held is judged, and
    # that is a chest turn; the head out alone on the way there is not the mistake of turning only the
    # head (before, those frames alone raised it).
    [rep] = run([(turn_deg, {"head_leads_frames": 12})]).reps
    assert rep.good, rep.faults


def test_a_small_lean_at_the_desk_is_no_fault() -> None:
    [rep] = run([(30.0, {"lean_deg": 3.0})]).reps
    assert rep.good


def test_the_desk_never_claims_a_pelvis_reading() -> None:
    analyzer = run([(30.0, {})])
    assert analyzer.calibration_summary()["framing"] == "desk"
    assert analyzer.calibration_summary()["not_checked"] == DESK_NOT_CHECKED
    assert "lean" not in DESK_NOT_CHECKED
    frame = analyzer.update(desk_pose(10.0), 100.0)
    assert frame.signals["pelvis_deg"] is None
    assert frame.signals["lean_deg"] == pytest.approx(0.0, abs=1.0)
