"""A live session that ends mid-rep (Ctrl-C, a lost camera) reports that rep as `analyze` does: apart,
incomplete, with what was measured. The real loop in real time, a hand-built person standing in for
the pose model (no model: the person's turn is known)."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from coach.app import live as live_app
from coach.app.live import run_live
from coach.errors import CameraLostError, InterruptedSession
from coach.pose.types import Pose
from coach.sources.capture import LatestFrameCapture, Shot
from coach.sources.frame import Frame
from tests.app.test_live import FPS, live_request
from tests.measure.test_rotation import template_body, turned, view
from tests.seated import StillPoseModel, shifted

TURN_AT_S = 3.8  # after the live 3-s calibration window and a settled neutral
TURN_S = 1.3
HELD_S = 1.0  # held this long when the session ends
END_INDEX = round((TURN_AT_S + TURN_S + HELD_S) * FPS)


def turn_at(t_s: float) -> float:
    """The person's turn: still, then 40 degrees to the left, eased in, then held."""
    x = min(max((t_s - TURN_AT_S) / TURN_S, 0.0), 1.0)
    return 40.0 * (1 - np.cos(np.pi * x)) / 2


class TurningModel(StillPoseModel):
    """The seated person with a real model's jitter, sitting still, then turning left and holding;
    Ctrl-C at `interrupt_at`."""

    def estimate(self, frame: Frame) -> tuple[Pose, ...]:
        if self.interrupt_at is not None and frame.index >= self.interrupt_at:
            raise KeyboardInterrupt
        pose = view(turned(template_body(), turn_at(frame.index / FPS)), 0.0)
        return (shifted(pose, noise_px=0.3, seed=frame.index),)


def shots(count: int, *, camera: bool) -> Iterator[Shot]:
    for index in range(count):
        if camera:
            time.sleep(1 / FPS)
        yield np.full((480, 640, 3), 128, np.uint8), None if camera else index / FPS


@pytest.mark.parametrize("ending", ["interrupted", "camera_lost"])
def test_a_live_session_ended_during_a_hold_reports_that_rep_as_incomplete(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ending: str
) -> None:
    class Model(TurningModel):
        interrupt_at = END_INDEX if ending == "interrupted" else None

    camera = ending == "camera_lost"
    count = END_INDEX if camera else END_INDEX + 30
    capture = LatestFrameCapture(
        shots(count, camera=camera), fps=FPS, size=(640, 480), name="camera 0", is_camera=camera,
        lost_after_s=0.3,
    )  # fmt: skip
    monkeypatch.setattr(live_app, "PoseEstimator", Model)
    request = live_request(tmp_path)
    said: list[str] = []
    with pytest.raises(InterruptedSession if ending == "interrupted" else CameraLostError):
        run_live(request, capture, out=said.append)
    report = json.loads(request.report_path.read_text())
    assert report["status"] == ending
    assert report["reps"] == [] and report["counts"]["total"] == 0  # not counted
    cut = report["incomplete_rep"]
    assert cut["incomplete"] is True and cut["side"] == "left" and cut["good"] is False
    assert cut["peak_angle_deg"] == pytest.approx(40, abs=6)
    assert 0.3 <= cut["hold_s"] <= HELD_S + 0.3
    summary = next(line for line in said if line.startswith("Sit and Rotate: "))
    assert re.fullmatch(
        r"Sit and Rotate: 0 reps, 0 good; the session ended during a 1st \(left, held \d\.\d s so far\)",
        summary,
    ), summary
    assert report["reps_reason"].startswith("The session ended before you came back from your first turn")
    assert report["reps_reason"] in said
