"""Sit and Arch measurement: how far the spine extends backwards, and where the bend happens.

Seen from the side, four lines on the body turn when the person arches back over the chair:

- the trunk chord, mid-hip to mid-shoulder: a lumbar bend pivots just above the hips and turns it
  almost fully; a thoracic bend pivots about mid-back and turns it by about half;
- the belly, the front outline of the lower trunk in the segmentation mask: it lies along the
  lumbar spine, so it turns with the lumbar bend and hardly with the thoracic one;
- the ear line, mid-shoulder to mid-ear: the head rides on top of the thorax, so the line turns
  with the whole trunk, plus about half of any bend of the neck itself;
- the face, ear to nose: the head's own pitch, every bend below it.

Each line's turn from the calibrated neutral is modelled as the segments' bends times lever factors
(`LINE_TURN`: thoracic, lumbar, neck). Weighted least squares with no negative bend inverts the
model: the chord and the belly split the trunk's arch into thoracic and lumbar (two lines that see
the two bends very differently), the ear line and the face add the neck. The arch is thoracic +
lumbar; the neck is excluded. Without a mask the trunk is a single unknown (an upper-back arch).

Angles are read in the image and unfolded into the person's side (sagittal) plane with the camera's
azimuth, estimated from the neutral pose; from the front the side plane is seen edge on and the arch
cannot be measured at all (`SideView.measurable`). Angles are turns, so the body's size in the image
does not matter.

All functions are pure numpy on landmark and mask arrays. Angles are degrees, + = backwards.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from coach.facts import ARCH
from coach.measure.view import estimate_view_of, verdict
from coach.pose.geometry import midpoint
from coach.pose.landmarks import PoseLandmark as L
from coach.pose.types import Pose

# How far each line turns per degree of (thoracic, lumbar, neck) extension: lever factors from where
# each segment bends relative to the line's ends.
LINE_TURN: dict[str, tuple[float, float, float]] = {
    "chord": (0.5, 0.9, 0.0),
    "belly": (0.2, 1.0, 0.0),  # its top edge reaches the lower ribs
    "ear_line": (1.0, 1.0, 0.5),  # the neck bends about halfway between shoulder and ear
    "face": (1.0, 1.0, 1.0),
}
# Read-out noise of each line with the real pose model (degrees, measured on rendered clips with
# known spine angles): the weights of the least-squares split.
LINE_NOISE_DEG = {"chord": 0.75, "belly": 1.15, "ear_line": 2.5, "face": 3.5}
# Without a mask thoracic and lumbar cannot be told apart: assume a typical upper-back arch.
UPPER_BACK_ARCH_MIX = (5 / 6, 1 / 6)

# The belly band: image rows from this fraction of the torso length above the hips up to the next.
# Below it the thighs join the outline; above it the ribcage and chest do.
BELLY_BAND = (0.25, 0.5)
MIN_BELLY_ROWS = 5
MAX_OUTLINE_STEP = 0.05  # torso lengths between neighbouring rows; a bigger jump is the lap
MASK_THRESHOLD = 0.5

MIN_THIGH_SHOWING = 0.1  # torso lengths of sideways thigh that tell which way the person faces


@dataclass(frozen=True)
class SideView:
    """How the camera sees the person's side (sagittal) plane, from the neutral pose.

    forward_sign: +1 when the person faces image right (+x), -1 when they face image left.
    azimuth_deg: the camera's azimuth (`coach.measure.view`: 0 = in front, +90 = at the person's left).
    sagittal_scale: |sin(azimuth)|: how much of a backward movement shows in the image.
    torso_px: neutral hip-to-shoulder distance, the body's scale in the image.
    reason: empty when the arch can be measured, otherwise why not (for people).
    """

    forward_sign: float
    azimuth_deg: float
    sagittal_scale: float
    torso_px: float
    reason: str = ""

    @property
    def measurable(self) -> bool:
        return not self.reason


@dataclass(frozen=True)
class ArchLines:
    """Angles from vertical in the person's side plane, degrees, + = the line's top leans backwards.

    chord_deg: mid-hip to mid-shoulder. ear_line_deg: mid-shoulder to mid-ear.
    face_deg: mid-ear to nose (about -90 when upright: it points forward).
    belly_deg: front outline of the lower trunk in the mask; None without a (usable) mask.
    """

    chord_deg: float
    ear_line_deg: float
    face_deg: float
    belly_deg: float | None = None

    def turns_from(self, neutral: ArchLines) -> dict[str, float]:
        """Each line's turn from neutral, degrees, for the lines both have."""
        turns = {
            "chord": self.chord_deg - neutral.chord_deg,
            "ear_line": self.ear_line_deg - neutral.ear_line_deg,
            "face": self.face_deg - neutral.face_deg,
        }
        if self.belly_deg is not None and neutral.belly_deg is not None:
            turns["belly"] = self.belly_deg - neutral.belly_deg
        return {name: (turn + 180.0) % 360.0 - 180.0 for name, turn in turns.items()}


@dataclass(frozen=True)
class ArchReading:
    """One frame's extension from neutral, degrees, none below zero.

    arch_deg: thoracic + lumbar extension (the neck excluded).
    thoracic_deg, lumbar_deg: the split; None when it cannot be made (no mask).
    neck_deg: the head thrown back beyond the trunk's own extension.
    """

    arch_deg: float
    thoracic_deg: float | None
    lumbar_deg: float | None
    neck_deg: float


def side_view(neutral: Pose) -> SideView:
    """How the camera sees the side plane of a person sitting in neutral (azimuth: `measure.view`)."""
    estimate = estimate_view_of(neutral)
    judged = verdict(estimate.azimuth_deg, ARCH)
    xy = neutral.xy
    hips, knees = midpoint(xy, L.LEFT_HIP, L.RIGHT_HIP), midpoint(xy, L.LEFT_KNEE, L.RIGHT_KNEE)
    torso_px = float(np.linalg.norm(midpoint(xy, L.LEFT_SHOULDER, L.RIGHT_SHOULDER) - hips))
    # The thighs point forward; a camera on the person's left (azimuth > 0) sees them facing image left.
    thigh_dx = float(knees[0] - hips[0])
    if abs(thigh_dx) > MIN_THIGH_SHOWING * torso_px:
        forward_sign = float(np.sign(thigh_dx))
    else:
        forward_sign = -1.0 if estimate.azimuth_deg > 0 else 1.0
    scale = abs(float(np.sin(np.radians(estimate.azimuth_deg))))
    reason = ""
    if not judged.suits:
        reason = f"Cannot measure the arch from this view. {judged.instruction}"
    return SideView(forward_sign, estimate.azimuth_deg, scale, torso_px, reason)


def sagittal_angle_deg(vector: np.ndarray, view: SideView) -> float:
    """Angle from vertical of an image vector, unfolded into the side plane; + = top backwards.

    A line in the side plane at angle a from vertical shows in the image at atan(sin(azimuth) tan a).
    """
    backwards = -view.forward_sign * float(vector[0])
    up = -float(vector[1])
    return float(np.degrees(np.arctan2(backwards, max(view.sagittal_scale, 1e-6) * up)))


def belly_angle_deg(
    mask: np.ndarray, hips: np.ndarray, shoulders: np.ndarray, view: SideView
) -> float | None:
    """Angle of the trunk's front outline in the belly band, from a person mask (H, W) in [0, 1].

    In each image row of the band, from the top down, the outline is where the mask crosses 0.5
    walking from the hip-shoulder line towards the person's front, to sub-pixel precision. The walk
    down stops where the outline jumps forward (the lap). A line fitted to the points gives the
    angle; None when too few rows show the belly.
    """
    height, width = mask.shape
    low, high = BELLY_BAND
    max_step = max(2.0, MAX_OUTLINE_STEP * view.torso_px)
    rows: list[float] = []
    edges: list[float] = []
    top = int(np.ceil(hips[1] - high * view.torso_px))
    bottom = int(hips[1] - low * view.torso_px)
    for y in range(max(top, 0), min(bottom + 1, height)):
        along = float(np.clip((hips[1] - y) / max(hips[1] - shoulders[1], 1.0), 0.0, 1.0))
        centre = round(hips[0] + (shoulders[0] - hips[0]) * along)
        edge = _front_edge(mask[y], centre, view.forward_sign) if 0 <= centre < width else None
        if edge is None:
            continue
        if edges and abs(edge - edges[-1]) > max_step:
            break
        rows.append(float(y))
        edges.append(edge)
    if len(rows) < MIN_BELLY_ROWS:
        return None
    slope = np.polyfit(np.array(rows), np.array(edges), 1)[0]  # image dx per dy
    return sagittal_angle_deg(np.array([-slope, -1.0]), view)


def _front_edge(row: np.ndarray, start: int, forward_sign: float) -> float | None:
    """Sub-pixel x where the mask row leaves the person, walking from `start` towards the front."""
    if row[start] < MASK_THRESHOLD:
        return None
    step = 1 if forward_sign > 0 else -1
    x = start
    while 0 <= x + step < len(row) and row[x + step] >= MASK_THRESHOLD:
        x += step
    outside = x + step
    if not 0 <= outside < len(row):
        return float(x)
    inner, outer = float(row[x]), float(row[outside])
    return x + step * (inner - MASK_THRESHOLD) / max(inner - outer, 1e-6)


def arch_lines(pose: Pose, view: SideView) -> ArchLines:
    """The lines of one pose (see `ArchLines`); the belly needs `pose.mask`."""
    xy = pose.xy
    hips, shoulders = midpoint(xy, L.LEFT_HIP, L.RIGHT_HIP), midpoint(xy, L.LEFT_SHOULDER, L.RIGHT_SHOULDER)
    ears = midpoint(xy, L.LEFT_EAR, L.RIGHT_EAR)
    belly = None if pose.mask is None else belly_angle_deg(pose.mask, hips, shoulders, view)
    return ArchLines(
        chord_deg=sagittal_angle_deg(shoulders - hips, view),
        ear_line_deg=sagittal_angle_deg(ears - shoulders, view),
        face_deg=sagittal_angle_deg(xy[L.NOSE] - ears, view),
        belly_deg=belly,
    )


def read_arch(lines: ArchLines, neutral: ArchLines) -> ArchReading:
    """The thoracic, lumbar and neck extension that best explain how each line turned from neutral.

    Weighted least squares over the line models in `LINE_TURN`, no bend below zero (a slump
    forwards reads as no arch). Without the belly the trunk is one unknown, an upper-back arch.
    """
    turns = lines.turns_from(neutral)
    sensitivity = np.array([LINE_TURN[name] for name in turns])
    noise = np.array([LINE_NOISE_DEG[name] for name in turns])
    observed = np.array(list(turns.values())) / noise
    if "belly" in turns:
        thoracic, lumbar, neck = non_negative_least_squares(sensitivity / noise[:, None], observed)
        return ArchReading(thoracic + lumbar, thoracic, lumbar, neck)
    trunk = sensitivity[:, :2] @ np.array(UPPER_BACK_ARCH_MIX)
    arch, neck = non_negative_least_squares(
        np.column_stack([trunk, sensitivity[:, 2]]) / noise[:, None], observed
    )
    return ArchReading(arch, None, None, neck)


def non_negative_least_squares(matrix: np.ndarray, observed: np.ndarray) -> list[float]:
    """argmin |matrix x - observed| subject to x >= 0, trying every set of free unknowns (few unknowns)."""
    unknowns = matrix.shape[1]
    best = np.zeros(unknowns)
    best_cost = float(observed @ observed)
    for free in itertools.product((False, True), repeat=unknowns):
        columns = np.flatnonzero(free)
        if columns.size == 0:
            continue
        values = np.linalg.lstsq(matrix[:, columns], observed, rcond=None)[0]
        if np.any(values < 0):
            continue
        candidate = np.zeros(unknowns)
        candidate[columns] = values
        residual = matrix @ candidate - observed
        if float(residual @ residual) < best_cost:
            best, best_cost = candidate, float(residual @ residual)
    return [float(value) for value in best]
