"""The visual report: what the plot shows from known sessions, the SVG it draws, a self-contained page with
the calibration in words, rendered by real chromium."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from coach.calibration.profile import profile_from_poses
from coach.exercises.rotate import RotateAnalyzer
from coach.pipeline import Pipeline, recording_rules
from coach.render.calibration_table import calibration_rows, camera_direction, generic_label
from coach.render.html_report import (
    FAULT_COLOUR,
    HOLD_ALPHA,
    HOLD_FAULT_COLOUR,
    HOLD_GOOD_COLOUR,
    INCOMPLETE,
    LINE_COLOUR,
    TARGET_ALPHA,
    TARGET_COLOUR,
    build_page,
    plot_data,
    rep_rows,
    target_band_deg,
    write_html_report,
)
from coach.reps.analysis import Rep
from coach.storage.angle_series import AngleSeries
from coach.storage.history import list_sessions, load_session
from coach.storage.report import frames_csv
from tests.helpers import SAMPLES
from tests.seated import seated_pose
from tests.session_builders import CALIBRATION_S, RAMP_S, PlannedRep, Session, synthetic_session

PLAN = [
    PlannedRep("left", 35, 2.2),
    PlannedRep("right", 33, 1.0, ("short_hold",)),
    PlannedRep("left", 30, 2.2, ("low_back",)),
    PlannedRep("right", 34, 2.2),
]


@pytest.fixture(scope="module")
def session() -> Session:
    return synthetic_session("rotate", PLAN, video="my <clip> & co.mp4")


@pytest.fixture(scope="module")
def page(session: Session) -> str:
    return build_page(session.report, series_of(session), recorded="2025-11-20 12:00", next_session="5 reps")


def series_of(session: Session) -> AngleSeries:
    return AngleSeries.from_record(session.record)


def measured(series: AngleSeries) -> list[tuple[float, float]]:
    return [(t, a) for t, a in zip(series.t_s, series.angle_deg, strict=True) if a is not None]


# -- what the plot shows ------------------------------------------------------------------------


def test_the_plot_shows_every_measured_frame_and_each_hold(session: Session) -> None:
    series = series_of(session)
    data = plot_data(session.report, series)
    [run] = data.runs
    assert list(run) == measured(series) and len(run) == len(series)
    assert data.t_range == (series.t_s[0], series.t_s[-1])
    assert [(h.rep, h.good) for h in data.holds] == [(1, True), (2, False), (3, False), (4, True)]
    assert data.holds[0].start_s == pytest.approx(CALIBRATION_S + RAMP_S, abs=1e-6)
    assert [h.end_s - h.start_s for h in data.holds] == pytest.approx([2.2, 1.0, 2.2, 2.2], abs=0.02)
    assert data.angle_range == (-38.0, 38.0)  # the bands reach past the peaks
    assert "rotation" in data.y_label and data.note == ""


def test_faults_are_marked_where_their_cues_were_raised(session: Session) -> None:
    data = plot_data(session.report, series_of(session))
    assert [(f.rep, f.caption) for f in data.faults] == [(2, "short hold"), (3, "low back")]
    for fault, rep_index in zip(data.faults, (1, 2), strict=True):
        assert fault.t_s == pytest.approx(session.cue_times[rep_index], abs=1e-6)
    short, low_back = data.faults
    assert short.angle_deg == pytest.approx(-33.0, abs=1.0)  # right side: below zero
    assert low_back.angle_deg == pytest.approx(30.0, abs=1e-6)


def test_rotate_target_band_is_drawn_on_both_sides(session: Session) -> None:
    # 0.8 x target 30 = 24 up to comfortable 38, to the left and to the right.
    assert plot_data(session.report, series_of(session)).bands == ((24.0, 38.0), (-38.0, -24.0))


def test_arch_target_band_is_one_band_above_zero() -> None:
    arch = synthetic_session("arch", [PlannedRep(None, 22, 2.0)], target_deg=20.0, comfortable_deg=25.0)
    data = plot_data(arch.report, series_of(arch))
    assert data.bands == ((16.0, 25.0),)
    assert "extension" in data.y_label


@pytest.mark.parametrize(
    ("calibration", "series_target", "expected"),
    [
        ({}, (30.0, 38.0), (24.0, 38.0)),
        ({"target_deg": 25.0}, None, (20.0, 25.0)),
        ({"target_deg": 25.0, "comfortable_deg": {"rotate": 31.0, "arch": 12.0}}, None, (20.0, 31.0)),
        ({"target_deg": 25.0, "comfortable_deg": 10.0}, None, (20.0, 25.0)),  # comfortable below the band
        ({"method": "stillness"}, None, None),
        ({"target_deg": float("nan")}, None, None),
    ],
)
def test_target_band_sources(
    calibration: dict[str, Any], series_target: tuple[float, float] | None, expected: Any
) -> None:
    report = {"exercise": "rotate", "calibration": calibration, "reps": []}
    series = None
    if series_target is not None:
        series = AngleSeries((0.0,), (1.0,), ("neutral",), (0.0,), ("",), *series_target)
    assert target_band_deg(report, series) == (pytest.approx(expected) if expected else None)


def test_gaps_in_the_angle_break_the_line() -> None:
    gapped = synthetic_session("rotate", [PlannedRep("left", 34, 2.2)], gap=(1.0, 1.5))
    series = series_of(gapped)
    runs = plot_data(gapped.report, series).runs
    assert len(runs) == 2
    assert [*runs[0], *runs[1]] == measured(series)
    assert runs[0][-1][0] < 1.0 and runs[1][0][0] >= 1.5


def test_without_frames_or_target_the_plot_says_so(session: Session) -> None:
    report = dict(session.report, calibration={})
    data = plot_data(report, None)
    assert data.runs == () and data.bands == ()
    assert len(data.holds) == 4 and len(data.faults) == 2
    assert "No per-frame angles" in data.note and "no target band" in data.note
    # Fault marks fall back to the rep's signed peak, in the middle of its hold.
    assert [f.angle_deg for f in data.faults] == [-33.0, 30.0]
    assert data.faults[0].t_s == pytest.approx((data.holds[1].start_s + data.holds[1].end_s) / 2)


def test_the_csv_series_plots_like_the_record(session: Session) -> None:
    csv_series = AngleSeries.from_csv(frames_csv(session.record))
    assert csv_series.target_deg is None  # the CSV has no target: give it the record's
    csv_series = dataclasses.replace(csv_series, target_deg=30.0, comfortable_deg=38.0)
    from_csv = plot_data(session.report, csv_series)
    from_record = plot_data(session.report, series_of(session))
    assert from_csv.holds == from_record.holds and from_csv.bands == from_record.bands
    for got, expected in zip(from_csv.faults, from_record.faults, strict=True):
        assert dataclasses.astuple(got) == pytest.approx(dataclasses.astuple(expected), abs=0.01)
    assert np.allclose(np.array(from_csv.runs[0]), np.array(from_record.runs[0]), atol=0.01)


def test_rep_rows(session: Session) -> None:
    assert rep_rows(session.report) == [
        ("1", "left", "3.0 s", "2.2 s", "35 deg", "good"),
        ("2", "right", "8.3 s", "1.0 s", "33 deg", "fault: short_hold"),
        ("3", "left", "12.4 s", "2.2 s", "30 deg", "fault: low_back"),
        ("4", "right", "17.7 s", "2.2 s", "34 deg", "good"),
    ]


def test_the_rep_a_session_ended_during_is_listed_last_and_apart(session: Session) -> None:
    cut = Rep("left", 21.0, 22.1, 23.0, 23.0, 31.6, incomplete=True).to_dict()
    report = dict(session.report, incomplete_rep=cut)
    assert rep_rows(report)[-1] == ("5", "left", "21.0 s", "0.9 s so far", "32 deg", INCOMPLETE)
    assert len(plot_data(report, None).holds) == len(PLAN)  # only counted reps are drawn
    page = build_page(report, None)
    assert f'<td class="incomplete">{INCOMPLETE}</td>' in page


def test_a_session_with_no_rep_says_why_on_its_page() -> None:
    why = "Your largest turn was 9 degrees from where you sat at calibration; a rep counts from 15 degrees."
    report = {"exercise": "rotate", "reps": [], "counts": {"total": 0}, "reps_reason": why}
    page = build_page(report, None)
    assert f'<p class="note why">{why}</p>' in page and "No reps were counted." in page


# -- the drawn plot -----------------------------------------------------------------------------


def plot_shapes(page: str) -> dict[str, np.ndarray]:
    """The plot's items by their SVG group id (`hold-2`): the vertices of the group's path, or where its
    markers are drawn (SVG user units, y down)."""
    shapes = {}
    for gid, body in re.findall(r'<g id="((?:angle|hold|target-band|fault)-\d+)"[^>]*>(.*?)</g>', page, re.S):
        markers = re.findall(r'<use [^>]*?\bx="([-\d.]+)"[^>]*?\by="([-\d.]+)"', body)
        if markers:
            shapes[gid] = np.array(markers, float)
        else:
            [path] = re.findall(r'<path d="([^"]*)"', body)
            shapes[gid] = np.array(re.findall(r"-?\d+(?:\.\d+)?", path), float).reshape(-1, 2)
    return shapes


def linear_map(values: list[float], pixels: np.ndarray) -> tuple[float, float]:
    """(scale, offset) with pixels = scale * values + offset, asserting every point lies on it."""
    scale, offset = np.polyfit(values, pixels, 1)
    assert np.abs(scale * np.asarray(values) + offset - pixels).max() < 0.01
    return scale, offset


def test_the_svg_draws_every_frame_hold_band_and_fault_where_they_are(session: Session, page: str) -> None:
    """The drawn plot is the session's data: one vertex per measured frame on one linear time axis and one
    linear angle axis, and each hold, band and fault at its time and angle on those same axes."""
    series = series_of(session)
    shapes = plot_shapes(page)
    holds, bands = [f"hold-{n}" for n in range(1, 5)], ["target-band-1", "target-band-2"]
    assert sorted(shapes) == ["angle-1", "fault-2", "fault-3", *holds, *bands]
    line = shapes["angle-1"]
    assert len(line) == len(series)
    x_scale, x_offset = linear_map(list(series.t_s), line[:, 0])
    y_scale, y_offset = linear_map([a for _, a in measured(series)], line[:, 1])
    assert x_scale > 0 > y_scale  # time to the right, angle up

    def x_of(t: float) -> float:
        return x_scale * t + x_offset

    def y_of(angle: float) -> float:
        return y_scale * angle + y_offset

    for hold in plot_data(session.report, series).holds:
        span = shapes[f"hold-{hold.rep}"]
        assert (span[:, 0].min(), span[:, 0].max()) == pytest.approx(
            (x_of(hold.start_s), x_of(hold.end_s)), abs=0.01
        )
        assert span[:, 1].max() - span[:, 1].min() > abs(y_of(38) - y_of(-38))  # the full height
    for gid, (low, high) in (("target-band-1", (24.0, 38.0)), ("target-band-2", (-38.0, -24.0))):
        band = shapes[gid]
        assert (band[:, 1].min(), band[:, 1].max()) == pytest.approx((y_of(high), y_of(low)), abs=0.01)
        assert band[:, 0].max() - band[:, 0].min() == pytest.approx(
            x_of(series.t_s[-1]) - x_of(0.0), abs=0.01
        )
    for gid, rep_index in (("fault-2", 1), ("fault-3", 2)):
        t = session.cue_times[rep_index]
        [[x, y]] = shapes[gid]
        nearest = min(measured(series), key=lambda sample: abs(sample[0] - t))
        assert (x, y) == pytest.approx((x_of(t), y_of(nearest[1])), abs=0.01)


def test_each_hold_is_coloured_by_its_result(page: str) -> None:
    colours = [HOLD_GOOD_COLOUR, HOLD_FAULT_COLOUR, HOLD_FAULT_COLOUR, HOLD_GOOD_COLOUR]
    for rep, colour in enumerate(colours, start=1):
        [body] = re.findall(rf'<g id="hold-{rep}" class="hold">(.*?)</g>', page, re.S)
        assert f"fill: {colour}" in body


def test_the_svg_breaks_the_line_at_gaps() -> None:
    gapped = synthetic_session("rotate", [PlannedRep("left", 34, 2.2)], gap=(1.0, 1.5))
    series = series_of(gapped)
    shapes = plot_shapes(build_page(gapped.report, series))
    first, second = shapes["angle-1"], shapes["angle-2"]
    assert len(first) + len(second) == len(measured(series))
    assert first[:, 0].max() < second[:, 0].min()


def test_without_frames_the_svg_still_draws_holds_and_faults(session: Session) -> None:
    shapes = plot_shapes(build_page(dict(session.report, calibration={}), None))
    assert sorted(shapes) == ["fault-2", "fault-3", "hold-1", "hold-2", "hold-3", "hold-4"]


# -- the page -----------------------------------------------------------------------------------


def test_the_page_is_self_contained_and_escaped(page: str) -> None:
    for external in ("src=", "<link", "<script", "@import", "<img", "<iframe", "<object"):
        assert external not in page.lower(), external
    assert re.findall(r"url\((?!#)", page) == []  # only references inside the page (clip paths)
    assert re.findall(r"""href=["'](?!#)""", page) == []
    # The only web addresses are the SVG namespace names, which are never fetched.
    assert {m.group(1) for m in re.finditer(r'([\w:]+)="https?:', page)} <= {"xmlns", "xmlns:xlink"}
    assert "<?xml" not in page and "<!DOCTYPE svg" not in page
    assert "my &lt;clip&gt; &amp; co.mp4" in page and "<clip>" not in page
    assert page.count("<svg") == 1 and page.count("<tr>") == 5  # the plot; header and 4 reps
    assert page.count('class="angle"') == 1 and page.count('class="hold"') == 4
    assert page.count('class="target-band"') == 2
    assert len(re.findall(r'<g id="fault-\d+" class="fault">', page)) == 2
    assert "Next session: 5 reps" in page and "Sit and Rotate" in page


def test_write_html_report_is_atomic_and_complete(session: Session, tmp_path: Path) -> None:
    out = tmp_path / "reports" / "r.html"
    write_html_report(out, session.report, series_of(session))
    assert out.read_text().rstrip().endswith("</html>")
    assert [p.name for p in out.parent.iterdir()] == ["r.html"]


# -- the calibration in words -------------------------------------------------------------------


def rotate_summary() -> dict[str, Any]:
    """A real rotate analyzer's calibration summary, from a saved profile with a comfortable range."""
    poses = [seated_pose(azimuth_deg=20.0) for _ in range(30)]
    profile = profile_from_poses(poses, [i / 30 for i in range(30)])
    analyzer = RotateAnalyzer(dataclasses.replace(profile, comfortable_deg={"rotate": 38.0}))
    analyzer.update(poses[0], 0.0)
    return analyzer.calibration_summary()


def arch_front_summary() -> dict[str, Any]:
    """A real arch analyzer's summary when the camera is in front: it cannot measure the arch."""
    pipeline = Pipeline("arch", rules=recording_rules())
    for frame in range(150):
        pipeline.step([seated_pose(azimuth_deg=0.0)], frame / 30)
    return pipeline.calibration_summary()


def page_rows(page: str) -> list[tuple[str, str]]:
    [table] = re.findall(r'<dl class="calibration">(.*?)</dl>', page)
    return re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", table)


def test_the_calibration_reads_in_words_and_units(session: Session) -> None:
    summary = rotate_summary()
    assert {"duration_s", "view_azimuth_deg", "noise_px", "shoulder_span_px"} <= set(summary)
    page = build_page(dict(session.report, calibration=summary), series_of(session))
    view = camera_direction(summary["view_azimuth_deg"])
    assert page_rows(page) == [
        ("Calibrated from", "your saved profile"),
        ("Calibrated", "yes"),
        ("Still window", "1.0 s"),
        ("Still frames", "30"),
        ("Camera direction", view),
        ("The camera sees", "you from head to hips"),
        ("Target angle", "38°"),
        ("Shoulder width in the picture", f"{summary['shoulder_span_px']:.1f} px"),
        ("Landmark noise", "0.0 px"),
    ]
    for key in (key for key in summary if "_" in key):
        assert key not in page, key  # no raw key (`noise_px`) anywhere on the page


def test_an_unusable_view_says_why_in_the_calibration() -> None:
    summary = arch_front_summary()
    report = {"exercise": "arch", "reps": [], "calibration": summary}
    rows = page_rows(build_page(report, None))
    assert rows[:3] == [
        ("Calibrated from", "nothing yet"),
        ("Calibrated", "no"),
        ("Camera view usable", "no"),
    ]
    assert rows[3][0] == "Why not" and "Turn the camera to your side" in rows[3][1]
    assert rows[4] == ("Camera direction", "straight in front of you")


def test_calibration_rows_keep_a_fixed_order_and_label_unknown_keys() -> None:
    calibration = {
        "neck_tilt_deg": -4.4,
        "noise_px": 1.234,
        "body_scale_m": 0.4812,
        "neutral_s": 3,
        "calibrated_at_s": None,  # from a profile: not calibrated in this session
        "duration_s": 2.967,
        "comfortable_deg": {"rotate": 41.0, "arch": 18.0},
        "method": "stillness",
        "ratio": 0.12345,
        "view_azimuth_deg": 30.4,
    }
    assert calibration_rows(calibration, "arch") == [
        ("Still window", "3.0 s"),
        ("Camera direction", "30° to your left"),
        ("Comfortable range", "18°"),
        ("Landmark noise", "1.2 px"),
        ("Neck tilt", "-4°"),
        ("Body scale", "0.48 m"),
        ("Neutral", "3.0 s"),
        ("Method", "stillness"),
        ("Ratio", "0.123"),
    ]


@pytest.mark.parametrize(
    ("azimuth", "words"),
    [(30.0, "30° to your left"), (-12.4, "12° to your right"), (0.3, "straight in front of you")],
)
def test_camera_direction(azimuth: float, words: str) -> None:
    assert camera_direction(azimuth) == words


def test_generic_label() -> None:
    assert generic_label("noise_head_back_deg") == "Noise head back"
    assert generic_label("frames") == "Frames"


# -- in a real browser --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if path := shutil.which(name):
            return path
    if os.environ.get("CI") == "true":
        pytest.fail("chromium is required in CI to check that the visual report renders")
    pytest.skip("chromium is not installed (apt-get install chromium)")


def run_chromium(chromium: str, page: Path, scratch: Path, *mode: str) -> subprocess.CompletedProcess[str]:
    profile = scratch / f"profile-{len(list(scratch.glob('profile-*')))}"
    command = [
        chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--user-data-dir={profile}", "--hide-scrollbars", "--force-device-scale-factor=1",
        *mode, page.as_uri(),
    ]  # fmt: skip
    return subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=scratch)


def colour_mask(image: np.ndarray, hex_colour: str, alpha: float = 1.0, tolerance: int = 4) -> np.ndarray:
    """Pixels of `hex_colour` drawn at `alpha` over white (image is BGR)."""
    rgb = np.array([int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)], float)
    expected = (alpha * rgb + (1 - alpha) * 255.0)[::-1]
    return np.all(np.abs(image.astype(float) - expected) <= tolerance, axis=2)


def screenshot(chromium: str, html: str, scratch: Path, name: str) -> np.ndarray:
    page = scratch / f"{name}.html"
    page.write_text(html, encoding="utf-8")
    png = scratch / f"{name}.png"
    result = run_chromium(chromium, page, scratch, f"--screenshot={png}", "--window-size=1000,800")
    assert png.is_file(), result.stderr[-2000:]
    image = cv2.imread(str(png))
    assert image is not None and image.shape[:2] == (800, 1000)
    return image


def test_chromium_renders_the_plot(chromium: str, session: Session, tmp_path: Path) -> None:
    series = series_of(session)
    image = screenshot(chromium, build_page(session.report, series), tmp_path, "with_plot")
    control = screenshot(chromium, build_page(session.report, None), tmp_path, "without_line")

    line = colour_mask(image, LINE_COLOUR) & ~colour_mask(control, LINE_COLOUR)  # not the legend swatch
    assert line.sum() > 1000, line.sum()
    columns = np.flatnonzero(line.any(axis=0))
    assert columns.max() - columns.min() > 800  # the line crosses the whole plot
    rows = np.flatnonzero(line.any(axis=1))
    assert rows.max() - rows.min() > 150  # and swings to both sides of zero

    assert colour_mask(image, HOLD_GOOD_COLOUR, HOLD_ALPHA).sum() > 2000  # shaded good holds
    assert colour_mask(image, HOLD_FAULT_COLOUR, HOLD_ALPHA).sum() > 2000  # and holds with a fault
    assert colour_mask(image, TARGET_COLOUR, TARGET_ALPHA).sum() > 5000  # the target band
    assert colour_mask(image, FAULT_COLOUR).sum() > 2 * 60  # two fault dots (plus the legend swatch)


def test_chromium_parses_the_svg(chromium: str, session: Session, tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    write_html_report(page, session.report, series_of(session))
    result = run_chromium(chromium, page, tmp_path, "--dump-dom")
    assert result.returncode == 0, result.stderr[-2000:]
    shapes = plot_shapes(result.stdout)  # the page as chromium parsed it
    assert len(shapes["angle-1"]) == len(session.record.rows)
    assert sum(gid.startswith("hold-") for gid in shapes) == 4
    assert sum(gid.startswith("fault-") for gid in shapes) == 2


@pytest.mark.slow
def test_analyze_report_html_on_a_real_clip(chromium: str, tmp_path: Path) -> None:
    """`coach analyze --report-html` with the real model: the session lands in the history and the page
    shows the measured angle, one shaded hold per rep, a mark per faulty rep, no target band and the
    calibration in words."""
    pytest.importorskip("coach.exercises.rotate", reason="the rotate analyzer has not landed yet")
    db, page, report_path = tmp_path / "history.sqlite3", tmp_path / "clip.html", tmp_path / "clip.json"
    video = SAMPLES / "dev_rotate_front_faults.mp4"
    result = subprocess.run(
        [sys.executable, "-m", "coach", "analyze", str(video), "--exercise", "rotate",
         "--report", str(report_path), "--report-html", str(page), "--db", str(db)],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    report = json.loads(report_path.read_text())
    [stored] = list_sessions(db)
    assert stored.report == report and load_session(stored.id, db)[1] is not None
    html = page.read_text()
    faulty = sum(not rep["good"] for rep in report["reps"])
    assert report["reps"] and faulty  # the clip has good and faulty reps
    shapes = plot_shapes(html)
    series = load_session(stored.id, db)[1]
    assert series is not None and len(shapes["angle-1"]) == len(measured(series))  # no gaps in this clip
    assert sorted(gid for gid in shapes if gid.startswith("hold-")) == [
        f"hold-{n}" for n in range(1, len(report["reps"]) + 1)
    ]
    assert sum(gid.startswith("fault-") for gid in shapes) == faulty
    # Calibrated from the clip itself: no comfortable range is known yet, so no target band to aim at.
    assert not any(gid.startswith("target-band-") for gid in shapes)
    assert report["calibration"]["source"] == "self"
    assert ("Calibrated from", "this session") in page_rows(html)
    for key in (key for key in report["calibration"] if "_" in key):
        assert key not in html, key

    image = screenshot(chromium, html, tmp_path, "real")
    control = screenshot(chromium, build_page(report, None), tmp_path, "real_control")
    line = colour_mask(image, LINE_COLOUR) & ~colour_mask(control, LINE_COLOUR)
    assert line.sum() > 1000
    assert colour_mask(image, TARGET_COLOUR, TARGET_ALPHA).sum() == 0  # no band without a comfortable range
    assert colour_mask(image, FAULT_COLOUR).sum() > faulty * 60
