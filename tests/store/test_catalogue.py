"""Deduplication with capture dates: which price a listing shows, its first and last dates."""

from __future__ import annotations

import pickle
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path
from random import Random
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from classifieds.models import Ad
from classifieds.parse.ads import build_ad
from classifieds.parse.communes import CommuneTable
from classifieds.store import entries
from classifieds.store.catalogue import Catalogue

COMMUNES = CommuneTable.packaged()


@pytest.fixture(autouse=True, scope="module")
def small_maps() -> Iterator[None]:
    """Memory maps of a few entries each: every test here spreads its ads over many maps."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(entries, "PACK_BYTES", 2_048)
        yield


def studio(price: int) -> Ad:
    ad = build_ad(
        "Immobilier", "Studio", f"Studio Caen (14000) {price}€ Découvrir", communes=COMMUNES
    )
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
    shuffled = Catalogue()  # as worker processes hand in their catalogues, down a pipe
    for start, end in random.sample(spans, len(spans)):
        shuffled.merge(pickle.loads(pickle.dumps(catalogue_of(sightings[start:end], start + 1))))
    one_pass = list(catalogue_of(sightings).rows())
    assert list(left.rows()) == one_pass
    assert list(right.rows()) == one_pass
    assert list(shuffled.rows()) == one_pass


def flat(title: str, price: int) -> Ad:
    ad = build_ad(
        "Immobilier", title, f"{title} Caen (14000) {price}€ Découvrir", communes=COMMUNES
    )
    assert isinstance(ad, Ad)
    return ad


# A page: its ads (title, price) in order, its URL, its day of March or None.
PAGES = st.lists(
    st.tuples(
        st.lists(
            st.tuples(st.sampled_from(["Studio", "T2", "Maison"]), st.sampled_from([450, 480])),
            max_size=4,
        ),
        st.sampled_from([None, "u/a", "u/b"]),
        st.sampled_from([None, 1, 2]),
    ),
    max_size=10,
)


Page = tuple[list[tuple[str, int]], str | None, int | None]


def catalogues(
    pages: list[Page], parser: list[bool], spill: Path | None = None, entries: int = 1
) -> tuple[Catalogue, Catalogue, Catalogue]:
    """Return the catalogue of the pages' sightings added one by one, and those of two parsers
    (``parser[k]`` says which one had page k) adding them a page at a time: with a ``spill``
    folder, parsers that keep at most ``entries`` in memory."""
    one_by_one, halves = Catalogue(), [Catalogue(entries, spill), Catalogue(entries, spill)]
    for number, (printed, url, when) in enumerate(pages, 1):
        ads = [flat(title, price) for title, price in printed]
        lines = list(range(10, 10 + 2 * len(ads), 2))
        fetched_at = None if when is None else day(when)
        ids = [ad.listing_id for ad in ads]
        halves[number <= len(parser) and parser[number - 1]].add_page(
            [ad.values() for ad in ads],
            ids,
            lines,
            f"page{number}",
            "crawl",
            number,
            url,
            fetched_at,
        )
        for ad, line in zip(ads, lines, strict=True):
            one_by_one.add(ad, f"page{number}", ("crawl", number, line), url, fetched_at)
    return one_by_one, halves[0], halves[1]


@given(PAGES, st.lists(st.booleans(), max_size=10))
def test_adding_pages_whole_is_adding_their_sightings_one_by_one(
    pages: list[Page], parser: list[bool]
) -> None:
    one_by_one, first, second = catalogues(pages, parser)
    expected = list(one_by_one.rows())
    first.merge(second)
    assert list(first.rows()) == expected
    one_by_one, first, second = catalogues(pages, parser)
    second.merge(first)
    assert list(second.rows()) == expected


@given(PAGES, st.lists(st.booleans(), max_size=10), st.integers(min_value=1, max_value=3))
def test_catalogues_that_spill_give_the_rows_of_those_that_do_not(
    pages: list[Page], parser: list[bool], entries: int
) -> None:
    """Runs written mid-page, handed from one catalogue to another, merged: the same rows."""
    with tempfile.TemporaryDirectory() as spill:
        one_by_one, first, second = catalogues(pages, parser, Path(spill), entries)
        second.spill_all()  # as a worker hands in its catalogue
        first.merge(second)
        assert list(first.rows()) == list(one_by_one.rows())
        assert len(first) == len(one_by_one)
        assert list(Path(spill).iterdir()) == []  # the runs are removed once merged


def test_merged_parsers_show_the_price_of_the_last_page_of_either() -> None:
    # Pages 1 and 4 read by one parser, 2 and 3 by the other: the fourth page's price wins.
    pages: list[Page] = [([("Studio", price)], None, None) for price in (450, 460, 470, 480)]
    for order in range(2):
        _, first, second = catalogues(pages, [False, True, True, False])
        merged = second if order else first
        merged.merge(first if order else second)
        (row,) = merged.rows()
        assert (row["price_eur"], row["n_sightings"], row["first_line"]) == (480, 4, 10)
