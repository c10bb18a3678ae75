"""The report and the per-frame table keep their stable format; writes are atomic."""

from __future__ import annotations

import csv
import io
import json
import os
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from coach.render.video_sink import VideoSink
from coach.reps.analysis import Cue, FrameAnalysis, Phase, Rep, Severity
from coach.storage.atomic import atomic_writer
from coach.storage.report import (
    LiveLog,
    RepCounts,
    SessionRecord,
    SessionReport,
    SetCounts,
    frames_csv,
    write_frames_csv,
    write_report,
)

# Written by the code before SessionReport (commit e8da020's build_report, and live's _finish adding
# "log" and "sets") for the record, reps and calibration of `golden_report`: readers rely on them.
FORMAT = Path(__file__).resolve().parent.parent / "data" / "report_format"


def golden_report(live: bool) -> SessionReport:
    record = SessionRecord(
        exercise="rotate", video="clips/front.mp4", fps=29.97002997, signal_names=("pelvis_deg", "lean_deg")
    )
    record.add(FrameAnalysis(t_s=0.0, phase=Phase.CALIBRATING), people=1)
    cue = Cue("side_lean", "Sit tall", Severity.FAULT)
    signals: dict[str, float | None] = {"pelvis_deg": 2.345, "lean_deg": None}
    record.add(FrameAnalysis(0.0333667, Phase.HOLD, 31.41592, signals, hold_s=1.23456, cue=cue), people=2)
    record.add(FrameAnalysis(t_s=0.0667334, phase=Phase.NO_POSE), people=0)
    reps = (
        Rep("left", 1.23456, 2.34567, 4.56789, 5.6789, 38.12345),
        Rep("right", 6.0001, 7.00049, 8.1, 9.0, -35.555, ("short_hold", "low_back")),
    )
    calibration = {"method": "stillness", "neutral_s": 3.0, "calibrated": True}
    calibration |= {"target_deg": {"rotate": 30.5}, "reason": None}
    if not live:
        return SessionReport(
            record, reps, calibration, status="interrupted", model="pose_landmarker_full.task", target_reps=5
        )
    sets = (
        SetCounts(1, RepCounts.of(reps[:1])),
        SetCounts(2, RepCounts.of(reps[1:])),
        SetCounts(3, RepCounts.of(())),
    )
    return SessionReport(
        record,
        reps,
        calibration,
        status="camera_lost",
        model="pose_landmarker_lite.task",
        live=LiveLog(Path("sessions/20250101-rotate.log.jsonl"), sets),
        hold_target_s=2.5,  # kept by the history, not in the JSON
    )


@pytest.mark.parametrize("kind", ["analyze", "live"])
def test_the_json_report_is_byte_for_byte_the_format_readers_know(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "report.json"
    write_report(path, golden_report(live=kind == "live"))
    assert path.read_bytes() == (FORMAT / f"{kind}.report.json").read_bytes()


def test_the_per_frame_table_is_byte_for_byte_the_format_readers_know(tmp_path: Path) -> None:
    path = tmp_path / "frames.csv"
    write_frames_csv(path, golden_report(live=False))
    assert path.read_bytes() == (FORMAT / "frames.csv").read_bytes()


def test_report_has_the_stable_keys_and_counts() -> None:
    record = SessionRecord(
        exercise="rotate", video="v.mp4", fps=15.0, signal_names=("pelvis_deg", "lean_deg")
    )
    record.add(FrameAnalysis(t_s=0.0, phase=Phase.NEUTRAL, angle_deg=1.0), people=1)
    record.add(FrameAnalysis(t_s=0.1, phase=Phase.NO_POSE), people=0)
    reps = (
        Rep("left", 1.0, 2.0, 4.1, 5.0, 38.0),
        Rep("right", 6.0, 7.0, 8.0, 9.0, 35.0, faults=("short_hold",)),
    )
    typed = SessionReport(record, reps, {"source": "test"})
    assert typed.counts == RepCounts(left=1, right=1, total=2, good=1)
    report = typed.to_json_dict()
    assert {"exercise", "video", "fps", "frames", "frames_with_pose", "calibration", "reps", "counts"} <= set(
        report
    )
    assert report["frames"] == 2 and report["frames_with_pose"] == 1
    assert report["counts"] == {"left": 1, "right": 1, "total": 2, "good": 1}
    assert report["reps"][0] == {
        "side": "left", "start_s": 1.0, "hold_start_s": 2.0, "hold_end_s": 4.1, "end_s": 5.0, "hold_s": 2.1,
        "peak_angle_deg": 38.0, "good": True, "faults": [],
    }  # fmt: skip
    assert report["reps"][1]["good"] is False


def test_the_rep_a_session_ended_during_and_the_reason_for_no_rep_are_extra_keys_only_when_there() -> None:
    record = SessionRecord("rotate", "v.mp4", 15.0, ("pelvis_deg", "lean_deg"))
    cut = Rep("right", 6.0, 7.0, 8.2, 8.2, -33.0, incomplete=True)
    why = "The video ended before you came back from your first turn."
    report = SessionReport(record, (), {"calibrated": True}, incomplete_rep=cut, reps_reason=why)
    document = report.to_json_dict()
    keys = list(document)
    assert keys.index("reps") + 1 == keys.index("incomplete_rep") == keys.index("counts") - 1
    assert keys.index("reps_reason") == keys.index("counts") + 1
    assert document["incomplete_rep"]["incomplete"] is True and document["incomplete_rep"]["side"] == "right"
    assert document["incomplete_rep"]["hold_s"] == pytest.approx(1.2)
    assert document["counts"] == {"left": 0, "right": 0, "total": 0, "good": 0}  # never counted
    assert document["reps_reason"] == why
    plain = SessionReport(record, (), {"calibrated": True}).to_json_dict()
    assert "incomplete_rep" not in plain and "reps_reason" not in plain


def test_frames_csv_columns_and_empty_cells_without_pose() -> None:
    record = SessionRecord(
        exercise="rotate", video="v.mp4", fps=15.0, signal_names=("pelvis_deg", "lean_deg")
    )
    cue = Cue("side_lean", "Sit tall, don't lean", Severity.FAULT)
    record.add(
        FrameAnalysis(0.0, Phase.HOLD, 30.0, {"pelvis_deg": 2.0, "lean_deg": 9.5}, hold_s=1.2, cue=cue), 1
    )
    record.add(FrameAnalysis(0.1, Phase.NO_POSE), 0)
    rows = list(csv.DictReader(io.StringIO(frames_csv(record))))
    assert list(rows[0]) == ["t_s", "angle_deg", "pelvis_deg", "lean_deg", "phase", "hold_s", "cue"]
    assert rows[0] == {"t_s": "0.000", "angle_deg": "30.00", "pelvis_deg": "2.00", "lean_deg": "9.50",
                       "phase": "hold", "hold_s": "1.20", "cue": "side_lean"}  # fmt: skip
    assert rows[1]["angle_deg"] == "" and rows[1]["pelvis_deg"] == "" and rows[1]["phase"] == "no_pose"


def empty_report(calibration: dict[str, Any] | None = None) -> SessionReport:
    record = SessionRecord(exercise="arch", video="v.mp4", fps=15.0, signal_names=("a", "b"))
    return SessionReport(record, (), calibration or {})


def test_a_failed_write_leaves_the_old_file(tmp_path: Path) -> None:
    path = tmp_path / "report.json"
    old = empty_report({"old": True})
    write_report(path, old)
    with pytest.raises(RuntimeError), atomic_writer(path) as handle:
        handle.write('{"new": ')
        raise RuntimeError("crash mid-write")
    assert json.loads(path.read_text()) == old.to_json_dict()
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


def test_written_files_get_the_usual_permissions_not_the_temporary_files_private_ones(tmp_path: Path) -> None:
    umask = os.umask(0)
    os.umask(umask)
    usual = 0o666 & ~umask
    report = tmp_path / "report.json"
    write_report(report, empty_report())
    assert report.stat().st_mode & 0o777 == usual
    report.chmod(0o600)  # a file the user made private stays private when rewritten
    write_report(report, empty_report({"again": True}))
    assert report.stat().st_mode & 0o777 == 0o600
    video = tmp_path / "annotated.mp4"
    with VideoSink(video, 15.0, (64, 48)) as sink:
        sink.write(np.zeros((48, 64, 3), np.uint8))
    assert video.stat().st_mode & 0o777 == usual


def test_temporary_files_a_killed_writer_left_are_swept_once_abandoned(tmp_path: Path) -> None:
    report, video = tmp_path / "session.json", tmp_path / "session.mp4"
    stale_report, fresh_report = tmp_path / ".session.json.old1.tmp", tmp_path / ".session.json.new1.tmp"
    stale_video, other = tmp_path / ".session.old2.tmp.mp4", tmp_path / ".other.json.old3.tmp"
    for temp in (stale_report, fresh_report, stale_video, other):
        temp.write_text("half a file")
    two_hours_ago = time.time() - 7200
    for temp in (stale_report, stale_video, other):
        os.utime(temp, (two_hours_ago, two_hours_ago))
    write_report(report, empty_report())
    with VideoSink(video, 15.0, (64, 48)) as sink:
        sink.write(np.zeros((48, 64, 3), np.uint8))
    assert not stale_report.exists() and not stale_video.exists()
    assert fresh_report.exists()  # may be a writer at work
    assert other.exists()  # another file's: not this write's business
