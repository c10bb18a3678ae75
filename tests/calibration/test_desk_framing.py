"""Desk framing (issue 19): a laptop webcam's head-and-shoulders picture is recognised, not refused.

Hand-made poses with exactly known geometry (`tests.seated`); the real model on rendered desk clips is
in `tests/app/test_desk.py`.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from coach.calibration.calibrator import (
    HANDS_NOT_UP,
    NOT_FACING_CAMERA,
    CalibrationRules,
    check_frame,
    picture_framing,
    starting_position_problem,
)
from coach.calibration.profile import CalibrationProfile, profile_from_poses
from coach.measure.posture import elbows_up
from coach.pose.framing import Framing, body_scale_px, framing_of, trunk_up_unit
from coach.pose.landmarks import PoseLandmark as L
from coach.pose.plausibility import implausible_reason
from coach.pose.types import Pose
from tests.seated import body_points_m, seated_pose, turned_in_image

RULES = CalibrationRules()
DESK_SIZE = (854, 480)
BRIGHT = 120.0


def desk_pose(
    body: np.ndarray | None = None, *, hip_visibility: float = 0.3, azimuth_deg: float = 0.0
) -> Pose:
    """The seated body 0.85 m from a laptop webcam: head, shoulders and elbows in the 854x480 picture,
    the hips about 0.4 m below it, guessed by the model with low visibility."""
    visibility = np.ones(33)
    visibility[[L.LEFT_HIP, L.RIGHT_HIP, L.LEFT_KNEE, L.RIGHT_KNEE]] = hip_visibility
    return seated_pose(
        azimuth_deg,
        px_per_m=600.0,
        hip_centre_px=(427.0, 700.0),
        image_size=DESK_SIZE,
        body=body,
        visibility=visibility,
    )


def arms_down() -> np.ndarray:
    """Hands on the desk: the elbows low beside the trunk, the wrists in front of it."""
    body = body_points_m()
    body[L.LEFT_ELBOW] = (0.22, 0.22, 0.05)
    body[L.RIGHT_ELBOW] = (-0.22, 0.22, 0.05)
    body[L.LEFT_WRIST] = (0.12, 0.25, 0.3)
    body[L.RIGHT_WRIST] = (-0.12, 0.25, 0.3)
    return body


def test_a_head_and_shoulders_picture_is_the_desk_framing_and_passes() -> None:
    pose = desk_pose()
    assert framing_of(pose.xy, pose.visibility, pose.image_size) is Framing.DESK
    assert picture_framing(pose, RULES) is Framing.DESK
    assert implausible_reason(pose) is None
    assert check_frame((pose,), BRIGHT, RULES).problem is None


def test_the_whole_seated_body_is_the_full_framing() -> None:
    pose = seated_pose(0)
    assert picture_framing(pose, RULES) is Framing.FULL
    # Hips inside the picture but unseen (a desk in front of them) are as good as below it.
    hidden = dataclasses.replace(pose, visibility=desk_pose().visibility)
    assert picture_framing(hidden, RULES) is Framing.DESK


def test_desk_scale_and_axis_come_from_the_shoulders() -> None:
    pose = desk_pose()
    span = float(np.linalg.norm(pose.xy[L.LEFT_SHOULDER] - pose.xy[L.RIGHT_SHOULDER]))
    assert body_scale_px(pose.xy, Framing.DESK) == pytest.approx(1.45 * span)
    assert trunk_up_unit(pose.xy, Framing.DESK) == pytest.approx([0.0, -1.0])
    rolled = turned_in_image(pose, 20)
    up = trunk_up_unit(rolled.xy, Framing.DESK)
    assert np.degrees(np.arctan2(up[0], -up[1])) == pytest.approx(20.0, abs=0.01)


def test_arms_down_at_the_desk_asks_for_the_hands_not_a_camera_move() -> None:
    pose = desk_pose(arms_down())
    assert not elbows_up(pose.xy, pose.visibility)
    problem = check_frame((pose,), BRIGHT, RULES).problem
    assert problem in (HANDS_NOT_UP, None)  # elbows below the picture, or in it and low
    assert starting_position_problem([pose] * 5, Framing.DESK) == HANDS_NOT_UP


def test_elbows_up_holds_under_a_rolled_camera() -> None:
    pose = desk_pose()
    assert elbows_up(pose.xy, pose.visibility)
    assert elbows_up(turned_in_image(pose, 25).xy, pose.visibility)


def test_a_held_turn_at_the_desk_is_not_a_neutral() -> None:
    body = body_points_m()
    turn = np.radians(35.0)
    rotation = np.array([[np.cos(turn), 0, np.sin(turn)], [0, 1, 0], [-np.sin(turn), 0, np.cos(turn)]])
    upper = [i for i in range(33) if body[i, 1] > 0.3]
    body[upper] = body[upper] @ rotation.T
    assert starting_position_problem([desk_pose(body)] * 5, Framing.DESK) == NOT_FACING_CAMERA
    assert starting_position_problem([desk_pose()] * 5, Framing.DESK) is None


def test_a_picture_that_cuts_the_shoulders_is_still_refused() -> None:
    too_close = seated_pose(
        0,
        px_per_m=1400.0,
        hip_centre_px=(427.0, 1100.0),
        image_size=DESK_SIZE,
        visibility=desk_pose().visibility,
    )
    problem = check_frame((too_close,), BRIGHT, RULES).problem
    assert problem is not None and problem.code in {"cut_off", "nobody"}


def test_the_profile_keeps_its_framing() -> None:
    pose = desk_pose()
    profile = profile_from_poses([pose, pose], [0.0, 1.0], framing=Framing.DESK)
    again = CalibrationProfile.from_dict(profile.to_dict())
    assert again.framing is Framing.DESK and again == profile
    old = profile.to_dict()
    del old["framing"]  # a profile saved before desk mode
    assert CalibrationProfile.from_dict(old).framing is Framing.FULL
    with pytest.raises(ValueError):
        CalibrationProfile.from_dict(profile.to_dict() | {"framing": "kitchen"})
