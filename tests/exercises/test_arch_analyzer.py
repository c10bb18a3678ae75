"""The Sit and Arch analyzer, frame by frame: hand-built sessions of a bent seated body with known
spine angles (tests/test_arch.py's builders), then the real model on the sample clips and a mirror.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from functools import cache

import cv2
import numpy as np
import pytest

from benchmarks.accuracy import near
from benchmarks.sway import TARGET_AMPLITUDE_DEG, moved
from coach.calibration.profile import profile_from_poses
from coach.exercises import exercise_facts, make_analyzer
from coach.exercises.arch import ArchAnalyzer
from coach.pipeline import Pipeline, recording_rules
from coach.pose.types import Pose
from coach.reps.analysis import FrameAnalysis, Phase, Severity
from tests.helpers import ClipLoader, ClipPoses, calibrated_profile, dim_room, replay, transformed_sample
from tests.measure.test_arch import arch_pose

FPS = 15.0
STILL_S = 2.6  # self-calibration needs 2 s of stillness

Bends = tuple[float, float, float]  # thoracic, lumbar, neck


def eased(a: Bends, b: Bends, seconds: float) -> list[Bends]:
    """A cosine-eased move between two postures, one entry per frame."""
    n = round(seconds * FPS)
    steps = (1 - np.cos(np.pi * np.arange(n) / n)) / 2
    return [tuple(float(x + (y - x) * s) for x, y in zip(a, b, strict=True)) for s in steps]  # type: ignore[misc]


def rep_timeline(target: Bends, hold_s: float, rest_s: float = 1.0) -> list[Bends]:
    zero = (0.0, 0.0, 0.0)
    return (
        eased(zero, target, 1.2)
        + eased(target, target, hold_s)
        + eased(target, zero, 1.2)
        + eased(zero, zero, rest_s)
    )


@cache
def _pose(bends: Bends, azimuth_deg: float) -> Pose:
    return arch_pose(*bends, azimuth_deg=azimuth_deg)


def session(
    *reps: tuple[Bends, float], still_s: float = STILL_S, azimuth_deg: float = 90.0
) -> list[tuple[float, Pose | None]]:
    """(t, pose) frames: still sitting, then each (target, hold seconds) as a rep with a rest after it."""
    timeline = eased((0, 0, 0), (0, 0, 0), still_s)
    for target, hold_s in reps:
        timeline += rep_timeline(target, hold_s)
    rounded = [tuple(round(x, 2) for x in bends) for bends in timeline]  # reuse identical poses
    return [(i / FPS, _pose(bends, azimuth_deg)) for i, bends in enumerate(rounded)]  # type: ignore[arg-type]


def run(frames: list[tuple[float, Pose | None]], analyzer: Pipeline | None = None) -> list[FrameAnalysis]:
    analyzer = analyzer or Pipeline("arch", rules=recording_rules())
    return [analyzer.step([] if pose is None else [pose], t).analysis for t, pose in frames]


def hold_window(still_s: float = STILL_S, hold_s: float = 1.5) -> tuple[float, float]:
    """When the first rep's hold truly starts and ends."""
    start = round(still_s * FPS) / FPS + round(1.2 * FPS) / FPS
    return start, start + round(hold_s * FPS) / FPS


def cues(frames: list[FrameAnalysis]) -> list[tuple[float, str]]:
    return [(f.t_s, f.cue.code) for f in frames if f.cue is not None]


# -- hand-built sessions -------------------------------------------------------------------------


def test_a_good_arch_frame_by_frame() -> None:
    analyzer = Pipeline("arch", rules=recording_rules())
    frames = run(session(((20, 4, 0), 1.5)), analyzer)
    phases = [f.phase for f in frames]
    calibrated = phases.index(Phase.NEUTRAL)
    assert set(phases[:calibrated]) == {Phase.CALIBRATING}
    assert 1.8 <= frames[calibrated].t_s <= 2.2  # a 2-s still window (90 % of it spanned)
    assert all(f.angle_deg is None for f in frames[:calibrated])
    assert all(f.angle_deg is not None for f in frames[calibrated:])
    first = {phase: phases.index(phase) for phase in (Phase.MOVING, Phase.HOLD, Phase.RETURNING)}
    assert calibrated < first[Phase.MOVING] < first[Phase.HOLD] < first[Phase.RETURNING]
    assert phases[-1] == Phase.NEUTRAL

    start, end = hold_window()
    for f in frames:
        if start + 0.3 <= f.t_s <= end - 0.1:
            assert f.phase == Phase.HOLD, f
            assert f.angle_deg == pytest.approx(24.0, abs=2.0)
            assert f.signals["low_back_deg"] == pytest.approx(4.0, abs=2.0)
            assert f.signals["head_deg"] == pytest.approx(0.0, abs=2.0)
        if f.t_s < start - 1.3:
            assert f.angle_deg is None or f.angle_deg == pytest.approx(0.0, abs=0.5)

    [rep] = analyzer.reps
    assert rep.side is None and rep.good and rep.faults == ()
    assert rep.hold_s == pytest.approx(1.5, abs=0.3)
    assert rep.hold_start_s == pytest.approx(start, abs=0.3)
    assert rep.peak_angle_deg == pytest.approx(24.0, abs=2.0)
    assert frames[-1].reps_by_side == {"arch": 1} and frames[-1].good_reps == 1
    assert [f.completed_rep for f in frames if f.completed_rep is not None] == [rep]
    assert cues(frames) == []


def test_the_hold_timer_runs_to_two_seconds_but_one_second_makes_a_good_rep() -> None:
    analyzer = Pipeline("arch", rules=recording_rules())
    frames = run(session(((20, 4, 0), 1.2)), analyzer)
    assert {f.hold_target_s for f in frames} == {2.0}
    assert max(f.hold_s for f in frames) == pytest.approx(1.2, abs=0.3)
    assert analyzer.reps[0].good


def test_the_hold_a_good_rep_needs_is_configurable() -> None:
    analyzer = Pipeline("arch", hold_target_s=2.0, rules=recording_rules())
    run(session(((20, 4, 0), 1.5)), analyzer)
    assert analyzer.reps[0].faults == ("short_hold",)


@pytest.mark.parametrize(
    ("target", "fault"),
    [((5, 20, 0), "low_back"), ((8, 3, 25), "head_back")],
)
def test_a_fault_is_cued_during_the_hold_and_tagged_on_the_rep(target: Bends, fault: str) -> None:
    analyzer = Pipeline("arch", rules=recording_rules())
    frames = run(session((target, 1.5)), analyzer)
    start, end = hold_window()
    assert [code for _, code in cues(frames)] == [fault]
    [(cue_t, _)] = cues(frames)
    assert start - 0.6 <= cue_t <= end
    [cue] = [f.cue for f in frames if f.cue is not None]
    assert cue is not None and cue.severity == Severity.FAULT
    [rep] = analyzer.reps
    assert rep.faults == (fault,) and not rep.good
    assert rep.peak_angle_deg == pytest.approx(target[0] + target[1], abs=2.5)


def test_a_head_thrown_back_is_judged_against_the_arch_it_rides_on() -> None:
    """12 degrees of neck over a full upper-back arch is a head carried with the arch; the same neck
    over a small arch leads it."""
    full, small = Pipeline("arch", rules=recording_rules()), Pipeline("arch", rules=recording_rules())
    run(session(((20, 4, 12), 1.5)), full)
    run(session(((6, 2, 12), 1.5)), small)
    assert [rep.faults for rep in full.reps] == [()]
    assert [rep.faults for rep in small.reps] == [("head_back",)]


def test_a_short_hold_is_cued_as_the_person_leaves_it() -> None:
    analyzer = Pipeline("arch", rules=recording_rules())
    frames = run(session(((20, 4, 0), 0.5)), analyzer)
    _, end = hold_window(hold_s=0.5)
    assert [code for _, code in cues(frames)] == ["short_hold"]
    [(cue_t, _)] = cues(frames)
    assert end <= cue_t <= end + 1.0
    [rep] = analyzer.reps
    assert rep.faults == ("short_hold",)
    assert rep.hold_s < 1.0


def test_three_reps_one_of_each_kind_are_counted_and_judged() -> None:
    analyzer = Pipeline("arch", rules=recording_rules())
    frames = run(session(((20, 4, 0), 1.8), ((5, 20, 0), 1.8), ((8, 3, 25), 1.5)), analyzer)
    assert [r.faults for r in analyzer.reps] == [(), ("low_back",), ("head_back",)]
    assert frames[-1].reps_by_side == {"arch": 3} and frames[-1].good_reps == 1
    assert [r.hold_s for r in analyzer.reps] == pytest.approx([1.8, 1.8, 1.5], abs=0.3)


def test_sitting_still_with_jitter_counts_nothing() -> None:
    rng = np.random.default_rng(3)
    frames = []
    base = arch_pose()
    for i in range(round(8 * FPS)):
        pose = Pose(
            xy=base.xy + rng.normal(0, 0.8, base.xy.shape),
            depth=base.depth,
            world=base.world,
            visibility=base.visibility,
            image_size=base.image_size,
            mask=base.mask,
        )
        frames.append((i / FPS, pose))
    analyzer = Pipeline("arch", rules=recording_rules())
    analyses = run(frames, analyzer)
    assert analyzer.reps == []
    assert {f.phase for f in analyses} <= {Phase.CALIBRATING, Phase.NEUTRAL}


def test_from_the_front_it_says_it_cannot_measure_instead_of_reporting_noise() -> None:
    analyzer = Pipeline("arch", rules=recording_rules())
    frames = session(((20, 4, 0), 1.5), azimuth_deg=0.0)
    steps = [analyzer.step([pose], t) for t, pose in frames if pose is not None]
    assert all(s.analysis.angle_deg is None and s.analysis.phase == Phase.CALIBRATING for s in steps)
    said = {s.calibration.message for s in steps if s.calibration is not None and s.calibration.message}
    assert any("Turn the camera to your side" in message for message in said)  # (and "you moved" in a rep)
    summary = analyzer.calibration_summary()
    assert summary["calibrated"] is False and summary["measurable"] is False
    assert "side" in summary["reason"]
    assert analyzer.reps == []


def test_turning_the_camera_to_the_side_after_a_front_start_calibrates() -> None:
    front = session(still_s=3.0, azimuth_deg=0.0)
    side = [(t + 3.0 + 1 / FPS, pose) for t, pose in session(((20, 4, 0), 1.5))]
    analyzer = Pipeline("arch", rules=recording_rules())
    frames = run(front + side, analyzer)
    assert analyzer.calibration_summary()["measurable"] is True
    assert len(analyzer.reps) == 1 and analyzer.reps[0].good
    assert frames[-1].angle_deg is not None


def test_with_a_profile_there_is_no_calibration_and_the_split_still_works() -> None:
    neutral = [pose for t, pose in session(still_s=1.0) if pose is not None]
    profile = profile_from_poses(neutral, [i / FPS for i in range(len(neutral))])
    analyzer = Pipeline("arch", profile)
    frames = run(session(((5, 20, 0), 1.5), still_s=1.0), analyzer)
    assert Phase.CALIBRATING not in {f.phase for f in frames}
    assert analyzer.calibration_summary()["source"] == "profile"
    assert [r.faults for r in analyzer.reps] == [("low_back",)]


def test_the_gauge_aims_only_at_a_range_the_person_has_shown_comfortable() -> None:
    neutral = [pose for t, pose in session(still_s=1.0) if pose is not None]
    profile = profile_from_poses(neutral, [i / FPS for i in range(len(neutral))])
    unknown = run(session(((20, 4, 0), 1.5), still_s=1.0), Pipeline("arch", profile))
    assert {f.target_deg for f in unknown} == {None}
    comfortable = dataclasses.replace(profile, comfortable_deg={"arch": 18.0})
    known = run(session(((20, 4, 0), 1.5), still_s=1.0), Pipeline("arch", comfortable))
    assert {f.target_deg for f in known} == {18.0}


def test_losing_the_person_pauses_and_a_later_rep_still_counts() -> None:
    frames = session(((20, 4, 0), 1.5), ((20, 4, 0), 1.5))
    start, _ = hold_window()
    gap = [(t, None if start + 3.0 < t < start + 3.6 else pose) for t, pose in frames]  # during the rest
    analyzer = Pipeline("arch", rules=recording_rules())
    analyses = run(gap, analyzer)
    assert any(f.phase == Phase.NO_POSE for f in analyses)
    assert all(f.angle_deg is None for f in analyses if f.phase == Phase.NO_POSE)
    assert len(analyzer.reps) == 2


def test_recalibrating_forgets_the_neutral_and_keeps_the_reps() -> None:
    analyzer = Pipeline("arch", rules=recording_rules())
    run(session(((20, 4, 0), 1.5)), analyzer)
    counted = analyzer.reps
    analyzer.recalibrate()
    assert analyzer.reps == counted and analyzer.calibration_summary()["calibrated"] is False
    assert analyzer.step([arch_pose()], 0.0).analysis.phase == Phase.CALIBRATING


def test_the_analyzer_shape() -> None:
    profile = calibrated_profile()
    analyzer = make_analyzer("arch", profile)
    assert isinstance(analyzer, ArchAnalyzer)
    assert analyzer.exercise == "arch"
    assert analyzer.signal_names == exercise_facts("arch").signal_names == ("low_back_deg", "head_deg")
    assert exercise_facts("arch").wants_mask
    frame = analyzer.update(None, 0.0)
    assert frame.phase == Phase.NO_POSE and set(frame.signals) == {"low_back_deg", "head_deg"}
    with pytest.raises(ValueError):
        ArchAnalyzer(profile, target_reps=0)
    with pytest.raises(ValueError):
        ArchAnalyzer(profile, hold_target_s=0)


# -- the real model ------------------------------------------------------------------------------

# oblique_arch: the camera 45 degrees off the person's left side (front-left), a good arch, a low-back
# one, a head thrown back and a good one: the targets hold there as they do from the side.
ARCH_CLIPS = ("dev_arch_side_good", "dev_arch_side_faults", "oblique_arch", "nat_arch_side_head_first")
HOLD_TOLERANCE_S = 0.3
ANGLE_MAE_DEG = 3.0


def true_arch(ground_truth: dict) -> np.ndarray:
    return np.array([f["ext_thor"] + f["ext_lumb"] for f in ground_truth["frames"]])


def check_against_truth(
    frames: list[FrameAnalysis], analyzer: Pipeline, truth: dict, angle_mae_deg: float = ANGLE_MAE_DEG
) -> list[float]:
    """Asserts the accuracy targets of the issue; returns the hold errors."""
    true_reps = truth["scenario"]["reps"]
    assert len(analyzer.reps) == len(true_reps)
    errors = []
    for rep, true in zip(analyzer.reps, true_reps, strict=True):
        assert rep.start_s < true["hold_start"] + 0.5 and rep.end_s > true["hold_end"] - 0.5
        errors.append(abs(rep.hold_s - (true["hold_end"] - true["hold_start"])))
        expected = () if true["fault"] is None else (true["fault"],)
        assert rep.faults == expected, (rep, true)
    angles = np.array([np.nan if f.angle_deg is None else f.angle_deg for f in frames])
    measured = np.isfinite(angles)
    assert measured.sum() > 0.8 * len(frames)
    mae = float(np.mean(np.abs(angles[measured] - true_arch(truth)[measured])))
    assert mae <= angle_mae_deg
    return errors


@pytest.mark.slow
@pytest.mark.parametrize("name", ARCH_CLIPS)
def test_sample_clip_reps_holds_angle_and_faults(
    name: str, clip_poses: ClipLoader, ground_truth: Callable
) -> None:
    analyzer = Pipeline("arch", rules=recording_rules())
    frames = replay(analyzer, clip_poses(name, with_mask=True))
    errors = check_against_truth(frames, analyzer, ground_truth(name))
    assert max(errors) <= HOLD_TOLERANCE_S + 1e-6, errors  # the 0.3 s
    assert analyzer.calibration_summary()["view_azimuth_deg"] == pytest.approx(
        ground_truth(name)["camera"]["azimuth_deg"], abs=15
    )


@pytest.mark.slow
def test_seen_38_degrees_off_the_side_a_head_thrown_back_is_read_against_the_person_s_own_face(
    clip_poses: ClipLoader, ground_truth: Callable
) -> None:
    """`nat_arch_oblique` (held out when rendered): there the model's face line turned by half of what
    the ear line did in the good arch, so the head thrown back 23 degrees over 14 of arch read as 9 of
    neck, under the head-back line, and was missed. Read against the person's own face figure from
    their good hold, it is flagged; no good hold is called head-led."""
    analyzer = Pipeline("arch", rules=recording_rules(), measure_from_start=True)
    replay(analyzer, clip_poses("nat_arch_oblique", with_mask=True))
    truth = ground_truth("nat_arch_oblique")["scenario"]["reps"]
    assert len(analyzer.reps) == len(truth)
    assert ["head_back" in rep.faults for rep in analyzer.reps] == [t["fault"] == "head_back" for t in truth]
    assert "low_back" in analyzer.reps[1].faults


@pytest.mark.slow
@pytest.mark.parametrize("name", ["dev_arch_side_faults", "oblique_arch"])
def test_mirrored_clip_reads_the_same(
    name: str,
    tmp_path_factory: pytest.TempPathFactory,
    clip_poses: ClipLoader,
    ground_truth: Callable,
) -> None:
    """The camera at the person's other side (for oblique_arch: 45 degrees off their right side)."""
    out = tmp_path_factory.mktemp("arch_mirrored") / f"{name}_mirrored.mp4"
    mirrored = transformed_sample(name, out, lambda image: cv2.flip(image, 1))
    analyzer = Pipeline("arch", rules=recording_rules())
    frames = replay(analyzer, clip_poses(mirrored, with_mask=True))
    errors = check_against_truth(frames, analyzer, ground_truth(name))
    assert max(errors) <= HOLD_TOLERANCE_S + 1e-6, errors
    azimuth = analyzer.calibration_summary()["view_azimuth_deg"]
    assert azimuth == pytest.approx(-ground_truth(name)["camera"]["azimuth_deg"], abs=15)


@pytest.mark.slow
def test_nearer_camera_reads_the_same_faults(
    tmp_path_factory: pytest.TempPathFactory, clip_poses: ClipLoader, ground_truth: Callable
) -> None:
    """The person 1.4 times larger in the picture (the benchmark's `near` copy). The model splits the
    bend differently at this size: a good hold's low-back share read 0.5 here, against 0.3 at most
    in the original, and a share threshold of 0.5 called it a low-back arch."""
    out = tmp_path_factory.mktemp("arch_near") / "dev_arch_side_faults_near.mp4"
    nearer = transformed_sample("dev_arch_side_faults", out, near)
    analyzer = Pipeline("arch", rules=recording_rules())
    frames = replay(analyzer, clip_poses(nearer, with_mask=True))
    # The angle reads 3.2 degrees off on average here, against the 3 on the clips as rendered.
    errors = check_against_truth(frames, analyzer, ground_truth("dev_arch_side_faults"), angle_mae_deg=3.5)
    assert max(errors) <= HOLD_TOLERANCE_S + 1e-6, errors


@pytest.mark.slow
def test_in_a_dim_room_the_arch_reads_as_well_as_in_daylight(
    tmp_path_factory: pytest.TempPathFactory, clip_poses: ClipLoader, ground_truth: Callable
) -> None:
    """A third of the light and sensor noise. The model sees the picture brightened
    (coach.pose.exposure); as filmed, the angle read 2.5 degrees off on average here, against 1.1-2.2
    on the clips as rendered."""
    name = "dev_arch_side_good"
    dim = transformed_sample(name, tmp_path_factory.mktemp("arch_dim") / f"{name}_dim.mp4", dim_room())
    analyzer = Pipeline("arch", rules=recording_rules())
    frames = replay(analyzer, clip_poses(dim, with_mask=True))
    errors = check_against_truth(frames, analyzer, ground_truth(name), angle_mae_deg=2.0)
    assert max(errors) <= HOLD_TOLERANCE_S + 1e-6, errors


@pytest.mark.slow
def test_front_clip_is_refused_with_a_reason(clip_poses: ClipLoader) -> None:
    analyzer = Pipeline("arch", rules=recording_rules())
    frames = replay(analyzer, clip_poses("dev_rotate_front_good"))  # no mask needed to see the view
    assert all(f.angle_deg is None for f in frames)
    assert analyzer.reps == []
    summary = analyzer.calibration_summary()
    assert summary["measurable"] is False
    assert abs(summary["view_azimuth_deg"]) < 30
    assert "Cannot measure the arch" in summary["reason"]
    assert math.isfinite(summary["view_azimuth_deg"])


def analyzed_moving(clip: ClipPoses, movement: str, *, measure_from_start: bool = True) -> Pipeline:
    """The clip's poses moved as `benchmarks.sway` moves them (`movement` at its target amplitude),
    measured as `coach analyze` does (or, not `measure_from_start`, from the calibration on)."""
    rng = np.random.default_rng(0)
    pipeline = Pipeline("arch", rules=recording_rules(), measure_from_start=measure_from_start)
    for t_s, poses in zip(clip.times_s, clip.poses, strict=True):
        pipeline.step(
            [moved(pose, t_s, movement, TARGET_AMPLITUDE_DEG[movement], rng) for pose in poses[:1]], t_s
        )
    return pipeline


@pytest.mark.slow
def test_a_nod_in_a_good_hold_is_not_a_head_thrown_back(
    clip_poses: ClipLoader, ground_truth: Callable
) -> None:
    """The 45-degree clip's poses with the face nodding 5 degrees every 4 seconds (`benchmarks.sway`).
    Its last good hold read 9 degrees of neck against the line model's chord turn, and the nod
    tipped it into `head_back`; read against the person's own chord turn (learnt from their first good
    hold) it reads about 5, and only the head-led rep is flagged."""
    name = "oblique_arch"
    pipeline = analyzed_moving(clip_poses(name, with_mask=True), "nod", measure_from_start=False)
    truth = ground_truth(name)["scenario"]["reps"]
    expected = [() if rep["fault"] is None else (rep["fault"],) for rep in truth]
    assert [rep.faults for rep in pipeline.reps] == expected


@pytest.mark.slow
def test_a_sway_in_a_good_hold_does_not_cut_it_short(clip_poses: ClipLoader, ground_truth: Callable) -> None:
    """The 45-degree clip's poses with the upper body swaying 2 degrees about the hips every 4 seconds
    (`benchmarks.sway`), measured as `coach analyze` does. In the last good hold the sway carried the
    reading 4.5 degrees further out, which ended the hold there (more than the hold band) and left
    0.65 s of it: a false `short_hold`. Now a hold goes on through a sway that carries it less than a
    quarter of the rep's excursion further out; every rep keeps its faults and no other."""
    name = "oblique_arch"
    pipeline = analyzed_moving(clip_poses(name, with_mask=True), "sway")
    truth = ground_truth(name)["scenario"]["reps"]
    expected = [() if rep["fault"] is None else (rep["fault"],) for rep in truth]
    assert [rep.faults for rep in pipeline.reps] == expected
    last, true = pipeline.reps[-1], truth[-1]
    assert last.hold_s == pytest.approx(true["hold_end"] - true["hold_start"], abs=HOLD_TOLERANCE_S)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["desk_arch_stiff_head", "late_desk_arch"])
def test_at_the_desk_a_breath_between_two_arches_does_not_join_them(
    name: str, clip_poses: ClipLoader, ground_truth: Callable
) -> None:
    """The desk clips' poses with the upper body rising and falling as a 1-degree breath lifts the
    shoulders (`benchmarks.sway`), measured as `coach analyze` does. The elbows read each centimetre
    of that as some 4 degrees of arch, so a rest between two arches read 6-9 degrees, above a fifth
    of the arch, and the next arch joined the first into one rep with a 7-second "hold". A way back
    that stops nearer the rest than the peak has come back: every rep is counted, with its hold and
    its faults."""
    pipeline = analyzed_moving(clip_poses(name, with_mask=True), "breath")
    truth = ground_truth(name)["scenario"]["reps"]
    expected = [() if rep["fault"] is None else (rep["fault"],) for rep in truth]
    assert [rep.faults for rep in pipeline.reps] == expected
    for rep, true in zip(pipeline.reps, truth, strict=True):
        assert rep.hold_s == pytest.approx(true["hold_end"] - true["hold_start"], abs=HOLD_TOLERANCE_S)


@pytest.mark.slow
def test_at_the_desk_a_hold_the_model_lost_for_a_second_is_not_called_short(
    tmp_path_factory: pytest.TempPathFactory, clip_poses: ClipLoader, ground_truth: Callable
) -> None:
    """`desk_arch` mirrored: as the head is thrown back in the second rep the model puts both elbows
    some 150 px inwards for a second, a pose the seated-person rule refuses, so the hold is first seen
    1.1 s after it began. The hold counted is what was seen; it is not called short, since the unseen
    second beside it could have made it long enough (before: a false `short_hold`)."""
    out = tmp_path_factory.mktemp("desk_arch_mirrored") / "desk_arch_mirrored.mp4"
    mirrored = transformed_sample("desk_arch", out, lambda image: cv2.flip(image, 1))
    pipeline = Pipeline("arch", rules=recording_rules(), measure_from_start=True)  # as `coach analyze`
    frames = replay(pipeline, clip_poses(mirrored, with_mask=True))
    truth = ground_truth("desk_arch")["scenario"]["reps"]
    head_led = truth[1]
    unseen = [f.t_s for f in frames if f.phase is Phase.NO_POSE and head_led["hold_start"] <= f.t_s]
    unseen = [t_s for t_s in unseen if t_s <= head_led["hold_end"]]
    assert len(unseen) >= 10  # the gap is there: the model's own failure, not this test's
    assert [rep.faults for rep in pipeline.reps] == [(), ("head_back",), ()]
    assert pipeline.reps[1].hold_start_s > max(unseen)  # no unseen time is counted as held


@pytest.mark.slow
def test_at_the_desk_a_head_led_first_rep_is_judged_again_once_the_person_s_figures_are_known(
    clip_poses: ClipLoader, ground_truth: Callable
) -> None:
    """`mid_desk_arch_stiff_head` opens with a head thrown back on a body whose 3D head the model hardly
    turns. Judged before any good hold has taught the person's own figures, it passed for a good rep
    (elbows 21, head pitch 14, nose pitch 15, read as an arch of 22); once two good holds show how
    little this person's nose rises in an arch, it is judged again and flagged, and its arch reads
    less of the elbows' fall (the hands ride on the head)."""
    name = "mid_desk_arch_stiff_head"
    clip = clip_poses(name, with_mask=True)
    pipeline = Pipeline("arch", rules=recording_rules(), measure_from_start=True)  # as `coach analyze`
    for t_s, poses in zip(clip.times_s, clip.poses, strict=True):
        pipeline.step(poses, t_s)
    truth = ground_truth(name)["scenario"]["reps"]
    assert pipeline.calibration_summary()["framing"] == "desk"
    assert [rep.faults for rep in pipeline.reps] == [("head_back",), (), ()]
    assert [rep["fault"] for rep in truth] == ["head_back", None, None]
    first, *good = pipeline.reps
    assert first.peak_angle_deg < min(rep.peak_angle_deg for rep in good) - 3.0
    # With the same neutral from the first frame: a recording judges the first rep again, live does not.
    for in_hindsight, first_faults in ((True, ("head_back",)), (False, ())):
        assert pipeline.profile is not None
        analyzer = make_analyzer("arch", pipeline.profile, in_hindsight=in_hindsight)
        for t_s, poses in zip(clip.times_s, clip.poses, strict=True):
            analyzer.update(poses[0] if poses else None, t_s)
        assert [rep.faults for rep in analyzer.reps] == [first_faults, (), ()]


@pytest.mark.slow
def test_at_the_desk_a_breath_between_arches_does_not_join_them(
    clip_poses: ClipLoader, ground_truth: Callable
) -> None:
    """The desk clip's poses with the upper body rising and falling as a 1-degree breath lifts it
    (`benchmarks.sway`): the elbows read each centimetre of lift as about 4 degrees of arch, so between
    two arches the person rested 4-7 degrees up, above the arch's return band. Two arches read as one
    rep (3 of 4) before a rest near the neutral counted as a return; now every rep counts and every
    hold is within the issue's 0.3 s."""
    name = "desk_arch_sway"
    clip = clip_poses(name)
    rng = np.random.default_rng(0)
    pipeline = Pipeline("arch", rules=recording_rules())
    for t_s, poses in zip(clip.times_s, clip.poses, strict=True):
        pipeline.step(
            [moved(pose, t_s, "breath", TARGET_AMPLITUDE_DEG["breath"], rng) for pose in poses[:1]], t_s
        )
    truth = ground_truth(name)["scenario"]["reps"]
    assert len(pipeline.reps) == len(truth)
    for rep, true in zip(pipeline.reps, truth, strict=True):
        assert rep.hold_s == pytest.approx(true["hold_end"] - true["hold_start"], abs=HOLD_TOLERANCE_S)
