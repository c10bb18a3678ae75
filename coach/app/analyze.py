"""`coach analyze`: a recorded video in, a report, a per-frame table and an annotated video out."""

from __future__ import annotations

import contextlib
import sys
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from coach.app.session import ReportCallback, run_session
from coach.app.summary import reps_reason
from coach.calibration.placement import PlacementWatch
from coach.calibration.profile import CalibrationProfile
from coach.errors import CalibrationError, InterruptedSession, NoPersonError
from coach.exercises import exercise_facts
from coach.pipeline import Pipeline, Step, recording_rules
from coach.pose.estimator import PoseEstimator
from coach.pose.types import Pose
from coach.render.overlay import annotate
from coach.render.video_sink import VideoSink
from coach.sources.frame import Frame
from coach.sources.video_file import VideoFileSource
from coach.storage.profile_store import check_view
from coach.storage.report import SessionRecord, SessionReport, write_frames_csv, write_report


@dataclass(frozen=True)
class AnalyzeRequest:
    video: Path
    exercise: str
    model_path: Path
    report_path: Path
    frames_path: Path | None = None
    annotated_path: Path | None = None
    profile: CalibrationProfile | None = None
    profile_name: str = "default"  # how the user named the profile (for messages)
    calibration_dir: Path = Path("calibration")
    target_reps: int = 3
    hold_target_s: float | None = None
    progress: bool = False


def default_report_path(video: Path, exercise: str) -> Path:
    return video.with_name(f"{video.stem}.{exercise}.report.json")


def analyze_video(request: AnalyzeRequest, on_report: ReportCallback | None = None) -> SessionReport:
    """Run the whole pipeline over a video and write the outputs; returns the report, and hands it
    to `on_report` once it is written.

    On Ctrl-C the report (status "interrupted") and the per-frame table of what was measured are
    still written and handed to `on_report`, then `InterruptedSession` is raised. A video in which
    no usable person stays in view for a moment (see `PersonSelector.saw_person`) raises
    `NoPersonError` and writes nothing; so does one in which the person sits still but the picture
    cuts off part of them (`CalibrationError` with the sentence `calibrate` gives). Any other reason
    for never calibrating is reported with 0 reps and that reason; so is any other reason for counting
    no rep (`coach.app.summary.reps_reason`). A rep the video ends during is reported apart, as
    incomplete, with what was measured of it.
    """
    pipeline = Pipeline(
        request.exercise,
        request.profile,
        target_reps=request.target_reps,
        hold_target_s=request.hold_target_s,
        rules=recording_rules(),
        measure_from_start=True,
    )
    with contextlib.ExitStack() as stack:
        source = stack.enter_context(VideoFileSource(request.video))
        estimator = stack.enter_context(
            PoseEstimator(request.model_path, with_mask=exercise_facts(request.exercise).wants_mask)
        )
        record = SessionRecord(
            exercise=request.exercise,
            video=str(request.video),
            fps=source.info.fps,
            signal_names=exercise_facts(request.exercise).signal_names,
        )
        sink = None
        if request.annotated_path is not None:
            size = (source.info.width, source.info.height)
            sink = stack.enter_context(VideoSink(request.annotated_path, source.info.fps, size))
        bar = stack.enter_context(
            tqdm(
                total=source.info.frame_count or None,
                unit="frame",
                desc=request.video.name,
                disable=not request.progress,
                file=sys.stderr,
                leave=False,
            )
        )
        view_check = ProfileViewCheck(request) if request.profile is not None else None

        def on_step(frame: Frame, step: Step) -> None:
            bar.update(1)
            if view_check is not None:
                view_check.add(step.pose, frame.t_s)
            if sink is not None:
                sink.write(annotate(frame.image, step.pose, step.analysis))

        status = "complete"
        try:
            run_session(source, estimator, pipeline, record, on_step)
        except KeyboardInterrupt:
            status = "interrupted"

    span_s = record.rows[-1].t_s - record.rows[0].t_s if record.rows else 0.0
    if status == "complete" and (record.frames_with_pose == 0 or not pipeline.selector.saw_person(span_s)):
        raise NoPersonError(f"No person was found in {request.video}: sit facing the camera, fully in view")
    refused = pipeline.refused_picture()
    if status == "complete" and refused is not None:
        raise CalibrationError(refused.message)
    reps, incomplete, calibration = pipeline.reps, pipeline.finish(), pipeline.calibration_summary()
    report = SessionReport(
        record=record,
        reps=tuple(reps),
        calibration=calibration,
        status=status,
        model=request.model_path.name,
        target_reps=request.target_reps,
        hold_target_s=request.hold_target_s,
        incomplete_rep=incomplete,
        reps_reason=reps_reason(
            request.exercise,
            calibration,
            record.rows,
            incomplete,
            len(reps),
            "video" if status == "complete" else "analysis",  # Ctrl-C: the video did not end
        ),
    )
    write_report(request.report_path, report)
    if request.frames_path is not None:
        write_frames_csv(request.frames_path, report)
    if on_report is not None:
        on_report(report)
    if status == "interrupted":
        raise InterruptedSession(
            f"Interrupted after {record.frames} frames; what was measured is saved in {request.report_path}"
        )
    return report


class ProfileViewCheck:
    """Stops with a ProfileError when the video's camera sees the person from another place than the
    profile's calibration did (judged on the first seconds with a person: coach.calibration.placement)."""

    def __init__(self, request: AnalyzeRequest) -> None:
        assert request.profile is not None
        self.request = request
        self.watch = PlacementWatch(request.profile.view_azimuth_deg, request.profile.framing)

    def add(self, pose: Pose | None, t_s: float) -> None:
        verdict = self.watch.add(pose, t_s)
        if verdict is not None:
            assert self.request.profile is not None
            check_view(self.request.profile, verdict.seen, self.request.profile_name,
                       self.request.calibration_dir, verdict.seen_framing)  # fmt: skip
