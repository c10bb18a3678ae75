"""Is the body in the stretches' starting position? Hands behind the head, shoulders square to the hips.

(At the desk, where the hips and often the wrists are out of the picture, the hands are judged by the
elbows: `elbows_up`.)

A still person is not necessarily a neutral one: someone who holds a turn, or rests with the hands on
the knees, sits still too. Calibration takes a still pose as the neutral only when the body itself
says it is the starting position of both stretches:

- **Hands behind the head.** Both wrists are higher than the shoulders, measured along the person's
  own trunk (mid-hip to mid-shoulder), so the check holds however the camera or the person leans. With
  the hands behind the head the wrists sit at ear height, about 0.4 trunk lengths above the shoulder
  line; hands on the knees, crossed on the chest or an arm hanging down put a wrist below it, in plain
  view. Only wrists the model sees count: hands behind the head are often hidden by it, and the
  model's guess for a hidden wrist can land anywhere (below the shoulders in rendered turns).
- **Shoulders square to the hips.** The camera's placement is read from what does not turn in these
  stretches, the thighs (they point the way the seat faces; world landmarks, knees in view, their
  depth scaled back to the body's: `WORLD_DEPTH_SCALE`), and the upper body's facing from the face,
  shoulders and elbows (the rotation template's midplane fit). At a neutral they agree (rendered
  bodies: within 1 degree from the front, 5 at 10 degrees off it, 5-12 at 45); a held turn puts them
  apart by most of the turn (a 40-degree turn seen from the front: 32 degrees; a 35-degree turn at
  45 degrees off: 20 away from the camera, 44 towards it). The check is made within `SQUARE_VIEW_DEG`
  of the front; further round the face and far elbow hide and the picture cannot tell a held turn from
  the view, and a neutral taken there is guarded by the analyzers' plausibility limits instead.

Pure numpy on landmark arrays (one pose, or the median of a still window).
"""

from __future__ import annotations

import math

import numpy as np

from coach.measure.rotation import MIDPLANE_PAIRS
from coach.measure.rotation import upper_body_azimuth_deg as midplane_azimuth_deg
from coach.measure.view import thighs_usable
from coach.pose.framing import Framing, body_scale_px, trunk_up_unit
from coach.pose.geometry import midpoint
from coach.pose.landmarks import PoseLandmark as L

# The wrists at least this far above the shoulder line, in trunk lengths: a quarter of the way to
# where hands behind the head put them (ear height, about 0.4), clear of the model's guesses for a
# hidden wrist (0.2 or more in the rendered oblique views) and of any hand below the shoulders.
MIN_WRIST_RISE_TRUNKS = 0.1
# A wrist in plain view (on a knee, on the chest, an arm hanging) is seen with a visibility of 0.8-1.0;
# the model's guesses for wrists hidden behind the head or the body stay at 0.5 or less.
MIN_WRIST_VISIBILITY = 0.75
# A still upper body facing this far from the seat is a held turn, not a neutral: a rep starts at 12
# degrees of turn and a typical turn is 30-40; the two readings disagree by up to about 12 at a true
# neutral 45 degrees off the front.
MAX_UNSQUARE_DEG = 15.0
SQUARE_VIEW_DEG = 60.0
# The model's world landmarks are shallower than the body: depth comes out at about 0.7 of the width
# (rendered bodies with known geometry: thighs 45 degrees off the camera read 55, shoulders 45 off the
# front read 37, both as depths of 0.7). The seat's direction is read with the depth scaled back.
WORLD_DEPTH_SCALE = 1.0 / 0.7


def wrist_rise_trunks(xy: np.ndarray) -> tuple[float, float]:
    """How far each wrist (left, right) is above the shoulder line along the trunk, in trunk lengths
    (+ = towards the head). xy: (33, 2) image pixels."""
    shoulders = midpoint(xy, L.LEFT_SHOULDER, L.RIGHT_SHOULDER)
    up = shoulders - midpoint(xy, L.LEFT_HIP, L.RIGHT_HIP)
    trunk = float(np.linalg.norm(up))
    if trunk <= 0:
        return (0.0, 0.0)
    unit = up / trunk
    left, right = ((xy[wrist] - shoulders) @ unit / trunk for wrist in (L.LEFT_WRIST, L.RIGHT_WRIST))
    return float(left), float(right)


def hands_behind_head(xy: np.ndarray, visibility: np.ndarray) -> bool:
    """No wrist seen away from the head: both up at it, as the stretches' starting position has them,
    or hidden behind it. xy: (33, 2) image pixels; visibility: (33,)."""
    rises = wrist_rise_trunks(xy)
    seen = (visibility[L.LEFT_WRIST], visibility[L.RIGHT_WRIST])
    return all(
        rise >= MIN_WRIST_RISE_TRUNKS
        for rise, vis in zip(rises, seen, strict=True)
        if vis >= MIN_WRIST_VISIBILITY
    )


def elbows_up(xy: np.ndarray, visibility: np.ndarray) -> bool:
    """Both elbows seen above the shoulder line, as hands behind the head hold them (at about ear
    height, 0.4 trunk lengths up), where the hips are not in the picture: the trunk's axis is square to
    the shoulder line and its length is read from the shoulder span (`coach.pose.framing`). Hands on a
    desk or crossed on the chest put the elbows below the shoulders or out of the picture."""
    up = trunk_up_unit(xy, Framing.DESK)
    scale = body_scale_px(xy, Framing.DESK)
    shoulders = midpoint(xy, L.LEFT_SHOULDER, L.RIGHT_SHOULDER)
    if scale <= 0:
        return False
    return all(
        visibility[elbow] >= MIN_WRIST_VISIBILITY
        and float((xy[elbow] - shoulders) @ up) / scale >= MIN_WRIST_RISE_TRUNKS
        for elbow in (L.LEFT_ELBOW, L.RIGHT_ELBOW)
    )


def seat_azimuth_deg(
    xy: np.ndarray, world: np.ndarray, visibility: np.ndarray, image_size: tuple[int, int]
) -> float | None:
    """The camera's azimuth as the thighs show it (the way the seat faces), degrees, + = the camera at
    the person's left; None when the knees are not seen or the thighs are not near horizontal."""
    if not thighs_usable(xy, world, visibility, image_size):
        return None
    thigh = midpoint(world, L.LEFT_KNEE, L.RIGHT_KNEE) - midpoint(world, L.LEFT_HIP, L.RIGHT_HIP)
    # World x is the camera's right, z away from it: a person facing the camera has thighs along -z.
    return math.degrees(math.atan2(-float(thigh[0]), -WORLD_DEPTH_SCALE * float(thigh[2])))


def upper_body_azimuth_deg(xy: np.ndarray, pairs: tuple[tuple[L, L], ...] = MIDPLANE_PAIRS) -> float | None:
    """The camera's azimuth as the face, shoulders and elbows (`pairs`) show it (None: no shoulder
    span)."""
    try:
        return midplane_azimuth_deg(xy, pairs)
    except ValueError:
        return None


def unsquare_deg(
    xy: np.ndarray, world: np.ndarray, visibility: np.ndarray, image_size: tuple[int, int]
) -> float | None:
    """How far the upper body faces away from the seat, degrees; None where it cannot be judged (the
    knees not seen, or a camera further than `SQUARE_VIEW_DEG` from the front)."""
    seat = seat_azimuth_deg(xy, world, visibility, image_size)
    upper = upper_body_azimuth_deg(xy)
    if seat is None or upper is None or abs(seat) > SQUARE_VIEW_DEG:
        return None
    return abs(upper - seat)


def is_square(xy: np.ndarray, world: np.ndarray, visibility: np.ndarray, image_size: tuple[int, int]) -> bool:
    """The shoulders face the way the seat does (True where that cannot be judged)."""
    off = unsquare_deg(xy, world, visibility, image_size)
    return off is None or off <= MAX_UNSQUARE_DEG
