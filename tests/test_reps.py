"""The rep state machine, frame by frame, on hand-built angle sequences."""

from __future__ import annotations

import numpy as np
import pytest

from coach.analysis import Phase
from coach.reps import RepRules, RepTracker, TrackerUpdate

FPS = 15.0


def ramp(start: float, end: float, seconds: float) -> list[float]:
    """A cosine-eased move from start to end, like a calm human movement."""
    n = round(seconds * FPS)
    x = np.arange(n) / n
    return list(start + (end - start) * (1 - np.cos(np.pi * x)) / 2)


def rep(peak: float, hold_s: float, rest_s: float = 0.8) -> list[float]:
    return ramp(0, peak, 1.3) + ramp(peak, peak, hold_s) + ramp(peak, 0, 1.2) + ramp(0, 0, rest_s)


def run(angles: list[float | None], rules: RepRules | None = None) -> list[TrackerUpdate]:
    tracker = RepTracker(rules or RepRules())
    return [tracker.update(a, i / FPS) for i, a in enumerate(angles)]


def completed(updates: list[TrackerUpdate]) -> list:
    return [u.completed for u in updates if u.completed is not None]


def test_a_full_rep_each_side_with_its_hold() -> None:
    updates = run(ramp(0, 0, 1.0) + rep(40, 2.3) + rep(-40, 2.3))
    reps = completed(updates)
    assert [r.side for r in reps] == ["left", "right"]
    for r in reps:
        assert r.hold_s == pytest.approx(2.3, abs=0.2)
        assert r.peak_deg == pytest.approx(40, abs=0.5)
        assert r.start_s < r.hold_start_s < r.hold_end_s < r.end_s


def test_phases_follow_the_movement_frame_by_frame() -> None:
    angles = ramp(0, 0, 1.0) + rep(40, 2.3)
    updates = run(angles)
    phases = [u.phase for u in updates]
    first = {phase: phases.index(phase) for phase in (Phase.MOVING, Phase.HOLD, Phase.RETURNING)}
    assert phases[0] == Phase.NEUTRAL
    assert first[Phase.MOVING] < first[Phase.HOLD] < first[Phase.RETURNING]
    assert phases[-1] == Phase.NEUTRAL
    assert sum(u.hold_completed for u in updates) == 1


def test_jitter_around_the_threshold_never_counts() -> None:
    rng = np.random.default_rng(1)
    # Hovering at the start threshold with noise well inside the hysteresis: never a real turn.
    angles = ramp(0, 0, 1.0) + list(10 + rng.normal(0, 1.0, 300))
    assert completed(run(angles)) == []


def test_a_half_turn_does_not_count() -> None:
    assert completed(run(ramp(0, 0, 1.0) + rep(12, 2.0))) == []


def test_a_short_hold_counts_and_says_so_when_it_ends() -> None:
    updates = run(ramp(0, 0, 1.0) + rep(40, 0.8))
    (window,) = completed(updates)
    assert window.hold_s == pytest.approx(0.8, abs=0.2)
    assert sum(u.hold_ended_early for u in updates) == 1
    assert not any(u.hold_completed for u in updates)


def test_unsigned_rules_ignore_the_other_direction() -> None:
    rules = RepRules(signed=False)
    reps = completed(run(ramp(0, 0, 1.0) + rep(-30, 2.0) + rep(30, 2.0), rules))
    assert [r.side for r in reps] == [None]


def test_noisy_holds_are_timed_within_a_frame_or_two() -> None:
    rng = np.random.default_rng(7)
    clean = ramp(0, 0, 1.0) + rep(35, 2.0) + rep(-35, 2.0)
    noisy = list(np.array(clean) + rng.normal(0, 0.4, len(clean)))
    for r in completed(run(noisy)):
        assert r.hold_s == pytest.approx(2.0, abs=0.3)


def test_counting_pauses_while_the_person_is_gone() -> None:
    angles: list[float | None] = (
        ramp(0, 0, 1.0) + ramp(0, 40, 1.3) + [None] * 45 + ramp(40, 0, 1.0) + ramp(0, 0, 1)
    )
    updates = run(angles)
    assert Phase.NO_POSE in [u.phase for u in updates]
    assert completed(updates) == []  # gone for 3 s mid-rep: the rep is dropped, no phantom rep


def test_frame_rate_does_not_change_the_count_or_holds() -> None:
    def at_fps(fps: float) -> list:
        times = np.arange(0, 14, 1 / fps)
        source = ramp(0, 0, 1.0) + rep(40, 2.0) + rep(-40, 2.0) + ramp(0, 0, 1.0)
        angles = np.interp(times, np.arange(len(source)) / FPS, source)
        tracker = RepTracker()
        return [
            u.completed
            for t, a in zip(times, angles, strict=True)
            if (u := tracker.update(float(a), t)).completed
        ]

    for fps in (10, 30, 60):
        reps = at_fps(fps)
        assert [r.side for r in reps] == ["left", "right"]
        assert all(abs(r.hold_s - 2.0) <= 0.25 for r in reps)


@pytest.mark.parametrize(
    ("rules", "error"),
    [
        ({"start_deg": 4.0, "return_deg": 5.0}, "return_deg < start_deg"),
        ({"min_peak_deg": 5.0}, "start_deg <= min_peak_deg"),
        ({"hold_target_s": 0.0}, "positive"),
    ],
)
def test_inconsistent_rules_are_rejected(rules: dict, error: str) -> None:
    with pytest.raises(ValueError, match=error):
        RepRules(**rules)
