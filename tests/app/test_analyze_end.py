"""`coach analyze` on real frames cut from a sample clip, through its real entry point and the real
model: a video that ends during a hold reports that rep apart, as incomplete; a video with no rep says
why in one sentence."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from coach.exercises.rotate import ROTATE_RULES
from tests.app.test_cli_analyze import coach, write_video
from tests.helpers import REPO, SAMPLES

CLIP = "dev_rotate_front_good"
FPS = 15.0  # the sample clips' frame rate
GOLDEN = REPO / "tests" / "data" / "golden"


def clip_frames(indices: list[int]) -> list[np.ndarray]:
    """The sample clip's frames at `indices` (in that order, repeats allowed)."""
    capture = cv2.VideoCapture(str(SAMPLES / f"{CLIP}.mp4"))
    frames: list[np.ndarray] = []
    while len(frames) <= max(indices):
        ok, image = capture.read()
        assert ok
        frames.append(image)
    capture.release()
    return [frames[i] for i in indices]


def analyzed(tmp_path: Path, indices: list[int]) -> tuple[dict[str, Any], str, Path]:
    video = write_video(tmp_path / "cut.mp4", clip_frames(indices), fps=FPS)
    report, page = tmp_path / "r.json", tmp_path / "r.html"
    result = coach(
        "analyze", video, "--exercise", "rotate", "--report", report, "--report-html", page,
        "--db", tmp_path / "history.sqlite3",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return json.loads(report.read_text()), result.stdout, page


@pytest.mark.slow
def test_a_video_that_ends_during_the_third_hold_counts_two_reps_and_reports_the_third(
    tmp_path: Path, ground_truth: Any
) -> None:
    third = ground_truth(CLIP)["scenario"]["reps"][2]
    assert third["side"] == "left"
    cut_s = (third["hold_start"] + third["hold_end"]) / 2  # the middle of its hold
    report, stdout, page = analyzed(tmp_path, list(range(round(cut_s * FPS))))
    assert report["counts"] == {"left": 1, "right": 1, "total": 2, "good": 2}
    assert [r["side"] for r in report["reps"]] == ["left", "right"]
    cut = report["incomplete_rep"]
    assert cut["incomplete"] is True and cut["side"] == "left" and cut["good"] is False
    # What the whole clip measures of the same rep (its golden report), up to where this copy ends.
    whole = json.loads((GOLDEN / f"{CLIP}.rotate.report.json").read_text())["reps"][2]
    assert cut["start_s"] == pytest.approx(whole["start_s"], abs=0.2)
    assert cut["hold_start_s"] == pytest.approx(whole["hold_start_s"], abs=0.3)
    assert cut["peak_angle_deg"] == pytest.approx(whole["peak_angle_deg"], abs=3)
    held_s = cut_s - third["hold_start"]
    assert cut["hold_s"] == pytest.approx(held_s, abs=0.5)
    assert "reps_reason" not in report
    assert re.search(
        r"cut\.mp4: 2 reps \(left 1, right 1, 2 good\); "
        r"the video ended during a 3rd \(left, held \d\.\d s so far\)",
        stdout,
    ), stdout
    html = page.read_text()
    assert "incomplete: the recording ended during it" in html and "s so far" in html


@pytest.mark.slow
def test_a_video_that_ends_during_the_first_hold_says_so_as_the_reason_for_no_rep(
    tmp_path: Path, ground_truth: Any
) -> None:
    first = ground_truth(CLIP)["scenario"]["reps"][0]
    cut_s = first["hold_start"] + 0.8
    report, stdout, _ = analyzed(tmp_path, list(range(round(cut_s * FPS))))
    assert report["counts"]["total"] == 0 and report["incomplete_rep"]["side"] == "left"
    assert "the video ended during a 1st (left, held" in stdout
    assert report["reps_reason"] == (
        "The video ended before you came back from your first turn: "
        "a rep counts once you are back where you sat at calibration."
    )
    assert report["reps_reason"] in stdout.splitlines()


@pytest.mark.slow
def test_a_turn_too_small_to_count_is_said_with_how_far_it_went_and_what_counts(
    tmp_path: Path, ground_truth: Any
) -> None:
    # The calibration seconds, the first few degrees of the first turn, and back the way it came
    # (the same frames backwards): a person who turned a little and sat still again.
    first = ground_truth(CLIP)["scenario"]["reps"][0]
    start = round(first["start"] * FPS)
    out = list(range(start + 5))
    report, stdout, page = analyzed(tmp_path, out + out[::-1][:20] + [0] * 15)
    assert report["calibration"]["calibrated"] is True
    assert report["counts"]["total"] == 0 and "incomplete_rep" not in report
    said = report["reps_reason"]
    match = re.fullmatch(
        r"Your largest turn was (\d+) degrees from where you sat at calibration; "
        r"a rep counts from (\d+) degrees\.",
        said,
    )
    assert match is not None, said
    assert 0 < int(match.group(1)) < int(match.group(2)) == ROTATE_RULES.min_peak_deg
    assert said in stdout.splitlines() and "Nothing was measured" not in stdout
    assert said in page.read_text()
