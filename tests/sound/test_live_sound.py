"""`coach live --voice --audio-log` on sample clips played as a camera, through the real entry point
and the real pose model, checked against the clips' ground truth.

No sound card here (nor, on CI, a voice): the session runs silent and logs each sound as it would
start, a sentence keeping the voice busy for its estimated length. Times are the capture's clock,
which for a file played in real time is the video's (plus the still seconds added in front).

The issue asks for each tone within 0.3 s of the truth. The hold-done tone counts from where the
movement arrived (the live tracker dates the hold back to it), so it meets that on every rep. The
hold-start tone cannot play before the hold is seen: the tracker notices it 0.0-0.25 s after the true
start here (coach/reps/tracker.py: the raw angle still over 0.2 s), and the sound then waits for the
model's time on the frame (0.05-0.2 s, more when other work shares the machine's two cores). So the
frame that calls for it is held to 0.3 s on every rep, the sound to 0.3 s on the median rep and to
`WORST_START_S` on every rep.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from benchmarks.tone_timing import STILL_S, with_still_start
from coach.exercises.arch import CUES as ARCH_CUES
from coach.facts import ARCH, stretch
from coach.sound.audio_log import read_audio_log
from tests.app.test_live import LiveProcess
from tests.helpers import SAMPLES

OFFSET_S = STILL_S  # still seconds added in front: a person at a camera waits for "go"
# From the capture of the frame that calls for a tone to the tone: the model's time on that frame
# (two sessions share this machine's cores) and the sound's own (benchmarks/sound.py: milliseconds).
SOUND_PATH_S = 0.3
ON_TIME_S = 0.3  # the target, against the truth
WORST_START_S = 0.45  # the start tone of every rep: noticing the hold plus the model's time
FAULT_NAMES = {"pelvis": "low_back", "side_lean": "side_lean", "short_hold": "short_hold"}
FAULT_WORDS = {
    "low_back": "Keep your hips square, turn from the upper back",
    "side_lean": "Sit tall, don't lean",
    "short_hold": "Hold for 2 seconds",
}
ARCH_FAULT_WORDS = {name: cue.message for name, cue in ARCH_CUES.items()}
CLIPS = {
    "dev_rotate_front_good": "rotate",
    "dev_rotate_front_faults": "rotate",
    "dev_arch_side_faults": "arch",
}


@pytest.fixture(scope="module")
def voiced(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, tuple[LiveProcess, Path]]]:
    """Each clip headless with --voice and --audio-log, one after the other (two live sessions at once
    would share the machine's cores and drop frames)."""
    tmp = tmp_path_factory.mktemp("voice")
    runs = {}
    for name, exercise in CLIPS.items():
        audio = tmp / f"{name}.audio.jsonl"
        extra = ("--exercise", exercise, "--no-window", "--voice", "--audio-log", str(audio))
        run = LiveProcess(
            tmp, name, with_still_start(SAMPLES / f"{name}.mp4", tmp / f"{name}.mp4")[0], *extra
        )
        run.finish()
        runs[name] = (run, audio)
    yield runs
    for run, _ in runs.values():
        if run.process.poll() is None:
            run.process.kill()


def finished(runs: dict[str, tuple[LiveProcess, Path]], name: str) -> tuple[list[dict[str, Any]], list[str]]:
    run, audio = runs[name]
    assert run.process.returncode == 0, run.stderr
    return [{**line, "t_s": line["t_s"] - OFFSET_S} for line in read_audio_log(audio)], run.lines


def truth(name: str) -> list[dict[str, Any]]:
    return list(json.loads((SAMPLES / f"{name}.gt.json").read_text())["scenario"]["reps"])


def during(lines: list[dict[str, Any]], name: str, start: float, end: float) -> list[dict[str, Any]]:
    return [line for line in lines if line["name"] == name and start <= line["t_s"] < end]


def check_tones(lines: list[dict[str, Any]], reps: list[dict[str, Any]], hold_target_s: float) -> None:
    """One hold-start tone per rep near its true start; one hold-done tone near the true start plus
    the target for each rep held that long, none for a rep held clearly shorter."""
    for line in lines:
        if line["kind"] == "tone":
            assert 0 <= line["t_s"] + OFFSET_S - line["event_t_s"] <= SOUND_PATH_S, line
    errors_start, errors_noticed, errors_done = [], [], []
    bounds = [r["start"] for r in reps[1:]] + [np.inf]
    for rep, next_start in zip(reps, bounds, strict=True):
        [started] = during(lines, "hold_start", rep["start"], next_start)
        errors_start.append(started["t_s"] - rep["hold_start"])
        errors_noticed.append(started["event_t_s"] - OFFSET_S - rep["hold_start"])
        done = during(lines, "hold_done", rep["start"], next_start)
        held_s = rep["hold_end"] - rep["hold_start"]
        if held_s < hold_target_s - ON_TIME_S:
            assert done == [], rep
        elif held_s >= hold_target_s + ON_TIME_S:
            assert len(done) == 1, rep
        assert len(done) <= 1, rep  # a hold that ends about when it reaches the target may have it
        errors_done += [line["t_s"] - (rep["hold_start"] + hold_target_s) for line in done]
    assert np.max(np.abs(errors_noticed)) <= ON_TIME_S, errors_noticed
    assert np.median(np.abs(errors_start)) <= ON_TIME_S, errors_start
    assert np.max(np.abs(errors_start)) <= WORST_START_S, errors_start
    assert np.max(np.abs(errors_done), initial=0.0) <= ON_TIME_S, errors_done


def check_speech_never_overlaps(lines: list[dict[str, Any]]) -> None:
    said = [line for line in lines if line["kind"] == "speech"]
    for before, after in itertools.pairwise(said):
        assert after["t_s"] >= before["t_s"] + before["duration_s"] - 1e-3, (before, after)


@pytest.mark.slow
def test_a_voiced_set_has_its_tones_on_time_and_ends_with_set_complete(
    voiced: dict[str, tuple[LiveProcess, Path]],
) -> None:
    name = "dev_rotate_front_good"
    lines, said = finished(voiced, name)
    reps = truth(name)
    assert "No audio device found: the session runs silent." in said  # one line says so
    check_tones(lines, reps, hold_target_s=2.0)
    check_speech_never_overlaps(lines)
    speech = [line for line in lines if line["kind"] == "speech"]
    assert speech[0]["name"] == "calibrate" and speech[0]["t_s"] < 0.5 - OFFSET_S + 0.5
    assert speech[1]["text"] == "Turn to your left, as far as is comfortable, and hold"
    assert speech[1]["t_s"] < reps[0]["start"]  # said before the first turn
    assert (
        speech[-1]["name"] == "set_complete" and speech[-1]["text"] == "Set complete: 3 good reps each side"
    )
    assert speech[-1]["t_s"] >= reps[-1]["hold_end"]
    assert [line["name"] for line in lines][-1] == "set_complete"
    # After each rep but the last, a prompt for the other side.
    prompts = [line["text"] for line in speech if line["name"] == "prompt"][1:]
    assert [p.split(". ")[-1] for p in prompts] == [f"Now to the {r['side']}" for r in reps[1:]]
    assert not any(line["name"] == "fault" for line in lines)


@pytest.mark.slow
def test_each_fault_is_said_once_on_its_rep_in_the_words_on_screen(
    voiced: dict[str, tuple[LiveProcess, Path]],
) -> None:
    name = "dev_rotate_front_faults"
    lines, _ = finished(voiced, name)
    reps = truth(name)
    check_speech_never_overlaps(lines)
    faults = [line for line in lines if line["name"] == "fault"]
    assert sorted(line["text"] for line in faults) == sorted(
        FAULT_WORDS[FAULT_NAMES[r["fault"]]] for r in reps if r["fault"]
    )
    for rep, following in zip(reps, [*reps[1:], None], strict=True):
        end = following["start"] if following else np.inf
        said = during(lines, "fault", rep["start"], end)
        expected = [FAULT_WORDS[FAULT_NAMES[rep["fault"]]]] if rep["fault"] else []
        assert [line["text"] for line in said] == expected, (rep, said)
    # The short hold gets its start tone and never the done tone; the holds are timed as in a good set.
    check_tones(lines, reps, hold_target_s=2.0)
    assert not any(line["name"] == "set_complete" for line in lines)  # 2 reps a side of the 3 asked


@pytest.mark.slow
def test_sit_and_arch_is_guided_the_same_way(voiced: dict[str, tuple[LiveProcess, Path]]) -> None:
    name = "dev_arch_side_faults"  # a good arch, one from the low back, one throwing the head back
    lines, _ = finished(voiced, name)
    reps = truth(name)
    check_speech_never_overlaps(lines)
    speech = [line for line in lines if line["kind"] == "speech"]
    assert speech[1]["text"] == "Arch back over the chair, as far as is comfortable, and hold"
    for rep, following in zip(reps, [*reps[1:], None], strict=True):
        end = following["start"] if following else np.inf
        said = [line["text"] for line in during(lines, "fault", rep["start"], end)]
        assert said == ([ARCH_FAULT_WORDS[rep["fault"]]] if rep["fault"] else []), (rep, said)
    # The head thrown back ends its 1.5 s hold head first, the arch angle hardly moving, after a
    # movement out the model's trunk reading finished early: no done tone (the timer counts from where
    # the head and shoulders arrived, and stops on the first frames of the way back).
    check_tones(lines, reps, hold_target_s=stretch(ARCH).hold_s)
