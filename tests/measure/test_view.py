"""Camera azimuth from a neutral pose, and whether the view suits each stretch."""

from __future__ import annotations

import numpy as np
import pytest

from coach.measure.view import (
    ARCH,
    ROTATE,
    angle_difference_deg,
    circular_mean_deg,
    describe,
    estimate_view,
    estimate_view_of,
    foreshortening_azimuth_deg,
    normalize_deg,
    same_view,
    suits,
    verdict,
    view_side,
)
from coach.pose.framing import Framing
from coach.pose.landmarks import PoseLandmark as L
from tests.seated import mirrored, seated_pose


@pytest.mark.parametrize("azimuth", [0, 10, -10, 30, 45, -45, 60, 80, -80, 90, -90, 120, -150, 180])
def test_exact_geometry_gives_the_azimuth(azimuth: float) -> None:
    view = estimate_view_of(seated_pose(azimuth))
    assert angle_difference_deg(view.azimuth_deg, azimuth) < 0.5
    assert view.spread_deg < 0.5


@pytest.mark.parametrize("azimuth", [0, 25, 45, 70, 90, 135])
def test_mirrored_picture_negates_the_azimuth(azimuth: float) -> None:
    view = estimate_view_of(mirrored(seated_pose(azimuth)))
    assert angle_difference_deg(view.azimuth_deg, -azimuth) < 0.5


@pytest.mark.parametrize("px_per_m", [60.0, 250.0, 900.0])
def test_distance_does_not_change_the_azimuth(px_per_m: float) -> None:
    view = estimate_view_of(seated_pose(40, px_per_m=px_per_m, hip_centre_px=(320, 300)))
    assert view.azimuth_deg == pytest.approx(40, abs=0.5)


def test_opposite_depth_errors_average_out() -> None:
    """The model stretches image depth and flattens world depth at oblique views; the mean of the two
    readings is nearer the truth than either."""
    pose = seated_pose(45)
    image_stretched = pose.depth * 2.4
    world_flattened = pose.world * np.array([1.0, 1.0, 0.5])
    view = estimate_view(pose.xy, image_stretched, world_flattened)
    assert view.readings["image_depth"] > 60
    assert view.readings["world_depth"] < 30
    assert abs(view.azimuth_deg - 45) < abs(view.readings["world_depth"] - 45)
    assert abs(view.azimuth_deg - 45) < abs(view.readings["image_depth"] - 45)
    assert "foreshortening" not in view.readings  # no visibility given


def test_foreshortening_needs_a_seen_knee_and_seated_thighs() -> None:
    pose = seated_pose(60)
    assert foreshortening_azimuth_deg(pose.xy, pose.world) == pytest.approx(60, abs=0.5)
    hidden_knees = pose.visibility.copy()
    hidden_knees[[25, 26]] = 0.1
    view = estimate_view(pose.xy, pose.depth, pose.world, hidden_knees, pose.image_size)
    assert "foreshortening" not in view.readings
    assert "foreshortening" in estimate_view_of(pose).readings


@pytest.mark.parametrize("azimuth", [0, 20, -20])
def test_at_the_desk_only_the_world_landmarks_in_the_picture_count(azimuth: float) -> None:
    """A face at arm's length skews the model's image depth, and the hips are its guess below the
    picture: at the desk neither moves the estimate."""
    pose = seated_pose(azimuth)
    skewed_depth = pose.depth.copy()
    skewed_depth[[L.LEFT_EAR, L.LEFT_EYE, L.MOUTH_LEFT, L.LEFT_SHOULDER]] += 80.0
    guessed_hips = pose.world.copy()
    guessed_hips[L.LEFT_HIP, 2] += 0.3
    args = (pose.xy, skewed_depth, guessed_hips, pose.visibility, pose.image_size)
    desk = estimate_view(*args, framing=Framing.DESK)
    assert desk.azimuth_deg == pytest.approx(azimuth, abs=0.5)
    assert angle_difference_deg(estimate_view(*args).azimuth_deg, azimuth) > 10


@pytest.mark.parametrize(
    ("azimuth", "rotate_ok", "arch_ok"),
    [
        (0, True, False),
        (10, True, False),
        (-30, True, False),
        (45, True, True),
        (-45, True, True),
        (52, True, True),
        (38, True, True),
        (60, False, True),
        (80, False, True),
        (-90, False, True),
        (98, False, True),
        (120, False, False),
        (180, False, False),
    ],
)
def test_which_views_suit_which_stretch(azimuth: float, rotate_ok: bool, arch_ok: bool) -> None:
    assert suits(azimuth, ROTATE) is rotate_ok
    assert suits(azimuth, ARCH) is arch_ok
    for exercise, ok in ((ROTATE, rotate_ok), (ARCH, arch_ok)):
        result = verdict(azimuth, exercise)
        assert result.suits is ok
        assert (result.instruction is None) is ok


def test_instructions_say_where_to_put_the_camera() -> None:
    front = verdict(5, ARCH).instruction
    assert front is not None and front.startswith("Turn the camera to your side")
    assert "Sit and Arch" in front and "from the front" in front
    left = verdict(85, ROTATE).instruction
    assert left is not None and "in front of you" in left and "your left side" in left
    right = verdict(-85, ROTATE).instruction
    assert right is not None and "your right side" in right
    behind = verdict(170, ARCH).instruction
    assert behind is not None and "not behind you" in behind
    for sentence in (front, left, right, behind):
        assert sentence.count(". ") == 0 and sentence.endswith(".")


def test_unknown_exercise_is_an_error() -> None:
    with pytest.raises(ValueError, match="squat"):
        suits(0, "squat")


@pytest.mark.parametrize(
    ("azimuth", "side", "words"),
    [(0, "front", "from the front"), (50, "left", "from front-left"), (-80, "right", "from your right side")],
)
def test_sides_for_people(azimuth: float, side: str, words: str) -> None:
    assert view_side(azimuth) == side
    assert describe(azimuth) == words
    assert view_side(160) == "back"


def test_angle_helpers_wrap_around() -> None:
    assert normalize_deg(190) == pytest.approx(-170)
    assert normalize_deg(-180) == pytest.approx(180)
    assert angle_difference_deg(170, -170) == pytest.approx(20)
    mean, spread = circular_mean_deg(np.array([179.0, -179.0]))
    assert abs(mean) == pytest.approx(180) and spread < 2
    assert same_view(85, 70) and not same_view(85, 5) and not same_view(80, -80)
