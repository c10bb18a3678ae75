"""Arch measurement on hand-made side views of a seated body whose spine bends are known exactly.

The body is tests/seated.py's (person frame: X = their left, Y = up, Z = the way they face, metres,
hips at the origin), bent like a two-segment spine: the lumbar bend pivots a tenth of the trunk above
the hips, the thoracic bend 0.6 of the way up, the neck halfway between shoulders and ears. With those
pivots the hip-shoulder chord turns by 0.9 of the lumbar bend and 0.4 of the thoracic one, and the
shoulder-ear line by half the neck's, as `coach.measure.arch.LINE_TURN` models them. The segmentation mask is
the body's side silhouette (seen as flat in its side plane), drawn with anti-aliased edges; its
abdominal wall hangs between pelvis and ribs and turns by the lumbar bend plus a fifth of the
thoracic one.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from coach.measure.arch import (
    CHORD_PER_UPPER_BACK_ARCH,
    FACE_PER_EAR_LINE_BOUNDS,
    LINE_TURN,
    ArchLines,
    SideView,
    arch_lines,
    belly_angle_deg,
    chord_per_arch_of,
    face_per_ear_line_of,
    neck_beyond_trunk_deg,
    read_arch,
    sagittal_angle_deg,
    sagittal_azimuth_deg,
    side_view,
)
from coach.measure.view import ViewEstimate
from coach.pose.landmarks import NUM_LANDMARKS
from coach.pose.landmarks import PoseLandmark as L
from coach.pose.types import Pose
from tests.seated import BODY_M, TRUNK_M, body_points_m, mirrored, seated_pose

LUMBAR_PIVOT_Y = 0.1 * TRUNK_M
THORACIC_PIVOT_Y = 0.6 * TRUNK_M
NECK_PIVOT_Y = (TRUNK_M + BODY_M[L.LEFT_EAR][1]) / 2
HEAD = {
    L.NOSE,
    L.LEFT_EYE_INNER,
    L.LEFT_EYE,
    L.LEFT_EYE_OUTER,
    L.RIGHT_EYE_INNER,
    L.RIGHT_EYE,
    L.RIGHT_EYE_OUTER,
    L.LEFT_EAR,
    L.RIGHT_EAR,
    L.MOUTH_LEFT,
    L.MOUTH_RIGHT,
    L.LEFT_ELBOW,
    L.RIGHT_ELBOW,
    L.LEFT_WRIST,
    L.RIGHT_WRIST,
    L.LEFT_PINKY,
    L.RIGHT_PINKY,
    L.LEFT_INDEX,
    L.RIGHT_INDEX,
    L.LEFT_THUMB,
    L.RIGHT_THUMB,
}  # fmt: skip  (the clasped hands and the elbows follow the head)
THORAX = {L.LEFT_SHOULDER, L.RIGHT_SHOULDER}
ABDOMEN_LENGTH_M = 0.2

# The side silhouette: (height Y, forward Z, segment) going round the body; "abdomen" points lie on
# the abdominal wall, at that distance up it from its foot (the first point).
SILHOUETTE: tuple[tuple[float, float, str], ...] = (
    (0.05, 0.55, "pelvis"),  # knee, top
    (0.05, 0.13, "pelvis"),  # lap
    (0.06, 0.12, "lumbar"),  # foot of the abdominal wall
    (0.0, ABDOMEN_LENGTH_M, "abdomen"),  # its top, at the lower ribs
    (0.32, 0.13, "thorax"),
    (0.44, 0.12, "thorax"),
    (0.56, 0.05, "thorax"),  # throat
    (0.64, 0.09, "head"),  # chin
    (0.70, 0.13, "head"),  # nose
    (0.84, 0.0, "head"),
    (0.72, -0.11, "head"),
    (0.56, -0.09, "thorax"),
    (0.40, -0.13, "thorax"),
    (0.26, -0.12, "thorax"),
    (0.12, -0.11, "lumbar"),
    (-0.04, -0.12, "pelvis"),
    (-0.09, 0.0, "pelvis"),
    (-0.09, 0.55, "pelvis"),
)


def _bend(points: np.ndarray, degrees: float, pivot_y: float) -> np.ndarray:
    """Points (k, 3) turned backwards (top towards -Z) about the horizontal axis through (0, pivot_y, 0)."""
    a = math.radians(degrees)
    y, z = points[:, 1] - pivot_y, points[:, 2]
    out = points.copy()
    out[:, 1] = pivot_y + y * math.cos(a) + z * math.sin(a)
    out[:, 2] = -y * math.sin(a) + z * math.cos(a)
    return out


def _bend_segments(
    points: np.ndarray, segments: list[str], thoracic: float, lumbar: float, neck: float
) -> np.ndarray:
    """Bend each point with the segments at and below its own: head, thorax, lumbar, pelvis (fixed)."""
    chain = ["pelvis", "lumbar", "thorax", "head"]
    out = points.copy()
    for bend, pivot_y, lowest in (
        (neck, NECK_PIVOT_Y, 3),
        (thoracic, THORACIC_PIVOT_Y, 2),
        (lumbar, LUMBAR_PIVOT_Y, 1),
    ):
        moving = np.array([chain.index(segment) >= lowest for segment in segments])
        if moving.any():
            out[moving] = _bend(out[moving], bend, pivot_y)
    return out


def bent_body(thoracic: float = 0.0, lumbar: float = 0.0, neck: float = 0.0) -> np.ndarray:
    """(33, 3) the seated body with its spine extended by these bends, degrees."""
    segments = ["head" if lm in HEAD else "thorax" if lm in THORAX else "pelvis" for lm in L]
    return _bend_segments(body_points_m(), segments, thoracic, lumbar, neck)


def silhouette_m(thoracic: float = 0.0, lumbar: float = 0.0, neck: float = 0.0) -> np.ndarray:
    """(k, 3) the bent side silhouette's corners in the person frame (X = 0)."""
    points, segments = [], []
    for y, z, segment in SILHOUETTE:
        if segment == "abdomen":
            continue
        points.append((0.0, y, z))
        segments.append(segment)
    corners = _bend_segments(np.array(points), segments, thoracic, lumbar, neck)
    foot = segments.index("lumbar")
    a = math.radians(lumbar + 0.2 * thoracic)
    top = corners[foot] + ABDOMEN_LENGTH_M * np.array([0.0, math.cos(a), -math.sin(a)])
    return np.insert(corners, foot + 1, top, axis=0)


def project(
    points: np.ndarray, azimuth_deg: float, px_per_m: float, hip_centre_px: tuple[float, float]
) -> np.ndarray:
    """tests/seated.py's camera: orthographic, image right along (cos a, 0, -sin a)."""
    a = math.radians(azimuth_deg)
    right = np.array([math.cos(a), 0.0, -math.sin(a)])
    return np.column_stack([points @ right, -points[:, 1]]) * px_per_m + np.asarray(hip_centre_px)


def fill_polygon(corners_px: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """(H, W) float32 mask of a polygon, each pixel's share of its row span inside (anti-aliased in x)."""
    width, height = size
    mask = np.zeros((height, width), dtype=np.float32)
    x0s, y0s = corners_px[:, 0], corners_px[:, 1]
    x1s, y1s = np.roll(x0s, -1), np.roll(y0s, -1)
    columns = np.arange(width)
    for row in range(height):
        y = row + 0.5
        crossing = (y0s <= y) != (y1s <= y)
        xs = np.sort(
            x0s[crossing]
            + (y - y0s[crossing]) * (x1s[crossing] - x0s[crossing]) / (y1s[crossing] - y0s[crossing])
        )
        for left, right in zip(xs[::2], xs[1::2], strict=True):
            mask[row] += np.clip(np.minimum(right, columns + 1) - np.maximum(left, columns), 0, 1)
    return np.clip(mask, 0, 1)


def arch_pose(
    thoracic: float = 0.0,
    lumbar: float = 0.0,
    neck: float = 0.0,
    *,
    azimuth_deg: float = 90.0,
    px_per_m: float = 250.0,
    hip_centre_px: tuple[float, float] = (320.0, 330.0),
    with_mask: bool = True,
    mirror: bool = False,
) -> Pose:
    """The bent seated body seen from `azimuth_deg`, with its silhouette as the mask."""
    pose = seated_pose(
        azimuth_deg, px_per_m=px_per_m, hip_centre_px=hip_centre_px, body=bent_body(thoracic, lumbar, neck)
    )
    if mirror:
        pose = mirrored(pose)
    if not with_mask:
        return pose
    corners = project(silhouette_m(thoracic, lumbar, neck), azimuth_deg, px_per_m, hip_centre_px)
    if mirror:
        corners[:, 0] = pose.image_size[0] - corners[:, 0]
    return Pose(
        xy=pose.xy,
        depth=pose.depth,
        world=pose.world,
        visibility=pose.visibility,
        image_size=pose.image_size,
        mask=fill_polygon(corners, pose.image_size),
    )


def model_turns(thoracic: float, lumbar: float, neck: float) -> dict[str, float]:
    bends = np.array([thoracic, lumbar, neck])
    return {name: float(np.dot(turn, bends)) for name, turn in LINE_TURN.items()}


def lines_with_turns(turns: dict[str, float], neutral: ArchLines) -> ArchLines:
    return ArchLines(
        chord_deg=neutral.chord_deg + turns["chord"],
        ear_line_deg=neutral.ear_line_deg + turns["ear_line"],
        face_deg=neutral.face_deg + turns["face"],
        belly_deg=None if neutral.belly_deg is None else neutral.belly_deg + turns["belly"],
    )


NEUTRAL = ArchLines(chord_deg=6.0, ear_line_deg=-8.0, face_deg=-95.0, belly_deg=-3.0)


# -- the view ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("azimuth", "facing"), [(90, -1.0), (-90, 1.0), (60, -1.0), (-50, 1.0)])
def test_a_side_or_oblique_camera_can_measure_the_arch(azimuth: float, facing: float) -> None:
    view = side_view(arch_pose(azimuth_deg=azimuth, with_mask=False))
    assert view.measurable, view.reason
    assert view.forward_sign == facing
    assert view.azimuth_deg == pytest.approx(azimuth, abs=8)
    assert view.sagittal_scale == pytest.approx(abs(math.sin(math.radians(azimuth))), abs=0.1)
    assert view.torso_px == pytest.approx(TRUNK_M * 250, rel=0.01)


@pytest.mark.parametrize("azimuth", [0, 15, -20])
def test_from_the_front_the_arch_cannot_be_measured_and_it_says_why(azimuth: float) -> None:
    view = side_view(arch_pose(azimuth_deg=azimuth, with_mask=False))
    assert not view.measurable
    assert "Cannot measure the arch from this view" in view.reason
    assert "side" in view.reason


@pytest.mark.parametrize(
    ("readings", "expected"),
    [
        # the rendered arch seen from 45 degrees: image depth errs towards the side, the mean by 8
        ({"image_depth": 70.8, "world_depth": 42.6, "foreshortening": 47.2}, 47.2),
        ({"image_depth": -70.8, "world_depth": -42.6, "foreshortening": -47.2}, -47.2),  # mirrored
        ({"image_depth": 80.0, "world_depth": 84.0}, 82.0),  # no thighs: the mean of two
        ({"image_depth": 170.0, "world_depth": -175.0, "foreshortening": 178.0}, 178.0),  # across 180
        ({}, 60.0),
    ],
)
def test_the_side_plane_is_unfolded_with_the_median_view_reading(
    readings: dict[str, float], expected: float
) -> None:
    values = list(readings.values()) or [60.0]
    mean = math.degrees(
        math.atan2(*np.mean([[math.sin(math.radians(v)), math.cos(math.radians(v))] for v in values], axis=0))
    )
    estimate = ViewEstimate(azimuth_deg=mean, spread_deg=0.0, readings=readings)
    assert sagittal_azimuth_deg(estimate) == pytest.approx(expected, abs=1e-6)


def test_mirroring_the_picture_turns_which_way_the_person_faces() -> None:
    pose = arch_pose(azimuth_deg=80, with_mask=False)
    assert side_view(pose).forward_sign == -side_view(mirrored(pose)).forward_sign


# -- lines ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("azimuth", [90, 45])
@pytest.mark.parametrize("degrees", [0, 12, 30, -10])
def test_side_plane_angles_are_unfolded_from_the_foreshortened_picture(
    azimuth: float, degrees: float
) -> None:
    view = SideView(
        forward_sign=-1.0, azimuth_deg=azimuth, sagittal_scale=math.sin(math.radians(azimuth)), torso_px=100
    )
    a = math.radians(degrees)
    # A line leaning back by `degrees` in the side plane; the person faces image left, so back is +x.
    image_vector = np.array([math.sin(a) * view.sagittal_scale, -math.cos(a)])
    assert sagittal_angle_deg(image_vector, view) == pytest.approx(degrees, abs=1e-9)


@pytest.mark.parametrize(("azimuth", "mirror"), [(90, False), (90, True), (55, False), (-70, False)])
@pytest.mark.parametrize(
    ("thoracic", "lumbar", "neck"),
    [(20, 0, 0), (0, 20, 0), (0, 0, 25), (20, 4, 0), (5, 20, 0), (8, 3, 25)],
)
def test_each_line_turns_by_its_lever_factors(
    azimuth: float, mirror: bool, thoracic: float, lumbar: float, neck: float
) -> None:
    neutral_pose = arch_pose(azimuth_deg=azimuth, mirror=mirror)
    view = side_view(neutral_pose)
    turns = arch_lines(
        arch_pose(thoracic, lumbar, neck, azimuth_deg=azimuth, mirror=mirror), view
    ).turns_from(arch_lines(neutral_pose, view))
    expected = model_turns(thoracic, lumbar, neck)
    # The lever factors are exact for small bends; 20-25 degree bends stray by a fraction of a degree.
    for name in ("chord", "ear_line", "face", "belly"):
        assert turns[name] == pytest.approx(expected[name], abs=1.0), name


def test_a_thoracic_arch_barely_turns_the_belly_a_lumbar_one_turns_it_fully() -> None:
    view = side_view(arch_pose())
    neutral = arch_lines(arch_pose(), view)
    upper = arch_lines(arch_pose(thoracic=20), view).turns_from(neutral)
    lower = arch_lines(arch_pose(lumbar=20), view).turns_from(neutral)
    assert upper["belly"] == pytest.approx(4.0, abs=0.5)
    assert lower["belly"] == pytest.approx(20.0, abs=0.5)
    assert upper["chord"] == pytest.approx(8.0, abs=0.5) and lower["chord"] == pytest.approx(18.0, abs=0.5)


def test_belly_outline_is_found_to_a_fraction_of_a_degree_on_a_small_person() -> None:
    view = side_view(arch_pose(px_per_m=110))
    neutral = arch_lines(arch_pose(px_per_m=110), view)
    turned = arch_lines(arch_pose(lumbar=12, px_per_m=110), view).turns_from(neutral)
    assert turned["belly"] == pytest.approx(12.0, abs=0.6)


def test_belly_outline_stops_at_the_lap() -> None:
    """A thigh reaching up into the band is not the belly: the walk down stops where the outline jumps."""
    view = SideView(forward_sign=1.0, azimuth_deg=90, sagittal_scale=1.0, torso_px=100.0)
    mask = np.zeros((200, 200), dtype=np.float32)
    hips, shoulders = np.array([100.0, 150.0]), np.array([100.0, 50.0])
    for y in range(40, 151):
        mask[y, 80 : 120 + (y - 40) // 10] = 1.0  # leaning back: the front edge comes forward lower down
    mask[125:160, 80:190] = 1.0  # the lap, reaching 25 rows above the hips
    angle = belly_angle_deg(mask, hips, shoulders, view)
    assert angle is not None
    assert angle == pytest.approx(math.degrees(math.atan(0.1)), abs=1.0)


def test_no_belly_without_a_mask_or_with_an_empty_one() -> None:
    pose = arch_pose(with_mask=False)
    view = side_view(pose)
    assert arch_lines(pose, view).belly_deg is None
    hips, shoulders = np.array([320.0, 330.0]), np.array([320.0, 210.0])
    assert belly_angle_deg(np.zeros((480, 640), dtype=np.float32), hips, shoulders, view) is None


# -- reading the bends ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("thoracic", "lumbar", "neck"),
    [(0, 0, 0), (20, 5, 0), (5, 20, 0), (0, 15, 0), (8, 2, 25), (16, 4, 10)],
)
def test_the_line_model_is_inverted_exactly(thoracic: float, lumbar: float, neck: float) -> None:
    """Exactly whenever the neck is read in full: its trunk reference (half the arch turns the chord)
    is an arch whose low back does a fifth; without a neck bend, whenever the low back does more."""
    reading = read_arch(lines_with_turns(model_turns(thoracic, lumbar, neck), NEUTRAL), NEUTRAL)
    assert reading.arch_deg == pytest.approx(thoracic + lumbar, abs=1e-6)
    assert reading.thoracic_deg == pytest.approx(thoracic, abs=1e-6)
    assert reading.lumbar_deg == pytest.approx(lumbar, abs=1e-6)
    assert reading.neck_deg == pytest.approx(neck, abs=1e-6)


@pytest.mark.parametrize(("thoracic", "lumbar"), [(0, 0), (8, 2), (20, 4), (25, 0), (8, 3), (5, 20), (0, 15)])
@pytest.mark.parametrize("neck", [0, 10, 25])
def test_the_neck_is_read_against_half_the_arch_in_the_chord(
    thoracic: float, lumbar: float, neck: float
) -> None:
    """The trunk the chord implies is exact for a low back doing a fifth of the arch; a larger share
    reads the neck short (a head thrown back over a low-back arch is judged conservatively), a
    smaller one long, by at most a third of the thoracic arch."""
    read = neck_beyond_trunk_deg(model_turns(thoracic, lumbar, neck))
    assert read >= 0.0
    if 4 * lumbar >= thoracic:
        assert read <= neck + 1e-9
    if 4 * lumbar <= thoracic:
        assert neck - 1e-9 <= read <= neck + thoracic / 3 + 1e-9
    if 4 * lumbar == thoracic:
        assert read == pytest.approx(neck, abs=1e-9)


def test_a_head_thrown_back_over_a_small_arch_reads_as_one() -> None:
    """The rendered head-back rep: 8 + 3 degrees of trunk, 25 of neck."""
    reading = read_arch(lines_with_turns(model_turns(8, 3, 25), NEUTRAL), NEUTRAL)
    assert reading.neck_deg == pytest.approx(25.0, abs=1.5)
    assert reading.arch_deg == pytest.approx(11.0, abs=1.0)


def test_a_misread_split_does_not_turn_a_good_arch_into_a_head_thrown_back() -> None:
    """What the model's lines did in a good arch seen from 45 degrees (18 + 4, no neck bend): the chord
    read a degree short, the belly a degree long and the face 6 degrees long. Fitting the neck with the
    trunk's split, that read as 12 degrees of thoracic arch short and 14 of neck."""
    turns = model_turns(18, 4, 0)
    turns.update(chord=turns["chord"] - 1.0, belly=turns["belly"] + 1.0, face=turns["face"] + 6.0)
    reading = read_arch(lines_with_turns(turns, NEUTRAL), NEUTRAL)
    assert reading.neck_deg < 8.0
    assert reading.arch_deg == pytest.approx(22.0, abs=4.0)


def a_body_whose_chord_turns(share: float, thoracic: float, lumbar: float, neck: float) -> dict[str, float]:
    """The line model's turns for a body whose chord turns by `share` of its arch (the model's lines
    for the rendered bodies: 0.43-0.73 of the ear line in good holds, against the model's 0.48)."""
    turns = model_turns(thoracic, lumbar, neck)
    turns["chord"] = share * (thoracic + lumbar)
    return turns


def test_the_person_s_own_chord_turn_is_learnt_from_their_good_holds() -> None:
    good = a_body_whose_chord_turns(0.65, 20, 4, 0)
    assert chord_per_arch_of([]) == CHORD_PER_UPPER_BACK_ARCH
    assert chord_per_arch_of([(good["chord"], good["ear_line"])]) == pytest.approx(0.65)
    # The median over holds; a ratio no spine gives is kept to the line model's levers.
    assert chord_per_arch_of([(13.0, 20.0), (14.0, 20.0), (30.0, 20.0)]) == pytest.approx(0.7)
    assert chord_per_arch_of([(2.0, 20.0)]) == LINE_TURN["chord"][0]
    assert chord_per_arch_of([(40.0, 20.0)]) == LINE_TURN["chord"][1]
    assert chord_per_arch_of([(-3.0, 20.0), (5.0, 0.0)]) == CHORD_PER_UPPER_BACK_ARCH


@pytest.mark.parametrize("share", [0.45, 0.65, 0.73])
def test_a_head_thrown_back_is_read_against_the_person_s_own_chord_turn(share: float) -> None:
    """The held-out body seen from 45 degrees: its chord turned by 0.65 of a good arch, so against the
    line model's half the 8 + 3 degrees of a head-led arch read as 21 degrees of trunk and the 25 degrees
    of neck as 7. Against its own good hold, the neck reads in full and the good hold reads none."""
    good = a_body_whose_chord_turns(share, 20, 4, 0)
    own = chord_per_arch_of([(good["chord"], good["ear_line"])])
    head_led = a_body_whose_chord_turns(share, 8, 3, 25)
    assert neck_beyond_trunk_deg(head_led, own) == pytest.approx(25.0, abs=1e-6)
    assert neck_beyond_trunk_deg(good, own) == pytest.approx(0.0, abs=1e-6)
    if share > CHORD_PER_UPPER_BACK_ARCH:
        assert neck_beyond_trunk_deg(head_led) < 21.0  # the line model's figure reads it short


def test_a_forward_slump_reads_as_no_arch() -> None:
    reading = read_arch(lines_with_turns(model_turns(-10, -5, 0), NEUTRAL), NEUTRAL)
    assert reading.arch_deg == 0.0
    assert reading.thoracic_deg == 0.0 and reading.lumbar_deg == 0.0
    assert reading.neck_deg == 0.0


def test_the_neck_is_not_part_of_the_arch() -> None:
    """A head thrown back with no arch at all."""
    reading = read_arch(lines_with_turns(model_turns(0, 0, 30), NEUTRAL), NEUTRAL)
    assert reading.arch_deg == pytest.approx(0.0, abs=1e-6)
    assert reading.neck_deg == pytest.approx(30.0, abs=1e-6)


def test_without_the_belly_the_arch_is_read_as_an_upper_back_arch() -> None:
    neutral = ArchLines(chord_deg=6.0, ear_line_deg=-8.0, face_deg=-95.0)
    reading = read_arch(lines_with_turns(model_turns(20, 4, 0), neutral), neutral)
    assert reading.thoracic_deg is None and reading.lumbar_deg is None
    assert reading.arch_deg == pytest.approx(24.0, abs=0.5)  # (a degree of it read as neck)


@pytest.mark.parametrize(
    ("azimuth", "px_per_m", "mirror"),
    [
        (90, 250, False),
        (90, 250, True),
        (-90, 120, False),
        (55, 250, False),
        (45, 250, False),
        (-45, 160, True),
    ],
)
@pytest.mark.parametrize(
    ("thoracic", "lumbar", "neck"),
    [(20, 4, 0), (5, 20, 0), (8, 3, 25)],
)
def test_arch_and_split_from_a_bent_body_from_any_side_and_distance(
    azimuth: float, px_per_m: float, mirror: bool, thoracic: float, lumbar: float, neck: float
) -> None:
    neutral_pose = arch_pose(azimuth_deg=azimuth, px_per_m=px_per_m, mirror=mirror)
    view = side_view(neutral_pose)
    pose = arch_pose(thoracic, lumbar, neck, azimuth_deg=azimuth, px_per_m=px_per_m, mirror=mirror)
    reading = read_arch(arch_lines(pose, view), arch_lines(neutral_pose, view))
    assert reading.arch_deg == pytest.approx(thoracic + lumbar, abs=2.0)
    assert reading.lumbar_deg == pytest.approx(lumbar, abs=2.0)
    assert reading.neck_deg == pytest.approx(neck, abs=3.0)


def test_pose_builders_are_consistent() -> None:
    pose = arch_pose()
    assert pose.xy.shape == (NUM_LANDMARKS, 2)
    assert pose.mask is not None and pose.mask.shape == (480, 640)
    hips = (pose.xy[L.LEFT_HIP] + pose.xy[L.RIGHT_HIP]) / 2
    assert pose.mask[int(hips[1]) - 40, int(hips[0])] == 1.0  # the trunk is inside its silhouette


def a_body_whose_face_turns(share: float, thoracic: float, lumbar: float, neck: float) -> dict[str, float]:
    """The line model's turns with the model's face line turning by `share` of the head's own pitch: seen
    from 40-50 degrees off the side the far ear is hidden, and on the rendered bodies the face turned by
    0.52 of the ear line in good holds on one, 1.23-1.32 on another (about 1 from the side)."""
    turns = model_turns(thoracic, lumbar, neck)
    turns["face"] = share * (thoracic + lumbar + neck)
    return turns


def test_the_person_s_own_face_turn_is_learnt_from_their_good_holds() -> None:
    good = a_body_whose_face_turns(0.52, 20, 4, 0)
    assert face_per_ear_line_of([]) == 1.0
    assert face_per_ear_line_of([(good["ear_line"], good["face"])]) == pytest.approx(0.52)
    assert face_per_ear_line_of([(20.0, 20.0), (20.0, 26.0), (20.0, 60.0)]) == pytest.approx(1.3)
    assert face_per_ear_line_of([(20.0, 2.0)]) == FACE_PER_EAR_LINE_BOUNDS[0]
    assert face_per_ear_line_of([(20.0, 80.0)]) == FACE_PER_EAR_LINE_BOUNDS[1]
    assert face_per_ear_line_of([(-3.0, 20.0), (20.0, -1.0)]) == 1.0


@pytest.mark.parametrize("share", [0.52, 1.0, 1.3])
def test_a_head_thrown_back_is_read_against_the_person_s_own_face_turn(share: float) -> None:
    """The body of `nat_arch_oblique`, 38 degrees off the side: its face line turned by half of what its
    ear line did in a good arch, so a head thrown back 25 degrees over 8 + 2 of arch reads as about half
    of that. Against its own good hold the neck reads in full, and the good hold reads none."""
    good = a_body_whose_face_turns(share, 20, 5, 0)
    own = face_per_ear_line_of([(good["ear_line"], good["face"])])
    head_led = a_body_whose_face_turns(share, 8, 2, 25)
    assert neck_beyond_trunk_deg(head_led, face_per_ear_line=own) == pytest.approx(25.0, abs=1e-6)
    assert neck_beyond_trunk_deg(good, face_per_ear_line=own) == pytest.approx(0.0, abs=1e-6)
    if share < 1:
        assert neck_beyond_trunk_deg(head_led) < 25.0 - 5.0


def test_the_person_s_face_figure_judges_the_neck_and_leaves_the_arch_as_the_line_model_reads_it() -> None:
    """A rock of the upper body about the hips turns every line alike; split with a face figure other
    than 1, the trunk would take it in with a different weight in each line."""
    turns = a_body_whose_face_turns(0.52, 8, 2, 25)
    lines = lines_with_turns(turns, NEUTRAL)
    own = read_arch(lines, NEUTRAL, face_per_ear_line=0.52)
    line_model = read_arch(lines, NEUTRAL)
    assert own.arch_deg == line_model.arch_deg
    assert own.neck_deg == pytest.approx(25.0, abs=1e-6)
    assert line_model.neck_deg < 20.0
