"""The coaching overlay. Drawing never computes: every number comes from the analysis or the HUD.

`annotate(image, pose, analysis, hud=Hud(fps=29.7))` returns a new image with
- the skeleton,
- a gauge of the current angle against the calibrated range, with the target band,
- a hold ring that fills over the hold target,
- rep counters per side towards the target,
- the current cue in large text coloured by its severity (good / fault / info),
- for the live session: fps, the key help, the sound state, PAUSED and banners ("Set complete!").

A live camera's picture is shown as a mirror (`Hud(mirrored=True)`), as every video-call self-view is:
the person's left is then on the screen's left, and so are the gauge's left end and the skeleton's
left side. Only the picture and the points drawn on it are flipped; text reads as usual.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from coach.pose.landmarks import LEFT_SIDE, RIGHT_SIDE, SKELETON_EDGES
from coach.pose.types import Pose
from coach.reps.analysis import FrameAnalysis, Phase, Severity

# BGR colours
WHITE = (255, 255, 255)
GREY = (150, 150, 150)
DARK = (30, 30, 30)
LEFT_COLOUR = (80, 200, 80)
RIGHT_COLOUR = (60, 200, 230)
CENTRE_COLOUR = (220, 220, 220)
GOOD = (90, 200, 90)
FAULT = (60, 60, 230)
INFO = (230, 180, 60)
TARGET_BAND = (90, 160, 90)
SEVERITY_COLOUR = {Severity.GOOD: GOOD, Severity.FAULT: FAULT, Severity.INFO: INFO}
FONT = cv2.FONT_HERSHEY_SIMPLEX
MIN_VISIBILITY = 0.3  # joints the model is unsure about are not drawn
DEFAULT_RANGE_DEG = 45.0  # gauge range before calibration says what the person's range is

KEY_HELP = "q quit   space pause   c recalibrate   r reset set   m mute"
PHASE_LABEL = {
    Phase.CALIBRATING: "Calibrating: sit tall, keep still",
    Phase.NO_POSE: "No person in view",
    Phase.NEUTRAL: "Ready",
    Phase.MOVING: "Moving",
    Phase.HOLD: "Hold",
    Phase.RETURNING: "Back to centre",
}
SIDE_LABEL = {"left": "LEFT", "right": "RIGHT"}


@dataclass(frozen=True)
class Hud:
    """What a live session shows besides the exercise: fps, key help, pause, a banner, and the sound
    state ("voice on", "tones only", "sound muted (m)", "sound off")."""

    fps: float | None = None
    key_help: str | None = KEY_HELP
    paused: bool = False
    banner: str | None = None
    title: str | None = None
    sound: str | None = None
    note: str | None = None  # one line above the strip: what this picture cannot show (desk mode)
    mirrored: bool = False  # the picture shown as a mirror (a live camera's self-view)


def annotate(
    image: np.ndarray,
    pose: Pose | None,
    analysis: FrameAnalysis,
    *,
    fps: float | None = None,
    hud: Hud | None = None,
) -> np.ndarray:
    """A copy of `image` with the coaching overlay (see the module docstring)."""
    hud = hud or Hud(fps=fps, key_help=None)
    canvas = np.ascontiguousarray(image[:, ::-1]) if hud.mirrored else image.copy()
    scale = max(canvas.shape[0] / 480.0, 0.6)
    if hud.paused:
        canvas //= 3
    if pose is not None and not hud.paused:
        draw_skeleton(canvas, pose, scale, mirrored=hud.mirrored)
    bottom = canvas.shape[0]
    if hud.key_help or hud.fps is not None:
        bottom = draw_status_strip(canvas, hud, scale)
    if hud.note:
        bottom = draw_note(canvas, hud.note, bottom, scale)
    draw_top_bar(canvas, analysis, hud, scale)
    draw_rep_counters(canvas, analysis, scale)
    draw_hold_ring(canvas, analysis, scale)
    if hud.paused:
        draw_banner(canvas, "PAUSED - space to resume", INFO, scale)
    elif hud.banner:
        draw_banner(canvas, hud.banner, GOOD, scale)
    if analysis.cue is not None:
        draw_cue(canvas, analysis.cue.message, SEVERITY_COLOUR[analysis.cue.severity], scale, bottom)
    return canvas


def draw_skeleton(canvas: np.ndarray, pose: Pose, scale: float, *, mirrored: bool = False) -> None:
    """The pose's joints and bones; `mirrored`: on a picture flipped left to right."""
    thickness = max(2, round(3 * scale))
    xy = pose.xy.copy()
    if mirrored:
        xy[:, 0] = canvas.shape[1] - 1 - xy[:, 0]
    points = np.round(xy).astype(int)
    seen = pose.visibility >= MIN_VISIBILITY
    for a, b in SKELETON_EDGES:
        if not (seen[a] and seen[b]):
            continue
        colour = CENTRE_COLOUR
        if a in LEFT_SIDE and b in LEFT_SIDE:
            colour = LEFT_COLOUR
        elif a in RIGHT_SIDE and b in RIGHT_SIDE:
            colour = RIGHT_COLOUR
        cv2.line(canvas, tuple(points[a]), tuple(points[b]), colour, thickness, cv2.LINE_AA)
    joints = {joint for edge in SKELETON_EDGES for joint in edge}
    for index in joints:
        if seen[index]:
            cv2.circle(canvas, tuple(points[index]), thickness + 1, WHITE, -1, cv2.LINE_AA)


def draw_top_bar(canvas: np.ndarray, analysis: FrameAnalysis, hud: Hud, scale: float) -> None:
    width = canvas.shape[1]
    height = int(72 * scale)
    shade(canvas, (0, 0, width, height))
    left = int(10 * scale)
    if hud.title:
        put(canvas, hud.title, (left, int(20 * scale)), 0.5 * scale, GREY)
    label = PHASE_LABEL[analysis.phase]
    colour = GOOD if analysis.phase == Phase.HOLD else WHITE
    put(canvas, label, (left, int(46 * scale)), 0.62 * scale, colour, 2)
    gauge_width = int(width * 0.42)
    origin = (width - gauge_width - int(12 * scale), int(30 * scale))
    draw_gauge(canvas, analysis, origin, gauge_width, scale, mirrored=hud.mirrored)


def draw_gauge(
    canvas: np.ndarray,
    analysis: FrameAnalysis,
    origin: tuple[int, int],
    width: int,
    scale: float,
    *,
    mirrored: bool = False,
) -> None:
    """The angle on a bar across the person's range: the target band, the needle, the value.

    Two-sided (rotation: the person's right on the left end, their left on the right end, as a
    front camera sees them; the other way round on a `mirrored` picture) when the analysis counts
    reps per side; one-sided otherwise.
    """
    x, y = origin
    height = int(14 * scale)
    two_sided = set(SIDE_LABEL) <= set(analysis.reps_by_side)
    reach = max(analysis.comfortable_deg or 0.0, analysis.target_deg or 0.0) or DEFAULT_RANGE_DEG
    span = 1.25 * reach
    zero = x + width // 2 if two_sided else x

    towards_left_end = -1.0 if mirrored and two_sided else 1.0  # the person's left on the left

    def to_x(deg: float) -> int:
        half = width / 2 if two_sided else width
        value = float(np.clip(deg, -span if two_sided else 0.0, span))
        return round(zero + towards_left_end * value / span * half)

    cv2.rectangle(canvas, (x, y), (x + width, y + height), DARK, -1)
    if analysis.target_deg:
        band_end = max(analysis.comfortable_deg or 0.0, analysis.target_deg + 0.1 * reach)
        for sign in (1.0, -1.0) if two_sided else (1.0,):
            a, b = to_x(sign * analysis.target_deg), to_x(sign * band_end)
            cv2.rectangle(canvas, (min(a, b), y + 1), (max(a, b), y + height - 1), TARGET_BAND, -1)
    cv2.rectangle(canvas, (x, y), (x + width, y + height), GREY, 1)
    cv2.line(canvas, (zero, y - 3), (zero, y + height + 3), GREY, 1)
    label_y = y + height + int(16 * scale)
    if two_sided:
        ends = (
            (("L", LEFT_COLOUR), ("R", RIGHT_COLOUR))
            if mirrored
            else (("R", RIGHT_COLOUR), ("L", LEFT_COLOUR))
        )
        put(canvas, ends[0][0], (x - int(12 * scale), y + height - 2), 0.45 * scale, ends[0][1])
        put(canvas, ends[1][0], (x + width + int(3 * scale), y + height - 2), 0.45 * scale, ends[1][1])
    if analysis.angle_deg is None:
        put(canvas, "angle --", (x, label_y), 0.45 * scale, GREY)
        return
    in_band = analysis.target_deg is not None and abs(analysis.angle_deg) >= analysis.target_deg
    fault = analysis.cue is not None and analysis.cue.severity == Severity.FAULT
    colour = FAULT if fault else GOOD if in_band else WHITE
    needle = to_x(analysis.angle_deg)
    cv2.line(canvas, (needle, y - 4), (needle, y + height + 4), colour, max(2, round(3 * scale)))
    put(canvas, f"{analysis.angle_deg:+.0f} deg", (x, label_y), 0.45 * scale, colour)
    if analysis.target_deg:
        text = f"target {analysis.target_deg:.0f}"
        put(canvas, text, (x + width - int(80 * scale), label_y), 0.45 * scale, GREY)


def draw_rep_counters(canvas: np.ndarray, analysis: FrameAnalysis, scale: float) -> None:
    """One row per side: a pip per rep towards the target, filled for each rep done."""
    x = int(12 * scale)
    y = int(100 * scale)
    rows = len(analysis.reps_by_side)
    if not rows:
        return
    pip = int(7 * scale)
    target = max(analysis.target_reps, 1)
    box_width = int(80 * scale) + target * 3 * pip
    shade(canvas, (0, y - int(22 * scale), x + box_width, y + int(26 * scale) * rows + int(4 * scale)))
    for row, (side, done) in enumerate(analysis.reps_by_side.items()):
        row_y = y + row * int(26 * scale)
        colour = {"left": LEFT_COLOUR, "right": RIGHT_COLOUR}.get(side, WHITE)
        put(canvas, SIDE_LABEL.get(side, "REPS"), (x, row_y + pip // 2), 0.5 * scale, colour, 1)
        for i in range(target):
            centre = (x + int(64 * scale) + i * 3 * pip, row_y)
            cv2.circle(canvas, centre, pip, colour, -1 if i < done else 1, cv2.LINE_AA)
        put(canvas, f"{done}/{target}", (x + int(70 * scale) + target * 3 * pip, row_y + pip // 2),
            0.5 * scale, WHITE)  # fmt: skip
    put(canvas, f"good reps {analysis.good_reps}", (x, y + rows * int(26 * scale)), 0.45 * scale, GOOD)


def draw_hold_ring(canvas: np.ndarray, analysis: FrameAnalysis, scale: float) -> None:
    """A ring filling clockwise over the hold target; green once the hold is long enough."""
    radius = int(34 * scale)
    centre = (canvas.shape[1] - radius - int(16 * scale), int(72 * scale) + radius + int(16 * scale))
    fraction = min(analysis.hold_s / analysis.hold_target_s, 1.0) if analysis.hold_target_s > 0 else 0.0
    thickness = max(3, int(8 * scale))
    cv2.circle(canvas, centre, radius + thickness, DARK, -1, cv2.LINE_AA)
    cv2.circle(canvas, centre, radius, GREY, 1, cv2.LINE_AA)
    colour = GOOD if fraction >= 1.0 else INFO
    if fraction > 0:
        end = -90 + 360 * fraction
        cv2.ellipse(canvas, centre, (radius, radius), 0, -90, end, colour, thickness, cv2.LINE_AA)
    text = f"{analysis.hold_s:.1f}s"
    (tw, th), _ = cv2.getTextSize(text, FONT, 0.55 * scale, 2)
    put(canvas, text, (centre[0] - tw // 2, centre[1] + th // 2), 0.55 * scale, WHITE, 2)
    label = f"hold {analysis.hold_target_s:.0f} s"
    (lw, _), _ = cv2.getTextSize(label, FONT, 0.4 * scale, 1)
    put(canvas, label, (centre[0] - lw // 2, centre[1] + radius + int(22 * scale)), 0.4 * scale, GREY)


def draw_cue(
    canvas: np.ndarray, message: str, colour: tuple[int, int, int], scale: float, bottom: int
) -> None:
    """The cue in large text, centred above `bottom`, shrunk only if it would not fit."""
    width = canvas.shape[1]
    text_scale = 1.0 * scale
    thickness = max(2, round(2 * scale))
    (text_width, text_height), _ = cv2.getTextSize(message, FONT, text_scale, thickness)
    if text_width > width - 24:
        text_scale *= (width - 24) / text_width
        (text_width, text_height), _ = cv2.getTextSize(message, FONT, text_scale, thickness)
    x = (width - text_width) // 2
    y = bottom - int(16 * scale)
    cv2.rectangle(canvas, (x - 10, y - text_height - 12), (x + text_width + 10, y + 12), DARK, -1)
    cv2.rectangle(canvas, (x - 10, y - text_height - 12), (x + text_width + 10, y + 12), colour, 2)
    put(canvas, message, (x, y), text_scale, colour, thickness)


def draw_banner(canvas: np.ndarray, message: str, colour: tuple[int, int, int], scale: float) -> None:
    height, width = canvas.shape[:2]
    text_scale = 1.1 * scale
    (text_width, text_height), _ = cv2.getTextSize(message, FONT, text_scale, 2)
    if text_width > width - 24:
        text_scale *= (width - 24) / text_width
        (text_width, text_height), _ = cv2.getTextSize(message, FONT, text_scale, 2)
    x, y = (width - text_width) // 2, height // 2
    cv2.rectangle(canvas, (x - 16, y - text_height - 16), (x + text_width + 16, y + 16), DARK, -1)
    put(canvas, message, (x, y), text_scale, colour, 2)


def draw_status_strip(canvas: np.ndarray, hud: Hud, scale: float) -> int:
    """The key controls and fps on an opaque strip along the bottom; returns the strip's top edge."""
    height, width = canvas.shape[:2]
    top = height - int(22 * scale)
    baseline = height - int(7 * scale)
    cv2.rectangle(canvas, (0, top), (width, height), DARK, -1)
    if hud.key_help:
        put(canvas, hud.key_help, (int(10 * scale), baseline), 0.45 * scale, GREY)
    if hud.fps is not None:
        put(canvas, f"{hud.fps:4.1f} fps", (width - int(72 * scale), baseline), 0.45 * scale, GREY)
    if hud.sound:
        (text_width, _), _ = cv2.getTextSize(hud.sound, FONT, 0.45 * scale, 1)
        x = width - int(84 * scale) - text_width
        put(canvas, hud.sound, (x, baseline), 0.45 * scale, INFO if "muted" in hud.sound else GREY)
    return top


def draw_note(canvas: np.ndarray, note: str, bottom: int, scale: float) -> int:
    """One line of grey text on a shaded band just above `bottom`; returns the band's top edge."""
    top = bottom - int(20 * scale)
    shade(canvas, (0, top, canvas.shape[1], bottom))
    put(canvas, note, (int(10 * scale), bottom - int(6 * scale)), 0.42 * scale, GREY)
    return top


def shade(canvas: np.ndarray, box: tuple[int, int, int, int]) -> None:
    """Darken a box so text on it reads against any background."""
    x0, y0, x1, y1 = (max(0, v) for v in box)
    region = canvas[y0:y1, x0:x1]
    region[:] = (region * 0.35 + np.array(DARK) * 0.65).astype(np.uint8)


def put(
    canvas: np.ndarray,
    text: str,
    origin: tuple[int, int],
    text_scale: float,
    colour: tuple[int, int, int],
    thickness: int = 1,
) -> None:
    cv2.putText(canvas, text, origin, FONT, text_scale, colour, thickness, cv2.LINE_AA)
