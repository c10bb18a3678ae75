"""Sit and Arch at the desk: an analyzer built from a desk profile reads the arch from the front.

The poses are tests/measure/test_desk_arch.py's upper body through a pinhole camera 0.7 m in front;
the hips and legs the model would guess lie below the picture.
"""

from __future__ import annotations

import numpy as np
import pytest

from coach.calibration.profile import CalibrationProfile, profile_from_poses
from coach.exercises.arch import ArchAnalyzer, view_problem
from coach.pose.framing import Framing
from coach.pose.landmarks import NUM_LANDMARKS
from coach.pose.landmarks import PoseLandmark as L
from coach.pose.types import Pose
from coach.reps.analysis import FrameAnalysis
from tests.measure.test_desk_arch import picture, posed

FPS = 15.0
SIZE = (854, 480)


def desk_pose(upper_back: float = 0.0, low_back: float = 0.0, neck: float = 0.0) -> Pose:
    xy = picture(posed(upper_back, low_back, neck), size=SIZE)
    shoulders = (xy[L.LEFT_SHOULDER] + xy[L.RIGHT_SHOULDER]) / 2
    for left, right, drop in ((L.LEFT_HIP, L.RIGHT_HIP, 400.0), (L.LEFT_KNEE, L.RIGHT_KNEE, 500.0)):
        xy[left] = shoulders + np.array([60.0, drop])
        xy[right] = shoulders + np.array([-60.0, drop])
    for hand in (L.LEFT_WRIST, L.LEFT_PINKY, L.LEFT_INDEX, L.LEFT_THUMB):
        xy[hand] = xy[L.LEFT_EAR] + np.array([5.0, -10.0])
    for hand in (L.RIGHT_WRIST, L.RIGHT_PINKY, L.RIGHT_INDEX, L.RIGHT_THUMB):
        xy[hand] = xy[L.RIGHT_EAR] + np.array([-5.0, -10.0])
    for foot in (L.LEFT_ANKLE, L.LEFT_HEEL, L.LEFT_FOOT_INDEX):
        xy[foot] = xy[L.LEFT_KNEE] + np.array([0.0, 300.0])
    for foot in (L.RIGHT_ANKLE, L.RIGHT_HEEL, L.RIGHT_FOOT_INDEX):
        xy[foot] = xy[L.RIGHT_KNEE] + np.array([0.0, 300.0])
    visibility = np.ones(NUM_LANDMARKS)
    visibility[L.LEFT_HIP :] = 0.2
    return Pose(xy, np.zeros(NUM_LANDMARKS), np.zeros((NUM_LANDMARKS, 3)), visibility, SIZE)


def desk_profile() -> CalibrationProfile:
    still = [desk_pose()] * 30
    return profile_from_poses(still, [i / FPS for i in range(30)], framing=Framing.DESK)


def eased(target: tuple[float, float, float], seconds: float, back: bool = False) -> list[Pose]:
    n = round(seconds * FPS)
    steps = (1 - np.cos(np.pi * np.arange(n) / n)) / 2
    return [desk_pose(*(np.asarray(target) * (1 - s if back else s))) for s in steps]


def rep(target: tuple[float, float, float], hold_s: float = 1.5) -> list[Pose]:
    held = [desk_pose(*target)] * round(hold_s * FPS)
    return eased(target, 1.2) + held + eased(target, 1.2, back=True) + [desk_pose()] * 15


def run(analyzer: ArchAnalyzer, poses: list[Pose]) -> list[FrameAnalysis]:
    return [analyzer.update(pose, i / FPS) for i, pose in enumerate(poses)]


def test_a_desk_profile_is_measured_from_the_front() -> None:
    profile = desk_profile()
    assert view_problem(profile) is None
    analyzer = ArchAnalyzer(profile)
    summary = analyzer.calibration_summary()
    assert summary["calibrated"] and summary["framing"] == "desk"
    frames = run(analyzer, [desk_pose()] * 15 + rep((20, 4, 0)))
    [done] = analyzer.reps
    assert done.good and done.faults == ()
    assert done.peak_angle_deg == pytest.approx(24, abs=2)
    assert done.hold_s == pytest.approx(1.5, abs=0.3)
    # the low back is not seen from the front, so it is not judged
    assert all(f.signals["low_back_deg"] is None for f in frames)


def test_a_head_thrown_back_at_the_desk_is_flagged_and_a_good_arch_is_not() -> None:
    analyzer = ArchAnalyzer(desk_profile())
    run(analyzer, [desk_pose()] * 15 + rep((20, 4, 0)) + rep((8, 3, 25)) + rep((18, 4, 0)))
    assert [r.faults for r in analyzer.reps] == [(), ("head_back",), ()]


def test_throwing_only_the_head_back_at_the_desk_counts_no_arch() -> None:
    analyzer = ArchAnalyzer(desk_profile())
    frames = run(analyzer, [desk_pose()] * 15 + rep((0, 0, 25)))
    assert analyzer.reps == []
    assert max(f.angle_deg or 0.0 for f in frames) < 3.0
