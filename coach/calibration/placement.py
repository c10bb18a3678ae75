"""Whether the camera still sees the person from where it did at calibration.

A profile holds the camera's view of the person (`view_azimuth_deg`); its neutral posture and noise
mean nothing from another placement. `PlacementWatch` reads the view over the first seconds the
person is seen and says, once, whether it is the calibrated one.
"""

from __future__ import annotations

from dataclasses import dataclass

from coach.calibration.calibrator import window_framing, window_view
from coach.measure.view import ViewEstimate, describe, same_view
from coach.pose.framing import Framing
from coach.pose.types import Pose

FRAMING_WORDS = {
    Framing.FULL: "you from head to hips",
    Framing.DESK: "only your head and shoulders (a desk webcam)",
}

CHECK_S = 2.0  # the view is judged on this long a stretch of frames with the person


@dataclass(frozen=True)
class PlacementVerdict:
    calibrated_deg: float
    seen: ViewEstimate
    calibrated_framing: Framing = Framing.FULL
    seen_framing: Framing = Framing.FULL

    @property
    def same(self) -> bool:
        return self.same_framing and same_view(self.calibrated_deg, self.seen.azimuth_deg)

    @property
    def same_framing(self) -> bool:
        return self.seen_framing is self.calibrated_framing

    def describe_change(self) -> str:
        """'the camera sees you from the front (about 3 degrees), not from your left side (about 85)'"""
        if not self.same_framing:
            return (
                f"the camera sees {FRAMING_WORDS[self.seen_framing]}, not "
                f"{FRAMING_WORDS[self.calibrated_framing]} as at calibration"
            )
        now, then = self.seen.azimuth_deg, self.calibrated_deg
        return (
            f"the camera sees you {describe(now)} (about {round(now):d} degrees), not "
            f"{describe(then)} (about {round(then):d} degrees) as at calibration"
        )


class PlacementWatch:
    """Feed the followed person's pose per frame; the verdict comes once, `CHECK_S` after they were
    first seen (None before, after, and for a profile that does not know its view)."""

    def __init__(self, calibrated_deg: float | None, calibrated_framing: Framing = Framing.FULL) -> None:
        self.calibrated_deg = calibrated_deg
        self.calibrated_framing = calibrated_framing
        self._poses: list[Pose] = []
        self._first_s: float | None = None
        self._done = calibrated_deg is None

    def add(self, pose: Pose | None, t_s: float) -> PlacementVerdict | None:
        if self._done or pose is None or self.calibrated_deg is None:
            return None
        self._first_s = t_s if self._first_s is None else self._first_s
        self._poses.append(pose)
        if t_s - self._first_s < CHECK_S:
            return None
        self._done = True
        framing = window_framing(self._poses)
        seen, self._poses = window_view(self._poses, framing), []
        return PlacementVerdict(self.calibrated_deg, seen, self.calibrated_framing, framing)
