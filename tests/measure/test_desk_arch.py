"""Desk arch measurement on a hand-made upper body seen through a pinhole camera 0.5-1 m in front.

The body (person frame: X = their left, Y = up, Z = the way they face, metres, hips at the origin) has
its face, ears and elbows as far in front of or behind the shoulders as the template's depth prior
says, so the geometry, not the prior, is under test. It arches like a spine: every point above the
pivot (the shoulders, head and elbows) turns backwards about the person's left-right axis, the pivot
a tenth of the trunk above the hips (a low-back bend) or 0.6 of it (an upper-back bend). The neck
bends about the point halfway between shoulders and ears, turning the face and ears with it and the
elbows (between the shoulders and the hands clasped behind the head) by half as much. The camera
stands in front of the person at their shoulders' height, looking straight at them.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from coach.measure.desk_arch import (
    DESK_CAMERA_HFOV_DEG,
    NECK_SHARE,
    TEMPLATE_LANDMARKS,
    build_desk_template,
    focal_px_of,
    read_desk_arch,
)
from coach.measure.rotation import PRIOR_DEPTH_SHOULDER_SPANS
from coach.pose.landmarks import NUM_LANDMARKS
from coach.pose.landmarks import PoseLandmark as L

SPAN_M = 0.36
TRUNK_M = 0.48
# (sideways, height) of each template landmark; its forward offset is the prior's.
SIDE_UP_M: dict[L, tuple[float, float]] = {
    L.NOSE: (0.0, 0.70),
    L.LEFT_EYE: (0.03, 0.73),
    L.RIGHT_EYE: (-0.03, 0.73),
    L.MOUTH_LEFT: (0.025, 0.66),
    L.MOUTH_RIGHT: (-0.025, 0.66),
    L.LEFT_EAR: (0.075, 0.71),
    L.RIGHT_EAR: (-0.075, 0.71),
    L.LEFT_SHOULDER: (SPAN_M / 2, TRUNK_M),
    L.RIGHT_SHOULDER: (-SPAN_M / 2, TRUNK_M),
    L.LEFT_ELBOW: (0.32, 0.62),
    L.RIGHT_ELBOW: (-0.32, 0.62),
}
LOW_BACK_PIVOT_M = 0.1 * TRUNK_M
UPPER_BACK_PIVOT_M = 0.6 * TRUNK_M


def body_m() -> dict[L, np.ndarray]:
    return {
        lm: np.array([x, y, -PRIOR_DEPTH_SHOULDER_SPANS[lm] * SPAN_M]) for lm, (x, y) in SIDE_UP_M.items()
    }


def turned_back(point: np.ndarray, pivot_y: float, pivot_z: float, degrees: float) -> np.ndarray:
    """The point turned about the left-right axis through (pivot_y, pivot_z), its top going backwards."""
    a = math.radians(degrees)
    y, z = point[1] - pivot_y, point[2] - pivot_z
    return np.array(
        [point[0], pivot_y + y * math.cos(a) + z * math.sin(a), pivot_z - y * math.sin(a) + z * math.cos(a)]
    )


def posed(upper_back: float = 0.0, low_back: float = 0.0, neck: float = 0.0) -> dict[L, np.ndarray]:
    body = body_m()
    ears = (body[L.LEFT_EAR] + body[L.RIGHT_EAR]) / 2
    neck_pivot = (body[L.LEFT_SHOULDER] + body[L.RIGHT_SHOULDER] + 2 * ears) / 4  # halfway up, and in depth
    for lm in body:
        body[lm] = turned_back(body[lm], neck_pivot[1], neck_pivot[2], neck * NECK_SHARE[lm])
        body[lm] = turned_back(body[lm], UPPER_BACK_PIVOT_M, 0.0, upper_back)
        body[lm] = turned_back(body[lm], LOW_BACK_PIVOT_M, 0.0, low_back)
    return body


def picture(
    body: dict[L, np.ndarray],
    *,
    distance_m: float = 0.7,
    size: tuple[int, int] = (854, 480),
    hfov_deg: float = DESK_CAMERA_HFOV_DEG,
    noise_px: float = 0.0,
    seed: int = 0,
) -> np.ndarray:
    """(33, 2) image landmarks of a pinhole camera `distance_m` in front of the shoulders, at their height."""
    focal = focal_px_of(size, hfov_deg)
    xy = np.zeros((NUM_LANDMARKS, 2))
    for lm, (x, y, z) in body.items():
        depth = distance_m - z
        xy[lm] = (size[0] / 2 + focal * x / depth, size[1] / 2 - focal * (y - TRUNK_M) / depth)
    if noise_px:
        xy[list(TEMPLATE_LANDMARKS)] += np.random.default_rng(seed).normal(
            0.0, noise_px, (len(TEMPLATE_LANDMARKS), 2)
        )
    return xy


def read(body: dict[L, np.ndarray], **camera: float) -> tuple[float, float]:
    size = camera.pop("size", (854, 480))
    neutral = picture(posed(), size=size, **camera)  # type: ignore[arg-type]
    reading = read_desk_arch(build_desk_template(neutral, size), picture(body, size=size, **camera))  # type: ignore[arg-type]
    return reading.arch_deg, reading.neck_deg


def test_neutral_reads_nothing() -> None:
    arch, neck = read(posed())
    assert abs(arch) < 0.05
    assert abs(neck) < 0.05


@pytest.mark.parametrize("distance_m", [0.5, 0.7, 1.0])
@pytest.mark.parametrize(("upper_back", "low_back"), [(5, 0), (10, 2), (20, 4), (28, 6), (4, 16)])
def test_an_arch_reads_its_angle_at_any_desk_distance(
    distance_m: float, upper_back: float, low_back: float
) -> None:
    arch, neck = read(posed(upper_back, low_back), distance_m=distance_m)
    assert arch == pytest.approx(upper_back + low_back, abs=0.5)
    assert abs(neck) < 0.5


def swayed(body: dict[L, np.ndarray], turn_deg: float, lean_deg: float) -> dict[L, np.ndarray]:
    """The body turned about the vertical through the shoulders, then leant sideways about the hips."""
    t, s = math.radians(turn_deg), math.radians(lean_deg)
    turn = np.array([[math.cos(t), 0, math.sin(t)], [0, 1, 0], [-math.sin(t), 0, math.cos(t)]])
    lean = np.array([[math.cos(s), -math.sin(s), 0], [math.sin(s), math.cos(s), 0], [0, 0, 1]])
    return {lm: lean @ (turn @ (p - [0, TRUNK_M, 0]) + [0, TRUNK_M, 0]) for lm, p in body.items()}


@pytest.mark.parametrize(("turn_deg", "lean_deg"), [(4, 0), (0, 4), (-3, 3)])
def test_a_sway_of_a_sitting_person_is_not_an_arch(turn_deg: float, lean_deg: float) -> None:
    arch, neck = read(swayed(posed(upper_back=12), turn_deg, lean_deg))
    assert arch == pytest.approx(12, abs=0.5)
    assert abs(neck) < 0.5


def test_the_low_back_and_the_upper_back_read_alike() -> None:
    """From the front the bend's place is not seen: the upper body turns by the sum either way."""
    upper, _ = read(posed(upper_back=15))
    low, _ = read(posed(low_back=15))
    assert upper == pytest.approx(low, abs=0.5)


def test_throwing_only_the_head_back_reads_as_the_neck_not_the_arch() -> None:
    arch, neck = read(posed(neck=25))
    assert abs(arch) < 1.0
    assert neck == pytest.approx(25, abs=1.0)


def test_a_head_led_arch_splits_into_its_arch_and_its_neck() -> None:
    arch, neck = read(posed(upper_back=8, low_back=3, neck=25))
    assert arch == pytest.approx(11, abs=1.0)
    assert neck == pytest.approx(25, abs=1.0)


@pytest.mark.parametrize("size", [(640, 360), (854, 480), (1280, 720)])
def test_the_picture_size_does_not_matter(size: tuple[int, int]) -> None:
    arch, neck = read(posed(upper_back=18, low_back=4, neck=5), size=size)
    assert arch == pytest.approx(22, abs=0.5)
    assert neck == pytest.approx(5, abs=0.5)


@pytest.mark.parametrize("hfov_deg", [60.0, 80.0])
def test_a_webcam_of_another_width_costs_a_tenth_of_the_arch_at_most(hfov_deg: float) -> None:
    """The focal length is assumed (`DESK_CAMERA_HFOV_DEG`); a laptop's webcam is 60-80 degrees wide."""
    arch, _ = read(posed(upper_back=20, low_back=4), hfov_deg=hfov_deg, distance_m=0.6)
    assert arch == pytest.approx(24, rel=0.1)


def test_landmark_jitter_of_a_pixel_moves_the_arch_by_a_few_degrees() -> None:
    """Jitter of 1 px on every landmark at 0.7 m: only the heights are read, about 1.3 px per degree of
    arch, so a frame's arch wanders by 3-4 degrees (the analyzer smooths it), without bias."""
    size = (854, 480)
    template = build_desk_template(picture(posed(), size=size), size)
    arches = [
        read_desk_arch(template, picture(posed(upper_back=20, low_back=4), noise_px=1.0, seed=seed)).arch_deg
        for seed in range(40)
    ]
    assert abs(float(np.mean(arches)) - 24) < 1.5
    assert float(np.std(arches)) < 4.0


def test_no_shoulder_span_is_refused() -> None:
    xy = picture(posed())
    xy[L.LEFT_SHOULDER] = xy[L.RIGHT_SHOULDER]
    with pytest.raises(ValueError, match="shoulder span"):
        build_desk_template(xy, (854, 480))
