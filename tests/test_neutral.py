"""Self-calibration waits for the person to sit still, then takes their neutral posture."""

from __future__ import annotations

import numpy as np

from coach.calibration.stillness import StillnessCalibrator, torso_length_px
from coach.pose.landmarks import PoseLandmark as L
from tests.helpers import make_pose


def seated_xy() -> np.ndarray:
    xy = np.tile([320.0, 200.0], (33, 1))
    xy[L.LEFT_SHOULDER], xy[L.RIGHT_SHOULDER] = [370, 150], [270, 150]
    xy[L.LEFT_HIP], xy[L.RIGHT_HIP] = [350, 290], [290, 290]
    xy[L.LEFT_ELBOW], xy[L.RIGHT_ELBOW] = [420, 100], [220, 100]
    xy[L.NOSE], xy[L.LEFT_EAR], xy[L.RIGHT_EAR] = [320, 110], [340, 105], [300, 105]
    return xy


def test_torso_length_is_hip_centre_to_shoulder_centre() -> None:
    assert torso_length_px(seated_xy()) == 140.0


def test_profile_after_still_seconds_with_median_pose_and_noise() -> None:
    rng = np.random.default_rng(0)
    calibrator = StillnessCalibrator(still_s=2.0)
    profile = None
    t = 0.0
    while profile is None:
        assert t < 2.5, "a still person must be calibrated after about 2 s"
        profile = calibrator.add(make_pose(seated_xy() + rng.normal(0, 0.5, (33, 2))), t)
        t += 1 / 15
    assert np.allclose(profile.neutral_xy, seated_xy(), atol=0.5)
    assert 0.2 < np.median(profile.noise_px) < 1.2  # 2D noise of sigma 0.5 per axis
    assert profile.duration_s >= 1.9


def test_movement_and_absence_delay_calibration() -> None:
    calibrator = StillnessCalibrator(still_s=2.0)
    moving = [make_pose(seated_xy() + np.array([10 * np.sin(i / 3), 0])) for i in range(45)]
    assert all(calibrator.add(pose, i / 15) is None for i, pose in enumerate(moving))
    assert calibrator.add(None, 3.0) is None
    still = [calibrator.add(make_pose(seated_xy()), 3.0 + i / 15) for i in range(40)]
    first = next(i for i, p in enumerate(still) if p is not None)
    assert 28 <= first <= 31  # 2 s after the person sat still, not before


def test_one_landmark_the_model_keeps_losing_does_not_block_calibration() -> None:
    # In a dim room the model can throw one elbow 20 px for a frame now and then; the body is still.
    calibrator = StillnessCalibrator(still_s=2.0)
    rng = np.random.default_rng(1)
    profile = None
    for i in range(40):
        xy = seated_xy() + rng.normal(0, 0.5, (33, 2))
        if i % 4 == 0:
            xy[L.LEFT_ELBOW] += [-20.0, 8.0]
        profile = profile or calibrator.add(make_pose(xy), i / 15)
    assert profile is not None


def test_a_turn_of_the_upper_body_still_counts_as_moving() -> None:
    # The head and shoulders shift together: more than one landmark moves, so it is movement.
    calibrator = StillnessCalibrator(still_s=2.0)
    for i in range(45):
        xy = seated_xy()
        upper = [
            L.NOSE,
            L.LEFT_EAR,
            L.RIGHT_EAR,
            L.LEFT_SHOULDER,
            L.RIGHT_SHOULDER,
            L.LEFT_ELBOW,
            L.RIGHT_ELBOW,
        ]
        xy[upper] += [12 * np.sin(i / 4), 0.0]
        assert calibrator.add(make_pose(xy), i / 15) is None
