"""Fuzz: truncated, bit-flipped and spliced videos, calibration profiles and history files.

Most cases run on the layer that parses the bytes (the frame source, the profile loader, the history
reader); a handful go through the whole `coach` command. Decoding runs in a child process so that a
crash or a hang in native code is caught (and bounded in time) instead of taking the tests down.
Every case must end in valid frames / a valid object, or in one `CoachError` (one clear line).
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from coach.calibration.profile import CalibrationProfile
from coach.errors import CoachError, ProfileError
from coach.sources.video_file import VideoFileSource
from coach.storage.history import record_session
from coach.storage.profile_store import load_profile, profile_json
from tests.helpers import REPO, SAMPLES
from tests.robust_helpers import run_coach, sample_frames, write_video
from tests.seated import seated_pose
from tests.session_builders import good_rotate

VIDEO_CASES = 240
PROFILE_CASES = 300
HISTORY_CASES = 40
DECODE_BUDGET_S = 60.0
MAX_FRAMES = 400  # more than any fuzz base holds: a source yielding more is looping

Mutation = Callable[[np.random.Generator, bytes, bytes], bytes]


# --- mutations ------------------------------------------------------------------------------------


def truncate(rng: np.random.Generator, data: bytes, _other: bytes) -> bytes:
    return data[: int(rng.integers(0, len(data)))]


def flip_bits(rng: np.random.Generator, data: bytes, _other: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(int(rng.integers(1, 65))):
        out[int(rng.integers(0, len(out)))] ^= 1 << int(rng.integers(0, 8))
    return bytes(out)


def flip_header_bits(rng: np.random.Generator, data: bytes, _other: bytes) -> bytes:
    """Bit flips inside the container's index (moov / AVI header), where a lie hurts most."""
    start = max(data.find(b"moov"), data.find(b"hdrl"), 0)
    out = bytearray(data)
    for _ in range(int(rng.integers(1, 9))):
        out[min(len(out) - 1, start + int(rng.integers(0, 1500)))] ^= 1 << int(rng.integers(0, 8))
    return bytes(out)


def splice(rng: np.random.Generator, data: bytes, other: bytes) -> bytes:
    return data[: int(rng.integers(0, len(data)))] + other[int(rng.integers(0, len(other))) :]


def zero_range(rng: np.random.Generator, data: bytes, _other: bytes) -> bytes:
    start = int(rng.integers(0, len(data)))
    end = min(len(data), start + int(rng.integers(1, 4096)))
    return data[:start] + bytes(end - start) + data[end:]


def repeat_range(rng: np.random.Generator, data: bytes, _other: bytes) -> bytes:
    start = int(rng.integers(0, len(data)))
    end = min(len(data), start + int(rng.integers(1, 8192)))
    return data[:end] + data[start:end] + data[end:]


def garbage(rng: np.random.Generator, data: bytes, _other: bytes) -> bytes:
    noise = rng.integers(0, 256, int(rng.integers(1, 2048)), dtype=np.uint8).tobytes()
    position = int(rng.integers(0, len(data)))
    return data[:position] + noise + data[position:]


MUTATIONS: dict[str, Mutation] = {
    m.__name__: m for m in (truncate, flip_bits, flip_header_bits, splice, zero_range, repeat_range, garbage)
}


def mutate(rng: np.random.Generator, data: bytes, other: bytes) -> tuple[str, bytes]:
    """One or two mutations in a row."""
    names = list(rng.choice(list(MUTATIONS), size=int(rng.integers(1, 3))))
    for name in names:
        data = MUTATIONS[name](rng, data, other) or data[:1]
    return "+".join(names), data


# --- videos: the frame source, in a child process ---------------------------------------------------


def video_bases(directory: Path) -> list[bytes]:
    """The sample clips (H.264, index first) cut to their first ~50 frames, an mp4v clip (index last)
    and an MJPG .avi of a person: short enough to decode hundreds of variants quickly."""
    bases = [
        (SAMPLES / f"{name}.mp4").read_bytes()[:120_000] for name in ("dev_arch_side_good", "dev_rotate_45")
    ]
    frames = [f[::2, ::2].copy() for f in sample_frames("dev_rotate_front_good", 0, 30)]
    bases.append(write_video(directory / "base.mp4", frames, 15).read_bytes())
    bases.append(write_video(directory / "base.avi", frames[:20], 15, fourcc="MJPG").read_bytes())
    return bases


def decode_case(path: Path) -> dict[str, Any]:
    """Decode a file the way `coach analyze` does and check what comes out."""
    try:
        with VideoFileSource(path) as source:
            stamps, shapes = [], set()
            for frame in source:
                stamps.append(frame.timestamp_ms)
                shapes.add(frame.image.shape)
                if len(stamps) > MAX_FRAMES:
                    break
    except CoachError as error:
        return {"outcome": "error", "code": error.exit_code, "message": str(error)}
    increasing = all(b > a for a, b in itertools.pairwise(stamps))
    valid_shapes = all(len(s) == 3 and s[2] == 3 and s[0] > 0 and s[1] > 0 for s in shapes)
    return {"outcome": "frames", "frames": len(stamps), "increasing": increasing, "shapes_ok": valid_shapes}


def decode_worker(seed: int, count: int, directory: str) -> None:
    """Child process: mutate the bases `count` times, decode each, print one JSON line per case."""
    work = Path(directory)
    rng = np.random.default_rng(seed)
    bases = video_bases(work)
    for case in range(count):
        base, other = (bases[int(i)] for i in rng.integers(0, len(bases), 2))
        operations, data = mutate(rng, base, other)
        path = work / f"case{case}.{'avi' if data[8:12] == b'AVI ' else 'mp4'}"
        path.write_bytes(data)
        started = time.monotonic()
        result = decode_case(path)
        result.update(case=case, operations=operations, seconds=round(time.monotonic() - started, 3))
        print(json.dumps(result), flush=True)
        path.unlink()
    print("DONE", flush=True)


@pytest.mark.slow
def test_fuzzed_videos_decode_or_fail_with_one_clear_error(tmp_path: Path) -> None:
    worker = "from tests.app.test_fuzz import decode_worker; decode_worker"
    code = f"{worker}(7, {VIDEO_CASES}, {str(tmp_path)!r})"
    # The timeout is the hang guard; how fast the machine decodes is not the product's promise.
    child = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=DECODE_BUDGET_S * 2
    )
    lines = child.stdout.splitlines()
    assert child.returncode == 0 and lines[-1:] == ["DONE"], f"child died: {child.returncode} {lines[-1:]}"
    assert child.stderr.strip() == ""  # no decoder noise on the user's terminal
    results = [json.loads(line) for line in lines[:-1]]
    assert len(results) == VIDEO_CASES
    for result in results:
        if result["outcome"] == "error":
            assert result["code"] in (3, 4), result
            assert "\n" not in result["message"]
        else:
            assert result["frames"] > 0 and result["increasing"] and result["shapes_ok"], result
            assert result["frames"] <= MAX_FRAMES, result
    outcomes = {r["outcome"] for r in results}
    assert outcomes == {"error", "frames"}  # the fuzzer reached both sides


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.slow
def test_fuzzed_videos_through_the_whole_command(tmp_path: Path, seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    bases = video_bases(tmp_path)
    operations, data = mutate(rng, bases[seed % 2], bases[2])
    video = tmp_path / "fuzzed.mp4"
    video.write_bytes(data)
    report = tmp_path / "r.json"
    result = run_coach("analyze", video, "--exercise", ("rotate", "arch")[seed % 2], "--report", report)
    if result.code == 0:
        assert json.loads(report.read_text())["frames"] > 0, operations
    else:
        result.assert_one_clear_line()
        assert result.code in (4, 5), (operations, result.stderr)
        assert not report.exists()


# --- calibration profiles: the loader ------------------------------------------------------------


def profile_text() -> str:
    pose = seated_pose(20)
    profile = CalibrationProfile(
        neutral_xy=pose.xy,
        neutral_depth=pose.depth,
        neutral_world=pose.world,
        noise_px=np.full(33, 0.8),
        image_size=pose.image_size,
        frames=45,
        duration_s=3.0,
        view_azimuth_deg=20.0,
        comfortable_deg={"rotate": 38.0},
        measures={"shoulder_span_px": 90.0},
    )
    return profile_json(profile)


def json_token_swap(rng: np.random.Generator, data: bytes, _: bytes) -> bytes:
    """A number, string or bracket replaced by another JSON value (or a not-quite-JSON one)."""
    text = data.decode("utf-8", errors="replace")
    replacements = [
        "NaN",
        "Infinity",
        "-1e999",
        "null",
        '"x"',
        "[]",
        "{}",
        "true",
        "0",
        "-5",
        "1e308",
        "[[]]",
    ]
    positions = [i for i, c in enumerate(text) if c in '0123456789-[{"']
    if not positions:
        return data
    at = positions[int(rng.integers(0, len(positions)))]
    end = at + 1
    while end < len(text) and text[end] not in ",]}\n":
        end += 1
    return (text[:at] + replacements[int(rng.integers(0, len(replacements)))] + text[end:]).encode()


def drop_key(rng: np.random.Generator, data: bytes, _: bytes) -> bytes:
    lines = data.decode("utf-8", errors="replace").splitlines()
    keyed = [i for i, line in enumerate(lines) if line.strip().startswith('"')]
    del lines[keyed[int(rng.integers(0, len(keyed)))]]
    return "\n".join(lines).encode()


PROFILE_MUTATIONS: dict[str, Mutation] = {
    "json_token_swap": json_token_swap,
    "drop_key": drop_key,
    "truncate": truncate,
    "flip_bits": flip_bits,
    "splice": splice,
}


def test_fuzzed_profiles_load_or_fail_with_one_profile_error(tmp_path: Path) -> None:
    text = profile_text().encode()
    report = json.dumps(good_rotate().report).encode()
    rng = np.random.default_rng(11)
    special = [
        b"",
        b"\xff\xfe{\x00",
        b"[" * 100_000,
        b'{"version": 1}',
        b"null",
        text.replace(b"\n", b"\r\n"),
    ]
    outcomes: dict[str, int] = {"loaded": 0, "error": 0}
    for case in range(PROFILE_CASES + len(special)):
        if case < len(special):
            data, name = special[case], f"special{case}"
        else:
            name = str(rng.choice(list(PROFILE_MUTATIONS)))
            data = PROFILE_MUTATIONS[name](rng, text, report)
        path = tmp_path / f"p{case}.json"
        path.write_bytes(data)
        try:
            profile = load_profile(path)
        except ProfileError as error:
            assert "\n" not in str(error) and str(path) in str(error), (name, str(error))
            outcomes["error"] += 1
            continue
        assert all(np.isfinite(a).all() for a in (profile.neutral_xy, profile.neutral_world)), name
        outcomes["loaded"] += 1
    assert outcomes["loaded"] > 0 and outcomes["error"] > PROFILE_CASES // 2


def test_a_fuzzed_profile_through_the_whole_command(tmp_path: Path) -> None:
    profile = tmp_path / "mine.json"
    profile.write_bytes(profile_text().encode()[:500])
    video = write_video(tmp_path / "v.mp4", sample_frames("dev_rotate_45", 0, 5), 15)
    result = run_coach("analyze", video, "--exercise", "rotate", "--profile", profile)
    result.assert_one_clear_line(code=ProfileError.exit_code)
    assert "corrupt" in result.stderr


# --- the session history: its database file and the report JSON stored in it ----------------------


def history_file(directory: Path) -> bytes:
    db = directory / "base.sqlite3"
    for hold_s in (2.0, 2.4):
        record_session(good_rotate(hold_s=hold_s).session_report, db)
    return db.read_bytes()


def flip_in_stored_report(rng: np.random.Generator, data: bytes, _: bytes) -> bytes:
    """Bit flips inside a stored report's JSON text, where the database's own checks cannot see them."""
    start = data.find(b'{"exercise"')
    out = bytearray(data)
    out[start + int(rng.integers(0, 200))] ^= 1 << int(rng.integers(0, 7))
    return bytes(out)


def test_fuzzed_history_files_list_or_fail_with_one_clear_line(
    tmp_path: Path,
) -> None:
    base = history_file(tmp_path)
    rng = np.random.default_rng(5)
    mutations: dict[str, Mutation] = {
        "truncate": truncate,
        "flip_bits": flip_bits,
        "zero_range": zero_range,
        "flip_in_stored_report": flip_in_stored_report,
    }
    codes = []
    for case in range(HISTORY_CASES):
        name = list(mutations)[case % len(mutations)]
        db = tmp_path / f"h{case}.sqlite3"
        db.write_bytes(mutations[name](rng, base, base))
        commands: list[list[str | Path]] = [
            ["history", "--db", db],
            ["report", "--last", "--db", db, "--out", tmp_path / "r.html"],
        ]
        for command in commands:
            result = run_coach(*command)
            if result.code != 0:
                result.assert_one_clear_line()
                # A stored report that is still valid JSON but has lost a field reaches the page
                # builder, which does not check it: one line, but "unexpected error" (exit 70).
                assert result.code == 12 or (result.code == 70 and name == "flip_in_stored_report"), (
                    name,
                    result.stderr,
                )
            codes.append(result.code)
    assert 0 in codes and 12 in codes


def test_no_fuzz_case_leaves_temporary_files(tmp_path: Path) -> None:
    """The atomic writers clean up after a failure (a write into a folder that is a file)."""
    blocker = tmp_path / "not_a_folder"
    blocker.write_text("x")
    from coach.storage.atomic import write_text_atomic

    with pytest.raises(OSError):
        write_text_atomic(blocker / "report.json", "{}")
    assert sorted(os.listdir(tmp_path)) == ["not_a_folder"]
