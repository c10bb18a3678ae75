"""Desk arch measurement on a hand-made upper body seen through a pinhole camera 0.5-1 m in front.

The body (person frame: X = their left, Y = up, Z = the way they face, metres, hips at the origin) has
its face, ears and elbows as far in front of or behind the shoulders as the template's depth prior
says, so the geometry, not the prior, is under test. It arches like a spine: every point above the
pivot (the shoulders, head and elbows) turns backwards about the person's left-right axis, the pivot
a tenth of the trunk above the hips (a low-back bend) or where the template assumes an arch turns
(`ARCH_PIVOT_SPANS`, an upper-back bend). The neck
bends about the point halfway between shoulders and ears, turning the face and ears with it and the
elbows (between the shoulders and the hands clasped behind the head) by half as much. The camera
stands in front of the person at their shoulders' height, looking straight at them.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from coach.measure.desk_arch import (
    ARCH_PIVOT_SPANS,
    DESK_CAMERA_HFOV_DEG,
    desk_neutral,
    focal_px_of,
    head_per_arch_of,
    head_pitch_deg,
    nose_per_arch_of,
    nose_pitch_deg,
    read_desk_arch,
    split_desk_cues,
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
LOW_BACK_PIVOT_M = (0.1 * TRUNK_M, 0.0)  # (height, forward)
UPPER_BACK_PIVOT_M = (TRUNK_M - ARCH_PIVOT_SPANS[0] * SPAN_M, -ARCH_PIVOT_SPANS[1] * SPAN_M)


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


# How much of the neck's bend each landmark turns with: the head all of it, the shoulders none, the
# elbows (between the shoulders and the hands clasped behind the head) half.
NECK_SHARE = {
    **dict.fromkeys(SIDE_UP_M, 1.0),
    **dict.fromkeys((L.LEFT_SHOULDER, L.RIGHT_SHOULDER), 0.0),
    **dict.fromkeys((L.LEFT_ELBOW, L.RIGHT_ELBOW), 0.5),
}


def posed(upper_back: float = 0.0, low_back: float = 0.0, neck: float = 0.0) -> dict[L, np.ndarray]:
    body = body_m()
    ears = (body[L.LEFT_EAR] + body[L.RIGHT_EAR]) / 2
    neck_pivot = (body[L.LEFT_SHOULDER] + body[L.RIGHT_SHOULDER] + 2 * ears) / 4  # halfway up, and in depth
    for lm in body:
        body[lm] = turned_back(body[lm], neck_pivot[1], neck_pivot[2], neck * NECK_SHARE[lm])
        body[lm] = turned_back(body[lm], *UPPER_BACK_PIVOT_M, upper_back)
        body[lm] = turned_back(body[lm], *LOW_BACK_PIVOT_M, low_back)
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
        xy += np.random.default_rng(seed).normal(0.0, noise_px, xy.shape)
    return xy


def world(body: dict[L, np.ndarray]) -> np.ndarray:
    """(33, 3) world landmarks as the pose model gives them: metres, x image right, y down, z away from
    the camera (the person faces it, so their left is image right)."""
    points = np.zeros((NUM_LANDMARKS, 3))
    for lm, (x, y, z) in body.items():
        points[lm] = (x, -y, -z)
    return points


def read(body: dict[L, np.ndarray], **camera: float) -> tuple[float, float]:
    size = camera.pop("size", (854, 480))
    neutral_body = posed()
    neutral = desk_neutral(picture(neutral_body, size=size, **camera), world(neutral_body), size)  # type: ignore[arg-type]
    reading = read_desk_arch(neutral, picture(body, size=size, **camera), world(body))  # type: ignore[arg-type]
    return reading.arch_deg, reading.neck_deg


def test_neutral_reads_nothing() -> None:
    arch, neck = read(posed())
    assert abs(arch) < 0.05
    assert abs(neck) < 0.05


@pytest.mark.parametrize("distance_m", [0.5, 0.7, 1.0])
@pytest.mark.parametrize("upper_back", [5, 10, 20, 28])
def test_an_upper_back_arch_reads_its_angle_at_any_desk_distance(
    distance_m: float, upper_back: float
) -> None:
    arch, neck = read(posed(upper_back), distance_m=distance_m)
    assert arch == pytest.approx(upper_back, abs=0.3)
    assert neck < 0.01


@pytest.mark.parametrize(("upper_back", "low_back"), [(10, 2), (20, 4), (28, 6)])
def test_a_fifth_of_the_arch_from_the_low_back_reads_a_little_high(
    upper_back: float, low_back: float
) -> None:
    """The low back bends far below the pivot the template assumes and carries the elbows further down:
    a good arch (mostly the upper back's) reads up to a tenth high."""
    arch, _ = read(posed(upper_back, low_back))
    assert upper_back + low_back < arch < 1.1 * (upper_back + low_back)


def test_a_low_back_arch_reads_high() -> None:
    """From the front the bend's place is not seen: 16 degrees of low back and 4 of upper back read as
    about 27. (The low-back fault is not judged at the desk, and the report says so.)"""
    arch, _ = read(posed(upper_back=4, low_back=16))
    assert 24 < arch < 30


def swayed(body: dict[L, np.ndarray], turn_deg: float, lean_deg: float) -> dict[L, np.ndarray]:
    """The body turned about the vertical through the shoulders, then leant sideways about the hips."""
    t, s = math.radians(turn_deg), math.radians(lean_deg)
    turn = np.array([[math.cos(t), 0, math.sin(t)], [0, 1, 0], [-math.sin(t), 0, math.cos(t)]])
    lean = np.array([[math.cos(s), -math.sin(s), 0], [math.sin(s), math.cos(s), 0], [0, 0, 1]])
    return {lm: lean @ (turn @ (p - [0, TRUNK_M, 0]) + [0, TRUNK_M, 0]) for lm, p in body.items()}


@pytest.mark.parametrize(("turn_deg", "lean_deg"), [(4, 0), (0, 4), (-3, 3)])
def test_a_sway_of_a_sitting_person_is_not_an_arch(turn_deg: float, lean_deg: float) -> None:
    arch, neck = read(swayed(posed(upper_back=12), turn_deg, lean_deg))
    assert arch == pytest.approx(12, abs=0.6)
    assert neck < 0.2


def test_throwing_only_the_head_back_reads_as_the_neck_not_the_arch() -> None:
    arch, neck = read(posed(neck=25))
    assert arch < 1.0
    assert neck == pytest.approx(25, abs=1.0)


def test_a_head_led_arch_splits_into_its_arch_and_its_neck() -> None:
    arch, neck = read(posed(upper_back=11, neck=25))
    assert arch == pytest.approx(11, abs=1.0)
    assert neck == pytest.approx(25, abs=1.0)


def test_a_head_carried_back_less_than_the_elbows_say_reads_no_neck() -> None:
    """The model's 3D head under-reads a head the arch carries back: that is no neck bend, never a
    negative one that would add to the arch."""
    body = posed(upper_back=20, low_back=4)
    size = (854, 480)
    neutral_body = posed()
    neutral = desk_neutral(picture(neutral_body, size=size), world(neutral_body), size)
    half_turned_head = world(posed(upper_back=10, low_back=2))
    reading = read_desk_arch(neutral, picture(body, size=size), half_turned_head)
    assert reading.neck_deg == 0.0
    assert reading.arch_deg == pytest.approx(reading.elbows_deg)


def test_a_slump_reads_as_no_arch() -> None:
    arch, neck = read(posed(upper_back=-10))
    assert arch == 0.0
    assert neck == 0.0


@pytest.mark.parametrize("distance_m", [0.5, 0.7, 1.0])
def test_sitting_forward_of_a_neutral_taken_in_an_arch_reads_as_the_arch_the_other_way(
    distance_m: float,
) -> None:
    """Calibrated in a 20-degree arch, sitting upright again raises the elbows about as a 20-degree
    turn forward would: the elbows read -15 to -20 (the turn is modelled about the arched neutral's
    pivot), well past the smallest rep (`coach.pipeline.wrong_way`); the arch reads none."""
    arched, upright = posed(upper_back=20), posed()
    neutral = desk_neutral(picture(arched, distance_m=distance_m), world(arched), (854, 480))
    reading = read_desk_arch(neutral, picture(upright, distance_m=distance_m), world(upright))
    assert -21.0 < reading.elbows_deg < -15.0
    assert reading.arch_deg == 0.0 and reading.neck_deg == 0.0


@pytest.mark.parametrize("size", [(640, 360), (854, 480), (1280, 720)])
def test_the_picture_size_does_not_matter(size: tuple[int, int]) -> None:
    arches = [read(posed(upper_back=18, low_back=4, neck=5), size=size) for size in ((854, 480), size)]
    assert arches[1] == pytest.approx(arches[0], abs=0.05)


@pytest.mark.parametrize("hfov_deg", [60.0, 80.0])
@pytest.mark.parametrize("distance_m", [0.5, 1.0])
def test_a_webcam_of_another_width_costs_a_few_percent_of_the_arch(
    hfov_deg: float, distance_m: float
) -> None:
    """The focal length is assumed (`DESK_CAMERA_HFOV_DEG`); a laptop's webcam is 60-80 degrees wide."""
    arch, _ = read(posed(upper_back=24), hfov_deg=hfov_deg, distance_m=distance_m)
    assert arch == pytest.approx(24, rel=0.04)


def test_landmark_jitter_of_a_pixel_moves_the_arch_by_about_a_degree() -> None:
    """Jitter of 1 px on every landmark at 0.7 m: the elbows fall about 1.7 px per degree of arch, and
    two of them are read, so a frame's arch wanders by about half a degree, without bias."""
    size = (854, 480)
    neutral_body, body = posed(), posed(upper_back=20, low_back=4)
    neutral = desk_neutral(picture(neutral_body, size=size), world(neutral_body), size)
    arches = [
        read_desk_arch(neutral, picture(body, noise_px=1.0, seed=seed), world(body)).arch_deg
        for seed in range(40)
    ]
    exact = read_desk_arch(neutral, picture(body), world(body)).arch_deg
    assert abs(float(np.mean(arches)) - exact) < 0.3
    assert float(np.std(arches)) < 1.0


def test_the_head_pitch_is_the_faces_angle_above_the_ears() -> None:
    body = posed()
    level = head_pitch_deg(world(body))
    assert head_pitch_deg(world(posed(neck=20))) - level == pytest.approx(20, abs=0.01)
    assert head_pitch_deg(world(posed(upper_back=20))) - level == pytest.approx(20, abs=0.01)


def test_no_shoulder_span_is_refused() -> None:
    xy = picture(posed())
    xy[L.LEFT_SHOULDER] = xy[L.RIGHT_SHOULDER]
    with pytest.raises(ValueError, match="shoulder span"):
        desk_neutral(xy, world(posed()), (854, 480))


def test_the_person_s_own_head_pitch_per_degree_of_arch_is_learnt_from_their_good_holds() -> None:
    assert head_per_arch_of([]) == 1.0
    assert head_per_arch_of([(27.5, 10.6), (29.4, 11.0)]) == pytest.approx(10.6 / 27.5)
    assert head_per_arch_of([(20.0, 30.0)]) == 1.0  # the head rides on the upper body: at most 1
    assert head_per_arch_of([(0.0, 5.0), (20.0, -2.0)]) == 1.0


def test_a_head_thrown_back_is_judged_against_the_person_s_own_head_pitch() -> None:
    """A body whose model head turns by only half of an arch the whole upper body makes (`desk_arch_sway`:
    0.37-0.55): its head-led rep (11 + 25 of neck) turns the model's head by 5.5 + 25. Read as if the
    head rode on the arch in full, part of the neck reads as arch; against the person's own half it
    splits into its arch and its neck, and a good arch still reads no neck."""
    size = (854, 480)
    neutral_body = posed()
    neutral = desk_neutral(picture(neutral_body, size=size), world(neutral_body), size)
    head_led = read_desk_arch(neutral, picture(posed(11, 0, 25), size=size), world(posed(5.5, 0, 25)), 0.5)
    assert head_led.arch_deg == pytest.approx(11, abs=1.0)
    assert head_led.neck_deg == pytest.approx(25, abs=1.0)
    as_if_whole = read_desk_arch(neutral, picture(posed(11, 0, 25), size=size), world(posed(5.5, 0, 25)))
    assert as_if_whole.neck_deg < 25 - 5 and as_if_whole.arch_deg > 11 + 2
    good = read_desk_arch(neutral, picture(posed(22), size=size), world(posed(10)), 0.5)
    assert good.neck_deg == 0.0
    assert good.arch_deg == pytest.approx(22, abs=0.5)


def test_the_nose_rises_with_the_neck_and_not_with_the_arch() -> None:
    """A neck bending back lifts the nose, which lies in front of the neck's pivot; an arch carries the
    head away from a webcam at shoulder height, and the nose, above the lens's axis, drops in the
    picture. How far either goes depends on the camera's height and the body, so the nose is read
    against the person's own arches (`nose_per_arch_of`)."""
    size = (854, 480)
    neutral = desk_neutral(picture(posed(), size=size), world(posed()), size)
    assert nose_pitch_deg(neutral, picture(posed(), size=size)) == pytest.approx(0.0, abs=1e-6)
    assert nose_pitch_deg(neutral, picture(posed(neck=25), size=size)) > 5.0
    assert nose_pitch_deg(neutral, picture(posed(upper_back=25), size=size)) < -10.0


def test_with_the_person_s_own_nose_figure_a_head_the_model_does_not_turn_is_still_judged() -> None:
    """On some bodies the model's 3D head hardly follows a head thrown back (`desk_arch_stiff_head`: a
    pitch of 13.6 for 10 + 24 of neck, 12-15 in good holds). The nose still rises with the neck. Once a
    good hold has taught the person's own nose pitch per degree of arch, the head-led rep shows its
    neck; before, the 3D head alone splits, and shows none."""
    size = (854, 480)
    neutral = desk_neutral(picture(posed(), size=size), world(posed()), size)
    good = read_desk_arch(neutral, picture(posed(22), size=size), world(posed(22)))
    figure = nose_per_arch_of([(good.elbows_deg, good.nose_deg)])
    assert figure is not None
    head_led, stiff_head = picture(posed(10, 0, 24), size=size), world(posed(10))
    unknown = read_desk_arch(neutral, head_led, stiff_head)
    assert unknown.neck_deg == 0.0
    known = read_desk_arch(neutral, head_led, stiff_head, 1.0, figure)
    assert known.neck_deg >= 8.0  # `HEAD_BACK_DEG`, and more than 0.6 of its arch: flagged
    assert known.neck_deg >= 0.6 * known.arch_deg
    assert known.arch_deg < unknown.arch_deg - 3.0  # the neck's share of the elbows' fall is not arch
    again = read_desk_arch(neutral, picture(posed(22), size=size), world(posed(22)), 1.0, figure)
    assert again.neck_deg == 0.0
    assert again.arch_deg == pytest.approx(22, abs=0.5)


def test_a_hold_s_cues_split_as_a_frame_s_do() -> None:
    """`split_desk_cues` (a hold's medians, judged again later) splits as `read_desk_arch` splits a frame."""
    size = (854, 480)
    neutral = desk_neutral(picture(posed(), size=size), world(posed()), size)
    for body in (posed(22), posed(10, 0, 24), posed(5, 15)):
        for figures in ((1.0, None), (0.5, 0.2), (0.9, 0.6)):
            frame = read_desk_arch(neutral, picture(body, size=size), world(posed(10)), *figures)
            arch, neck = split_desk_cues(neutral, frame.elbows_deg, frame.head_deg, frame.nose_deg, *figures)
            assert arch == pytest.approx(frame.arch_deg, abs=0.05)
            assert neck == pytest.approx(frame.neck_deg, abs=0.05)


def test_the_person_s_own_nose_pitch_per_degree_of_arch_is_the_most_of_their_good_holds() -> None:
    assert nose_per_arch_of([]) is None
    assert nose_per_arch_of([(24.0, 2.0), (20.0, 3.0)]) == pytest.approx(3.0 / 20.0)
    assert nose_per_arch_of([(24.0, -2.0)]) == pytest.approx(-2.0 / 24.0)  # a nose that dropped
    assert nose_per_arch_of([(0.0, 3.0)]) is None
