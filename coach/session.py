"""The loop that joins a frame source, the pose estimator, an analyzer and the sinks."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Protocol

from coach.analysis import Analyzer, FrameAnalysis
from coach.frame import Frame
from coach.pose import Pose
from coach.report import SessionRecord
from coach.tracking import PersonSelector

FrameCallback = Callable[[Frame, Pose | None, FrameAnalysis], None]


class Estimator(Protocol):
    def estimate(self, frame: Frame) -> tuple[Pose, ...]: ...


def run_session(
    frames: Iterable[Frame],
    estimator: Estimator,
    analyzer: Analyzer,
    record: SessionRecord,
    on_frame: FrameCallback | None = None,
) -> None:
    """Analyze every frame; `record` holds all that was measured even if the loop is interrupted."""
    selector = PersonSelector()
    for frame in frames:
        poses = estimator.estimate(frame)
        pose = selector.select(poses, frame.t_s)
        analysis = analyzer.update(pose, frame.t_s)
        record.add(analysis, len(poses))
        if on_frame is not None:
            on_frame(frame, pose, analysis)
