"""The loop that joins a frame source, the pose estimator, an analyzer and the sinks."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Protocol

from coach.pose.tracking import PersonSelector
from coach.pose.types import Pose
from coach.reps.analysis import Analyzer, FrameAnalysis
from coach.sources.frame import Frame
from coach.storage.report import SessionRecord, SessionReport

FrameCallback = Callable[[Frame, Pose | None, FrameAnalysis], None]
# Where a job hands its report once it is written, also when the session then ends in an error.
ReportCallback = Callable[[SessionReport], None]


class Estimator(Protocol):
    def estimate(self, frame: Frame) -> tuple[Pose, ...]: ...


def run_session(
    frames: Iterable[Frame],
    estimator: Estimator,
    analyzer: Analyzer,
    record: SessionRecord,
    on_frame: FrameCallback | None = None,
    selector: PersonSelector | None = None,
) -> None:
    """Analyze every frame; `record` holds all that was measured even if the loop is interrupted.

    Only usable upper bodies count as people (`record.frames_with_pose` stays honest when the
    model sees a person in a hand or an empty room); pass `selector` to read its presence after.
    """
    selector = selector if selector is not None else PersonSelector()
    for frame in frames:
        poses = estimator.estimate(frame)
        pose = selector.select(poses, frame.t_s)
        analysis = analyzer.update(pose, frame.t_s)
        record.add(analysis, selector.people_in_view)
        if on_frame is not None:
            on_frame(frame, pose, analysis)
