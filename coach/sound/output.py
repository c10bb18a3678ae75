"""The sound card: one output stream that mixes every sound playing (tones over speech), via miniaudio.

miniaudio's wheel carries the audio library itself (ALSA / PulseAudio, Core Audio, WASAPI, found at
run time), so nothing is installed on the system for it. A mixer in the stream's callback is what
lets a tone start on time while a sentence is being said: nothing waits for anything else.
"""

from __future__ import annotations

import array
import threading
import time
from collections.abc import Generator
from dataclasses import dataclass, field

import numpy as np

from coach.sound.tones import SAMPLE_RATE

BUFFER_MS = 40  # the stream's buffer: the most a sound waits for the card
NO_DEVICE_NAMES = ("Discard all samples",)  # ALSA's "null" device: no sound card at all


@dataclass
class _Playing:
    samples: np.ndarray
    position: int = 0
    started_at_s: list[float] = field(default_factory=list)  # monotonic, when the card first took it


def audio_device_found() -> bool:
    """Whether the system has a sound card to play on (False on a headless machine)."""
    try:
        import miniaudio

        devices = miniaudio.Devices()
        names = [str(device["name"]) for device in devices.get_playbacks()]
    except Exception:  # no audio library at all, or it failed: no device
        return False
    if str(devices.backend).lower() == "null":
        return False
    return any(not name.startswith(NO_DEVICE_NAMES) for name in names)


class MixerOutput:
    """An open output stream; `play(samples)` mixes them in at once. `backend="null"` plays to
    nowhere in real time (miniaudio's null device), which tests and benchmarks use."""

    def __init__(self, backend: str | None = None, rate: int = SAMPLE_RATE) -> None:
        import miniaudio

        self.rate = rate
        self._lock = threading.Lock()
        self._playing: list[_Playing] = []
        backends = [miniaudio.Backend.NULL] if backend == "null" else None
        self._device = miniaudio.PlaybackDevice(
            output_format=miniaudio.SampleFormat.FLOAT32,
            nchannels=1,
            sample_rate=rate,
            buffersize_msec=BUFFER_MS,
            backends=backends,
            app_name="Upper-Back Coach",
        )
        self.backend = str(self._device.backend)
        stream = self._stream()
        next(stream)
        self._device.start(stream)

    def play(self, samples: np.ndarray) -> list[float]:
        """Mix `samples` (mono float32 at `rate`) in now; returns a list that gets the monotonic
        time at which the card took their first part."""
        playing = _Playing(np.asarray(samples, dtype=np.float32))
        with self._lock:
            self._playing.append(playing)
        return playing.started_at_s

    def silence(self) -> None:
        """Stop everything playing (mute)."""
        with self._lock:
            self._playing.clear()

    def close(self) -> None:
        self._device.close()

    def _stream(self) -> Generator[array.array, int, None]:
        frames = yield array.array("f")
        while True:
            mix = np.zeros(frames, np.float32)
            now = time.monotonic()
            with self._lock:
                for playing in self._playing:
                    part = playing.samples[playing.position : playing.position + frames]
                    mix[: part.size] += part
                    if playing.position == 0:
                        playing.started_at_s.append(now)
                    playing.position += frames
                self._playing = [p for p in self._playing if p.position < p.samples.size]
            np.clip(mix, -1.0, 1.0, out=mix)
            frames = yield array.array("f", mix.tobytes())
