"""A fault is raised once it has been seen long enough on the frames' clock, and only once."""

from __future__ import annotations

from coach.reps.fault_evidence import FaultEvidence


def test_a_fault_is_raised_once_after_it_persists() -> None:
    evidence = FaultEvidence(persist_s=0.4)
    raised = [evidence.observe({"side_lean"}, i / 10) for i in range(8)]
    assert raised[:4] == [[], [], [], []]  # 0.0 .. 0.3 s seen
    assert raised[4] == ["side_lean"]  # 0.4 s seen
    assert raised[5:] == [[], [], []]  # never twice


def test_time_away_is_not_evidence() -> None:
    evidence = FaultEvidence(persist_s=0.4)
    evidence.observe({"low_back"}, 0.0)
    evidence.observe({"low_back"}, 0.2)
    evidence.pause()
    assert evidence.observe({"low_back"}, 5.0) == []  # the 4.8 s away does not count
    assert evidence.observe({"low_back"}, 5.2) == ["low_back"]


def test_a_hold_cut_short_is_cued_once_and_judged_on_the_reps_longest_hold() -> None:
    evidence = FaultEvidence()
    assert evidence.hold_cut_short() is True  # the moment to say it
    assert evidence.hold_cut_short() is False  # not twice in a rep
    order = ("low_back", "side_lean", "short_hold")
    assert evidence.rep_faults(order, hold_s=1.2, hold_target_s=2.0) == ("short_hold",)
    assert evidence.rep_faults(order, hold_s=2.4, hold_target_s=2.0) == ()  # then held in full
    evidence.raised.add("low_back")
    assert evidence.rep_faults(order, hold_s=2.4, hold_target_s=2.0) == ("low_back",)
    assert FaultEvidence().rep_faults(order, hold_s=0.5, hold_target_s=2.0) == ("short_hold",)
