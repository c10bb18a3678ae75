"""What an analyzer says about each frame and each repetition, and the protocol analyzers share."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any, Protocol

from coach.pose.types import Pose

if TYPE_CHECKING:
    from coach.calibration.profile import CalibrationProfile


class Phase(Enum):
    CALIBRATING = "calibrating"
    NO_POSE = "no_pose"
    NEUTRAL = "neutral"
    MOVING = "moving"
    HOLD = "hold"
    RETURNING = "returning"


class Severity(Enum):
    INFO = "info"
    GOOD = "good"
    FAULT = "fault"


@dataclass(frozen=True)
class Cue:
    """Something to tell the user now. `code` is stable (reports, tests); `message` is for people."""

    code: str
    message: str
    severity: Severity


@dataclass(frozen=True)
class Rep:
    """One repetition, completed unless `incomplete`. Times are seconds on the stream's clock.

    incomplete: the rep the stream ended during (the video was cut off, the session stopped), with
        what was measured of it; it is listed apart and never counted, nor a good rep.
    """

    side: str | None
    start_s: float
    hold_start_s: float
    hold_end_s: float
    end_s: float
    peak_angle_deg: float
    faults: tuple[str, ...] = ()
    incomplete: bool = False

    @property
    def hold_s(self) -> float:
        return max(0.0, self.hold_end_s - self.hold_start_s)

    @property
    def good(self) -> bool:
        return not self.faults and not self.incomplete

    def to_dict(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            "side": self.side,
            "start_s": round(self.start_s, 3),
            "hold_start_s": round(self.hold_start_s, 3),
            "hold_end_s": round(self.hold_end_s, 3),
            "end_s": round(self.end_s, 3),
            "hold_s": round(self.hold_s, 3),
            "peak_angle_deg": round(self.peak_angle_deg, 2),
            "good": self.good,
            "faults": list(self.faults),
        }
        if self.incomplete:
            document["incomplete"] = True
        return document


@dataclass(frozen=True)
class FrameAnalysis:
    """An analyzer's reading of one frame.

    angle_deg: the exercise's main angle (rotate: thoracic rotation, + = to the person's left;
        arch: backward extension from neutral), None when it cannot be measured.
    signals: the two secondary per-frame numbers the CSV carries, by column name
        (rotate: pelvis_deg, lean_deg).
    target_deg: the angle the user is working towards (for the gauge), None before calibration.
    comfortable_deg: the largest angle calibration saw as comfortable, None when unknown.
    """

    t_s: float
    phase: Phase
    angle_deg: float | None = None
    signals: dict[str, float | None] = field(default_factory=dict)
    side: str | None = None
    hold_s: float = 0.0
    hold_target_s: float = 2.0
    cue: Cue | None = None
    reps_by_side: dict[str, int] = field(default_factory=dict)
    good_reps: int = 0
    target_reps: int = 3
    completed_rep: Rep | None = None
    target_deg: float | None = None
    comfortable_deg: float | None = None


class Analyzer(Protocol):
    """Turns a stream of poses into `FrameAnalysis`es. Time comes from the frames, never the clock."""

    exercise: str
    signal_names: tuple[str, str]

    def update(self, pose: Pose | None, t_s: float) -> FrameAnalysis: ...

    def unread(self, t_s: float) -> FrameAnalysis:
        """A frame with the person there but no reading of them (the pipeline found it past what a
        spine can do): nothing is measured from it, and a rep under way is not given up over it as
        soon as over frames without the person."""
        ...

    def reset(self) -> None: ...

    @property
    def reps(self) -> list[Rep]: ...

    def finish(self) -> Rep | None:
        """The rep under way as the stream ends, as an incomplete `Rep` (None when none is): what
        was measured of it, never counted. Reads only; `update` may go on."""
        ...

    def calibration_summary(self) -> dict[str, Any]: ...

    @property
    def profile(self) -> CalibrationProfile | None:
        """The calibration in use (given, or made from the first still seconds); None before."""
        ...

    def reading(self, pose: Pose) -> float | None:
        """The exercise's raw angle of `pose` against this calibration, without touching any state
        (None before calibration)."""
        ...

    def wrong_way_deg(self, pose: Pose) -> float | None:
        """How far `pose` sits the way the stretch never goes from the neutral, degrees (+ = that way;
        None: the stretch goes both ways, or before calibration). See `coach.pipeline.wrong_way`."""
        ...
