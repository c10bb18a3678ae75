"""A harness for the Calibrator alone: feed it (poses, t_s, brightness) observations as a command would."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Protocol

from coach.calibration.calibrator import (
    TOO_SHORT,
    CalibrationResult,
    CalibrationStatus,
    Calibrator,
    calibration_failure,
    frame_brightness,
)
from coach.errors import CalibrationError
from coach.pose.types import Pose
from coach.sources.frame import Frame


def calibrate_stream(
    observations: Iterable[tuple[Sequence[Pose], float, float]],
    calibrator: Calibrator,
    *,
    live: bool = False,
    timeout_s: float = 30.0,
    on_status: Callable[[CalibrationStatus], None] | None = None,
) -> CalibrationResult:
    """Run a calibration over (poses, t_s, brightness) observations.

    Recorded video (live=False): judge the first `seconds` of the stream. Live camera: keep the last
    `seconds` until they pass, giving up after `timeout_s` with the sentence of the latest problem.
    """
    start: float | None = None
    status: CalibrationStatus | None = None
    for poses, t_s, brightness in observations:
        start = t_s if start is None else start
        if not live and t_s - start >= calibrator.rules.seconds - 1e-6:
            break
        status = calibrator.add(poses, t_s, brightness)
        if on_status is not None:
            on_status(status)
        if live and status.ready:
            break
        if live and t_s - start > timeout_s:
            problem = (status.problem if status is not None else None) or TOO_SHORT
            raise calibration_failure(problem, f" (calibration gave up after {timeout_s:g} s)")
    if start is None:
        raise CalibrationError(TOO_SHORT.message)
    return calibrator.result()


class Estimator(Protocol):
    def estimate(self, frame: Frame) -> tuple[Pose, ...]: ...


def observe(frames: Iterable[Frame], estimator: Estimator) -> Iterator[tuple[tuple[Pose, ...], float, float]]:
    """(poses, t_s, brightness) of each frame, lazily: the model runs only on the frames consumed."""
    for frame in frames:
        yield estimator.estimate(frame), frame.t_s, frame_brightness(frame.image)
