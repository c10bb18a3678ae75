"""Neutral means neutral, on real frames: a still body is taken as the neutral only in the starting
position (hands behind the head, shoulders square to the hips), and a recording that starts
mid-stretch calibrates in a rest between reps instead of on a held turn."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import cv2
import pytest

from coach.app.analyze import AnalyzeRequest, analyze_video
from coach.pipeline import Pipeline, recording_rules
from coach.pipeline.core import HANDS_DOWN_CUE_AFTER_S
from coach.pose.estimator import PoseEstimator
from coach.pose.model_files import resolve_model
from coach.render.video_sink import VideoSink
from coach.sources.video_file import VideoFileSource
from tests.helpers import REALDATA, ClipLoader, replay

# dev_rotate_front_good cut 4.5 s in: it opens in a held left turn; dev_rotate_45 cut 9.9 s in: it
# opens in a right turn held away from a camera 45 degrees off the front.
MIDTURN = ("midturn_rotate_front", "midturn_rotate_45")
HOLD_TOLERANCE_S = 0.3


@pytest.mark.parametrize("name", MIDTURN)
def test_a_recording_that_opens_in_a_held_turn_calibrates_in_a_rest(
    clip_poses: ClipLoader, ground_truth: Any, name: str
) -> None:
    clip, truth = clip_poses(name), ground_truth(name)
    pipeline = Pipeline("rotate", rules=recording_rules())
    refused = set()
    for t_s, poses in zip(clip.times_s, clip.poses, strict=True):
        step = pipeline.step(poses, t_s)
        if step.calibration is not None and step.calibration.problem is not None:
            refused.add(step.calibration.problem.code)
    assert "not_square" in refused  # the opening turn was seen, still, and not taken as the neutral
    assert pipeline.analyzer is not None
    calibrated_at = pipeline.analyzer.calibration_summary()["calibrated_at_s"]
    held_until = next(f["t"] for f in truth["frames"] if f["phase"] not in ("hold", "ramp_out"))
    first_rep = truth["scenario"]["reps"][0]
    assert held_until <= calibrated_at < first_rep["start"]  # in the rest after the turn came back

    reps = pipeline.reps
    assert [rep.side for rep in reps] == [want["side"] for want in truth["scenario"]["reps"]]
    for rep, want in zip(reps, truth["scenario"]["reps"], strict=True):
        assert abs(rep.hold_s - (want["hold_end"] - want["hold_start"])) <= HOLD_TOLERANCE_S
        assert rep.good


@pytest.mark.parametrize(
    ("name", "exercise"), [("dev_rotate_front_good", "rotate"), ("dev_arch_side_good", "arch")]
)
def test_a_movement_begun_as_soon_as_the_calibration_window_ends_is_a_rep(
    clip_poses: ClipLoader, ground_truth: Any, name: str, exercise: str
) -> None:
    """The person sat still just long enough for the calibration and began at once: the still window
    was their rest at neutral, so the first movement counts like the others."""
    clip, truth = clip_poses(name), ground_truth(name)
    first_rep = truth["scenario"]["reps"][0]
    cut_s = first_rep["start"] - 1.8  # the shortest still window the calibration takes
    pipeline = Pipeline(exercise, rules=recording_rules())
    for t_s, poses in zip(clip.times_s, clip.poses, strict=True):
        if t_s >= cut_s:
            pipeline.step(poses, t_s - cut_s)
    assert pipeline.analyzer is not None
    calibrated_at = pipeline.analyzer.calibration_summary()["calibrated_at_s"]
    assert calibrated_at >= first_rep["start"] - cut_s - 0.1  # it calibrated as the movement began
    assert len(pipeline.reps) == len(truth["scenario"]["reps"])
    for rep, want in zip(pipeline.reps, truth["scenario"]["reps"], strict=True):
        assert rep.side == want["side"]
        assert abs(rep.hold_s - (want["hold_end"] - want["hold_start"])) <= HOLD_TOLERANCE_S


def still_video(image_name: str, out: Path, seconds: float = 4.0, fps: float = 15.0) -> Path:
    """A video of a real photo held for `seconds`: a person sitting perfectly still."""
    image = cv2.imread(str(REALDATA / "images" / image_name))
    height, width = image.shape[:2]
    with VideoSink(out, fps, (width, height)) as sink:
        for _ in range(round(seconds * fps)):
            sink.write(image)
    return out


def analyze_still(image_name: str, tmp_path: Path) -> dict[str, Any]:
    report = tmp_path / "report.json"
    analyze_video(
        AnalyzeRequest(
            video=still_video(image_name, tmp_path / "still.mp4"),
            exercise="rotate",
            model_path=resolve_model("full"),
            report_path=report,
        )
    )
    return json.loads(report.read_text())


@pytest.mark.slow
def test_a_real_person_sitting_still_with_the_hands_elsewhere_is_not_calibrated(tmp_path: Path) -> None:
    # A real man seated with his trunk turned and his arms held out: still, but not the start.
    report = analyze_still("revai_seated_torso_rotation.png", tmp_path)
    assert report["calibration"]["calibrated"] is False
    assert report["calibration"]["problem"] == "hands"
    assert "hands behind your head" in report["calibration"]["reason"]
    assert report["counts"]["total"] == 0


@pytest.mark.slow
def test_a_real_person_sitting_still_with_the_hands_up_at_the_head_is_calibrated(tmp_path: Path) -> None:
    # A real woman seated facing the camera, fists beside her head: the starting position's shape.
    report = analyze_still("revai_seated_arms_raised.png", tmp_path)
    assert report["calibration"]["calibrated"] is True


def test_the_sample_clips_still_calibrate_at_their_start(clip_poses: ClipLoader) -> None:
    for name in ("dev_rotate_45", "dev_arch_side_good"):
        pipeline = Pipeline("rotate" if "rotate" in name else "arch", rules=recording_rules())
        replay(pipeline, clip_poses(name))
        assert pipeline.analyzer is not None
        assert pipeline.analyzer.calibration_summary()["calibrated_at_s"] <= 2.5, name


def stills_video(scenes: list[tuple[str, float]], out: Path, fps: float = 15.0) -> Path:
    """A video of real photos, each held for its seconds, all at the first photo's size."""
    first = cv2.imread(str(REALDATA / "images" / scenes[0][0]))
    height, width = first.shape[:2]
    with VideoSink(out, fps, (width, height)) as sink:
        for name, seconds in scenes:
            image = cv2.resize(cv2.imread(str(REALDATA / "images" / name)), (width, height))
            for _ in range(round(seconds * fps)):
                sink.write(image)
    return out


@pytest.mark.slow
def test_hands_coming_down_mid_set_get_a_cue(tmp_path: Path) -> None:
    # Real people: sitting with the fists at the head (calibrates), then a seated side bend with one
    # arm down, then the hands back up.
    video = stills_video(
        [
            ("revai_seated_arms_raised.png", 3.0),
            ("revai_seated_flank_stretch.png", 2.0),
            ("revai_seated_arms_raised.png", 1.0),
        ],
        tmp_path / "hands.mp4",
    )
    pipeline = Pipeline("rotate", rules=recording_rules())
    cues = []
    with VideoFileSource(video) as source, PoseEstimator(resolve_model("full")) as model:
        for frame in source:
            step = pipeline.step(model.estimate(frame), frame.t_s, frame.image)
            if step.analysis.cue is not None:
                cues.append((frame.t_s, step.analysis.cue.code))
    assert pipeline.calibrated
    hands = [t_s for t_s, code in cues if code == "hands"]
    assert len(hands) == 1 and 3.0 <= hands[0] <= 3.0 + HANDS_DOWN_CUE_AFTER_S + 0.2
    assert pipeline.calibration_summary()["hands_down_frames"] >= 1.5 * 15
