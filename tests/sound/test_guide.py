"""The guide, frame by frame on hand-made analyses: what it says and plays, and when."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest

from coach.pipeline.core import CALIBRATE_CUE
from coach.reps.analysis import Cue, FrameAnalysis, Phase, Rep, Severity
from coach.sound.events import HOLD_DONE, HOLD_START, Sound, SoundKind
from coach.sound.guide import Guide

FPS = 15.0
LEAN = Cue("side_lean", "Sit tall, don't lean", Severity.FAULT)
HIPS = Cue("low_back", "Keep your hips square, turn from the upper back", Severity.FAULT)


class Person:
    """Builds the analyses a session would give: calibration, then reps one after another."""

    def __init__(self, exercise: str = "rotate", target_reps: int = 3, hold_target_s: float = 2.0) -> None:
        self.t = 0.0
        self.by_side = exercise == "rotate"
        self.reps: dict[str, int] = {"left": 0, "right": 0} if self.by_side else {exercise: 0}
        self.target_reps = target_reps
        self.hold_target_s = hold_target_s

    def frame(self, phase: Phase, **fields: object) -> FrameAnalysis:
        analysis = FrameAnalysis(
            t_s=self.t, phase=phase, reps_by_side=dict(self.reps), target_reps=self.target_reps,
            hold_target_s=self.hold_target_s, **fields,  # type: ignore[arg-type]
        )  # fmt: skip
        self.t += 1 / FPS
        return analysis

    def calibrate(self, seconds: float = 3.0, cue: Cue | None = None) -> Iterator[FrameAnalysis]:
        for _ in range(round(seconds * FPS)):
            yield self.frame(Phase.CALIBRATING, cue=cue or Cue("calibrating", CALIBRATE_CUE, Severity.INFO))

    def rest(self, seconds: float) -> Iterator[FrameAnalysis]:
        for _ in range(round(seconds * FPS)):
            yield self.frame(Phase.NEUTRAL)

    def rep(
        self, side: str | None, hold_s: float = 2.3, fault: Cue | None = None, fault_at_s: float = 0.5,
        cue_kept_s: float = 2.5,
    ) -> Iterator[FrameAnalysis]:  # fmt: skip
        """Out in 1.2 s, hold, back in 1.2 s; `fault` raised `fault_at_s` into the hold and kept on
        screen for `cue_kept_s` (as the live coach keeps a cue readable)."""
        start = self.t
        raised = start + 1.2 + fault_at_s
        key = side or next(iter(self.reps))

        def cue() -> Cue | None:
            return fault if fault is not None and raised <= self.t < raised + cue_kept_s else None

        for _ in range(round(1.2 * FPS)):
            yield self.frame(Phase.MOVING, side=side, cue=cue())
        hold_start = self.t
        while self.t < hold_start + hold_s:
            yield self.frame(Phase.HOLD, side=side, hold_s=self.t - hold_start, cue=cue())
        for _ in range(round(1.2 * FPS)):
            yield self.frame(Phase.RETURNING, side=side, hold_s=hold_s, cue=cue())
        self.reps[key] += 1
        faults = (fault.code,) if fault is not None else ()
        done = Rep(side, start, hold_start, hold_start + hold_s, self.t, 35.0, faults)
        yield self.frame(Phase.NEUTRAL, side=side, completed_rep=done, cue=cue())
        while self.t < raised + cue_kept_s:  # the cue stays on screen into the rest
            yield self.frame(Phase.NEUTRAL, cue=cue())


def run(guide: Guide, analyses: Iterator[FrameAnalysis], target: int = 3) -> list[Sound]:
    sounds = []
    for analysis in analyses:
        done = analysis.reps_by_side.values()
        complete = analysis.phase != Phase.CALIBRATING and all(n >= target for n in done)
        sounds += guide.update(analysis, set_complete=complete)
    return sounds


def said(sounds: list[Sound]) -> list[str]:
    return [s.text for s in sounds if s.kind is SoundKind.SPEECH]


def test_a_guided_set_calibrates_prompts_times_holds_and_ends() -> None:
    person, guide = Person(), Guide("rotate")
    sounds = run(guide, person.calibrate())
    assert said(sounds) == [CALIBRATE_CUE]
    for side in ("left", "right", "left", "right", "left", "right"):
        sounds += run(guide, person.rep(side))
        sounds += run(guide, person.rest(0.6))
    assert said(sounds) == [
        CALIBRATE_CUE,
        "Turn to your left, as far as is comfortable, and hold",
        "And back", "Now to the right",
        "And back", "1 each side. Now to the left",
        "And back", "Now to the right",
        "And back", "2 each side. Now to the left",
        "And back", "Now to the right",
        "And back", "Set complete: 3 good reps each side",
    ]  # fmt: skip
    tones = [s for s in sounds if s.kind is SoundKind.TONE]
    assert [t.name for t in tones] == [HOLD_START, HOLD_DONE] * 6
    # The first tone with the first HOLD frame; the second with the first frame held 2 s.
    first_hold = 3.0 + 1.2
    assert tones[0].t_s == pytest.approx(first_hold, abs=1.5 / FPS)
    assert tones[1].t_s - tones[0].t_s == pytest.approx(2.0, abs=1.01 / FPS)


def test_it_follows_a_person_who_turns_right_first() -> None:
    person, guide = Person(), Guide("rotate")
    run(guide, person.calibrate())
    sounds = run(guide, person.rep("right"))
    assert said(sounds)[-1] == "Now to the left"
    sounds = run(guide, person.rep("right"))  # and again to the right: the left is still owed
    assert said(sounds)[-1] == "Now to the left"
    sounds = run(guide, person.rep("left"))
    assert said(sounds)[-1] == "Now to the left"  # right 2, left 1
    sounds = run(guide, person.rep("left"))
    assert said(sounds)[-1] == "2 each side. Now to the right"  # level: the other side from the last


def test_a_short_hold_gets_the_start_tone_but_never_the_done_tone() -> None:
    person, guide = Person(), Guide("rotate")
    run(guide, person.calibrate())
    sounds = run(guide, person.rep("left", hold_s=1.0))
    assert [s.name for s in sounds if s.kind is SoundKind.TONE] == [HOLD_START]
    assert "And back" not in said(sounds)


def test_a_hold_interrupted_by_a_jolt_starts_once() -> None:
    person, guide = Person(), Guide("arch")
    run(guide, person.calibrate())
    frames = list(person.rep(None, hold_s=2.5))
    jolt = next(i for i, a in enumerate(frames) if a.phase == Phase.HOLD) + 8
    frames[jolt] = FrameAnalysis(t_s=frames[jolt].t_s, phase=Phase.MOVING)
    sounds = run(guide, iter(frames))
    assert [s.name for s in sounds if s.kind is SoundKind.TONE] == [HOLD_START, HOLD_DONE]


def test_a_hold_left_and_taken_up_again_is_not_done_on_the_first_ones_clock() -> None:
    # 1.5 s held, a moment of moving (the head going back first), held again 0.7 s: no hold reached 2 s.
    person, guide = Person(), Guide("arch")
    run(guide, person.calibrate())
    frames = list(person.rep(None, hold_s=2.2))
    first_hold = next(i for i, a in enumerate(frames) if a.phase == Phase.HOLD)
    moved = first_hold + round(1.5 * FPS)
    for k in range(moved, moved + 3):
        frames[k] = FrameAnalysis(t_s=frames[k].t_s, phase=Phase.RETURNING, hold_s=1.5)
    for k in range(moved + 3, len(frames)):
        if frames[k].phase == Phase.HOLD:
            frames[k] = dataclasses.replace(frames[k], hold_s=frames[k].t_s - frames[moved + 3].t_s)
    sounds = run(guide, iter(frames))
    assert [s.name for s in sounds if s.kind is SoundKind.TONE] == [HOLD_START]


def test_a_fault_is_said_once_per_rep_in_the_words_on_screen() -> None:
    person, guide = Person(), Guide("rotate")
    run(guide, person.calibrate())
    first = run(guide, person.rep("left", fault=LEAN, cue_kept_s=4.0))  # kept on screen into the rest
    second = run(guide, person.rep("right", fault=LEAN))
    third = run(guide, person.rep("left"))
    assert said(first).count(LEAN.message) == 1
    assert said(second).count(LEAN.message) == 1  # raised again on the next rep: said again
    assert LEAN.message not in said(third)
    spoken = next(s for s in first if s.text == LEAN.message)
    assert spoken.name == "fault" and spoken.t_s == pytest.approx(3.0 + 1.2 + 0.5, abs=1.5 / FPS)


def test_two_faults_in_one_rep_are_each_said_once() -> None:
    person, guide = Person(), Guide("rotate")
    run(guide, person.calibrate())
    frames = list(person.rep("left", fault=HIPS, cue_kept_s=0.4))
    lean_at = next(i for i, a in enumerate(frames) if a.phase == Phase.HOLD) + 15
    for i in range(lean_at, lean_at + 10):
        frames[i] = FrameAnalysis(t_s=frames[i].t_s, phase=Phase.HOLD, hold_s=1.0, cue=LEAN)
    frames[lean_at + 10] = FrameAnalysis(t_s=frames[lean_at + 10].t_s, phase=Phase.HOLD, hold_s=1.1, cue=HIPS)
    sounds = run(guide, iter(frames))
    assert [t for t in said(sounds) if t in (HIPS.message, LEAN.message)] == [HIPS.message, LEAN.message]


def test_the_arch_set_counts_every_rep_and_ends_with_its_good_reps() -> None:
    person, guide = Person("arch", hold_target_s=1.5), Guide("arch")
    run(guide, person.calibrate())
    sounds = run(guide, person.rep(None, hold_s=1.8))
    sounds += run(guide, person.rep(None, hold_s=1.8, fault=HIPS))
    sounds += run(guide, person.rep(None, hold_s=1.8))
    assert said(sounds) == [
        "Arch back over the chair, as far as is comfortable, and hold",
        "And back", "That's 1. Again, when you're ready",
        HIPS.message, "And back", "That's 2. Again, when you're ready",
        "And back", "Set complete: 2 good reps",
    ]  # fmt: skip


def test_no_sentence_asks_for_more_range_or_hurries() -> None:
    person, guide = Person(), Guide("rotate")
    sounds = run(guide, person.calibrate())
    for side in ("left", "right") * 3:
        sounds += run(guide, person.rep(side, fault=LEAN if side == "right" else None))
        sounds += run(guide, person.rest(5.0))  # a long rest: nobody is asked to hurry up
    for text in said(sounds):
        assert not any(word in text.lower() for word in ("further", "more", "deeper", "hurry", "faster"))
    prompts = [s for s in sounds if s.name == "prompt"]
    assert len(prompts) == 6  # the first prompt and one after each rep but the last: never repeated


def test_calibration_problems_are_said_when_they_change_and_rarely() -> None:
    person, guide = Person(), Guide("rotate")
    turned = Cue("calibrating", "You seem turned: face the camera", Severity.FAULT)
    cut = Cue("calibrating", "Move back: your elbows are cut off", Severity.FAULT)
    sounds = run(guide, person.calibrate(1.0))
    sounds += run(guide, person.calibrate(3.0, cue=turned))  # too soon after the first sentence
    sounds += run(guide, person.calibrate(6.0, cue=turned))
    sounds += run(guide, person.calibrate(3.0, cue=cut))  # changed, but only 3 s later
    sounds += run(guide, person.calibrate(6.0, cue=cut))
    assert said(sounds) == [CALIBRATE_CUE, turned.message, cut.message]
    assert all(s.name in ("calibrate", "calibration_problem") for s in sounds)


def test_a_new_set_starts_with_the_first_prompt_again() -> None:
    person, guide = Person(target_reps=1), Guide("rotate")
    run(guide, person.calibrate())
    sounds = run(guide, person.rep("left"), target=1)
    sounds += run(guide, person.rep("right"), target=1)
    assert said(sounds)[-1] == "Set complete: 1 good rep each side"
    person.reps = {"left": 0, "right": 0}  # key r
    sounds = run(guide, person.rest(0.5), target=1)
    assert said(sounds) == ["Turn to your left, as far as is comfortable, and hold"]
