"""The progression rule: 3 -> 5 -> 10 reps, then longer holds; only after 2 good sessions; never range."""

from __future__ import annotations

import dataclasses

import pytest

from coach.coaching.progression import (
    MAX_HOLD_S,
    REPS_LADDER,
    SessionOutcome,
    Suggestion,
    outcome_from_report,
    suggest,
)
from tests.session_builders import PlannedRep, good_rotate, synthetic_session


def done(
    reps: int = 3,
    *,
    exercise: str = "rotate",
    target: int | None = None,
    hold: float | None = None,
    per_side: tuple[int, ...] | None = None,
    good: bool = True,
    shortest: float = 2.2,
) -> SessionOutcome:
    """A session that asked for `target` (default `reps`) reps and did `per_side` of them."""
    if per_side is None:
        per_side = (reps, reps) if exercise == "rotate" else (reps,)
    return SessionOutcome(exercise, target or reps, hold, per_side, good, shortest)


# (newest first, expected reps, expected hold, progressed)
CASES = {
    "first session starts at 3": ([], 3, 2.0, False),
    "one good session is not enough": ([done(3)], 3, 2.0, False),
    "two good sessions at 3 -> 5": ([done(3), done(3)], 5, 2.0, True),
    "two good sessions at 5 -> 10": ([done(5), done(5)], 10, 2.0, True),
    "at 10 reps, the hold grows": ([done(10), done(10)], 10, 3.0, True),
    "the hold grows to its ceiling": ([done(10, hold=3.0, shortest=3.1)] * 2, 10, 4.0, True),
    "top of the progression: stay": ([done(10, hold=4.0, shortest=4.1)] * 2, 10, 4.0, False),
    "a fault in the last 2: stay": ([done(3), done(3, good=False)], 3, 2.0, False),
    "a side short of the target: stay": ([done(3, per_side=(3, 2)), done(3)], 3, 2.0, False),
    "a short hold: stay": ([done(3, shortest=1.5), done(3)], 3, 2.0, False),
    "a hold a frame short still counts": ([done(3, shortest=1.97), done(3)], 5, 2.0, True),
    "the previous session did fewer reps than the new level": ([done(5), done(3)], 5, 2.0, False),
    "older sessions do not matter": ([done(3), done(3), done(3, good=False)], 5, 2.0, True),
    "never goes down after a bad session": ([done(10, good=False, per_side=(4, 2))] * 2, 10, 2.0, False),
    "a custom target steps up to the ladder": ([done(4), done(4)], 5, 2.0, True),
    "a session asking a shorter hold does not count": ([done(10, hold=3), done(10, hold=2)], 10, 3.0, False),
    "more reps than the target still qualify": ([done(3, per_side=(5, 5)), done(3)], 5, 2.0, True),
}


@pytest.mark.parametrize(("sessions", "reps", "hold", "progressed"), CASES.values(), ids=CASES.keys())
def test_rotate_progression(sessions: list[SessionOutcome], reps: int, hold: float, progressed: bool) -> None:
    result = suggest("rotate", sessions)
    assert (result.target_reps, result.hold_s, result.progressed) == (reps, hold, progressed), result.reason
    assert result.reason


def test_arch_counts_all_reps_and_has_the_lower_hold_ceiling() -> None:
    arch = [done(3, exercise="arch"), done(3, exercise="arch")]
    assert suggest("arch", arch).target_reps == 5
    top = [done(10, exercise="arch", hold=MAX_HOLD_S["arch"], shortest=3.2)] * 2
    assert suggest("arch", top) == dataclasses.replace(suggest("arch", top), progressed=False)
    assert suggest("arch", top).hold_s == MAX_HOLD_S["arch"] < MAX_HOLD_S["rotate"]


def test_other_exercises_are_ignored() -> None:
    sessions = [done(3), done(10, exercise="arch"), done(3), done(10, exercise="arch")]
    assert suggest("rotate", sessions).target_reps == 5
    assert suggest("arch", sessions).target_reps == 10
    assert suggest("arch", sessions).hold_s == 3.0


def test_the_ladder_is_the_articles() -> None:
    assert REPS_LADDER == (3, 5, 10)


def test_a_suggestion_can_only_say_reps_and_hold_never_range() -> None:
    fields = {f.name for f in dataclasses.fields(Suggestion)}
    assert fields == {"exercise", "target_reps", "hold_s", "progressed", "reason"}
    # However good the sessions, following the suggestions only ever adds reps or hold time.
    sessions: list[SessionOutcome] = []
    previous = suggest("rotate", sessions)
    for _ in range(12):
        step = previous
        sessions = [done(step.target_reps, hold=step.hold_s, shortest=step.hold_s + 0.1), *sessions]
        step = suggest("rotate", sessions)
        assert step.target_reps >= previous.target_reps and step.hold_s >= previous.hold_s
        previous = step
    assert (previous.target_reps, previous.hold_s) == (10, MAX_HOLD_S["rotate"])


def test_outcome_from_a_rotate_report() -> None:
    session = synthetic_session(
        "rotate",
        [
            PlannedRep("left", 34, 2.2),
            PlannedRep("right", 33, 1.0, ("short_hold",)),
            PlannedRep("left", 30, 2.4),
        ],
        target_reps=5,
    )
    outcome = outcome_from_report(session.report, hold_target_s=2.0)
    assert outcome == SessionOutcome("rotate", 5, 2.0, (2, 1), False, pytest.approx(1.0, abs=0.02))


def test_outcome_from_a_good_report() -> None:
    outcome = outcome_from_report(good_rotate().report)
    assert outcome.reps_per_side == (3, 3) and outcome.all_good
    assert outcome.hold_target_s is None and outcome.target_reps == 3
    assert outcome.shortest_hold_s == pytest.approx(2.2, abs=0.02)


def test_outcome_from_an_arch_report_counts_all_reps() -> None:
    session = synthetic_session("arch", [PlannedRep(None, 20, 2.0)] * 4)
    assert outcome_from_report(session.report).reps_per_side == (4,)


def test_outcome_of_a_session_without_reps() -> None:
    outcome = outcome_from_report(synthetic_session("rotate", []).report)
    assert outcome.reps_per_side == (0, 0) and outcome.shortest_hold_s is None
    # A session without reps (a wrong video, nobody moving) is left out: it does not break a streak.
    assert suggest("rotate", [outcome, done(3), outcome, done(3)]).target_reps == 5
    assert suggest("rotate", [outcome, done(5, target=5)]).target_reps == 5
