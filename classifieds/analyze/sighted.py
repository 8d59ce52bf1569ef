"""Prices over time as the pages printed them: one row per ad and period it was seen in.

A listing holds one price, its latest, and ``first_seen`` says when it first showed: grouped by
``first_seen:month``, a summary tells the prices, as they are now, of the ads first seen each
month. Grouped by the sightings' capture date, ``fetched_at:month``, it tells what the market
asked each month instead: :func:`sighted` makes the rows of such a summary from the listings and
their sightings, each ad once per bucket it was seen in, at the price its latest sighting of
that bucket printed (an ad at 9 500 € in January and 9 000 € in February counts in both
months, at each price).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import pandas as pd

from classifieds.analyze.dates import Bucket
from classifieds.analyze.query import Conditions, conditions_of
from classifieds.errors import QueryError

__all__ = ["SIGHTED_COLUMN", "by_sightings", "sighted"]

SIGHTED_COLUMN: Final = "fetched_at"
"""The column of the sightings that a summary of :func:`sighted` rows groups by."""


def by_sightings(by: str | Sequence[str]) -> bool:
    """Return whether grouping by ``by`` needs the sightings: it names ``fetched_at``.

    >>> by_sightings(["fetched_at:month", "category"]), by_sightings("first_seen:month")
    (True, False)
    """
    return bool(_sighted_keys([by] if isinstance(by, str) else by))


def sighted(
    listings: pd.DataFrame,
    sightings: pd.DataFrame,
    by: str | Sequence[str],
    where: Conditions = (),
) -> pd.DataFrame:
    """Return one row per listing and bucket of ``fetched_at`` (as the keys of ``by`` name
    it: ``fetched_at:month``) that it was seen in: the listing's columns, with the ``price_eur``
    and ``fetched_at`` of its latest sighting in that bucket.

    The conditions of ``where`` on ``fetched_at`` keep the sightings they hold for first (other
    conditions are the caller's, on the rows returned). Undated sightings are one bucket; of
    sightings at the same instant, the last read wins, as for a listing's latest price.

    >>> ads = pd.DataFrame({"listing_id": ["a"], "category": ["automobile"], "price_eur": [9000.0]})
    >>> seen = pd.DataFrame({"listing_id": ["a"] * 3, "price_eur": [9500.0, 9400.0, 9000.0],
    ...     "fetched_at": pd.to_datetime(["2026-01-05", "2026-01-20", "2026-02-02"], utc=True)})
    >>> sighted(ads, seen, "fetched_at:month")[["listing_id", "price_eur", "fetched_at"]]
      listing_id  price_eur                fetched_at
    0          a     9400.0 2026-01-20 00:00:00+00:00
    1          a     9000.0 2026-02-02 00:00:00+00:00
    """
    keys = _sighted_keys([by] if isinstance(by, str) else by)
    missing = {"listing_id", "price_eur", SIGHTED_COLUMN} - set(sightings.columns)
    if missing or "listing_id" not in listings.columns:
        raise QueryError(
            "Grouping by fetched_at needs the listings and their sightings: pass a dataset"
            " folder (classifieds.load and classifieds.load_sightings)."
        )
    seen = sightings[["listing_id", "price_eur", SIGHTED_COLUMN]]
    for condition in conditions_of(where):
        if condition.column == SIGHTED_COLUMN:
            seen = seen[condition.holds(seen)]
    # Time order, input order among equal instants: the last row of a bucket is its latest.
    seen = seen.sort_values(SIGHTED_COLUMN, kind="mergesort", na_position="first")
    labels = {key: _labels(key, seen) for key in keys}
    latest = seen.assign(**labels).drop_duplicates(["listing_id", *keys], keep="last")
    ads = listings.drop(columns=["price_eur", SIGHTED_COLUMN], errors="ignore")
    rows = latest[["listing_id", "price_eur", SIGHTED_COLUMN]].merge(
        ads.drop_duplicates("listing_id"), on="listing_id", how="inner", sort=False
    )
    return rows[[*ads.columns, "price_eur", SIGHTED_COLUMN]].reset_index(drop=True)


def _sighted_keys(by: Sequence[str]) -> list[str]:
    """Return the keys of ``by`` on ``fetched_at``, bucketed or not."""
    keys = []
    for key in by:
        bucket = Bucket.parse(key)
        if (key.strip() if bucket is None else bucket.column) == SIGHTED_COLUMN:
            keys.append(key)
    return keys


def _labels(key: str, seen: pd.DataFrame) -> pd.Series:
    """Return the bucket of each sighting for the key ``key`` (itself when not bucketed)."""
    bucket = Bucket.parse(key)
    return seen[SIGHTED_COLUMN] if bucket is None else bucket.labels(seen)
