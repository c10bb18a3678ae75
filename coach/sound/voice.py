"""The system's own offline voice, through pyttsx3, in a process of its own.

pyttsx3 drives the voice each system has (espeak-ng on Linux, NSSpeechSynthesizer on macOS, SAPI5 on
Windows); nothing goes over the network. Its engines want a main thread and block while they
synthesise, so the engine lives in a child process: the session's threads never wait on it, and a
voice that crashes takes nothing else with it. Each sentence is synthesised into a WAV file and sent
back as samples, which the mixer (coach.sound.output) plays, so tones mix over speech and the player
knows exactly how long each sentence lasts. Sentences are kept once made: the guide's sentences
repeat, and one said before starts at once.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import sys
import tempfile
import threading
import wave
from multiprocessing.connection import Connection

import numpy as np

from coach.sound.tones import SAMPLE_RATE, resampled

START_TIMEOUT_S = 10.0  # importing pyttsx3 and starting the system's voice
SAY_TIMEOUT_S = 5.0  # synthesising one sentence


class VoiceUnavailable(Exception):
    """No speech engine on this machine (the message says why, and what to install)."""


class Voice:
    """`synthesise(text)` -> mono float32 samples at `rate`, from the system's voice in a child process."""

    def __init__(self, rate: int = SAMPLE_RATE) -> None:
        self.rate = rate
        self._lock = threading.Lock()
        self._made: dict[str, np.ndarray] = {}
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self._process = context.Process(target=_serve, args=(child,), name="coach voice", daemon=True)
        self._process.start()
        child.close()

    def wait_ready(self, timeout_s: float = START_TIMEOUT_S) -> None:
        """Raise VoiceUnavailable when the engine does not start."""
        if not self._conn.poll(timeout_s):
            self.close()
            raise VoiceUnavailable("the system's voice did not start in time")
        status, detail = self._conn.recv()
        if status != "ready":
            self.close()
            raise VoiceUnavailable(detail)

    def synthesise(self, text: str) -> np.ndarray:
        """The sentence's samples (made once); VoiceUnavailable when the engine fails."""
        with self._lock:
            if text not in self._made:
                self._made[text] = self._ask(text)
            return self._made[text]

    def prepare(self, texts: list[str]) -> None:
        """Make these sentences in the background, so they start at once when asked for."""

        def run() -> None:
            for text in texts:
                with contextlib.suppress(VoiceUnavailable, OSError, EOFError):
                    self.synthesise(text)

        threading.Thread(target=run, name="voice prepare", daemon=True).start()

    def close(self) -> None:
        with contextlib.suppress(OSError, BrokenPipeError):
            self._conn.send(None)
        self._process.join(timeout=2.0)
        if self._process.is_alive():
            self._process.kill()
        self._conn.close()

    def _ask(self, text: str) -> np.ndarray:
        try:
            self._conn.send(text)
            if not self._conn.poll(SAY_TIMEOUT_S):
                raise VoiceUnavailable("the system's voice stopped answering")
            reply = self._conn.recv()
        except (OSError, EOFError) as error:
            raise VoiceUnavailable(f"the system's voice stopped: {error}") from error
        if reply[0] != "pcm":
            raise VoiceUnavailable(str(reply[1]))
        _, rate, data = reply
        samples = np.frombuffer(data, np.int16).astype(np.float32) / 32768.0
        return resampled(samples, rate, self.rate)


def _serve(conn: Connection) -> None:
    """The child process: start pyttsx3, then turn each sentence received into 16-bit samples."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)  # the engines print to stdout ("Audio saved to ..."): not into the session's
    sys.stdout = open(os.devnull, "w")  # noqa: SIM115
    try:
        import pyttsx3

        engine = pyttsx3.init()
    except Exception as error:  # no engine: say why, in one line
        conn.send(("error", f"{type(error).__name__}: {error}".splitlines()[0]))
        return
    conn.send(("ready", ""))
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "sentence.wav")
        while True:
            try:
                text = conn.recv()
            except EOFError:
                return
            if text is None:
                return
            try:
                engine.save_to_file(text, path)
                engine.runAndWait()
                with wave.open(path, "rb") as wav:
                    if wav.getsampwidth() != 2:
                        raise ValueError("not 16-bit audio")
                    frames = wav.readframes(wav.getnframes())
                    data = np.frombuffer(frames, np.int16).reshape(-1, wav.getnchannels()).mean(axis=1)
                    conn.send(("pcm", wav.getframerate(), data.astype(np.int16).tobytes()))
            except Exception as error:  # one sentence failed: the session goes on
                conn.send(("error", f"{type(error).__name__}: {error}"))
