"""Dates in queries: the bounds a ``--where`` compares a timestamp column with, and the buckets
of a ``--by COLUMN:month`` grouping.

Every date is UTC, as the dataset's timestamps are. A bound written as a date alone
(``2026-02-01``) is midnight UTC that day; with a time (``2026-03-01T12:00``) it is that
instant, UTC unless it carries an offset (``Z``, ``+02:00``). Buckets are text that sorts in
time order: ``2026-02-03`` (day), ``2026-W05`` (ISO week, its ISO year), ``2026-02`` (month),
``2026`` (year); an undated row is in the null bucket.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from types import MappingProxyType
from typing import Final, Literal

import pandas as pd
import pyarrow as pa

from classifieds.errors import QueryError
from classifieds.store.columns import LISTING_COLUMNS, SIGHTING_COLUMNS

__all__ = ["BUCKETS", "TIMESTAMP_COLUMNS", "Bound", "Bucket", "is_timestamp", "parse_bound"]

Unit = Literal["day", "week", "month", "year"]
BUCKETS: Final[tuple[Unit, ...]] = ("day", "week", "month", "year")
TIMESTAMP_COLUMNS: Final = frozenset(
    c.name for c in (*LISTING_COLUMNS, *SIGHTING_COLUMNS) if pa.types.is_timestamp(c.type)
)
"""The dataset's date columns: ``first_seen``, ``last_seen`` (listings), ``fetched_at``."""

_DATE = re.compile(
    r"""
    ^\d{4}-\d{2}-\d{2}                      # a day, always
    (?P<time>[T\ ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?  # maybe a time, seconds optional
    (?:Z|[+-]\d{2}:\d{2})?)?$               # and an offset; none means UTC
    """,
    re.VERBOSE,
)
_PERIOD = re.compile(r"^(?P<year>\d{4})(?:-(?P<month>\d{2})|-W(?P<week>\d{2}))?$")  # buckets
_FORMATS: Final = MappingProxyType({"day": "%Y-%m-%d", "month": "%Y-%m", "year": "%Y"})


@dataclass(frozen=True)
class Bound:
    """A date, a period or an instant written in a condition, in UTC: from ``start`` to the
    first instant after it, ``end``; ``whole_day`` for a day or a longer period (compared with
    ``=`` as a whole), not an instant."""

    start: pd.Timestamp
    whole_day: bool
    period_end: pd.Timestamp | None = None

    @property
    def end(self) -> pd.Timestamp:
        """Return the first instant after the bound: the next midnight for a day, the first
        day of the next month for a month."""
        if self.period_end is not None:
            return self.period_end
        return self.start + (pd.Timedelta(days=1) if self.whole_day else pd.Timedelta(0))


def parse_bound(text: str) -> Bound | None:
    """Return the date, datetime or bucket (a month, ISO week or year, as summaries print
    them) ``text`` names, in UTC; None when it names none.

    >>> parse_bound("2026-02-01")
    Bound(start=Timestamp('2026-02-01 00:00:00+0000', tz='UTC'), whole_day=True, period_end=None)
    >>> parse_bound("2026-03-01T12:00+01:00").start
    Timestamp('2026-03-01 11:00:00+0000', tz='UTC')
    >>> [str(parse_bound(t).end.date()) for t in ("2026-12", "2026-W05", "2026")]
    ['2027-01-01', '2026-02-02', '2027-01-01']
    >>> parse_bound("2026-13-01"), parse_bound("yesterday"), parse_bound("20260201")
    (None, None, None)
    """
    period = _period(text.strip())
    if period is not None:
        start, end = (pd.Timestamp(datetime.combine(day, time(), tzinfo=UTC)) for day in period)
        return Bound(start, whole_day=True, period_end=end)
    match = _DATE.match(text.strip())
    if match is None:
        return None
    try:
        moment = datetime.fromisoformat(match[0].replace("Z", "+00:00"))
    except ValueError:  # 2026-02-30, 25:00
        return None
    if match["time"] is None:
        day = date(moment.year, moment.month, moment.day)
        moment = datetime(day.year, day.month, day.day, tzinfo=UTC)
    elif moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return Bound(pd.Timestamp(moment.astimezone(UTC)), whole_day=match["time"] is None)


def _period(text: str) -> tuple[date, date] | None:
    """Return the first day of a month, ISO week or year bucket and of the next one; None for
    other text (``2026-02``, ``2026-W05``, ``2026``; not ``2026-13`` nor ``2026-W54``)."""
    match = _PERIOD.match(text)
    if match is None:
        return None
    year = int(match["year"])
    try:
        if match["week"]:
            start = date.fromisocalendar(year, int(match["week"]), 1)
            return start, start + timedelta(days=7)
        if match["month"]:
            month = int(match["month"])
            after = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
            return date(year, month, 1), after
        return date(year, 1, 1), date(year + 1, 1, 1)
    except ValueError:  # month 13, week 54
        return None


def is_timestamp(name: str, column: pd.Series) -> bool:
    """Return whether a column holds dates: a dataset date column, or datetimes by dtype."""
    return name in TIMESTAMP_COLUMNS or pd.api.types.is_datetime64_any_dtype(column)


def as_utc(column: pd.Series) -> pd.Series:
    """Return a column of dates as UTC timestamps, whatever it holds (text, naive, aware)."""
    if isinstance(column.dtype, pd.DatetimeTZDtype):
        moments: pd.Series = column.dt.tz_convert("UTC")
    elif pd.api.types.is_datetime64_dtype(column):
        moments = column.dt.tz_localize("UTC")
    else:
        moments = pd.to_datetime(column, utc=True, errors="coerce", format="ISO8601")
    return moments


@dataclass(frozen=True)
class Bucket:
    """A grouping key ``COLUMN:UNIT``: the ``UNIT`` (day, week...) a timestamp column falls in."""

    column: str
    unit: Unit

    @classmethod
    def parse(cls, key: str) -> Bucket | None:
        """Return the bucket that a ``--by`` key names, None for a plain column name.

        >>> Bucket.parse("first_seen:month"), Bucket.parse("town")
        (Bucket(column='first_seen', unit='month'), None)
        """
        if ":" not in key:
            return None
        column, _, unit = (part.strip() for part in key.partition(":"))
        if unit not in BUCKETS:
            raise QueryError(
                f"Cannot group by {key!r}: write COLUMN:UNIT with UNIT one of"
                f" {', '.join(BUCKETS)}, e.g. first_seen:month."
            )
        return cls(column, unit)

    def __str__(self) -> str:
        return f"{self.column}:{self.unit}"

    def labels(self, rows: pd.DataFrame) -> pd.Series:
        """Return the bucket of each row as text (``2026-W05``), None where it is undated."""
        if not is_timestamp(self.column, rows[self.column]):
            raise QueryError(
                f"Cannot group by {self}: {self.column} holds no dates. Buckets are for"
                f" {', '.join(sorted(TIMESTAMP_COLUMNS))}."
            )
        moments = as_utc(rows[self.column])
        if self.unit == "week":
            iso = moments.dt.isocalendar()
            text = iso["year"].astype("string") + "-W" + iso["week"].astype("string").str.zfill(2)
        else:
            text = moments.dt.strftime(_FORMATS[self.unit]).astype("string")
        labels: pd.Series = text.astype(object).where(moments.notna(), None)
        return labels


def week_start(label: str) -> date:
    """Return the Monday of an ISO week label (for charts that place weeks in time).

    >>> week_start("2026-W01"), week_start("2027-W01")
    (datetime.date(2025, 12, 29), datetime.date(2027, 1, 4))
    """
    year, week = label.split("-W")
    return date.fromisocalendar(int(year), int(week), 1)


def first_day(label: str) -> date:
    """Return the first day of a bucket label of any unit.

    >>> [str(first_day(b)) for b in ("2026", "2026-02", "2026-02-03", "2026-W05")]
    ['2026-01-01', '2026-02-01', '2026-02-03', '2026-01-26']
    """
    if "-W" in label:
        return week_start(label)
    parts = [int(part) for part in label.split("-")] + [1, 1]
    return date(parts[0], parts[1], parts[2])
