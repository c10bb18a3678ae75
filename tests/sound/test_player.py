"""The speech slot, the tones, the audio log and the player without a sound card (a stepped clock)."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from coach.render.overlay import KEY_HELP, Hud, annotate
from coach.reps.analysis import FrameAnalysis, Phase
from coach.sound.audio_log import AudioLog, read_audio_log
from coach.sound.events import HOLD_DONE, HOLD_START, Priority, estimated_speech_s, speech, tone
from coach.sound.player import Player, SoundMode, SoundRequest
from coach.sound.schedule import SpeechSlot
from coach.sound.tones import SAMPLE_RATE, TONES, resampled, tone_samples


def test_a_newer_sentence_of_no_lower_priority_takes_the_waiting_place() -> None:
    slot = SpeechSlot()
    prompt = speech(1.0, "prompt", "Now to the right", Priority.PROMPT, 3.0)
    fault = speech(1.2, "fault", "Sit tall, don't lean", Priority.CUE, 2.0)
    count = speech(1.3, "prompt", "1 each side", Priority.COUNT, 3.0)
    slot.offer(prompt)
    slot.offer(fault)
    slot.offer(count)  # lower than the fault waiting: dropped
    assert slot.take(1.5) is fault and slot.dropped == [prompt, count]
    assert slot.take(1.5) is None


def test_a_stale_sentence_is_dropped_not_said_late() -> None:
    slot = SpeechSlot()
    fault = speech(10.0, "fault", "Sit tall, don't lean", Priority.CUE, 2.0)
    slot.offer(fault)
    assert slot.take(12.5) is None and slot.dropped == [fault]


def test_the_tones_are_short_distinct_and_clean() -> None:
    start, done = tone_samples(HOLD_START), tone_samples(HOLD_DONE)
    for samples in (start, done):
        assert samples.dtype == np.float32 and 0.1 < samples.size / SAMPLE_RATE < 0.4
        assert np.abs(samples).max() <= 0.5 and abs(samples[0]) < 0.01 and abs(samples[-1]) < 0.05
    assert len(TONES[HOLD_START]) != len(TONES[HOLD_DONE])  # one note, two notes
    spectrum = np.abs(np.fft.rfft(start))
    assert np.argmax(spectrum) * SAMPLE_RATE / start.size == pytest.approx(660, abs=10)


def test_resampling_keeps_the_duration() -> None:
    one_second = np.sin(np.linspace(0, 200 * np.pi, 16000)).astype(np.float32)
    assert resampled(one_second, 16000).size == SAMPLE_RATE


class SteppedClock:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def test_the_audio_log_has_one_line_per_sound_as_it_starts(tmp_path: Path) -> None:
    path = tmp_path / "audio.jsonl"
    with AudioLog(path) as log:
        log.started(tone(4.2, HOLD_START), 4.25)
        log.started(speech(6.2, "come_back", "And back", Priority.PROMPT, 1.0), 6.3, 0.8)
    assert read_audio_log(path) == [
        {"t_s": 4.25, "kind": "tone", "name": "hold_start", "text": "", "event_t_s": 4.2},
        {"t_s": 6.3, "kind": "speech", "name": "come_back", "text": "And back", "event_t_s": 6.2,
         "duration_s": 0.8},
    ]  # fmt: skip


def wait_until(condition: object, timeout_s: float = 5.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def test_without_a_sound_card_sentences_take_their_time_and_tones_do_not_wait(tmp_path: Path) -> None:
    """Real time, no card: a sentence keeps the voice busy for its estimated length; a tone asked for
    meanwhile starts at once; a second sentence waits, a third one replaces it; all logged."""
    started = time.monotonic()

    def clock() -> float:
        return time.monotonic() - started

    path = tmp_path / "audio.jsonl"
    player = Player(SoundMode.VOICE, clock, log=AudioLog(path))
    long = speech(
        0.0, "prompt", "Turn to your left, as far as is comfortable, and hold", Priority.PROMPT, 3.0
    )
    player.submit([long])
    wait_until(lambda: len(player.started) == 1)
    player.submit([tone(clock(), HOLD_START)])
    assert len(player.started) == 2  # at once, in the caller's thread, while the voice is busy
    replaced = speech(clock(), "prompt", "Now to the right", Priority.PROMPT, 5.0)
    fault = speech(clock(), "fault", "Sit tall, don't lean", Priority.CUE, 5.0)
    player.submit([replaced, fault])
    player.close(drain_s=10.0)
    lines = read_audio_log(path)
    assert [line["name"] for line in lines] == ["prompt", "hold_start", "fault"]
    assert lines[1]["t_s"] - lines[0]["t_s"] < 0.5  # the tone during the sentence
    assert lines[2]["t_s"] >= lines[0]["t_s"] + lines[0]["duration_s"]  # never two at once
    assert lines[0]["duration_s"] == pytest.approx(estimated_speech_s(long.text), abs=0.001)
    assert player.dropped == [replaced]


def test_a_sentence_that_went_stale_while_the_voice_was_busy_is_not_said(tmp_path: Path) -> None:
    started = time.monotonic()

    def clock() -> float:
        return time.monotonic() - started

    player = Player(SoundMode.VOICE, clock)
    player.submit(
        [speech(0.0, "prompt", "Sit tall, hands behind your head, and hold still", Priority.PROMPT, 3.0)]
    )
    wait_until(lambda: len(player.started) == 1)
    stale = speech(clock(), "fault", "Sit tall, don't lean", Priority.CUE, 0.3)
    player.submit([stale])
    player.close(drain_s=10.0)
    assert [s.sound.name for s in player.started] == ["prompt"] and player.dropped == [stale]


def test_muted_nothing_plays_and_tones_only_says_nothing() -> None:
    clock = SteppedClock()
    player = Player(SoundMode.VOICE, clock)
    player.toggle_mute()
    player.submit([tone(0.0, HOLD_START), speech(0.0, "prompt", "And back", Priority.PROMPT, 1.0)])
    assert player.label == "sound muted (m)"
    player.toggle_mute()
    assert player.label == "voice on (no audio device)"
    player.close()
    tones_only = Player(SoundMode.TONES, clock)
    tones_only.submit([speech(0.0, "prompt", "And back", Priority.PROMPT, 1.0), tone(0.0, HOLD_DONE)])
    tones_only.close(drain_s=1.0)
    assert player.started == [] and [s.sound.name for s in tones_only.started] == [HOLD_DONE]
    assert threading.active_count() < 50


def test_without_an_audio_device_one_line_says_the_session_is_silent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from coach.sound import player as player_module

    monkeypatch.setattr(player_module, "audio_device_found", lambda: False)
    lines: list[str] = []
    assert player_module.open_player(SoundRequest(mode=None), SteppedClock(), lines.append, []) is None
    assert lines == ["No audio device found: the session runs silent."]
    lines.clear()
    logged = player_module.open_player(
        SoundRequest(SoundMode.VOICE, audio_log=tmp_path / "a.jsonl"), SteppedClock(), lines.append, []
    )
    assert logged is not None and logged.output is None and logged.voice is None
    assert lines == ["No audio device found: the session runs silent."]  # and still logs
    logged.close()
    assert player_module.open_player(SoundRequest(SoundMode.OFF), SteppedClock(), lines.append, []) is None


def test_live_help_describes_voice_tones_mute_and_the_audio_log() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "coach", "live", "--help"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0
    text = " ".join(result.stdout.split())
    for flag in ("--voice, --no-voice", "--tones-only", "--audio-log FILE", "key m mutes"):
        assert flag in text


def test_the_live_screen_shows_the_sound_state() -> None:
    picture = np.full((480, 640, 3), 90, np.uint8)
    analysis = FrameAnalysis(t_s=0.0, phase=Phase.NEUTRAL)
    plain = annotate(picture, None, analysis, hud=Hud(fps=30.0))
    muted = annotate(picture, None, analysis, hud=Hud(fps=30.0, sound="sound muted (m)"))
    strip = (slice(458, 480), slice(340, 560))
    assert np.any(plain[strip] != muted[strip])
    assert np.array_equal(plain[:458], muted[:458])  # only the status strip
    assert "m mute" in KEY_HELP


def test_the_system_voice_makes_a_sentence_and_the_null_device_plays_it() -> None:
    """The real voice process and the real mixer (miniaudio's null device plays to nowhere in real
    time). Skipped where the system has no voice (Linux without espeak-ng)."""
    from coach.sound.output import MixerOutput
    from coach.sound.voice import Voice, VoiceUnavailable

    voice = Voice()
    try:
        voice.wait_ready()
    except VoiceUnavailable as error:
        pytest.skip(f"no system voice here: {error}")
    try:
        samples = voice.synthesise("And back")
        assert 0.3 < samples.size / SAMPLE_RATE < 2.0 and np.abs(samples).max() > 0.05
        assert voice.synthesise("And back") is samples  # made once
    finally:
        voice.close()
    output = MixerOutput("null")
    try:
        took = output.play(samples)
        asked = time.monotonic()
        wait_until(lambda: bool(took))
        assert took[0] - asked < 0.2
    finally:
        output.close()
