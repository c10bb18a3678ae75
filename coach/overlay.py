"""Drawing the feedback on a frame. Drawing never computes: it only reads the analysis."""

from __future__ import annotations

import cv2
import numpy as np

from coach.analysis import FrameAnalysis, Phase, Severity
from coach.landmarks import LEFT_SIDE, RIGHT_SIDE, SKELETON_EDGES
from coach.pose import Pose

# BGR colours
WHITE = (255, 255, 255)
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


def annotate(
    image: np.ndarray, pose: Pose | None, analysis: FrameAnalysis, *, fps: float | None = None
) -> np.ndarray:
    """A copy of `image` with the skeleton, the angle gauge, the hold timer, rep counts and the cue."""
    canvas = image.copy()
    scale = max(canvas.shape[0] / 480.0, 0.6)
    if pose is not None:
        draw_skeleton(canvas, pose, scale)
    draw_panel(canvas, analysis, scale, fps)
    if analysis.cue is not None:
        draw_cue(canvas, analysis.cue.message, SEVERITY_COLOUR[analysis.cue.severity], scale)
    return canvas


def draw_skeleton(canvas: np.ndarray, pose: Pose, scale: float) -> None:
    thickness = max(1, round(2 * scale))
    points = np.round(pose.xy).astype(int)
    for a, b in SKELETON_EDGES:
        colour = LEFT_COLOUR if a in LEFT_SIDE and b in LEFT_SIDE else CENTRE_COLOUR
        if a in RIGHT_SIDE and b in RIGHT_SIDE:
            colour = RIGHT_COLOUR
        cv2.line(canvas, tuple(points[a]), tuple(points[b]), colour, thickness, cv2.LINE_AA)
    for index in list(LEFT_SIDE | RIGHT_SIDE):
        cv2.circle(canvas, tuple(points[index]), thickness + 1, WHITE, -1, cv2.LINE_AA)


def draw_panel(canvas: np.ndarray, analysis: FrameAnalysis, scale: float, fps: float | None) -> None:
    height = int(88 * scale)
    width = canvas.shape[1]
    panel = canvas[:height].copy()
    cv2.rectangle(panel, (0, 0), (width, height), DARK, -1)
    cv2.addWeighted(panel, 0.65, canvas[:height], 0.35, 0, canvas[:height])
    text_scale = 0.55 * scale
    line = int(22 * scale)
    angle = "--" if analysis.angle_deg is None else f"{analysis.angle_deg:+.0f} deg"
    cv2.putText(canvas, f"angle {angle}", (8, line), FONT, text_scale, WHITE, 1, cv2.LINE_AA)
    cv2.putText(canvas, analysis.phase.value, (8, 2 * line), FONT, text_scale, WHITE, 1, cv2.LINE_AA)
    counts = "  ".join(f"{side} {n}/{analysis.target_reps}" for side, n in analysis.reps_by_side.items())
    cv2.putText(
        canvas, f"reps {counts}  good {analysis.good_reps}", (8, 3 * line), FONT, text_scale, WHITE, 1
    )
    if fps is not None:
        cv2.putText(canvas, f"{fps:.0f} fps", (width - int(80 * scale), line), FONT, text_scale, WHITE, 1)
    draw_gauge(
        canvas, analysis, (width // 2, int(10 * scale)), (width // 2 - int(10 * scale), int(18 * scale))
    )
    draw_hold_bar(
        canvas, analysis, (width // 2, int(40 * scale)), (width // 2 - int(10 * scale), int(14 * scale))
    )


def draw_gauge(
    canvas: np.ndarray, analysis: FrameAnalysis, origin: tuple[int, int], size: tuple[int, int]
) -> None:
    """A bar from 0 to the comfortable range: the target band, and the current angle as a needle."""
    x, y = origin
    width, height = size
    cv2.rectangle(canvas, (x, y), (x + width, y + height), WHITE, 1)
    full = analysis.comfortable_deg or analysis.target_deg
    if not full or analysis.angle_deg is None:
        return
    span = 1.2 * full

    def to_x(deg: float) -> int:
        return x + int(np.clip(abs(deg) / span, 0.0, 1.0) * width)

    if analysis.target_deg:
        cv2.rectangle(
            canvas, (to_x(0.8 * analysis.target_deg), y + 1), (to_x(full), y + height - 1), TARGET_BAND, -1
        )
    needle = to_x(analysis.angle_deg)
    cv2.line(canvas, (needle, y - 2), (needle, y + height + 2), WHITE, 3)


def draw_hold_bar(
    canvas: np.ndarray, analysis: FrameAnalysis, origin: tuple[int, int], size: tuple[int, int]
) -> None:
    x, y = origin
    width, height = size
    cv2.rectangle(canvas, (x, y), (x + width, y + height), WHITE, 1)
    fraction = min(analysis.hold_s / analysis.hold_target_s, 1.0) if analysis.hold_target_s > 0 else 0.0
    if analysis.phase == Phase.HOLD or fraction > 0:
        colour = GOOD if fraction >= 1.0 else INFO
        cv2.rectangle(canvas, (x + 1, y + 1), (x + int(fraction * width), y + height - 1), colour, -1)
    label = f"hold {analysis.hold_s:.1f}/{analysis.hold_target_s:.0f} s"
    cv2.putText(canvas, label, (x + 4, y + height - 3), FONT, 0.4 * height / 14, WHITE, 1, cv2.LINE_AA)


def draw_cue(canvas: np.ndarray, message: str, colour: tuple[int, int, int], scale: float) -> None:
    text_scale = 0.8 * scale
    (text_width, text_height), _ = cv2.getTextSize(message, FONT, text_scale, 2)
    x = max(8, (canvas.shape[1] - text_width) // 2)
    y = canvas.shape[0] - int(20 * scale)
    cv2.rectangle(canvas, (x - 8, y - text_height - 10), (x + text_width + 8, y + 10), DARK, -1)
    cv2.putText(canvas, message, (x, y), FONT, text_scale, colour, 2, cv2.LINE_AA)
