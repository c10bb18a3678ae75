"""Profiles on disk: round trip, `--profile` resolution, atomic writes, backups, and one clear line for
every bad input (missing, corrupt, another version, another camera view). The `coach calibrate`
command through its real entry point."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

from coach.app import calibrate as calibrate_module
from coach.calibration.calibrator import build_profile
from coach.calibration.profile import SCHEMA_VERSION, CalibrationProfile
from coach.cli import main as cli
from coach.errors import CalibrationError, ProfileError
from coach.sources.capture import file_capture
from coach.storage.profile_store import (
    calibrate_command,
    check_view,
    load_profile,
    profile_path,
    save_profile,
)
from tests.helpers import SAMPLES
from tests.seated import seated_pose, shifted


def make_profile(azimuth: float = 80.0, name: str = "default") -> CalibrationProfile:
    poses = [shifted(seated_pose(azimuth), noise_px=0.4, seed=i) for i in range(30)]
    profile, _ = build_profile(poses, [i / 30 for i in range(30)], name=name)
    return profile


def test_round_trip_is_equal(tmp_path: Path) -> None:
    profile = make_profile()
    saved = save_profile(profile, "default", tmp_path)
    assert saved.path == tmp_path / "default.json" and saved.backup is None
    loaded = load_profile("default", tmp_path)
    assert loaded == profile
    assert loaded.view_azimuth_deg == pytest.approx(80, abs=1)
    assert loaded.measures == profile.measures
    np.testing.assert_allclose(loaded.neutral_xy, profile.neutral_xy, atol=1e-3)
    data = json.loads(saved.path.read_text())
    assert data["version"] == SCHEMA_VERSION and data["measures"]["body_scale_m"] == pytest.approx(
        0.48, abs=1e-3
    )


def test_saved_file_reads_as_one_field_per_line(tmp_path: Path) -> None:
    text = save_profile(make_profile(), "x", tmp_path).path.read_text()
    assert text.count("\n") == len(make_profile().to_dict()) + 2  # plus the braces
    assert '  "neutral_xy": [[' in text


@pytest.mark.parametrize(
    ("argument", "expected"),
    [
        ("default", "DIR/default.json"),
        ("side-desk_2", "DIR/side-desk_2.json"),
        ("mine.json", "mine.json"),
        ("some/where/p.json", "some/where/p.json"),
        ("some/where/p", "some/where/p"),
    ],
)
def test_profile_option_resolves_names_and_paths(tmp_path: Path, argument: str, expected: str) -> None:
    assert profile_path(argument, tmp_path) == Path(expected.replace("DIR", str(tmp_path)))


@pytest.mark.parametrize("bad_name", ["two words", "semi;colon", ""])
def test_bad_profile_names_are_refused(tmp_path: Path, bad_name: str) -> None:
    with pytest.raises(ProfileError, match="not valid"):
        profile_path(bad_name, tmp_path)


def test_missing_profile(tmp_path: Path) -> None:
    with pytest.raises(ProfileError) as raised:
        load_profile("nobody", tmp_path)
    message = str(raised.value)
    assert str(tmp_path / "nobody.json") in message
    assert f"coach calibrate --profile nobody --calibration-dir {tmp_path}" in message
    assert "\n" not in message


def test_default_profile_missing_suggests_plain_calibrate(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ProfileError, match=r"calibration/default\.json: run `coach calibrate` first"):
        load_profile()
    assert calibrate_command() == "coach calibrate"


def test_corrupt_json_is_named_and_kept_when_replaced(tmp_path: Path) -> None:
    path = tmp_path / "default.json"
    path.write_text('{"version": 1, "neutral_xy": [[1, 2], ')
    with pytest.raises(ProfileError) as raised:
        load_profile("default", tmp_path)
    message = str(raised.value)
    assert str(path) in message and "corrupt" in message and "not valid JSON" in message
    assert "coach calibrate" in message and "default.json.bak" in message

    fresh = make_profile()
    saved = save_profile(fresh, "default", tmp_path)
    assert saved.replaced_unreadable and saved.backup == tmp_path / "default.json.bak"
    assert saved.backup.read_text() == '{"version": 1, "neutral_xy": [[1, 2], '
    assert load_profile("default", tmp_path) == fresh


def test_replacing_a_good_profile_keeps_the_previous_one(tmp_path: Path) -> None:
    first, second = make_profile(80), make_profile(10)
    save_profile(first, "p", tmp_path)
    saved = save_profile(second, "p", tmp_path)
    assert saved.backup is not None and not saved.replaced_unreadable
    assert load_profile(saved.backup) == first
    assert load_profile("p", tmp_path) == second


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda d: d.pop("neutral_xy"), "missing 'neutral_xy'"),
        (lambda d: d.update(neutral_xy=[[1, 2]]), "shape"),
        (lambda d: d.update(image_size="wide"), "corrupt"),
        (lambda d: d.update(frames=None), "corrupt"),
        (lambda d: d.update(comfortable_deg={"rotate": 500.0}), "comfortable_deg"),
        (lambda d: d.update(comfortable_deg={"arch": -5.0}), "comfortable_deg"),
    ],
    ids=["missing-field", "wrong-shape", "bad-size", "bad-frames", "huge-range", "negative-range"],
)
def test_malformed_profile_is_corrupt(tmp_path: Path, change, words: str) -> None:
    data = make_profile().to_dict()
    change(data)
    path = tmp_path / "default.json"
    path.write_text(json.dumps(data))
    with pytest.raises(ProfileError, match=words) as raised:
        load_profile("default", tmp_path)
    assert str(path) in str(raised.value) and "corrupt" in str(raised.value)


@pytest.mark.parametrize(
    "content", ["[1, 2, 3]", '"text"', "null", '{"version": "1"}', '{"version": null}', '{"version": true}']
)
def test_json_that_is_not_a_profile_object_is_corrupt(tmp_path: Path, content: str) -> None:
    (tmp_path / "default.json").write_text(content)
    with pytest.raises(ProfileError, match="corrupt"):
        load_profile("default", tmp_path)


@pytest.mark.parametrize("version", [0, SCHEMA_VERSION + 1])
def test_profile_of_another_version(tmp_path: Path, version: object) -> None:
    data = make_profile().to_dict()
    data["version"] = version
    path = tmp_path / "old.json"
    path.write_text(json.dumps(data))
    with pytest.raises(ProfileError) as raised:
        load_profile(str(path), tmp_path)
    message = str(raised.value)
    assert str(path) in message and f"this coach reads version {SCHEMA_VERSION}" in message
    assert f"coach calibrate --profile {path}" in message


def test_profile_for_another_camera_view(tmp_path: Path) -> None:
    profile = make_profile(azimuth=85)
    check_view(profile, 70.0, "side", tmp_path)  # the same placement, within the estimate's error
    with pytest.raises(ProfileError) as raised:
        check_view(profile, 3.0, "side", tmp_path)
    message = str(raised.value)
    assert str(tmp_path / "side.json") in message
    assert "from your left side" in message and "from the front" in message
    assert "coach calibrate --profile side" in message
    with pytest.raises(ProfileError, match="right side"):
        check_view(profile, -85.0, "side", tmp_path)


def test_profile_without_a_view_is_not_checked() -> None:
    profile = make_profile()
    unknown = CalibrationProfile.from_dict(profile.to_dict() | {"view_azimuth_deg": None})
    check_view(unknown, 0.0)


def test_failed_write_leaves_the_old_profile_and_no_temp_file(tmp_path: Path, monkeypatch) -> None:
    save_profile(make_profile(80), "p", tmp_path)
    before = (tmp_path / "p.json").read_bytes()

    def broken_replace(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(ProfileError, match="no space left"):
        save_profile(make_profile(10), "p", tmp_path)
    assert (tmp_path / "p.json").read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


# --- `coach calibrate` and `--profile` through the real entry point ----------------------------------


@pytest.mark.slow
def test_cli_calibrate_saves_a_profile_for_the_arch(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    video = SAMPLES / "dev_arch_side_good.mp4"
    argv = ["calibrate", "--video", str(video), "--exercise", "arch", "--calibration-dir", str(tmp_path)]
    assert cli.main([*argv, "--profile", "side"]) == 0
    out = capsys.readouterr().out
    assert "hold still" in out and "from your left side" in out and f"{tmp_path}/side.json" in out
    profile = load_profile("side", tmp_path)
    assert profile.view_azimuth_deg is not None and 75 <= profile.view_azimuth_deg <= 100
    assert profile.frames >= 40 and profile.measures["body_scale_px"] > 100

    assert cli.main([*argv, "--profile", "side"]) == 0  # again: the first one is kept as .bak
    assert "kept as" in capsys.readouterr().out and (tmp_path / "side.json.bak").is_file()


@pytest.mark.slow
def test_cli_calibrate_refuses_a_view_that_does_not_suit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    video = SAMPLES / "dev_arch_side_good.mp4"
    code = cli.main(
        ["calibrate", "--video", str(video), "--exercise", "rotate", "--calibration-dir", str(tmp_path)]
    )
    assert code == CalibrationError.exit_code
    error = capsys.readouterr().err.strip()
    assert error.startswith("coach: Put the camera in front of you") and "\n" not in error
    assert not list(tmp_path.iterdir())


@pytest.mark.slow
def test_cli_calibrate_from_a_camera_waits_for_a_good_window(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--camera`: a sample clip played in real time stands in for the camera (no camera in CI)."""
    monkeypatch.setattr(
        calibrate_module, "camera_capture", lambda index: file_capture(SAMPLES / "dev_rotate_45.mp4")
    )
    argv = ["calibrate", "--camera", "0", "--exercise", "rotate", "--calibration-dir", str(tmp_path)]
    assert cli.main(argv) == 0
    assert "Profile saved" in capsys.readouterr().out
    profile = load_profile("default", tmp_path)
    assert profile.duration_s >= 2.5 and profile.view_azimuth_deg is not None


def test_cli_analyze_with_a_missing_profile_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    video = SAMPLES / "dev_rotate_45.mp4"
    argv = [
        "analyze",
        str(video),
        "--exercise",
        "rotate",
        "--profile",
        "gone",
        "--calibration-dir",
        str(tmp_path),
    ]
    assert cli.main([*argv, "--report", str(tmp_path / "r.json")]) == ProfileError.exit_code
    error = capsys.readouterr().err.strip()
    assert error.startswith(f"coach: No calibration profile at {tmp_path}/gone.json") and "\n" not in error


def test_cli_calibrate_bad_profile_name_fails_before_recording(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    video = SAMPLES / "dev_rotate_45.mp4"
    argv = ["calibrate", "--video", str(video), "--profile", "my profile", "--calibration-dir", str(tmp_path)]
    assert cli.main(argv) == ProfileError.exit_code
    assert "not valid" in capsys.readouterr().err


@pytest.mark.parametrize("seconds", ["0", "-2", "120"])
def test_cli_calibrate_refuses_silly_durations(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], seconds: str
) -> None:
    video = SAMPLES / "dev_rotate_45.mp4"
    argv = ["calibrate", "--video", str(video), "--seconds", seconds, "--calibration-dir", str(tmp_path)]
    assert cli.main(argv) == CalibrationError.exit_code
    assert "--seconds must be between" in capsys.readouterr().err
