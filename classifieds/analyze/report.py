"""A price summary as text: an aligned terminal table, Markdown, CSV or JSON.

``table`` and ``markdown`` are for people: euro amounts the French way (``16 200 €``, with a
no-break space as thousands separator, which a terminal shows as a plain space) and ``—`` for a
figure there is none of. ``csv`` and ``json`` are for programs: plain numbers rounded to the
cent, empty cell or ``null`` for none.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Sequence
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import partial
from types import MappingProxyType
from typing import Any, Final, Literal, TypeVar

import pandas as pd

from classifieds.analyze.summary import AREA_COLUMN, FIGURE_COLUMNS, LAND_COLUMN, MONEY_COLUMNS

__all__ = [
    "FORMATS",
    "Format",
    "aligned",
    "cells_of",
    "format_eur",
    "group_keys",
    "group_label",
    "iso_utc",
    "key_label",
    "mapped",
    "printable",
    "render",
    "spreadsheet_text",
]

Format = Literal["table", "csv", "json", "markdown"]
FORMATS: Final[tuple[Format, ...]] = ("table", "csv", "json", "markdown")

_T = TypeVar("_T")

NONE: Final = "—"
_NBSP: Final = "\u00a0"
# Keys a summary adds for some families only: a null says "not of this family", nothing to read.
_LEFT_OUT_WHEN_NULL: Final = frozenset({"transaction", "property_type", "vehicle_type"})
_FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r", "'")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")  # a terminal would run them (ANSI escapes)
_HEADERS: Final = MappingProxyType(
    {
        "with_price": "with price",
        AREA_COLUMN: "with m²",
        "price_per_m2": "per m²",
        LAND_COLUMN: "per m² land",
    }
)


def format_eur(amount: float | None) -> str:
    """Return an amount in euros the French way: whole euros from 100 € up, else to the cent.

    >>> [format_eur(a).replace("\u00a0", " ") for a in (16200, 648.3333, 67.5, 90.0, 6.505)]
    ['16 200 €', '648 €', '67,50 €', '90 €', '6,51 €']
    >>> format_eur(None)
    '—'
    """
    if amount is None or math.isnan(amount):
        return NONE
    exact = Decimal(repr(float(amount)))
    whole = abs(exact) >= 100 or exact == exact.to_integral_value()
    rounded = exact.quantize(Decimal(1) if whole else Decimal("0.01"), ROUND_HALF_UP)
    text = f"{rounded:,}".replace(",", _NBSP).replace(".", ",")
    return f"{text}{_NBSP}€"


def printable(text: str) -> str:
    """Return text for a terminal: each control character shown as ``�``, so that a crawl's
    ANSI escape (in a URL, a file name) is not run by the terminal.

    >>> printable("https://x/\x1b[2J")
    'https://x/�[2J'
    """
    return _CONTROL.sub("\N{REPLACEMENT CHARACTER}", text)


def spreadsheet_text(text: str) -> str:
    """Return a CSV text cell that a spreadsheet shows as text and never runs as a formula: a
    leading ``'`` before ``= + - @``, a TAB, a CR or a ``'``, as in ``listings.csv``.

    >>> [spreadsheet_text(t) for t in ["=HYPERLINK(1)", "-50%", "'a", "L'Aigle", ""]]
    ["'=HYPERLINK(1)", "'-50%", "''a", "L'Aigle", '']
    """
    return f"'{text}" if text.startswith(_FORMULA_START) else text


def iso_utc(moment: datetime) -> str:
    """Return a date as ISO 8601 in UTC, as every format prints dates.

    >>> iso_utc(pd.Timestamp("2026-02-03 11:00", tz="Europe/Paris"))
    '2026-02-03T10:00:00Z'
    """
    stamp = pd.Timestamp(moment)
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    return stamp.isoformat().replace("+00:00", "Z")


def group_keys(summary: pd.DataFrame) -> list[str]:
    """Return the group columns of a summary: those before its figures."""
    return [str(column) for column in summary.columns if column not in FIGURE_COLUMNS]


def group_label(values: Sequence[Any], columns: Sequence[str] = ()) -> str:
    """Return a group's name for people: its key values joined by ``·``.

    With the key ``columns``, a null value says what is missing (``no make``, ``undated`` for a
    date bucket) rather than vanishing, so that a label says what its group pools; a null
    ``transaction``, ``property_type`` or ``vehicle_type`` (a category that has none, an ad
    that does not tell) is left out.

    >>> group_label(["immobilier", "location"]), group_label(["automobile", None]), group_label([])
    ('immobilier · location', 'automobile', 'all listings')
    >>> group_label(["Caen", None, "automobile", None], ["town", "make", "category", "transaction"])
    'Caen · no make · automobile'
    >>> group_label([None, "automobile"], ["first_seen:month", "category"])
    'undated · automobile'
    """
    if not values:
        return "all listings"
    named = list(columns) or [""] * len(values)
    known = (key_label(value, column) for value, column in zip(values, named, strict=True))
    return " · ".join(text for text in known if text) or NONE


def key_label(value: Any, column: str = "") -> str:
    """Return one key value of a group for people; empty when it is best left out.

    A moment is in UTC to the minute (to the second when it has them), a day alone at
    midnight: ``str`` of a timestamp (``2026-01-03 10:00:00+00:00``) was cut in a chart's label
    to its day, which told two fetches of a day apart no more.

    >>> key_label("Caen", "town"), key_label(None, "make"), key_label(None, "vehicle_type")
    ('Caen', 'no make', '')
    >>> key_label(pd.Timestamp("2026-01-03T10:00Z")), key_label(pd.Timestamp("2026-01-03"))
    ('2026-01-03 10:00', '2026-01-03')
    """
    if _is_null(value):
        return _missing(column)
    if isinstance(value, datetime):  # a pandas Timestamp is one
        if not (value.hour or value.minute or value.second):
            return f"{value:%Y-%m-%d}"
        return f"{value:%Y-%m-%d %H:%M}" + (f":{value:%S}" if value.second else "")
    return str(value)


def _missing(column: str) -> str:
    """Return what a null key value means in a label: empty when it is best left out."""
    if not column or column in _LEFT_OUT_WHEN_NULL:
        return ""
    return "undated" if ":" in column else f"no {column}"


def render(summary: pd.DataFrame, output_format: Format) -> str:
    """Return the summary in ``output_format``, ending with a newline.

    A date among the keys (``--by first_seen``) is ISO 8601 in UTC in every format; in CSV, a
    text key that a spreadsheet would run as a formula (a title ``=HYPERLINK(…)``) starts with
    ``'``, as in ``listings.csv``.
    """
    summary = summary.assign(
        **{key: _keyed(summary[key], _key_value) for key in group_keys(summary)}
    )
    if output_format == "csv":
        return _csv(summary)
    if output_format == "json":
        return json.dumps(_records(summary), ensure_ascii=False, indent=2) + "\n"
    header = [_HEADERS.get(str(column), str(column)) for column in summary.columns]
    # Column by column, each distinct value formatted once: 59,000 groups took 5 s cell by cell.
    cells = [mapped(cells_of(summary[c]), partial(_cell, str(c))) for c in summary.columns]
    numeric = [column in FIGURE_COLUMNS for column in summary.columns]
    if output_format == "markdown":
        return _markdown(header, [list(row) for row in zip(*cells, strict=True)], numeric)
    return aligned([[name, *column] for name, column in zip(header, cells, strict=True)], numeric)


def _keyed(column: pd.Series[Any], change: Callable[[Any], Any]) -> pd.Series[Any]:
    """Return a key column changed value by value, kept as objects: ``3`` stays ``3``, not 3.0."""
    return pd.Series(mapped(column.tolist(), change), index=column.index, dtype=object)


def cells_of(column: pd.Series[Any]) -> list[Any]:
    """Return a column's values as Python objects, None for each null."""
    nulls = column.isna().tolist()
    return [None if null else value for value, null in zip(column.tolist(), nulls, strict=True)]


def mapped(values: Sequence[Any], change: Callable[[Any], _T]) -> list[_T]:
    """Return ``change`` of each value, computed once per distinct value (of the same type:
    ``True``, ``1`` and ``1.0`` are told apart)."""
    done: dict[tuple[type, Any], _T] = {}
    changed = []
    for value in values:
        key = (type(value), value)
        try:
            changed.append(done[key])
        except KeyError:
            changed.append(done.setdefault(key, change(value)))
        except TypeError:  # unhashable (a list in a hand-made frame)
            changed.append(change(value))
    return changed


def _key_value(value: Any) -> Any:
    """Return a group key as printed: a date as ISO 8601 UTC text, a numpy scalar as Python."""
    if _is_null(value):
        return None
    if isinstance(value, datetime):
        return iso_utc(value)
    return value.item() if hasattr(value, "item") else value


def _cell(column: str, value: Any) -> str:
    if _is_null(value):
        return NONE
    if column in MONEY_COLUMNS:
        return format_eur(float(value))
    return printable(str(value))


def aligned(columns: Sequence[Sequence[str]], numeric: Sequence[bool]) -> str:
    """Return columns of cells (each headed by its name) as an aligned table: numbers to the
    right, text to the left, two spaces between."""
    widths = [max(map(len, column)) for column in columns]
    padded = [
        [cell.rjust(width) for cell in column] if right else [cell.ljust(width) for cell in column]
        for column, width, right in zip(columns, widths, numeric, strict=True)
    ]
    return "".join("  ".join(line).rstrip() + "\n" for line in zip(*padded, strict=True))


def _markdown(header: list[str], rows: list[list[str]], numeric: list[bool]) -> str:
    rule = ["---:" if right else "---" for right in numeric]
    lines = [header, rule, *([cell.replace("|", "\\|") for cell in row] for row in rows)]
    return "".join("| " + " | ".join(line) + " |\n" for line in lines)


def cents(amount: float) -> float:
    """Return an amount rounded to the cent as it is written, half up, as the table rounds it:
    CSV and JSON give the same figures (float rounding would take 23320.025 down, or not).

    >>> cents(23320.025), cents(2.675), cents(-0.005), cents(650.0)
    (23320.03, 2.68, -0.01, 650.0)
    """
    exact = Decimal(repr(float(amount)))
    return float(exact.quantize(Decimal("0.01"), ROUND_HALF_UP))


def _csv(summary: pd.DataFrame) -> str:
    money = [column for column in MONEY_COLUMNS if column in summary]
    rounded = summary.assign(
        **{column: summary[column].map(cents, na_action="ignore") for column in money},
        **{key: _keyed(summary[key], _spreadsheet_key) for key in group_keys(summary)},
    )
    return rounded.to_csv(index=False, lineterminator="\n")


def _spreadsheet_key(value: Any) -> Any:
    return spreadsheet_text(value) if isinstance(value, str) else value


def _records(summary: pd.DataFrame) -> list[dict[str, Any]]:
    """Return the rows as JSON-ready dicts: numbers rounded to the cent, ``None`` for null."""
    records = summary.to_dict("records")
    for record in records:
        for column, value in record.items():
            if _is_null(value):
                record[column] = None
            elif column in MONEY_COLUMNS:
                record[column] = cents(value)
            elif column in FIGURE_COLUMNS:
                record[column] = int(value)
            elif hasattr(value, "item"):  # a numpy scalar
                record[column] = value.item()
    return [{str(column): value for column, value in record.items()} for record in records]


def _is_null(value: Any) -> bool:
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))
