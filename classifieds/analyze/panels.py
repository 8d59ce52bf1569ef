"""What the panels of a chart share: which panel a group is drawn in, its label, a price axis.

Rents and sales never share an axis: real estate is drawn in one panel per transaction, the
other categories in a panel of their own, titled :data:`PANEL_TITLES`. A label names what its
group pools (``Caen · automobile``) in about :data:`MAX_LABEL` characters, the transaction
left to its panel's title. A price axis holds every value drawn on it, with a margin, on a log
scale when they span orders of magnitude.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final, Literal, NamedTuple

import pandas as pd

from classifieds.analyze.report import format_eur, group_label, key_label
from classifieds.analyze.summary import UNKNOWN_TRANSACTION
from classifieds.analyze.ticks import price_locator

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "MAX_LABEL",
    "PANEL_TITLES",
    "Drawn",
    "cut",
    "label_of",
    "panel_of",
    "panel_title",
    "price_axis",
    "price_label",
]

MAX_LABEL: Final = 40
"""A group's label is cut to this many characters (with ``…``) before its ``(n=…)``."""
_LOG_SPAN: Final = 100  # prices spanning this ratio or more are drawn on a log scale
_MIN_SPAN: Final = 0.2
"""A linear price axis spans at least this share of its top value."""
PANEL_TITLES: Final = MappingProxyType(
    {
        "location": "Rents (location), per month",
        "vente": "Sales (vente)",
        "viager": "Viager (bouquet)",
        UNKNOWN_TRANSACTION: "Real estate, transaction not told",
    }
)
_OTHER_PANEL: Final = "Other categories (no transaction)"


class Drawn(NamedTuple):
    """A group (or a line over time) as drawn."""

    label: str  # as shown: without the transaction, which the panel's title says
    data: Any  # the group's summary row, or a line's points
    prices: list[float]
    full: str  # every key of the group, for the caller


def cut(text: str, width: int = MAX_LABEL) -> str:
    """Return ``text`` cut to ``width`` characters, ending in ``…`` when it was longer.

    >>> cut("Saint-Sébastien-sur-Loire · immobilier · location", 30)
    'Saint-Sébastien-sur-Loire · i…'
    """
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def label_of(row: pd.Series[Any], keys: Sequence[str]) -> str:
    """Return what a group pools, but its transaction (the title of its panel says it), in
    :data:`MAX_LABEL` characters or so: each key value is cut to its share of them, but the
    category, which must always show, and a moment (``--by fetched_at``), which tells the
    groups apart.

    >>> row = pd.Series({"title": "Appartement T2 meublé centre-ville proche gare",
    ...     "town": "Saint-Sébastien-sur-Loire", "category": "immobilier"})
    >>> label_of(row, ["title", "town", "category", "transaction"])
    'Appartement… · Saint-Sébas… · immobilier'
    """
    named = [key for key in keys if key != "transaction" and key_label(row[key], key)]
    parts = [key_label(row[key], key) for key in named]
    whole = [key == "category" or isinstance(row[key], datetime) for key in named]
    if len(" · ".join(parts)) > MAX_LABEL:
        kept = sum(len(part) for part, keep in zip(parts, whole, strict=True) if keep)
        others = whole.count(False) or 1
        share = max(8, (MAX_LABEL - kept - 3 * (len(parts) - 1)) // others)
        parts = [
            part if keep else cut(part, share) for part, keep in zip(parts, whole, strict=True)
        ]
    return " · ".join(parts) or group_label([])


def panel_of(row: pd.Series[Any], keys: Sequence[str]) -> Any:
    value = row["transaction"] if "transaction" in keys else None
    return None if value is None or pd.isna(value) else value


def panel_title(panel: Any) -> str:
    return _OTHER_PANEL if panel is None else PANEL_TITLES.get(panel, str(panel))


def price_label(noun: str, panel: Any, log: bool) -> str:
    """Return the title of a price axis: its unit, a month's rent in the rents' panel.

    >>> price_label("Asking price", "location", True), price_label("Median", None, False)
    ('Asking price (€ a month, log scale)', 'Median (€)')
    """
    unit = "€ a month" if panel == "location" else "€"
    return f"{noun} ({unit}, log scale)" if log else f"{noun} ({unit})"


def price_axis(
    axes: Axes, which: Literal["x", "y"], values: Sequence[float], log_span: float = _LOG_SPAN
) -> bool:
    """Scale a price axis so that every value lies inside it, with a margin; return whether it
    is logarithmic (prices spanning ``log_span`` or more, :data:`_LOG_SPAN` by default).

    Its labels are as many as its length holds (:mod:`.ticks`): 1, 2 and 5 of each power of
    ten on a log axis when they fit. A linear axis spans at least :data:`_MIN_SPAN` of its top
    value, so that prices a few euros apart (337 000 € and 339 000 €) are not drawn as a rise
    from the bottom of the panel to its top.
    """
    from matplotlib.ticker import FuncFormatter, NullFormatter

    known = [v for v in values if not math.isnan(v)]
    low, high = (min(known), max(known)) if known else (0.0, 1.0)
    log = low > 0 and high / low >= log_span
    if log:
        margin = (high / low) ** 0.06
        limits = (low / margin, high * margin)
    else:
        spread = high - low
        pad = max(spread * 0.1, (abs(high) * _MIN_SPAN - spread) / 2) or 1.0
        limits = (max(low - pad, 0.0) if low >= 0 else low - pad, high + pad)
    axis = axes.xaxis if which == "x" else axes.yaxis
    if log:
        (axes.set_xscale if which == "x" else axes.set_yscale)("log")
        axis.set_minor_formatter(NullFormatter())
    (axes.set_xlim if which == "x" else axes.set_ylim)(*limits)
    axis.set_major_locator(price_locator(log=log, vertical=which == "y"))
    axis.set_major_formatter(FuncFormatter(lambda value, _: format_eur(value)))
    return log
