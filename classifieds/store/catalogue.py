"""Deduplicate ads across pages: one entry per listing id, with its sightings' count, places, dates.

Every sighting has a rank, its place in the input order: ``(source key, record, line)``, and a
moment, its place in time: its capture date, undated sightings coming before all dated ones
(as if older: they never displace a dated one), the rank breaking ties. An entry keeps the
smallest rank (``first_source``, ``first_line``), the ad as printed at the latest moment (so the
listing shows the latest price; without dates, the last in input order), the URL at the
earliest moment among sightings with one, and the earliest and latest capture dates. All are
minima and maxima over a total order, so merging catalogues is commutative and associative:
batches can be parsed anywhere (worker processes, a Dask cluster), in any grouping, and merged
in any order with the same result as one sequential pass.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from classifieds.models import Ad

Rank = tuple[str, int, int]
"""(source key, record number in the source, line): sorts like the inputs are read."""
Moment = tuple[bool, datetime, Rank]
"""(dated, capture date, rank): sorts sightings in time, undated ones first."""
_UNDATED = datetime.min.replace(tzinfo=UTC)


def moment(fetched_at: datetime | None, rank: Rank) -> Moment:
    """Return the place in time of a sighting at ``rank`` captured at ``fetched_at``."""
    return (False, _UNDATED, rank) if fetched_at is None else (True, fetched_at, rank)


@dataclass(slots=True)
class _Entry:
    ad: Ad
    """The ad as printed at its latest sighting: the listing's price is the latest one."""
    latest: Moment
    first: Rank
    first_source: str
    n_sightings: int
    first_seen: datetime | None
    last_seen: datetime | None
    first_url: str | None
    first_url_at: Moment | None
    """Moment of the sighting that gave ``first_url``."""
    later_page: tuple[str, int] | None = None
    """(source key, record) of an undated sighting later than an undated ``latest``, with
    ``later_line``: the fast path of :meth:`Catalogue.add_page` notes its place rather than
    allocate a moment for every sighting; :func:`_settled` folds it into ``latest``."""
    later_line: int = 0


class Catalogue:
    """The unique ads seen so far."""

    def __init__(self) -> None:
        self._entries: dict[str, _Entry] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def add(
        self,
        ad: Ad,
        source: str,
        rank: Rank,
        url: str | None = None,
        fetched_at: datetime | None = None,
    ) -> None:
        """Record one sighting of ``ad`` in ``source`` at ``rank``, on the page at ``url``.

        Sightings must come in input order (each parser reads its inputs in order): the new
        one is never before the first. Out-of-order pages go through merge.
        """
        when = moment(fetched_at, rank)
        entry = _settled(self._entries.get(ad.listing_id))
        if entry is None:
            self._entries[ad.listing_id] = _Entry(
                ad, when, rank, source, 1, fetched_at, fetched_at, url, when if url else None
            )
            return
        entry.n_sightings += 1
        if when > entry.latest:
            entry.ad, entry.latest = ad, when
        if url is not None and (entry.first_url_at is None or when < entry.first_url_at):
            entry.first_url, entry.first_url_at = url, when
        if fetched_at is not None:
            _widen(entry, fetched_at, fetched_at)

    def add_page(
        self,
        ads: list[Ad],
        ids: list[str],
        lines: list[int],
        source: str,
        key: str,
        record: int,
        url: str | None = None,
        fetched_at: datetime | None = None,
    ) -> None:
        """Record the sightings of ``ads`` (listing ids ``ids``) at ``lines`` of one page (see
        :meth:`add`)."""
        entries = self._entries
        page = (key, record)
        for ad, listing_id, line in zip(ads, ids, lines, strict=True):
            entry = entries.get(listing_id)
            if (
                entry is None
                or fetched_at is not None
                or (entry.later_page is None and entry.latest[0])
            ):
                self.add(ad, source, (key, record, line), url, fetched_at)
                continue
            # Undated after undated, in input order (most crawls): the new one is the latest.
            entry.n_sightings += 1
            entry.ad, entry.later_page, entry.later_line = ad, page, line
            if url is not None and entry.first_url_at is None:
                entry.first_url, entry.first_url_at = url, (False, _UNDATED, (key, record, line))

    def restore(
        self,
        ad: Ad,
        *,
        n_sightings: int,
        first: Rank,
        first_source: str,
        latest: Moment,
        first_seen: datetime | None,
        last_seen: datetime | None,
        first_url: str | None,
        first_url_at: Moment | None,
    ) -> None:
        """Add the entry of an ad whose sightings were summed up before (an earlier run)."""
        self._entries[ad.listing_id] = _Entry(
            ad,
            latest,
            first,
            first_source,
            n_sightings,
            first_seen,
            last_seen,
            first_url,
            first_url_at,
        )

    def merge(self, other: Catalogue) -> None:
        """Fold in the catalogue of other pages (before, after or between these ones)."""
        for listing_id, seen in other._entries.items():
            _settled(seen)
            entry = _settled(self._entries.get(listing_id))
            if entry is None:
                self._entries[listing_id] = seen
                continue
            entry.n_sightings += seen.n_sightings
            if seen.latest > entry.latest:
                entry.ad, entry.latest = seen.ad, seen.latest
            if seen.first < entry.first:
                entry.first, entry.first_source = seen.first, seen.first_source
            if seen.first_url_at is not None and (
                entry.first_url_at is None or seen.first_url_at < entry.first_url_at
            ):
                entry.first_url, entry.first_url_at = seen.first_url, seen.first_url_at
            if seen.first_seen is not None and seen.last_seen is not None:
                _widen(entry, seen.first_seen, seen.last_seen)

    def rows(self) -> Iterator[dict[str, Any]]:
        """Yield one ``listings`` row per unique ad, in order of first sighting."""
        for entry in sorted(self._entries.values(), key=lambda e: e.first):
            yield {
                **entry.ad.model_dump(),
                "n_sightings": entry.n_sightings,
                "first_source": entry.first_source,
                "first_line": entry.first[2],
                "first_seen": entry.first_seen,
                "last_seen": entry.last_seen,
                "first_url": entry.first_url,
            }


def _settled(entry: _Entry | None) -> _Entry | None:
    """Return the entry with its later undated sighting, if any, folded into ``latest``."""
    if entry is not None and entry.later_page is not None:
        entry.latest = (False, _UNDATED, (*entry.later_page, entry.later_line))
        entry.later_page = None
    return entry


def _widen(entry: _Entry, first_seen: datetime, last_seen: datetime) -> None:
    """Widen the entry's span of capture dates to take in ``first_seen``..``last_seen``."""
    if entry.first_seen is None or first_seen < entry.first_seen:
        entry.first_seen = first_seen
    if entry.last_seen is None or last_seen > entry.last_seen:
        entry.last_seen = last_seen
