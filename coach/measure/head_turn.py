"""Did the chest turn, or only the head? The desk-chair mistake in Sit and Rotate.

With the hands behind the head, the elbows go where the head goes, so the face and the elbows turn
alike whether the chest turns or not. Only the shoulders tell, and from a desk camera each reading of
theirs is weak on its own:

- their span shortens by cos(turn) when the chest turns (through the lens too, to first order), but
  the model sometimes keeps the span as the body turns (rendered turns towards a camera 5 degrees off
  the front kept their neutral span);
- the model's own depth of the shoulders (world landmarks) turns with the chest, at about 0.7 of the
  turn (its depth is shallow: `WORLD_DEPTH_SCALE`), and wobbles by 5-10 degrees.

A head turned alone leaves both near zero; a chest turn moves at least one of them to half the face's
turn or more (rendered desk turns of 30-36 degrees: span 23-28, depth 20-25). So the head counts as
turned alone only when the face has turned as far as a rep starts and neither shoulder reading shows
a quarter of that turn: a rule that would rather miss the mistake than scold a good turn.

Pure numpy on landmark arrays; angles in degrees.
"""

from __future__ import annotations

import numpy as np

from coach.measure.perspective import NearTemplate, fit_near_yaw
from coach.measure.posture import WORLD_DEPTH_SCALE
from coach.pose.landmarks import EARS, FACE
from coach.pose.landmarks import PoseLandmark as L

FACE_LANDMARKS: tuple[L, ...] = FACE + EARS
CHEST_SHARE = 0.25


def span_turn_deg(template: NearTemplate, xy: np.ndarray) -> float:
    """How far the shoulders turned, unsigned, from the shortening of their span (cos)."""
    span = abs(float(xy[L.LEFT_SHOULDER, 0] - xy[L.RIGHT_SHOULDER, 0]))
    ratio = span / template.flat.shoulder_span_px if template.flat.shoulder_span_px > 0 else 1.0
    return float(np.degrees(np.arccos(np.clip(ratio, -1.0, 1.0))))


def world_shoulder_yaw_deg(world: np.ndarray) -> float:
    """The shoulder line's direction seen from above in the model's world landmarks, degrees, with the
    model's shallow depth scaled back."""
    line = world[L.LEFT_SHOULDER] - world[L.RIGHT_SHOULDER]
    return float(np.degrees(np.arctan2(-WORLD_DEPTH_SCALE * line[2], line[0])))


def head_turned_alone(
    template: NearTemplate, xy: np.ndarray, world: np.ndarray, neutral_world: np.ndarray, start_deg: float
) -> bool:
    """The face turned at least `start_deg` while neither shoulder reading shows a quarter of its turn.
    xy: the frame's landmarks in the template's upright; world, neutral_world: (33, 3) metres."""
    head = abs(fit_near_yaw(template, xy, FACE_LANDMARKS))
    if head < start_deg:
        return False
    chest_by_depth = abs(world_shoulder_yaw_deg(world) - world_shoulder_yaw_deg(neutral_world))
    return max(span_turn_deg(template, xy), chest_by_depth) < CHEST_SHARE * head
