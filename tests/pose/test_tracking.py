"""Who is the person: usable upper bodies (pose.plausibility) and staying with one person (PersonSelector).

Hand-made poses whose answer is known, then the real model on real footage: the phantoms MediaPipe
reports in a hand, a pool and a face close-up are nobody; every frame of every sample clip is someone.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from coach.pose.framing import Framing
from coach.pose.landmarks import NUM_LANDMARKS
from coach.pose.landmarks import PoseLandmark as L
from coach.pose.plausibility import implausible_reason, is_usable_upper_body
from coach.pose.tracking import MIN_PRESENCE_S, PersonSelector
from coach.pose.types import Pose
from tests.helpers import REALDATA, SAMPLES, ClipLoader
from tests.seated import body_points_m, mirrored, seated_pose, shifted, turned_in_image

SAMPLE_CLIPS = sorted(path.stem for path in SAMPLES.glob("*.mp4"))
PHANTOM_CLIPS = ["tfjs_hand_only_nobody.mp4", "mmaction2_pool_noperson.mp4", "mmaction2_face_closeup.avi"]
REAL_PEOPLE_CLIPS = [
    "poseformat_webcam_selfie_wave.mp4",
    "tfjs_dance_arms_overhead.mp4",
    "tfjs_squats_front.mp4",
]


def body_with(**moves: tuple[float, float, float]) -> np.ndarray:
    """The seated body with some landmarks moved to new person-frame positions (metres)."""
    points = body_points_m()
    for name, position in moves.items():
        points[L[name]] = position
    return points


def with_world(pose: Pose, world: np.ndarray) -> Pose:
    return replace(pose, world=world)


# --- plausibility: hand-made poses ------------------------------------------------------------------


SHOULDERS = [L.LEFT_SHOULDER, L.RIGHT_SHOULDER]


@pytest.mark.parametrize("azimuth", range(-90, 91, 15))
def test_a_seated_person_from_any_azimuth_is_usable(azimuth: int) -> None:
    pose = seated_pose(azimuth)
    assert implausible_reason(pose) is None
    assert implausible_reason(mirrored(pose)) is None


@pytest.mark.parametrize("px_per_m", [40.0, 120.0, 250.0, 500.0])
def test_usable_at_any_distance(px_per_m: float) -> None:
    pose = seated_pose(30, px_per_m=px_per_m, hip_centre_px=(320.0, 240.0 + 0.25 * px_per_m))
    assert implausible_reason(pose) is None


@pytest.mark.parametrize(
    ("degrees", "usable"), [(-30, True), (15, True), (45, True), (75, False), (90, False)]
)
def test_camera_roll_is_tolerated_a_lying_body_is_not(degrees: float, usable: bool) -> None:
    pose = turned_in_image(seated_pose(0, hip_centre_px=(320.0, 300.0)), degrees)
    assert is_usable_upper_body(pose) is usable
    if not usable:
        assert implausible_reason(pose) == "trunk_not_upright"


@pytest.mark.parametrize(
    ("pose", "reason"),
    [
        # A face close-up: the body is so big its shoulders and hips fall outside the frame.
        (seated_pose(0, px_per_m=2600.0, hip_centre_px=(320.0, 1100.0)), "shoulders_out_of_frame"),
        # A webcam close to the person cuts the hips a little: still usable.
        (seated_pose(0, px_per_m=500.0, hip_centre_px=(320.0, 540.0)), None),
        # Hips far below the frame, head, shoulders and elbows in it: the desk framing, usable.
        (seated_pose(0, px_per_m=300.0, hip_centre_px=(320.0, 600.0)), None),
        (seated_pose(0, hip_centre_px=(900.0, 330.0)), "shoulders_out_of_frame"),
        (seated_pose(0, visibility=np.where(np.isin(np.arange(NUM_LANDMARKS), SHOULDERS), 0.2, 1.0)),
         "shoulders_not_seen"),
        (seated_pose(0, body=body_with(NOSE=(0.0, 0.40, 0.10))), "head_not_above_shoulders"),
        (seated_pose(0, body=body_with(LEFT_ANKLE=(0.1, 0.3, 0.45), RIGHT_ANKLE=(-0.1, 0.3, 0.45))),
         "feet_above_hips"),
    ],
)  # fmt: skip
def test_what_is_not_a_usable_upper_body(pose: Pose, reason: str | None) -> None:
    assert implausible_reason(pose) == reason


def test_inhuman_world_proportions_are_not_a_person() -> None:
    pose = seated_pose(0)
    narrow = pose.world.copy()
    narrow[[L.LEFT_SHOULDER, L.RIGHT_SHOULDER], 0] *= 0.2  # shoulders 7 cm apart on a 48 cm trunk
    assert implausible_reason(with_world(pose, narrow)) == "implausible_proportions"
    wide = pose.world.copy()
    wide[[L.LEFT_HIP, L.RIGHT_HIP], 0] *= 3.0  # hip joints 60 cm apart
    assert implausible_reason(with_world(pose, wide)) == "implausible_proportions"
    # Side view: the image shows no shoulder width at all, the world frame still does.
    assert implausible_reason(seated_pose(90)) is None


def test_a_collapsed_pose_is_not_a_person() -> None:
    pose = seated_pose(0)
    collapsed = replace(pose, xy=np.tile(pose.xy[L.NOSE], (NUM_LANDMARKS, 1)))
    assert implausible_reason(collapsed) == "no_trunk"


# --- PersonSelector: hand-made scenes -----------------------------------------------------------------


def two_people(t_s: float) -> tuple[Pose, Pose]:
    """The person (left, smaller) and someone bigger on the right; both sway a little."""
    sway = 3.0 * np.sin(t_s)
    person = shifted(seated_pose(0, px_per_m=180.0, hip_centre_px=(190.0, 330.0)), dx=sway, noise_px=1.0)
    other = shifted(seated_pose(0, px_per_m=230.0, hip_centre_px=(470.0, 340.0)), dx=-sway, noise_px=1.0)
    return person, other


def centre_x(pose: Pose) -> float:
    return float(pose.xy[[L.LEFT_SHOULDER, L.RIGHT_SHOULDER, L.LEFT_HIP, L.RIGHT_HIP], 0].mean())


def test_keeps_the_person_it_started_with_when_someone_bigger_is_in_view() -> None:
    selector = PersonSelector()
    times = np.arange(0.0, 10.0, 1 / 15)
    person, _ = two_people(0.0)
    assert selector.select([person], 0.0) is person  # calibration: the person alone
    followed = []
    for t in times[1:]:
        person, other = two_people(float(t))
        chosen = selector.select([other, person], float(t))  # the model lists the bigger one first
        assert chosen is not None
        followed.append(centre_x(chosen))
    assert max(followed) < 320  # never the one on the right half
    assert selector.people_in_view == 2


def test_the_person_leaves_the_other_is_not_taken_then_the_person_returns() -> None:
    selector = PersonSelector(reacquire_s=5.0)
    selector.select([two_people(0.0)[0]], 0.0)
    for t in np.arange(0.1, 3.0, 1 / 15):
        person, other = two_people(float(t))
        assert selector.select([other, person], float(t)) is person
    for t in np.arange(3.0, 6.0, 1 / 15):  # 3 s away: the other person alone is not followed
        _, other = two_people(float(t))
        assert selector.select([other], float(t)) is None
    person, other = two_people(6.0)
    assert selector.select([other, person], 6.0) is person


def narrowed_shoulders(pose: Pose, share: float) -> Pose:
    """The pose with its shoulders drawn towards their middle to `share` of their span (the model
    putting them on the collar for a frame)."""
    xy = pose.xy.copy()
    middle = xy[SHOULDERS].mean(axis=0)
    xy[SHOULDERS] = middle + share * (xy[SHOULDERS] - middle)
    return replace(pose, xy=xy)


def test_a_frame_with_the_shoulders_on_the_collar_does_not_lose_the_person_after_it() -> None:
    """At the desk the person's size is their shoulder span. One frame with the span a third narrower
    is within the size change allowed; taken as the person's size, it made every true frame after it
    half as large again, someone else, for seconds (a held-out desk render lost 2 of 4 reps)."""
    desk = seated_pose(0, px_per_m=300.0, hip_centre_px=(320.0, 600.0))
    selector = PersonSelector()
    times = np.arange(0.0, 3.0, 1 / 15)
    for k, t in enumerate(times):
        pose = shifted(desk, noise_px=1.0, seed=k)
        if k == 15:
            pose = narrowed_shoulders(pose, 0.65)
        assert selector.select([pose], float(t)) is pose, t


def legs_guessed_above_the_hips(pose: Pose) -> Pose:
    """The pose with the hips the model claims to see at the picture's bottom edge and the unseen
    ankles it guesses above them (a held-out desk render, during a rep with the head thrown back)."""
    xy, visibility = pose.xy.copy(), pose.visibility.copy()
    hips = [L.LEFT_HIP, L.RIGHT_HIP]
    xy[hips, 1] = pose.image_size[1] - 5.0
    visibility[hips] = 0.9
    trunk = float(np.linalg.norm(xy[SHOULDERS].mean(axis=0) - xy[hips].mean(axis=0)))
    xy[[L.LEFT_ANKLE, L.RIGHT_ANKLE], 1] = xy[hips, 1] - 0.5 * trunk
    return replace(pose, xy=xy, visibility=visibility)


def test_in_a_desk_session_the_models_guess_of_the_unseen_legs_is_no_evidence() -> None:
    desk = seated_pose(0, px_per_m=300.0, hip_centre_px=(320.0, 600.0))
    guessed = legs_guessed_above_the_hips(desk)
    assert implausible_reason(guessed) == "feet_above_hips"  # judged as a whole body, it is not one
    assert implausible_reason(guessed, Framing.DESK) is None  # the desk's picture never showed the legs
    assert implausible_reason(guessed, Framing.FULL) == "feet_above_hips"
    selector = PersonSelector()
    selector.session = Framing.DESK
    for k, t in enumerate(np.arange(0.0, 2.0, 1 / 15)):
        pose = shifted(desk, noise_px=1.0, seed=k)
        if k % 3 == 0:
            pose = legs_guessed_above_the_hips(pose)
        assert selector.select([pose], float(t)) is pose, t


def test_after_a_long_absence_whoever_sits_down_is_followed() -> None:
    selector = PersonSelector(reacquire_s=5.0)
    person, other = two_people(0.0)
    selector.select([person], 0.0)
    assert selector.select([other], 4.0) is None
    assert selector.select([other], 5.5) is other


def test_phantoms_are_nobody_and_not_counted() -> None:
    selector = PersonSelector()
    person = seated_pose(0)
    phantom = turned_in_image(seated_pose(0, px_per_m=120.0, hip_centre_px=(500.0, 300.0)), 95)
    assert selector.select([phantom], 0.0) is None
    assert selector.people_in_view == 0
    assert selector.select([phantom, person], 0.1) is person
    assert selector.people_in_view == 1


def test_presence_is_the_longest_unbroken_stretch() -> None:
    selector = PersonSelector()
    person = seated_pose(0)
    for t in np.arange(0.0, 0.5, 0.1):
        selector.select([person], float(t))
    selector.select([], 0.5)
    for t in np.arange(0.6, 1.0, 0.1):
        selector.select([person], float(t))
    assert selector.longest_presence_s == pytest.approx(0.4)
    assert not selector.saw_person(span_s=10.0)  # flickers of under MIN_PRESENCE_S are not a person
    assert selector.saw_person(span_s=0.4)  # ... unless the clip itself is that short
    for t in np.arange(1.0, 1.0 + MIN_PRESENCE_S + 0.05, 0.1):
        selector.select([person], float(t))
    assert selector.saw_person(span_s=10.0)


def test_a_single_frame_is_a_person_only_if_it_is_the_whole_clip() -> None:
    selector = PersonSelector()
    assert not selector.saw_person(span_s=0.0)
    selector.select([seated_pose(0)], 0.0)
    assert selector.saw_person(span_s=0.0)
    assert not selector.saw_person(span_s=5.0)


# --- the real model on real footage -------------------------------------------------------------------


def usable_frames(poses: list[tuple[Pose, ...]]) -> int:
    return sum(any(is_usable_upper_body(p) for p in frame) for frame in poses)


def follow(clip_poses: ClipLoader, path: object) -> tuple[PersonSelector, int, int]:
    clip = clip_poses(path)
    selector = PersonSelector()
    followed = sum(selector.select(p, t) is not None for t, p in zip(clip.times_s, clip.poses, strict=True))
    return selector, followed, len(clip.poses)


@pytest.mark.parametrize("name", PHANTOM_CLIPS)
def test_model_phantoms_in_real_footage_are_nobody(clip_poses: ClipLoader, name: str) -> None:
    clip = clip_poses(REALDATA / "videos" / name)
    detected = sum(bool(p) for p in clip.poses)
    assert detected > 0.4 * len(clip.poses)  # the model does report a 'person' here ...
    assert usable_frames(clip.poses) <= 0.02 * len(clip.poses)  # ... that is not a usable body
    selector, _, _ = follow(clip_poses, REALDATA / "videos" / name)
    assert not selector.saw_person(span_s=clip.times_s[-1] - clip.times_s[0])


@pytest.mark.parametrize("name", REAL_PEOPLE_CLIPS)
def test_real_people_are_usable(clip_poses: ClipLoader, name: str) -> None:
    selector, followed, frames = follow(clip_poses, REALDATA / "videos" / name)
    assert followed >= 0.95 * frames
    assert selector.saw_person(span_s=10.0)


# Frames a sample clip is known to lose, and why (so it cannot get worse). With the head thrown back
# at the desk the model puts the shoulders on the collar, down to a third of their span: ten frames
# of that rep have no human proportions. The rep is still counted and its fault flagged
# (`tests/app/test_desk.py`). Before anyone calibrated, the selector does not know a desk picture is
# one: in two frames of `desk_rotate_off_axis`, in a hold, the model claims hips at the picture's bottom
# edge and guesses the unseen feet above them. In the desk session (`coach analyze`) one of the two is
# followed; in the other the model sees neither elbow plainly (visibility 0.40 and 0.73). In
# `desk_rotate_far` (a laptop 1 m away, a 24 mm lens) the model folds the shoulders into the middle of the
# body, a span of 6-67 px for 146, and claims to see hips, for one to three frames as each left turn begins
# and ends: 11 frames even in the desk session, 3 more before it. Every turn still counts, on its side
# (`tests/app/test_desk.py`). In `desk_arch_close` (a laptop 0.55 m away) the model finds no one at all in
# one frame of the hold with the head thrown back; the rep counts and is flagged.
KNOWN_UNFOLLOWED_FRAMES = {
    "desk_arch": 10,
    "desk_rotate_off_axis": 2,
    "desk_rotate_far": 14,
    "desk_arch_close": 1,
}


@pytest.mark.parametrize("name", SAMPLE_CLIPS)
def test_every_frame_of_the_sample_clips_is_followed(clip_poses: ClipLoader, name: str) -> None:
    _, followed, frames = follow(clip_poses, name)
    assert frames - followed <= KNOWN_UNFOLLOWED_FRAMES.get(name, 0)
