"""Self-calibration: the neutral profile from the first seconds the person sits still."""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence

import numpy as np

from coach.calibration.profile import CalibrationProfile, profile_from_poses
from coach.pose.landmarks import PoseLandmark as L
from coach.pose.types import Pose

# Landmarks that must stay put while the person sits still with hands behind the head.
STILL_LANDMARKS = [
    L.NOSE, L.LEFT_EAR, L.RIGHT_EAR, L.LEFT_SHOULDER, L.RIGHT_SHOULDER,
    L.LEFT_ELBOW, L.RIGHT_ELBOW, L.LEFT_HIP, L.RIGHT_HIP,
]  # fmt: skip


def torso_length_px(xy: np.ndarray) -> float:
    """Distance between the hip and shoulder midpoints: the body's scale in the image."""
    shoulders = (xy[L.LEFT_SHOULDER] + xy[L.RIGHT_SHOULDER]) / 2
    hips = (xy[L.LEFT_HIP] + xy[L.RIGHT_HIP]) / 2
    return float(np.linalg.norm(shoulders - hips))


def window_motion(xys: np.ndarray, landmarks: Sequence[L] = tuple(STILL_LANDMARKS)) -> float:
    """How far the key landmarks drift from their medians over a window, in torso lengths.

    xys: (n, 33, 2) pixels. It is the second-largest landmark's largest drift: in a dim room the
    model can throw one landmark (an elbow behind the head) about now and then, and that alone is
    not a person moving. A person who moves moves more than one landmark.
    """
    key = xys[:, list(landmarks)]
    drifts = np.linalg.norm(key - np.median(key, axis=0), axis=2).max(axis=0)
    scale = max(torso_length_px(np.median(xys, axis=0)), 1.0)
    return float(np.sort(drifts)[-2] / scale) if drifts.size >= 2 else float(drifts.max() / scale)


class StillnessCalibrator:
    """Feed poses; returns a profile once the person has been still for `still_s` seconds.

    `max_motion` is the largest landmark drift allowed over the window, as a fraction of the torso
    length (0.05 of a ~50 cm torso is 2.5 cm: breathing and settling, not a movement).
    `landmarks` are the ones that must stay put (default `STILL_LANDMARKS`).
    """

    def __init__(
        self, still_s: float = 2.0, max_motion: float = 0.05, landmarks: Sequence[L] = tuple(STILL_LANDMARKS)
    ) -> None:
        self.still_s = still_s
        self.max_motion = max_motion
        self.landmarks = tuple(landmarks)
        self._window: deque[tuple[float, Pose]] = deque()

    def reset(self) -> None:
        self._window.clear()

    def add(self, pose: Pose | None, t_s: float) -> CalibrationProfile | None:
        if pose is None:
            self._window.clear()
            return None
        self._window.append((t_s, pose))
        while len(self._window) > 1 and t_s - self._window[0][0] > self.still_s:
            self._window.popleft()
        if t_s - self._window[0][0] < self.still_s * 0.95:
            return None
        xys = np.stack([p.xy for _, p in self._window])
        if window_motion(xys, self.landmarks) > self.max_motion:
            self._window.popleft()
            return None
        times = [t for t, _ in self._window]
        return profile_from_poses([p for _, p in self._window], times)
