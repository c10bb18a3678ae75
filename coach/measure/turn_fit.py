"""The turn that best explains a frame's landmarks, robust to a landmark the model throws about.

Both readings of the upper body's turn use it: seen flat from afar (`coach.measure.rotation.fit_yaw`)
and through a near camera's lens (`coach.measure.perspective.fit_near_yaw`). Each says how far its
landmarks fall from where the template turned by a given angle puts them (the residuals, with the
body's sideways position fitted by weighted least squares); `robust_turn` searches a fine grid of turns
for the least weighted squared residual and refines it by a parabola through the best three.

The model now and then throws a landmark a fifth to a third of the shoulder span away while the body
holds still (an elbow in a dim room, a large picture, the far elbow hidden behind the head). Read by
plain least squares, one elbow thrown a quarter of the span moved the turn by 3.5-11 degrees through
a laptop's lens and by 0.6-13 seen flat from afar (the elbows carry a turn's largest movement). So the
fit is made again with Tukey's biweight of each landmark's residual, at its usual 95 %-efficiency
constant, on the residuals' robust spread but never below a twentieth of the shoulder span (about
2 cm: how far the model's landmarks stray from a rigid body on a good turn). A good frame keeps nearly
its plain least squares; a landmark far off drops out.

Pure numpy; angles in degrees, + = towards the person's left.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from coach.pose.geometry import MAD_TO_STD

YAW_GRID_DEG = np.arange(-100.0, 100.0 + 1e-9, 0.25)
ROBUST_ITERATIONS = 5
REWEIGHTED_SEARCH_DEG = 20.0  # how far from the last fit's turn each reweighted fit looks
TUKEY_C = 4.685
RESIDUAL_FLOOR_SPANS = 0.05

# residuals_at(turns, weights): turns (G, 1) in radians, weights (K,) -> each landmark's image x less
# where the template turned by each turn puts it, the body's position fitted with those weights (G, K).
Residuals = Callable[[np.ndarray, np.ndarray], np.ndarray]


def robust_turn(residuals_at: Residuals, landmarks: int, shoulder_span_px: float) -> float:
    """The turn (degrees) whose weighted squared residuals are least: plain least squares over the whole
    grid first, then reweighted within `REWEIGHTED_SEARCH_DEG` of the last turn until a fit repeats the
    last one (every further fit would repeat it) or `ROBUST_ITERATIONS` fits.

    (Starting instead from the turn most landmarks agree on, whatever one thrown far says, mended one
    dim copy of a front clip and broke another noise draw of it: the elbows carry most of a large
    turn's evidence, and in some frames the other landmarks agree as well on a turn 15 degrees
    smaller. At the desk it also took a side lean, which shifts the face and elbows together against
    the shoulders, for the body turning less.)"""
    floor = RESIDUAL_FLOOR_SPANS * shoulder_span_px
    weights = np.ones(landmarks)
    searched = np.ones(len(YAW_GRID_DEG), dtype=bool)
    yaw = None
    for _ in range(ROBUST_ITERATIONS):
        cost = np.full(len(YAW_GRID_DEG), np.inf)
        residuals = residuals_at(np.radians(YAW_GRID_DEG[searched])[:, None], weights)
        cost[searched] = (weights * residuals**2).sum(axis=1)
        fitted = yaw_at_least_cost(cost)
        if fitted == yaw:
            break
        yaw = fitted
        weights = outlier_weights(residuals_at(np.array([[np.radians(yaw)]]), weights)[0], floor)
        searched = np.abs(YAW_GRID_DEG - yaw) <= REWEIGHTED_SEARCH_DEG
    assert yaw is not None
    return yaw


def outlier_weights(residuals: np.ndarray, floor_px: float) -> np.ndarray:
    """Tukey's biweights of the landmarks' residuals, on their robust spread (at least `floor_px`: the
    model's ordinary disagreement with a rigid body); 0 for a landmark far off."""
    spread = max(MAD_TO_STD * float(np.median(np.abs(residuals))), floor_px)
    return np.clip(1.0 - (residuals / (TUKEY_C * spread)) ** 2, 0.0, None) ** 2


def yaw_at_least_cost(cost: np.ndarray) -> float:
    """The turn (degrees) where a cost over `YAW_GRID_DEG` is least: the grid's best, refined by a
    parabola through it and its two neighbours (when both were searched: an infinite cost is a turn
    left out of the search)."""
    best = int(np.clip(np.argmin(cost), 1, len(YAW_GRID_DEG) - 2))
    left, mid, right = cost[best - 1], cost[best], cost[best + 1]
    curvature = left - 2 * mid + right
    offset = 0.5 * (left - right) / curvature if np.isfinite(curvature) and curvature > 0 else 0.0
    step = YAW_GRID_DEG[1] - YAW_GRID_DEG[0]
    return float(YAW_GRID_DEG[best] + np.clip(offset, -1.0, 1.0) * step)
