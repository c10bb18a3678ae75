"""Desk mode (issue 19) with the real model on the rendered laptop-webcam clips `desk_rotate` and
`desk_arch`: head, shoulders and elbows in view, hips below the picture. Their targets against the
ground truth are held in `tests/app/test_golden_reports.py`; here: what desk mode says and refuses."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from coach.errors import CalibrationError, ProfileError
from tests.app.test_live import LiveProcess
from tests.helpers import SAMPLES, transformed_sample
from tests.robust_helpers import read_frames, run_coach, write_video

DESK = SAMPLES / "desk_rotate.mp4"
DESK_ARCH = SAMPLES / "desk_arch.mp4"


@pytest.mark.slow
def test_a_desk_video_is_coached_in_desk_mode_and_says_what_it_cannot_check(tmp_path: Path) -> None:
    report_path, frames_path = tmp_path / "desk.json", tmp_path / "desk.csv"
    result = run_coach(
        "analyze", DESK, "--exercise", "rotate", "--report", report_path, "--frames", frames_path
    )
    assert result.code == 0, result.stderr
    assert "Desk mode (head and shoulders in view): hips not in view" in result.stdout
    report = result.report(report_path)
    assert report["calibration"]["framing"] == "desk"
    assert report["calibration"]["not_checked"] == "hips not in view: turning on the seat is not checked"
    assert report["counts"]["left"] == 2 and report["counts"]["right"] == 2
    with frames_path.open() as rows:  # never pretends to see the hips
        assert all(row["pelvis_deg"] == "" for row in csv.DictReader(rows))
    # No false fault. (The third rep leans sideways 9 degrees, which reads 4 beyond its turn here,
    # under the 5-degree line: tests/app/test_golden_reports.py, KNOWN_MISSED_FAULTS.)
    assert [rep["faults"] for rep in report["reps"]] == [[], [], [], []]


def truth_reps(clip: str) -> list[dict[str, Any]]:
    return list(json.loads((SAMPLES / f"{clip}.gt.json").read_text())["scenario"]["reps"])


def desk_report(video: Path, exercise: str, tmp_path: Path) -> dict[str, Any]:
    """`analyze` a desk recording (it must succeed, in desk mode); its report. The frames' table is
    `tmp_path / "frames.csv"`."""
    report_path, frames_path = tmp_path / "report.json", tmp_path / "frames.csv"
    result = run_coach(
        "analyze", video, "--exercise", exercise, "--report", report_path, "--frames", frames_path
    )
    assert result.code == 0, result.stderr
    report: dict[str, Any] = result.report(report_path)
    assert report["calibration"]["framing"] == "desk"
    return report


@pytest.mark.slow
def test_a_side_lean_at_the_desk_is_flagged_on_its_rep_with_or_against_the_turn(tmp_path: Path) -> None:
    report = desk_report(SAMPLES / "desk_lean_far.mp4", "rotate", tmp_path)
    truth = truth_reps("desk_lean_far")
    assert [rep["side"] for rep in report["reps"]] == [rep["side"] for rep in truth]
    assert [rep["faults"] for rep in report["reps"]] == [["side_lean"] if r["fault"] else [] for r in truth]


def cut_at_the_sides(image: np.ndarray) -> np.ndarray:
    """The desk picture cropped to its middle third: the elbows leave it."""
    width = image.shape[1]
    return np.ascontiguousarray(image[:, width // 3 : 2 * width // 3])


@pytest.mark.slow
def test_a_desk_picture_without_the_elbows_is_refused_with_what_to_change(tmp_path: Path) -> None:
    frames = [cut_at_the_sides(image) for image in read_frames(DESK, 0, 45)]
    clip = write_video(tmp_path / "narrow.mp4", frames, 15.0)
    result = run_coach("calibrate", "--video", clip, "--calibration-dir", tmp_path)
    result.assert_one_clear_line(CalibrationError.exit_code)
    assert "elbows" in result.stderr and "move back" in result.stderr


def off_centre(image: np.ndarray) -> np.ndarray:
    """The person a fifth of the picture's width to the right (the picture shifted, its left edge
    repeated): sitting upright, their right elbow touches the picture's edge."""
    height, width = image.shape[:2]
    shift = np.array([[1.0, 0.0, width / 5], [0.0, 1.0, 0.0]])
    return cv2.warpAffine(image, shift, (width, height), borderMode=cv2.BORDER_REPLICATE)


@pytest.mark.slow
def test_an_arch_at_the_desk_is_not_measured_from_a_held_arch_when_sitting_upright_is_cut_off(
    tmp_path: Path,
) -> None:
    """`desk_arch` sitting off-centre: upright, the right elbow is at the picture's edge, and arching
    back brings it inside. The first still pose the picture showed whole was the first held arch, and
    the coach calibrated on it: 0 reps, "your largest arch was 3 degrees". Seen sitting still forward
    of it, where the picture cuts them off, that neutral is forgotten: the picture is refused with
    what to change, as when nothing is ever whole."""
    clip = write_video(
        tmp_path / "off_centre.mp4", [off_centre(image) for image in read_frames(DESK_ARCH)], 15.0
    )
    result = run_coach("analyze", clip, "--exercise", "arch", "--report", tmp_path / "report.json")
    result.assert_one_clear_line(CalibrationError.exit_code)
    assert "elbows are cut off at the right edge" in result.stderr


def held_turns(clip: str, frames_path: Path) -> list[tuple[float, float]]:
    """(reading, truth) of each true hold of a desk clip whose frames `analyze` wrote to `frames_path`:
    the medians over the hold of the frames' angle and of the truth's trunk turn."""
    truth = json.loads((SAMPLES / f"{clip}.gt.json").read_text())
    with frames_path.open() as rows:
        angles = [
            (float(row["t_s"]), float(row["angle_deg"])) for row in csv.DictReader(rows) if row["angle_deg"]
        ]
    held = []
    for true in truth["scenario"]["reps"]:
        start, end = true["hold_start"], true["hold_end"]
        reading = [angle for t, angle in angles if start <= t <= end]
        turned = [f["trunk_rot"] for f in truth["frames"] if start <= f["t"] <= end]
        held.append((float(np.median(reading)), float(np.median(turned))))
    return held


def analysed_with_no_false_fault(clip: str, video: Path, tmp_path: Path) -> Path:
    """`analyze` a desk turn recording of `clip`'s truth: in desk mode, every rep on its side, no good rep
    faulted. Returns the frames' table."""
    report = desk_report(video, "rotate", tmp_path)
    truth = truth_reps(clip)
    assert [rep["side"] for rep in report["reps"]] == [rep["side"] for rep in truth]
    for rep, true in zip(report["reps"], truth, strict=True):
        if true["fault"] is None:
            assert rep["faults"] == []
    return tmp_path / "frames.csv"


@pytest.mark.slow
def test_sitting_to_one_side_of_the_picture_the_turns_read_as_from_its_middle(tmp_path: Path) -> None:
    """`desk_rotate` with the person a fifth of the picture's width to one side: the lens sees them a
    little from that side. That view was counted twice (once by the lens, once as the body facing away),
    so turns towards one side read 6-7 degrees small, the other way 8-11 degrees large, and two good
    turns were called side leans."""
    clip = transformed_sample("desk_rotate", tmp_path / "off_centre.mp4", off_centre)
    frames_path = analysed_with_no_false_fault("desk_rotate", clip, tmp_path)
    for reading, turned in held_turns("desk_rotate", frames_path):
        assert reading == pytest.approx(turned, abs=4.0)


@pytest.mark.slow
def test_a_laptop_to_one_side_of_the_person_reads_their_turns_without_false_faults(tmp_path: Path) -> None:
    """`desk_rotate_off_axis` (held out when rendered): the laptop 17 cm to the person's left at 0.95 m.
    That view was counted twice too: the held turns read 5-14 degrees off (9.6 on average), a good hold
    was called short (0.65 s of 2.2) and a good turn a lean. (The lean on the second rep goes into the
    turn, which reads 8 degrees too far, and is missed: `tests/app/test_golden_reports.py`.)"""
    frames_path = analysed_with_no_false_fault(
        "desk_rotate_off_axis", SAMPLES / "desk_rotate_off_axis.mp4", tmp_path
    )
    held = held_turns("desk_rotate_off_axis", frames_path)
    assert float(np.mean([abs(reading - turned) for reading, turned in held])) <= 5.0


@pytest.mark.slow
def test_the_model_jolting_as_a_desk_turn_begins_makes_no_rep_and_loses_none(tmp_path: Path) -> None:
    """`desk_rotate_far` (held out when rendered): the laptop 1 m away with a wide lens. As the first
    turn begins the model loses the person for three frames and comes back reading 57 degrees round;
    as the second (to the right) begins it throws the left elbow in by a third of a shoulder span,
    which reads 21 degrees the wrong way for two frames. That jolt was counted as a left rep with a
    short hold and the right turn straight after it was lost; the first rep's hold was dated to the
    jolted frame (0.33 s of 2.2: a false short hold)."""
    analysed_with_no_false_fault("desk_rotate_far", SAMPLES / "desk_rotate_far.mp4", tmp_path)
    report = json.loads((tmp_path / "report.json").read_text())
    truth = truth_reps("desk_rotate_far")
    for rep, true in zip(report["reps"], truth, strict=True):
        assert rep["hold_s"] == pytest.approx(true["hold_end"] - true["hold_start"], abs=0.3)
        if true["fault"] is not None:
            assert true["fault"] in rep["faults"]


@pytest.mark.slow
def test_the_models_jitter_while_the_person_sits_still_for_the_calibration_is_no_rep(tmp_path: Path) -> None:
    """`desk_arch_close` (held out when rendered): a laptop 0.55 m away, a wide lens. While the person
    sits still for the calibration the model's arch reading jumps to 9 degrees for a third of a second;
    measured again from the start once calibrated, that counted as a first arch with a short hold. A
    movement within a window a calibration found still is no rep (and a later neutral, taken again
    when the first reads the wrong way, does not forget the first window)."""
    report = desk_report(SAMPLES / "desk_arch_close.mp4", "arch", tmp_path)
    truth = truth_reps("desk_arch_close")
    assert len(report["reps"]) == len(truth)
    for rep, true in zip(report["reps"], truth, strict=True):
        assert rep["hold_s"] == pytest.approx(true["hold_end"] - true["hold_start"], abs=0.3)
        assert rep["faults"] == ([true["fault"]] if true["fault"] is not None else [])


@pytest.mark.slow
def test_a_person_sitting_still_in_a_1280x720_desk_picture_calibrates(tmp_path: Path) -> None:
    # Laptop webcams give 1280x720. In this picture the model throws the far elbow between two places
    # a fifth of a shoulder span apart on a still body, and guesses the hips below the picture: neither
    # is the person moving.
    frames = [
        cv2.resize(image, (1280, 720), interpolation=cv2.INTER_CUBIC) for image in read_frames(DESK, 0, 44)
    ]
    clip = write_video(tmp_path / "desk720.mp4", frames, 15.0)
    made = run_coach("calibrate", "--video", clip, "--exercise", "rotate", "--calibration-dir", tmp_path)
    assert made.code == 0, made.stderr
    assert json.loads((tmp_path / "default.json").read_text())["framing"] == "desk"


@pytest.mark.slow
def test_a_desk_profile_does_not_fit_a_whole_body_picture(tmp_path: Path) -> None:
    made = run_coach("calibrate", "--video", DESK, "--exercise", "rotate", "--calibration-dir", tmp_path)
    assert made.code == 0, made.stderr
    profile = json.loads((tmp_path / "default.json").read_text())
    assert profile["framing"] == "desk"
    used = run_coach("analyze", SAMPLES / "dev_rotate_front_good.mp4", "--exercise", "rotate", "--profile",
                     "default", "--calibration-dir", tmp_path, "--report", tmp_path / "r.json")  # fmt: skip
    used.assert_one_clear_line(ProfileError.exit_code)
    assert "only your head and shoulders" in used.stderr and "from head to hips" in used.stderr


@pytest.mark.slow
def test_live_on_a_laptop_calibrates_into_desk_mode_by_itself(tmp_path: Path) -> None:
    run = LiveProcess(tmp_path, "desk", DESK, "--no-window", "--no-voice")
    assert run.finish() == 0, run.stderr
    assert any(line.startswith("Calibrated at") for line in run.lines), run.lines
    said = "Desk mode (head and shoulders in view): hips not in view: turning on the seat is not checked."
    assert said in run.lines, run.lines


@pytest.mark.slow
def test_live_sit_and_arch_on_a_laptop_calibrates_into_desk_mode_and_counts(tmp_path: Path) -> None:
    run = LiveProcess(tmp_path, "desk_arch", DESK_ARCH, "--exercise", "arch", "--no-window", "--no-voice")
    assert run.finish() == 0, run.stderr
    assert any(line.startswith("Calibrated at") for line in run.lines), run.lines
    said = "Desk mode (head and shoulders in view): hips not in view: how much of the arch comes from"
    assert any(line.startswith(said) for line in run.lines), run.lines
    assert any(line.startswith("Rep 1:") for line in run.lines), run.lines


@pytest.mark.slow
def test_sit_and_arch_at_the_desk_counts_flags_the_head_thrown_back_and_says_what_it_cannot_check(
    tmp_path: Path,
) -> None:
    """`desk_arch`: a laptop webcam 0.7 m in front; a good arch, one with the head thrown back (8 + 3
    degrees of arch, 25 of neck), a good arch. The low back's share is not seen from the front: not
    judged, and the report says so."""
    report_path, frames_path = tmp_path / "arch.json", tmp_path / "arch.csv"
    result = run_coach(
        "analyze", DESK_ARCH, "--exercise", "arch", "--report", report_path, "--frames", frames_path
    )
    assert result.code == 0, result.stderr
    assert "Desk mode (head and shoulders in view): hips not in view" in result.stdout
    report = result.report(report_path)
    assert report["calibration"]["framing"] == "desk"
    assert "low back is not checked" in report["calibration"]["not_checked"]
    assert report["counts"]["total"] == 3
    assert [rep["faults"] for rep in report["reps"]] == [[], ["head_back"], []]
    with frames_path.open() as rows:  # the low back's share is never pretended
        assert all(row["low_back_deg"] == "" for row in csv.DictReader(rows))
