"""Hand-made seated poses seen from any camera azimuth, with exactly known geometry.

The person sits upright, hands behind the head, elbows out wide, thighs horizontal. Person frame:
X = the person's left, Y = up, Z = the way they face (metres, origin at the hip centre). A camera at
azimuth a (0 = in front, +90 = at the person's left) sees image right along (cos a, 0, -sin a) and
looks along (-sin a, 0, -cos a); the projection is orthographic at `px_per_m`.
"""

from __future__ import annotations

import math

import numpy as np

from coach.pose.landmarks import NUM_LANDMARKS
from coach.pose.landmarks import PoseLandmark as L
from coach.pose.types import Pose
from coach.sources.frame import Frame

SHOULDER_SPAN_M = 0.36
TRUNK_M = 0.48
THIGH_M = 0.45

BODY_M: dict[L, tuple[float, float, float]] = {
    L.NOSE: (0.0, 0.70, 0.10),
    L.LEFT_EYE_INNER: (0.015, 0.73, 0.085),
    L.LEFT_EYE: (0.03, 0.73, 0.08),
    L.LEFT_EYE_OUTER: (0.045, 0.73, 0.07),
    L.RIGHT_EYE_INNER: (-0.015, 0.73, 0.085),
    L.RIGHT_EYE: (-0.03, 0.73, 0.08),
    L.RIGHT_EYE_OUTER: (-0.045, 0.73, 0.07),
    L.LEFT_EAR: (0.075, 0.71, 0.0),
    L.RIGHT_EAR: (-0.075, 0.71, 0.0),
    L.MOUTH_LEFT: (0.025, 0.66, 0.085),
    L.MOUTH_RIGHT: (-0.025, 0.66, 0.085),
    L.LEFT_SHOULDER: (SHOULDER_SPAN_M / 2, TRUNK_M, 0.0),
    L.RIGHT_SHOULDER: (-SHOULDER_SPAN_M / 2, TRUNK_M, 0.0),
    L.LEFT_ELBOW: (0.32, 0.62, 0.0),
    L.RIGHT_ELBOW: (-0.32, 0.62, 0.0),
    L.LEFT_WRIST: (0.05, 0.72, -0.08),
    L.RIGHT_WRIST: (-0.05, 0.72, -0.08),
    L.LEFT_PINKY: (0.04, 0.73, -0.09),
    L.RIGHT_PINKY: (-0.04, 0.73, -0.09),
    L.LEFT_INDEX: (0.03, 0.74, -0.09),
    L.RIGHT_INDEX: (-0.03, 0.74, -0.09),
    L.LEFT_THUMB: (0.04, 0.72, -0.07),
    L.RIGHT_THUMB: (-0.04, 0.72, -0.07),
    L.LEFT_HIP: (0.1, 0.0, 0.0),
    L.RIGHT_HIP: (-0.1, 0.0, 0.0),
    L.LEFT_KNEE: (0.1, 0.0, THIGH_M),
    L.RIGHT_KNEE: (-0.1, 0.0, THIGH_M),
    L.LEFT_ANKLE: (0.1, -0.45, THIGH_M),
    L.RIGHT_ANKLE: (-0.1, -0.45, THIGH_M),
    L.LEFT_HEEL: (0.1, -0.5, 0.42),
    L.RIGHT_HEEL: (-0.1, -0.5, 0.42),
    L.LEFT_FOOT_INDEX: (0.1, -0.5, 0.6),
    L.RIGHT_FOOT_INDEX: (-0.1, -0.5, 0.6),
}


def body_points_m() -> np.ndarray:
    """(33, 3) the seated body in the person frame."""
    return np.array([BODY_M[landmark] for landmark in L], dtype=np.float64)


def seated_pose(
    azimuth_deg: float = 0.0,
    *,
    px_per_m: float = 250.0,
    hip_centre_px: tuple[float, float] = (320.0, 330.0),
    image_size: tuple[int, int] = (640, 480),
    body: np.ndarray | None = None,
    visibility: np.ndarray | None = None,
) -> Pose:
    """The seated body seen from `azimuth_deg`, as the model would report it with perfect accuracy."""
    points = body_points_m() if body is None else body
    a = math.radians(azimuth_deg)
    right = np.array([math.cos(a), 0.0, -math.sin(a)])
    away = np.array([-math.sin(a), 0.0, -math.cos(a)])
    world = np.column_stack([points @ right, -points[:, 1], points @ away])
    xy = np.asarray(hip_centre_px) + px_per_m * world[:, :2]
    return Pose(
        xy=xy,
        depth=px_per_m * world[:, 2],
        world=world,
        visibility=np.ones(NUM_LANDMARKS) if visibility is None else visibility,
        image_size=image_size,
    )


def mirrored(pose: Pose) -> Pose:
    """The pose of the horizontally flipped picture: x mirrored, left and right labels swapped."""
    swap = np.arange(NUM_LANDMARKS)
    for landmark in L:
        if landmark.name.startswith("LEFT_"):
            partner = L[landmark.name.replace("LEFT_", "RIGHT_")]
            swap[landmark], swap[partner] = partner, landmark
        elif landmark.name == "MOUTH_LEFT":
            swap[L.MOUTH_LEFT], swap[L.MOUTH_RIGHT] = L.MOUTH_RIGHT, L.MOUTH_LEFT
    xy = pose.xy.copy()
    xy[:, 0] = pose.image_size[0] - xy[:, 0]
    world = pose.world * np.array([-1.0, 1.0, 1.0])
    return Pose(
        xy=xy[swap],
        depth=pose.depth[swap],
        world=world[swap],
        visibility=pose.visibility[swap],
        image_size=pose.image_size,
    )


def turned_in_image(pose: Pose, degrees: float) -> Pose:
    """The pose rotated in the image plane about its hip centre (a person lying down, a tilted camera)."""
    a = math.radians(degrees)
    rotation = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
    centre = (pose.xy[L.LEFT_HIP] + pose.xy[L.RIGHT_HIP]) / 2
    return Pose(
        xy=(pose.xy - centre) @ rotation.T + centre,
        depth=pose.depth,
        world=pose.world,
        visibility=pose.visibility,
        image_size=pose.image_size,
    )


def shifted(pose: Pose, dx: float = 0.0, dy: float = 0.0, noise_px: float = 0.0, seed: int = 0) -> Pose:
    """The pose moved in the image by (dx, dy) px, plus Gaussian jitter of `noise_px`."""
    jitter = np.random.default_rng(seed).normal(0.0, noise_px, pose.xy.shape) if noise_px else 0.0
    return Pose(
        xy=pose.xy + np.array([dx, dy]) + jitter,
        depth=pose.depth,
        world=pose.world,
        visibility=pose.visibility,
        image_size=pose.image_size,
    )


class StillPoseModel:
    """Stands in for the pose model (`PoseEstimator`): the seated person, seen from the front with a
    real model's jitter, in every frame; Ctrl-C once frame `interrupt_at` comes (subclass to set it)."""

    interrupt_at: int | None = None

    def __init__(self, model_path: object = None, with_mask: bool = False) -> None:
        pass

    def __enter__(self) -> StillPoseModel:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def estimate(self, frame: Frame) -> tuple[Pose, ...]:
        if self.interrupt_at is not None and frame.index >= self.interrupt_at:
            raise KeyboardInterrupt
        return (shifted(seated_pose(0), noise_px=0.3, seed=frame.index),)
