"""Where a price axis is labelled: as many prices as its length holds without their labels
touching, chosen when the chart is drawn (its layout known).

A log axis is labelled at 1, 2 and 5 of each power of ten, or 1 and 3, or the powers only: the
densest that fits (an axis that says only ``100 €`` and ``1 000 €`` does not tell 300 € from
500 €). A linear axis takes round steps (1, 2, 2.5 or 5 of a power of ten), as many as fit. A
label's width is reckoned from its text (``200 000 €`` is wider than ``5 €``) and its font.

matplotlib is imported when an axis is labelled, as everywhere in :mod:`classifieds.analyze`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Final

from classifieds.analyze.report import format_eur

__all__ = ["fits", "linear_ticks", "log_ticks", "price_locator"]

_LOG_SUBS: Final = ((1.0, 2.0, 5.0), (1.0, 3.0), (1.0,))
_STEPS: Final = (1.0, 2.0, 2.5, 5.0, 10.0)
_MOST_BINS: Final = 9
_CHAR_EM: Final = 0.62  # width of a digit or a space of DejaVu Sans, in font sizes
_GAP_EM: Final = 1.5  # space between two labels side by side, in font sizes
_LINE_EM: Final = 2.2  # height a label takes on a vertical axis, gap included


def fits(ticks: Sequence[float], length: float, font: float, *, vertical: bool) -> bool:
    """Return whether the labels of ``ticks`` fit side by side along an axis ``length`` points
    long, in a font of ``font`` points.

    >>> fits([100, 1000, 10000], 300, 10, vertical=False)
    True
    >>> fits([100 * k for k in range(1, 10)], 300, 10, vertical=False)
    False
    """
    if vertical:
        return len(ticks) * _LINE_EM * font <= length
    widest = max((len(format_eur(tick)) for tick in ticks), default=0)
    return len(ticks) * (widest * _CHAR_EM + _GAP_EM) * font <= length


def log_ticks(
    low: float, high: float, length: float, font: float, *, vertical: bool
) -> list[float]:
    """Return the prices to label on a log axis from ``low`` to ``high``: 1, 2 and 5 of each
    power of ten, or 1 and 3, or 1, the densest whose labels fit (:func:`fits`).

    >>> log_ticks(25, 30000, 600, 10, vertical=False)
    [50.0, 100.0, 200.0, 500.0, 1000.0, 2000.0, 5000.0, 10000.0, 20000.0]
    >>> log_ticks(25, 30000, 460, 10, vertical=False)
    [30.0, 100.0, 300.0, 1000.0, 3000.0, 10000.0, 30000.0]
    >>> log_ticks(25, 30000, 300, 10, vertical=False)
    [100.0, 1000.0, 10000.0]
    """
    if not 0 < low < high:
        return []
    first, last = math.floor(math.log10(low)), math.ceil(math.log10(high))
    ticks: list[float] = []
    for subs in _LOG_SUBS:
        ticks = [
            sub * 10.0**power
            for power in range(first, last + 1)
            for sub in subs
            if low <= sub * 10.0**power <= high
        ]
        if fits(ticks, length, font, vertical=vertical):
            break
    return ticks


def linear_ticks(
    low: float, high: float, length: float, font: float, *, vertical: bool
) -> list[float]:
    """Return the prices to label on a linear axis from ``low`` to ``high``: round steps, as many
    (up to 10) as fit.

    >>> linear_ticks(0, 600000, 600, 10, vertical=False)
    [0.0, 100000.0, 200000.0, 300000.0, 400000.0, 500000.0, 600000.0]
    >>> linear_ticks(0, 600000, 300, 10, vertical=False)
    [0.0, 200000.0, 400000.0, 600000.0]
    """
    from matplotlib.ticker import MaxNLocator

    ticks: list[float] = []
    for bins in range(_MOST_BINS, 0, -1):
        located = MaxNLocator(nbins=bins, steps=list(_STEPS)).tick_values(low, high)
        ticks = [float(tick) for tick in located if low <= tick <= high]
        if fits(ticks, length, font, vertical=vertical):
            break
    return ticks


def price_locator(*, log: bool, vertical: bool) -> Any:
    """Return a matplotlib locator that labels a price axis (``vertical``: a y axis) with
    :func:`log_ticks` or :func:`linear_ticks`, for its length when it is drawn."""
    from matplotlib import rcParams
    from matplotlib.font_manager import FontProperties
    from matplotlib.ticker import Locator

    size = rcParams["ytick.labelsize" if vertical else "xtick.labelsize"]
    font = FontProperties(size=size).get_size_in_points()

    class PriceLocator(Locator):
        def __call__(self) -> Sequence[float]:
            low, high = sorted(self.axis.get_view_interval())  # type: ignore[union-attr]
            return self.tick_values(low, high)

        def tick_values(self, vmin: float, vmax: float) -> Sequence[float]:
            box = self.axis.axes.bbox  # type: ignore[union-attr]  # pixels, laid out
            pixels = box.height if vertical else box.width
            length = pixels * 72 / self.axis.get_figure(root=True).dpi  # type: ignore[union-attr]
            choose = log_ticks if log else linear_ticks
            return choose(vmin, vmax, length, font, vertical=vertical)

    return PriceLocator()
