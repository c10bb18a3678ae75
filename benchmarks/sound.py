#!/usr/bin/env python3
"""Sound: how soon a tone or a sentence starts after the event that calls for it, and whether the live
loop keeps its frame rate and latency with the voice on.

1. The player alone, on miniaudio's null device (a real output stream that plays in real time to
   nowhere, so it runs without speakers) and the system's voice when there is one (espeak-ng on
   Linux): the delay from `Player.submit` to the moment the stream's callback took the sound's first
   samples. Tones are asked for while a sentence plays (they must not wait for it); sentences
   both prepared (made at the session's start) and new (synthesised on demand).
2. The live loop (`run_live`, real model, a sample clip resampled to a 30 fps "camera", headless),
   once with sound off and once with the voice on (null device, audio log): frames shown per second
   and the median capture-to-screen latency of the analysis, as ratios on / off; and, from the audio
   log, the delay from the capture of the frame that called for a tone to the tone.

Targets (issue 20): event to sound under 100 ms; the live frame rate and latency do not drop with the
voice on (ratios about 1). The machine may be shared: read the ratios.

usage: python -m benchmarks.sound [--seconds 20] [--model full] [--rounds 2]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np

from benchmarks.live_latency import measure, thirty_fps_copy
from coach.app.live import LiveStats
from coach.sound import SoundMode, SoundRequest, open_player, phrases
from coach.sound.audio_log import read_audio_log
from coach.sound.events import HOLD_DONE, HOLD_START, Priority, speech, tone

REPO = Path(__file__).resolve().parent.parent
TARGET_MS = 100.0


def player_delays(rounds: int = 12) -> dict[str, list[float]]:
    """Delays (ms) from submit to the null device taking the first samples, by what was played."""
    started = time.monotonic()
    lines: list[str] = []
    player = open_player(
        SoundRequest(SoundMode.VOICE, backend="null"), lambda: time.monotonic() - started, lines.append,
        phrases("rotate"),
    )  # fmt: skip
    assert player is not None
    for line in lines:
        print(line)
    time.sleep(1.0)  # the prepared sentences are made
    delays: dict[str, list[float]] = {"tone during speech": [], "prepared sentence": [], "new sentence": []}

    def wait_first_samples(before: int) -> list[float]:
        deadline = time.monotonic() + 5.0
        while len(player.started) <= before and time.monotonic() < deadline:
            time.sleep(0.001)
        took = player.started[before].card_took_s if len(player.started) > before else []
        while not took and time.monotonic() < deadline:
            time.sleep(0.001)
        return took

    for k in range(rounds):
        now = time.monotonic() - started
        before, asked = len(player.started), time.monotonic()
        text = "Now to the right" if k % 2 else f"That's {k}. Again, when you're ready"
        player.submit([speech(now, "prompt", text, Priority.PROMPT, 3.0)])
        took = wait_first_samples(before)
        key = "prepared sentence" if k % 2 else "new sentence"
        if took and player.voice is not None:
            delays[key].append(1000 * (took[0] - asked))
        time.sleep(0.2)  # the sentence is playing
        before, asked = len(player.started), time.monotonic()
        player.submit([tone(time.monotonic() - started, HOLD_START if k % 2 else HOLD_DONE)])
        took = wait_first_samples(before)
        if took:
            delays["tone during speech"].append(1000 * (took[0] - asked))
        time.sleep(3.0)  # the voice is free again: a sentence never waits for another here
    player.close()
    return delays


def live_run(video: Path, model: str, tmp: Path, voice: bool) -> tuple[LiveStats, list[float]]:
    audio = tmp / "audio.jsonl"
    sound = SoundRequest(SoundMode.VOICE, audio_log=audio, backend="null") if voice else None
    stats = measure(video, model, False, tmp, sound)
    tones = (
        [1000 * (x["t_s"] - x["event_t_s"]) for x in read_audio_log(audio) if x["kind"] == "tone"]
        if voice
        else []
    )
    return stats, tones


def steady(stats: LiveStats) -> tuple[float, float]:
    """Frames shown per second after the first second, and the median analysis latency (ms)."""
    shown = np.array([t for t in stats.shown_at_s if t >= stats.shown_at_s[0] + 1.0])
    fps = (len(shown) - 1) / (shown[-1] - shown[0])
    latency = 1000 * float(np.median(stats.analysis_latency_s[len(stats.analysis_latency_s) // 20 :]))
    return fps, latency


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clip", type=Path, default=REPO / "sample_videos" / "dev_rotate_front_good.mp4")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--model", default="full")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    print("| what | delay, median (ms) | 90th percentile (ms) | n | target | met |")
    print("|---|---|---|---|---|---|")
    for what, values in player_delays().items():
        if not values:
            print(f"| {what} | - | - | 0 | < {TARGET_MS:.0f} | (no voice) |")
            continue
        median, p90 = float(np.median(values)), float(np.percentile(values, 90))
        met = "yes" if p90 < TARGET_MS else "NO"
        print(f"| {what} | {median:.1f} | {p90:.1f} | {len(values)} | < {TARGET_MS:.0f} | {met} |")
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        video = thirty_fps_copy(args.clip, args.seconds, tmp / "camera30.mp4")
        runs: dict[bool, list[tuple[float, float]]] = {False: [], True: []}
        tones: list[float] = []
        for _ in range(args.rounds):  # alternating, so a busy moment of the machine hits both
            for voice in (False, True):
                stats, delays = live_run(video, args.model, tmp, voice)
                runs[voice].append(steady(stats))
                tones += delays
    fps_off, latency_off = np.median(runs[False], axis=0)
    fps_on, latency_on = np.median(runs[True], axis=0)
    print()
    print(
        f"live loop, 30 fps source, {args.seconds:.0f} s, headless, model {args.model}, "
        f"median of {args.rounds} runs"
    )
    print("| measure | sound off | voice on | on / off |")
    print("|---|---|---|---|")
    print(f"| frames shown per second | {fps_off:.1f} | {fps_on:.1f} | {fps_on / fps_off:.2f} |")
    ratio = latency_on / latency_off
    print(f"| analysis latency, median (ms) | {latency_off:.1f} | {latency_on:.1f} | {ratio:.2f} |")
    if tones:
        print(
            f"| capture of the frame to its tone, median (ms) | | {np.median(tones):.1f} "
            f"(max {max(tones):.1f}, {len(tones)} tones) | |"
        )


if __name__ == "__main__":
    main()
