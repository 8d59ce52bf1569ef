"""Deduplication with capture dates: which price a listing shows, its first and last dates."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import pairwise
from random import Random
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from classifieds.ads import build_ad
from classifieds.dedup import Catalogue
from classifieds.models import Ad


def studio(price: int) -> Ad:
    ad = build_ad("Immobilier", "Studio", f"Studio Caen (14000) {price}€ Découvrir")
    assert isinstance(ad, Ad)
    return ad


def day(n: int) -> datetime:
    return datetime(2024, 3, n, 12, tzinfo=UTC)


# A sighting: (price, url, day of March or None), in input order.
Seen = tuple[int, str | None, int | None]

CASES: dict[str, tuple[list[Seen], dict[str, Any]]] = {
    "undated-latest-in-input-order": (
        [(450, None, None), (480, None, None)],
        {"price_eur": 480, "first_seen": None, "last_seen": None, "first_url": None},
    ),
    "dated-latest-by-date-not-input-order": (
        [(480, "u/2", 2), (450, "u/1", 1)],
        {"price_eur": 480, "first_seen": day(1), "last_seen": day(2), "first_url": "u/1"},
    ),
    "same-date-later-input-wins": (
        [(450, "u/a", 2), (480, "u/b", 2)],
        {"price_eur": 480, "first_seen": day(2), "last_seen": day(2), "first_url": "u/a"},
    ),
    "undated-never-displaces-dated": (
        [(450, "u/1", 1), (480, None, None)],
        {"price_eur": 450, "first_seen": day(1), "last_seen": day(1), "first_url": "u/1"},
    ),
    "undated-url-counts-as-older": (
        [(450, "u/dated", 1), (480, "u/undated", None)],
        {"price_eur": 450, "first_seen": day(1), "last_seen": day(1), "first_url": "u/undated"},
    ),
    "first-url-skips-pages-without-one": (
        [(450, None, 1), (480, "u/2", 2), (500, "u/3", 3)],
        {"price_eur": 500, "first_seen": day(1), "last_seen": day(3), "first_url": "u/2"},
    ),
}


def catalogue_of(sightings: list[Seen], first_line: int = 1) -> Catalogue:
    catalogue = Catalogue()
    for line, (price, url, when) in enumerate(sightings, first_line):
        rank = ("crawl.warc.gz", line, 7)  # record ``line`` of one archive
        catalogue.add(studio(price), f"page{line}", rank, url, None if when is None else day(when))
    return catalogue


@pytest.mark.parametrize(("sightings", "expected"), CASES.values(), ids=CASES.keys())
def test_latest_price_and_dates(sightings: list[Seen], expected: dict[str, Any]) -> None:
    (row,) = catalogue_of(sightings).rows()
    assert {name: row[name] for name in expected} == expected
    assert (row["first_source"], row["first_line"]) == ("page1", 7)  # input order, always
    assert row["n_sightings"] == len(sightings)


SIGHTINGS = st.lists(
    st.tuples(
        st.sampled_from([450, 480, 500]),
        st.sampled_from([None, "u/a", "u/b"]),
        st.sampled_from([None, 1, 2, 3]),
    ),
    max_size=12,
)


@given(SIGHTINGS, st.lists(st.integers(min_value=0, max_value=12), max_size=4), st.randoms())
def test_merging_batches_in_any_grouping_or_order_gives_one_pass(
    sightings: list[Seen], cuts: list[int], random: Random
) -> None:
    bounds = [0, *sorted(min(cut, len(sightings)) for cut in cuts), len(sightings)]
    spans = list(pairwise(bounds))
    left = Catalogue()  # ((a + b) + c) + ...
    for start, end in spans:
        left.merge(catalogue_of(sightings[start:end], start + 1))
    right = Catalogue()  # a + (b + (c + ...))
    for start, end in reversed(spans):
        batch = catalogue_of(sightings[start:end], start + 1)
        batch.merge(right)
        right = batch
    shuffled = Catalogue()  # as worker processes hand in their catalogues
    for start, end in random.sample(spans, len(spans)):
        shuffled.merge(catalogue_of(sightings[start:end], start + 1))
    one_pass = list(catalogue_of(sightings).rows())
    assert list(left.rows()) == one_pass
    assert list(right.rows()) == one_pass
    assert list(shuffled.rows()) == one_pass
