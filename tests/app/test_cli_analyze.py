"""`coach analyze` through its real entry point: outputs on real clips, one clear line on bad input."""

from __future__ import annotations

import csv
import json
import signal
import subprocess
import sys
import time
import wave
from pathlib import Path

import cv2
import numpy as np
import pytest

from tests.helpers import REALDATA, SAMPLES


def coach(*args: str | Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "coach", *map(str, args)], capture_output=True, text=True, timeout=timeout
    )


def assert_one_line_error(result: subprocess.CompletedProcess[str], exit_code: int, fragment: str) -> None:
    assert result.returncode == exit_code, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert fragment in lines[0]


def write_video(path: Path, frames: list[np.ndarray], fps: float = 15.0) -> Path:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"mp4v"), fps, frames[0].shape[1::-1])
    for frame in frames:
        writer.write(frame)
    writer.release()
    return path


@pytest.mark.parametrize("exercise", ["rotate", "arch"])
@pytest.mark.slow
def test_real_clip_end_to_end(tmp_path: Path, exercise: str) -> None:
    video = REALDATA / "videos" / "tfjs_dance_arms_overhead.mp4"
    report_path, frames_path, annotated = tmp_path / "r.json", tmp_path / "f.csv", tmp_path / "a.mp4"
    result = coach(
        "analyze", video, "--exercise", exercise, "--report", report_path, "--frames", frames_path,
        "--annotated", annotated,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    report = json.loads(report_path.read_text())
    assert report["exercise"] == exercise and report["status"] == "complete"
    assert report["frames"] == 120
    assert 0 < report["frames_with_pose"] <= 120
    assert report["reps"] == [] and report["counts"]["total"] == 0  # dancing is not the stretch
    assert "Nothing was measured: the video never shows you sitting still" in result.stdout
    rows = list(csv.DictReader(frames_path.open()))
    assert len(rows) == 120
    assert list(rows[0])[:2] == ["t_s", "angle_deg"] and list(rows[0])[-3:] == ["phase", "hold_s", "cue"]
    capture = cv2.VideoCapture(str(annotated))
    assert int(capture.get(cv2.CAP_PROP_FRAME_COUNT)) == 120


@pytest.mark.slow
def test_each_faulty_rep_is_printed_with_what_to_do(tmp_path: Path) -> None:
    report_path = tmp_path / "r.json"
    result = coach(
        "analyze", SAMPLES / "dev_rotate_front_faults.mp4", "--exercise", "rotate", "--report", report_path,
        "--db", tmp_path / "h.db",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    reps = json.loads(report_path.read_text())["reps"]
    advice = [line.strip() for line in result.stdout.splitlines() if line.startswith("  Rep ")]
    faulty = [(number, rep) for number, rep in enumerate(reps, start=1) if rep["faults"]]
    assert {fault for _, rep in faulty for fault in rep["faults"]} == {"short_hold", "low_back", "side_lean"}
    assert len(advice) == len(faulty)
    cues = {"short_hold": "Hold for 2 seconds", "low_back": "hips square", "side_lean": "don't lean"}
    for line, (number, rep) in zip(advice, faulty, strict=True):
        assert line.startswith(f"Rep {number} {rep['side']}: ")
        assert all(cues[fault] in line for fault in rep["faults"])


@pytest.mark.slow
def test_a_terminal_that_stops_reading_loses_nothing(tmp_path: Path) -> None:
    """`coach analyze ... | head -1`: the reader goes away; the report, history and page are written."""
    report, db, page = tmp_path / "r.json", tmp_path / "h.db", tmp_path / "r.html"
    command = [
        sys.executable, "-m", "coach", "analyze", SAMPLES / "dev_arch_side_good.mp4", "--exercise", "arch",
        "--report", report, "--db", db, "--report-html", page,
    ]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # the reader is gone before the first line
    stderr = process.stderr.read()
    assert process.wait(timeout=300) == 0, stderr
    assert stderr.strip() == "", stderr
    assert json.loads(report.read_text())["counts"]["total"] == 3
    assert page.stat().st_size > 0
    listed = coach("history", "--db", db, "--json")
    assert listed.returncode == 0 and len(json.loads(listed.stdout)["sessions"]) == 1, listed.stdout


@pytest.mark.slow
def test_report_defaults_to_a_file_next_to_the_video(tmp_path: Path) -> None:
    video = tmp_path / "clip.mp4"
    video.write_bytes((REALDATA / "videos" / "tfjs_dance_arms_overhead.mp4").read_bytes())
    result = coach("analyze", video, "--exercise", "rotate")
    assert result.returncode == 0, result.stderr
    assert json.loads((tmp_path / "clip.rotate.report.json").read_text())["frames"] == 120


def test_missing_video(tmp_path: Path) -> None:
    assert_one_line_error(coach("analyze", tmp_path / "nope.mp4", "--exercise", "rotate"), 3, "not found")


def test_corrupt_video(tmp_path: Path) -> None:
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(np.random.default_rng(0).integers(0, 256, 50_000, dtype=np.uint8).tobytes())
    assert_one_line_error(coach("analyze", junk, "--exercise", "rotate"), 4, "Cannot read")


def test_truncated_video_with_no_decodable_frame(tmp_path: Path) -> None:
    truncated = tmp_path / "truncated.mp4"
    truncated.write_bytes((SAMPLES / "dev_arch_side_good.mp4").read_bytes()[:3000])
    assert_one_line_error(coach("analyze", truncated, "--exercise", "arch"), 4, "Cannot read")


def test_file_with_no_video_stream(tmp_path: Path) -> None:
    audio = tmp_path / "sound.wav"
    with wave.open(str(audio), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(8000)
        handle.writeframes(np.zeros(8000, np.int16).tobytes())
    assert_one_line_error(coach("analyze", audio, "--exercise", "rotate"), 4, "Cannot read")


@pytest.mark.slow
def test_video_with_nobody_writes_no_report(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    frames = [
        np.full((240, 320, 3), 90, np.uint8) + rng.integers(0, 20, (240, 320, 3), dtype=np.uint8)
        for _ in range(20)
    ]
    video = write_video(tmp_path / "empty_room.mp4", frames)
    report = tmp_path / "r.json"
    assert_one_line_error(coach("analyze", video, "--exercise", "rotate", "--report", report), 5, "No person")
    assert not report.exists()


def test_unknown_model(tmp_path: Path) -> None:
    result = coach("analyze", SAMPLES / "dev_arch_side_good.mp4", "--exercise", "arch", "--model", "medium")
    assert_one_line_error(result, 6, "Unknown model")


@pytest.mark.slow
def test_ctrl_c_keeps_what_was_measured(tmp_path: Path) -> None:
    report_path, frames_path = tmp_path / "r.json", tmp_path / "f.csv"
    process = subprocess.Popen(
        [sys.executable, "-m", "coach", "analyze", str(SAMPLES / "dev_rotate_front_good.mp4"), "--exercise",
         "rotate", "--report", str(report_path), "--frames", str(frames_path)],
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    time.sleep(4.0)  # model loaded, some frames analyzed, far from the end of the 541-frame clip
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr and len(stderr.strip().splitlines()) == 1
    report = json.loads(report_path.read_text())
    assert report["status"] == "interrupted"
    assert 0 < report["frames"] < 541
    assert len(list(csv.DictReader(frames_path.open()))) == report["frames"]


@pytest.mark.slow
def test_profile_for_another_camera_placement_is_refused(tmp_path: Path) -> None:
    made = coach("calibrate", "--video", SAMPLES / "dev_arch_side_good.mp4", "--profile", "side",
                 "--calibration-dir", tmp_path)  # fmt: skip
    assert made.returncode == 0, made.stderr
    report = tmp_path / "r.json"
    result = coach("analyze", SAMPLES / "dev_rotate_45.mp4", "--exercise", "rotate", "--profile", "side",
                   "--calibration-dir", tmp_path, "--report", report)  # fmt: skip
    assert_one_line_error(result, 9, "put the camera back or run `coach calibrate --profile side")
    assert not report.exists()


@pytest.mark.slow
def test_analyze_with_a_saved_profile(tmp_path: Path) -> None:
    made = coach("calibrate", "--video", SAMPLES / "dev_rotate_45.mp4", "--calibration-dir", tmp_path)
    assert made.returncode == 0, made.stderr
    report = tmp_path / "r.json"
    result = coach("analyze", SAMPLES / "dev_rotate_45.mp4", "--exercise", "rotate", "--profile", "default",
                   "--calibration-dir", tmp_path, "--report", report)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert json.loads(report.read_text())["counts"] == {"left": 2, "right": 2, "total": 4, "good": 4}
    assert "Nothing was measured" not in result.stdout


@pytest.mark.slow
def test_a_webcam_that_shows_only_head_and_shoulders_is_coached_in_desk_mode(tmp_path: Path) -> None:
    # The model guesses hips below the picture, and a guessed hip reads as a turned pelvis: before desk
    # mode this clip counted 4 of its 6 reps and called two of them low_back, so it was refused. Now the
    # head-and-shoulders picture is desk mode (README, "At your desk"): nothing is read from the hips.
    capture = cv2.VideoCapture(str(SAMPLES / "dev_rotate_front_good.mp4"))
    frames = []
    while len(frames) < 75:
        ok, image = capture.read()
        assert ok
        frames.append(cv2.resize(image[:240, 107:533], (640, 480)))
    video = write_video(tmp_path / "webcam.mp4", frames)
    report_path = tmp_path / "r.json"
    result = coach("analyze", video, "--exercise", "rotate", "--report", report_path)
    assert result.returncode == 0, result.stderr
    report = json.loads(report_path.read_text())
    assert report["calibration"]["framing"] == "desk"
    assert "turning on the seat" in report["calibration"]["not_checked"]
    assert all("low_back" not in rep["faults"] for rep in report["reps"])


@pytest.mark.slow
def test_a_view_the_stretch_cannot_be_seen_from_is_said_with_where_to_put_the_camera(tmp_path: Path) -> None:
    report = tmp_path / "r.json"
    result = coach("analyze", SAMPLES / "dev_rotate_front_good.mp4", "--exercise", "arch", "--report", report)
    assert result.returncode == 0, result.stderr
    assert "Cannot measure the arch from this view. Turn the camera to your side" in result.stdout
    assert "Nothing was measured" not in result.stdout
    assert json.loads(report.read_text())["calibration"]["measurable"] is False
