"""Hand-made sessions whose every number is known: a SessionRecord, its reps and its report."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from coach.reps.analysis import Cue, FrameAnalysis, Phase, Rep, Severity
from coach.storage.report import SessionRecord, SessionReport

FPS = 30.0
CALIBRATION_S = 3.0
RAMP_S = 1.2
REST_S = 0.7


@dataclass(frozen=True)
class PlannedRep:
    """side: "left" (+ angle), "right" (- angle) or None (arch: + angle); faults are tagged on the rep.

    A fault other than short_hold is cued 0.5 s into the hold; short_hold when the hold ends.
    """

    side: str | None
    peak_deg: float
    hold_s: float
    faults: tuple[str, ...] = ()


@dataclass(frozen=True)
class Session:
    record: SessionRecord
    reps: list[Rep]
    session_report: SessionReport  # what a job hands to the report's sinks
    report: dict[str, Any]  # the report as its readers see it (the JSON)
    cue_times: dict[int, float]  # rep index -> when its fault cue was raised


def synthetic_session(
    exercise: str,
    plan: list[PlannedRep],
    *,
    target_reps: int = 3,
    target_deg: float | None = 30.0,
    comfortable_deg: float | None = 38.0,
    hold_target_s: float = 2.0,
    gap: tuple[float, float] | None = None,
    video: str = "synthetic.mp4",
) -> Session:
    """Still calibration, then each rep: ramp out, hold at the peak, ramp back, rest at neutral.

    gap: (from_s, to_s) where no pose was seen (angle None).
    """
    record = SessionRecord(exercise=exercise, video=video, fps=FPS, signal_names=("pelvis_deg", "lean_deg"))
    reps: list[Rep] = []
    cue_times: dict[int, float] = {}
    frame = 0

    def add(angle: float | None, phase: Phase, hold: float = 0.0, cue: Cue | None = None) -> float:
        nonlocal frame
        t = frame / FPS
        frame += 1
        if gap is not None and gap[0] <= t < gap[1]:
            angle, phase = None, Phase.NO_POSE
        analysis = FrameAnalysis(
            t_s=t,
            phase=phase,
            angle_deg=angle,
            hold_s=hold,
            hold_target_s=hold_target_s,
            cue=cue,
            target_reps=target_reps,
            target_deg=None if phase == Phase.CALIBRATING else target_deg,
            comfortable_deg=None if phase == Phase.CALIBRATING else comfortable_deg,
        )
        record.add(analysis, people=0 if angle is None else 1)
        return t

    def run(
        seconds: float, angle_at: Any, phase: Phase, cue_at: float | None = None, cue: Cue | None = None
    ) -> float:
        start = frame / FPS
        t = start
        while frame / FPS < start + seconds - 1e-9:
            elapsed = frame / FPS - start
            due = (
                cue if cue_at is not None and cue is not None and abs(elapsed - cue_at) < 0.5 / FPS else None
            )
            hold = elapsed if phase == Phase.HOLD else 0.0
            t = add(angle_at(elapsed), phase, hold, due)
        return t

    run(CALIBRATION_S, lambda _: 0.0, Phase.CALIBRATING)
    for index, rep in enumerate(plan):
        sign = -1.0 if rep.side == "right" else 1.0
        peak = sign * rep.peak_deg
        start_s = frame / FPS
        run(RAMP_S, lambda e, p=peak: p * e / RAMP_S, Phase.MOVING)
        hold_start = frame / FPS
        posture = [f for f in rep.faults if f != "short_hold"]
        if posture:
            cue_times[index] = hold_start + 0.5
        posture_cue = Cue(posture[0], posture[0], Severity.FAULT) if posture else None
        run(rep.hold_s, lambda _, p=peak: p, Phase.HOLD, 0.5, posture_cue)
        hold_end = frame / FPS
        if "short_hold" in rep.faults:
            cue_times[index] = hold_end
        short_cue = (
            Cue("short_hold", "hold for 2 seconds", Severity.FAULT) if "short_hold" in rep.faults else None
        )
        run(RAMP_S, lambda e, p=peak: p * (1 - e / RAMP_S), Phase.RETURNING, 0.0, short_cue)
        end_s = frame / FPS
        reps.append(Rep(rep.side, start_s, hold_start, hold_end, end_s, rep.peak_deg, rep.faults))
        run(REST_S, lambda _: 0.0, Phase.NEUTRAL)
    report = SessionReport(
        record=record,
        reps=tuple(reps),
        calibration={"method": "stillness", "neutral_s": CALIBRATION_S},
        target_reps=target_reps,
    )
    return Session(record, reps, report, report.to_json_dict(), cue_times)


def good_rotate(reps_per_side: int = 3, hold_s: float = 2.2, target_reps: int = 3) -> Session:
    plan = [PlannedRep(side, 34.0, hold_s) for _ in range(reps_per_side) for side in ("left", "right")]
    return synthetic_session("rotate", plan, target_reps=target_reps)
