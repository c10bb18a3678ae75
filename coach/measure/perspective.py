"""The upper body's turn seen through a near camera's lens: a laptop webcam 0.5-1 m away.

`coach.measure.rotation` reads the turn as if the camera were far away: every landmark's image x is its
sideways position times one scale. At a desk the camera is as close as the body is deep, and that
no longer holds: a landmark's scale is f / (f + depth), where f is the lens's focal length in pixels
and depth is measured in the same pixels from the shoulder plane (the shoulders lie f such pixels from
the camera, whatever the distance: the picture's pixels-per-metre there is f / distance). The nose,
12 cm nearer than the shoulders, is magnified by 16 % at 0.85 m; as the body turns, the face swings
out and grows, the shoulder that comes forward grows, the elbows that go back shrink. Read flat, a
35-degree turn reads 37-38 degrees and a 10-degree one 13-15 (pinhole projection of the template's
own prior body).

The lens is not known. Laptop webcams are 60-80 degrees wide; `ASSUMED_FIELD_OF_VIEW_DEG` sits in the
middle of that; a lens at either end of it leaves at most 2.5 degrees of error at 0.85 m, less than
reading flat with the same lens (`tests/measure/test_perspective.py`).

The template is the flat one (`build_template`: the same prior depths), its sideways positions
taken back to the shoulder plane's scale from the neutral image, facing the lens's axis: a body off
that axis is seen a little from its side, which the lens itself accounts for (`line_of_sight_deg`).
Each frame's turn is the one that, with the best sideways position of the body's axis, best explains
the image x of all its landmarks through the lens (least squares over a fine grid, made robust to a
landmark the model throws away from the rest: `coach.measure.turn_fit`).

Pure numpy on landmark arrays; angles in degrees, + = towards the person's left.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from coach.measure.rotation import (
    TEMPLATE_LANDMARKS,
    UpperBodyTemplate,
    build_template,
    handedness,
    midplane_fit,
)
from coach.measure.turn_fit import robust_turn
from coach.pose.landmarks import PoseLandmark as L

ASSUMED_FIELD_OF_VIEW_DEG = 70.0


def focal_px(image_width: int, field_of_view_deg: float = ASSUMED_FIELD_OF_VIEW_DEG) -> float:
    """The focal length in pixels of a lens `field_of_view_deg` wide across the picture's width."""
    return image_width / 2.0 / float(np.tan(np.radians(field_of_view_deg) / 2.0))


@dataclass(frozen=True, eq=False)
class NearTemplate:
    """The upper body at neutral, in the shoulder plane's pixels, seen from `focal_px` away.

    across_px: (N,) sideways position of each of `TEMPLATE_LANDMARKS` (mirrored by handedness) from
        the body's axis; depth_px: (N,) + = further from the camera than the axis point.
    centre_x_px, centre_y_px: the image point of the camera's axis (the picture's centre).
    """

    flat: UpperBodyTemplate
    across_px: np.ndarray
    depth_px: np.ndarray
    focal_px: float
    centre_x_px: float
    centre_y_px: float


def build_near_template(
    neutral_xy: np.ndarray, image_size: tuple[int, int], field_of_view_deg: float = ASSUMED_FIELD_OF_VIEW_DEG
) -> NearTemplate:
    """The template from the neutral landmarks (33, 2); raises ValueError on a degenerate pose."""
    f = focal_px(image_size[0], field_of_view_deg)
    centre = image_size[0] / 2.0
    flat = build_template(neutral_xy, line_of_sight_deg(neutral_xy, centre, f))
    x = (neutral_xy[list(TEMPLATE_LANDMARKS), 0] - centre) * flat.handedness
    # Depths from the shoulder plane, where the template's pixels are measured (its span).
    shoulders = [TEMPLATE_LANDMARKS.index(L.LEFT_SHOULDER), TEMPLATE_LANDMARKS.index(L.RIGHT_SHOULDER)]
    depth = flat.depth_px - flat.depth_px[shoulders].mean()
    sideways = x * (f + depth) / f  # back to the shoulder plane's scale: x = f * X / (f + depth)
    return NearTemplate(
        flat=flat,
        across_px=sideways - sideways.mean(),
        depth_px=depth,
        focal_px=f,
        centre_x_px=centre,
        centre_y_px=image_size[1] / 2.0,
    )


def line_of_sight_deg(neutral_xy: np.ndarray, centre_x_px: float, focal: float) -> float:
    """How far round from the lens's axis the camera sees the neutral body's axis (the azimuth's sense).

    A body sitting off the axis (the laptop to one side of the person, or the person to one side of
    the picture) is seen from that side: its nose, nearer the lens, shows further out than its
    shoulders, which the midplane reads as the body facing that far away from the camera. Through the
    lens that is the perspective itself, so the template must face the axis by the midplane's azimuth
    plus this angle, or the lens counts it twice (rendered laptops 13 and 17 cm to the side of the
    person read good turns as 3-6 degrees of side lean, and held turns up to 14 degrees off)."""
    _, axis_x = midplane_fit(neutral_xy)
    return float(np.degrees(np.arctan((axis_x - centre_x_px * handedness(neutral_xy)) / focal)))


def fit_near_yaw(template: NearTemplate, xy: np.ndarray, only: tuple[L, ...] = TEMPLATE_LANDMARKS) -> float:
    """The upper body's turn (degrees, + = to the person's left) from its neutral, in a frame's landmarks
    (`only` some of them: the face's turn is the head's).

    For each turn the landmarks' image x is f (axis + across') / (f + depth'), where (across', depth')
    is the template turned; that is linear in the unknown axis position, which is solved in closed
    form (`_through_lens`). The turn is found robustly (`coach.measure.turn_fit.robust_turn`).
    """
    x = _handed_x(template, xy, only)

    def residuals_at(turns: np.ndarray, weights: np.ndarray) -> np.ndarray:
        return x - _through_lens(template, x, turns, only, weights)

    return robust_turn(residuals_at, len(only), template.flat.shoulder_span_px)


def near_misfit(template: NearTemplate, xy: np.ndarray, yaw_deg: float) -> float:
    """How far a frame's landmarks lie from the template turned by `yaw_deg` through the lens: the root
    mean square of their sideways misfit, in shoulder spans at neutral.

    On a turned body the model's landmarks stray from a rigid one by a few hundredths of a span (a
    twentieth at most on a good hold, `coach.measure.turn_fit`), one thrown elbow adding up to a tenth.
    Close to a laptop the model now and then folds the shoulder and arm a turn brings forward into the
    body's middle for a second or more while the person holds still: 0.15-0.3 of a span then, which no
    turn explains; its turn is no reading of the body."""
    x = _handed_x(template, xy, TEMPLATE_LANDMARKS)
    misfit = x - _through_lens(template, x, np.radians(yaw_deg), TEMPLATE_LANDMARKS)
    return float(np.sqrt(np.mean(misfit**2))) / template.flat.shoulder_span_px


def _handed_x(template: NearTemplate, xy: np.ndarray, only: tuple[L, ...]) -> np.ndarray:
    """The image x of the `only` landmarks from the picture's centre, mirrored like the template."""
    return (xy[list(only), 0] - template.centre_x_px) * template.flat.handedness


def _through_lens(
    template: NearTemplate,
    x: np.ndarray,
    yaw_rad: np.ndarray | float,
    only: tuple[L, ...],
    weights: np.ndarray | None = None,
) -> np.ndarray:
    """Where the template's `only` landmarks, turned by each of `yaw_rad` (shape (G, 1), or a scalar),
    fall across the picture through the lens, with the body's axis placed to fit their image x `x`
    best (least squares, each landmark by its `weights`, equal when None): (G, K), or (K,) for one
    turn."""
    ids = [TEMPLATE_LANDMARKS.index(landmark) for landmark in only]
    across, depth, f = template.across_px[ids], template.depth_px[ids], template.focal_px
    turned_across = np.cos(yaw_rad) * across - np.sin(yaw_rad) * depth
    scale = f / np.maximum(f + np.sin(yaw_rad) * across + np.cos(yaw_rad) * depth, 1e-6)
    # x = scale * axis + scale * turned_across: least squares for the axis at each turn.
    known = scale * turned_across
    w = np.ones(len(ids)) if weights is None else weights
    axis = (w * (x - known) * scale).sum(axis=-1, keepdims=True) / (w * scale**2).sum(axis=-1, keepdims=True)
    return known + scale * axis


def near_side_lean(template: NearTemplate, neutral_xy: np.ndarray, xy: np.ndarray, yaw_deg: float) -> float:
    """Sideways lean of the upper body from neutral at the desk, where the hips are not seen (degrees,
    + = to the person's left): how far the line from the shoulders' middle up to the ears' middle tilts
    beyond what the turn `yaw_deg` tilts it by itself.

    A lean about anywhere below the shoulders tilts that line by the lean. A turn moves it too: the
    ears sit in front of the shoulder line, so they swing sideways with sin(turn), and the shoulder that
    comes towards the lens grows, which shifts the shoulders' middle. The template turned through the
    lens says where both go (`_through_lens`); what is left, over the neck's height above the shoulders
    at neutral, is the lean. A head turned alone hardly moves the ears, which lie near the neck's
    own axis."""
    seen = _handed_x(template, xy, TEMPLATE_LANDMARKS)
    expected = _through_lens(template, seen, np.radians(yaw_deg), TEMPLATE_LANDMARKS)
    ears = [TEMPLATE_LANDMARKS.index(L.LEFT_EAR), TEMPLATE_LANDMARKS.index(L.RIGHT_EAR)]
    shoulders = [TEMPLATE_LANDMARKS.index(L.LEFT_SHOULDER), TEMPLATE_LANDMARKS.index(L.RIGHT_SHOULDER)]
    beyond = (seen - expected)[ears].mean() - (seen - expected)[shoulders].mean()
    neck_px = float(neutral_xy[[L.LEFT_SHOULDER, L.RIGHT_SHOULDER], 1].mean())
    neck_px -= float(neutral_xy[[L.LEFT_EAR, L.RIGHT_EAR], 1].mean())
    return float(np.degrees(np.arctan2(float(beyond), max(neck_px, 1.0))))
