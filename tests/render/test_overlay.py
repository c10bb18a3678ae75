"""The coaching overlay: what it draws, read back from the pixels, for hand-made analyses."""

from __future__ import annotations

import numpy as np
import pytest

from coach.render.overlay import FAULT, GOOD, INFO, LEFT_COLOUR, RIGHT_COLOUR, Hud, annotate
from coach.reps.analysis import Cue, FrameAnalysis, Phase, Severity
from tests.helpers import make_pose

GREY_IMAGE = np.full((480, 640, 3), 120, np.uint8)


def analysis(**fields: object) -> FrameAnalysis:
    base: dict[str, object] = {
        "t_s": 10.0,
        "phase": Phase.MOVING,
        "angle_deg": 0.0,
        "reps_by_side": {"left": 0, "right": 0},
        "target_reps": 3,
        "target_deg": 20.0,
        "comfortable_deg": 40.0,
    }
    return FrameAnalysis(**(base | fields))  # type: ignore[arg-type]


def pixels_of(image: np.ndarray, colour: tuple[int, int, int]) -> tuple[np.ndarray, ...]:
    """(ys, xs) of the pixels exactly of `colour`."""
    return np.nonzero(np.all(image == np.array(colour, np.uint8), axis=2))


def count(image: np.ndarray, colour: tuple[int, int, int]) -> int:
    return len(pixels_of(image, colour)[0])


def needle_x(frame_analysis: FrameAnalysis) -> int:
    """Column of the gauge needle: the tallest run of the in-band colour in the top bar."""
    top = annotate(GREY_IMAGE, None, frame_analysis)[:72]
    columns = np.all(top == np.array(GOOD, np.uint8), axis=2).sum(axis=0)
    return int(np.argmax(columns))


def test_annotate_returns_a_new_image_and_leaves_the_input_alone() -> None:
    image = GREY_IMAGE.copy()
    out = annotate(image, make_pose(), analysis(), hud=Hud(fps=29.5))
    assert out.shape == image.shape and out.dtype == np.uint8
    assert np.array_equal(image, GREY_IMAGE)
    assert not np.array_equal(out, image)


@pytest.mark.parametrize("shape", [(240, 320, 3), (480, 640, 3), (720, 1280, 3), (1080, 1920, 3)])
def test_every_element_fits_any_frame_size(shape: tuple[int, int, int]) -> None:
    image = np.full(shape, 120, np.uint8)
    pose = make_pose(size=(shape[1], shape[0]))
    cue = Cue("low_back", "Keep your hips square, turn from the upper back", Severity.FAULT)
    for hud in (Hud(fps=30.0), Hud(paused=True), Hud(banner="Set complete! r: new set, q: quit")):
        out = annotate(image, pose, analysis(angle_deg=-33.0, hold_s=1.2, cue=cue), hud=hud)
        assert out.shape == shape


def test_gauge_needle_follows_the_angle_to_the_persons_side() -> None:
    # Two-sided for rotation: the person's left (+) towards the image's right, as a front camera sees it.
    xs = [needle_x(analysis(angle_deg=a)) for a in (-40.0, -25.0, 25.0, 40.0)]
    assert xs == sorted(xs) and len(set(xs)) == 4
    assert xs[1] < 640 - 0.42 * 640 / 2 - 12 < xs[2]  # the two sides of the gauge's centre


def test_a_mirrored_picture_puts_the_persons_left_on_the_left_of_the_screen() -> None:
    # A self-view (a live camera): the picture is flipped, the skeleton with it, and the gauge's ends.
    image = GREY_IMAGE.copy()
    image[240:260, 0:20] = 255  # a white patch at the picture's left edge
    mirrored = annotate(image, None, analysis(), hud=Hud(mirrored=True, key_help=None))
    assert (mirrored[240:260, 620:640] == 255).all() and not (mirrored[240:260, 0:20] == 255).all()
    xy = np.tile([320.0, 240.0], (33, 1))
    xy[11], xy[23], xy[13] = (500, 150), (490, 330), (550, 100)  # the left shoulder, hip and elbow
    seen = np.zeros(33)
    seen[[11, 23]] = 1.0  # only the left shoulder-to-hip bone is drawn
    pose = make_pose(xy, visibility=seen)
    body = slice(170, 330)  # below the rep counters
    shown = annotate(GREY_IMAGE, pose, analysis(), hud=Hud(mirrored=True, key_help=None))
    left_xs = pixels_of(shown[body], LEFT_COLOUR)[1]
    assert len(left_xs) > 100 and 640 - 1 - 500 - 10 < left_xs.min() < left_xs.max() < 640 - 1 - 490 + 10
    as_seen = pixels_of(annotate(GREY_IMAGE, pose, analysis())[body], LEFT_COLOUR)[1]
    assert 490 - 10 < as_seen.min() < as_seen.max() < 500 + 10

    def mirrored_needle_x(angle_deg: float) -> int:
        top = annotate(GREY_IMAGE, None, analysis(angle_deg=angle_deg), hud=Hud(mirrored=True))[:72]
        return int(np.argmax(np.all(top == np.array(GOOD, np.uint8), axis=2).sum(axis=0)))

    centre = 640 - 0.42 * 640 / 2 - 12
    assert mirrored_needle_x(25.0) < centre < mirrored_needle_x(-25.0)  # a left turn towards the left
    assert needle_x(analysis(angle_deg=-25.0)) < centre < needle_x(analysis(angle_deg=25.0))


def test_one_sided_gauge_for_a_stretch_without_sides() -> None:
    arch = {"reps_by_side": {"arch": 1}}
    low, high = needle_x(analysis(angle_deg=22.0, **arch)), needle_x(analysis(angle_deg=38.0, **arch))
    assert low < high
    assert high - low > needle_x(analysis(angle_deg=38.0)) - needle_x(analysis(angle_deg=22.0))


def test_hold_ring_fills_with_the_hold_and_turns_green_at_the_target() -> None:
    quarter = annotate(GREY_IMAGE, None, analysis(phase=Phase.HOLD, hold_s=0.5, hold_target_s=2.0))
    three_quarters = annotate(GREY_IMAGE, None, analysis(phase=Phase.HOLD, hold_s=1.5, hold_target_s=2.0))
    done = annotate(GREY_IMAGE, None, analysis(phase=Phase.HOLD, hold_s=2.4, hold_target_s=2.0))
    assert 2.4 < count(three_quarters, INFO) / count(quarter, INFO) < 3.6
    assert count(done, INFO) == 0 and count(done, GOOD) > count(three_quarters, GOOD)
    ring_ys, ring_xs = pixels_of(done[:, 480:], GOOD)  # the full green ring (right of the gauge text)
    centre_x, centre_y = 480 + ring_xs.mean(), ring_ys.mean()
    ys, xs = pixels_of(quarter, INFO)
    # A quarter fills clockwise from 12 to 3 o'clock: all of it up and to the right of the centre.
    assert xs.min() >= centre_x - 6 and ys.max() <= centre_y + 6  # (the stroke is 8 px wide)


def test_rep_counters_fill_a_pip_per_rep() -> None:
    none = annotate(GREY_IMAGE, None, analysis(reps_by_side={"left": 0, "right": 0}))
    some = annotate(GREY_IMAGE, None, analysis(reps_by_side={"left": 2, "right": 1}))
    assert count(some, LEFT_COLOUR) > count(none, LEFT_COLOUR) + 2 * 50
    assert count(some, RIGHT_COLOUR) > count(none, RIGHT_COLOUR) + 50


@pytest.mark.parametrize(
    ("severity", "colour"), [(Severity.FAULT, FAULT), (Severity.GOOD, GOOD), (Severity.INFO, INFO)]
)
def test_cue_is_large_and_coloured_by_its_severity(severity: Severity, colour: tuple[int, int, int]) -> None:
    plain = annotate(GREY_IMAGE, None, analysis(angle_deg=None))
    cued = annotate(GREY_IMAGE, None, analysis(angle_deg=None, cue=Cue("x", "Sit tall", severity)))
    bottom = slice(300, 480)
    assert count(cued[bottom], colour) > count(plain[bottom], colour) + 300  # big text, not a footnote


def test_skeleton_is_drawn_only_where_the_model_sees_joints() -> None:
    xy = np.tile([320.0, 240.0], (33, 1))
    xy[11], xy[23], xy[13] = (400, 150), (390, 330), (450, 100)  # left shoulder, hip, elbow
    seen = make_pose(xy)
    hidden = make_pose(xy, visibility=np.zeros(33))
    assert count(annotate(GREY_IMAGE, seen, analysis()), LEFT_COLOUR) > 100
    assert count(annotate(GREY_IMAGE, hidden, analysis()), LEFT_COLOUR) == count(
        annotate(GREY_IMAGE, None, analysis()), LEFT_COLOUR
    )


def test_paused_dims_the_picture_and_hides_the_skeleton() -> None:
    pose = make_pose()
    live = annotate(GREY_IMAGE, pose, analysis(), hud=Hud())
    paused = annotate(GREY_IMAGE, pose, analysis(), hud=Hud(paused=True))
    middle = (slice(200, 280), slice(200, 440))
    assert paused[middle].mean() < 0.6 * live[middle].mean()


def test_key_help_strip_only_in_the_live_hud() -> None:
    strip = slice(460, 480)
    with_keys = annotate(GREY_IMAGE, None, analysis(), hud=Hud())
    without = annotate(GREY_IMAGE, None, analysis())
    assert with_keys[strip].std() > 5 and with_keys[strip].mean() < 60  # dark strip with text
    assert np.array_equal(without[strip], GREY_IMAGE[strip])


def test_the_desk_note_sits_on_its_own_band_above_the_strip() -> None:
    band = slice(440, 458)
    noted = annotate(GREY_IMAGE, None, analysis(), hud=Hud(note="Desk mode: hips not in view"))
    plain = annotate(GREY_IMAGE, None, analysis(), hud=Hud())
    assert noted[band].std() > 5 and noted[band].mean() < plain[band].mean()  # shaded, with text
    assert np.array_equal(plain[band], GREY_IMAGE[band])
