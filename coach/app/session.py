"""The loop that joins a frame source, the pose estimator and the pipeline; the jobs add their sinks."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Protocol

from coach.pipeline import Pipeline, Step
from coach.pose.types import Pose
from coach.sources.frame import Frame
from coach.storage.report import SessionRecord, SessionReport

StepCallback = Callable[[Frame, Step], None]
# Where a job hands its report once it is written, also when the session then ends in an error.
ReportCallback = Callable[[SessionReport], None]


class Estimator(Protocol):
    def estimate(self, frame: Frame) -> tuple[Pose, ...]: ...


def run_session(
    frames: Iterable[Frame],
    estimator: Estimator,
    pipeline: Pipeline,
    record: SessionRecord | None = None,
    on_step: StepCallback | None = None,
    until: Callable[[Pipeline], bool] | None = None,
) -> None:
    """Step the pipeline over every frame (or `until` it says stop); `record` holds all that was
    measured even if the loop is interrupted."""
    for frame in frames:
        step = pipeline.step(estimator.estimate(frame), frame.t_s, frame.image)
        if record is not None:
            record.add(step.analysis, step.people_in_view)
            if step.earlier:
                record.revise(step.earlier)
        if on_step is not None:
            on_step(frame, step)
        if until is not None and until(pipeline):
            return
