"""Parse a batch of inputs: the unit of work that engines schedule.

A :class:`Parser` turns each batch into a :class:`BatchOutput` (its sightings as columns of
plain values, its rejects, its counts), small and cheap to send between processes (workers
never build Arrow arrays, which would make pyarrow import pandas in each), while the ads it
finds accumulate in the parser's own :class:`~classifieds.dedup.Catalogue`, sent once at the
end. Whatever the engine, the run merges the same outputs in input order.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice

from classifieds.ads import occurrences
from classifieds.dataset import SightingRows
from classifieds.dedup import Catalogue
from classifieds.formats import (
    DEFAULT_JSONL_FIELDS,
    InputFacts,
    JsonlFields,
    Skipped,
    read_input,
)
from classifieds.models import Reject
from classifieds.sources import source_name


@dataclass
class InputStats:
    """What one input gave: a row of ``inputs.parquet``."""

    source: str
    bytes: int = 0
    sha256: str = ""
    pages: int = 0
    pages_with_widget: int = 0
    sightings: int = 0
    rejects: int = 0
    records_skipped: int = 0


@dataclass
class Tally:
    """Counts of what a batch or a run read."""

    inputs: int = 0
    input_bytes: int = 0
    pages: int = 0
    pages_with_widget: int = 0
    sightings: int = 0
    rejects: int = 0
    records_skipped: int = 0
    """Records of archives that hold no page: requests, revisits, images, error statuses."""

    def add(self, stats: InputStats) -> None:
        """Count one more input."""
        self.inputs += 1
        self.input_bytes += stats.bytes
        self.pages += stats.pages
        self.pages_with_widget += stats.pages_with_widget
        self.sightings += stats.sightings
        self.rejects += stats.rejects
        self.records_skipped += stats.records_skipped


@dataclass
class BatchOutput:
    """What the run writes for one batch, in input order."""

    sightings: SightingRows
    rejects: list[Reject] = field(default_factory=list)
    inputs: list[InputStats] = field(default_factory=list)


class Parser:
    """Parse batches of inputs; the ads found accumulate in :attr:`catalogue`."""

    def __init__(self, jsonl_fields: JsonlFields = DEFAULT_JSONL_FIELDS) -> None:
        self.catalogue = Catalogue()
        self.jsonl_fields = jsonl_fields

    def parse(self, sources: Sequence[str]) -> BatchOutput:
        """Return the sightings, rejects and counts of the pages of these inputs, in order."""
        output = BatchOutput(SightingRows())
        for source in sources:
            output.inputs.append(self._parse_input(source, output.sightings, output.rejects))
        return output

    def _parse_input(self, source: str, rows: SightingRows, rejects: list[Reject]) -> InputStats:
        facts = InputFacts()
        stats = InputStats(source_name(source))
        first_row, first_reject = len(rows), len(rejects)
        for page in read_input(source, self.jsonl_fields, widget_only=True, facts=facts):
            if isinstance(page, Reject):
                rejects.append(page)
                continue
            if isinstance(page, Skipped):
                stats.records_skipped += 1
                continue
            stats.pages += 1
            found = occurrences(page.text, page.source, page.first_line)
            rejects += found.rejects
            if not found.ads and not found.rejects:
                continue
            stats.pages_with_widget += 1
            ads, count = found.ads, len(found.ads)
            self.catalogue.add_page(
                ads, found.lines, page.source, page.key, page.record, page.url, page.fetched_at
            )
            # Column by column: comprehensions and repeats run faster than appends ad by ad.
            rows.listing_id += [ad.listing_id for ad in ads]
            rows.line += found.lines
            rows.position += range(1, count + 1)
            rows.section += [ad.section for ad in ads]
            rows.price_eur += [ad.price_eur for ad in ads]
            rows.source += [page.source] * count
            rows.url += [page.url] * count
            rows.fetched_at += [page.fetched_at] * count
        stats.bytes, stats.sha256 = facts.size, facts.sha256
        stats.sightings = len(rows) - first_row
        stats.rejects = len(rejects) - first_reject
        return stats


def batched(sources: Iterable[str], size: int) -> Iterator[list[str]]:
    """Yield the inputs in lists of ``size`` (the last one shorter), lazily."""
    iterator = iter(sources)
    while batch := list(islice(iterator, size)):
        yield batch
