"""One person's pose in one frame, as plain numpy arrays."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from coach.pose.landmarks import NUM_LANDMARKS, PoseLandmark


@dataclass(frozen=True, eq=False)
class Pose:
    """Landmarks of one person.

    xy: (33, 2) float64, image pixels (x right, y down).
    depth: (33,) float64, relative depth in pixels (MediaPipe's z scaled by image width;
        smaller = nearer the camera; 0 at the hip centre).
    world: (33, 3) float64, metres, origin at the hip centre, MediaPipe's axes
        (x towards image right, y down, z away from the camera).
    visibility: (33,) float64 in [0, 1].
    image_size: (width, height) of the frame the pose was found in.
    mask: optional (H, W) float32 in [0, 1], the person's segmentation mask.
    """

    xy: np.ndarray
    depth: np.ndarray
    world: np.ndarray
    visibility: np.ndarray
    image_size: tuple[int, int]
    mask: np.ndarray | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        shapes = {
            "xy": (self.xy, (NUM_LANDMARKS, 2)),
            "depth": (self.depth, (NUM_LANDMARKS,)),
            "world": (self.world, (NUM_LANDMARKS, 3)),
            "visibility": (self.visibility, (NUM_LANDMARKS,)),
        }
        for name, (array, shape) in shapes.items():
            if array.shape != shape:
                raise ValueError(f"Pose.{name} must have shape {shape}, got {array.shape}")
            if not np.all(np.isfinite(array)):
                raise ValueError(f"Pose.{name} has non-finite values")
        if self.mask is not None and self.mask.shape != (self.image_size[1], self.image_size[0]):
            raise ValueError(f"Pose.mask must be (H, W) = {self.image_size[::-1]}, got {self.mask.shape}")

    def point(self, landmark: PoseLandmark) -> np.ndarray:
        return self.xy[landmark]

    def midpoint(self, a: PoseLandmark, b: PoseLandmark) -> np.ndarray:
        return (self.xy[a] + self.xy[b]) / 2.0

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        """(x0, y0, x1, y1) of the upper-body landmarks (ankles and feet are often hidden)."""
        upper = self.xy[: PoseLandmark.RIGHT_KNEE + 1]
        return (
            float(upper[:, 0].min()),
            float(upper[:, 1].min()),
            float(upper[:, 0].max()),
            float(upper[:, 1].max()),
        )
