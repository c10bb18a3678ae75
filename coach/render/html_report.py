"""The visual session report: one self-contained HTML page, the angle over time as inline SVG.

Computing and drawing are apart: `plot_data` picks what the plot shows from a report and its per-frame
angles, in seconds and degrees (the angle line, the holds, the target band, the fault marks);
`plot_svg` draws it with matplotlib and `render_page` lays out the page. The page loads nothing from
anywhere.
"""

from __future__ import annotations

import html
import io
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from coach.facts import STRETCHES
from coach.render.calibration_table import calibration_rows
from coach.storage.angle_series import AngleSeries
from coach.storage.atomic import write_text_atomic

LINE_COLOUR = "#1f6fb2"
HOLD_GOOD_COLOUR = "#2ca02c"
HOLD_FAULT_COLOUR = "#ff7f0e"
FAULT_COLOUR = "#d62728"
TARGET_COLOUR = "#9467bd"
HOLD_ALPHA = 0.22
TARGET_ALPHA = 0.16

EXERCISE_NAMES = {"rotate": "Sit and Rotate", "arch": "Sit and Arch"}
ANGLE_LABELS = {
    "rotate": "upper-back rotation (deg, + = to your left)",
    "arch": "upper-back extension (deg)",
}
SIGNED_EXERCISES = frozenset(name for name, s in STRETCHES.items() if s.by_side)
TARGET_BAND_LOW = 0.8  # the band runs from 80% of the target to the comfortable angle, as the overlay's gauge


@dataclass(frozen=True)
class Hold:
    rep: int  # counted from 1, as in the rep table
    start_s: float
    end_s: float
    good: bool


@dataclass(frozen=True)
class FaultMark:
    rep: int
    t_s: float
    angle_deg: float
    caption: str


@dataclass(frozen=True)
class PlotData:
    """What the plot shows, in seconds and degrees."""

    runs: tuple[tuple[tuple[float, float], ...], ...]  # (t_s, angle_deg) of measured frames, split at gaps
    holds: tuple[Hold, ...]
    bands: tuple[tuple[float, float], ...]  # target bands, (low, high) degrees
    faults: tuple[FaultMark, ...]
    t_range: tuple[float, float]
    angle_range: tuple[float, float]  # everything drawn, and zero
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


def plot_data(report: dict[str, Any], series: AngleSeries | None) -> PlotData:
    exercise = str(report.get("exercise", ""))
    signed = exercise in SIGNED_EXERCISES
    reps = list(report.get("reps", []))
    runs = _measured_runs(series)
    band = target_band_deg(report, series)
    bands: tuple[tuple[float, float], ...] = ()
    if band is not None:
        bands = (band, (-band[1], -band[0])) if signed else (band,)

    times = [*(series.t_s if series else ()), *(float(r[key]) for r in reps for key in ("start_s", "end_s"))]
    t0, t1 = (min(times), max(times)) if times else (0.0, 1.0)
    angles = [
        0.0,
        *(a for run in runs for _, a in run),
        *(_signed_peak(rep, signed) for rep in reps),
        *(edge for b in bands for edge in b),
    ]
    faults = tuple(
        FaultMark(number, *_fault_point(rep, series, signed), ", ".join(rep["faults"]).replace("_", " "))
        for number, rep in enumerate(reps, start=1)
        if rep["faults"]
    )
    note = "" if series else "No per-frame angles were stored for this session: holds and peaks only."
    if band is None:
        note = (note + " " if note else "") + "No target angle was recorded, so no target band is drawn."
    return PlotData(
        runs=tuple(tuple(run) for run in runs),
        holds=tuple(
            Hold(number, float(rep["hold_start_s"]), float(rep["hold_end_s"]), bool(rep["good"]))
            for number, rep in enumerate(reps, start=1)
        ),
        bands=bands,
        faults=faults,
        t_range=(t0, max(t1, t0 + 1.0)),
        angle_range=(min(angles), max(angles)),
        y_label=ANGLE_LABELS.get(exercise, "angle (deg)"),
        note=note,
    )


INCOMPLETE = "incomplete: the recording ended during it"


def rep_rows(report: dict[str, Any]) -> list[tuple[str, ...]]:
    """The per-rep table, formatted: #, side, start, hold, peak, result; last, the rep the session
    ended during (not counted), with what was measured of it."""
    rows: list[tuple[str, ...]] = []
    reps = list(report.get("reps", []))
    incomplete = report.get("incomplete_rep")
    for number, rep in enumerate([*reps, *([incomplete] if incomplete else [])], start=1):
        if rep.get("incomplete"):
            result, hold = INCOMPLETE, f"{float(rep['hold_s']):.1f} s so far"
        else:
            result = "good" if rep["good"] else "fault: " + ", ".join(rep["faults"])
            hold = f"{float(rep['hold_s']):.1f} s"
        rows.append(
            (
                str(number),
                rep["side"] or "-",
                f"{float(rep['start_s']):.1f} s",
                hold,
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

# Each drawn item's SVG group id (`<g id="hold-2" class="hold">`).
ANGLE_ID, HOLD_ID, BAND_ID, FAULT_ID = "angle-{}", "hold-{}", "target-band-{}", "fault-{}"


def plot_svg(data: PlotData) -> str:
    """The plot as an inline `<svg>` element (text as text, no external references)."""
    # Imported here: matplotlib takes half a second to load and only the report draws with it.
    import matplotlib
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure

    with matplotlib.rc_context(
        {
            "svg.fonttype": "none",  # the page's fonts, not glyph outlines
            "svg.hashsalt": "coach",  # the same session gives the same page
            "path.simplify": False,  # one vertex per frame, as measured
            "font.size": 11,
        }
    ):
        figure = Figure(figsize=(12, 4.4))
        axes = figure.add_subplot()
        for number, (low, high) in enumerate(data.bands, start=1):
            axes.axhspan(low, high, color=TARGET_COLOUR, alpha=TARGET_ALPHA, lw=0, gid=BAND_ID.format(number))
        for hold in data.holds:
            colour = HOLD_GOOD_COLOUR if hold.good else HOLD_FAULT_COLOUR
            axes.axvspan(
                hold.start_s, hold.end_s, color=colour, alpha=HOLD_ALPHA, lw=0, gid=HOLD_ID.format(hold.rep)
            )
            axes.annotate(  # the rep's number over its hold, as in the table
                str(hold.rep),
                ((hold.start_s + hold.end_s) / 2, 1.0),
                xycoords=("data", "axes fraction"),
                xytext=(0, 3),
                textcoords="offset points",
                ha="center",
                color="#555555",
            )
        axes.axhline(0.0, color="#666666", lw=1)
        for number, run in enumerate(data.runs, start=1):
            times, angles = zip(*run, strict=True)
            marker = "o" if len(run) == 1 else ""  # a lone frame between gaps is a dot
            axes.plot(
                times, angles, color=LINE_COLOUR, lw=2, marker=marker, ms=3, gid=ANGLE_ID.format(number)
            )
        for fault in data.faults:
            axes.plot(
                [fault.t_s],
                [fault.angle_deg],
                "o",
                ms=11,
                color=FAULT_COLOUR,
                mec="white",
                mew=1.5,
                gid=FAULT_ID.format(fault.rep),
            )
            above = fault.angle_deg >= 0
            axes.annotate(
                fault.caption,
                (fault.t_s, fault.angle_deg),
                xytext=(0, 9 if above else -9),
                textcoords="offset points",
                ha="center",
                va="bottom" if above else "top",
                color="#b01c1c",
                fontweight="bold",
            )
        low, high = data.angle_range
        pad = max(2.0, 0.12 * (high - low))  # room for the fault captions
        axes.set_ylim(low - pad, high + pad)
        axes.set_xlim(*data.t_range)
        axes.set_xlabel("time (s)")
        axes.set_ylabel(data.y_label)
        axes.grid(axis="y", color="#e4e4e4")
        axes.set_axisbelow(True)
        figure.tight_layout()
        out = io.StringIO()
        FigureCanvasSVG(figure).print_svg(
            out, metadata={"Creator": None, "Date": None, "Format": None, "Type": None}
        )
    svg = out.getvalue()
    svg = svg[svg.index("<svg") :]  # inline: no XML declaration or DOCTYPE
    # matplotlib writes no classes: each item's group gets its kind (`class="hold"`) for styles and checks.
    svg = re.sub(r'<g id="(angle|hold|target-band|fault)-(\d+)">', r'<g id="\1-\2" class="\1">', svg)
    return svg.replace("<svg ", '<svg class="plot" role="img" aria-label="angle over time" ', 1)


STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px; color: #222; }
body { max-width: 960px; }
h1 { font-size: 1.4em; margin-bottom: 0.2em; }
.meta { color: #555; margin-top: 0; }
.summary span { display: inline-block; margin-right: 1.5em; }
svg.plot { width: 100%; height: auto; }
.legend span { display: inline-block; margin-right: 1.2em; font-size: 0.9em; }
.swatch { display: inline-block; width: 14px; height: 10px; margin-right: 4px; vertical-align: middle; }
table { border-collapse: collapse; margin-top: 1em; }
th, td { border-bottom: 1px solid #ddd; padding: 4px 12px; text-align: left; }
td.fault { color: #b01c1c; }
td.good { color: #1e7a1e; }
td.incomplete { color: #666; font-style: italic; }
.note { color: #8a5a00; }
dl.calibration { display: grid; grid-template-columns: max-content auto; gap: 2px 12px; font-size: 0.9em; }
dl.calibration dt { color: #555; }
dl.calibration dd { margin: 0; }
"""


def render_page(
    report: dict[str, Any],
    plot: PlotData,
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
    if report.get("reps_reason"):
        body.append(f'<p class="note why">{_text(str(report["reps_reason"]))}</p>')
    if next_session:
        body.append(f'<p class="next">Next session: {_text(next_session)}</p>')
    body.append(_legend())
    body.append(plot_svg(plot))
    if plot.note:
        body.append(f'<p class="note">{_text(plot.note)}</p>')
    body.append(_rep_table(rep_rows(report)))
    body.append(_calibration(calibration_rows(report.get("calibration") or {}, exercise)))
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
    return render_page(report, plot_data(report, series), recorded=recorded, next_session=next_session)


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
        css = "good" if row[-1] == "good" else "incomplete" if row[-1] == INCOMPLETE else "fault"
        cells = "".join(f"<td>{_text(cell)}</td>" for cell in row[:-1])
        lines.append(f'<tr>{cells}<td class="{css}">{_text(row[-1])}</td></tr>')
    return f'<table class="reps"><thead><tr>{head}</tr></thead><tbody>{"".join(lines)}</tbody></table>'


def _calibration(rows: Sequence[tuple[str, str]]) -> str:
    if not rows:
        return ""
    items = "".join(f"<dt>{_text(label)}</dt><dd>{_text(value)}</dd>" for label, value in rows)
    return f'<h2>Calibration</h2><dl class="calibration">{items}</dl>'


def _text(value: str) -> str:
    return html.escape(value, quote=True)
