"""Parse a batch of inputs: the unit of work that engines schedule.

A :class:`Parser` turns each batch into a :class:`BatchOutput` (its sightings as columns of
plain values, its rejects, its counts), small and cheap to send between processes (workers
never build Arrow arrays, which would make pyarrow import pandas in each), while the ads it
finds accumulate in the parser's own :class:`~classifieds.dedup.Catalogue`, sent once at the
end. Whatever the engine, the run merges the same outputs in input order.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, fields
from itertools import islice

from classifieds.ads import occurrences
from classifieds.dataset import SightingRows
from classifieds.dedup import Catalogue
from classifieds.formats import DEFAULT_JSONL_FIELDS, JsonlFields, Skipped, read_input
from classifieds.models import Reject


@dataclass
class Tally:
    """Counts of what a batch or a run read."""

    inputs: int = 0
    input_bytes: int = 0
    pages: int = 0
    pages_with_widget: int = 0
    sightings: int = 0
    records_skipped: int = 0
    """Records of archives that hold no page: requests, revisits, images, error statuses."""

    def add(self, other: Tally) -> None:
        for name in (f.name for f in fields(self)):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class BatchOutput:
    """What the run writes for one batch, in input order."""

    sightings: SightingRows
    rejects: list[Reject] = field(default_factory=list)
    tally: Tally = field(default_factory=Tally)


class Parser:
    """Parse batches of inputs; the ads found accumulate in :attr:`catalogue`."""

    def __init__(self, jsonl_fields: JsonlFields = DEFAULT_JSONL_FIELDS) -> None:
        self.catalogue = Catalogue()
        self.jsonl_fields = jsonl_fields

    def parse(self, sources: Sequence[str]) -> BatchOutput:
        """Return the sightings, rejects and counts of the pages of these inputs, in order."""
        rows = SightingRows()
        rejects: list[Reject] = []
        tally = Tally(inputs=len(sources))
        add = self.catalogue.add
        pages = (
            page
            for source in sources
            for page in read_input(source, self.jsonl_fields, widget_only=True)
        )
        for page in pages:
            if isinstance(page, Reject):
                rejects.append(page)
                continue
            if isinstance(page, Skipped):
                tally.records_skipped += 1
                continue
            tally.pages += 1
            tally.input_bytes += page.size
            before = len(rows)
            has_widget = False
            for found in occurrences(page.text, page.source, page.first_line):
                has_widget = True
                if isinstance(found, Reject):
                    rejects.append(found)
                    continue
                ad, line, position = found
                add(ad, page.source, (page.key, page.record, line), page.url, page.fetched_at)
                rows.listing_id.append(ad.listing_id)
                rows.line.append(line)
                rows.position.append(position)
                rows.section.append(ad.section)
                rows.price_eur.append(ad.price_eur)
            count = len(rows) - before  # the page's values, repeated at C speed
            rows.source.extend([page.source] * count)
            rows.url.extend([page.url] * count)
            rows.fetched_at.extend([page.fetched_at] * count)
            tally.pages_with_widget += has_widget
        tally.sightings = len(rows)
        return BatchOutput(rows, rejects, tally)


def batched(sources: Iterable[str], size: int) -> Iterator[list[str]]:
    """Yield the inputs in lists of ``size`` (the last one shorter), lazily."""
    iterator = iter(sources)
    while batch := list(islice(iterator, size)):
        yield batch
