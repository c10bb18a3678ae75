"""The starting position from body geometry: hands behind the head, shoulders square to the hips."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from coach.measure.posture import (
    MAX_UNSQUARE_DEG,
    WORLD_DEPTH_SCALE,
    hands_behind_head,
    is_square,
    seat_azimuth_deg,
    unsquare_deg,
    wrist_rise_trunks,
)
from coach.measure.rotation import PRIOR_DEPTH_SHOULDER_SPANS
from coach.pose.landmarks import PoseLandmark as L
from coach.pose.types import Pose
from tests.seated import SHOULDER_SPAN_M, body_points_m, seated_pose, turned_in_image

UPPER_BODY_FROM_M = 0.3  # points this high above the hips turn with the upper back


def adult_body() -> np.ndarray:
    """The seated body with the face and elbows as far in front of and behind the shoulders as an
    adult's (the depths the upper-body template assumes)."""
    points = body_points_m()
    for landmark, spans in PRIOR_DEPTH_SHOULDER_SPANS.items():
        points[landmark, 2] = -spans * SHOULDER_SPAN_M
    return points


def upper_body_turned(degrees: float) -> np.ndarray:
    """The adult body with everything above the low back turned about the vertical."""
    points = adult_body()
    a = math.radians(degrees)
    # Person frame: X = left, Z = forward; a turn to the left brings the right shoulder forward.
    turn = np.array([[math.cos(a), 0.0, -math.sin(a)], [0.0, 1.0, 0.0], [math.sin(a), 0.0, math.cos(a)]])
    upper = points[:, 1] >= UPPER_BODY_FROM_M
    points[upper] = points[upper] @ turn.T
    return points


def with_wrists_at(pose_body: np.ndarray, height_m: float, forward_m: float) -> np.ndarray:
    body = pose_body.copy()
    body[L.LEFT_WRIST] = (0.1, height_m, forward_m)
    body[L.RIGHT_WRIST] = (-0.1, height_m, forward_m)
    return body


def as_the_model_sees(pose: Pose) -> Pose:
    """The pose with its world depth shallower than the body's, as the model reports it."""
    world = pose.world.copy()
    world[:, 2] /= WORLD_DEPTH_SCALE
    return dataclasses.replace(pose, world=world)


def square(pose: Pose) -> bool:
    pose = as_the_model_sees(pose)
    return is_square(pose.xy, pose.world, pose.visibility, pose.image_size)


@pytest.mark.parametrize("azimuth", [0.0, 30.0, -45.0, 90.0, -90.0])
def test_hands_behind_the_head_are_seen_from_any_side(azimuth: float) -> None:
    pose = seated_pose(azimuth)
    assert hands_behind_head(pose.xy, pose.visibility)
    assert min(wrist_rise_trunks(pose.xy)) > 0.3  # at ear height, well above the shoulder line


@pytest.mark.parametrize(
    ("where", "height_m", "forward_m"),
    [("on the knees", 0.05, 0.4), ("crossed on the chest", 0.35, 0.12), ("in the lap", 0.05, 0.2)],
)
def test_hands_elsewhere_are_not_the_starting_position(where: str, height_m: float, forward_m: float) -> None:
    for azimuth in (0.0, 45.0, 90.0):
        body = with_wrists_at(body_points_m(), height_m, forward_m)
        pose = seated_pose(azimuth, body=body)
        assert not hands_behind_head(pose.xy, pose.visibility), where


def test_one_arm_hanging_down_is_not_the_starting_position() -> None:
    body = body_points_m()
    body[L.LEFT_WRIST] = (0.25, 0.1, 0.0)
    pose = seated_pose(0.0, body=body)
    assert not hands_behind_head(pose.xy, pose.visibility)


def test_a_wrist_the_model_does_not_see_is_not_judged() -> None:
    # Hidden behind the head (or the turned body), the model's guess can land below the shoulders.
    body = body_points_m()
    body[L.LEFT_WRIST] = (0.1, 0.2, 0.1)
    pose = seated_pose(0.0, body=body)
    pose.visibility[L.LEFT_WRIST] = 0.3
    assert hands_behind_head(pose.xy, pose.visibility)
    pose.visibility[L.LEFT_WRIST] = 0.95
    assert not hands_behind_head(pose.xy, pose.visibility)


def test_the_wrists_are_read_along_the_trunk_not_the_picture() -> None:
    # A camera lying on its side: the hands are still above the shoulders along the body.
    lying = turned_in_image(seated_pose(0.0), 80.0)
    assert hands_behind_head(lying.xy, lying.visibility)


@pytest.mark.parametrize("azimuth", [0.0, 15.0, -20.0, 30.0, 45.0, -55.0])
def test_a_neutral_seen_from_the_front_quarter_is_square(azimuth: float) -> None:
    pose = as_the_model_sees(seated_pose(azimuth, body=adult_body()))
    assert seat_azimuth_deg(pose.xy, pose.world, pose.visibility, pose.image_size) == pytest.approx(azimuth)
    off = unsquare_deg(pose.xy, pose.world, pose.visibility, pose.image_size)
    assert off is not None and off < MAX_UNSQUARE_DEG / 2
    assert square(pose)


@pytest.mark.parametrize(
    ("azimuth", "turn"),
    [(0.0, 35.0), (0.0, -35.0), (20.0, 40.0), (-20.0, -30.0), (45.0, 35.0), (45.0, -35.0)],
)
def test_a_held_turn_is_not_square(azimuth: float, turn: float) -> None:
    assert not square(seated_pose(azimuth, body=upper_body_turned(turn)))


def test_a_small_sway_of_the_shoulders_is_still_square() -> None:
    assert square(seated_pose(0.0, body=upper_body_turned(6.0)))


def test_squareness_is_not_judged_where_the_view_cannot_tell() -> None:
    # Far round to the side the two readings disagree at a neutral too: the check is not made.
    turned = seated_pose(75.0, body=upper_body_turned(35.0))
    assert unsquare_deg(turned.xy, turned.world, turned.visibility, turned.image_size) is None
    assert square(turned)
    unseen_knees = seated_pose(0.0, body=upper_body_turned(35.0))
    unseen_knees.visibility[[L.LEFT_KNEE, L.RIGHT_KNEE]] = 0.1
    assert square(unseen_knees)
