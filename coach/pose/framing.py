"""How much of the seated body the picture shows: all of it, or a laptop webcam's head and shoulders.

- **full**: a camera 2-3 m away sees the person from head to hips (or further); the hips give the
  trunk's axis and the body's scale.
- **desk**: a laptop webcam 0.5-1 m in front at shoulder height sees the head, the shoulders, the
  upper chest and, with the hands behind the head, the elbows. The hips are under the desk or below
  the picture; the model still places hip landmarks there, guessed with low visibility, so nothing may
  rest on them. The shoulders give the scale and, square to the trunk, its axis.

The framing is read from the hips alone: both inside the picture and seen makes it full. Whether the
rest of the body the framing needs is in the picture is the calibration's check.

Pure numpy on landmark arrays.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from coach.pose.geometry import midpoint, trunk_length_px
from coach.pose.landmarks import PoseLandmark as L

# A hip the model sees in the picture has a visibility of 0.8-1.0; its guesses for hips under a desk or
# below the picture stay at 0.4 or less.
MIN_HIP_VISIBILITY = 0.5
# Mid-hip to mid-shoulder length in shoulder spans (MediaPipe's shoulder landmarks) of adults seen from
# the front: 1.36-1.59 on rendered men and women. Only for the body scale the thresholds are written
# in (`body_scale_px`), which needs a size of the body, not a measurement of it.
TRUNKS_PER_SHOULDER_SPAN = 1.45


class Framing(StrEnum):
    FULL = "full"
    DESK = "desk"


def hips_in_picture(xy: np.ndarray, visibility: np.ndarray, image_size: tuple[int, int]) -> bool:
    """Both hips inside the picture and at least one of them seen. xy: (33, 2) px; visibility: (33,)."""
    width, height = image_size
    hips = xy[[L.LEFT_HIP, L.RIGHT_HIP]]
    inside = bool(np.all((hips >= 0) & (hips < np.array([width, height]))))
    seen = float(np.max(visibility[[L.LEFT_HIP, L.RIGHT_HIP]])) >= MIN_HIP_VISIBILITY
    return inside and seen


def framing_of(
    xy: np.ndarray, visibility: np.ndarray, image_size: tuple[int, int], session: Framing | None = None
) -> Framing:
    """The framing of one pose's picture. session: the framing the person calibrated in, once known: a
    desk session's every frame is the desk's (a hip the model claims to see at the picture's edge for a
    few frames is a guess, and so are the legs it puts under it)."""
    if session is Framing.DESK:
        return Framing.DESK
    return Framing.FULL if hips_in_picture(xy, visibility, image_size) else Framing.DESK


def shoulder_span_px(xy: np.ndarray) -> float:
    return float(np.linalg.norm(xy[L.LEFT_SHOULDER] - xy[L.RIGHT_SHOULDER]))


def body_scale_px(xy: np.ndarray, framing: Framing) -> float:
    """The body's size in the picture as a trunk length (mid-hip to mid-shoulder): measured when the
    hips are in the picture, from the shoulder span at the desk. Thresholds are written in it."""
    if framing is Framing.FULL:
        return trunk_length_px(xy)
    return TRUNKS_PER_SHOULDER_SPAN * shoulder_span_px(xy)


def trunk_up_unit(xy: np.ndarray, framing: Framing) -> np.ndarray:
    """The image direction from the shoulders towards the head along the trunk (unit, image y down):
    away from the hips when they are in the picture, else square to the shoulder line on the face's
    side. Zero when the body gives no direction."""
    shoulders = midpoint(xy, L.LEFT_SHOULDER, L.RIGHT_SHOULDER)
    if framing is Framing.FULL:
        up = shoulders - midpoint(xy, L.LEFT_HIP, L.RIGHT_HIP)
    else:
        line = xy[L.LEFT_SHOULDER] - xy[L.RIGHT_SHOULDER]
        up = np.array([line[1], -line[0]])
        if float(np.dot(up, xy[L.NOSE] - shoulders)) < 0:
            up = -up
    length = float(np.linalg.norm(up))
    return up / length if length > 0 else np.zeros(2)


@dataclass(frozen=True)
class Uprighting:
    """Turns a picture's landmarks so that a trunk stands straight up in it.

    A camera standing crooked (or a person who sits with a slight sideways lean) tilts the whole
    upper body in the picture; read as it is, part of every shoulder and elbow's height would show as
    a sideways shift. `roll_deg` is the trunk's angle from image vertical (+ = the shoulders to the
    image's right); `pivot_px` the point it is turned about.
    """

    roll_deg: float
    pivot_px: np.ndarray

    @classmethod
    def of_trunk(cls, xy: np.ndarray, framing: Framing = Framing.FULL) -> Uprighting:
        """From the hip-to-shoulder line, about the middle of the hips; at the desk (no hips) from the
        line square to the shoulders, about their midpoint (`trunk_up_unit`)."""
        up = trunk_up_unit(xy, framing)
        roll = float(np.degrees(np.arctan2(up[0], -up[1]))) if up.any() else 0.0
        pivot = L.LEFT_HIP, L.RIGHT_HIP
        if framing is Framing.DESK:
            pivot = L.LEFT_SHOULDER, L.RIGHT_SHOULDER
        return cls(roll_deg=roll, pivot_px=midpoint(xy, *pivot))

    def __call__(self, xy: np.ndarray) -> np.ndarray:
        """The landmarks (n, 2) turned about the pivot by -roll_deg."""
        a = np.radians(self.roll_deg)
        turn = np.array([[np.cos(a), np.sin(a)], [-np.sin(a), np.cos(a)]])
        return (xy - self.pivot_px) @ turn.T + self.pivot_px


def upright_xy(xy: np.ndarray, framing: Framing) -> np.ndarray:
    """The landmarks turned so that their own trunk stands straight up (`Uprighting.of_trunk`). A body
    rocking in the picture's plane about its hips (a sideways sway seen from the front, a rock back
    and forth seen from the side) keeps its upright landmarks where they were; a turn or a bend of the
    upper body moves them."""
    return Uprighting.of_trunk(xy, framing)(xy)
