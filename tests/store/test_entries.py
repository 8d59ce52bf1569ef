"""An ad seen once is held packed: unpacked, it is the entry it would have been whole."""

from __future__ import annotations

import mmap
import os
import pickle
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from itertools import islice
from pathlib import Path
from random import Random
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from classifieds.models import Ad
from classifieds.parse.ads import AdBook, build_ad
from classifieds.store import catalogue as catalogue_module
from classifieds.store import entries
from classifieds.store.catalogue import Catalogue
from classifieds.store.entries import (
    AD_FIELDS,
    Entry,
    Packs,
    first_of,
    moment,
    packed,
    packed_whole,
    unpacked,
)

TEXT = st.text(max_size=30)
VALUE = st.one_of(st.none(), TEXT, st.integers(), st.floats(allow_nan=False))
DATES = st.datetimes(timezones=st.just(UTC))


@given(
    st.tuples(*[VALUE] * len(AD_FIELDS)),
    st.tuples(TEXT, st.integers(min_value=0), st.integers(min_value=0)),
    st.one_of(st.none(), TEXT),
    st.one_of(st.none(), st.just(""), TEXT),
    st.one_of(st.none(), DATES),
)
def test_a_packed_entry_unpacks_to_the_entry_of_one_sighting(
    values: tuple[object, ...],
    rank: tuple[str, int, int],
    source: str | None,
    url: str | None,
    fetched_at: datetime | None,
) -> None:
    source = rank[0] if source is None else source  # a source named as its key, or not
    when = moment(fetched_at, rank)
    whole = Entry(values, when, rank, source, 1, fetched_at, fetched_at, url, when if url else None)
    held = packed(values, source, rank, url, fetched_at)
    assert unpacked(held) == whole
    assert first_of(held) == rank == first_of(whole)
    if fetched_at is not None:  # the same instant, to the microsecond, in UTC
        assert unpacked(held).first_seen == fetched_at


RANK = st.tuples(TEXT, st.integers(min_value=0), st.integers(min_value=0))
MOMENT = st.one_of(
    st.tuples(st.just(False), st.just(entries.UNDATED), RANK),
    st.tuples(st.just(True), DATES, RANK),
)


@given(
    st.tuples(*[VALUE] * len(AD_FIELDS)),
    MOMENT,
    RANK,
    TEXT,
    st.integers(min_value=1),
    st.one_of(st.none(), DATES),
    st.one_of(st.none(), DATES),
    st.one_of(st.none(), st.just(""), TEXT),
    st.one_of(st.none(), MOMENT),
)
def test_an_entry_packed_whole_unpacks_to_itself(
    values: tuple[object, ...],
    latest: entries.Moment,
    first: entries.Rank,
    first_source: str,
    n_sightings: int,
    first_seen: datetime | None,
    last_seen: datetime | None,
    first_url: str | None,
    first_url_at: entries.Moment | None,
) -> None:
    """A listing of the dataset ``--append`` adds to is held packed whole (an earlier run's
    entry), and comes back the same, to the microsecond."""
    whole = Entry(
        values,
        latest,
        first,
        first_source,
        n_sightings,
        first_seen,
        last_seen,
        first_url,
        first_url_at,
    )
    held = packed_whole(whole)
    assert unpacked(held) == whole
    assert first_of(held) == first


def test_dates_far_from_the_epoch_unpack_exactly() -> None:
    for fetched_at in (
        datetime(1, 1, 1, tzinfo=UTC),
        datetime(9999, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC),
        datetime(1969, 12, 31, 23, 59, 59, 1, tzinfo=UTC),
    ):
        held = packed((), "crawl", ("crawl", 0, 1), None, fetched_at)
        assert unpacked(held).last_seen == fetched_at


def test_a_second_sighting_unpacks_the_entry_and_shares_its_towns() -> None:
    book = AdBook()
    first = book.built_ad("Immobilier", "Studio", "Studio Caen (14000) 450€ Découvrir")
    again = book.built_ad("Immobilier", "T2", "T2 Caen (14000) 600€ Découvrir")
    assert isinstance(first, Ad) and isinstance(again, Ad)
    catalogue = Catalogue()
    for line, ad in enumerate([first, again, first], 1):
        catalogue.add(ad, "page", ("page", 0, line))
    rows = list(catalogue.rows())
    assert [(row["title"], row["n_sightings"], row["first_line"]) for row in rows] == [
        ("Studio", 2, 1),
        ("T2", 1, 2),
    ]
    assert rows[0]["town"] == rows[1]["town"] == "Caen"


def test_ads_of_a_book_share_one_set_of_field_names() -> None:
    """2.3 KB an ad held; a copy with another section still gets a set of its own."""
    book = AdBook()
    ads = [
        book.built_ad("Immobilier", title, f"{title} Caen (14000) 450€ Découvrir")
        for title in ("Studio", "T2", "Maison")
    ]
    capitals = book.built_ad("IMMOBILIER", "Studio", "Studio Caen (14000) 450€ Découvrir")
    assert all(isinstance(ad, Ad) for ad in [*ads, capitals])
    sets = {id(ad.__pydantic_fields_set__) for ad in ads if isinstance(ad, Ad)}
    assert len(sets) == 1
    assert isinstance(capitals, Ad) and capitals.section == "IMMOBILIER"
    alone = build_ad("Immobilier", "Studio", "Studio Caen (14000) 450€ Découvrir")
    assert isinstance(alone, Ad)
    assert ads[0] == alone  # equal to the ad built without a book
    assert ads[0].model_fields_set == alone.model_fields_set


def test_dates_in_a_catalogue_survive_packing() -> None:
    ad = build_ad("Immobilier", "Studio", "Studio Caen (14000) 450€ Découvrir")
    assert isinstance(ad, Ad)
    fetched_at = datetime(2024, 3, 1, 12, 0, 0, 123_456, tzinfo=UTC)
    catalogue = Catalogue()
    catalogue.add(ad, "page", ("page", 0, 1), "https://x.fr/a", fetched_at)
    (row,) = catalogue.rows()
    assert (row["first_seen"], row["last_seen"]) == (fetched_at, fetched_at)
    assert row["first_seen"] - fetched_at == timedelta(0)
    assert row["first_url"] == "https://x.fr/a"


@given(st.lists(st.binary(max_size=40), max_size=60), st.randoms(), st.booleans())
def test_packs_give_back_each_entry_and_then_their_memory(
    blobs: list[bytes], random: Random, travels: bool
) -> None:
    """Maps of 64 bytes: entries side by side, across maps, taken in any order, sent to
    another process (pickled) or not."""
    packs = Packs(64)
    refs = [packs.put(blob) for blob in blobs]
    if travels:
        packs = pickle.loads(pickle.dumps(packs))
    assert [packs.peek(ref) for ref in refs] == blobs
    order = random.sample(range(len(blobs)), len(blobs))
    assert [packs.take(refs[i]) for i in order] == [blobs[i] for i in order]
    held = [pack for pack in packs._maps if pack is not None]
    assert len(held) <= 1  # all given back, but for the one being filled


def test_packs_hold_a_huge_entry_as_its_own_bytes() -> None:
    packs = Packs(64)
    huge = b"x" * 65
    assert packs.put(huge) is huge
    assert packs.take(huge) is huge
    ref = packs.put(b"small")
    assert isinstance(ref, int) and packs.take(ref) == b"small"


def test_a_catalogue_sends_only_what_its_packs_hold() -> None:
    """A worker's catalogue of a few ads goes down the pipe in a few KB, not a 4 MiB map."""
    catalogue = Catalogue()
    ad = build_ad("Immobilier", "Studio", "Studio Caen (14000) 450€ Découvrir")
    assert isinstance(ad, Ad)
    catalogue.add(ad, "page", ("page", 0, 1))
    sent = pickle.dumps(catalogue)
    assert len(sent) < 4_096
    received = pickle.loads(sent)
    received.add(ad, "page", ("page", 0, 2))  # unpacked from a read-only map
    other = book_ad("T2")
    received.add(other, "page", ("page", 0, 3))  # packed in a map of its own
    assert [(row["n_sightings"], row["first_line"]) for row in received.rows()] == [(2, 1), (1, 3)]


def book_ad(title: str) -> Ad:
    ad = build_ad("Immobilier", title, f"{title} Caen (14000) 450€ Découvrir")
    assert isinstance(ad, Ad)
    return ad


def maps_held(catalogue: Catalogue) -> int:
    return sum(pack is not None for pack in catalogue._packs._maps)


def test_a_catalogue_gives_its_maps_back_as_its_rows_are_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(entries, "PACK_BYTES", 2_048)  # about 8 ads a map
    catalogue = Catalogue()
    for line in range(100):
        catalogue.add(book_ad(f"Studio {line}"), "page", ("page", 0, line))
    held = maps_held(catalogue)
    assert held >= 10
    rows = catalogue.rows()
    for _ in range(50):
        next(rows)
    assert maps_held(catalogue) <= held // 2 + 1  # the first half of the ads let go of
    assert len(list(rows)) == 50


def test_merging_empties_the_other_catalogue_and_its_maps(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(entries, "PACK_BYTES", 2_048)
    mine, theirs = Catalogue(), Catalogue()
    for line in range(40):
        theirs.add(book_ad(f"Studio {line}"), "page", ("page", 0, line))
    mine.merge(theirs)
    assert (len(mine), len(theirs), maps_held(theirs)) == (40, 0, 0)
    with pytest.raises(ValueError, match="into itself"):
        mine.merge(mine)
    assert len(list(mine.rows())) == 40


def test_a_run_that_cannot_be_written_leaves_the_catalogue_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full disk mid-spill: the entries are all still there to be read."""
    monkeypatch.setattr(entries, "PACK_BYTES", 2_048)
    catalogue = Catalogue(1_000, tmp_path)
    for line in range(30):
        catalogue.add(book_ad(f"Studio {line}"), "page", ("page", 0, line))

    def full(folder: Path, rows: Iterable[Any], *_: Any) -> Path:
        list(islice(rows, 20))
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as patch:
        patch.setattr(catalogue_module, "_write_run", full)
        with pytest.raises(OSError, match="No space"):
            catalogue.spill_all()
    assert [row["first_line"] for row in catalogue.rows()] == list(range(30))


def test_packs_are_private_to_a_forked_process() -> None:
    """A forked worker writing to the maps it inherits never changes its parent's."""
    if not hasattr(os, "fork"):
        pytest.skip("no fork here")
    packs = Packs()
    ref = packs.put(b"the parent's")
    assert isinstance(ref, int)
    child = os.fork()
    if child == 0:  # the child: overwrite the entry in place, then leave at once
        pack = packs._maps[0]
        assert isinstance(pack, mmap.mmap)
        pack[0:12] = b"the child's!"
        os._exit(0)
    os.waitpid(child, 0)
    assert packs.peek(ref) == b"the parent's"


def test_a_catalogue_sent_leaves_the_bytes_of_ads_unpacked_behind() -> None:
    """Ads seen twice are unpacked: what they were packed in does not travel (Dask)."""
    catalogue = Catalogue()
    for line in range(40):
        catalogue.add(book_ad(f"Studio {line % 20}"), "page", ("page", 0, line))
    sent = pickle.loads(pickle.dumps(catalogue))
    half = Catalogue()
    for line in range(20):
        half.add(book_ad(f"Studio {line}"), "page", ("page", 0, line))
    assert (maps_held(sent), maps_held(pickle.loads(pickle.dumps(half)))) == (0, 1)
    assert list(sent.rows()) == list(catalogue.rows())
