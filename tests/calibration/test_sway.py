"""A person who sways calibrates: stillness is judged on the upright body (`upright_xy`), so a slow
rock about the hips is not movement, while a turn or a drift of the upper body still is."""

from __future__ import annotations

import json

import numpy as np
import pytest

from benchmarks.sway import SWAY_HZ, TARGET_AMPLITUDE_DEG, moved
from coach.calibration.calibrator import Calibrator
from coach.errors import CalibrationError
from coach.pipeline import Pipeline, recording_rules
from coach.pose.framing import Framing, trunk_up_unit, upright_xy
from coach.pose.landmarks import PoseLandmark as L
from coach.reps.analysis import Phase
from tests.helpers import SAMPLES, ClipLoader
from tests.seated import seated_pose, shifted, turned_in_image

FPS = 15.0
BRIGHT = 120.0
SWAY_DEG = TARGET_AMPLITUDE_DEG["sway"]


def swaying(azimuth_deg: float, seconds: float) -> list[tuple[float, float]]:
    """(time, degrees turned in the picture about the hips): a slow sway of `SWAY_DEG`."""
    times = np.arange(round(seconds * FPS)) / FPS
    return [(float(t), SWAY_DEG * float(np.sin(2 * np.pi * SWAY_HZ * t))) for t in times]


def test_the_upright_landmarks_do_not_move_when_the_body_rocks_about_its_hips() -> None:
    pose = seated_pose(0)
    for degrees in (-3.0, 1.0, 10.0):
        rocked = turned_in_image(pose, degrees)
        assert trunk_up_unit(upright_xy(rocked.xy, Framing.FULL), Framing.FULL) == pytest.approx([0.0, -1.0])
        assert upright_xy(rocked.xy, Framing.FULL) == pytest.approx(upright_xy(pose.xy, Framing.FULL))
    # At the desk the trunk's direction is square to the shoulder line, the pivot their middle.
    rocked = turned_in_image(pose, 4.0)
    shoulders = (rocked.xy[L.LEFT_SHOULDER] + rocked.xy[L.RIGHT_SHOULDER]) / 2
    upright = upright_xy(rocked.xy, Framing.DESK)
    assert upright[L.LEFT_SHOULDER, 1] == pytest.approx(upright[L.RIGHT_SHOULDER, 1])
    assert (upright[L.LEFT_SHOULDER] + upright[L.RIGHT_SHOULDER]) / 2 == pytest.approx(shoulders)


@pytest.mark.parametrize("azimuth_deg", [0.0, 85.0])  # a sideways sway from the front, a rock from the side
def test_a_person_swaying_gently_calibrates(azimuth_deg: float) -> None:
    calibrator = Calibrator()
    base = seated_pose(azimuth_deg)
    for i, (t, degrees) in enumerate(swaying(azimuth_deg, 3.0)):
        calibrator.add((shifted(turned_in_image(base, degrees), noise_px=0.3, seed=i),), t, BRIGHT)
    assert calibrator.result().view.azimuth_deg == pytest.approx(azimuth_deg, abs=3)


def test_a_slow_turn_while_swaying_is_still_movement() -> None:
    calibrator = Calibrator()
    frames = swaying(0.0, 3.0)
    for i, (t, degrees) in enumerate(frames):
        turning = seated_pose(20.0 * i / len(frames))  # turning 20 degrees on the chair over the window
        status = calibrator.add((turned_in_image(turning, degrees),), t, BRIGHT)
    assert not status.ready
    with pytest.raises(CalibrationError, match="hold still"):
        calibrator.result()


@pytest.mark.slow
def test_a_swaying_person_is_calibrated_before_the_first_rep_and_every_rep_counts(
    clip_poses: ClipLoader,
) -> None:
    # The natural-movement clip sits still for 3 s; swaying 2 degrees sideways on top of that, it
    # used to calibrate only in the rest after the first rep (8.2 s) and lost that rep.
    name = "nat_rotate_front"
    clip = clip_poses(name)
    truth = json.loads((SAMPLES / f"{name}.gt.json").read_text())["scenario"]["reps"]
    rng = np.random.default_rng(0)
    pipeline = Pipeline("rotate", rules=recording_rules())
    calibrated_at = None
    for t_s, poses in zip(clip.times_s, clip.poses, strict=True):
        step = pipeline.step([moved(pose, t_s, "sway", SWAY_DEG, rng) for pose in poses[:1]], t_s)
        if calibrated_at is None and step.analysis.phase not in (Phase.CALIBRATING, Phase.NO_POSE):
            calibrated_at = t_s
    assert calibrated_at is not None and calibrated_at < truth[0]["start"]
    assert [rep.side for rep in pipeline.reps] == [rep["side"] for rep in truth]
