"""A recording that opens in a held arch is calibrated on it, then finds the person's true neutral when
they sit still further forward (`coach.pipeline.wrong_way`): the real model on `midarch_arch_side`
(nat_arch_side cut 4.5 s in: it opens 0.6 s into the first arch's hold) and `late_desk_arch`."""

from __future__ import annotations

from typing import Any

import pytest

from coach.app.summary import found_again
from coach.pipeline import Pipeline, recording_rules
from coach.pipeline.core import NEUTRAL_AGAIN_CUE
from coach.storage.report import SessionRecord
from tests.helpers import ClipLoader

pytestmark = pytest.mark.slow


def run(clip_poses: ClipLoader, name: str, *, measure_from_start: bool) -> tuple[Pipeline, SessionRecord]:
    clip = clip_poses(name, with_mask=True)
    pipeline = Pipeline("arch", rules=recording_rules(), measure_from_start=measure_from_start)
    record = SessionRecord(
        exercise="arch", video=name, fps=clip.info.fps, signal_names=("low_back_deg", "head_deg")
    )
    for t_s, poses in zip(clip.times_s, clip.poses, strict=True):
        step = pipeline.step(poses, t_s)
        record.add(step.analysis, step.people_in_view)
        record.revise(step.earlier)
    return pipeline, record


@pytest.mark.parametrize("name", ["midarch_arch_side", "late_desk_arch"])
def test_a_recording_calibrated_in_a_held_arch_finds_the_neutral_and_measures_it_all_again(
    clip_poses: ClipLoader, ground_truth: Any, name: str
) -> None:
    truth = ground_truth(name)
    pipeline, record = run(clip_poses, name, measure_from_start=True)
    said = [row.t_s for row in record.rows if row.cue == NEUTRAL_AGAIN_CUE]
    assert len(said) == 1  # found once, and the true neutral then holds
    calibration = pipeline.calibration_summary()
    assert calibration["measured_from_s"] == 0.0
    assert calibration["calibrated_at_s"] == pytest.approx(said[0])
    # The report says when the still pose that became the neutral began, and the summary tells it.
    assert said[0] - 1.0 <= calibration["found_again_at_s"] < said[0]
    assert f"At {calibration['found_again_at_s']:.1f} s you sat still further forward" in str(
        found_again(calibration)
    )
    assert said[0] <= min(rep["start"] for rep in truth["scenario"]["reps"][1:])  # before the 2nd rep
    # Every rep the person began after the opening is counted, with its faults.
    faults = [list(rep.faults) for rep in pipeline.reps]
    assert faults == [[rep["fault"]] if rep["fault"] else [] for rep in truth["scenario"]["reps"]]


def test_live_finds_the_neutral_again_and_counts_from_there(
    clip_poses: ClipLoader, ground_truth: Any
) -> None:
    """Without the recording's kept frames (`coach live`), the reps after the true neutral count."""
    truth = ground_truth("midarch_arch_side")
    pipeline, record = run(clip_poses, "midarch_arch_side", measure_from_start=False)
    assert sum(row.cue == NEUTRAL_AGAIN_CUE for row in record.rows) == 1
    assert "measured_from_s" not in pipeline.calibration_summary()
    assert "found_again_at_s" in pipeline.calibration_summary()
    assert len(pipeline.reps) == len(truth["scenario"]["reps"])
