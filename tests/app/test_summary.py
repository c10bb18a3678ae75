"""What a session's end says: the rep it ended during, and why it counted no rep (no model: hand-built
poses through the real pipeline, or hand-made per-frame rows)."""

from __future__ import annotations

import re

import pytest

from coach.app.summary import (
    NEVER_CALIBRATED,
    ended_during,
    fault_lines,
    found_again,
    never_calibrated,
    ordinal,
    reps_reason,
)
from coach.exercises.rotate import ROTATE_RULES
from coach.pipeline import Pipeline, recording_rules
from coach.reps.analysis import FrameAnalysis, Phase, Rep
from tests.exercises.test_arch_analyzer import run as run_arch
from tests.exercises.test_arch_analyzer import session as arch_session
from tests.exercises.test_rotate_analyzer import FPS, ramp, rep, run, still, upper_body_turn


def streamed(angles: list[float | None]) -> tuple[Pipeline, list[FrameAnalysis]]:
    pipeline = Pipeline("rotate", rules=recording_rules())
    return pipeline, run(angles, upper_body_turn(), pipeline)


def reason(pipeline: Pipeline, frames: list[FrameAnalysis]) -> str | None:
    return reps_reason(
        "rotate", pipeline.calibration_summary(), frames, pipeline.finish(), len(pipeline.reps)
    )


def rows(*spans: tuple[float | None, float], phase: Phase = Phase.NEUTRAL) -> list[FrameAnalysis]:
    """Per-frame rows at FPS: each span is (angle or None for nobody, seconds)."""
    out: list[FrameAnalysis] = []
    for angle, seconds in spans:
        for _ in range(round(seconds * FPS)):
            t = len(out) / FPS
            out.append(FrameAnalysis(t, phase if angle is not None else Phase.NO_POSE, angle_deg=angle))
    return out


CALIBRATED = {"calibrated": True, "calibrated_at_s": None}


# -- the rep the stream ended during ------------------------------------------------------------


def test_a_stream_cut_off_during_a_hold_reports_that_rep_apart_and_counts_the_others() -> None:
    pipeline, _ = streamed(still() + rep(40) + ramp(0, -40, 1.3) + ramp(-40, -40, 1.2))
    assert [r.side for r in pipeline.reps] == ["left"]
    cut = pipeline.finish()
    assert cut is not None and cut.incomplete and not cut.good
    assert cut.side == "right" and cut.peak_angle_deg == pytest.approx(-40, abs=5)
    assert cut.hold_s == pytest.approx(1.2, abs=0.4)
    assert cut not in pipeline.reps and pipeline.finish() == cut  # reading it changes nothing
    line = ended_during(cut, len(pipeline.reps))
    assert re.fullmatch(r"the video ended during a 2nd \(right, held 1\.\d s so far\)", line), line


def test_an_arch_cut_off_during_its_hold_is_reported_without_a_side() -> None:
    good = ((20.0, 4.0, 0.0), 1.5)
    done = arch_session(good)
    frames = arch_session(good, (good[0], 3.0))[: len(done) + round((1.2 + 1.0) * FPS)]
    pipeline = Pipeline("arch", rules=recording_rules())
    run_arch(frames, pipeline)
    assert len(pipeline.reps) == 1
    cut = pipeline.finish()
    assert cut is not None and cut.incomplete and cut.side is None
    assert cut.peak_angle_deg == pytest.approx(pipeline.reps[0].peak_angle_deg, abs=2)
    assert cut.hold_s == pytest.approx(1.0, abs=0.4)
    line = ended_during(cut, len(pipeline.reps))
    assert re.fullmatch(r"the video ended during a 2nd \(held \d\.\d s so far\)", line), line


def test_a_stream_that_ends_at_neutral_has_no_incomplete_rep() -> None:
    pipeline, _ = streamed(still() + rep(40))
    assert len(pipeline.reps) == 1 and pipeline.finish() is None
    assert Pipeline("rotate").finish() is None  # never calibrated


@pytest.mark.parametrize(
    ("n", "said"), [(1, "1st"), (2, "2nd"), (3, "3rd"), (4, "4th"), (11, "11th"), (13, "13th"), (22, "22nd")]
)
def test_ordinals(n: int, said: str) -> None:
    assert ordinal(n) == said


def test_the_end_sentence_names_the_side_and_the_hold_so_far() -> None:
    held = Rep("left", 10.0, 11.0, 12.2, 12.2, 34.0, incomplete=True)
    assert ended_during(held, 6) == "the video ended during a 7th (left, held 1.2 s so far)"
    arched = Rep(None, 10.0, 11.0, 11.0, 11.0, 12.0, incomplete=True)
    assert ended_during(arched, 0, "session") == "the session ended during a 1st (not held yet)"


# -- why no rep was counted ---------------------------------------------------------------------


def test_never_turning_far_enough_says_how_far_and_what_counts() -> None:
    pipeline, frames = streamed(still() + rep(9) + rep(-8))
    assert pipeline.calibrated and pipeline.reps == []
    said = reason(pipeline, frames)
    assert said is not None
    match = re.fullmatch(
        r"Your largest turn was (\d+) degrees from where you sat at calibration; "
        r"a rep counts from 15 degrees\.",
        said,
    )
    assert match is not None, said
    assert 6 <= int(match.group(1)) < ROTATE_RULES.min_peak_deg


def test_leaving_the_picture_after_calibration_says_so() -> None:
    pipeline, frames = streamed([*still(), *ramp(0, 0, 0.5), *([None] * 60)])
    said = reason(pipeline, frames)
    assert said is not None and said.startswith("The coach lost sight of you after calibration")


def test_a_stream_ending_during_the_first_rep_says_the_rep_was_not_finished() -> None:
    pipeline, frames = streamed(still() + ramp(0, 40, 1.3) + ramp(40, 40, 1.0))
    said = reason(pipeline, frames)
    assert said == (
        "The video ended before you came back from your first turn: "
        "a rep counts once you are back where you sat at calibration."
    )


def test_a_counted_rep_needs_no_reason() -> None:
    pipeline, frames = streamed(still() + rep(40))
    assert reason(pipeline, frames) is None


def test_lost_mid_rep_and_never_back_at_neutral_are_told_apart() -> None:
    lost = rows((0.0, 1.0), (30.0, 1.0), (None, 3.0), (0.0, 1.0))
    said = reps_reason("rotate", CALIBRATED, lost, None, 0)
    assert said == (
        "The coach lost sight of you during your turn (up to 30 degrees): keep your head, shoulders, "
        "elbows and hips in the picture."
    )
    at_the_desk = reps_reason("rotate", {**CALIBRATED, "framing": "desk"}, lost, None, 0)
    assert at_the_desk == (
        "The coach lost sight of you during your turn (up to 30 degrees): keep your head, shoulders "
        "and elbows in the picture."
    )
    stuck = rows((20.0, 5.0))
    said = reps_reason("arch", CALIBRATED, stuck, None, 0, "session")
    assert said == (
        "You reached 20 degrees but never settled back within 3 degrees (or 20% of how far you went) "
        "of where you sat at calibration, where each rep starts and ends."
    )


def test_a_stream_ending_at_calibration_has_nothing_left_to_count() -> None:
    frames = rows((0.0, 2.0))
    said = reps_reason("rotate", {"calibrated": True, "calibrated_at_s": 2.0}, frames, None, 0)
    assert said == "The video ended as soon as the coach had learnt your neutral: nothing was left to count."
    # A recording measured from its first frame: the still sitting before the calibration is measured.
    from_start = {"calibrated": True, "calibrated_at_s": 2.0, "measured_from_s": 0.0}
    assert reps_reason("rotate", from_start, frames, None, 0) == said
    turned_first = rows((0.0, 0.5), (10.0, 1.0), (0.0, 1.0))
    said = reps_reason("rotate", {**from_start, "calibrated_at_s": 2.5}, turned_first, None, 0)
    assert said is not None and said.startswith("Your largest turn was 10 degrees")


def test_never_calibrating_gives_the_calibrations_own_problem() -> None:
    # Whatever sentence a calibration check gives flows through (here one another check might add).
    hands = {
        "calibrated": False,
        "reason": "Your hands are not behind your head: put them there and hold still.",
        "problem": "hands_not_behind_head",
    }
    assert reps_reason("rotate", hands, [], None, 0) == (
        "Nothing was measured: your hands are not behind your head: put them there and hold still."
    )
    view = {"calibrated": False, "reason": "Cannot measure the arch from this view. Turn the camera.",
            "problem": "view"}  # fmt: skip
    assert never_calibrated(view) == view["reason"]
    profile_view = {"calibrated": False, "measurable": False, "reason": "Seen from the front."}
    assert never_calibrated(profile_view) == "Seen from the front."
    for problem in ("not_still", "too_short", "nobody", None):
        summary = {"calibrated": False, "reason": "You moved.", "problem": problem}
        assert never_calibrated(summary) == NEVER_CALIBRATED["video"]
    assert never_calibrated({}, "session") == NEVER_CALIBRATED["session"]
    assert never_calibrated({}, "analysis") == NEVER_CALIBRATED["video"]  # Ctrl-C during `analyze`


def test_a_stream_that_never_calibrates_through_the_pipeline_says_why() -> None:
    pipeline, frames = streamed([None] * 60)
    said = reason(pipeline, frames)
    assert said is not None and said.startswith("Nothing was measured")


# -- far fewer reps than movements -------------------------------------------------------------


def turns(count: int, *, back_to: float = 0.0, out: float = 30.0) -> list[tuple[float | None, float]]:
    """Spans of `count` turns out to `out` degrees, each coming back to `back_to` between them."""
    return [(0.0, 1.0)] + [span for _ in range(count) for span in ((out, 1.5), (back_to, 1.0))]


def test_as_many_movements_as_reps_needs_no_reason() -> None:
    assert reps_reason("rotate", CALIBRATED, rows(*turns(6)), None, 6) is None
    # One uncounted movement is not "far fewer"; the rep the video ended during is no missed rep.
    assert reps_reason("rotate", CALIBRATED, rows(*turns(6)), None, 5) is None
    cut = Rep("left", 0.0, 1.0, 2.0, 2.0, 30.0, incomplete=True)
    assert reps_reason("rotate", CALIBRATED, rows(*turns(6)), cut, 4) is None


def test_far_fewer_reps_than_movements_says_what_a_rep_needs() -> None:
    said = reps_reason("rotate", CALIBRATED, rows(*turns(6)), None, 2)
    assert said == (
        "You went past 15 degrees 6 times but 2 reps counted: each rep starts and ends back within 8 "
        "degrees of where you sat at calibration, with a moment's pause there."
    )


def test_an_arch_back_within_a_fifth_of_its_peak_is_a_movement_of_its_own() -> None:
    # Resting 4 degrees up between 25-degree arches ends each (the arch's rep rules): six movements.
    said = reps_reason("arch", CALIBRATED, rows(*turns(6, back_to=4.0, out=25.0)), None, 2)
    assert said == (
        "You went past 8 degrees 6 times but 2 reps counted: each rep starts and ends back within 3 "
        "degrees (or 20% of how far you went) of where you sat at calibration, with a moment's pause there."
    )
    assert reps_reason("arch", CALIBRATED, rows(*turns(6, back_to=6.0, out=25.0)), None, 1) is None


def test_the_models_jitter_while_sitting_still_for_a_calibration_is_no_movement() -> None:
    # Two jolts out to 9 degrees while the person sat still for the coach (its still windows), then
    # four arches, four reps counted: nothing is missing (the rep count ignores the jolts too).
    jolts = [(0.0, 0.5), (9.0, 0.3), (0.0, 0.5), (9.0, 0.3), (0.0, 0.9)]
    spans = [*jolts, *turns(4, out=25.0)[1:]]
    calibration = {**CALIBRATED, "still_windows_s": [[0.0, 2.5]]}
    assert reps_reason("arch", calibration, rows(*spans), None, 4) is None
    # Without the windows (or with jolts outside them) they are movements, and far fewer reps is said.
    said = reps_reason("arch", CALIBRATED, rows(*spans), None, 4)
    assert said is not None and said.startswith("You went past 8 degrees 6 times but 4 reps counted")
    elsewhere = {**CALIBRATED, "still_windows_s": [[20.0, 22.5]]}
    assert reps_reason("arch", elsewhere, rows(*spans), None, 4) == said


def test_far_fewer_reps_with_the_person_often_out_of_view_says_that_first() -> None:
    spans = [*turns(3), (None, 5.0), *turns(3)]
    said = reps_reason("arch", CALIBRATED, rows(*spans), None, 2, "session")
    assert said is not None and said.startswith("The coach lost sight of you for 23% of the session")


def test_backward_only_counts_for_the_arch() -> None:
    bent_forward = rows((0.0, 1.0), (-20.0, 3.0), (0.0, 1.0))
    said = reps_reason("arch", CALIBRATED, bent_forward, None, 0)
    assert said == (
        "Your largest arch was 0 degrees from where you sat at calibration; a rep counts from 8 degrees."
    )


def test_hands_away_from_the_head_for_much_of_the_session_is_said_first() -> None:
    calibration = {**CALIBRATED, "hands_down_frames": 40}
    said = reps_reason("rotate", calibration, rows((0.0, 4.0)), None, 0)
    assert said is not None and "hands behind your head" in said and "67%" in said
    assert reps_reason("rotate", {**CALIBRATED, "hands_down_frames": 5}, rows((0.0, 4.0)), None, 0) != said


def test_a_recalibration_after_impossible_readings_is_said_when_nothing_counted() -> None:
    calibration = {**CALIBRATED, "unreliable_frames": 20, "recalibrations": 1}
    said = reps_reason("rotate", calibration, rows((0.0, 4.0)), None, 0)
    assert said is not None and "past what a spine can do" in said


def test_fault_lines_number_the_reps_as_counted_and_tell_the_hold_asked_for() -> None:
    good = Rep("left", 0.0, 1.0, 3.0, 4.0, 33.0)
    short = Rep("right", 5.0, 6.0, 7.2, 8.0, -41.0, ("short_hold",))
    leaning = Rep("left", 9.0, 10.0, 12.0, 13.0, 30.0, ("side_lean", "low_back"))
    lines = fault_lines("rotate", [good, short, leaning])
    assert lines == [
        "Rep 2 right: 41 deg, held 1.2 s. Hold for 2 seconds.",
        "Rep 3 left: 30 deg, held 2.0 s. Sit tall, don't lean. "
        "Keep your hips square, turn from the upper back.",
    ]
    assert fault_lines("rotate", [short], hold_target_s=5.0) == [
        "Rep 1 right: 41 deg, held 1.2 s. Hold for 5 seconds."
    ]
    assert fault_lines("arch", [Rep(None, 0.0, 1.0, 2.5, 3.0, 20.0, ("head_back",))]) == [
        "Rep 1: 20 deg, held 1.5 s. Keep your head with your hands, don't throw it back."
    ]
    assert fault_lines("rotate", [good]) == []


def test_a_neutral_found_again_is_told_and_otherwise_nothing_is() -> None:
    assert found_again({"calibrated": True, "calibrated_at_s": 0.7}) is None
    said = found_again({"calibrated": True, "calibrated_at_s": 3.0, "found_again_at_s": 2.267})
    assert said is not None and said.startswith("At 2.3 s you sat still further forward")
    assert said.endswith("measured the whole video from it.")
    assert "held arch" not in said  # the coach cannot know why the first neutral was off
