"""Deduplicate ads across pages: one entry per listing id, with its sighting count and first place.

A :class:`Catalogue` of one batch of pages merges into the catalogue of the pages before it, so
batches can be parsed anywhere (worker processes, a Dask cluster) and merged in input order
with the same result as one sequential pass.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from classifieds.models import Ad


@dataclass(slots=True)
class _Entry:
    ad: Ad
    """The ad as printed at its latest sighting: the listing's price is the latest one."""
    n_sightings: int
    first_source: str
    first_line: int


class Catalogue:
    """The unique ads seen so far, in order of first sighting."""

    def __init__(self) -> None:
        self._entries: dict[str, _Entry] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def add(self, ad: Ad, source: str, line: int) -> None:
        """Record one sighting of ``ad``."""
        entry = self._entries.get(ad.listing_id)
        if entry is None:
            self._entries[ad.listing_id] = _Entry(ad, 1, source, line)
        else:
            entry.ad = ad
            entry.n_sightings += 1

    def merge(self, later: Catalogue) -> None:
        """Fold in the catalogue of pages read after these ones."""
        for listing_id, seen in later._entries.items():
            entry = self._entries.get(listing_id)
            if entry is None:
                self._entries[listing_id] = seen
            else:
                entry.ad = seen.ad
                entry.n_sightings += seen.n_sightings

    def rows(self) -> Iterator[dict[str, Any]]:
        """Yield one ``listings`` row per unique ad, in order of first sighting."""
        for entry in self._entries.values():
            yield {
                **entry.ad.model_dump(),
                "n_sightings": entry.n_sightings,
                "first_source": entry.first_source,
                "first_line": entry.first_line,
            }
