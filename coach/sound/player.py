"""Plays what the guide asks for: tones at once, sentences one at a time, never a stale one.

`Player.submit(sounds)` is called by the analysis thread and returns at once. A tone goes straight
to the mixer. A sentence goes to the voice's one waiting place (coach.sound.schedule); the speech
thread says it when the voice is free, unless it went stale meanwhile. Every sound is written to the
audio log as it starts, with the stream's clock (`clock()`: video or camera time).

Without a sound card the player still runs and logs (so a session can be checked without speakers):
nothing is heard, and a sentence takes its estimated time.
"""

from __future__ import annotations

import contextlib
import enum
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from coach.sound.audio_log import AudioLog
from coach.sound.events import Sound, SoundKind, estimated_speech_s
from coach.sound.output import MixerOutput, audio_device_found
from coach.sound.schedule import SpeechSlot
from coach.sound.tones import tone_samples
from coach.sound.voice import Voice, VoiceUnavailable

Clock = Callable[[], float]
Output = Callable[[str], None]
GAP_S = 0.15  # a breath between two sentences
INSTALL_VOICE = "on Linux: sudo apt-get install espeak-ng"


class SoundMode(enum.Enum):
    OFF = "off"
    TONES = "tones"  # tones only
    VOICE = "voice"  # tones and speech


@dataclass(frozen=True)
class SoundRequest:
    """What the session was asked for. `mode` None: the voice when there is a sound card, else off.
    `backend` "null" plays to miniaudio's null device (benchmarks)."""

    mode: SoundMode | None = SoundMode.OFF
    audio_log: Path | None = None
    backend: str | None = None


@dataclass(frozen=True)
class Started:
    """A sound that started: its stream time and, when a card played it, the monotonic time the card
    took its first samples (filled in by the card's thread)."""

    sound: Sound
    t_s: float
    monotonic_s: float
    card_took_s: list[float] = field(default_factory=list)


class Player:
    def __init__(
        self,
        mode: SoundMode,
        clock: Clock,
        *,
        output: MixerOutput | None = None,
        voice: Voice | None = None,
        log: AudioLog | None = None,
    ) -> None:
        self.mode = mode
        self.clock = clock
        self.output = output
        self.voice = voice
        self.log = log
        self.muted = False
        self.started: list[Started] = []
        self._slot = SpeechSlot()
        self._news = threading.Condition()
        self._speaking = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._speak_loop, name="speech", daemon=True)
        self._thread.start()

    @property
    def label(self) -> str:
        """The sound state, for the screen."""
        if self.muted:
            return "sound muted (m)"
        heard = "" if self.output is not None else " (no audio device)"
        if self.mode is SoundMode.VOICE and (self.voice is not None or self.output is None):
            return f"voice on{heard}"
        return f"tones only{heard}"

    @property
    def dropped(self) -> list[Sound]:
        return list(self._slot.dropped)

    def submit(self, sounds: Iterable[Sound]) -> None:
        if self.muted:
            return
        for sound in sounds:
            if sound.kind is SoundKind.TONE:
                self._tone(sound)
            elif self.mode is SoundMode.VOICE:
                with self._news:
                    self._slot.offer(sound)
                    self._news.notify_all()

    def toggle_mute(self) -> bool:
        self.muted = not self.muted
        if self.muted:
            with self._news:
                self._slot.waiting = None
            if self.output is not None:
                self.output.silence()
        return self.muted

    def close(self, drain_s: float = 0.0) -> None:
        """Stop; first let the sentence waiting or under way finish, for at most `drain_s`."""
        deadline = time.monotonic() + drain_s
        with self._news:
            self._news.wait_for(lambda: self._slot.waiting is None and not self._speaking, drain_s)
        self._stop.set()
        with self._news:
            self._news.notify_all()
        self._thread.join(timeout=max(0.5, deadline - time.monotonic()))
        if self.output is not None:
            self.output.close()
        if self.voice is not None:
            self.voice.close()
        if self.log is not None:
            self.log.close()

    def _tone(self, sound: Sound) -> None:
        took = self.output.play(tone_samples(sound.name)) if self.output is not None else []
        self._started(sound, None, took)

    def _started(self, sound: Sound, duration_s: float | None, took: list[float]) -> None:
        t_s = self.clock()
        self.started.append(Started(sound, t_s, time.monotonic(), took))
        if self.log is not None:
            self.log.started(sound, t_s, duration_s)

    def _speak_loop(self) -> None:
        while not self._stop.is_set():
            with self._news:
                self._news.wait_for(lambda: self._slot.waiting is not None or self._stop.is_set(), 0.25)
                sound = self._slot.take(self.clock())
                self._speaking = sound is not None
            if sound is None:
                continue
            try:
                self._say(sound)
            finally:
                with self._news:
                    self._speaking = False
                    self._news.notify_all()

    def _say(self, sound: Sound) -> None:
        samples = None
        if self.voice is not None and self.output is not None:
            with contextlib.suppress(VoiceUnavailable):
                samples = self.voice.synthesise(sound.text)
        duration_s = samples.size / self.output.rate if samples is not None and self.output else None
        if duration_s is None:
            duration_s = estimated_speech_s(sound.text)
        if sound.stale(self.clock()) or self.muted:  # the voice took too long to make it
            self._slot.dropped.append(sound)
            return
        took = self.output.play(samples) if samples is not None and self.output is not None else []
        self._started(sound, duration_s, took)
        self._stop.wait(duration_s + GAP_S)


def open_player(request: SoundRequest, clock: Clock, out: Output, phrases: list[str]) -> Player | None:
    """The player the request asks for, or None (sound off and no audio log). Says in one line when
    the session cannot be heard as asked: no audio device (silent), or no voice (tones only)."""
    device = request.backend == "null" or audio_device_found()
    mode = request.mode
    if mode is None:  # the default: the voice when it can be heard (or an audio log asks for it)
        mode = SoundMode.VOICE if device or request.audio_log is not None else SoundMode.OFF
        if mode is SoundMode.OFF:
            out("No audio device found: the session runs silent.")
    if mode is SoundMode.OFF:
        return None
    output = voice = None
    if not device:
        out("No audio device found: the session runs silent.")
    else:
        try:
            output = MixerOutput(request.backend)
        except Exception as error:  # the card is busy or refuses the stream
            out(f"The audio device cannot be opened ({error}): the session runs silent.")
    if mode is SoundMode.VOICE and output is not None:
        try:
            voice = Voice(output.rate)
            voice.wait_ready()
            voice.prepare(phrases)
        except VoiceUnavailable as error:
            voice = None
            out(f"No speech engine ({error}; {INSTALL_VOICE}): tones only.")
    log = AudioLog(request.audio_log) if request.audio_log is not None else None
    return Player(mode, clock, output=output, voice=voice, log=log)
