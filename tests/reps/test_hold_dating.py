"""Dating a hold by fitting the whole movement: hand-built signals whose hold is known exactly."""

from __future__ import annotations

import numpy as np
import pytest

from coach.reps.hold_dating import MAX_SHIFT_S, date_hold, ease, fit_ramp, hold_noise, sway_free_points

# A rep like the article's: out in 1.3 s, hold 2.2 s, back in 1.2 s, with still time either side.
OUT_S, HOLD_START_S, HOLD_END_S, BACK_S = 1.0, 2.3, 4.5, 5.7
DURATION_S = 6.5


def movement(t_s: np.ndarray, peak: float = 1.0) -> np.ndarray:
    """0 -> peak -> 0 with cosine-eased ramps (the rendered ground truth's easing)."""
    going = ease((t_s - OUT_S) / (HOLD_START_S - OUT_S))
    coming = ease((t_s - HOLD_END_S) / (BACK_S - HOLD_END_S))
    return peak * (going - coming)


def times(fps: float) -> np.ndarray:
    return np.arange(0.0, DURATION_S, 1.0 / fps)


def body_points(t_s: np.ndarray, rng: np.random.Generator, noise_px: float = 0.0) -> np.ndarray:
    """(N, 3, 2): a nose and a shoulder that move with the turn, a hip that stays put, in pixels."""
    progress = movement(t_s)
    nose = np.column_stack([320 - 40 * progress, 120 + 3 * progress])
    shoulder = np.column_stack([380 - 25 * progress, 180 + 0 * progress])
    hip = np.column_stack([340 + 0 * progress, 330 + 0 * progress])
    points = np.stack([nose, shoulder, hip], axis=1)
    return points + rng.normal(0.0, noise_px, points.shape) if noise_px else points


@pytest.mark.parametrize("fps", [10.0, 15.0, 30.0, 60.0])
def test_a_clean_movement_is_dated_exactly_at_any_frame_rate(fps: float) -> None:
    t = times(fps)
    # The tracker's own reading is late by a few frames, as a speed threshold is.
    start, end = date_hold(t, movement(t, 35.0), None, HOLD_START_S + 0.2, HOLD_END_S + 0.15)
    assert start == pytest.approx(HOLD_START_S, abs=0.01)
    assert end == pytest.approx(HOLD_END_S, abs=0.01)


def test_dropping_frames_from_noisy_readings_moves_the_hold_by_less_than_a_frame() -> None:
    # The same noisy readings at 15 fps, and at 10 fps (every third frame dropped, each frame shown
    # at its new moment as a resampled clip would): the hold moves by well under the 10 fps frame.
    rng = np.random.default_rng(7)
    t15 = times(15.0)
    angle = movement(t15, 35.0) + rng.normal(0.0, 1.0, t15.size)
    points = body_points(t15, rng, noise_px=1.0)
    keep = np.array([int(k * 1.5) for k in range(int(t15.size / 1.5))])
    t10 = np.arange(keep.size) / 10.0
    at15 = date_hold(t15, angle, points, HOLD_START_S + 0.2, HOLD_END_S + 0.15)
    at10 = date_hold(t10, angle[keep], points[keep], HOLD_START_S + 0.2, HOLD_END_S + 0.15)
    length15, length10 = at15[1] - at15[0], at10[1] - at10[0]
    assert abs(length10 - length15) < 0.05
    assert length15 == pytest.approx(HOLD_END_S - HOLD_START_S, abs=0.1)


def test_a_one_frame_jolt_of_the_reading_does_not_move_the_hold() -> None:
    t = times(15.0)
    angle = movement(t, 35.0)
    jolted = angle.copy()
    jolted[np.searchsorted(t, HOLD_START_S - 0.2)] -= 8.0  # the model's reading jumps for a frame
    clean = date_hold(t, angle, None, HOLD_START_S + 0.2, HOLD_END_S)
    with_jolt = date_hold(t, jolted, None, HOLD_START_S + 0.2, HOLD_END_S)
    assert with_jolt == pytest.approx(clean, abs=0.02)


def test_a_landmark_the_model_throws_about_weighs_little() -> None:
    rng = np.random.default_rng(3)
    t = times(15.0)
    points = body_points(t, rng, noise_px=0.5)
    thrown = points.copy()
    thrown[:, 1] += rng.normal(0.0, 40.0, (t.size, 2)) * (rng.random((t.size, 1)) < 0.3)
    start, end = date_hold(t, movement(t, 35.0), thrown, HOLD_START_S, HOLD_END_S)
    assert (start, end) == pytest.approx((HOLD_START_S, HOLD_END_S), abs=0.05)


def test_units_do_not_matter() -> None:
    # Degrees or radians, pixels or metres: each signal is weighed by its own noise.
    rng = np.random.default_rng(11)
    t = times(15.0)
    angle = movement(t, 35.0) + rng.normal(0.0, 0.8, t.size)
    points = body_points(t, rng, noise_px=1.0)
    as_is = date_hold(t, angle, points, HOLD_START_S, HOLD_END_S)
    rescaled = date_hold(t, np.radians(angle), points / 400.0 + 7.0, HOLD_START_S, HOLD_END_S)
    assert rescaled == pytest.approx(as_is, abs=1e-6)


def test_frames_without_a_reading_are_left_out() -> None:
    t = times(15.0)
    angle = movement(t, 35.0)
    angle[10:14] = np.nan
    assert date_hold(t, angle, None, HOLD_START_S, HOLD_END_S) == pytest.approx(
        (HOLD_START_S, HOLD_END_S), abs=0.01
    )


def test_too_few_frames_keep_the_trackers_reading() -> None:
    t = np.array([2.0, 2.1, 4.0])
    assert date_hold(t, np.array([30.0, 35.0, 35.0]), None, 2.1, 4.0) == (2.1, 4.0)
    assert fit_ramp(t, np.ones((3, 1))) is None


def test_a_fit_far_from_the_trackers_reading_is_not_trusted() -> None:
    # A reading that never settles (a person wriggling) fits no movement-hold-movement: whatever the
    # fit makes of it, the reported hold stays within MAX_SHIFT_S of the tracker's own reading.
    rng = np.random.default_rng(5)
    t = times(15.0)
    wriggle = 30.0 + 8.0 * np.sin(2 * np.pi * 0.7 * t) + rng.normal(0.0, 1.0, t.size)
    start, end = date_hold(t, wriggle, None, 3.0, 3.6)
    assert abs(start - 3.0) <= MAX_SHIFT_S and abs(end - 3.6) <= MAX_SHIFT_S
    assert start <= 3.3 <= end


def swaying_body(t_s: np.ndarray, amplitude_deg: float, phase: float) -> tuple[np.ndarray, np.ndarray]:
    """(N, 7, 2) points of a turn seen from the front while the upper body sways sideways about the
    hips (a breath's pace, 0.25 Hz): a nose, two ears and two shoulders that turn and sway, two hips
    that do neither; and the sway's angle (N,), degrees."""
    progress = movement(t_s)
    upper = np.stack(
        [
            np.column_stack([320 - 40 * progress, 120 + 0 * progress]),
            np.column_stack([300 - 30 * progress, 115 + 0 * progress]),
            np.column_stack([340 - 30 * progress, 115 + 0 * progress]),
            np.column_stack([290 + 10 * progress, 180 + 0 * progress]),
            np.column_stack([390 - 10 * progress, 180 + 0 * progress]),
        ],
        axis=1,
    )
    sway = np.radians(amplitude_deg * np.sin(2 * np.pi * 0.25 * t_s + phase))
    hips = np.array([340.0, 330.0])
    cos, sin = np.cos(sway)[:, None], np.sin(sway)[:, None]
    x, y = (upper - hips)[..., 0], (upper - hips)[..., 1]
    swayed = np.stack([x * cos - y * sin, x * sin + y * cos], axis=-1) + hips
    lower = np.broadcast_to(np.array([[310.0, 330.0], [370.0, 330.0]]), (t_s.size, 2, 2))
    points = np.concatenate([swayed, lower], axis=1)
    return points + np.random.default_rng(0).normal(0.0, 0.4, points.shape), np.degrees(sway)


@pytest.mark.parametrize("phase", np.linspace(0.0, 2 * np.pi, 8, endpoint=False))
def test_a_sway_that_moves_every_upper_body_point_at_once_does_not_move_the_hold(phase: float) -> None:
    # A 2-degree sway moves the shoulders sideways by as much as the turn does; all the upper body's
    # points move with it at once, and the angle a little too. It is one wobble, not seven movements.
    t = times(15.0)
    points, sway = swaying_body(t, 2.0, phase)
    start, end = date_hold(t, movement(t, 35.0) + 0.8 * sway, points, HOLD_START_S + 0.15, HOLD_END_S + 0.3)
    assert (start, end) == pytest.approx((HOLD_START_S, HOLD_END_S), abs=0.1)


def test_a_signal_wobbling_while_held_weighs_less_than_one_holding_still() -> None:
    t = times(15.0)
    rng = np.random.default_rng(5)
    still = movement(t, 10.0) + rng.normal(0.0, 0.1, t.size)
    wobbly = movement(t, 10.0) + 4.0 * np.sin(2 * np.pi * 0.25 * t)
    held = (t >= HOLD_START_S) & (t <= HOLD_END_S)
    signals = np.column_stack([still, wobbly])
    noise = hold_noise(signals[held], signals)
    assert noise is not None and noise[1] > 3 * noise[0]
    assert hold_noise(signals[held][:3], signals) is None  # too few frames to tell


def test_a_ramp_asked_to_end_where_none_can_is_none() -> None:
    t = np.arange(0.0, 2.0, 1 / 15)
    angle = 30 * ease((t - 0.2) / 1.0)
    assert fit_ramp(t, angle[:, None], ends_within=(5.0, 6.0)) is None
    found = fit_ramp(t, angle[:, None], ends_within=(1.0, 1.5))
    assert found is not None and found.end_s == pytest.approx(1.2, abs=0.02)


def easing_deeper(t_s: np.ndarray, share: float) -> np.ndarray:
    """0 before the hold, then rising from rest by `share` of the movement over the hold (a stretch
    settling deeper while held), and going back with the movement back."""
    settled = share * ease((t_s - HOLD_START_S) / (HOLD_END_S - HOLD_START_S))
    return settled * (1.0 - ease((t_s - HOLD_END_S) / (BACK_S - HOLD_END_S)))


@pytest.mark.parametrize("fps", [15.0, 30.0])
def test_a_hold_that_eases_deeper_is_met_when_the_movement_arrives(fps: float) -> None:
    # Two degrees deeper over a 35-degree turn's hold, the head and shoulders easing on with it: a flat
    # level fitted to that rising plateau would meet it late.
    rng = np.random.default_rng(2)
    t = times(fps)
    deeper = easing_deeper(t, 2.0 / 35.0)
    points = body_points(t, rng)
    points[:, :2] += np.array([-40.0, 3.0]) * deeper[:, None, None] * 4  # the head eases on further
    angle = 35.0 * (movement(t) + deeper) + rng.normal(0.0, 0.5, t.size)
    start, end = date_hold(
        t, angle, points + rng.normal(0.0, 0.4, points.shape), HOLD_START_S + 0.2, HOLD_END_S
    )
    # (A flat end level met it 0.035 s late here.)
    assert start == pytest.approx(HOLD_START_S, abs=0.02)
    assert end == pytest.approx(HOLD_END_S, abs=0.02)


def test_a_rock_about_the_hips_leaves_the_sway_free_points_alone() -> None:
    t = times(15.0)
    still, _ = swaying_body(t, 0.0, 0.0)
    swayed, _ = swaying_body(t, 2.0, 0.0)
    points = np.concatenate([still, swayed], axis=0)  # the same body, then the same body swaying
    free = sway_free_points(points)
    assert np.abs(free[: t.size] - free[t.size :]).max() < 0.5  # px, about the landmark jitter


@pytest.mark.parametrize("phase", np.linspace(0.0, 2 * np.pi, 4, endpoint=False))
def test_a_sway_is_not_read_as_the_turn_going_on(phase: float) -> None:
    t = times(15.0)
    points, sway = swaying_body(t, 2.0, phase)
    start, end = date_hold(
        t, movement(t, 35.0) + 0.8 * sway, points, HOLD_START_S + 0.15, HOLD_END_S + 0.3, sway_free=True
    )
    assert (start, end) == pytest.approx((HOLD_START_S, HOLD_END_S), abs=0.1)
