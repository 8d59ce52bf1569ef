"""Charts over time: a summary grouped by a date bucket (``first_seen:month``) drawn as a line
of medians per group, with the number of prices at each point.

Each bucket is placed at its first day, so that gaps in time show; the axis is labelled with
the buckets as summaries print them (``2026-02``, ``2026-W05``). Undated groups cannot be
placed: the caption counts them. At most :data:`MAX_SERIES` lines, the largest groups.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any, Final

import pandas as pd

from classifieds.analyze.dates import first_day
from classifieds.analyze.panels import Drawn, label_of, panel_of, price_axis, price_label
from classifieds.analyze.report import group_label
from classifieds.analyze.sighted import SIGHTED_COLUMN
from classifieds.analyze.summary import time_keys

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["MAX_SERIES", "draw_lines", "time_panels", "undated_note"]

MAX_SERIES: Final = 8
"""A chart over time shows at most this many lines, the largest groups."""
_MAX_TICKS: Final = 12  # date labels on a time axis, at most

_ROOMY: Final = 24  # points in a panel that can each say "n=…"; more say the number only
_MOST_NUMBERED: Final = 40  # time buckets on the axis that can each carry their number
_LINES_LOG_SPAN: Final = 10
"""Medians spanning this ratio are drawn on a log axis: on a linear one, a line of 200 € under
one of 16 000 € lies flat along the bottom of the panel, its changes out of sight."""
_ONE_LINE_LABEL: Final = 28  # a price axis's title longer than this takes two lines
_OFFSET_PT: Final = 5  # from a point to its number, in points
_NUMBER_PT: Final = 9  # the height of a number (x-small) with its halo, in points
_SHRUNK: Final = 0.85  # a panel's height once laid out, at least, of its height as placed
_Point = tuple[datetime, float, int, str]  # the bucket's first day, median, n, label


def time_panels(summary: pd.DataFrame, keys: Sequence[str]) -> dict[Any, list[Drawn]]:
    """Return the lines to draw by panel, their points in time order, largest lines first."""
    bucket = time_keys(keys)[0]
    others = [key for key in keys if key != bucket]
    dated = summary[summary[bucket].notna() & (summary["with_price"] > 0)]
    lines: dict[tuple[Any, ...], list[_Point]] = {}
    sizes: dict[tuple[Any, ...], int] = {}
    for _, row in dated.iterrows():
        series = tuple(row[key] for key in others)
        day = datetime.combine(first_day(str(row[bucket])), time())
        point = (day, float(row["median"]), int(row["with_price"]), str(row[bucket]))
        lines.setdefault(series, []).append(point)
        sizes[series] = sizes.get(series, 0) + int(row["with_price"])
    largest = sorted(lines, key=lambda series: -sizes[series])[:MAX_SERIES]
    panels: dict[Any, list[Drawn]] = {}
    for series in largest:
        row = pd.Series(dict(zip(others, series, strict=True)), dtype=object)
        panel = panels.setdefault(panel_of(row, others), [])
        full = group_label(list(series), others)
        panel.append(Drawn(label_of(row, others), sorted(lines[series]), [], full))
    return panels or {None: []}


def draw_lines(
    axes: Axes, lines: Sequence[Drawn], keys: Sequence[str], every: Sequence[Drawn], panel: Any
) -> str:
    """Draw a line of medians per group over time, n at each point, in the panel of
    transaction ``panel``; return the caption.

    The time axis spans the buckets of ``every`` line of the chart: its panels share it.
    """
    from matplotlib.patheffects import withStroke

    labels = {day: label for line in every for day, _, _, label in line.data}
    buckets = dict(sorted(labels.items()))
    crowded = sum(len(line.data) for line in lines) > _ROOMY  # then the bare number
    numbered = len(buckets) <= _MOST_NUMBERED  # beyond, the numbers would run into each other
    halo = [withStroke(linewidth=2.5, foreground="white")]  # a number stays legible on a line
    numbers: list[tuple[datetime, float, str, str]] = []  # each point's n: day, median, text
    column, _, unit = time_keys(keys)[0].partition(":")
    for number, (label, points, _, _) in enumerate(lines):
        colour = f"C{number % 10}"
        counts = [n for _, _, n, _ in points]
        # Over first_seen an ad is in one bucket: the line rests on the sum. Over fetched_at
        # it is in every bucket it was seen in, and the sum would count an ad once a bucket.
        total = f"n={sum(counts)}" if column != SIGHTED_COLUMN else f"n≤{max(counts)} a {unit}"
        moments, medians = [p[0] for p in points], [p[1] for p in points]
        axes.plot(
            moments,
            medians,
            marker="o",
            markersize=6 if numbered else 3,  # hundreds of days: dots, not a chain of discs
            color=colour,
            label=f"{label} ({total})",
        )
        numbers += [
            (day, median, str(n) if crowded else f"n={n}", colour)
            for day, median, n, _ in (points if numbered else ())
        ]
    log = price_axis(axes, "y", [p[1] for line in lines for p in line.data], _LINES_LOG_SPAN)
    low, high = axes.get_ylim()
    axes.set_ylim(low, high * 1.15 if log else high + (high - low) * 0.08)  # room for the n
    for (day, median, text, colour), above in zip(numbers, _sides(axes, numbers), strict=True):
        axes.annotate(
            text,
            (day, median),
            textcoords="offset points",
            xytext=(0, _OFFSET_PT if above else -_OFFSET_PT),
            ha="center",
            va="bottom" if above else "top",
            fontsize="x-small",
            color=colour,
            path_effects=halo,
        )
    if buckets:
        days = list(buckets)
        pad = max((days[-1] - days[0]) * 0.06, timedelta(days=1))
        axes.set_xlim(days[0] - pad, days[-1] + pad)
        ticks = days[:: math.ceil(len(days) / _MAX_TICKS)]
        slanted = len(ticks) > 6
        axes.set_xticks(
            ticks,
            [buckets[day] for day in ticks],
            rotation=30 if slanted else 0,
            ha="right" if slanted else "center",
        )
        axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small", frameon=False)
    label = price_label("Median asking price", panel, log)
    # A panel over time is 2.6 in tall: "… (€ a month, log scale)" on one line ran past it
    # into the ylabel of the panel above.
    axes.set_ylabel(label.replace(" (", "\n(", 1) if len(label) > _ONE_LINE_LABEL else label)
    axes.grid(color="0.9")
    if not numbered:
        longer = {"day": f" (--by {column}:week or :month)", "week": f" (--by {column}:month)"}
        return (
            f"Points: the median asking price of each {unit} · {len(buckets)} {unit}s, too"
            " many to give n at each: the summary table has them, or group by a longer"
            f" period{longer.get(unit, '')}."
        )
    return f"Points: the median asking price of each {unit} · n at each: ads with a price."


def _sides(axes: Axes, numbers: Sequence[tuple[datetime, float, str, str]]) -> list[bool]:
    """Return, for each point's number, whether it goes above its point (else below).

    Above, unless it would cover the number of another line's point of the same bucket drawn
    close by (two lines of medians 4 % apart): then below, where it is free. Distances are
    taken in points on the panel as laid out now, a little shorter than drawn.
    """
    height_pt = axes.get_window_extent().height / axes.figure.dpi * 72 * _SHRUNK
    to_pt = axes.transLimits  # data to the panel's fractions, on a linear or log scale

    def y_of(median: float) -> float:
        return float(to_pt.transform(axes.transScale.transform((0.0, median)))[1]) * height_pt

    sides = [True] * len(numbers)
    taken: dict[datetime, list[tuple[float, float]]] = {}  # spans of the numbers of a bucket
    order = sorted(range(len(numbers)), key=lambda at: -numbers[at][1])
    for at in order:
        day, median = numbers[at][0], numbers[at][1]
        y = y_of(median)
        spans = taken.setdefault(day, [])
        above = (y + _OFFSET_PT, y + _OFFSET_PT + _NUMBER_PT)
        below = (y - _OFFSET_PT - _NUMBER_PT, y - _OFFSET_PT)
        free = [span for span in (above, below) if not any(_meet(span, s) for s in spans)]
        chosen = free[0] if free else above
        sides[at] = chosen is above
        spans.append(chosen)
    return sides


def _meet(one: tuple[float, float], other: tuple[float, float]) -> bool:
    return one[0] < other[1] and other[0] < one[1]


def undated_note(summary: pd.DataFrame, keys: Sequence[str]) -> str:
    bucket = time_keys(keys)[0]
    count = int(summary.loc[summary[bucket].isna(), "ads"].sum())
    return f"{count} undated ads not drawn." if count else ""
