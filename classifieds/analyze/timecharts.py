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
from classifieds.analyze.summary import time_keys

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["MAX_SERIES", "draw_lines", "time_panels", "undated_note"]

MAX_SERIES: Final = 8
"""A chart over time shows at most this many lines, the largest groups."""
_MAX_TICKS: Final = 12  # date labels on a time axis, at most

_ROOMY: Final = 24  # points in a panel that can each say "n=…"; more say the number only
_MOST_NUMBERED: Final = 40  # time buckets on the axis that can each carry their number
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
    for number, (label, points, _, _) in enumerate(lines):
        colour = f"C{number % 10}"
        total = sum(n for _, _, n, _ in points)
        moments, medians = [p[0] for p in points], [p[1] for p in points]
        axes.plot(
            moments,
            medians,
            marker="o",
            markersize=6 if numbered else 3,  # hundreds of days: dots, not a chain of discs
            color=colour,
            label=f"{label} (n={total})",
        )
        for day, median, n, _ in points if numbered else ():
            axes.annotate(
                str(n) if crowded else f"n={n}",
                (day, median),
                textcoords="offset points",
                xytext=(0, 7),
                ha="center",
                fontsize="x-small",
                color=colour,
                path_effects=halo,
            )
    log = price_axis(axes, "y", [point[1] for line in lines for point in line.data])
    low, high = axes.get_ylim()
    axes.set_ylim(low, high * 1.15 if log else high + (high - low) * 0.08)  # room for the n
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
    axes.set_ylabel(price_label("Median asking price", panel, log))
    axes.grid(color="0.9")
    column, _, unit = time_keys(keys)[0].partition(":")
    if not numbered:
        longer = {"day": f" (--by {column}:week or :month)", "week": f" (--by {column}:month)"}
        return (
            f"Points: the median asking price of each {unit} · {len(buckets)} {unit}s, too"
            " many to give n at each: the summary table has them, or group by a longer"
            f" period{longer.get(unit, '')}."
        )
    return f"Points: the median asking price of each {unit} · n above each: ads with a price."


def undated_note(summary: pd.DataFrame, keys: Sequence[str]) -> str:
    bucket = time_keys(keys)[0]
    count = int(summary.loc[summary[bucket].isna(), "ads"].sum())
    return f"{count} undated ads not drawn." if count else ""
