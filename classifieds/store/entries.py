"""A unique ad's entry in a catalogue: its values and what its sightings tell, and the fold of
two entries of one listing into one (see :mod:`.catalogue` for the order they follow).

Most ads of a crawl where ads are new are seen once: such an entry is held packed, one
``bytes`` of its values and its sighting (:func:`packed`, ~420 bytes where a whole
:class:`Entry` takes ~1.5 KB), kept in :class:`Packs`, and unpacked on its second sighting,
when it is merged, or read. So is each listing of the dataset that ``--append`` adds to
(:func:`packed_whole`): most are not seen again.
"""

from __future__ import annotations

import marshal
import mmap
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from classifieds.models import Ad

Rank = tuple[str, int, int]
"""(source key, record number in the source, line): sorts like the inputs are read."""
Moment = tuple[bool, datetime, Rank]
"""(dated, capture date, rank): sorts sightings in time, undated ones first."""
UNDATED = datetime.min.replace(tzinfo=UTC)
AD_FIELDS = tuple(Ad.model_fields)
"""The names of an entry's ad values, in order."""
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def moment(fetched_at: datetime | None, rank: Rank) -> Moment:
    """Return the place in time of a sighting at ``rank`` captured at ``fetched_at``."""
    return (False, UNDATED, rank) if fetched_at is None else (True, fetched_at, rank)


@dataclass(slots=True)
class Entry:
    ad: tuple[Any, ...]
    """The values of the ad as printed at its latest sighting (the listing's price is the
    latest one), in the order of :data:`AD_FIELDS`."""
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
    allocate a moment for every sighting; :func:`settled` folds it into ``latest``."""
    later_line: int = 0


Held = Entry | bytes
"""An entry as a catalogue holds it: whole, or :func:`packed` while seen once."""


def packed(
    values: tuple[Any, ...], source: str, rank: Rank, url: str | None, fetched_at: datetime | None
) -> bytes:
    """Return the entry of an ad seen once (its values, the sighting's facts) as bytes.

    Marshal: the fastest serialiser of tuples of strings and numbers (a microsecond each
    way); dates travel as integer microseconds, exactly.
    """
    key, record, line = rank
    when = None if fetched_at is None else (fetched_at - _EPOCH) // timedelta(microseconds=1)
    return marshal.dumps((values, key, record, line, None if source == key else source, url, when))


def packed_whole(entry: Entry) -> bytes:
    """Return a whole entry as bytes (see :func:`packed`): moments and dates as integer
    microseconds."""
    settled(entry)
    return marshal.dumps(
        (
            entry.ad,
            _moment_data(entry.latest),
            entry.first,
            entry.first_source,
            entry.n_sightings,
            _micros(entry.first_seen),
            _micros(entry.last_seen),
            entry.first_url,
            None if entry.first_url_at is None else _moment_data(entry.first_url_at),
        )
    )


def _micros(at: datetime | None) -> int | None:
    return None if at is None else (at - _EPOCH) // timedelta(microseconds=1)


def _date(micros: int | None) -> datetime | None:
    return None if micros is None else _EPOCH + timedelta(microseconds=micros)


def _moment_data(at: Moment) -> tuple[bool, int | None, Rank]:
    return at[0], _micros(at[1]), at[2]


def _moment(data: tuple[bool, int, Rank]) -> Moment:
    return data[0], _EPOCH + timedelta(microseconds=data[1]), data[2]


_WHOLE_FIELDS = 9
"""Items of an entry packed whole; one packed when seen once has 7."""


def unpacked(held: Held) -> Entry:
    """Return the entry held (see :func:`packed` and :func:`packed_whole`) whole."""
    if not isinstance(held, bytes):
        return held
    data = marshal.loads(held)
    if len(data) == _WHOLE_FIELDS:
        values, latest, first, source, count, first_seen, last_seen, url, url_at = data
        return Entry(
            values,
            _moment(latest),
            first,
            source,
            count,
            _date(first_seen),
            _date(last_seen),
            url,
            None if url_at is None else _moment(url_at),
        )
    values, key, record, line, source, url, when = data
    rank = (key, record, line)
    fetched_at = _date(when)
    at = moment(fetched_at, rank)
    first_url_at = at if url else None
    first_source = key if source is None else source
    return Entry(values, at, rank, first_source, 1, fetched_at, fetched_at, url, first_url_at)


def first_of(held: Held) -> Rank:
    """Return the rank of an entry's first sighting."""
    if isinstance(held, bytes):
        data = marshal.loads(held)
        if len(data) == _WHOLE_FIELDS:
            return data[2]  # type: ignore[no-any-return]
        _, key, record, line, *_ = data
        return (key, record, line)
    return held.first


def fold(entry: Entry, seen: Entry) -> None:
    """Fold into ``entry`` the entry ``seen`` of the same listing from other pages."""
    settled(entry)
    settled(seen)
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
        widen(entry, seen.first_seen, seen.last_seen)


def settled(entry: Entry) -> Entry:
    """Return the entry with its later undated sighting, if any, folded into ``latest``."""
    if entry.later_page is not None:
        entry.latest = (False, UNDATED, (*entry.later_page, entry.later_line))
        entry.later_page = None
    return entry


def widen(entry: Entry, first_seen: datetime, last_seen: datetime) -> None:
    """Widen the entry's span of capture dates to take in ``first_seen``..``last_seen``."""
    if entry.first_seen is None or first_seen < entry.first_seen:
        entry.first_seen = first_seen
    if entry.last_seen is None or last_seen > entry.last_seen:
        entry.last_seen = last_seen


def fields(entry: Entry) -> tuple[Any, ...]:
    """Return the fields of a settled entry, as :class:`Entry` takes them."""
    return (
        entry.ad,
        entry.latest,
        entry.first,
        entry.first_source,
        entry.n_sightings,
        entry.first_seen,
        entry.last_seen,
        entry.first_url,
        entry.first_url_at,
    )


PACK_BYTES = 1 << 22
"""Bytes of one memory map of packed entries: 10,000 of them, about."""
_LENGTH_BITS = 20
"""A reference to a packed entry is its place << 20 | its length: an entry of 1 MiB or more
(never seen: lines are cut at 64 KB) is held as bytes of its own."""


class Packs:
    """Packed entries side by side in anonymous memory maps of :data:`PACK_BYTES`.

    No object and no allocator header an entry, and nothing scattered among the parser's
    objects, where freed memory stays with the process: each map is given back to the system
    once all its entries are taken, as a catalogue's rows are read.
    """

    def __init__(self, size: int | None = None) -> None:
        self._size = PACK_BYTES if size is None else size
        self._maps: list[mmap.mmap | bytes | None] = []
        self._live: list[int] = []
        self._used = self._size

    def __getstate__(self) -> dict[str, Any]:
        # The map being filled travels as far as it is filled; maps come back read-only.
        maps = [None if m is None else bytes(m) for m in self._maps]
        if maps and maps[-1] is not None:
            maps[-1] = maps[-1][: self._used]
        return {**self.__dict__, "_maps": maps, "_used": self._size}

    def put(self, blob: bytes) -> int | bytes:
        """Return a reference to a copy of ``blob`` here (or ``blob`` itself, if huge)."""
        size = len(blob)
        if size >> _LENGTH_BITS or size > self._size:
            return blob
        if self._used + size >= self._size:  # a full map: a new one
            if self._live and not self._live[-1]:
                self._release(len(self._maps) - 1)
            self._maps.append(_private_memory(self._size))
            self._live.append(0)
            self._used = 0
        index, start = len(self._maps) - 1, self._used
        pack = self._maps[index]
        assert isinstance(pack, mmap.mmap)
        pack[start : start + size] = blob
        self._used += size
        self._live[index] += 1
        return (index * self._size + start) << _LENGTH_BITS | size

    def peek(self, ref: int | bytes) -> bytes:
        """Return the packed entry at ``ref``."""
        if isinstance(ref, bytes):
            return ref
        index, start = divmod(ref >> _LENGTH_BITS, self._size)
        pack = self._maps[index]
        assert pack is not None, "a packed entry taken twice"
        return pack[start : start + (ref & ((1 << _LENGTH_BITS) - 1))]

    def take(self, ref: int | bytes) -> bytes:
        """Return the packed entry at ``ref``, and let go of it here."""
        blob = self.peek(ref)
        if isinstance(ref, int):
            index = (ref >> _LENGTH_BITS) // self._size
            self._live[index] -= 1
            filling = index == len(self._maps) - 1 and self._used < self._size
            if not self._live[index] and not filling:
                self._release(index)
        return blob

    def _release(self, index: int) -> None:
        pack, self._maps[index] = self._maps[index], None
        if isinstance(pack, mmap.mmap):
            pack.close()


def _private_memory(size: int) -> mmap.mmap:
    """Return ``size`` bytes of anonymous memory, copied on write in a forked worker (an
    anonymous map is shared between processes by default)."""
    if sys.platform == "win32":
        return mmap.mmap(-1, size)
    return mmap.mmap(-1, size, flags=mmap.MAP_PRIVATE)
