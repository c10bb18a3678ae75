"""Sit and Rotate measurement: how far the upper body turns, whether the pelvis turns with it, side lean.

Thoracic rotation is read by fitting a rigid upper-body template to each frame. Seen from above, a
turn by theta (+ = towards the person's left) moves a point of the upper body that sits `across`
pixels to the person's left of the trunk's axis and `depth` pixels further from the camera to

    across * cos(theta) - depth * sin(theta)      (image x, mirrored so that + = the person's left)

The template holds `across` and `depth` for the nose, eyes, ears, mouth corners, shoulders and
elbows (the hands are behind the head, so the elbows turn with the upper back). Each frame's turn
is the one theta, plus a sideways shift, that best explains the image x of all of them (least
squares over a fine grid, made robust to a landmark the model throws away from the rest:
`coach.measure.turn_fit`). The template's scale stays the calibrated one, so the shortening of the
elbow and shoulder spans (cos) and the sideways swing of the face (sin) both count: the spans carry
large turns, the face small ones and the direction.

- `across` is the neutral image x (calibration).
- `depth` comes from a body-frame prior (`PRIOR_DEPTH_SHOULDER_SPANS`, + = behind the shoulder line)
  seen from the camera's azimuth. The azimuth itself is read from the neutral pose: the nose and the
  midpoints of left-right pairs lie in the body's midplane, so their image x differ by their
  forward/backward offsets times sin(azimuth); a least-squares line through them against the prior
  gives tan(azimuth). That keeps the estimator valid from the front to about 45 degrees on either
  side (measured on rendered ground truth, mirrored and shrunk copies included: 2-5 degrees mean
  error against the true upper-body yaw).
- Every frame also says something about the depths: with its turn read, each landmark's image x is
  linear in its depth (`depth_evidence`). Summed over the session and weighed against the prior
  (`refine_depths`), this adapts the template to the person's own posture (elbows further forward or
  back than the prior's) within a couple of reps; on the rendered clips it changes little.

The pelvis's own turn is read from the lower body's sideways swing: a person who turns on the seat
pivots about the sit bones, behind the hip joints, so the hips (and the legs they carry) swing
sideways towards the turn; the swing divided by the pivot distance is sin(pelvis yaw). The swing is
the mean of the hip, knee and ankle midpoints that calibration saw inside the picture: the model's
hip landmarks alone drift with the upper body's turn by up to a third of the signal, the knees and
ankles hardly do. The hip line's own foreshortening is far too small to read (a 15 degree turn
shortens it by 3 %, less than the model's jitter) and the model's hip depth follows the upper body's
turn, so neither is used.

Side lean is the turn of the hip-to-shoulder line in the image from its neutral direction.

Everything is read across the person's own upright (`coach.pose.framing.Uprighting`): the landmarks
are turned so that the neutral hip-to-shoulder line stands straight up. A camera standing 8 degrees crooked
otherwise adds about 2 degrees to the mean error of the turn (measured on a rolled copy of the
rendered front clip: 5.1 degrees before, 3.3 after).

All functions are pure numpy on landmark arrays; angles are degrees, + = towards the person's left.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from coach.measure.turn_fit import robust_turn
from coach.pose.landmarks import PoseLandmark as L

# Where each template landmark sits behind (+) or in front of (-) the shoulder line, in neutral
# shoulder spans (left to right shoulder landmark). These are the depths at which MediaPipe's
# landmarks move when a rendered body with known spine angles turns (fitted on front views, checked
# on 45-degree views); they match a seated adult with the hands behind the head within about 2 cm:
# nose tip 12 cm in front of the shoulders, eyes and mouth 10, ears 5, elbows 10 cm behind.
PRIOR_DEPTH_SHOULDER_SPANS: dict[L, float] = {
    L.NOSE: -0.39,
    L.LEFT_EYE: -0.31,
    L.RIGHT_EYE: -0.31,
    L.MOUTH_LEFT: -0.32,
    L.MOUTH_RIGHT: -0.32,
    L.LEFT_EAR: -0.18,
    L.RIGHT_EAR: -0.18,
    L.LEFT_SHOULDER: 0.0,
    L.RIGHT_SHOULDER: 0.0,
    L.LEFT_ELBOW: 0.33,
    L.RIGHT_ELBOW: 0.33,
}
TEMPLATE_LANDMARKS: tuple[L, ...] = tuple(PRIOR_DEPTH_SHOULDER_SPANS)
MIDPLANE_PAIRS: tuple[tuple[L, L], ...] = (
    (L.LEFT_EYE, L.RIGHT_EYE),
    (L.MOUTH_LEFT, L.MOUTH_RIGHT),
    (L.LEFT_EAR, L.RIGHT_EAR),
    (L.LEFT_SHOULDER, L.RIGHT_SHOULDER),
    (L.LEFT_ELBOW, L.RIGHT_ELBOW),
)
# Without the elbows: the model now and then throws an elbow between two places a fifth of a shoulder
# span apart while the body is still (near cameras, large pictures), which moves the whole fit.
FACE_AND_SHOULDER_PAIRS = MIDPLANE_PAIRS[:-1]
# Cameras further round than this are outside what the template can follow (the far side hides).
MAX_AZIMUTH_DEG = 60.0
# Distance from the sit-bone pivot to the hip landmarks' midpoint, in neutral hip widths: the sit
# bones lie 6-9 cm behind the hip joints, whose landmarks are 17-20 cm apart.
PELVIS_PIVOT_HIP_WIDTHS = 0.44
# Pelvis readings below this are the lower body's sway and the model's drift while only the upper
# body turns (up to about 4 degrees on rendered ground truth): they are not taken off the rotation.
PELVIS_NOISE_DEG = 5.0
LOWER_BODY_PAIRS: tuple[tuple[L, L], ...] = (
    (L.LEFT_HIP, L.RIGHT_HIP),
    (L.LEFT_KNEE, L.RIGHT_KNEE),
    (L.LEFT_ANKLE, L.RIGHT_ANKLE),
)


@dataclass(frozen=True, eq=False)
class UpperBodyTemplate:
    """The person's upper body at neutral, as the camera sees it from above.

    across_px: (N,) image x of each of `TEMPLATE_LANDMARKS`, towards the person's left, relative to
        the template's centre.
    depth_px: (N,) distance from the camera relative to the centre (+ = further away), pixels.
    azimuth_deg: the camera's view of the upper body (0 = in front, + = at the person's left).
    handedness: +1 when the person's left is on the image's right (a camera in front of them; the
        model labels a mirrored picture as a mirrored person, so that too), -1 when seen from behind.
    shoulder_span_px: neutral shoulder span in the image.
    """

    across_px: np.ndarray
    depth_px: np.ndarray
    azimuth_deg: float
    handedness: float
    shoulder_span_px: float


def handedness(neutral_xy: np.ndarray) -> float:
    """+1 when the person's left shoulder is right of their right shoulder in the image, else -1."""
    return 1.0 if neutral_xy[L.LEFT_SHOULDER, 0] >= neutral_xy[L.RIGHT_SHOULDER, 0] else -1.0


def midplane_fit(xy: np.ndarray, pairs: tuple[tuple[L, L], ...] = MIDPLANE_PAIRS) -> tuple[float, float]:
    """(tan of the upper body's azimuth, the image x of its axis, mirrored by `handedness`) from the
    nose and the midpoints of left-right `pairs` against their prior depths; ValueError without a
    shoulder span."""
    x = xy[:, 0] * handedness(xy)
    span = float(x[L.LEFT_SHOULDER] - x[L.RIGHT_SHOULDER])
    if span < 1.0:
        raise ValueError("the neutral pose has no shoulder span: the person is not facing the camera")
    midplane_x = [x[L.NOSE]] + [(x[a] + x[b]) / 2 for a, b in pairs]
    midplane_depth = [PRIOR_DEPTH_SHOULDER_SPANS[L.NOSE]]
    midplane_depth += [PRIOR_DEPTH_SHOULDER_SPANS[a] for a, _ in pairs]
    design = np.stack([np.asarray(midplane_depth) * span, np.ones(len(midplane_x))], axis=1)
    (tan_azimuth, axis_x), *_ = np.linalg.lstsq(design, np.asarray(midplane_x), rcond=None)
    return float(tan_azimuth), float(axis_x)


def upper_body_azimuth_deg(xy: np.ndarray, pairs: tuple[tuple[L, L], ...] = MIDPLANE_PAIRS) -> float:
    """The camera's azimuth as the face, shoulders and elbows (`pairs`) show it (unclipped; ValueError
    without a shoulder span)."""
    return float(np.degrees(np.arctan(midplane_fit(xy, pairs)[0])))


def build_template(neutral_xy: np.ndarray, line_of_sight_deg: float = 0.0) -> UpperBodyTemplate:
    """The template from the neutral landmarks (33, 2); raises ValueError on a degenerate pose.

    line_of_sight_deg: how far round from the camera's axis the body's axis is seen (the azimuth's
    sense). The midplane shows how the body faces the line of sight; the template holds how it faces
    the camera's axis, which a lens model needs (`coach.measure.perspective`). A far camera sees
    every point along its axis: 0."""
    hand = handedness(neutral_xy)
    x = neutral_xy[:, 0] * hand
    span = float(x[L.LEFT_SHOULDER] - x[L.RIGHT_SHOULDER])
    tan_azimuth, axis_x = midplane_fit(neutral_xy)
    limit = np.radians(MAX_AZIMUTH_DEG)
    azimuth = float(np.clip(np.arctan(tan_azimuth) + np.radians(line_of_sight_deg), -limit, limit))
    # Body frame: `body_x` sideways, `body_depth` backwards; the image shows
    # body_x cos(a) + body_depth sin(a), and the image span is the body's times cos(a).
    ids = list(TEMPLATE_LANDMARKS)
    body_depth = np.array([PRIOR_DEPTH_SHOULDER_SPANS[i] for i in ids]) * span / np.cos(azimuth)
    across = x[ids] - axis_x
    body_x = (across - body_depth * np.sin(azimuth)) / np.cos(azimuth)
    depth = -body_x * np.sin(azimuth) + body_depth * np.cos(azimuth)
    return UpperBodyTemplate(
        across_px=across - across.mean(),
        depth_px=depth - depth.mean(),
        azimuth_deg=float(np.degrees(azimuth)),
        handedness=hand,
        shoulder_span_px=span,
    )


def fit_yaw(template: UpperBodyTemplate, xy: np.ndarray) -> float:
    """The upper body's turn (degrees, + = to the person's left) from its neutral, in a frame's landmarks.

    The turn and a sideways shift that best explain the landmarks' image x (the shift in closed form:
    the residuals' weighted mean), found robustly (`coach.measure.turn_fit.robust_turn`); the
    template's scale stays the calibrated one.
    """
    x = xy[list(TEMPLATE_LANDMARKS), 0] * template.handedness

    def residuals_at(turns: np.ndarray, weights: np.ndarray) -> np.ndarray:
        residual = x - (np.cos(turns) * template.across_px - np.sin(turns) * template.depth_px)
        return residual - (residual * weights).sum(axis=-1, keepdims=True) / weights.sum()

    return robust_turn(residuals_at, len(TEMPLATE_LANDMARKS), template.shoulder_span_px)


def lower_body_pairs(neutral_xy: np.ndarray, image_size: tuple[int, int]) -> tuple[tuple[L, L], ...]:
    """The hip, knee and ankle pairs whose neutral positions lie inside the picture (hips always)."""
    width, height = image_size
    inside = [
        pair
        for pair in LOWER_BODY_PAIRS
        if all(0 <= neutral_xy[i, 0] < width and 0 <= neutral_xy[i, 1] < height for i in pair)
    ]
    return tuple(inside) or LOWER_BODY_PAIRS[:1]


def pelvis_yaw(
    neutral_xy: np.ndarray, xy: np.ndarray, pairs: tuple[tuple[L, L], ...] = LOWER_BODY_PAIRS
) -> float:
    """The pelvis's turn on the seat (degrees, + = to the person's left) from the lower body's swing."""
    hand = handedness(neutral_xy)
    width = abs(float(neutral_xy[L.LEFT_HIP, 0] - neutral_xy[L.RIGHT_HIP, 0]))
    if width < 1.0:
        return 0.0
    ids = [i for pair in pairs for i in pair]
    swing = (xy[ids, 0].mean() - neutral_xy[ids, 0].mean()) * hand
    return float(np.degrees(np.arcsin(np.clip(swing / (PELVIS_PIVOT_HIP_WIDTHS * width), -1.0, 1.0))))


def trunk_rotation(upper_body_deg: float, pelvis_deg: float) -> float:
    """The upper body's turn relative to the pelvis; a pelvis turn within its noise floor counts as none."""
    pelvis_turn = float(np.sign(pelvis_deg)) * max(0.0, abs(pelvis_deg) - PELVIS_NOISE_DEG)
    return upper_body_deg - pelvis_turn


def trunk_line_deg(xy: np.ndarray, hand: float) -> float:
    """Direction of the mid-hip to mid-shoulder line from image vertical, + = towards the person's left."""
    hips = (xy[L.LEFT_HIP] + xy[L.RIGHT_HIP]) / 2
    shoulders = (xy[L.LEFT_SHOULDER] + xy[L.RIGHT_SHOULDER]) / 2
    return float(np.degrees(np.arctan2((shoulders[0] - hips[0]) * hand, hips[1] - shoulders[1])))


def side_lean(neutral_xy: np.ndarray, xy: np.ndarray) -> float:
    """Sideways lean of the trunk from neutral (degrees, + = to the person's left)."""
    hand = handedness(neutral_xy)
    return trunk_line_deg(xy, hand) - trunk_line_deg(neutral_xy, hand)


def upper_body_motion(xy_from: np.ndarray, xy_to: np.ndarray) -> float:
    """How far the template landmarks moved between two frames, pixels: the upper quartile of their
    displacements, which is the shoulders' and elbows' when the body turns, while a landmark or two
    that the model jolts do not count."""
    ids = list(TEMPLATE_LANDMARKS)
    return float(np.percentile(np.linalg.norm(xy_to[ids] - xy_from[ids], axis=1), 75))


def depth_evidence(template: UpperBodyTemplate, xy: np.ndarray, yaw_deg: float) -> tuple[float, np.ndarray]:
    """What one frame, read as turned by `yaw_deg`, says about the template's depths.

    With the turn known, each landmark's image x is across * cos - depth * sin plus the frame's shift
    (the mean, as the template is centred): a straight line in the unknown depth. Returns sin^2 and
    -sin * (x - across * cos) per landmark; summed over frames they give the least-squares depths.
    """
    x = xy[list(TEMPLATE_LANDMARKS), 0] * template.handedness
    yaw = np.radians(yaw_deg)
    residual = x - x.mean() - template.across_px * np.cos(yaw)
    return float(np.sin(yaw) ** 2), -np.sin(yaw) * residual


def refine_depths(
    prior: UpperBodyTemplate, weight: float, evidence: np.ndarray, prior_weight: float
) -> UpperBodyTemplate:
    """The prior template with depths re-estimated from summed `depth_evidence` (weight, evidence),
    the prior's depths counting as `prior_weight` frames seen turned by 90 degrees."""
    depth = (evidence + prior_weight * prior.depth_px) / (weight + prior_weight)
    return replace(prior, depth_px=depth - depth.mean())
