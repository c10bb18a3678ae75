"""`coach calibrate`: record the neutral seated position from a camera or a video and save the profile.

frames (camera: newest frame; video: its first seconds) -> estimator -> Calibrator -> profile file
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from coach.app.session import run_session
from coach.calibration.calibrator import (
    TOO_SHORT,
    CalibrationResult,
    CalibrationRules,
    CalibrationStatus,
    calibration_failure,
)
from coach.errors import CalibrationError, CameraLostError
from coach.facts import EXERCISES, stretch
from coach.measure.view import describe
from coach.pipeline import Pipeline, Step
from coach.pose.estimator import PoseEstimator
from coach.sources.capture import CaptureState, LatestFrameCapture, camera_capture
from coach.sources.frame import Frame
from coach.sources.video_file import VideoFileSource
from coach.storage.profile_store import DEFAULT_DIR, DEFAULT_NAME, SavedProfile, profile_path, save_profile

Output = Callable[[str], None]
WAIT_S = 0.05
LIVE_TIMEOUT_S = 60.0
MIN_SECONDS, MAX_SECONDS = 1.0, 30.0
INSTRUCTION = "Sit tall, hands behind your head, and hold still for {seconds:g} seconds."


@dataclass(frozen=True)
class CalibrateRequest:
    model_path: Path
    video: Path | None = None  # None: the camera
    camera: int = 0
    exercise: str | None = None
    profile: str = DEFAULT_NAME
    calibration_dir: Path = DEFAULT_DIR
    seconds: float = 3.0


@dataclass(frozen=True)
class CalibrateOutcome:
    result: CalibrationResult
    saved: SavedProfile


def calibrate(request: CalibrateRequest, *, out: Output = print) -> CalibrateOutcome:
    """Calibrate, save the profile, tell the user what the camera sees. CalibrationError when a check
    fails (nothing is saved then), ProfileError when the profile cannot be written.

    A video is searched for the first window in which the person sits still and well placed; a live
    camera waits for one, giving up after `LIVE_TIMEOUT_S` with the sentence of the latest problem.
    """
    profile_path(request.profile, request.calibration_dir)  # a bad --profile fails before recording
    if not MIN_SECONDS <= request.seconds <= MAX_SECONDS:
        raise CalibrationError(f"--seconds must be between {MIN_SECONDS:g} and {MAX_SECONDS:g}")
    pipeline = Pipeline(
        request.exercise,
        rules=CalibrationRules(seconds=request.seconds),
        name=Path(request.profile).stem if request.profile.endswith(".json") else request.profile,
    )
    out(INSTRUCTION.format(seconds=request.seconds))
    live = request.video is None
    printer = _StatusPrinter(out)

    def on_step(frame: Frame, step: Step) -> None:
        if live and step.calibration is not None:
            printer(step.calibration)
            if frame.t_s > LIVE_TIMEOUT_S:  # a camera's clock starts with the capture
                problem = step.calibration.problem or TOO_SHORT
                raise calibration_failure(problem, f" (calibration gave up after {LIVE_TIMEOUT_S:g} s)")

    with contextlib.ExitStack() as stack:
        estimator = stack.enter_context(PoseEstimator(request.model_path))
        frames: Iterator[Frame]
        if request.video is not None:
            frames = iter(stack.enter_context(VideoFileSource(request.video)))
        else:
            frames = camera_frames(stack.enter_context(camera_capture(request.camera)))
        run_session(frames, estimator, pipeline, on_step=on_step, until=lambda p: p.calibrated)
    if pipeline.calibration is None:
        raise calibration_failure(pipeline.calibration_problem() or TOO_SHORT)
    result = pipeline.calibration
    saved = save_profile(result.profile, request.profile, request.calibration_dir)
    for line in summary_lines(result, saved):
        out(line)
    return CalibrateOutcome(result=result, saved=saved)


def summary_lines(result: CalibrationResult, saved: SavedProfile) -> list[str]:
    view = result.view
    lines = [f"The camera sees you {describe(view.azimuth_deg)} (about {round(view.azimuth_deg):d} degrees)."]
    for exercise in EXERCISES:
        verdict = result.verdicts[exercise]
        title = stretch(exercise).title
        lines.append(f"  {title}: " + ("suits" if verdict.suits else f"does not suit. {verdict.instruction}"))
    lines.append(f"Profile saved: {saved.path}")
    if saved.backup is not None:
        what = (
            "the file there was not a readable profile" if saved.replaced_unreadable else "the previous one"
        )
        lines.append(f"  ({what}: kept as {saved.backup})")
    return lines


class _StatusPrinter:
    """Prints a calibration message when it changes (a live camera gives one each frame)."""

    def __init__(self, out: Output) -> None:
        self.out = out
        self.last: str | None = None

    def __call__(self, status: CalibrationStatus) -> None:
        if status.message and status.message != self.last:
            self.out(status.message)
        self.last = status.message


def camera_frames(capture: LatestFrameCapture) -> Iterator[Frame]:
    """The camera's newest frames until it stops giving any (then CameraLostError)."""
    last = -1
    while True:
        frame = capture.next_frame(WAIT_S, after=last)
        if frame is not None:
            last = frame.index
            yield frame
        elif capture.state(after=last) is CaptureState.LOST:
            raise CameraLostError(f"Lost {capture.name}: check the cable and that no other program uses it")
