"""Where the camera stands relative to the person (azimuth), and whether that view suits an exercise.

Azimuth convention (the ground truth's): 0 = the camera is straight in front of the person, +90 = at
the person's left side, -90 = at their right side, +-180 = behind them. Mirroring the picture negates it.

Three readings of the azimuth, each with its own failure mode, are averaged (circular mean):

- depth, twice: every left-right landmark pair (shoulders, hips, ears, eyes, mouth corners) points
  from the person's right to their left; seen from azimuth a that direction is (cos a, -sin a) in the
  camera's (x, depth) plane, so a = atan2(-d_depth, d_x). The model gives that plane twice, as image x
  with its relative depth and as metric world landmarks. At oblique views the two err in opposite
  directions (a rendered person at 45 degrees: image depth reads about 67, world about 37; at 0 and
  90 both are within a few degrees);
- foreshortening (seated people whose knees are seen): the thighs point forward, so their image
  length grows with sin(a); the shoulders span sideways, so theirs grows with cos(a); each is set
  against its metric length (world landmarks) at the trunk's pixels-per-metre. It gives |a| only;
  the sign comes from the depth readings.

At the desk (`Framing.DESK`: a laptop webcam at arm's length sees the head and shoulders) only the
world reading of the pairs in the picture is kept. The hips are the model's guess below the picture,
and its relative image depth of a face that near is skewed: on six rendered desk clips of people
square to the camera it read -10 to -43 degrees (the ears' pair alone down to -58), where the world
landmarks of the shoulders, ears, eyes and mouth read -3 to -22.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from coach.facts import ARCH, EXERCISES, ROTATE, stretch
from coach.pose.framing import Framing
from coach.pose.geometry import midpoint
from coach.pose.landmarks import PoseLandmark as L
from coach.pose.types import Pose

LEFT_RIGHT_PAIRS: tuple[tuple[L, L], ...] = (
    (L.LEFT_SHOULDER, L.RIGHT_SHOULDER),
    (L.LEFT_HIP, L.RIGHT_HIP),
    (L.LEFT_EAR, L.RIGHT_EAR),
    (L.LEFT_EYE, L.RIGHT_EYE),
    (L.MOUTH_LEFT, L.MOUTH_RIGHT),
)
DESK_PAIRS = tuple(pair for pair in LEFT_RIGHT_PAIRS if pair != (L.LEFT_HIP, L.RIGHT_HIP))

# The views each exercise needs (|azimuth|, degrees): rotation is read from the shoulder line, which a
# front or oblique camera sees; the arch is read in the side (sagittal) plane, which a side or oblique
# camera sees. ~45 serves both.
ROTATE_MAX_DEG = 45.0
ARCH_MIN_DEG = 45.0
SIDE_DEG = 90.0
# Both limits are widened by the estimate's own uncertainty, so a camera placed at about 45 degrees is
# accepted for both exercises and a side camera a little behind the person still counts as a side view.
VIEW_TOLERANCE_DEG = 10.0
# Two azimuths further apart than this are different camera placements (twice the tolerance the
# estimate is held to).
SAME_VIEW_DEG = 30.0
# The foreshortening reading needs a knee this visible and thighs within this of horizontal (seated).
MIN_KNEE_VISIBILITY = 0.5
MAX_THIGH_SLOPE_DEG = 35.0


@dataclass(frozen=True)
class ViewEstimate:
    """The camera's azimuth (degrees, (-180, 180]), how much the readings disagree (circular std,
    degrees) and each reading by name."""

    azimuth_deg: float
    spread_deg: float
    readings: dict[str, float] = field(default_factory=dict)

    @property
    def side(self) -> str:
        """Which of the person's sides the camera is on: 'front', 'left', 'right' or 'back'."""
        return view_side(self.azimuth_deg)


@dataclass(frozen=True)
class ViewVerdict:
    """Whether a view suits an exercise; `instruction` is one sentence saying what to change."""

    exercise: str
    azimuth_deg: float
    suits: bool
    instruction: str | None


def pair_azimuths_deg(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Azimuth read from each left-right pair.

    left, right: (k, 2) positions as (x towards image right, depth away from the camera), any unit.
    Returns (k,) degrees.
    """
    delta = left - right
    return np.degrees(np.arctan2(-delta[:, 1], delta[:, 0]))


def circular_mean_deg(angles_deg: np.ndarray) -> tuple[float, float]:
    """(mean, circular standard deviation) of angles, degrees."""
    radians = np.radians(np.asarray(angles_deg, dtype=np.float64))
    mean_vector = complex(float(np.mean(np.cos(radians))), float(np.mean(np.sin(radians))))
    length = min(abs(mean_vector), 1.0)
    spread = math.degrees(math.sqrt(-2.0 * math.log(length))) if length > 0 else 180.0
    return normalize_deg(math.degrees(math.atan2(mean_vector.imag, mean_vector.real))), spread


def normalize_deg(angle_deg: float) -> float:
    """The same angle in (-180, 180]."""
    wrapped = math.fmod(angle_deg + 180.0, 360.0)
    if wrapped <= 0:
        wrapped += 360.0
    return wrapped - 180.0


def angle_difference_deg(a_deg: float, b_deg: float) -> float:
    """Smallest absolute difference between two angles, degrees in [0, 180]."""
    return abs(normalize_deg(a_deg - b_deg))


def estimate_view(
    xy: np.ndarray,
    depth: np.ndarray,
    world: np.ndarray,
    visibility: np.ndarray | None = None,
    image_size: tuple[int, int] | None = None,
    framing: Framing = Framing.FULL,
) -> ViewEstimate:
    """The camera's azimuth from one set of landmarks (use a still pose, e.g. the median of a window).

    xy: (33, 2) image pixels; depth: (33,) relative depth, pixels; world: (33, 3) metres (x right,
    y down, z away from the camera); visibility: (33,) in [0, 1]; image_size: (width, height). See
    `coach.pose.types.Pose`. Without visibility and image size the foreshortening reading is left out.
    At the desk only the world reading of the pairs in the picture counts (see the module's notes).
    """
    if framing is Framing.DESK:
        left = np.array([a for a, _ in DESK_PAIRS])
        right = np.array([b for _, b in DESK_PAIRS])
        world_depth = circular_mean_deg(pair_azimuths_deg(world[left][:, [0, 2]], world[right][:, [0, 2]]))[0]
        return ViewEstimate(
            azimuth_deg=round(world_depth, 2), spread_deg=0.0, readings={"world_depth": round(world_depth, 2)}
        )
    left = np.array([a for a, _ in LEFT_RIGHT_PAIRS])
    right = np.array([b for _, b in LEFT_RIGHT_PAIRS])
    image_plane = np.column_stack([xy[:, 0], depth])
    world_plane = world[:, [0, 2]]
    readings = {
        "image_depth": circular_mean_deg(pair_azimuths_deg(image_plane[left], image_plane[right]))[0],
        "world_depth": circular_mean_deg(pair_azimuths_deg(world_plane[left], world_plane[right]))[0],
    }
    depth_azimuth = circular_mean_deg(np.array(list(readings.values())))[0]
    if visibility is not None and image_size is not None and thighs_usable(xy, world, visibility, image_size):
        magnitude = foreshortening_azimuth_deg(xy, world)
        if abs(depth_azimuth) > SIDE_DEG:  # seen from behind: the same foreshortening, mirrored
            magnitude = 180.0 - magnitude
        readings["foreshortening"] = math.copysign(magnitude, depth_azimuth)
    azimuth, spread = circular_mean_deg(np.array(list(readings.values())))
    return ViewEstimate(
        azimuth_deg=round(azimuth, 2),
        spread_deg=round(spread, 2),
        readings={name: round(value, 2) for name, value in readings.items()},
    )


def thighs_usable(
    xy: np.ndarray, world: np.ndarray, visibility: np.ndarray, image_size: tuple[int, int]
) -> bool:
    """Whether the thighs can be read: a knee seen inside the picture, thighs near horizontal (seated)."""
    knees = [L.LEFT_KNEE, L.RIGHT_KNEE]
    width, height = image_size
    inside = (xy[knees, 0] >= 0) & (xy[knees, 0] < width) & (xy[knees, 1] >= 0) & (xy[knees, 1] < height)
    seen = inside & (visibility[knees] >= MIN_KNEE_VISIBILITY)
    thigh = midpoint(world, L.LEFT_KNEE, L.RIGHT_KNEE) - midpoint(world, L.LEFT_HIP, L.RIGHT_HIP)
    length = float(np.linalg.norm(thigh))
    return (
        bool(np.any(seen))
        and length > 0
        and abs(float(thigh[1])) / length < math.sin(math.radians(MAX_THIGH_SLOPE_DEG))
    )


def foreshortening_azimuth_deg(xy: np.ndarray, world: np.ndarray) -> float:
    """|azimuth| in [0, 90] from how much the thighs and the shoulder span are foreshortened."""
    trunk_px = float(
        np.linalg.norm(
            midpoint(xy, L.LEFT_SHOULDER, L.RIGHT_SHOULDER) - midpoint(xy, L.LEFT_HIP, L.RIGHT_HIP)
        )
    )
    trunk_m = float(
        np.linalg.norm(
            midpoint(world, L.LEFT_SHOULDER, L.RIGHT_SHOULDER) - midpoint(world, L.LEFT_HIP, L.RIGHT_HIP)
        )
    )
    thigh_m = float(
        np.linalg.norm(midpoint(world, L.LEFT_KNEE, L.RIGHT_KNEE) - midpoint(world, L.LEFT_HIP, L.RIGHT_HIP))
    )
    span_m = float(np.linalg.norm(world[L.LEFT_SHOULDER] - world[L.RIGHT_SHOULDER]))
    if min(trunk_px, trunk_m, thigh_m, span_m) <= 0:
        return 0.0
    px_per_m = trunk_px / trunk_m
    sin_part = abs(
        float(midpoint(xy, L.LEFT_KNEE, L.RIGHT_KNEE)[0] - midpoint(xy, L.LEFT_HIP, L.RIGHT_HIP)[0])
    ) / (px_per_m * thigh_m)
    cos_part = abs(float(xy[L.LEFT_SHOULDER, 0] - xy[L.RIGHT_SHOULDER, 0])) / (px_per_m * span_m)
    return math.degrees(math.atan2(sin_part, cos_part))


def estimate_view_of(pose: Pose, framing: Framing = Framing.FULL) -> ViewEstimate:
    return estimate_view(pose.xy, pose.depth, pose.world, pose.visibility, pose.image_size, framing)


def view_side(azimuth_deg: float) -> str:
    """'front', 'left', 'right' or 'back': the person's side the camera mostly sees."""
    magnitude = abs(normalize_deg(azimuth_deg))
    if magnitude <= ROTATE_MAX_DEG:
        return "front"
    if magnitude > SIDE_DEG + ARCH_MIN_DEG:
        return "back"
    return "left" if azimuth_deg > 0 else "right"


def suits(azimuth_deg: float, exercise: str, framing: Framing = Framing.FULL) -> bool:
    """Whether the camera at this azimuth can see what the exercise needs. At the desk both stretches
    are read from in front (the arch from the head, shoulders and elbows: `coach.measure.desk_arch`)."""
    magnitude = abs(normalize_deg(azimuth_deg))
    if exercise == ROTATE or (framing is Framing.DESK and exercise in EXERCISES):
        return magnitude <= ROTATE_MAX_DEG + VIEW_TOLERANCE_DEG
    if exercise == ARCH:
        return ARCH_MIN_DEG - VIEW_TOLERANCE_DEG <= magnitude <= SIDE_DEG + VIEW_TOLERANCE_DEG
    raise ValueError(f"Unknown exercise {exercise!r}: use one of {', '.join(EXERCISES)}")


def verdict(azimuth_deg: float, exercise: str, framing: Framing = Framing.FULL) -> ViewVerdict:
    """Whether the view suits `exercise`, with a concrete instruction when it does not."""
    ok = suits(azimuth_deg, exercise, framing)
    return ViewVerdict(
        exercise=exercise,
        azimuth_deg=azimuth_deg,
        suits=ok,
        instruction=None if ok else _instruction(azimuth_deg, exercise, framing),
    )


def same_view(a_deg: float, b_deg: float, tolerance_deg: float = SAME_VIEW_DEG) -> bool:
    """Whether two azimuth estimates describe the same camera placement."""
    return angle_difference_deg(a_deg, b_deg) <= tolerance_deg


def describe(azimuth_deg: float) -> str:
    """A few words for people: 'from the front', 'from your left side', 'from behind'."""
    side = view_side(azimuth_deg)
    if side == "front":
        return "from the front"
    if side == "back":
        return "from behind"
    magnitude = abs(normalize_deg(azimuth_deg))
    return (
        f"from your {side} side" if magnitude >= ARCH_MIN_DEG + VIEW_TOLERANCE_DEG else f"from front-{side}"
    )


def _instruction(azimuth_deg: float, exercise: str, framing: Framing = Framing.FULL) -> str:
    title = stretch(exercise).title
    seen = f"it sees you {describe(azimuth_deg)} (about {abs(round(azimuth_deg)):d} degrees)"
    if framing is Framing.DESK:
        return f"Face the laptop with the camera straight in front of you for {title}: {seen}."
    if exercise == ROTATE:
        return f"Put the camera in front of you, or turn your chair to face it, for {title}: {seen}."
    if abs(normalize_deg(azimuth_deg)) > SIDE_DEG + VIEW_TOLERANCE_DEG:
        return f"Put the camera at your side, not behind you, for {title}: {seen}."
    return f"Turn the camera to your side, or turn your chair a quarter turn, for {title}: {seen}."
