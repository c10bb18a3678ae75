"""A recording's frames are measured once its neutral is known, also those before it (`KeptFrames`,
`Pipeline(measure_from_start=True)`), and a neutral taken mid-arch is found again (`WrongWayWatch`):
hand-made poses here; the real model on the `late_` and `midarch_` sample clips (test_golden_reports)."""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from coach.pipeline import Pipeline, recording_rules
from coach.pipeline.kept_frames import KeptFrames
from coach.pipeline.wrong_way import WrongWayWatch
from coach.reps.analysis import FrameAnalysis, Phase
from coach.storage.report import SessionRecord
from tests.exercises.test_rotate_analyzer import FPS, rep, still, upper_body_turn
from tests.seated import seated_pose


def with_mask(value: float, size: tuple[int, int] = (64, 48)) -> tuple:
    pose = seated_pose(image_size=size)
    return (dataclasses.replace(pose, mask=np.full(size[::-1], value, dtype=np.float32)),)


def test_kept_frames_come_back_in_order_with_their_masks() -> None:
    early = KeptFrames()
    for i, value in enumerate((0.0, 0.5, 1.0)):
        early.add(with_mask(value), i / FPS)
    frames = list(early.frames())
    assert [t for _, t in frames] == [0.0, 1 / FPS, 2 / FPS]
    for (poses, _), value in zip(frames, (0.0, 0.5, 1.0), strict=True):
        assert poses[0].mask is not None and poses[0].mask.dtype == np.float32
        np.testing.assert_allclose(poses[0].mask, value, atol=1 / 255)
    early.clear()
    assert len(early) == 0 and list(early.frames()) == []


def test_kept_frames_keep_only_their_memory_and_drop_the_oldest_masks_past_the_budget() -> None:
    one_mask = 64 * 48  # bytes, as kept
    early = KeptFrames(memory_s=1.0, mask_budget_bytes=3 * one_mask)
    for i in range(30):
        early.add(with_mask(1.0), i / FPS)
    frames = list(early.frames())
    assert frames[0][1] >= 29 / FPS - 1.0 - 1e-9 and len(frames) == 16
    masked = [poses[0].mask is not None for poses, _ in frames]
    assert masked == [False] * 13 + [True] * 3  # the newest keep theirs


def late_start() -> list[float]:
    """0.6 s of sitting (too short to calibrate on), a held turn, a rest, another turn."""
    return still(0.6) + rep(40, rest_s=1.2) + rep(-40, rest_s=1.2)


def run(measure_from_start: bool) -> tuple[Pipeline, SessionRecord]:
    pipeline = Pipeline("rotate", rules=recording_rules(), measure_from_start=measure_from_start)
    signals = ("pelvis_deg", "lean_deg")
    record = SessionRecord(exercise="rotate", video="hand-made", fps=FPS, signal_names=signals)
    pose_of = upper_body_turn()
    for i, angle in enumerate(late_start()):
        step = pipeline.step([pose_of(angle)], i / FPS)
        record.add(step.analysis, step.people_in_view)
        record.revise(step.earlier)
    return pipeline, record


def test_a_recording_that_calibrates_at_its_first_rest_counts_the_rep_before_it() -> None:
    late, _ = run(measure_from_start=False)
    early, record = run(measure_from_start=True)
    assert [r.side for r in late.reps] == ["right"]  # the first turn came before the neutral
    assert [r.side for r in early.reps] == ["left", "right"]
    calibration = early.calibration_summary()
    assert calibration["measured_from_s"] == 0.0 and calibration["calibrated_at_s"] > 4.0
    # Every frame is measured, the first turn's as well as those after the calibration.
    assert not any(row.phase is Phase.CALIBRATING for row in record.rows)
    first_turn = [row.angle_deg for row in record.rows if 2.0 <= row.t_s <= 3.5]
    assert all(angle is not None and abs(angle - 40) < 3 for angle in first_turn)


def test_a_live_pipeline_does_not_measure_what_it_saw_before_it_was_ready() -> None:
    pipeline = Pipeline("rotate", rules=recording_rules())
    pose_of = upper_body_turn()
    steps = [pipeline.step([pose_of(angle)], i / FPS) for i, angle in enumerate(late_start())]
    assert all(step.earlier == () for step in steps)


def test_revising_a_record_replaces_the_rows_of_the_same_frames() -> None:
    record = SessionRecord(exercise="rotate", video="v", fps=FPS, signal_names=("pelvis_deg", "lean_deg"))
    for i in range(3):
        record.add(FrameAnalysis(t_s=i / FPS, phase=Phase.CALIBRATING), 1)
    record.revise([FrameAnalysis(t_s=1 / FPS, phase=Phase.NEUTRAL, angle_deg=0.5)])
    assert [row.phase for row in record.rows] == [Phase.CALIBRATING, Phase.NEUTRAL, Phase.CALIBRATING]
    assert record.frames == 3


# -- a neutral taken mid-arch (`WrongWayWatch`) ----------------------------------------------------


def test_the_wrong_way_watch_hands_over_a_window_once_the_person_sat_that_way_long_enough() -> None:
    watch = WrongWayWatch(limit_deg=8.0, window_s=0.7)
    poses = (seated_pose(),)
    handed = [watch.add(angle, poses, i / FPS) for i, angle in enumerate([2.0] * 5 + [20.0] * 15)]
    first = next(i for i, window in enumerate(handed) if window is not None)
    assert first == 5 + math.ceil(0.7 * FPS)  # the first frame past the limit, and 0.7 s more
    window = handed[first]
    assert window is not None and window[0][1] == 5 / FPS and window[-1][1] == first / FPS
    # Tried again at most every quarter window while the person stays there.
    assert sum(window is not None for window in handed) == 2


def test_the_wrong_way_watch_starts_again_whenever_the_person_is_back_within_the_limit() -> None:
    watch = WrongWayWatch(limit_deg=8.0, window_s=0.7)
    poses = (seated_pose(),)
    angles = ([20.0] * 8 + [0.0]) * 3 + [None] * 5  # never 0.7 s in a row; unseen frames do not count
    assert all(watch.add(angle, poses, i / FPS) is None for i, angle in enumerate(angles))
