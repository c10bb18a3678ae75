"""Is a detected pose a seated upper body the coach can use, or something the model made up?

MediaPipe reports a confident 'person' in a hand, a pool, a face filling the frame. Such a pose is
not one the coach can measure, so it counts as nobody. The checks are body geometry with wide
margins (any adult, any camera azimuth, seated or standing upright), never fitted to one clip:

- the shoulders are in the frame and one of them is seen; where the hips are not in the picture (a
  laptop webcam sees the head, shoulders and, hands behind the head, elbows: `coach.pose.framing`),
  an elbow in plain view instead;
- the trunk is upright within `MAX_TRUNK_TILT_DEG` (seated stretches; camera roll; arching back);
- the head sits above the shoulders and the feet do not rise above the hips;
- the body's proportions in MediaPipe's metric world frame are human: shoulder and hip widths
  against the trunk length (a view-independent check, so side views pass).
"""

from __future__ import annotations

import numpy as np

from coach.pose.framing import Framing, body_scale_px, framing_of, trunk_up_unit
from coach.pose.geometry import midpoint
from coach.pose.landmarks import PoseLandmark as L
from coach.pose.types import Pose

MIN_SHOULDER_VISIBILITY = 0.5
SHOULDER_MARGIN_TRUNKS = 0.1  # how far outside the frame a shoulder may be, in trunk lengths
MAX_TRUNK_TILT_DEG = 60.0
# Without the hips in the picture an arm must be: an elbow in plain view (the model sees an arm in the
# picture at 0.8-1.0; it guesses the arms below a face that fills the picture at 0.7 or less), in the
# picture or up to this far past its edge.
MIN_ELBOW_VISIBILITY = 0.75
ELBOW_MARGIN_TRUNKS = 0.25
MIN_HEAD_RISE_TRUNKS = 0.1  # the nose above the shoulder midpoint (upright: about 0.4)
MAX_FEET_RISE_TRUNKS = 0.25  # the ankles at most a little above the hips (seated: about 1 below)
SHOULDER_WIDTH_TRUNKS = (0.3, 1.2)  # world shoulder width / world trunk length (adults: 0.6-0.8)
HIP_WIDTH_TRUNKS = (0.2, 1.0)  # world hip-joint width / world trunk length (adults: 0.4-0.6)


def implausible_reason(pose: Pose, session: Framing | None = None) -> str | None:
    """Why the pose is not a usable upper body (a short code), or None when it is usable.

    session: the framing the person calibrated in, once known. A desk session's picture does not show
    the lower body, so a frame where the model claims to see hips at the picture's edge is still read as
    the desk's (its guesses of the unseen legs, ankles above the hips, are no evidence against it)."""
    xy, world = pose.xy, pose.world
    framing = framing_of(xy, pose.visibility, pose.image_size, session)
    shoulders, hips = midpoint(xy, L.LEFT_SHOULDER, L.RIGHT_SHOULDER), midpoint(xy, L.LEFT_HIP, L.RIGHT_HIP)
    trunk = body_scale_px(xy, framing)
    if trunk < 1.0:
        return "no_trunk"
    width, height = pose.image_size
    if _outside(xy[[L.LEFT_SHOULDER, L.RIGHT_SHOULDER]], width, height) > SHOULDER_MARGIN_TRUNKS * trunk:
        return "shoulders_out_of_frame"
    if framing is Framing.DESK and not _an_elbow_seen(pose, trunk):
        # Without the hips, an upper body needs an arm: a face filling the picture has the model
        # guess shoulders at its bottom edge and elbows below it.
        return "no_arm_in_frame"
    # One shoulder seen is enough: from the side the far one hides behind the body.
    if max(pose.visibility[L.LEFT_SHOULDER], pose.visibility[L.RIGHT_SHOULDER]) < MIN_SHOULDER_VISIBILITY:
        return "shoulders_not_seen"
    up = -trunk_up_unit(xy, framing)  # image y grows downwards: an upright trunk has up[1] > 0
    if np.degrees(np.arctan2(abs(up[0]), up[1])) > MAX_TRUNK_TILT_DEG:
        return "trunk_not_upright"
    if shoulders[1] - xy[L.NOSE][1] < MIN_HEAD_RISE_TRUNKS * trunk:
        return "head_not_above_shoulders"
    if framing is Framing.FULL and hips[1] - midpoint(xy, L.LEFT_ANKLE, L.RIGHT_ANKLE)[1] > (
        MAX_FEET_RISE_TRUNKS * trunk
    ):
        return "feet_above_hips"
    world_trunk = float(
        np.linalg.norm(
            midpoint(world, L.LEFT_SHOULDER, L.RIGHT_SHOULDER) - midpoint(world, L.LEFT_HIP, L.RIGHT_HIP)
        )
    )
    if world_trunk <= 0.0:
        return "no_trunk"
    shoulder_width = float(np.linalg.norm(world[L.LEFT_SHOULDER] - world[L.RIGHT_SHOULDER])) / world_trunk
    hip_width = float(np.linalg.norm(world[L.LEFT_HIP] - world[L.RIGHT_HIP])) / world_trunk
    if not SHOULDER_WIDTH_TRUNKS[0] <= shoulder_width <= SHOULDER_WIDTH_TRUNKS[1]:
        return "implausible_proportions"
    if not HIP_WIDTH_TRUNKS[0] <= hip_width <= HIP_WIDTH_TRUNKS[1]:
        return "implausible_proportions"
    return None


def is_usable_upper_body(pose: Pose, session: Framing | None = None) -> bool:
    """The one rule of who can be measured: calibration, person selection and the people count
    (`session`: see `implausible_reason`)."""
    return implausible_reason(pose, session) is None


def is_someone(pose: Pose) -> bool:
    """Whether a detection is a person at all, measurable or not (cut off by the picture, half hidden):
    a trunk upright within `MAX_TRUNK_TILT_DEG` with the head above the shoulders. Evidence of another
    person in view; the model's phantoms in hands and pools lie on their side or have no head."""
    xy = pose.xy
    shoulders, hips = midpoint(xy, L.LEFT_SHOULDER, L.RIGHT_SHOULDER), midpoint(xy, L.LEFT_HIP, L.RIGHT_HIP)
    up = hips - shoulders
    trunk = float(np.linalg.norm(up))
    if trunk < 1.0 or np.degrees(np.arctan2(abs(up[0]), up[1])) > MAX_TRUNK_TILT_DEG:
        return False
    return bool(shoulders[1] - xy[L.NOSE][1] >= MIN_HEAD_RISE_TRUNKS * trunk)


def _an_elbow_seen(pose: Pose, trunk_px: float) -> bool:
    """An elbow in plain view, in the picture or just past its edge (an arm waving out of it)."""
    width, height = pose.image_size
    return any(
        pose.visibility[elbow] >= MIN_ELBOW_VISIBILITY
        and _outside(pose.xy[[elbow]], width, height) <= ELBOW_MARGIN_TRUNKS * trunk_px
        for elbow in (L.LEFT_ELBOW, L.RIGHT_ELBOW)
    )


def _outside(points: np.ndarray, width: int, height: int) -> float:
    """How far, in pixels, the farthest of `points` (n, 2) lies outside the image (0 if inside)."""
    beyond = np.maximum.reduce([-points[:, 0], points[:, 0] - width, -points[:, 1], points[:, 1] - height])
    return float(max(beyond.max(), 0.0))
