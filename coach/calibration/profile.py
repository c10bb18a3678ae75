"""The person's calibrated neutral seated posture: a versioned, JSON round-tripping profile."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np

from coach.pose.framing import Framing
from coach.pose.geometry import robust_std_px
from coach.pose.landmarks import NUM_LANDMARKS
from coach.pose.types import Pose

SCHEMA_VERSION = 1


MAX_COMFORTABLE_DEG = 90.0


@dataclass(frozen=True, eq=False)
class CalibrationProfile:
    """Neutral posture measured while the person sat still.

    neutral_xy: (33, 2) median image position of each landmark, pixels.
    neutral_depth: (33,) median relative depth, pixels (see `Pose.depth`).
    neutral_world: (33, 3) median world position, metres (see `Pose.world`).
    noise_px: (33,) landmark jitter while still (robust std of xy, pixels).
    image_size: (width, height) of the frames calibration saw.
    view_azimuth_deg: camera's view of the person, 0 = in front, +90 = at the person's left side,
        -90 = at their right side; None when not estimated.
    comfortable_deg: per exercise, the largest angle seen as comfortable (never coach past it).
    measures: named neutral measures for people to read (spans, angles, body scale).
    framing: what the picture shows (`coach.pose.framing`): the whole seated body, or the desk's head
        and shoulders; the analyzers measure from what it shows.
    """

    neutral_xy: np.ndarray
    neutral_depth: np.ndarray
    neutral_world: np.ndarray
    noise_px: np.ndarray
    image_size: tuple[int, int]
    frames: int
    duration_s: float
    view_azimuth_deg: float | None = None
    comfortable_deg: dict[str, float] = field(default_factory=dict)
    measures: dict[str, float] = field(default_factory=dict)
    framing: Framing = Framing.FULL
    name: str = "default"
    created: str = ""
    version: int = SCHEMA_VERSION

    def __post_init__(self) -> None:
        expected = {
            "neutral_xy": (NUM_LANDMARKS, 2),
            "neutral_depth": (NUM_LANDMARKS,),
            "neutral_world": (NUM_LANDMARKS, 3),
            "noise_px": (NUM_LANDMARKS,),
        }
        for name, shape in expected.items():
            array = getattr(self, name)
            if not isinstance(array, np.ndarray) or array.shape != shape:
                raise ValueError(f"CalibrationProfile.{name} must have shape {shape}")
            if not np.all(np.isfinite(array)):
                raise ValueError(f"CalibrationProfile.{name} has non-finite values")
        if self.image_size[0] <= 0 or self.image_size[1] <= 0:
            raise ValueError("CalibrationProfile.image_size must be positive")
        for exercise, degrees in self.comfortable_deg.items():
            # A seated turn or arch of the upper back stays well inside a right angle.
            if not (np.isfinite(degrees) and 0.0 < degrees <= MAX_COMFORTABLE_DEG):
                raise ValueError(
                    f"CalibrationProfile.comfortable_deg[{exercise!r}] = {degrees} is not a range "
                    f"of 0-{MAX_COMFORTABLE_DEG:g} degrees"
                )
        if not isinstance(self.framing, Framing):
            raise ValueError(f"CalibrationProfile.framing must be one of {', '.join(Framing)}")
        if self.version != SCHEMA_VERSION:
            raise ValueError(f"CalibrationProfile version {self.version}, expected {SCHEMA_VERSION}")

    def neutral_pose(self) -> Pose:
        return Pose(
            xy=self.neutral_xy,
            depth=self.neutral_depth,
            world=self.neutral_world,
            visibility=np.ones(NUM_LANDMARKS),
            image_size=self.image_size,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "name": self.name,
            "created": self.created,
            "image_size": list(self.image_size),
            "frames": self.frames,
            "duration_s": self.duration_s,
            "view_azimuth_deg": self.view_azimuth_deg,
            "framing": str(self.framing),
            "comfortable_deg": dict(self.comfortable_deg),
            "measures": dict(self.measures),
            "neutral_xy": self.neutral_xy.round(3).tolist(),
            "neutral_depth": self.neutral_depth.round(3).tolist(),
            "neutral_world": self.neutral_world.round(5).tolist(),
            "noise_px": self.noise_px.round(4).tolist(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CalibrationProfile:
        """Raises ValueError, KeyError or TypeError on anything malformed."""
        azimuth = data.get("view_azimuth_deg")
        return cls(
            version=int(data["version"]),
            name=str(data.get("name", "default")),
            created=str(data.get("created", "")),
            image_size=(int(data["image_size"][0]), int(data["image_size"][1])),
            frames=int(data["frames"]),
            duration_s=float(data["duration_s"]),
            view_azimuth_deg=None if azimuth is None else float(azimuth),
            framing=Framing(str(data.get("framing", Framing.FULL))),
            comfortable_deg={str(k): float(v) for k, v in dict(data.get("comfortable_deg", {})).items()},
            measures={str(k): float(v) for k, v in dict(data.get("measures", {})).items()},
            neutral_xy=np.asarray(data["neutral_xy"], dtype=np.float64),
            neutral_depth=np.asarray(data["neutral_depth"], dtype=np.float64),
            neutral_world=np.asarray(data["neutral_world"], dtype=np.float64),
            noise_px=np.asarray(data["noise_px"], dtype=np.float64),
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CalibrationProfile):
            return NotImplemented
        return self.to_dict() == other.to_dict()


def profile_from_poses(
    poses: Sequence[Pose],
    times_s: Sequence[float],
    *,
    name: str = "default",
    view_azimuth_deg: float | None = None,
    measures: dict[str, float] | None = None,
    framing: Framing = Framing.FULL,
) -> CalibrationProfile:
    """The neutral profile of a still stretch of poses (medians; jitter as a robust std)."""
    if not poses:
        raise ValueError("profile_from_poses needs at least one pose")
    xy = np.stack([p.xy for p in poses])
    median_xy = np.median(xy, axis=0)
    noise = robust_std_px(xy)  # per landmark: its distance from the median point
    return CalibrationProfile(
        neutral_xy=median_xy,
        neutral_depth=np.median(np.stack([p.depth for p in poses]), axis=0),
        neutral_world=np.median(np.stack([p.world for p in poses]), axis=0),
        noise_px=noise,
        image_size=poses[0].image_size,
        frames=len(poses),
        duration_s=float(times_s[-1] - times_s[0]) if len(times_s) > 1 else 0.0,
        view_azimuth_deg=view_azimuth_deg,
        measures=dict(measures or {}),
        framing=framing,
        name=name,
        created=datetime.now(UTC).isoformat(timespec="seconds"),
    )
