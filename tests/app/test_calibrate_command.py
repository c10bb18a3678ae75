"""`coach calibrate` from a camera: a camera that dies stops the calibration (exit 11), never spins."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from coach.app.calibrate import camera_frames
from coach.cli import main as cli
from coach.errors import CameraLostError
from coach.sources.capture import LatestFrameCapture, Shot
from coach.sources.frame import Frame
from tests.helpers import REALDATA


def dying_camera(frames: int) -> LatestFrameCapture:
    def shots() -> Iterator[Shot]:
        for _ in range(frames):
            yield np.zeros((4, 4, 3), np.uint8), None

    return LatestFrameCapture(
        shots(), fps=30, size=(4, 4), name="camera 0", is_camera=True, lost_after_s=0.2
    ).start()


def run_until_lost(capture: LatestFrameCapture) -> tuple[list[Frame], list[BaseException]]:
    """Consume `camera_frames` on a thread, giving up after 10 s (the defect spun for ever)."""
    seen: list[Frame] = []
    raised: list[BaseException] = []

    def consume() -> None:
        try:
            seen.extend(camera_frames(capture))
        except BaseException as error:
            raised.append(error)

    worker = threading.Thread(target=consume, daemon=True)
    worker.start()
    worker.join(timeout=10.0)
    capture.close()
    assert not worker.is_alive(), "a lost camera kept the calibration waiting"
    return seen, raised


@pytest.mark.parametrize("frames", [0, 1, 5])
def test_a_camera_that_dies_ends_the_calibration_with_camera_lost(frames: int) -> None:
    seen, raised = run_until_lost(dying_camera(frames))
    assert len(raised) == 1 and isinstance(raised[0], CameraLostError)
    assert CameraLostError.exit_code == 11
    assert "camera 0" in str(raised[0])
    assert len(seen) <= frames  # what it gave before dying was handed on (the newest frame only)


@pytest.mark.slow
def test_two_people_in_view_exit_10_as_the_readme_promises(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    video = REALDATA / "videos" / "mmaction2_armwrestling_two_seated.mp4"
    code = cli.main(["calibrate", "--video", str(video), "--calibration-dir", str(tmp_path)])
    assert code == 10
    assert "More than one person is in view" in capsys.readouterr().err
    assert not any(tmp_path.iterdir())  # nothing saved
