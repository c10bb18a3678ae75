"""The rep a stream ends during: what the tracker measured of it, frame by frame, without a model."""

from __future__ import annotations

import pytest

from coach.reps.analysis import Rep
from coach.reps.tracker import ABANDON_AFTER_S, RepTracker, TrackerUpdate
from tests.reps.test_reps import FPS, completed, ramp, rep


def fed(angles: list[float | None]) -> tuple[RepTracker, list[TrackerUpdate]]:
    tracker = RepTracker()
    return tracker, [tracker.update(a, i / FPS) for i, a in enumerate(angles)]


def test_a_stream_that_ends_during_a_hold_gives_the_rep_with_its_hold_so_far() -> None:
    lead_in = ramp(0, 0, 1.0) + rep(40, 2.3) + ramp(0, 0, 0.5) + ramp(0, -40, 1.3)
    held = ramp(-40, -40, 1.2)
    tracker, updates = fed(lead_in + held)
    assert [r.side for r in completed(updates)] == ["left"]  # the first rep is counted as ever
    window = tracker.unfinished()
    assert window is not None
    assert window.side == "right" and window.peak_deg == pytest.approx(40, abs=0.5)
    assert window.hold_s == pytest.approx(1.2, abs=0.3)
    assert window.end_s == pytest.approx((len(lead_in) + len(held) - 1) / FPS)
    assert window.start_s < window.hold_start_s < window.hold_end_s == window.end_s
    incomplete = window.as_rep((), incomplete=True)
    assert incomplete.peak_angle_deg < 0 and incomplete.incomplete and not incomplete.good
    assert incomplete.to_dict()["incomplete"] is True


def test_a_stream_that_ends_on_the_way_out_gives_a_rep_never_held() -> None:
    tracker, updates = fed(ramp(0, 0, 1.0) + ramp(0, 30, 1.3)[:15])
    window = tracker.unfinished()
    assert completed(updates) == [] and window is not None
    assert window.side == "left" and window.hold_s == 0.0 and 10 < window.peak_deg <= 30


def test_a_stream_that_ends_on_the_way_back_keeps_the_hold_it_had() -> None:
    back = ramp(35, 0, 1.2)[:8]  # still out past the neutral band
    tracker, updates = fed(ramp(0, 0, 1.0) + ramp(0, 35, 1.3) + ramp(35, 35, 2.0) + back)
    window = tracker.unfinished()
    assert completed(updates) == [] and window is not None
    assert window.hold_s == pytest.approx(2.0, abs=0.3) and window.hold_end_s < window.end_s


def test_no_rep_under_way_at_the_end_gives_none() -> None:
    tracker, updates = fed(ramp(0, 0, 1.0) + rep(40, 2.3))
    assert len(completed(updates)) == 1 and tracker.unfinished() is None
    assert RepTracker().unfinished() is None  # nothing seen at all


def test_the_person_gone_briefly_at_the_end_still_gives_the_rep_and_gone_long_drops_it() -> None:
    out = ramp(0, 0, 1.0) + ramp(0, 35, 1.3) + ramp(35, 35, 1.0)
    tracker, _ = fed(out + [None] * 10)
    window = tracker.unfinished()
    assert window is not None and window.end_s == pytest.approx((len(out) - 1) / FPS)
    gone = round((ABANDON_AFTER_S + 0.5) * FPS)
    tracker, _ = fed(out + [None] * gone)
    assert tracker.unfinished() is None  # abandoned, as it always was: nothing measured to report


def test_asking_changes_nothing() -> None:
    angles = ramp(0, 0, 1.0) + rep(40, 2.3) + rep(-35, 2.0)
    asked = RepTracker()
    reps = []
    for i, angle in enumerate(angles):
        asked.unfinished()
        update = asked.update(angle, i / FPS)
        if update.completed is not None:
            reps.append(update.completed)
    _, updates = fed(angles)
    assert reps == completed(updates)


def test_an_incomplete_rep_is_never_good_and_says_so_only_when_it_is() -> None:
    done = Rep("left", 0.0, 1.0, 3.0, 4.0, 35.0)
    assert done.good and "incomplete" not in done.to_dict()
    cut = Rep("left", 0.0, 1.0, 2.0, 2.0, 35.0, incomplete=True)
    assert not cut.good and cut.to_dict()["incomplete"] is True
