"""`coach live`: coach a set through the webcam (or a video file played as one).

Three threads, each doing one thing:

    capture thread    camera -> the newest frame (coach/sources/capture.py)
    analysis thread   newest frame -> pose model -> Coach -> session log (each rep fsync'd at once)
    main thread       newest frame + its analysis -> overlay -> window / recording; keys
    speech thread     the guide's sentences, one at a time (coach/sound/player.py)

The main thread shows each frame with its own analysis as soon as that is ready, waiting for it at
most until the next frame is due; a frame the model had no time for is shown with the newest
analysis there is. So the skeleton sits on the frame it was found in when the model keeps up, and
the picture still runs at the camera's rate when it does not.

The analysis thread also hands each analysis to the guide (coach/sound/guide.py), whose tones and
sentences the player plays; key `m` mutes them. Calibration runs first when there is no profile, and
again on key `c`. At the end (also on Ctrl-C,
a crash or a lost camera) the report is written in the same format as `coach analyze` and a summary
is printed.
"""

from __future__ import annotations

import contextlib
import os
import queue
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import cv2
import numpy as np

from coach.app.session import ReportCallback
from coach.app.summary import ended_during, reps_reason
from coach.calibration.profile import CalibrationProfile
from coach.coaching.live_coach import CALIBRATE_CUE, Coach
from coach.errors import CalibrationError, CameraLostError, CoachError, InterruptedSession
from coach.facts import stretch
from coach.pose.estimator import PoseEstimator
from coach.pose.types import Pose
from coach.render.overlay import Hud, annotate
from coach.render.video_sink import VideoSink
from coach.reps.analysis import FrameAnalysis, Phase, Rep
from coach.sound import Guide, Player, SoundRequest, open_player, phrases
from coach.sources.capture import CaptureState, LatestFrameCapture, open_capture
from coach.sources.frame import Frame
from coach.storage.report import (
    LiveLog,
    RepCounts,
    SessionRecord,
    SessionReport,
    SetCounts,
    counts,
    write_report,
)
from coach.storage.session_log import SessionLog

WINDOW_NAME = "Upper-Back Coach"
WAIT_S = 0.05  # longest a thread waits for a frame before it looks at keys, commands and the camera
SET_COMPLETE = "Set complete!"
DRAIN_S = 6.0  # at the end of a set, the last sentence ("Set complete: ...") is let finish

Output = Callable[[str], None]


@dataclass(frozen=True)
class LiveRequest:
    exercise: str
    camera: str  # a camera index ("0") or a video file played as if it were a camera
    model_path: Path
    log_path: Path
    report_path: Path
    profile: CalibrationProfile | None = None
    target_reps: int = 3
    hold_target_s: float | None = None
    record_path: Path | None = None
    window: bool = True
    comfortable_deg: float | None = None  # the range shown comfortable before (the gauge's target)
    sound: SoundRequest = field(default_factory=SoundRequest)  # voice, tones, audio log (default off)
    mirrored: bool = False  # the picture shown (and recorded) as a mirror, as a self-view is


@dataclass
class LiveStats:
    """Timing of a session, for the benchmark.

    shown_at_s: when each frame reached the screen (monotonic clock).
    picture_latency_s: per frame shown, from its capture to the screen.
    analysis_latency_s: per analysis, from the capture of the frame it analysed to the first screen
        that showed it.
    inference_s: the pose model's time per analysed frame.
    """

    shown_at_s: list[float] = field(default_factory=list)
    picture_latency_s: list[float] = field(default_factory=list)
    analysis_latency_s: list[float] = field(default_factory=list)
    inference_s: list[float] = field(default_factory=list)
    frames_captured: int = 0
    frames_analysed: int = 0


@dataclass(frozen=True)
class LiveResult:
    report: SessionReport
    stats: LiveStats


@dataclass(frozen=True)
class Analysed:
    """The analysis thread's newest result."""

    frame_index: int
    captured_at_s: float
    pose: Pose | None
    analysis: FrameAnalysis


class AnalysisThread:
    """Runs the pose model and the Coach on the newest frame; the only thread that touches them.

    Keys arrive as commands and are applied between frames. A completed rep is written to the
    session log (fsync'd) before it is announced.
    """

    def __init__(
        self,
        capture: LatestFrameCapture,
        estimator: PoseEstimator,
        coach: Coach,
        record: SessionRecord,
        log: SessionLog,
        stats: LiveStats,
        out: Output,
        player: Player | None = None,
    ) -> None:
        self.capture = capture
        self.estimator = estimator
        self.coach = coach
        self.record = record
        self.log = log
        self.stats = stats
        self.out = out
        self.player = player
        self.guide = Guide(coach.exercise) if player is not None else None
        self.latest: Analysed | None = None
        self.not_checked: str | None = None  # what the calibrated picture cannot show (desk mode)
        self.failure: BaseException | None = None
        self._news = threading.Condition()
        self._told: tuple[str | None, float] = (None, -10.0)
        self._commands: queue.SimpleQueue[str] = queue.SimpleQueue()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="analysis", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def command(self, key: str) -> None:
        self._commands.put(key)

    def stop(self) -> None:
        """Stop after the frame in hand."""
        self._stop.set()
        self._thread.join()

    def wait_until_done(self) -> None:
        """Let it analyse what the capture still holds (a file has ended), then stop."""
        self._thread.join()

    def result_for(self, frame_index: int, deadline_s: float) -> Analysed | None:
        """The analysis of `frame_index` (or a later frame), waiting for it until `deadline_s`
        (monotonic clock); the newest analysis there is when it does not come in time."""

        def ready() -> bool:
            latest = self.latest
            done = latest is not None and latest.frame_index >= frame_index
            return done or self.failure is not None or not self._thread.is_alive()

        with self._news:
            self._news.wait_for(ready, max(0.0, deadline_s - time.monotonic()))
        return self.latest

    def _run(self) -> None:
        analysed = -1
        try:
            while not self._stop.is_set():
                self._apply_commands()
                frame = self.capture.next_frame(WAIT_S, after=analysed)
                if frame is None:
                    if self.capture.state(after=analysed) is not CaptureState.RUNNING:
                        return
                    continue
                analysed = frame.index
                self._analyse(frame)
        except BaseException as error:  # handed to the main thread, which saves and re-raises it
            self.failure = error
        finally:
            with self._news:
                self._news.notify_all()

    def _analyse(self, frame: Frame) -> None:
        poses: tuple[Pose, ...] = ()
        if not self.coach.paused:
            started = time.perf_counter()
            poses = self.estimator.estimate(frame)
            self.stats.inference_s.append(time.perf_counter() - started)
        was_calibrating = self.coach.calibrating
        moved = self.coach.placement_change
        pose, analysis = self.coach.observe(poses, frame.t_s, frame.image)
        if self.coach.placement_change is not None and moved is None:
            self.out(
                f"The calibration profile does not fit: {self.coach.placement_change}. Calibrating again."
            )
        self.record.add(analysis, self.coach.people_in_view)
        if self.guide is not None and self.player is not None:
            self.player.submit(self.guide.update(analysis, set_complete=self.coach.set_complete(analysis)))
        self.stats.frames_analysed += 1
        if analysis.completed_rep is not None:
            self.log.rep(analysis.completed_rep, set_number=self.coach.set_number)
            self.out(rep_line(self.log.reps_written, analysis.completed_rep))
        if was_calibrating and not self.coach.calibrating:
            self.out(f"Calibrated at {frame.t_s:.1f} s: go!")
            self.not_checked = self.coach.calibration_summary().get("not_checked")
            if self.not_checked:
                self.out(f"Desk mode (head and shoulders in view): {self.not_checked}.")
        elif self.coach.calibrating:
            self._tell_calibration_problem(frame.t_s)
        with self._news:
            self.latest = Analysed(frame.index, self.capture.captured_at(frame), pose, analysis)
            self._news.notify_all()

    def _tell_calibration_problem(self, t_s: float) -> None:
        """Print what calibration asks for when it changes, at most every few seconds (the window
        shows it live)."""
        problem, (told, told_at_s) = self.coach.calibration_problem, self._told
        if problem is not None and problem != told and t_s - told_at_s >= 3.0:
            self.out(f"Calibration: {problem}")
            self._told = (problem, t_s)

    def _apply_commands(self) -> None:
        while not self._commands.empty():
            key = self._commands.get()
            if key == " ":
                self.coach.toggle_pause()
                self.out("Paused" if self.coach.paused else "Resumed")
            elif key == "r":
                self.coach.new_set()
                self.out(f"Set {self.coach.set_number}")
            elif key == "c":
                self.coach.recalibrate()
                self.out("Recalibrating: " + CALIBRATE_CUE)


def warm_up(estimator: PoseEstimator, capture: LatestFrameCapture) -> None:
    """Run the model once on the first image: its first run is several times slower than the next,
    and would otherwise cost the first fraction of a second of the calibration window."""
    image = capture.peek()
    if image is not None:
        estimator.estimate(Frame(image=image, timestamp_ms=0, index=0))


class Screen(Protocol):
    """Where the frames go and the keys come from: `show(image)` and `poll()` return the key pressed
    ("q", " ", "r", "c", ...) or None; `close()`."""

    def show(self, image: np.ndarray) -> str | None: ...

    def poll(self) -> str | None: ...

    def close(self) -> None: ...


class Window:
    """The OpenCV window: shows a frame, returns the key pressed (or None)."""

    def __init__(self, name: str = WINDOW_NAME) -> None:
        require_display()
        self.name = name
        cv2.namedWindow(name, cv2.WINDOW_AUTOSIZE | cv2.WINDOW_GUI_NORMAL)

    def show(self, image: np.ndarray) -> str | None:
        cv2.imshow(self.name, image)
        return self.poll()

    def poll(self) -> str | None:
        code = cv2.waitKey(1)
        if cv2.getWindowProperty(self.name, cv2.WND_PROP_VISIBLE) < 1:
            return "q"  # the user closed the window
        if code < 0:
            return None
        code &= 0xFF
        return {27: "q", 32: " "}.get(code, chr(code).lower())

    def close(self) -> None:
        with contextlib.suppress(cv2.error):
            cv2.destroyWindow(self.name)
            cv2.waitKey(1)


def require_display() -> None:
    # Without a display Qt aborts the whole process; say so instead.
    if sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    ):
        raise CoachError("No display to open the window on: run with --no-window, or set DISPLAY")


def run_live(
    request: LiveRequest,
    capture: LatestFrameCapture | None = None,
    *,
    out: Output = print,
    screen: Screen | None = None,
    on_report: ReportCallback | None = None,
) -> LiveResult:
    """Run a live session until `q`, the end of a file, or (without a window) the set is complete.

    `capture` and `screen` default to what the request names (the camera or file; an OpenCV window
    when `request.window`). Always writes the report and hands it to `on_report`; raises
    InterruptedSession after Ctrl-C and CameraLostError when the camera stops giving frames (both
    after saving: `on_report` is how the caller still gets the report then).
    """
    stats = LiveStats()
    if request.window and screen is None:
        require_display()
    with contextlib.ExitStack() as stack:
        if capture is None:
            capture = open_capture(request.camera)
        stack.callback(capture.close)
        coach = Coach(
            request.exercise,
            request.profile,
            target_reps=request.target_reps,
            hold_target_s=request.hold_target_s,
            comfortable_deg=request.comfortable_deg,
        )
        estimator = stack.enter_context(PoseEstimator(request.model_path, with_mask=coach.wants_mask))
        window = screen if screen is not None else Window() if request.window else None
        if window is not None:
            stack.callback(window.close)
        record = SessionRecord(
            exercise=request.exercise, video=capture.name, fps=capture.fps, signal_names=coach.signal_names
        )
        log = stack.enter_context(SessionLog(request.log_path))
        sink = None
        if request.record_path is not None:
            sink = stack.enter_context(VideoSink(request.record_path, capture.fps, capture.size))
        warm_up(estimator, capture)
        # The player's clock is the capture's: sounds are logged in video or camera time.
        player = open_player(
            request.sound, lambda: time.monotonic() - capture.origin_s, out, phrases(request.exercise)
        )
        worker = AnalysisThread(capture, estimator, coach, record, log, stats, out, player)
        # The session's clock (frame and rep times) starts with the capture, just after this line.
        log.write("start", exercise=request.exercise, source=capture.name, target_reps=request.target_reps)
        capture.start()  # once the model is ready, so the first frames are not stale
        worker.start()

        status = "complete"
        lost: CameraLostError | None = None
        display = Display(request, coach, capture, worker, window, sink, stats, out, player)
        try:
            display.run()
        except KeyboardInterrupt:
            status = "interrupted"
        except CameraLostError as error:
            status, lost = "camera_lost", error
        except BaseException:
            worker.stop()
            if player is not None:
                player.close()
            _finish(request, coach, record, log, "error", out, on_report)
            raise
        worker.stop()
        if player is not None:
            player.close(drain_s=DRAIN_S if status == "complete" else 0.0)
        report = _finish(request, coach, record, log, status, out, on_report)
    if lost is not None:
        raise lost
    if status == "interrupted":
        raise InterruptedSession(f"Stopped; {len(coach.reps)} reps saved in {request.log_path}")
    if display.stream_ended and not coach.ever_calibrated:  # (quitting before calibrating is no error)
        problem = coach.calibration_problem or "nobody sat still in view for the calibration"
        raise CalibrationError(f"Calibration did not finish: {problem}")
    return LiveResult(report=report, stats=stats)


@dataclass
class Display:
    """The main thread: the newest frame with the newest analysis on screen, and the keys."""

    request: LiveRequest
    coach: Coach
    capture: LatestFrameCapture
    worker: AnalysisThread
    window: Screen | None
    sink: VideoSink | None
    stats: LiveStats
    out: Output
    player: Player | None = None
    stream_ended: bool = False  # a video file played to its end
    _shown_index: int = -1
    _shown_analysis: int = -1
    _interval_s: float | None = None

    @property
    def period_s(self) -> float:
        return 1.0 / self.capture.fps

    def run(self) -> None:
        title = stretch(self.request.exercise).title
        while True:
            if self.worker.failure is not None:
                raise self.worker.failure
            frame = self.capture.next_frame(WAIT_S, after=self._shown_index)
            if frame is None:
                if self._stream_over():
                    return
                if self.window is not None and self._on_key(self.window.poll()):
                    return
                continue
            drawing = self.window is not None or self.sink is not None
            latest = self.worker.latest
            if drawing:
                latest = self.worker.result_for(frame.index, self.capture.captured_at(frame) + self.period_s)
            analysis = latest.analysis if latest else FrameAnalysis(t_s=frame.t_s, phase=Phase.CALIBRATING)
            complete = self.coach.set_complete(analysis)
            key = None
            if drawing:
                hud = Hud(
                    fps=None if self._interval_s is None else 1.0 / self._interval_s,
                    paused=self.coach.paused,
                    banner=f"{SET_COMPLETE} r: new set, q: quit" if complete else None,
                    title=f"{title} - set {self.coach.set_number}",
                    sound=self.player.label if self.player is not None else "sound off",
                    note=f"Desk mode: {self.worker.not_checked}" if self.worker.not_checked else None,
                    mirrored=self.request.mirrored,
                )
                image = annotate(frame.image, latest.pose if latest else None, analysis, hud=hud)
                self._record(frame, image)
                key = self.window.show(image) if self.window is not None else None
            self._shown(frame, latest)
            if self._on_key(key):
                return
            if complete and self.window is None:
                self.worker.stop()
                self.out(SET_COMPLETE)
                return

    def _stream_over(self) -> bool:
        state = self.capture.state(after=self._shown_index)
        if state is CaptureState.LOST:
            raise CameraLostError(
                f"The camera stopped giving frames ({self.capture.name}); "
                f"{len(self.coach.reps)} reps are saved in {self.request.log_path}"
            )
        if state is CaptureState.ENDED:
            self.worker.wait_until_done()
            self.stream_ended = True
            return True
        return False

    def _record(self, frame: Frame, image: np.ndarray) -> None:
        if self.sink is None:
            return
        # Frames this thread had no time for are filled with the last one: the video keeps real time.
        for _ in range(max(1, frame.index - self._shown_index) if self._shown_index >= 0 else 1):
            self.sink.write(image)

    def _shown(self, frame: Frame, latest: Analysed | None) -> None:
        now = time.monotonic()
        if self.stats.shown_at_s:
            interval = now - self.stats.shown_at_s[-1]
            self._interval_s = (
                interval if self._interval_s is None else 0.9 * self._interval_s + 0.1 * interval
            )
        self.stats.shown_at_s.append(now)
        self.stats.picture_latency_s.append(now - self.capture.captured_at(frame))
        if latest is not None and latest.frame_index != self._shown_analysis:
            self.stats.analysis_latency_s.append(now - latest.captured_at_s)
            self._shown_analysis = latest.frame_index
        self._shown_index = frame.index
        self.stats.frames_captured = frame.index + 1

    def _on_key(self, key: str | None) -> bool:
        """Acts on a key; True means quit."""
        if key == "q":
            return True
        if key in (" ", "r", "c"):
            self.worker.command(key)
        if key == "m" and self.player is not None:
            self.out("Sound muted" if self.player.toggle_mute() else "Sound on")
        return False


def _finish(
    request: LiveRequest,
    coach: Coach,
    record: SessionRecord,
    log: SessionLog,
    status: str,
    out: Output,
    on_report: ReportCallback | None,
) -> SessionReport:
    reps = [rep for _, rep in coach.reps]
    incomplete = coach.finish()
    why = reps_reason(
        request.exercise, coach.pipeline.calibration_summary(), record.rows, incomplete, len(reps), "session"
    )
    sets = tuple(
        SetCounts(number, RepCounts.of(rep for n, rep in coach.reps if n == number))
        for number in range(1, coach.set_number + 1)
    )
    report = SessionReport(
        record=record,
        reps=tuple(reps),
        calibration=coach.calibration_summary(),
        status=status,
        model=request.model_path.name,
        target_reps=request.target_reps,
        hold_target_s=request.hold_target_s,
        live=LiveLog(request.log_path, sets),
        incomplete_rep=incomplete,
        reps_reason=why,
    )
    write_report(request.report_path, report)
    with contextlib.suppress(OSError):
        log.write("end", status=status, counts=report.counts.to_dict())
    for line in summary_lines(request.exercise, reps, incomplete):
        out(line)
    if report.reps_reason is not None:
        out(report.reps_reason)
    out(f"Session log: {request.log_path}  Report: {request.report_path}")
    if on_report is not None:
        on_report(report)
    return report


def rep_line(number: int, rep: Rep) -> str:
    side = f" {rep.side}" if rep.side else ""
    verdict = "good" if rep.good else "faults: " + ", ".join(rep.faults)
    return f"Rep {number}{side}: {abs(rep.peak_angle_deg):.0f} deg, hold {rep.hold_s:.1f} s, {verdict}"


def summary_lines(exercise: str, reps: Sequence[Rep], incomplete: Rep | None = None) -> list[str]:
    """The end-of-session summary: reps per side, good reps (and the rep the session ended during),
    faults, best angles."""
    tally = counts(list(reps))
    title = stretch(exercise).title
    sides = sorted({rep.side for rep in reps if rep.side})
    per_side = f" ({', '.join(f'{side} {tally[side]}' for side in sides)})" if sides else ""
    during = f"; {ended_during(incomplete, tally['total'], 'session')}" if incomplete is not None else ""
    lines = [f"{title}: {tally['total']} reps{per_side}, {tally['good']} good{during}"]
    faults: dict[str, int] = {}
    for rep in reps:
        for fault in rep.faults:
            faults[fault] = faults.get(fault, 0) + 1
    lines.append("Faults: " + (", ".join(f"{code} x{n}" for code, n in faults.items()) or "none"))
    if sides:
        best = {side: max(abs(rep.peak_angle_deg) for rep in reps if rep.side == side) for side in sides}
        lines.append("Best angles: " + ", ".join(f"{side} {deg:.0f} deg" for side, deg in best.items()))
    elif reps:
        lines.append(f"Best angle: {max(abs(rep.peak_angle_deg) for rep in reps):.0f} deg")
    return lines
