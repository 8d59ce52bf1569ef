"""Rows to look at: the listings (or sightings) that pass ``--where`` conditions, some columns,
sorted, the first N, printed as an aligned table, CSV or JSON.

The conditions are those of summaries (:func:`classifieds.analyze.query.select`). Dates print as
ISO 8601 in UTC (``2026-02-03T10:00:00Z``) in every format. ``table`` is for a terminal: prices
the French way, long text cut with an ellipsis, control characters shown as ``�``, ``—`` for
null. ``csv`` and ``json`` carry the full text and plain numbers; a CSV text cell that a
spreadsheet would run as a formula gets a leading ``'``, as in ``listings.csv``.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from types import MappingProxyType
from typing import Any, Final, Literal

import pandas as pd

from classifieds.analyze.query import Conditions, collated, select, unknown_column
from classifieds.analyze.report import (
    NONE,
    aligned,
    cells_of,
    format_eur,
    iso_utc,
    mapped,
    printable,
    spreadsheet_text,
)
from classifieds.errors import QueryError

__all__ = [
    "DEFAULT_COLUMNS",
    "DEFAULT_LIMIT",
    "ROW_FORMATS",
    "Browse",
    "browse",
    "render_history",
    "render_rows",
]

Table = Literal["listings", "sightings"]
RowFormat = Literal["table", "csv", "json"]
ROW_FORMATS: Final[tuple[RowFormat, ...]] = ("table", "csv", "json")
DEFAULT_LIMIT: Final = 20
"""Rows shown when no ``--limit`` is given: a screenful."""
DEFAULT_COLUMNS: Final = MappingProxyType(
    {
        "listings": (
            "listing_id",
            "category",
            "transaction",
            "title",
            "town",
            "postcode",
            "price_eur",
            "first_seen",
            "last_seen",
        ),
        "sightings": ("listing_id", "fetched_at", "price_eur", "source", "line", "url"),
    }
)
"""The columns shown when ``--columns`` is not given, per table."""
MAX_CELL: Final = 40
"""A table cell's width at most, in characters: longer text ends in ``…``."""
_MONEY: Final = frozenset({"price_eur"})


@dataclass(frozen=True)
class Browse:
    """The rows to show, and how many rows matched in all (before the limit)."""

    rows: pd.DataFrame
    matched: int

    def count_line(self, noun: str) -> str:
        """Return what stderr says about the rows: how many matched, how many are shown.

        >>> Browse(pd.DataFrame({"a": [1, 2]}), 137).count_line("listings")
        '2 of 137 listings matching; --limit 0 shows them all.'
        >>> Browse(pd.DataFrame({"a": [1]}), 1).count_line("listings")
        '1 of 1 listings matching.'
        """
        line = f"{len(self.rows)} of {self.matched} {noun} matching"
        return f"{line}; --limit 0 shows them all." if len(self.rows) < self.matched else f"{line}."


def browse(
    frame: pd.DataFrame,
    *,
    table: Table = "listings",
    where: Conditions = (),
    columns: Sequence[str] = (),
    sort: Sequence[str] = (),
    limit: int | None = DEFAULT_LIMIT,
) -> Browse:
    """Return the rows of ``frame`` that pass ``where``, sorted, the first ``limit`` of them
    (all when ``limit`` is None or 0), with ``columns`` (the table's defaults when none).

    ``sort`` holds ``COLUMN`` or ``COLUMN:desc`` (``:asc`` too); nulls come last either way,
    and rows that tie keep the dataset's order.

    >>> ads = pd.DataFrame({"title": ["Vélo", "Clio", "Yaris"], "price_eur": [40.0, 9200.0, None]})
    >>> chosen = browse(ads, columns=["title"], sort=["price_eur:desc"], limit=2)
    >>> chosen.rows["title"].tolist(), chosen.matched
    (['Clio', 'Vélo'], 3)
    """
    shown = list(dict.fromkeys(columns)) or [c for c in DEFAULT_COLUMNS[table] if c in frame]
    for column in shown:
        if column not in frame.columns:
            raise QueryError(unknown_column(column, frame, "to show"))
    rows = select(frame, where=where)
    keys = [_sort_key(text, frame) for text in sort]
    if keys:
        rows = rows.sort_values(
            [column for column, _ in keys],
            ascending=[ascending for _, ascending in keys],
            na_position="last",
            kind="mergesort",
            key=collated,
        )
    matched = len(rows)
    if limit:
        rows = rows.head(limit)
    return Browse(rows[shown].reset_index(drop=True), matched)


def _sort_key(text: str, frame: pd.DataFrame) -> tuple[str, bool]:
    column, _, direction = (part.strip() for part in text.partition(":"))
    if column not in frame.columns:
        raise QueryError(unknown_column(column, frame, "to sort by"))
    if direction not in ("", "asc", "desc"):
        raise QueryError(
            f"Cannot sort by {text!r}: write COLUMN, COLUMN:asc or COLUMN:desc,"
            " e.g. price_eur:desc."
        )
    return column, direction != "desc"


def render_rows(
    rows: pd.DataFrame, output_format: RowFormat, *, width: int | None = MAX_CELL
) -> str:
    """Return the rows in ``output_format``, ending with a newline (CSV: the header at least).

    In a table, text is cut at ``width`` characters (None: never).
    """
    header = [str(column) for column in rows.columns]
    # Column by column, each distinct value formatted once: a dataset's cells repeat (towns,
    # categories, prices, dates), and 240,000 rows took 12 s cell by cell.
    columns = [mapped(cells_of(rows[column]), _plain) for column in rows.columns]
    if output_format == "json":
        records = [dict(zip(header, row, strict=True)) for row in zip(*columns, strict=True)]
        return json.dumps(records, ensure_ascii=False, indent=2) + "\n"
    if output_format == "csv":
        lines = io.StringIO()
        writer = csv.writer(lines, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(zip(*(mapped(column, _csv_cell) for column in columns), strict=True))
        return lines.getvalue()
    cells = [
        [name, *mapped(column, partial(_table_cell, name, width=width))]
        for name, column in zip(header, columns, strict=True)
    ]
    numeric = [pd.api.types.is_numeric_dtype(rows[column]) for column in rows.columns]
    return aligned(cells, numeric)


def render_history(seen: pd.DataFrame, output_format: RowFormat) -> str:
    """Return the price history of an ad (the frame of :func:`classifieds.history`) as ``rows``
    prints sightings: in a table, prices the French way and ``—`` for null, as summaries print
    them, under the title ``PRICE HISTORY``, without the columns null throughout (no URLs, no
    dates) and with text uncut (a URL to copy); ``csv`` and ``json`` with every column, plain
    numbers.

    >>> seen = pd.DataFrame({"fetched_at": [pd.NaT], "price_eur": [16200.0], "url": [None],
    ...     "source": ["p.txt"], "line": [4]})
    >>> print(render_history(seen, "table").replace("\u00a0", " "), end="")
    PRICE HISTORY
    price_eur  source  line
     16 200 €  p.txt      4
    """
    if output_format != "table":
        return render_rows(seen, output_format)
    known = [column for column in seen.columns if seen[column].notna().any()]
    return "PRICE HISTORY\n" + render_rows(seen[known], "table", width=None)


def _plain(value: Any) -> Any:
    """Return a cell as a JSON value: dates as ISO 8601 UTC text, numpy scalars as Python."""
    if value is None or (not isinstance(value, str) and bool(pd.isna(value))):
        return None
    if isinstance(value, datetime):
        return iso_utc(value)
    if hasattr(value, "item"):
        return value.item()
    return value


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return spreadsheet_text(value)
    return str(value)


def _table_cell(column: str, value: Any, width: int | None = MAX_CELL) -> str:
    if value is None:
        return NONE
    if column in _MONEY and isinstance(value, int | float):
        return format_eur(float(value))
    if isinstance(value, float):
        return repr(value).removesuffix(".0") if math.isfinite(value) else str(value)
    text = printable(str(value))
    return text if width is None or len(text) <= width else text[: width - 1] + "…"
