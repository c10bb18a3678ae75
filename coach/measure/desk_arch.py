"""Sit and Arch seen from the front at a desk: the upper back's arch and the head's own bend back.

A laptop webcam 0.5-1 m in front of the person at shoulder height sees the head, the shoulders and
(hands behind the head) the elbows; the hips are below the picture, so the trunk's chord cannot be
drawn and the side plane is seen edge on. Two cues are left that the pose model gave steadily on a
rendered desk clip, and the two bends move them differently:

- **the head's pitch** (`head_pitch_deg`): the face (nose, eyes, mouth) against the ears in the model's
  3D landmarks, turned up from the neutral. The head turns with the whole upper body and with its own
  neck bend: by arch + neck.
- **the elbows' height in the picture.** The person's neutral is lifted into 3D (the rotation
  template's depth prior, `coach.measure.rotation.PRIOR_DEPTH_SHOULDER_SPANS`, and a pinhole camera
  `DESK_CAMERA_HFOV_DEG` wide); an arch turns it back about a pivot below the shoulders
  (`ARCH_PIVOT_SPANS`), which carries the elbows down and away from the camera. The clasped hands ride
  on the head, so the elbows, halfway between the shoulders and the hands, also turn by half of the
  neck's bend, about the neck (`DeskNeutral.elbow_height_px`).

`read_desk_arch` splits the head's turn into the arch and the neck that leave the elbows where they are;
a head turned back less than the elbows alone say (`elbow_arch_deg`) is no neck bend, and the arch is
the elbows'. The model's 3D head follows a head thrown back but, on some bodies, turns by only a third
to a half of an arch the whole upper body makes (`desk_arch_sway`: 11 degrees for 24): the head thrown
back is judged against the person's own head pitch per degree of arch in their good holds
(`read_desk_arch`'s `head_per_arch`), which flags it there.

On other bodies the model's 3D head hardly follows a head thrown back at all (`desk_arch_stiff_head`:
13.6 degrees for 10 + 24 of neck, 12-15 in its good holds). A third cue is then the one that shows it:
**the nose's rise in the picture** (`nose_pitch_deg`), read as a turn about the neck's pivot. A neck
bending back lifts the nose, which lies in front of that pivot; an arch carries the whole head back,
and how the nose moves in the picture then depends on the camera's height and the body (it rose a
little on the rendered bodies; below a lens at shoulder height it drops). So the nose says nothing
until the person's own figure is known: its pitch per degree of arch in their good holds
(`nose_per_arch_of`, the most over them). From then on it splits the elbows' reading the same way as
the head, and where it shows more neck, its split stands. Over the three rendered desk arch clips the
head-led holds' nose rose 0.07-0.10 shoulder spans beyond the person's good holds, the good holds'
within 0.02. A slump forwards reads as no arch. The lumbar share is not seen: from the front a
low-back arch and an upper-back arch turn the visible body alike (the low back's, pivoting lower,
reads a little high).

What the method keeps away from, because the model does not place it on the body at the desk (the
rendered desk clip at 0.7 m, `benchmarks/desk_arch_probe.py`): the face's image landmarks as a measure
of the head's pitch (for an upturned face the model keeps a frontal face on the chin: the nose rose 4 px
where the real nose rose 9, 17 where it rose 40; only how much further it rose than in the person's own
good holds is used, above), the shoulders (with the head back the model puts them on the collar, 50 px
higher and a third narrower, where they moved 5 px), and every sideways span (7-15 % wider at rest after
a rep than at calibration).

How well it reads (the arch analyzer at the desk; `benchmarks.accuracy`, `docs/accuracy.md`): on the
0.7 m clip (`desk_arch`, 24, 11 + 25 neck, 22) every target is met (holds within 0.1 s, MAE 2.3, the head
thrown back flagged). On a clip held out (`desk_arch_near`: another body, 0.55 m, a 74-degree lens,
640x360, breathing and sway; 27-29 degrees, then 8 + 22 neck) the reps and holds are right but good
holds read 34 and the head thrown back is missed (MAE 7.8), for two reasons the front view leaves open:

- The elbows' fall per degree of arch depends on how far behind the spine's pivot the elbows are, a
  depth the front view does not show. The two rendered bodies' pivots lie 0.06 and 0.02 m behind their
  shoulder joints; the prior takes the middle, so either body's arch reads up to a sixth off.
- The model's 3D head does not always follow the head: it turned up 5-13 degrees for a head pitched
  back 32 on the second body (36-46 for 36 on the first), so the neck bend reads as none there.

All functions are pure numpy on landmark arrays. Units: pixels of the neutral picture; a template
point's depth is in the same unit, measured so that the neutral shoulders are `focal_px` away. Angles
are degrees, + = backwards.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from coach.measure.rotation import PRIOR_DEPTH_SHOULDER_SPANS
from coach.pose.landmarks import EARS, FACE
from coach.pose.landmarks import PoseLandmark as L

SHOULDERS: tuple[L, ...] = (L.LEFT_SHOULDER, L.RIGHT_SHOULDER)
ELBOWS: tuple[L, ...] = (L.LEFT_ELBOW, L.RIGHT_ELBOW)
# A laptop webcam is 60-80 degrees wide; the focal length of the middle of that range.
DESK_CAMERA_HFOV_DEG = 70.0
# The elbows lie halfway between the shoulders, which the neck does not move, and the hands clasped
# behind the head, which it carries: they turn by half of its bend.
ELBOW_NECK_SHARE = 0.5
# Where the upper body turns about, below and behind the shoulders' midpoint, in shoulder spans (the
# model's shoulder landmarks): an arch bends the thoracic spine about its middle. On the rendered man
# of the 0.7 m desk clip the joints of a 20 + 4 degree arch turn about a point 0.23 m below the
# shoulder joints and 0.06 m behind them, 0.8 and 0.2 of the model's shoulder span; the rendered woman
# of the held-out clip turns about a point 0.02 m behind them. Nothing at the desk shows that depth:
# the prior is the middle of the two, 0.13 of the span (about 0.04 m).
ARCH_PIVOT_SPANS = (0.8, 0.13)
# The neck bends over the vertebrae between the shoulders' and the ears' height: its pivot is taken
# halfway up, at the depth halfway between them.
NECK_PIVOT_UP = 0.5
# Bisection steps that split the head's turn into arch and neck (to a few thousandths of a degree).
NECK_SEARCH_STEPS = 20
# The arches the elbows' height is tabulated for, from the upper body turned forward (- : a person
# sitting further forward than the neutral, which was then taken in an arch) to far back. Over this
# range the elbows, above and a little behind the pivot, fall steadily as the upper body turns back.
ARCH_GRID_DEG = np.arange(-30.0, 60.5, 0.5)


@dataclass(frozen=True, eq=False)
class DeskNeutral:
    """The person's upper body at neutral, in 3D, as a pinhole camera at the origin sees it.

    elbows: (2, 3) the elbows (x right, y down, z away from the camera), pixels of the neutral
        picture; the shoulders' midpoint is `focal_px` away.
    arch_pivot, neck_pivot: (3,) the points an arch and a neck bend turn about.
    axis: (3,) unit vector they turn about (the body's left-right axis, image right at neutral).
    focal_px, principal_px: the camera.
    head_pitch_deg: the neutral head's pitch (`head_pitch_deg`).
    nose_y_px: the neutral nose's image height. nose_lever_px: how far in front of the neck's pivot the
        nose lies (the template's depths), in pixels of the neutral picture.
    arch_grid_deg, elbow_y_px: (K,) the elbows' mean image height for each arch alone, both ascending.
    """

    elbows: np.ndarray
    arch_pivot: np.ndarray
    neck_pivot: np.ndarray
    axis: np.ndarray
    focal_px: float
    principal_px: np.ndarray
    head_pitch_deg: float
    nose_y_px: float
    nose_lever_px: float
    arch_grid_deg: np.ndarray
    elbow_y_px: np.ndarray

    def elbow_height_px(self, arch_deg: float, neck_deg: float) -> float:
        """The elbows' mean image height with the neck bent back by `neck_deg` (the elbows turn by
        `ELBOW_NECK_SHARE` of it) and then the upper body arched by `arch_deg`. Image y is down, so a
        right-handed turn about the left-right axis (image right) brings the top nearer: backwards is
        the negative turn."""
        bent = _turn(self.elbows - self.neck_pivot, self.axis, -ELBOW_NECK_SHARE * neck_deg) + self.neck_pivot
        arched = _turn(bent - self.arch_pivot, self.axis, -arch_deg) + self.arch_pivot
        return float(np.mean(self.principal_px[1] + self.focal_px * arched[:, 1] / arched[:, 2]))


@dataclass(frozen=True)
class DeskArchReading:
    """One frame against the neutral, degrees.

    arch_deg: the upper body's turn backwards (thoracic + lumbar). neck_deg: the head's own bend back.
    Neither below zero.
    elbows_deg, head_deg, nose_deg: the cues as read: the arch alone that would put the elbows where they
    are (- : the upper body forward of the neutral), the head's pitch from the neutral and the nose's
    rise read as a pitch (`nose_pitch_deg`).
    """

    arch_deg: float
    neck_deg: float
    elbows_deg: float
    head_deg: float
    nose_deg: float


def focal_px_of(image_size: tuple[int, int], hfov_deg: float = DESK_CAMERA_HFOV_DEG) -> float:
    """The focal length in pixels of a camera `hfov_deg` wide across `image_size`'s width."""
    return image_size[0] / 2 / float(np.tan(np.radians(hfov_deg) / 2))


def desk_neutral(
    neutral_xy: np.ndarray,
    neutral_world: np.ndarray,
    image_size: tuple[int, int],
    *,
    focal_px: float | None = None,
) -> DeskNeutral:
    """The reading's neutral from the calibrated landmarks: image (33, 2) and world (33, 3).
    ValueError without a shoulder span."""
    f = focal_px_of(image_size) if focal_px is None else focal_px
    principal = np.array([image_size[0] / 2, image_size[1] / 2])
    left, right = neutral_xy[L.LEFT_SHOULDER], neutral_xy[L.RIGHT_SHOULDER]
    span = float(np.linalg.norm(left - right))
    if span < 1.0:
        raise ValueError("the neutral pose has no shoulder span: the person is not facing the camera")
    across = (left - right) if left[0] >= right[0] else (right - left)
    axis = np.array([across[0], across[1], 0.0]) / span

    def lifted(landmarks: tuple[L, ...]) -> np.ndarray:
        """Neutral image positions lifted to 3D at their prior depths."""
        depth = f + np.array([PRIOR_DEPTH_SHOULDER_SPANS[i] for i in landmarks]) * span
        return np.column_stack([(neutral_xy[list(landmarks)] - principal) * (depth / f)[:, None], depth])

    shoulders, ears = lifted(SHOULDERS).mean(axis=0), lifted(EARS).mean(axis=0)
    neck_pivot = shoulders + NECK_PIVOT_UP * (ears - shoulders)
    [nose] = lifted((L.NOSE,))
    down = np.cross(np.array([0.0, 0.0, 1.0]), axis)  # square to the shoulder line, image down
    below, behind = ARCH_PIVOT_SPANS
    arch_pivot = shoulders + span * shoulders[2] / f * (below * down + np.array([0.0, 0.0, behind]))
    neutral = DeskNeutral(
        elbows=lifted(ELBOWS),
        arch_pivot=arch_pivot,
        neck_pivot=neck_pivot,
        axis=axis,
        focal_px=f,
        principal_px=principal,
        head_pitch_deg=head_pitch_deg(neutral_world),
        nose_y_px=float(neutral_xy[L.NOSE, 1]),
        nose_lever_px=max(float(neck_pivot[2] - nose[2]) * f / float(nose[2]), 1.0),
        arch_grid_deg=ARCH_GRID_DEG,
        elbow_y_px=np.zeros(0),
    )
    heights = np.array([neutral.elbow_height_px(arch, 0.0) for arch in ARCH_GRID_DEG])
    # The stretch of the grid about the neutral over which the elbows fall steadily.
    falling = np.diff(heights) > 0
    start = end = int(np.argmin(np.abs(ARCH_GRID_DEG)))
    while end < len(falling) and falling[end]:
        end += 1
    while start > 0 and falling[start - 1]:
        start -= 1
    kept = slice(start, end + 1)
    return dataclasses.replace(neutral, arch_grid_deg=ARCH_GRID_DEG[kept], elbow_y_px=heights[kept])


def _turn(points: np.ndarray, axis: np.ndarray, degrees: float) -> np.ndarray:
    """Points (N, 3) turned right-handedly about the unit `axis` through the origin."""
    a = np.radians(degrees)
    return (
        points * np.cos(a)
        + np.cross(axis, points) * np.sin(a)
        + np.outer(points @ axis, axis) * (1 - np.cos(a))
    )


def elbow_arch_deg(neutral: DeskNeutral, xy: np.ndarray) -> float:
    """The arch alone that puts the elbows as low in the picture as they are in landmarks `xy` (33, 2)."""
    observed = float(np.mean(xy[list(ELBOWS), 1]))
    return float(np.interp(observed, neutral.elbow_y_px, neutral.arch_grid_deg))


def head_pitch_deg(world: np.ndarray) -> float:
    """How far the face points up, from the model's 3D landmarks (33, 3): the angle of the ears-to-face
    line above the horizontal, in the plane of the camera's vertical and its depth (world y is down,
    z away from the camera)."""
    line = np.mean(world[list(FACE)], axis=0) - np.mean(world[list(EARS)], axis=0)
    return float(np.degrees(np.arctan2(-line[1], -line[2])))


def read_desk_arch(
    neutral: DeskNeutral,
    xy: np.ndarray,
    world: np.ndarray,
    head_per_arch: float = 1.0,
    nose_per_arch: float | None = None,
) -> DeskArchReading:
    """The arch and the neck bend that turn the head and put the elbows as far as one frame's landmarks
    (image (33, 2), world (33, 3)) show: the model's head turns by head_per_arch * arch + neck (the
    person's own figure, `head_per_arch_of`; 1 when the head rides on the arch in full); the neck is
    the share of that turn which leaves the elbows where they are (`DeskNeutral.elbow_height_px`). A
    head turned back less than the elbows' arch says is no neck bend, and the arch is the elbows'.

    nose_per_arch: the person's own nose pitch per degree of arch in their good holds, once known: the
    nose's rise (`nose_pitch_deg`) splits the two the same way, and where it shows more neck than the
    model's 3D head (which on some bodies hardly follows a head thrown back), its split stands."""
    elbows = elbow_arch_deg(neutral, xy)
    head = head_pitch_deg(world) - neutral.head_pitch_deg
    nose = nose_pitch_deg(neutral, xy)
    observed = float(np.mean(xy[list(ELBOWS), 1]))
    arch, neck = _split_by_cues(neutral, observed, elbows, head, nose, head_per_arch, nose_per_arch)
    return DeskArchReading(arch, neck, elbows, head, nose)


def split_desk_cues(
    neutral: DeskNeutral,
    elbows_deg: float,
    head_deg: float,
    nose_deg: float,
    head_per_arch: float = 1.0,
    nose_per_arch: float | None = None,
) -> tuple[float, float]:
    """(arch, neck) from the cues as `read_desk_arch` reads them (`DeskArchReading`'s elbows_deg,
    head_deg, nose_deg: e.g. their medians over a hold), split as it splits a frame's."""
    observed = float(np.interp(elbows_deg, neutral.arch_grid_deg, neutral.elbow_y_px))
    return _split_by_cues(neutral, observed, elbows_deg, head_deg, nose_deg, head_per_arch, nose_per_arch)


def _split_by_cues(
    neutral: DeskNeutral,
    elbows_y_px: float,
    elbows_deg: float,
    head_deg: float,
    nose_deg: float,
    head_per_arch: float,
    nose_per_arch: float | None,
) -> tuple[float, float]:
    """The head's split, or the nose's where it shows more neck (`read_desk_arch`)."""
    back = max(elbows_deg, 0.0)  # forward of the neutral is no arch
    arch, neck = _split(neutral, elbows_y_px, back, head_deg, head_per_arch)
    if nose_per_arch is not None:
        arch_by_nose, neck_by_nose = _split(neutral, elbows_y_px, back, nose_deg, nose_per_arch)
        if neck_by_nose > neck:
            arch, neck = arch_by_nose, neck_by_nose
    return arch, neck


def _split(
    neutral: DeskNeutral, elbows_y_px: float, elbows_deg: float, pitch_deg: float, pitch_per_arch: float
) -> tuple[float, float]:
    """(arch, neck): a head cue that turns by pitch_per_arch * arch + neck, split so that the elbows
    stay where they are (`elbows_y_px`); the elbows' arch alone and no neck when the cue turned no
    further than the elbows say."""
    if pitch_deg <= pitch_per_arch * elbows_deg:
        return max(elbows_deg, 0.0), 0.0
    # The arch: none leaves the elbows too high (or it is all neck), all of the elbows' too low.
    low, high = 0.0, max(elbows_deg, 0.0)
    for _ in range(NECK_SEARCH_STEPS):
        arch = (low + high) / 2
        if neutral.elbow_height_px(arch, pitch_deg - pitch_per_arch * arch) > elbows_y_px:
            high = arch
        else:
            low = arch
    arch = (low + high) / 2
    return arch, pitch_deg - pitch_per_arch * arch


def nose_pitch_deg(neutral: DeskNeutral, xy: np.ndarray) -> float:
    """The nose's rise in the picture from the neutral (landmarks `xy` (33, 2)), read as the turn about
    the neck's pivot that lifts it so far (`DeskNeutral.nose_lever_px`); - = it dropped. A neck bending
    back lifts the nose by about its lever times the sine of the bend; an arch, which turns the head
    about a pivot far lower, lifts it by much less per degree (a person's own figure)."""
    rise = (neutral.nose_y_px - float(xy[L.NOSE, 1])) / neutral.nose_lever_px
    return float(np.degrees(np.arcsin(np.clip(rise, -1.0, 1.0))))


def head_per_arch_of(good_holds: list[tuple[float, float]]) -> float:
    """How far this person's head pitch turns per degree of the elbows' arch: the most over the holds of
    their reps that were not head-led ((elbows' arch, head pitch) of each, degrees), at most 1 (the
    head rides on the upper body); 1 before any hold. The most, not the median: a good hold whose head
    read a little further back must not read as a neck bend."""
    figure = _most_per_arch(good_holds, turned_back_only=True)
    return 1.0 if figure is None else figure


def nose_per_arch_of(good_holds: list[tuple[float, float]]) -> float | None:
    """How far this person's nose pitch (`nose_pitch_deg`) turns per degree of the elbows' arch: the most
    over the holds of their reps that were not head-led ((elbows' arch, nose pitch) of each, degrees),
    at most 1; None before any such hold (the nose's rise under an arch differs from body to body: it
    says nothing of the neck until the person's own is known)."""
    return _most_per_arch(good_holds, turned_back_only=False)


def _most_per_arch(good_holds: list[tuple[float, float]], *, turned_back_only: bool) -> float | None:
    """The largest cue / elbows' arch over the holds (those with an arch; with `turned_back_only`, only
    a cue turned back), at most 1; None without any."""
    ratios = [cue / elbows for elbows, cue in good_holds if elbows > 0 and (cue > 0 or not turned_back_only)]
    return float(min(max(ratios), 1.0)) if ratios else None
