"""The visual report: plot geometry from known sessions, a self-contained page, rendered by real chromium."""

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

from coach.render.html_report import (
    FAULT_COLOUR,
    HOLD_GOOD_COLOUR,
    LINE_COLOUR,
    TARGET_COLOUR,
    build_page,
    nice_ticks,
    plot_layout,
    rep_rows,
    target_band_deg,
    write_html_report,
)
from coach.storage.angle_series import AngleSeries
from coach.storage.history import list_sessions, load_session
from coach.storage.report import frames_csv
from tests.helpers import SAMPLES
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


def series_of(session: Session) -> AngleSeries:
    return AngleSeries.from_record(session.record)


# -- computing ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("low", "high", "expected"),
    [
        (0.0, 23.0, [0, 5, 10, 15, 20, 25]),
        (-41.0, 43.0, [-60, -40, -20, 0, 20, 40, 60]),
        (3.2, 3.9, [3.2, 3.4, 3.6, 3.8, 4.0]),
        (5.0, 5.0, [5.0, 5.2, 5.4, 5.6, 5.8, 6.0]),
    ],
)
def test_nice_ticks(low: float, high: float, expected: list[float]) -> None:
    assert nice_ticks(low, high) == pytest.approx(expected)


def test_time_and_angle_map_onto_the_plot_area(session: Session) -> None:
    series = series_of(session)
    layout = plot_layout(session.report, series)
    area = layout.area
    [line] = layout.lines
    assert len(line) == len(series)
    assert line[0][0] == area.left and line[-1][0] == area.right  # first and last frame span the width
    assert all(area.top <= y <= area.bottom for _, y in line)
    # The first rep's hold is at +35 degrees: above the zero line; the second's at -33: below it.
    hold_y = [y for (_, y), phase in zip(line, series.phase, strict=True) if phase == "hold"]
    assert min(hold_y) < layout.zero_y < max(hold_y)
    scale = (area.right - area.left) / (series.t_s[-1] - series.t_s[0])
    first_hold = layout.holds[0]
    assert first_hold.x0 == pytest.approx(area.left + (CALIBRATION_S + RAMP_S) * scale, abs=0.2)
    assert first_hold.x1 - first_hold.x0 == pytest.approx(2.2 * scale, abs=0.3)


def test_holds_are_shaded_by_result(session: Session) -> None:
    layout = plot_layout(session.report, series_of(session))
    assert [span.good for span in layout.holds] == [True, False, False, True]
    widths = [span.x1 - span.x0 for span in layout.holds]
    assert widths[1] == pytest.approx(widths[0] / 2.2, rel=0.05)  # the 1.0 s hold


def test_faults_are_marked_where_their_cues_were_raised(session: Session) -> None:
    series = series_of(session)
    layout = plot_layout(session.report, series)
    area = layout.area
    scale = (area.right - area.left) / (series.t_s[-1] - series.t_s[0])
    assert [mark.caption for mark in layout.faults] == ["short hold", "low back"]
    for mark, rep_index in zip(layout.faults, (1, 2), strict=True):
        assert mark.x == pytest.approx(area.left + session.cue_times[rep_index] * scale, abs=0.2)
    short, low_back = layout.faults
    assert short.y > layout.zero_y and not short.caption_above  # right side: below zero
    assert low_back.y < layout.zero_y and low_back.caption_above


def test_rotate_target_band_is_drawn_on_both_sides(session: Session) -> None:
    layout = plot_layout(session.report, series_of(session))
    left, right = layout.bands
    assert left.y0 < left.y1 < layout.zero_y < right.y0 < right.y1
    assert layout.zero_y - left.y1 == pytest.approx(right.y0 - layout.zero_y, abs=0.2)  # symmetric
    # 0.8 x target 30 = 24 up to comfortable 38: the band is 14/24 as tall as its distance from zero.
    assert (left.y1 - left.y0) / (layout.zero_y - left.y1) == pytest.approx(14 / 24, rel=0.02)


def test_arch_target_band_is_one_band_above_zero() -> None:
    arch = synthetic_session("arch", [PlannedRep(None, 22, 2.0)], target_deg=20.0, comfortable_deg=25.0)
    layout = plot_layout(arch.report, series_of(arch))
    [band] = layout.bands
    assert band.y1 < layout.zero_y
    assert "extension" in layout.y_label


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
    layout = plot_layout(gapped.report, series_of(gapped))
    assert len(layout.lines) == 2
    assert len(layout.lines[0]) + len(layout.lines[1]) == sum(
        a is not None for a in series_of(gapped).angle_deg
    )


def test_without_frames_or_target_the_page_says_so(session: Session) -> None:
    report = dict(session.report, calibration={})
    layout = plot_layout(report, None)
    assert layout.lines == () and layout.bands == ()
    assert len(layout.holds) == 4 and len(layout.faults) == 2
    assert "No per-frame angles" in layout.note and "no target band" in layout.note
    # Fault marks fall back to the rep's signed peak.
    assert layout.faults[0].y > layout.zero_y > layout.faults[1].y


def test_the_csv_series_plots_like_the_record(session: Session) -> None:
    csv_series = AngleSeries.from_csv(frames_csv(session.record))
    assert csv_series.target_deg is None  # the CSV has no target: give it the record's
    csv_series = dataclasses.replace(csv_series, target_deg=30.0, comfortable_deg=38.0)
    from_csv = plot_layout(session.report, csv_series)
    from_record = plot_layout(session.report, series_of(session))
    for csv_items, record_items in (
        (from_csv.holds, from_record.holds),
        (from_csv.faults, from_record.faults),
    ):
        for got, expected in zip(csv_items, record_items, strict=True):
            assert dataclasses.astuple(got) == pytest.approx(dataclasses.astuple(expected), abs=0.2)
    assert np.allclose(np.array(from_csv.lines[0]), np.array(from_record.lines[0]), atol=0.2)


def test_rep_rows(session: Session) -> None:
    assert rep_rows(session.report) == [
        ("1", "left", "3.0 s", "2.2 s", "35 deg", "good"),
        ("2", "right", "8.3 s", "1.0 s", "33 deg", "fault: short_hold"),
        ("3", "left", "12.4 s", "2.2 s", "30 deg", "fault: low_back"),
        ("4", "right", "17.7 s", "2.2 s", "34 deg", "good"),
    ]


# -- the page -----------------------------------------------------------------------------------


def test_the_page_is_self_contained_and_escaped(session: Session) -> None:
    page = build_page(session.report, series_of(session), recorded="2025-11-20 12:00", next_session="5 reps")
    for external in ("http:", "https:", "src=", "<link", "<script", "url(", "@import", "<img"):
        assert external not in page.lower(), external
    assert "my &lt;clip&gt; &amp; co.mp4" in page and "<clip>" not in page
    assert page.count('<polyline class="angle"') == 1
    assert page.count('class="hold"') == 4 and page.count('class="target-band"') == 2
    assert page.count('<g class="fault">') == 2
    assert page.count("<tr>") == 5  # header and 4 reps
    assert "Next session: 5 reps" in page and "Sit and Rotate" in page


def test_write_html_report_is_atomic_and_complete(session: Session, tmp_path: Path) -> None:
    out = tmp_path / "reports" / "r.html"
    write_html_report(out, session.report, series_of(session))
    assert out.read_text().rstrip().endswith("</html>")
    assert [p.name for p in out.parent.iterdir()] == ["r.html"]


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

    assert colour_mask(image, HOLD_GOOD_COLOUR, 0.22).sum() > 2000  # shaded good holds
    assert colour_mask(image, TARGET_COLOUR, 0.16).sum() > 5000  # the target band
    assert colour_mask(image, FAULT_COLOUR).sum() > 2 * 60  # two fault dots (plus the legend swatch)


def test_chromium_parses_the_svg(chromium: str, session: Session, tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    write_html_report(page, session.report, series_of(session))
    result = run_chromium(chromium, page, tmp_path, "--dump-dom")
    assert result.returncode == 0, result.stderr[-2000:]
    dom = result.stdout
    [points] = re.findall(r'<polyline class="angle" points="([^"]+)"', dom)
    assert len(points.split()) == len(session.record.rows)
    assert dom.count('class="hold"') == 4 and dom.count('<g class="fault">') == 2


@pytest.mark.slow
def test_analyze_report_html_on_a_real_clip(chromium: str, tmp_path: Path) -> None:
    """`coach analyze --report-html` with the real model: the session lands in the history and the page
    shows the measured angle, one shaded hold per rep, a mark per faulty rep and the target band."""
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
    assert html.count('class="hold"') == len(report["reps"]) and html.count('<g class="fault">') == faulty
    # Calibrated from the clip itself: no comfortable range is known yet, so no target band to aim at.
    assert html.count('class="target-band"') == 0

    image = screenshot(chromium, html, tmp_path, "real")
    control = screenshot(chromium, build_page(report, None), tmp_path, "real_control")
    line = colour_mask(image, LINE_COLOUR) & ~colour_mask(control, LINE_COLOUR)
    assert line.sum() > 1000
    assert colour_mask(image, TARGET_COLOUR, 0.16).sum() == 0  # no band without a comfortable range
    assert colour_mask(image, FAULT_COLOUR).sum() > faulty * 60
