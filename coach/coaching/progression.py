"""When to progress: the article's 3 -> 5 -> 10 reps, then longer holds. Never more range.

The rule (stated in the README, "History and progression"): the current level is the target (reps and
hold) of the latest session of the exercise. When the last `SESSIONS_NEEDED` sessions of that exercise
each reached the level's reps (per side for Sit and Rotate) with every rep good (no fault; a short hold
is a fault) and every hold at least the level's hold, suggest the next step: more reps along
`REPS_LADDER`; at the top of the ladder, a hold `HOLD_STEP_S` longer, up to the exercise's
`MAX_HOLD_S`. Otherwise stay at the level. Sessions without a single rep (a wrong video, nobody
moving) say nothing about the person and are left out. The suggestion never goes down on its own and
never asks for a larger angle: range stays what the calibration showed was comfortable.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from coach.facts import REPS_LADDER, STRETCHES

SESSIONS_NEEDED = 2
STANDARD_HOLD_S = {name: s.hold_s for name, s in STRETCHES.items()}
HOLD_STEP_S = 1.0
MAX_HOLD_S = {name: s.max_hold_s for name, s in STRETCHES.items()}
HOLD_TOLERANCE_S = 0.05  # a hold measured a frame short of the target still counts as full
SIGNED_EXERCISES = frozenset(name for name, s in STRETCHES.items() if s.by_side)  # reps per side


@dataclass(frozen=True)
class SessionOutcome:
    """What progression needs to know about one past session.

    reps_per_side: rotate (left, right); arch (total,).
    shortest_hold_s: the shortest hold of any rep, None when there were no reps.
    hold_target_s: the hold the session asked for, None when not recorded (the exercise's standard).
    """

    exercise: str
    target_reps: int
    hold_target_s: float | None
    reps_per_side: tuple[int, ...]
    all_good: bool
    shortest_hold_s: float | None


@dataclass(frozen=True)
class Suggestion:
    exercise: str
    target_reps: int
    hold_s: float
    progressed: bool
    reason: str

    def describe(self) -> str:
        per_side = " per side" if self.exercise in SIGNED_EXERCISES else ""
        return f"{self.target_reps} reps{per_side}, {self.hold_s:g} s holds"

    def to_dict(self) -> dict[str, Any]:
        return {
            "exercise": self.exercise,
            "target_reps": self.target_reps,
            "hold_s": self.hold_s,
            "progressed": self.progressed,
            "reason": self.reason,
        }


def outcome_from_report(report: dict[str, Any], hold_target_s: float | None = None) -> SessionOutcome:
    """The outcome of a session from its report dict (the format `coach analyze --report` writes)."""
    exercise = str(report["exercise"])
    reps = report["reps"]
    per_side: tuple[int, ...]
    if exercise in SIGNED_EXERCISES:
        per_side = (
            sum(rep["side"] == "left" for rep in reps),
            sum(rep["side"] == "right" for rep in reps),
        )
    else:
        per_side = (len(reps),)
    holds = [float(rep["hold_s"]) for rep in reps]
    return SessionOutcome(
        exercise=exercise,
        target_reps=int(report.get("target_reps", REPS_LADDER[0])),
        hold_target_s=hold_target_s if hold_target_s is not None else report.get("hold_target_s"),
        reps_per_side=per_side,
        all_good=all(bool(rep["good"]) and not rep["faults"] for rep in reps),
        shortest_hold_s=min(holds) if holds else None,
    )


def suggest(exercise: str, newest_first: Sequence[SessionOutcome]) -> Suggestion:
    """The next session's target from past sessions (any exercise; newest first)."""
    standard_hold = STANDARD_HOLD_S.get(exercise, 2.0)
    sessions = [s for s in newest_first if s.exercise == exercise and sum(s.reps_per_side) > 0]
    if not sessions:
        return Suggestion(exercise, REPS_LADDER[0], standard_hold, False, "first session: start with 3 reps")
    latest = sessions[0]
    reps = max(REPS_LADDER[0], min(latest.target_reps, REPS_LADDER[-1]))
    hold = latest.hold_target_s if latest.hold_target_s is not None else standard_hold
    level = Suggestion(exercise, reps, hold, False, "")
    recent = sessions[:SESSIONS_NEEDED]
    if len(recent) < SESSIONS_NEEDED:
        return _stay(level, f"{SESSIONS_NEEDED} sessions at this level are needed to progress")
    shortfalls = [why for s in recent if (why := _shortfall(s, reps, hold, standard_hold))]
    if shortfalls:
        return _stay(level, f"not yet: {shortfalls[0]}")
    return _next_step(level)


def _shortfall(session: SessionOutcome, reps: int, hold: float, standard_hold: float) -> str | None:
    """Why a session does not count towards progressing from (reps, hold); None when it does."""
    asked_hold = session.hold_target_s if session.hold_target_s is not None else standard_hold
    if min(session.reps_per_side, default=0) < reps:
        return f"a recent session had fewer than {reps} reps" + (
            " on a side" if len(session.reps_per_side) > 1 else ""
        )
    if not session.all_good:
        return "a recent session had reps with faults"
    if asked_hold < hold - HOLD_TOLERANCE_S or (session.shortest_hold_s or 0.0) < hold - HOLD_TOLERANCE_S:
        return f"a recent session had holds shorter than {hold:g} s"
    return None


def _stay(level: Suggestion, reason: str) -> Suggestion:
    return Suggestion(level.exercise, level.target_reps, level.hold_s, False, reason)


def _next_step(level: Suggestion) -> Suggestion:
    done = f"the last {SESSIONS_NEEDED} sessions were all good at {level.describe()}"
    higher = [n for n in REPS_LADDER if n > level.target_reps]
    if higher:
        return Suggestion(level.exercise, higher[0], level.hold_s, True, f"{done}: add reps")
    max_hold = MAX_HOLD_S.get(level.exercise, level.hold_s)
    if level.hold_s + HOLD_STEP_S <= max_hold + HOLD_TOLERANCE_S:
        return Suggestion(
            level.exercise, level.target_reps, level.hold_s + HOLD_STEP_S, True, f"{done}: hold longer"
        )
    return _stay(level, f"{done}: that is the top of the progression, keep it up")
