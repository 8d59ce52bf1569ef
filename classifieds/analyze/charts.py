"""Charts of a price summary, as PNG files a report can show: one row per group, prices in euros.

matplotlib is imported inside :func:`plot_prices`, so that the command line starts fast when it
draws nothing; figures are drawn on the non-interactive Agg canvas, never on a display. The PNG
carries no timestamp or version, so the same summary gives the same bytes with the same
matplotlib, and it embeds the summary it was drawn from (text chunk :data:`SUMMARY_KEY`, the CSV
of :func:`~classifieds.analyze.report.render`): a chart can be checked against its data
without looking at pixels.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Final, Literal

import pandas as pd

from classifieds.analyze.report import format_eur, group_keys, group_label, render
from classifieds.analyze.summary import MIN_PRICES_FOR_QUARTILES
from classifieds.errors import OutputError

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["MAX_GROUPS", "SUMMARY_KEY", "PlotKind", "plot_prices"]

PlotKind = Literal["box", "bar"]
MAX_GROUPS: Final = 30
"""A chart shows at most this many groups, the largest: more would not be readable."""
SUMMARY_KEY: Final = "Summary"
"""PNG text chunk holding the CSV of the summary the chart shows."""
WIDTH_IN: Final = 10.0
DPI: Final = 100
_ROW_IN: Final = 0.5  # height per group, inches
_FRAME_IN: Final = 1.5  # title, axis and caption
_LOG_SPAN: Final = 100  # prices spanning this ratio or more are drawn on a log scale


def figure_size(groups: int) -> tuple[int, int]:
    """Return the pixel size (width, height) of a chart of ``groups`` groups.

    >>> figure_size(4)
    (1000, 350)
    """
    height = _FRAME_IN + _ROW_IN * max(groups, 1)
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
    of the groups drawn, top to bottom.

    ``prices`` holds the known prices of each summary row (:func:`classifieds.analyze.summary.
    group_prices`). ``box`` draws each group's spread: a box from p25 to p75 with whiskers to
    min and max when it has 4 prices or more, its prices as dots below that, its median as a
    bar. ``bar`` draws each group's median. Groups without a price are left out, and only the
    :data:`MAX_GROUPS` largest are drawn. Labels give the number of prices drawn: ``(n=12)``.
    ``note`` is printed small beside the title: which ads were kept, for instance.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.style import context

    keys = group_keys(summary)
    rows: list[_Row] = []
    for (_, row), group in zip(summary.iterrows(), prices, strict=True):
        if group and len(rows) < MAX_GROUPS:
            label = f"{group_label([row[key] for key in keys])} (n={len(group)})"
            rows.append((label, row, list(group)))
    if title is None:
        noun = "Median asking price" if kind == "bar" else "Asking prices"
        title = f"{noun} by {' · '.join(keys) or 'listing'}"
    with context("default"):  # the same chart whatever the user's matplotlibrc says
        width, height = figure_size(len(rows))
        figure = Figure(figsize=(width / DPI, height / DPI), dpi=DPI, layout="constrained")
        FigureCanvasAgg(figure)
        axes = figure.add_subplot()
        if kind == "bar":
            _bars(axes, rows)
            axes.set_xlabel("Median asking price (€)")
            caption = "n: ads with a price"
        else:
            log = _boxes(axes, rows)
            axes.set_xlabel("Asking price (€, log scale)" if log else "Asking price (€)")
            caption = (
                "dots: each price · red: median · box: p25 to p75 and whiskers: min to max,"
                f" from {MIN_PRICES_FOR_QUARTILES} prices · n: ads with a price"
            )
        figure.supxlabel(caption, fontsize="small", color="0.35")
        axes.set_yticks(range(len(rows)), [label for label, _, _ in rows])
        axes.set_ylim(len(rows) - 0.5, -0.5)  # largest group on top
        axes.set_title(title, loc="left", fontsize="large")
        if note:
            axes.set_title(note, loc="right", fontsize="small", color="0.35")
        axes.grid(axis="x", color="0.9")
        axes.set_axisbelow(True)
        axes.spines[["top", "right"]].set_visible(False)
        _save(figure, Path(path), {"Title": title, SUMMARY_KEY: render(summary, "csv")})
    return [label for label, _, _ in rows]


_Row = tuple[str, "pd.Series[float]", list[float]]


def _boxes(axes: Axes, rows: Sequence[_Row]) -> bool:
    """Draw each group's spread; return whether the price axis is logarithmic."""
    from matplotlib.ticker import FuncFormatter, NullFormatter

    for y, (_, row, group) in enumerate(rows):
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
                boxprops={"facecolor": "#cfe0f3", "edgecolor": "#1f4e79"},
                whiskerprops={"color": "#1f4e79"},
                capprops={"color": "#1f4e79"},
                medianprops={"color": "#c0392b", "linewidth": 2},
            )
        else:
            axes.plot(group, [y] * len(group), "o", color="#1f4e79", markersize=6)
            axes.plot([row["median"]] * 2, [y - 0.3, y + 0.3], color="#c0392b", linewidth=2)
    every = [price for _, _, group in rows for price in group]
    log = bool(every) and min(every) > 0 and max(every) / min(every) >= _LOG_SPAN
    if log:
        axes.set_xscale("log")
        axes.xaxis.set_minor_formatter(NullFormatter())
    axes.xaxis.set_major_formatter(FuncFormatter(lambda value, _: format_eur(value)))
    return log


def _bars(axes: Axes, rows: Sequence[_Row]) -> None:
    from matplotlib.ticker import FuncFormatter

    medians = [float(row["median"]) for _, row, _ in rows]
    bars = axes.barh(range(len(rows)), medians, height=0.6, color="#5b8fc7")
    axes.bar_label(bars, [format_eur(m) for m in medians], padding=4, fontsize="small")
    axes.margins(x=0.15)
    axes.xaxis.set_major_formatter(FuncFormatter(lambda value, _: format_eur(value)))


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
        staging.unlink(missing_ok=True)
