"""Deduplicate ads across pages: one entry per listing id, with its sighting count and first place.

Every sighting has a rank, its place in the input order: ``(source key, record, line)``. An
entry keeps the smallest rank (first sighting) and the ad as printed at the largest (latest
sighting), so merging catalogues is commutative and associative: batches can be parsed
anywhere (worker processes, a Dask cluster), in any grouping, and merged in any order with the
same result as one sequential pass.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from classifieds.models import Ad

Rank = tuple[str, int, int]
"""(source key, record number in the source, line): sorts like the inputs are read."""


def source_key(source: str) -> str:
    """Return the sort key of an input path: folder by folder, as the inputs are walked.

    ``/`` becomes NUL, which sorts before every character, so ``a/b`` comes before ``a-c`` just
    as the folder ``a`` is walked before the file ``a-c``.

    >>> sorted(["a-c", "a/b"], key=source_key)
    ['a/b', 'a-c']
    """
    return source.replace(os.sep, "\0")


@dataclass(slots=True)
class _Entry:
    ad: Ad
    """The ad as printed at its latest sighting: the listing's price is the latest one."""
    latest: Rank
    first: Rank
    first_source: str
    n_sightings: int


class Catalogue:
    """The unique ads seen so far."""

    def __init__(self) -> None:
        self._entries: dict[str, _Entry] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def add(self, ad: Ad, source: str, rank: Rank) -> None:
        """Record one sighting of ``ad`` in ``source`` at ``rank``.

        Sightings must come in input order (each parser reads its inputs in order): the new
        one is the latest, and never before the first. Out-of-order pages go through merge.
        """
        entry = self._entries.get(ad.listing_id)
        if entry is None:
            self._entries[ad.listing_id] = _Entry(ad, rank, rank, source, 1)
        else:
            entry.ad = ad
            entry.latest = rank
            entry.n_sightings += 1

    def merge(self, other: Catalogue) -> None:
        """Fold in the catalogue of other pages (before, after or between these ones)."""
        for listing_id, seen in other._entries.items():
            entry = self._entries.get(listing_id)
            if entry is None:
                self._entries[listing_id] = seen
                continue
            entry.n_sightings += seen.n_sightings
            if seen.latest > entry.latest:
                entry.ad, entry.latest = seen.ad, seen.latest
            if seen.first < entry.first:
                entry.first, entry.first_source = seen.first, seen.first_source

    def rows(self) -> Iterator[dict[str, Any]]:
        """Yield one ``listings`` row per unique ad, in order of first sighting."""
        for entry in sorted(self._entries.values(), key=lambda e: e.first):
            yield {
                **entry.ad.model_dump(),
                "n_sightings": entry.n_sightings,
                "first_source": entry.first_source,
                "first_line": entry.first[2],
            }
