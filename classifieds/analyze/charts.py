"""Charts of a price summary, as PNG files a report can show, in euros.

Two kinds of chart, told by the summary: a summary grouped by a date bucket
(``first_seen:month``) is a line of medians over time, with the number of prices at each point;
any other summary has one row per group (``box``: the spread of its prices, ``bar``: its
median). Rents and sales never share an axis: real estate is drawn in one panel per
transaction, the other categories in a panel of their own, each with its own price axis (a log
scale when its prices span orders of magnitude). A label names everything its group pools
(``Caen · automobile``); long ones are cut with ``…`` and titles are wrapped, so that nothing is
clipped; every point lies inside its axis.

matplotlib is imported inside :func:`plot_prices`, so that the command line starts fast when it
draws nothing; figures are drawn on the non-interactive Agg canvas, never on a display. The PNG
carries no timestamp or version, so the same summary gives the same bytes with the same
matplotlib, and it embeds the summary it was drawn from (text chunk :data:`SUMMARY_KEY`, the CSV
of :func:`~classifieds.analyze.report.render`): a chart can be checked against its data
without looking at pixels.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal

import pandas as pd

from classifieds.analyze.panels import (
    Drawn,
    label_of,
    panel_of,
    panel_title,
    price_axis,
    price_label,
)
from classifieds.analyze.report import format_eur, group_keys, group_label, render
from classifieds.analyze.summary import MIN_PRICES_FOR_QUARTILES, time_keys
from classifieds.analyze.timecharts import draw_lines, time_panels, undated_note
from classifieds.errors import OutputError

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "MAX_GROUPS",
    "SUMMARY_KEY",
    "Chart",
    "PlotKind",
    "draw_prices",
    "drawable",
    "drawn_text",
    "figure_size",
    "plot_prices",
    "writable_chart",
]

PlotKind = Literal["box", "bar"]
MAX_GROUPS: Final = 30
"""A chart shows at most this many groups, the largest: more would not be readable."""
SUMMARY_KEY: Final = "Summary"
"""PNG text chunk holding the CSV of the summary the chart shows."""
WIDTH_IN: Final = 10.0
DPI: Final = 100
_ROW_IN: Final = 0.45  # height per group, inches
_PANEL_IN: Final = 0.8  # a panel's title and price axis
_FRAME_IN: Final = 0.9  # the chart's title and caption
_TIME_PANEL_IN: Final = 2.6  # a panel of a chart over time
_TALL_PANEL: Final = 12  # groups from which a panel's price axis is labelled above and below
_TITLE_WIDTH: Final = 90  # characters per line of a title (large type)
_CAPTION_WIDTH: Final = 130  # characters per line of the caption (small type)
_BLUE, _RED, _PALE = "#1f4e79", "#c0392b", "#cfe0f3"


@dataclass(frozen=True)
class Chart:
    """A chart drawn, not yet saved: its figure, title, and the labels of each panel."""

    figure: Figure
    title: str
    panels: dict[str, list[str]]
    """Each panel's title (empty for a chart of one panel without one) and the full labels of
    its groups or lines, top to bottom."""

    @property
    def labels(self) -> list[str]:
        """Return the full labels of every group drawn, panel by panel."""
        return [label for labels in self.panels.values() for label in labels]


def figure_size(rows_per_panel: Sequence[int], *, over_time: bool = False) -> tuple[int, int]:
    """Return the pixel size (width, height) of a chart with these panels (groups in each).

    >>> figure_size([4]), figure_size([2, 1, 1]), figure_size([3, 2], over_time=True)
    ((1000, 350), (1000, 510), (1000, 610))
    """
    if over_time:
        height = _FRAME_IN + _TIME_PANEL_IN * max(len(rows_per_panel), 1)
    else:
        height = _FRAME_IN + sum(_PANEL_IN + _ROW_IN * max(n, 1) for n in rows_per_panel)
    return round(WIDTH_IN * DPI), round(height * DPI)


def plot_prices(
    summary: pd.DataFrame,
    prices: Sequence[Sequence[float]],
    path: str | Path,
    *,
    kind: PlotKind = "box",
    title: str | None = None,
    note: str | None = None,
) -> list[str]:
    """Draw the prices of each group of ``summary`` into the PNG file ``path``; return the labels
    of the groups (or, over time, of the lines) drawn, top to bottom.

    ``prices`` holds the known prices of each summary row (:func:`classifieds.analyze.summary.
    group_prices`). ``box`` draws each group's spread: a box from p25 to p75 with whiskers to
    min and max when it has 4 prices or more, its prices as dots below that, its median as a
    bar. ``bar`` draws each group's median. Groups without a price are left out, and only the
    :data:`MAX_GROUPS` largest are drawn. Labels give the number of prices drawn: ``(n=12)``.
    A summary grouped by a date bucket is drawn as lines of medians over time whatever
    ``kind``. ``note`` is printed under the chart: which ads were kept, for instance.
    """
    from matplotlib.style import context

    with context("default"):  # the same chart whatever the user's matplotlibrc says
        chart = draw_prices(summary, prices, kind=kind, title=title, note=note)
        metadata = {"Title": chart.title, SUMMARY_KEY: render(summary, "csv")}
        _save(chart.figure, Path(path), metadata)
    return chart.labels


def draw_prices(
    summary: pd.DataFrame,
    prices: Sequence[Sequence[float]],
    *,
    kind: PlotKind = "box",
    title: str | None = None,
    note: str | None = None,
) -> Chart:
    """Return the chart of :func:`plot_prices`, drawn on a figure that is not saved."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.style import context

    keys = group_keys(summary)
    over_time = bool(time_keys(keys))
    panels = time_panels(summary, keys) if over_time else _group_panels(summary, prices, keys)
    if title is None:
        noun = "Median asking price" if kind == "bar" or over_time else "Asking prices"
        title = f"{noun} by {' · '.join(_named(keys)) or 'listing'}"
    titled = len(panels) > 1 or any(panel is not None for panel in panels)
    with context("default"):
        width, height = figure_size([len(rows) for rows in panels.values()], over_time=over_time)
        figure = Figure(figsize=(width / DPI, height / DPI), dpi=DPI, layout="constrained")
        FigureCanvasAgg(figure)
        ratios = [
            1.0 if over_time else _PANEL_IN + _ROW_IN * max(len(rows), 1)
            for rows in panels.values()
        ]
        grid = figure.subplots(
            len(panels), 1, squeeze=False, height_ratios=ratios, sharex=over_time
        )
        caption = ""
        for axes, (panel, rows) in zip(grid[:, 0], panels.items(), strict=True):
            if over_time:
                every = [line for lines in panels.values() for line in lines]
                caption = draw_lines(axes, rows, keys, every, panel)
            elif kind == "bar":
                caption = _bars(axes, rows, panel)
            else:
                _boxes(axes, rows, panel)
                caption = _box_caption([len(d.prices) for row in panels.values() for d in row])
            if titled:
                axes.set_title(panel_title(panel), loc="left", fontsize="medium", color="0.2")
            axes.spines[["top", "right"]].set_visible(False)
            axes.set_axisbelow(True)
        figure.suptitle(_wrapped(title), x=0.01, ha="left", fontsize="large")
        undated = undated_note(summary, keys) if over_time else ""
        words = [note or "", undated, "" if over_time else _left_out(summary, prices), caption]
        caption = _wrapped(" ".join(w for w in words if w), _CAPTION_WIDTH)
        figure.supxlabel(caption, fontsize="small", color="0.35")
    drawn = {
        panel_title(panel) if titled else "": [row.full for row in rows]
        for panel, rows in panels.items()
    }
    return Chart(figure, title, drawn)


def drawable(summary: pd.DataFrame, prices: Sequence[Sequence[float]]) -> int:
    """Return how many groups of ``summary`` a chart can show: those with a price (and a date,
    for a summary over time). A chart of none is not worth writing.

    >>> summary = pd.DataFrame({"first_seen:month": [None], "category": ["automobile"],
    ...     "ads": [2], "with_price": [1]})
    >>> drawable(summary, [[9500.0]]), drawable(summary.drop(columns="first_seen:month"), [[1.0]])
    (0, 1)
    """
    times = time_keys(group_keys(summary))
    if times:
        return int((summary[times[0]].notna() & (summary["with_price"] > 0)).sum())
    return sum(1 for group in prices if group)


def drawn_text(summary: pd.DataFrame, prices: Sequence[Sequence[float]], drawn: int) -> str:
    """Return what a chart shows, for a message: ``the 30 largest of 41 groups with a price``.

    >>> summary = pd.DataFrame({"category": ["automobile"], "ads": [2], "with_price": [1]})
    >>> drawn_text(summary, [[9500.0]], 1)
    '1 group with a price'
    """
    if time_keys(group_keys(summary)):
        return f"{drawn} line{'s' * (drawn != 1)} of medians over time" if drawn else "dated price"
    priced = drawable(summary, prices)
    if not priced:
        return "ad with a price"
    shown = f"the {drawn} largest of {priced}" if drawn < priced else str(priced)
    return f"{shown} group{'s' * (priced != 1)} with a price"


def _left_out(summary: pd.DataFrame, prices: Sequence[Sequence[float]]) -> str:
    """Return what the caption says of the groups past :data:`MAX_GROUPS`, if any."""
    priced = drawable(summary, prices)
    if priced <= MAX_GROUPS:
        return ""
    return f"The {MAX_GROUPS} largest of {priced} groups with a price; --top or --where for others."


def _group_panels(
    summary: pd.DataFrame, prices: Sequence[Sequence[float]], keys: Sequence[str]
) -> dict[Any, list[Drawn]]:
    """Return the groups to draw with a price, by panel (transaction), largest first."""
    panels: dict[Any, list[Drawn]] = {}
    drawn = 0
    for (_, row), group in zip(summary.iterrows(), prices, strict=True):
        if group and drawn < MAX_GROUPS:
            label = f"{label_of(row, keys)} (n={len(group)})"
            full = f"{group_label([row[key] for key in keys], keys)} (n={len(group)})"
            drawn_row = Drawn(label, row, list(group), full)
            panels.setdefault(panel_of(row, keys), []).append(drawn_row)
            drawn += 1
    return panels or {None: []}


def _boxes(axes: Axes, rows: Sequence[Drawn], panel: Any) -> None:
    """Draw each group's spread: a box from 4 prices, dots below."""
    for y, (_, row, group, _) in enumerate(rows):
        if len(group) >= MIN_PRICES_FOR_QUARTILES:
            stats = {
                "med": row["median"],
                "q1": row["p25"],
                "q3": row["p75"],
                "whislo": row["min"],
                "whishi": row["max"],
                "fliers": [],
            }
            axes.bxp(
                [stats],
                positions=[y],
                orientation="horizontal",
                widths=0.6,
                patch_artist=True,
                manage_ticks=False,
                boxprops={"facecolor": _PALE, "edgecolor": _BLUE},
                whiskerprops={"color": _BLUE},
                capprops={"color": _BLUE},
                medianprops={"color": _RED, "linewidth": 2},
            )
        else:
            axes.plot(group, [y] * len(group), "o", color=_BLUE, markersize=6)
            axes.plot([row["median"]] * 2, [y - 0.3, y + 0.3], color=_RED, linewidth=2)
    log = price_axis(axes, "x", [price for drawn in rows for price in drawn.prices])
    _group_axis(axes, rows)
    axes.set_xlabel(price_label("Asking price", panel, log))
    axes.grid(axis="x", color="0.9")


def _box_caption(sizes: Sequence[int]) -> str:
    """Return the caption that reads a box chart of groups of these sizes: no box explained
    where none is drawn (groups of fewer than 4 prices are dots), no dots where all are boxes.

    >>> _box_caption([1])
    'Dots: each price · red: median · n: ads with a price.'
    >>> _box_caption([12, 5])
    'Red: median · box: p25 to p75 and whiskers: min to max · n: ads with a price.'
    """
    boxes = any(size >= MIN_PRICES_FOR_QUARTILES for size in sizes)
    dots = any(size < MIN_PRICES_FOR_QUARTILES for size in sizes)
    parts = ["Dots: each price"] if dots else []
    parts.append("red: median" if dots else "Red: median")
    if boxes:
        box = "box: p25 to p75 and whiskers: min to max"
        parts.append(f"{box}, from {MIN_PRICES_FOR_QUARTILES} prices" if dots else box)
    return " · ".join([*parts, "n: ads with a price."])


def _bars(axes: Axes, rows: Sequence[Drawn], panel: Any) -> str:
    medians = [float(drawn.data["median"]) for drawn in rows]
    log = price_axis(axes, "x", medians)  # log when the medians span a factor of 100
    low, high = axes.get_xlim()
    if log:  # bars from the left edge, room for the amounts on the right
        start, limits = low, (low, high * (high / low) ** 0.15)
    else:
        start, limits = 0.0, (0.0, max(medians, default=1.0) * 1.3 or 1.0)
    axes.set_xlim(*limits)
    lengths = [median - start for median in medians]
    bars = axes.barh(range(len(rows)), lengths, left=start, height=0.6, color="#5b8fc7")
    axes.bar_label(bars, [format_eur(m) for m in medians], padding=4, fontsize="small")
    _group_axis(axes, rows)
    axes.set_xlabel(price_label("Median asking price", panel, log))
    axes.grid(axis="x", color="0.9")
    return "n: ads with a price."


def _group_axis(axes: Axes, rows: Sequence[Drawn]) -> None:
    axes.set_yticks(range(len(rows)), [drawn.label for drawn in rows])
    axes.set_ylim(len(rows) - 0.5, -0.5)  # largest group on top
    if len(rows) >= _TALL_PANEL:  # the top rows are far from the axis below: label it above too
        axes.tick_params(axis="x", which="both", top=True, labeltop=True)


def _named(keys: Sequence[str]) -> list[str]:
    """Return the keys of a chart's title, a property's and a vehicle's type as one ``type``.

    >>> _named(["town", "category", "transaction", "property_type", "vehicle_type"])
    ['town', 'category', 'transaction', 'type']
    """
    kinds = {"property_type", "vehicle_type"}
    if not kinds <= set(keys):
        return list(keys)
    return list(dict.fromkeys("type" if key in kinds else key for key in keys))


def _wrapped(text: str, width: int = _TITLE_WIDTH) -> str:
    """Return text broken into lines of ``width`` characters at most, at spaces."""
    return "\n".join(textwrap.wrap(text, width)) or text


def writable_chart(path: str | Path) -> None:
    """Raise :class:`OutputError`, saying how to fix it, unless a chart can be written at
    ``path``: its folder exists and takes a new file (tried), and ``path`` is no folder.

    Called before any work, so that a command fails in one line before printing anything.
    """
    path = Path(path)
    folder = path.parent
    try:
        if path.is_dir():
            raise OutputError(
                f"Cannot write the chart {path}: it is a folder. Give --plot a file name in it,"
                f" e.g. --plot {path / 'prices.png'}."
            )
        if folder.exists() and not folder.is_dir():
            raise OutputError(
                f"Cannot write the chart {path}: {folder} is a file, not a folder. Choose"
                " another path for --plot."
            )
        if not folder.is_dir():
            raise OutputError(
                f"Cannot write the chart {path}: the folder {folder} does not exist. Create it"
                f" (mkdir -p {folder}) or choose another path for --plot."
            )
        probe, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as error:
        raise OutputError(
            f"Cannot write the chart {path}: {folder} does not take new files"
            f" ({error.strerror or error}). Choose a folder you may write in for --plot."
        ) from error
    os.close(probe)
    os.unlink(name)


def _save(figure: Figure, path: Path, metadata: dict[str, str]) -> None:
    """Write the PNG beside ``path`` then rename it into place: never a half-written chart."""
    staging = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        figure.savefig(staging, format="png", metadata={"Software": None, **metadata})
        os.replace(staging, path)
    except OSError as error:
        raise OutputError(
            f"Cannot write the chart {path}: {error.strerror or error}."
            " Choose a writable path for --plot."
        ) from error
    finally:
        with contextlib.suppress(OSError):  # not there, or its folder is a file
            staging.unlink()
