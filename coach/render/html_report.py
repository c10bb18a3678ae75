"""The visual session report: one self-contained HTML page, the angle over time as inline SVG.

Computing and drawing are apart: `plot_layout` turns a report and its per-frame angles into pixel
geometry (the angle line, shaded holds, the target band, fault marks, ticks); `render_svg` and
`render_page` only draw what the layout says. The page loads nothing from anywhere.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from coach.storage.angle_series import AngleSeries
from coach.storage.atomic import write_text_atomic

LINE_COLOUR = "#1f6fb2"
HOLD_GOOD_COLOUR = "#2ca02c"
HOLD_FAULT_COLOUR = "#ff7f0e"
FAULT_COLOUR = "#d62728"
TARGET_COLOUR = "#9467bd"

EXERCISE_NAMES = {"rotate": "Sit and Rotate", "arch": "Sit and Arch"}
ANGLE_LABELS = {
    "rotate": "upper-back rotation (deg, + = to your left)",
    "arch": "upper-back extension (deg)",
}
SIGNED_EXERCISES = frozenset({"rotate"})
TARGET_BAND_LOW = 0.8  # the band runs from 80% of the target to the comfortable angle, as the overlay's gauge


@dataclass(frozen=True)
class Box:
    left: float
    top: float
    right: float
    bottom: float


@dataclass(frozen=True)
class Span:
    """A shaded time span (a hold): x pixels."""

    x0: float
    x1: float
    good: bool
    label: str


@dataclass(frozen=True)
class Band:
    """A horizontal band (the target): y pixels, y0 above y1."""

    y0: float
    y1: float
    label: str


@dataclass(frozen=True)
class Mark:
    """A fault: the point, its caption and where the caption goes (above the point or below)."""

    x: float
    y: float
    label: str
    caption: str
    caption_above: bool


@dataclass(frozen=True)
class Tick:
    at: float
    label: str


@dataclass(frozen=True)
class PlotLayout:
    width: int
    height: int
    area: Box
    lines: tuple[tuple[tuple[float, float], ...], ...]
    holds: tuple[Span, ...]
    bands: tuple[Band, ...]
    faults: tuple[Mark, ...]
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    zero_y: float
    x_label: str
    y_label: str
    note: str


# -- computing ----------------------------------------------------------------------------------


def target_band_deg(report: dict[str, Any], series: AngleSeries | None) -> tuple[float, float] | None:
    """The target band (low, high) in degrees from the analyzer's target and comfortable angles.

    The per-frame values win; else the report's calibration (`target_deg`, `comfortable_deg`, either
    a number or a per-exercise dict); None when neither says.
    """
    calibration = report.get("calibration") or {}
    exercise = report.get("exercise", "")
    target = series.target_deg if series is not None else None
    comfortable = series.comfortable_deg if series is not None else None
    target = target if target is not None else _number(calibration.get("target_deg"), exercise)
    comfortable = (
        comfortable if comfortable is not None else _number(calibration.get("comfortable_deg"), exercise)
    )
    if target is None or target <= 0:
        return None
    low = TARGET_BAND_LOW * target
    high = comfortable if comfortable is not None and comfortable > low else target
    return low, high


def plot_layout(
    report: dict[str, Any], series: AngleSeries | None, *, width: int = 900, height: int = 340
) -> PlotLayout:
    exercise = str(report.get("exercise", ""))
    signed = exercise in SIGNED_EXERCISES
    reps = list(report.get("reps", []))
    band = target_band_deg(report, series)
    times = list(series.t_s) if series else []
    angles = [a for a in series.angle_deg if a is not None] if series else []

    t_values = times + [float(r[key]) for r in reps for key in ("start_s", "end_s")]
    t0, t1 = (min(t_values), max(t_values)) if t_values else (0.0, 1.0)
    if t1 - t0 < 1.0:
        t1 = t0 + 1.0
    peaks = [_signed_peak(rep, signed) for rep in reps]
    band_values = [] if band is None else [band[1], -band[1] if signed else band[0]]
    a_values = [0.0, *angles, *peaks, *band_values]
    a_low, a_high = min(a_values), max(a_values)
    pad = max(2.0, 0.08 * (a_high - a_low))
    y_ticks_deg = nice_ticks(a_low - pad, a_high + pad)
    y_low, y_high = min(y_ticks_deg[0], a_low - pad), max(y_ticks_deg[-1], a_high + pad)
    x_ticks_s = nice_ticks(t0, t1)

    area = Box(left=62.0, top=16.0, right=width - 16.0, bottom=height - 44.0)

    def x_of(t: float) -> float:
        return round(area.left + (t - t0) / (t1 - t0) * (area.right - area.left), 1)

    def y_of(angle: float) -> float:
        return round(area.bottom - (angle - y_low) / (y_high - y_low) * (area.bottom - area.top), 1)

    lines = tuple(tuple((x_of(t), y_of(a)) for t, a in run) for run in _measured_runs(series))
    holds = tuple(
        Span(
            x_of(float(rep["hold_start_s"])),
            max(x_of(float(rep["hold_end_s"])), x_of(float(rep["hold_start_s"])) + 2.0),
            bool(rep["good"]),
            f"rep {number}: hold {float(rep['hold_s']):.1f} s",
        )
        for number, rep in enumerate(reps, start=1)
    )
    bands: tuple[Band, ...] = ()
    if band is not None:
        low, high = band
        if signed:
            bands = (
                Band(y_of(high), y_of(low), "target, to the left"),
                Band(y_of(-low), y_of(-high), "target, to the right"),
            )
        else:
            bands = (Band(y_of(high), y_of(low), "target"),)
    faults = tuple(
        Mark(
            x_of(t),
            y_of(a),
            f"rep {number}: {', '.join(rep['faults'])}",
            ", ".join(code.replace("_", " ") for code in rep["faults"]),
            a >= 0,
        )
        for number, rep in enumerate(reps, start=1)
        if rep["faults"]
        for t, a in [_fault_point(rep, series, signed)]
    )
    note = "" if series else "No per-frame angles were stored for this session: holds and peaks only."
    if band is None:
        note = (note + " " if note else "") + "No target angle was recorded, so no target band is drawn."
    return PlotLayout(
        width=width,
        height=height,
        area=area,
        lines=lines,
        holds=holds,
        bands=bands,
        faults=faults,
        x_ticks=tuple(Tick(x_of(t), f"{t:g}") for t in x_ticks_s if t0 <= t <= t1),
        y_ticks=tuple(Tick(y_of(a), f"{a:g}") for a in y_ticks_deg if y_low <= a <= y_high),
        zero_y=y_of(0.0),
        x_label="time (s)",
        y_label=ANGLE_LABELS.get(exercise, "angle (deg)"),
        note=note,
    )


def nice_ticks(low: float, high: float, target_count: int = 6) -> list[float]:
    """Round tick values (1, 2 or 5 times a power of ten apart) covering [low, high]."""
    if not high > low:
        high = low + 1.0
    raw = (high - low) / target_count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    first = math.floor(low / step) * step
    count = math.ceil((high - first) / step) + 1
    return [round(first + i * step, 10) for i in range(count)]


def rep_rows(report: dict[str, Any]) -> list[tuple[str, ...]]:
    """The per-rep table, formatted: #, side, start, hold, peak, result."""
    rows: list[tuple[str, ...]] = []
    for number, rep in enumerate(report.get("reps", []), start=1):
        result = "good" if rep["good"] else "fault: " + ", ".join(rep["faults"])
        rows.append(
            (
                str(number),
                rep["side"] or "-",
                f"{float(rep['start_s']):.1f} s",
                f"{float(rep['hold_s']):.1f} s",
                f"{float(rep['peak_angle_deg']):.0f} deg",
                result,
            )
        )
    return rows


def _measured_runs(series: AngleSeries | None) -> list[list[tuple[float, float]]]:
    """The angle line split where it was not measured."""
    runs: list[list[tuple[float, float]]] = [[]]
    if series is not None:
        for t, angle in zip(series.t_s, series.angle_deg, strict=True):
            if angle is None:
                runs.append([])
            else:
                runs[-1].append((t, angle))
    return [run for run in runs if run]


def _signed_peak(rep: dict[str, Any], signed: bool) -> float:
    peak = abs(float(rep["peak_angle_deg"]))
    return -peak if signed and rep["side"] == "right" else peak


def _fault_point(rep: dict[str, Any], series: AngleSeries | None, signed: bool) -> tuple[float, float]:
    """Where a rep's fault goes on the plot: the frame its cue was raised, else the hold's middle."""
    start, end = float(rep["start_s"]), float(rep["end_s"])
    middle = (float(rep["hold_start_s"]) + float(rep["hold_end_s"])) / 2
    if series is None:
        return middle, _signed_peak(rep, signed)
    measured = [(t, a) for t, a in zip(series.t_s, series.angle_deg, strict=True) if a is not None]
    cued = [
        t
        for t, cue in zip(series.t_s, series.cue, strict=True)
        if cue in rep["faults"] and start <= t <= end + 0.5
    ]
    when = cued[0] if cued else middle
    if not measured:
        return when, _signed_peak(rep, signed)
    nearest = min(measured, key=lambda sample: abs(sample[0] - when))
    return when, nearest[1]


def _number(value: Any, exercise: str) -> float | None:
    if isinstance(value, dict):
        value = value.get(exercise)
    return float(value) if isinstance(value, int | float) and math.isfinite(value) else None


# -- drawing ------------------------------------------------------------------------------------


def render_svg(layout: PlotLayout) -> str:
    a = layout.area
    parts = [
        f'<svg class="plot" viewBox="0 0 {layout.width} {layout.height}" '
        f'width="{layout.width}" height="{layout.height}" role="img" aria-label="angle over time">',
        f'<rect x="{a.left}" y="{a.top}" width="{a.right - a.left}" height="{a.bottom - a.top}" '
        'fill="#ffffff" stroke="#999999"/>',
    ]
    for band in layout.bands:
        parts.append(
            f'<rect class="target-band" x="{a.left}" y="{band.y0}" width="{a.right - a.left}" '
            f'height="{max(band.y1 - band.y0, 1.0)}" fill="{TARGET_COLOUR}" fill-opacity="0.16">'
            f"<title>{_text(band.label)}</title></rect>"
        )
    for span in layout.holds:
        colour = HOLD_GOOD_COLOUR if span.good else HOLD_FAULT_COLOUR
        parts.append(
            f'<rect class="hold" x="{span.x0}" y="{a.top}" width="{span.x1 - span.x0}" '
            f'height="{a.bottom - a.top}" fill="{colour}" fill-opacity="0.22">'
            f"<title>{_text(span.label)}</title></rect>"
        )
    for tick in layout.y_ticks:
        parts.append(f'<line x1="{a.left}" y1="{tick.at}" x2="{a.right}" y2="{tick.at}" stroke="#e4e4e4"/>')
        parts.append(
            f'<text x="{a.left - 6}" y="{tick.at + 4}" text-anchor="end" class="tick">'
            f"{_text(tick.label)}</text>"
        )
    for tick in layout.x_ticks:
        parts.append(
            f'<line x1="{tick.at}" y1="{a.bottom}" x2="{tick.at}" y2="{a.bottom + 5}" stroke="#999999"/>'
        )
        parts.append(
            f'<text x="{tick.at}" y="{a.bottom + 18}" text-anchor="middle" class="tick">'
            f"{_text(tick.label)}</text>"
        )
    parts.append(
        f'<line x1="{a.left}" y1="{layout.zero_y}" x2="{a.right}" y2="{layout.zero_y}" stroke="#666666"/>'
    )
    for line in layout.lines:
        points = " ".join(f"{x},{y}" for x, y in line)
        if len(line) == 1:
            x, y = line[0]
            parts.append(f'<circle class="angle" cx="{x}" cy="{y}" r="1.5" fill="{LINE_COLOUR}"/>')
        else:
            parts.append(
                f'<polyline class="angle" points="{points}" fill="none" stroke="{LINE_COLOUR}" '
                'stroke-width="2" stroke-linejoin="round"/>'
            )
    for mark in layout.faults:
        parts.append(
            f'<g class="fault"><circle cx="{mark.x}" cy="{mark.y}" r="6" fill="{FAULT_COLOUR}" '
            f'stroke="#ffffff" stroke-width="1.5"/><title>{_text(mark.label)}</title>'
            f'<text x="{mark.x}" y="{mark.y - 11 if mark.caption_above else mark.y + 20}" '
            f'text-anchor="middle" class="fault-label">{_text(mark.caption)}</text></g>'
        )
    parts.append(
        f'<text x="{(a.left + a.right) / 2}" y="{layout.height - 8}" text-anchor="middle" class="axis">'
        f"{_text(layout.x_label)}</text>"
    )
    parts.append(
        f'<text transform="translate(14 {(a.top + a.bottom) / 2}) rotate(-90)" text-anchor="middle" '
        f'class="axis">{_text(layout.y_label)}</text>'
    )
    parts.append("</svg>")
    return "\n".join(parts)


STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px; color: #222; }
body { max-width: 960px; }
h1 { font-size: 1.4em; margin-bottom: 0.2em; }
.meta { color: #555; margin-top: 0; }
.summary span { display: inline-block; margin-right: 1.5em; }
svg.plot { width: 100%; height: auto; }
svg .tick { font-size: 11px; fill: #555; }
svg .axis { font-size: 12px; fill: #333; }
svg .fault-label { font-size: 11px; fill: #b01c1c; font-weight: 600; }
.legend span { display: inline-block; margin-right: 1.2em; font-size: 0.9em; }
.swatch { display: inline-block; width: 14px; height: 10px; margin-right: 4px; vertical-align: middle; }
table { border-collapse: collapse; margin-top: 1em; }
th, td { border-bottom: 1px solid #ddd; padding: 4px 12px; text-align: left; }
td.fault { color: #b01c1c; }
td.good { color: #1e7a1e; }
.note { color: #8a5a00; }
dl.calibration { display: grid; grid-template-columns: max-content auto; gap: 2px 12px; font-size: 0.9em; }
dl.calibration dt { color: #555; }
"""


def render_page(
    report: dict[str, Any],
    layout: PlotLayout,
    *,
    recorded: str | None = None,
    next_session: str | None = None,
) -> str:
    exercise = str(report.get("exercise", ""))
    name = EXERCISE_NAMES.get(exercise, exercise)
    counts = report.get("counts", {})
    reps_text = f"{counts.get('total', 0)} reps"
    if exercise in SIGNED_EXERCISES:
        reps_text += f" (left {counts.get('left', 0)}, right {counts.get('right', 0)})"
    per_side = " per side" if exercise in SIGNED_EXERCISES else ""
    summary = [
        reps_text,
        f"{counts.get('good', 0)} good",
        f"target {report.get('target_reps', '?')}{per_side}",
        f"status: {report.get('status', 'complete')}",
    ]
    meta = " · ".join(part for part in (recorded, str(report.get("video", ""))) if part)
    body = [
        f"<h1>{_text(name)}</h1>",
        f'<p class="meta">{_text(meta)}</p>',
        '<p class="summary">' + "".join(f"<span>{_text(s)}</span>" for s in summary) + "</p>",
    ]
    if next_session:
        body.append(f'<p class="next">Next session: {_text(next_session)}</p>')
    body.append(_legend())
    body.append(render_svg(layout))
    if layout.note:
        body.append(f'<p class="note">{_text(layout.note)}</p>')
    body.append(_rep_table(rep_rows(report)))
    body.append(_calibration(report.get("calibration") or {}))
    title = f"{name} report" + (f", {recorded}" if recorded else "")
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_text(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )


def build_page(
    report: dict[str, Any],
    series: AngleSeries | None,
    *,
    recorded: str | None = None,
    next_session: str | None = None,
) -> str:
    return render_page(report, plot_layout(report, series), recorded=recorded, next_session=next_session)


def write_html_report(
    path: Path,
    report: dict[str, Any],
    series: AngleSeries | None,
    *,
    recorded: str | None = None,
    next_session: str | None = None,
) -> None:
    write_text_atomic(path, build_page(report, series, recorded=recorded, next_session=next_session))


def _legend() -> str:
    items = [
        (LINE_COLOUR, "angle"),
        (HOLD_GOOD_COLOUR, "hold, good rep"),
        (HOLD_FAULT_COLOUR, "hold, rep with a fault"),
        (TARGET_COLOUR, "target band"),
        (FAULT_COLOUR, "fault"),
    ]
    return (
        '<p class="legend">'
        + "".join(f'<span><i class="swatch" style="background:{c}"></i>{_text(t)}</span>' for c, t in items)
        + "</p>"
    )


def _rep_table(rows: Sequence[tuple[str, ...]]) -> str:
    if not rows:
        return "<p>No reps were counted.</p>"
    head = "".join(f"<th>{h}</th>" for h in ("#", "side", "start", "hold", "peak", "result"))
    lines = []
    for row in rows:
        css = "good" if row[-1] == "good" else "fault"
        cells = "".join(f"<td>{_text(cell)}</td>" for cell in row[:-1])
        lines.append(f'<tr>{cells}<td class="{css}">{_text(row[-1])}</td></tr>')
    return f'<table class="reps"><thead><tr>{head}</tr></thead><tbody>{"".join(lines)}</tbody></table>'


def _calibration(calibration: dict[str, Any]) -> str:
    scalars = [(k, v) for k, v in calibration.items() if isinstance(v, str | int | float | bool)]
    if not scalars:
        return ""
    items = "".join(
        f"<dt>{_text(k)}</dt><dd>{_text(f'{v:.3g}' if isinstance(v, float) else str(v))}</dd>"
        for k, v in scalars
    )
    return f'<h2>Calibration</h2><dl class="calibration">{items}</dl>'


def _text(value: str) -> str:
    return html.escape(value, quote=True)
