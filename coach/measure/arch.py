"""Sit and Arch measurement: how far the spine extends backwards, and where the bend happens.

Seen from the side, four lines on the body turn when the person arches back over the chair:

- the trunk chord, mid-hip to mid-shoulder: a lumbar bend pivots just above the hips and turns it
  almost fully; a thoracic bend pivots lower than the shoulders by less than half the trunk and turns
  it by about 0.4;
- the belly, the front outline of the lower trunk in the segmentation mask: it lies along the
  lumbar spine, so it turns with the lumbar bend and hardly with the thoracic one;
- the ear line, mid-shoulder to mid-ear: the head rides on top of the thorax, so the line turns
  with the whole trunk, plus about half of any bend of the neck itself;
- the face, ear to nose: the head's own pitch, every bend below it.

Each line's turn from the calibrated neutral is modelled as the segments' bends times lever factors
(`LINE_TURN`: thoracic, lumbar, neck), inverted in two steps:

1. The neck, against the chord (`neck_beyond_trunk_deg`): how far the face and the ear line turned
   beyond the upper-back arch that turns the chord as far as it turned. Fitted jointly with the
   trunk's two bends, the neck absorbs the error of their split: the chord's thoracic lever is
   small, so a degree misread in the belly moves the thoracic reading by several, and the trunk it
   loses reappears as a neck bend (on a rendered clip seen from 45 degrees, good arches read 11-19
   degrees of neck that way).
2. The trunk, with the neck's share of each line taken out: weighted least squares with no negative
   bend; the chord and the belly split it into thoracic and lumbar (two lines that see the two bends
   very differently), the ear line and the face carry the whole of it.

The arch is thoracic + lumbar; the neck is excluded. Without a mask the trunk is a single unknown (an
upper-back arch).

Angles are read in the image and unfolded into the person's side (sagittal) plane with the camera's
azimuth, estimated from the neutral pose (`sagittal_azimuth_deg`); from the front the side plane is
seen edge on and the arch cannot be measured at all (`SideView.measurable`). Angles are turns, so the
body's size in the image does not matter.

All functions are pure numpy on landmark and mask arrays. Angles are degrees, + = backwards.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from coach.facts import ARCH
from coach.measure.view import ViewEstimate, estimate_view_of, normalize_deg, verdict
from coach.pose.geometry import midpoint
from coach.pose.landmarks import PoseLandmark as L
from coach.pose.types import Pose

# How far each line turns per degree of (thoracic, lumbar, neck) extension: lever factors from where
# each segment bends relative to the line's ends. The ear line and the face join points that ride on the
# thorax and head, so they turn with the whole trunk whatever the body. The chord's thoracic lever
# depends on the body (how high the shoulders sit above where the thoracic spine bends): for the
# rendered bodies' joint centres it is 0.32-0.41 (their ground truth's `trunk_line_ext_deg`: about 10
# degrees for 20 + 4 of extension), and the model's hip and shoulder landmarks turn by 0.36-0.47.
LINE_TURN: dict[str, tuple[float, float, float]] = {
    "chord": (0.4, 0.9, 0.0),
    "belly": (0.2, 1.0, 0.0),  # its top edge reaches the lower ribs
    "ear_line": (1.0, 1.0, 0.5),  # the neck bends about halfway between shoulder and ear
    "face": (1.0, 1.0, 1.0),
}
# Read-out noise of each line with the real pose model (degrees, measured on rendered clips with
# known spine angles): the weights of the least-squares split.
LINE_NOISE_DEG = {"chord": 0.75, "belly": 1.15, "ear_line": 2.5, "face": 3.5}
# Without a mask thoracic and lumbar cannot be told apart: assume a typical upper-back arch.
UPPER_BACK_ARCH_MIX = (5 / 6, 1 / 6)
# The chord turns by about half of an upper-back arch: by 0.42-0.50 of the rendered good arches (20
# degrees thoracic + 4 lumbar) in their ground truth, 0.44-0.56 in the model's landmarks (in the line
# model, half is an arch whose low back does a fifth of it). The neck is read against the trunk this
# implies (`neck_beyond_trunk_deg`).
CHORD_PER_UPPER_BACK_ARCH = 0.5
# How far a body's chord turns for its upper-back arch depends on the body and how the model places its
# hips and shoulders: in good holds, the chord turned by 0.59-0.73 of the ear line on the rendered side
# views and by 0.43-0.65 at 45 degrees (the ear line turns with the whole trunk). A person's own
# figure (`chord_per_arch_of`) is learnt from their holds and kept within these bounds: an upper-back
# arch turns the chord by its thoracic lever at the least, a low-back one by the lumbar lever at most.
CHORD_PER_ARCH_BOUNDS = (LINE_TURN["chord"][0], LINE_TURN["chord"][1])
# Seen from the side the face (ear to nose) turns with the ear line in a good hold, as the line model
# says (0.94-1.07 on the rendered side views); seen from 40-50 degrees off the side it does not: the
# far ear is hidden and the model's face line turned by 0.52 of the ear line on one body and by 1.23-1.32
# on another. A person's own figure (`face_per_ear_line_of`) is learnt from their good holds, within
# these bounds.
FACE_PER_EAR_LINE_BOUNDS = (0.5, 1.5)

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
    sagittal_scale: |sin(a)| for the azimuth a the side plane is unfolded with
        (`sagittal_azimuth_deg`): how much of a backward movement shows in the image.
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
    neck_deg: the head thrown back beyond the trunk's own extension (`neck_beyond_trunk_deg`).
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
    scale = abs(float(np.sin(np.radians(sagittal_azimuth_deg(estimate)))))
    reason = ""
    if not judged.suits:
        reason = f"Cannot measure the arch from this view. {judged.instruction}"
    return SideView(forward_sign, estimate.azimuth_deg, scale, torso_px, reason)


def sagittal_azimuth_deg(estimate: ViewEstimate) -> float:
    """The azimuth the side plane is unfolded with: the median of the view's readings.

    Every angle read in the side plane is divided by sin(azimuth), so at oblique views an error in the
    azimuth is an error in the arch (at 45 degrees, 8 degrees of azimuth are 13 % of the arch). There the
    image-depth reading errs by 20-25 degrees towards the side while the other two err by a few
    (`coach.measure.view`); their circular mean, which judges where the camera is, keeps a third of that
    error, and the median drops it. With two readings the median is their mean.
    """
    values = list(estimate.readings.values())
    if not values:
        return estimate.azimuth_deg
    offsets = [normalize_deg(value - estimate.azimuth_deg) for value in values]
    return normalize_deg(estimate.azimuth_deg + float(np.median(offsets)))


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


def read_arch(
    lines: ArchLines,
    neutral: ArchLines,
    chord_per_arch: float = CHORD_PER_UPPER_BACK_ARCH,
    face_per_ear_line: float = 1.0,
) -> ArchReading:
    """The thoracic, lumbar and neck extension that best explain how each line turned from neutral.

    The neck first, against the chord (`neck_beyond_trunk_deg`, with the person's `chord_per_arch`);
    then, with the neck's share of each line's turn taken out, weighted least squares over the line
    models in `LINE_TURN` for the trunk, no bend below zero (a slump forwards reads as no arch).
    Without the belly the trunk is one unknown, an upper-back arch.

    The neck reported is read against the person's own face figure too (`face_per_ear_line`); the
    trunk is split with the line model's throughout. (Split with the person's face figure, the trunk
    took a rock of the upper body about the hips into the arch with a different weight in each line:
    45 degrees off the side, a 2-degree sway then cut two holds short.)
    """
    turns = lines.turns_from(neutral)
    neck = neck_beyond_trunk_deg(turns, chord_per_arch)
    sensitivity = np.array([LINE_TURN[name] for name in turns])
    noise = np.array([LINE_NOISE_DEG[name] for name in turns])
    observed = (np.array(list(turns.values())) - sensitivity[:, 2] * neck) / noise
    own_neck = neck_beyond_trunk_deg(turns, chord_per_arch, face_per_ear_line)
    if "belly" in turns:
        thoracic, lumbar = non_negative_least_squares(sensitivity[:, :2] / noise[:, None], observed)
        return ArchReading(thoracic + lumbar, thoracic, lumbar, own_neck)
    trunk = sensitivity[:, :2] @ np.array(UPPER_BACK_ARCH_MIX)
    [arch] = non_negative_least_squares((trunk / noise)[:, None], observed)
    return ArchReading(arch, None, None, own_neck)


def _line_turn(name: str, face_per_ear_line: float) -> np.ndarray:
    """`LINE_TURN[name]`, the face's scaled by the person's own figure (`face_per_ear_line_of`)."""
    levers = np.array(LINE_TURN[name])
    return levers * face_per_ear_line if name == "face" else levers


def neck_beyond_trunk_deg(
    turns: dict[str, float], chord_per_arch: float = CHORD_PER_UPPER_BACK_ARCH, face_per_ear_line: float = 1.0
) -> float:
    """How far the head is thrown back beyond the upper-back arch that turns the chord as far, degrees.

    The chord is the line read most precisely, and no neck bend moves it: the trunk's extension is
    taken as its turn over `chord_per_arch` (`CHORD_PER_UPPER_BACK_ARCH`, or the person's own,
    `chord_per_arch_of`; none when the chord turned forwards: a slump). The neck is the weighted
    least-squares fit of what the face (lever 1) and the ear line (lever 1/2) turned beyond that,
    none below zero. With the line model's figure it reads the neck's own bend whenever the low back
    does a fifth of the arch; more of the low back and it reads less (a head thrown back over a
    low-back arch is judged conservatively); less, and it reads up to a fifth of the arch too much.
    """
    trunk = max(turns["chord"], 0.0) / chord_per_arch
    names = ("face", "ear_line")
    line_turn = np.array([_line_turn(name, face_per_ear_line) for name in names])  # (2, 3)
    weights = 1.0 / np.array([LINE_NOISE_DEG[name] for name in names]) ** 2
    # The face and the ear line turn with the whole trunk (their thoracic and lumbar levers are 1, the
    # face's as the person's figure says).
    beyond = np.array([turns[name] for name in names]) - line_turn[:, 0] * trunk
    levers = line_turn[:, 2]
    neck = float(np.sum(weights * levers * beyond) / np.sum(weights * levers**2))
    return max(neck, 0.0)


def chord_per_arch_of(good_holds: list[tuple[float, float]]) -> float:
    """The person's own chord turn per degree of upper-back arch, from the holds of their reps that
    were neither head-led nor low-back ones: (chord turn, ear-line turn) of each hold, degrees. The
    ear line turns with the whole trunk and, in a good hold, hardly more (the hands carry the head), so
    their ratio is how far this body's chord turns for its arch. The median over the holds, within
    `CHORD_PER_ARCH_BOUNDS`; `CHORD_PER_UPPER_BACK_ARCH` before any hold.

    A head thrown back turns the ear line further and lowers the ratio; a low-back arch raises it: read
    against the person's own good holds, either stands out of their body's own figure."""
    ratios = [chord / ear_line for chord, ear_line in good_holds if ear_line > 0 and chord > 0]
    if not ratios:
        return CHORD_PER_UPPER_BACK_ARCH
    low, high = CHORD_PER_ARCH_BOUNDS
    return float(np.clip(np.median(ratios), low, high))


def face_per_ear_line_of(good_holds: list[tuple[float, float]]) -> float:
    """How far this person's face turns, as the model reads it, per degree the ear line turns, from the
    holds of their good reps: (ear-line turn, face turn) of each hold, degrees; the median, within
    `FACE_PER_EAR_LINE_BOUNDS`; 1 (the line model's) before any hold."""
    ratios = [face / ear_line for ear_line, face in good_holds if ear_line > 0 and face > 0]
    if not ratios:
        return 1.0
    low, high = FACE_PER_EAR_LINE_BOUNDS
    return float(np.clip(np.median(ratios), low, high))


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
