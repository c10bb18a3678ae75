"""The comfortable range: the good reps' median peak, the stiffer side for rotate, never more."""

from __future__ import annotations

from pathlib import Path

import pytest

from coach.coaching.comfort import comfortable_range, latest_comfortable_range
from coach.storage.history import comfortable_range_deg, record_session
from tests.session_builders import PlannedRep, synthetic_session


def rep(side: str | None, peak: float, good: bool = True) -> dict:
    return {"side": side, "peak_angle_deg": peak, "good": good}


def test_the_median_peak_of_the_good_reps() -> None:
    reps = [rep(None, 20.0), rep(None, 24.0), rep(None, 22.0), rep(None, 35.0, good=False)]
    assert comfortable_range(reps) == 22.0  # the faulty 35-degree rep is not comfortable range


def test_rotate_takes_the_stiffer_side() -> None:
    reps = [rep("left", 38.0), rep("left", 40.0), rep("right", -31.0), rep("right", -33.0)]
    assert comfortable_range(reps) == 32.0


@pytest.mark.parametrize(
    "reps",
    [[], [rep("left", 40.0, good=False)], [rep(None, float("nan"))], [{"good": True}], [rep(None, 400.0)]],
)
def test_no_good_rep_no_range(reps: list[dict]) -> None:
    assert comfortable_range(reps) is None


def test_the_latest_session_with_a_good_rep_decides() -> None:
    newest_first = [[rep(None, 30.0, good=False)], [rep(None, 18.0)], [rep(None, 26.0)]]
    assert latest_comfortable_range(newest_first) == 18.0
    assert latest_comfortable_range([]) is None


def test_from_the_history(tmp_path: Path) -> None:
    db = tmp_path / "history.sqlite3"
    assert comfortable_range_deg("arch", db) is None
    record_session(
        synthetic_session("arch", [PlannedRep(None, 21, 2.0), PlannedRep(None, 23, 2.0)]).session_report, db
    )
    assert comfortable_range_deg("arch", db) == pytest.approx(22.0, abs=0.6)
    assert comfortable_range_deg("rotate", db) is None  # per exercise
