"""Prices over time as printed: ``sighted`` rows, an ad once per bucket it was seen in."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import classifieds
from classifieds.analyze.sighted import by_sightings, sighted
from classifieds.analyze.summary import summarize
from classifieds.cli import cli
from classifieds.errors import QueryError

CAR, FLAT = "car", "flat"


def at(day: str) -> pd.Timestamp:
    return pd.Timestamp(day, tz="UTC")


@pytest.fixture
def listings() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "listing_id": [CAR, FLAT],
            "category": ["automobile", "immobilier"],
            "transaction": [None, "location"],
            "vehicle_type": ["voiture", None],
            "property_type": [None, "appartement"],
            "price_eur": [8800.0, 600.0],
        }
    )


@pytest.fixture
def sightings() -> pd.DataFrame:
    rows = [
        (CAR, 9500.0, "2026-01-10"),
        (CAR, 9400.0, "2026-01-30"),
        (CAR, 9000.0, "2026-02-03"),
        (FLAT, 650.0, "2026-02-03"),
        (FLAT, 600.0, "2026-02-03"),  # the same instant, read later: the latest price
        (CAR, 8800.0, "2026-03-03"),
    ]
    return pd.DataFrame(
        {
            "listing_id": [r[0] for r in rows],
            "price_eur": [r[1] for r in rows],
            "fetched_at": [at(r[2]) for r in rows],
        }
    )


def test_an_ad_counts_once_a_month_at_its_latest_price_that_month(
    listings: pd.DataFrame, sightings: pd.DataFrame
) -> None:
    rows = sighted(listings, sightings, "fetched_at:month")
    summary = summarize(rows, ["fetched_at:month"])
    keys = ["fetched_at:month", "category", "ads", "median"]
    assert summary[keys].values.tolist() == [
        ["2026-01", "automobile", 1, 9400.0],
        ["2026-02", "automobile", 1, 9000.0],
        ["2026-02", "immobilier", 1, 600.0],
        ["2026-03", "automobile", 1, 8800.0],
    ]
    # By first_seen, the same car counts once, at its latest price, in January.
    by_first = summarize(listings.assign(first_seen=at("2026-01-10")), ["first_seen:month"])
    assert by_first[["ads", "median"]].values.tolist() == [[1, 8800.0], [1, 600.0]]


def test_a_bucket_of_days_or_the_instant_itself(
    listings: pd.DataFrame, sightings: pd.DataFrame
) -> None:
    rows = sighted(listings, sightings, ["fetched_at"])
    assert len(rows) == 5  # the flat's two sightings share their instant
    assert len(sighted(listings, sightings, "fetched_at:year")) == 2


def test_conditions_on_fetched_at_keep_the_sightings_first(
    listings: pd.DataFrame, sightings: pd.DataFrame
) -> None:
    # The January bucket keeps only the sightings from the 20th: its price is the 30th's.
    rows = sighted(listings, sightings, "fetched_at:month", ["fetched_at>=2026-01-20"])
    car = rows[rows.listing_id == CAR]
    assert car.price_eur.tolist() == [9400.0, 9000.0, 8800.0]
    early = sighted(listings, sightings, "fetched_at:month", ["fetched_at<2026-01-20"])
    assert early.price_eur.tolist() == [9500.0]


def test_undated_sightings_are_one_bucket_and_a_null_price_stays_null(
    listings: pd.DataFrame,
) -> None:
    seen = pd.DataFrame(
        {
            "listing_id": [CAR, CAR, FLAT],
            "price_eur": [9000.0, None, 600.0],  # the car's latest undated sighting: 0€
            "fetched_at": pd.to_datetime([None, None, "2026-02-03"], utc=True),
        }
    )
    summary = summarize(sighted(listings, seen, "fetched_at:month"), "fetched_at:month")
    assert summary[["fetched_at:month", "ads", "with_price"]].values.tolist() == [
        ["2026-02", 1, 1],
        [None, 1, 0],
    ]


def test_only_a_key_on_fetched_at_needs_the_sightings() -> None:
    assert by_sightings("fetched_at:week") and by_sightings(["town", "fetched_at"])
    assert not by_sightings(["first_seen:month", "town"])


def test_listings_alone_cannot_be_grouped_by_fetched_at(listings: pd.DataFrame) -> None:
    with pytest.raises(QueryError, match=r"column of the sightings.*classifieds\.sighted"):
        summarize(listings, "fetched_at:month")
    with pytest.raises(QueryError, match="needs the listings and their sightings"):
        sighted(listings, listings, "fetched_at:month")


def test_sighted_is_public() -> None:
    assert "sighted" in classifieds.__all__ and classifieds.sighted is sighted


_START = datetime(2026, 1, 1, tzinfo=UTC)
_SIGHTINGS = st.lists(
    st.tuples(
        st.sampled_from(["a", "b", "c"]),
        st.one_of(st.none(), st.integers(1, 50).map(float)),
        st.one_of(st.none(), st.integers(0, 120).map(lambda days: _START + timedelta(days))),
    ),
    min_size=1,
    max_size=30,
)


@settings(max_examples=150, deadline=None)
@given(_SIGHTINGS)
def test_each_row_is_the_latest_sighting_of_its_month(seen: list[Any]) -> None:
    ads = pd.DataFrame({"listing_id": ["a", "b", "c"], "category": ["x"] * 3, "price_eur": 1.0})
    sightings = pd.DataFrame(seen, columns=["listing_id", "price_eur", "fetched_at"])
    sightings["fetched_at"] = pd.to_datetime(sightings["fetched_at"], utc=True)
    # The oracle: walk the sightings in order, the later of two equal instants replacing.
    latest: dict[tuple[str, str | None], tuple[Any, float | None]] = {}
    for listing, price, when in seen:
        month = None if when is None else when.strftime("%Y-%m")
        before = latest.get((listing, month))
        moment = datetime.min.replace(tzinfo=UTC) if when is None else when
        if before is None or moment >= before[0]:
            latest[(listing, month)] = (moment, price)
    rows = sighted(ads, sightings, "fetched_at:month")
    labels = rows["fetched_at"].dt.strftime("%Y-%m").astype(object)
    got = {
        (listing, None if pd.isna(month) else month): None if pd.isna(price) else float(price)
        for listing, month, price in zip(rows.listing_id, labels, rows.price_eur, strict=True)
    }
    assert got == {key: price for key, (_, price) in latest.items()}
    summary = summarize(rows, "fetched_at:month")
    assert summary["ads"].sum() == len(latest)


# --- the command line ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def repriced(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A JSON Lines crawl: a car re-priced each month, a flat from February."""
    crawl = tmp_path_factory.mktemp("repriced")
    car = "Petites Annonces\nAutomobile\nPeugeot 208\nPeugeot 208 Vire (14500) {}€ Découvrir\n"
    flat = "Immobilier\nAppartement T2\nAppartement T2 Caen (14000) 600€ Découvrir\n"
    pages = [
        ("9 500", "", "2026-01-10"),
        ("9 400", "", "2026-01-30"),
        ("9 000", flat, "2026-02-03"),
        ("8 800", flat, "2026-03-03"),
    ]
    records = [
        {"url": f"https://x/{n}", "text": car.format(price) + more, "fetched_at": f"{day}T10:00Z"}
        for n, (price, more, day) in enumerate(pages)
    ]
    (crawl / "crawl.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8"
    )
    out = crawl / "data"
    classifieds.build([crawl / "crawl.jsonl"], out)
    return out


def medians(stdout: str) -> list[tuple[str, str, str]]:
    return [(row["fetched_at:month"], row["category"], row["median"]) for row in json.loads(stdout)]


@pytest.mark.parametrize("name", ["", "listings.parquet", "listings.csv"])
def test_summary_by_fetched_at_month_tells_the_prices_printed_each_month(
    repriced: Path, name: str
) -> None:
    args = ["summary", str(repriced / name), "--by", "fetched_at:month", "--format", "json"]
    result = CliRunner().invoke(cli, args)
    assert (result.exit_code, result.stderr) == (0, "")
    assert medians(result.stdout) == [
        ("2026-01", "automobile", 9400.0),
        ("2026-02", "automobile", 9000.0),
        ("2026-02", "immobilier", 600.0),
        ("2026-03", "automobile", 8800.0),
        ("2026-03", "immobilier", 600.0),
    ]


def test_summary_by_fetched_at_draws_lines_over_time(repriced: Path, tmp_path: Path) -> None:
    chart = tmp_path / "months.png"
    args = ["summary", str(repriced), "--by", "fetched_at:month", "--plot", str(chart)]
    result = CliRunner().invoke(cli, [*args, "--where", "category=automobile"])
    assert result.exit_code == 0 and chart.stat().st_size > 0
    assert result.stderr == f"Chart of 1 line of medians over time written to {chart}\n"


def test_a_dataset_without_its_sightings_is_a_one_line_usage_error(
    repriced: Path, tmp_path: Path
) -> None:
    shutil.copy(repriced / "listings.parquet", tmp_path / "listings.parquet")
    args = ["summary", str(tmp_path / "listings.parquet"), "--by", "fetched_at:month"]
    result = CliRunner().invoke(cli, args)
    assert (result.exit_code, result.stdout) == (2, "")
    (line,) = result.stderr.splitlines()
    assert "sightings.parquet" in line and "classifieds export" in line


def test_sightings_that_match_nothing_say_so(repriced: Path) -> None:
    args = ["summary", str(repriced), "--by", "fetched_at:month"]
    result = CliRunner().invoke(cli, [*args, "--where", "fetched_at>=2027-01-01"])
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr.startswith("No listing matches fetched_at>=2027-01-01 in ")


def test_a_dataset_piped_into_stdin_has_no_sightings(repriced: Path) -> None:
    data = (repriced / "listings.parquet").read_bytes()
    args = ["summary", "-", "--by", "fetched_at:month"]
    result = CliRunner().invoke(cli, args, input=data)
    assert (result.exit_code, result.stdout) == (2, "")
    (line,) = result.stderr.splitlines()
    assert "pass the dataset folder, not -" in line
