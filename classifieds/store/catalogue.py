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

An entry holds its ad as a tuple of the validated :class:`~classifieds.models.Ad`'s values,
their repeated strings (towns, sections, prices as printed) shared: about 1.1 KB an ad where a
pydantic object and its dict took several; an ad seen once is held packed (~550 bytes, see
:mod:`.entries`). Past ``max_entries`` entries, a catalogue with a
``spill`` folder writes them to disk, sorted by listing id (a run), and starts again; at the
end the runs are merged by listing id, which gives each listing's entry from all its runs,
then sorted by first sighting in runs again: that is the same fold in another grouping, so
the rows are the same, byte for byte, as those of a catalogue that never spilled.
"""

from __future__ import annotations

import heapq
import os
import pickle
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from itertools import islice
from pathlib import Path
from typing import Any

from classifieds.models import Ad
from classifieds.store.entries import (
    AD_FIELDS,
    UNDATED,
    Entry,
    Held,
    Moment,
    Packs,
    Rank,
    fields,
    first_of,
    fold,
    moment,
    packed,
    packed_whole,
    settled,
    unpacked,
    widen,
)

_SHARED_FIELDS = frozenset(AD_FIELDS) - {"listing_id", "title", "description"}
"""Text fields whose values repeat between ads: each distinct value is held once."""
_SHARED = tuple(name in _SHARED_FIELDS for name in AD_FIELDS)
ENTRY_BYTES = 1_900
"""Memory an entry may take, what ``--memory-limit`` is divided by: an ad seen twice or more
takes ~1.5 KB whole (listing id, title, description, sighting facts, its dict slot; towns and
the like shared), plus the ~420 bytes it was packed in while seen once, held until all the
other entries of its memory map are taken; an ad seen once takes ~550."""
FAN_IN = 64
"""Runs merged at once: files open together, and chunks of them in memory."""
_PICKLED_AT_ONCE = 4_096
"""Entries pickled together in a run file: few calls, little memory to read them back."""

_Spilled = tuple[str, Held]
"""An entry in a run file, with its listing id."""
_Slot = Entry | int | bytes
"""An entry as a catalogue's dict holds it: whole, or packed, in its :class:`Packs` (a
reference) or, if huge, as bytes of its own."""


class Catalogue:
    """The unique ads seen so far.

    With a ``spill`` folder, at most ``max_entries`` entries are held in memory; the others
    are in run files in that folder, which :meth:`rows` merges (and removes). A catalogue sent
    to another process carries the names of its runs: the processes must share the folder.
    """

    def __init__(self, max_entries: int | None = None, spill: Path | None = None) -> None:
        self._entries: dict[str, _Slot] = {}
        self._packs = Packs()
        self._shared: dict[Any, Any] = {}
        self._runs: list[Path] = []
        self._max_entries = max_entries if spill is not None else None
        self._spill = spill
        self._count: int | None = None
        # Entries pickled together: at most FAN_IN of these chunks are read back at once.
        self._chunk = max(16, min(_PICKLED_AT_ONCE, (max_entries or sys.maxsize) // FAN_IN))

    def __len__(self) -> int:
        """Return the number of unique ads (exact once :meth:`rows` has merged the runs)."""
        return len(self._entries) if self._count is None else self._count

    def __getstate__(self) -> dict[str, Any]:
        # Pickle memoises shared strings by identity: they travel once per catalogue. The packs
        # travel compacted: the bytes of ads unpacked since stay behind.
        packs = Packs()
        entries = {
            listing_id: packs.put(self._packs.peek(slot)) if isinstance(slot, int) else slot
            for listing_id, slot in self._entries.items()
        }
        return {name: getattr(self, name) for name in _STATE} | {
            "_entries": entries,
            "_packs": packs,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        for name in _STATE:
            setattr(self, name, state[name])
        self._shared = {}

    @property
    def spilled(self) -> bool:
        """Whether some entries are in run files."""
        return bool(self._runs)

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
        self._sighting(ad.listing_id, ad.values(), source, rank, url, fetched_at)

    def _sighting(
        self,
        listing_id: str,
        values: tuple[Any, ...],
        source: str,
        rank: Rank,
        url: str | None,
        fetched_at: datetime | None,
    ) -> None:
        """Record one sighting of the ad of ``values`` (see :meth:`add`)."""
        held = self._entries.get(listing_id)
        if held is None:
            blob = packed(values, source, rank, url, fetched_at)
            self._put(listing_id, self._packs.put(blob))
            return
        entry = self._whole(listing_id, held)
        when = moment(fetched_at, rank)
        settled(entry)
        entry.n_sightings += 1
        if when > entry.latest:
            entry.ad, entry.latest = values, when
        if url is not None and (entry.first_url_at is None or when < entry.first_url_at):
            entry.first_url, entry.first_url_at = url, when
        if fetched_at is not None:
            widen(entry, fetched_at, fetched_at)

    def add_page(
        self,
        values: list[tuple[Any, ...]],
        ids: list[str],
        lines: list[int],
        source: str,
        key: str,
        record: int,
        url: str | None = None,
        fetched_at: datetime | None = None,
    ) -> None:
        """Record the sightings of the ads of ``values`` (their :meth:`~Ad.values`; listing ids
        ``ids``) at ``lines`` of one page (see :meth:`add`)."""
        entries = self._entries
        page = (key, record)
        for printed, listing_id, line in zip(values, ids, lines, strict=True):
            entry = entries.get(listing_id)
            if (
                not isinstance(entry, Entry)
                or fetched_at is not None
                or (entry.later_page is None and entry.latest[0])
            ):
                self._sighting(listing_id, printed, source, (key, record, line), url, fetched_at)
                continue
            # Undated after undated, in input order (most crawls): the new one is the latest.
            entry.n_sightings += 1
            entry.ad, entry.later_page, entry.later_line = printed, page, line
            if url is not None and entry.first_url_at is None:
                entry.first_url, entry.first_url_at = url, (False, UNDATED, (key, record, line))

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
        """Add the entry of an ad whose sightings were summed up before (an earlier run),
        packed: most are not seen again."""
        entry = Entry(
            ad.values(),
            latest,
            first,
            first_source,
            n_sightings,
            first_seen,
            last_seen,
            first_url,
            first_url_at,
        )
        self._put(ad.listing_id, self._packs.put(packed_whole(entry)))

    def merge(self, other: Catalogue) -> None:
        """Fold in the catalogue of other pages (before, after or between these ones), emptying
        ``other`` as it goes: each of its memory maps is given back once copied."""
        if other is self:
            raise ValueError("a catalogue cannot be merged into itself")
        self._runs += other._runs
        other._runs = []
        if not self._entries:  # the first one handed in (of one parser, often all): taken whole
            self._entries, other._entries = other._entries, {}
            self._packs, other._packs = other._packs, Packs()
            self._shared, other._shared = other._shared, {}
            if self._max_entries is not None and len(self._entries) >= self._max_entries:
                self.spill_all()
            return
        for listing_id, theirs in other._entries.items():
            seen = other._held(theirs)
            held = self._entries.get(listing_id)
            if held is None:
                self._put(
                    listing_id, self._packs.put(seen) if isinstance(seen, bytes) else settled(seen)
                )
            else:
                fold(self._whole(listing_id, held), unpacked(seen))
        other._entries.clear()
        other._packs = Packs()

    def spill_all(self) -> None:
        """Write the entries held in memory to a run file (a worker does before it hands in
        its catalogue: the parent then reads them from disk rather than from a pipe)."""
        if self._entries and self._spill is not None:
            # Peeked, not taken: a run that cannot be written leaves the catalogue whole.
            by_id = ((i, self._peeked(slot)) for i, slot in sorted(self._entries.items()))
            self._runs.append(_write_run(self._spill, by_id, "ids", self._chunk))
            self._entries.clear()  # in place: add_page holds it
            self._packs = Packs()
            self._shared.clear()

    def rows(self) -> Iterator[dict[str, Any]]:
        """Yield one ``listings`` row per unique ad, in order of first sighting.

        A catalogue that spilled merges its runs here, and removes them.
        """
        if not self._runs:
            entries: Iterable[Held] = self._emptied()
        else:
            self.spill_all()
            entries = self._merged_runs()
        count = 0
        for held in entries:
            count += 1
            entry = settled(unpacked(held))
            yield {
                **dict(zip(AD_FIELDS, entry.ad, strict=True)),
                "n_sightings": entry.n_sightings,
                "first_source": entry.first_source,
                "first_line": entry.first[2],
                "first_seen": entry.first_seen,
                "last_seen": entry.last_seen,
                "first_url": entry.first_url,
            }
        self._count = count

    def _values(self, values: Iterable[Any]) -> tuple[Any, ...]:
        """Return an ad's values, each repeated string as the one held already."""
        shared = self._shared
        return tuple(
            shared.setdefault(value, value) if keep and value.__class__ is str else value
            for value, keep in zip(values, _SHARED, strict=True)
        )

    def _held(self, slot: _Slot) -> Held:
        """Return the entry in ``slot``, taking it out of the packs if it is there."""
        return self._packs.take(slot) if isinstance(slot, int) else slot

    def _peeked(self, slot: _Slot) -> Held:
        """Return the entry in ``slot``, leaving it in the packs if it is there."""
        return self._packs.peek(slot) if isinstance(slot, int) else slot

    def _first_of(self, slot: _Slot) -> Rank:
        return first_of(self._peeked(slot))

    def _emptied(self) -> Iterator[Held]:
        """Yield the entries in order of first sighting, emptying the catalogue as they go:
        the rows made of them take their place in memory rather than add to it (the packs
        give each map back to the system once all its entries are taken)."""
        slots = sorted(self._entries.values(), key=self._first_of)
        self._entries.clear()
        for i, slot in enumerate(slots):
            slots[i] = b""
            yield self._held(slot)
        self._packs = Packs()

    def _whole(self, listing_id: str, slot: _Slot) -> Entry:
        """Return the entry of a listing whole, unpacking it in place if it was packed."""
        if isinstance(slot, Entry):
            return slot
        entry = unpacked(self._held(slot))
        entry.ad = self._values(entry.ad)
        self._entries[listing_id] = entry
        return entry

    def _put(self, listing_id: str, entry: _Slot) -> None:
        self._entries[listing_id] = entry
        if self._max_entries is not None and len(self._entries) >= self._max_entries:
            self.spill_all()

    def _merged_runs(self) -> Iterator[Held]:
        """Yield the entries of all runs in order of first sighting, each listing's folded
        from all its runs, holding at most ``max_entries`` at a time (and removing the runs)."""
        spill = self._spill
        assert spill is not None
        self._runs = _narrowed(spill, self._runs, _listing_id, "ids", self._chunk)
        by_id = heapq.merge(*(_read_run(path) for path in self._runs), key=_listing_id)
        limit = self._max_entries or sys.maxsize
        by_first: list[Path] = []
        try:
            chunk: list[_Spilled] = []
            for item in _folded(by_id):
                chunk.append(item)
                if len(chunk) >= limit:
                    chunk.sort(key=_spilled_first)
                    by_first.append(_write_run(spill, chunk, "first", self._chunk))
                    chunk = []
            for path in self._runs:
                path.unlink()
            self._runs = []
            chunk.sort(key=_spilled_first)
            if not by_first:  # all in memory at once: no second round of runs
                yield from (entry for _, entry in chunk)
                return
            by_first.append(_write_run(spill, chunk, "first", self._chunk))
            del chunk
            by_first = _narrowed(spill, by_first, _spilled_first, "first", self._chunk)
            merged = heapq.merge(*(_read_run(path) for path in by_first), key=_spilled_first)
            yield from (entry for _, entry in merged)
        finally:
            for path in [*self._runs, *by_first]:
                path.unlink(missing_ok=True)


_STATE = ("_entries", "_packs", "_runs", "_max_entries", "_spill", "_count", "_chunk")


def _listing_id(item: _Spilled) -> str:
    return item[0]


def _spilled_first(item: _Spilled) -> Rank:
    return first_of(item[1])


def _folded(by_id: Iterable[_Spilled]) -> Iterator[_Spilled]:
    """Return the entries of a stream sorted by listing id, those of one listing folded."""
    current: _Spilled | None = None
    for listing_id, entry in by_id:
        if current is not None and current[0] == listing_id:
            whole = unpacked(current[1])
            fold(whole, unpacked(entry))
            current = (listing_id, whole)
            continue
        if current is not None:
            yield current
        current = (listing_id, entry)
    if current is not None:
        yield current


def _narrowed(
    folder: Path, runs: list[Path], key: Callable[[_Spilled], Any], kind: str, chunk: int
) -> list[Path]:
    """Return runs that hold the same entries, at most ``FAN_IN`` of them: the first ones are
    merged into one (those of one listing folded) until so, each file being read once per
    merge. This bounds the files open at once however small the memory limit."""
    runs = list(runs)
    while len(runs) > FAN_IN:
        group, runs = runs[:FAN_IN], runs[FAN_IN:]
        merged = heapq.merge(*(_read_run(path) for path in group), key=key)
        runs.append(_write_run(folder, _folded(merged), kind, chunk))
        for path in group:
            path.unlink()
    return runs


def _write_run(folder: Path, entries: Iterable[_Spilled], kind: str, chunk: int) -> Path:
    """Write sorted entries to a new run file in ``folder``, ``chunk`` at a time; return its
    path."""
    handle, name = tempfile.mkstemp(prefix=f"run-{kind}-", suffix=".pickle", dir=folder)
    with os.fdopen(handle, "wb") as file:
        rows = iter(entries)
        while some := [(i, _spilled(e)) for i, e in islice(rows, chunk)]:
            pickle.dump(some, file, protocol=pickle.HIGHEST_PROTOCOL)
    return Path(name)


def _read_run(path: Path) -> Iterator[_Spilled]:
    """Yield the entries of a run file, in its order, a chunk in memory at a time."""
    with open(path, "rb") as file:
        while True:
            try:
                chunk = pickle.load(file)  # a file this run wrote, in its own folder
            except EOFError:
                return
            for listing_id, spilled in chunk:
                yield listing_id, spilled if isinstance(spilled, bytes) else Entry(*spilled)


def _spilled(held: Held) -> bytes | tuple[Any, ...]:
    """Return an entry as a run file holds it: packed, or the fields of a settled entry."""
    return held if isinstance(held, bytes) else fields(settled(held))
