"""Dates in queries: --where bounds on timestamp columns and --by COLUMN:UNIT buckets."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from classifieds.analyze.dates import Bucket, parse_bound
from classifieds.analyze.query import select
from classifieds.analyze.report import FORMATS, Format, render
from classifieds.analyze.summary import summarize
from classifieds.errors import QueryError

AUTO, IMMO = "automobile", "immobilier"
SEEN = [  # listing_id, category, price, first_seen, last_seen
    ("jan01", AUTO, 9000.0, "2026-01-01T00:00:00Z", "2026-01-20T08:00:00Z"),
    ("jan31", AUTO, 9500.0, "2026-01-31T23:59:59Z", "2026-02-02T00:00:00Z"),
    ("feb01", AUTO, 11000.0, "2026-02-01T00:00:00Z", "2026-03-01T12:00:00Z"),
    ("feb03", AUTO, None, "2026-02-03T10:30:00Z", "2026-03-01T11:59:00Z"),
    ("mar15", AUTO, 8000.0, "2026-03-15T12:00:00Z", "2026-03-15T12:00:00Z"),
    ("dec31", AUTO, 7000.0, "2026-12-31T18:00:00Z", "2027-01-02T09:00:00Z"),
    ("undat", AUTO, 9900.0, None, None),
    ("rent1", IMMO, 650.0, "2026-02-10T09:00:00Z", "2026-02-11T09:00:00Z"),
]


@pytest.fixture
def listings() -> pd.DataFrame:
    frame = pd.DataFrame(
        SEEN, columns=["listing_id", "category", "price_eur", "first_seen", "last_seen"]
    )
    frame["transaction"] = [None] * 7 + ["location"]
    for column in ("first_seen", "last_seen"):
        frame[column] = pd.to_datetime(frame[column], utc=True)
    return frame


@pytest.mark.parametrize(
    ("text", "utc", "whole_day"),
    [
        ("2026-02-01", "2026-02-01T00:00:00+00:00", True),
        ("2026-03-01T12:00", "2026-03-01T12:00:00+00:00", False),
        ("2026-03-01 12:00:30", "2026-03-01T12:00:30+00:00", False),
        ("2026-03-01T12:00Z", "2026-03-01T12:00:00+00:00", False),
        ("2026-03-01T12:00+02:00", "2026-03-01T10:00:00+00:00", False),
        ("2026-03-01T12:00:00.250", "2026-03-01T12:00:00.250000+00:00", False),
    ],
    ids=["date", "datetime", "space-seconds", "zulu", "offset", "fraction"],
)
def test_bounds_are_utc(text: str, utc: str, whole_day: bool) -> None:
    bound = parse_bound(text)
    assert bound is not None and (bound.start.isoformat(), bound.whole_day) == (utc, whole_day)


@pytest.mark.parametrize(
    "text",
    [
        "2026-13-01",
        "2026-02-30",
        "2026-2-1",
        "20260201",
        "01/02/2026",
        "2026-02-01T25:00",
        "2026-02-01+02:00",
        "yesterday",
        "2026-13",
        "2026-W54",
        "2026-W00",
        "26",
        "2026-02-01T12",
    ],
)
def test_what_is_no_date(text: str) -> None:
    assert parse_bound(text) is None


@pytest.mark.parametrize(
    ("conditions", "ids"),
    [
        (["first_seen>=2026-02-01"], "feb01 feb03 mar15 dec31 rent1"),
        (["first_seen<2026-02-01"], "jan01 jan31"),  # a date alone is midnight UTC
        (["first_seen>2026-02-01"], "feb03 mar15 dec31 rent1"),
        (["first_seen<=2026-01-31T23:59:59"], "jan01 jan31"),
        (["last_seen<2026-03-01T12:00"], "jan01 jan31 feb03 rent1"),
        (["last_seen<2026-03-01T13:00+01:00"], "jan01 jan31 feb03 rent1"),
        (["first_seen=2026-02-03"], "feb03"),  # = a day: that whole day
        (["first_seen=2026-02-01,2026-03-15"], "feb01 mar15"),
        (["first_seen=2026-02-01T00:00"], "feb01"),  # = an instant: that instant
        (["first_seen!=2026-02-03"], "jan01 jan31 feb01 mar15 dec31 rent1"),  # undated: no
        (["first_seen>=2026-02-01", "last_seen<2026-03-01"], "rent1"),
        (["first_seen>=2027-01-01"], ""),
        # Buckets as summaries print them: = the whole period, a bound its first instant.
        (["first_seen=2026-02"], "feb01 feb03 rent1"),
        (["first_seen=2026-01,2026-03"], "jan01 jan31 mar15"),
        (["first_seen=2026-W05"], "jan31 feb01"),  # Monday 26 January to Sunday 1 February
        (["first_seen=2026"], "jan01 jan31 feb01 feb03 mar15 dec31 rent1"),
        (["first_seen!=2026-02"], "jan01 jan31 mar15 dec31"),
        (["first_seen>=2026-02", "first_seen<2026-03"], "feb01 feb03 rent1"),
    ],
    ids=lambda value: " & ".join(value) if isinstance(value, list) else "",
)
def test_where_compares_dates(listings: pd.DataFrame, conditions: list[str], ids: str) -> None:
    assert select(listings, where=conditions)["listing_id"].tolist() == ids.split()


def test_dates_as_text_in_a_hand_made_frame_compare_too(listings: pd.DataFrame) -> None:
    text = listings.assign(first_seen=[row[3] for row in SEEN])
    assert select(text, where=["first_seen<2026-02-01"])["listing_id"].tolist() == [
        "jan01",
        "jan31",
    ]


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        ("first_seen>=2026-13-01", "first_seen holds dates, and '2026-13-01' is not one"),
        ("first_seen>=01/02/2026", "Write a date or a datetime in UTC: 2026-02-01"),
        ("last_seen<yesterday", "last_seen holds dates, and 'yesterday' is not one"),
        ("first_seen>=2026-01-01,2026-02-01", "compares with one number or date only"),
    ],
    ids=["month-13", "french-order", "word", "two-bounds"],
)
def test_a_bad_date_is_one_line_saying_how_to_write_one(
    listings: pd.DataFrame, condition: str, message: str
) -> None:
    with pytest.raises(QueryError, match=message) as raised:
        select(listings, where=[condition])
    assert "\n" not in str(raised.value)


@pytest.mark.parametrize(
    ("unit", "labels"),
    [
        (
            "day",
            [
                "2026-01-01",
                "2026-01-31",
                "2026-02-01",
                "2026-02-03",
                "2026-03-15",
                "2026-12-31",
                None,
                "2026-02-10",
            ],
        ),
        (
            "week",
            [
                "2026-W01",
                "2026-W05",
                "2026-W05",
                "2026-W06",
                "2026-W11",
                "2026-W53",
                None,
                "2026-W07",
            ],
        ),
        (
            "month",
            ["2026-01", "2026-01", "2026-02", "2026-02", "2026-03", "2026-12", None, "2026-02"],
        ),
        ("year", ["2026", "2026", "2026", "2026", "2026", "2026", None, "2026"]),
    ],
)
def test_buckets(listings: pd.DataFrame, unit: str, labels: list[str | None]) -> None:
    bucket = Bucket.parse(f"first_seen:{unit}")
    assert bucket is not None and bucket.labels(listings).tolist() == labels


def test_iso_weeks_belong_to_their_iso_year() -> None:
    days = pd.DataFrame(
        {"fetched_at": pd.to_datetime(["2025-12-29", "2027-01-01", "2027-01-04"], utc=True)}
    )
    assert Bucket("fetched_at", "week").labels(days).tolist() == [
        "2026-W01",
        "2026-W53",
        "2027-W01",
    ]


def test_a_bucketed_summary_is_in_time_order_with_the_undated_last(
    listings: pd.DataFrame,
) -> None:
    summary = summarize(listings, "first_seen:month")
    assert summary[
        ["first_seen:month", "category", "ads", "with_price", "median"]
    ].values.tolist() == [
        ["2026-01", AUTO, 2, 2, 9250.0],
        ["2026-02", AUTO, 2, 1, 11000.0],
        ["2026-02", IMMO, 1, 1, 650.0],
        ["2026-03", AUTO, 1, 1, 8000.0],
        ["2026-12", AUTO, 1, 1, 7000.0],
        [None, AUTO, 1, 1, 9900.0],
    ]


OUTPUT: dict[str, list[str]] = {
    "table": ["first_seen:week", "2026-W05", "2026-W53", "—"],
    "markdown": ["| first_seen:week", "| --- ", "| 2026-W05 ", "| 2026-W53 ", "| — "],
    "csv": ["first_seen:week,", "2026-W05,", "2026-W53,", ","],
    "json": [
        '"first_seen:week": "2026-W05"',
        '"first_seen:week": "2026-W53"',
        '"first_seen:week": null',
    ],
}


@pytest.mark.parametrize("output_format", FORMATS)
def test_buckets_print_alike_in_every_format(listings: pd.DataFrame, output_format: Format) -> None:
    chosen = listings[listings["listing_id"].isin(["jan31", "feb01", "dec31", "undat"])]
    text = render(summarize(chosen, "first_seen:week"), output_format)
    if output_format == "json":
        assert [line.strip().rstrip(",") for line in text.splitlines() if "week" in line] == (
            OUTPUT["json"]
        )
    else:
        assert [
            line[: len(start)]
            for line, start in zip(text.splitlines(), OUTPUT[output_format], strict=True)
        ] == OUTPUT[output_format]


@pytest.mark.parametrize(
    ("by", "message"),
    [
        ("first_seen:quarter", "UNIT one of day, week, month, year"),
        ("town:month", "No column 'town' to group by"),
        ("category:month", "category holds no dates"),
    ],
)
def test_bad_buckets_say_what_is_wrong(listings: pd.DataFrame, by: str, message: str) -> None:
    with pytest.raises(QueryError, match=message):
        summarize(listings, by)


def test_top_keeps_the_largest_series_whole_in_time_order(listings: pd.DataFrame) -> None:
    summary: Any = summarize(listings, "first_seen:month", top=1)
    assert summary[["first_seen:month", "category"]].values.tolist() == [
        ["2026-01", AUTO],
        ["2026-02", AUTO],
        ["2026-03", AUTO],
        ["2026-12", AUTO],
        [None, AUTO],
    ]
