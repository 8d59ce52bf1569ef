"""Parse a batch of inputs: the unit of work that engines schedule.

A :class:`Parser` turns each batch into a :class:`BatchOutput` (its sightings as columns of
plain values, its rejects, its counts), small and cheap to send between processes (workers
never build Arrow arrays, which would make pyarrow import pandas in each), while the ads it
finds accumulate in the parser's own :class:`~classifieds.store.catalogue.Catalogue`, sent once
at the end. Whatever the engine, the run merges the same outputs in input order.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice

import pyarrow as pa

from classifieds.models import Reject
from classifieds.parse.ads import AdBook
from classifieds.read import (
    DEFAULT_JSONL_FIELDS,
    InputFacts,
    JsonlFields,
    Page,
    Skipped,
    read_input,
    source_name,
)
from classifieds.store.catalogue import Catalogue
from classifieds.store.columns import INPUT_COLUMNS
from classifieds.store.dataset import INPUTS_SCHEMA, SightingRows


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

    def add(self, rows: InputRows) -> None:
        """Count more inputs."""
        self.inputs += len(rows.source)
        self.input_bytes += sum(rows.bytes)
        self.pages += sum(rows.pages)
        self.pages_with_widget += sum(rows.pages_with_widget)
        self.sightings += sum(rows.sightings)
        self.rejects += sum(rows.rejects)
        self.records_skipped += sum(rows.records_skipped)


@dataclass
class InputRows:
    """Rows of ``inputs.parquet`` as plain lists, one per column: a batch's 256 inputs cost
    8 lists to send between processes, not 256 objects.
    """

    source: list[str] = field(default_factory=list)
    bytes: list[int] = field(default_factory=list)
    sha256: list[str] = field(default_factory=list)
    pages: list[int] = field(default_factory=list)
    pages_with_widget: list[int] = field(default_factory=list)
    sightings: list[int] = field(default_factory=list)
    rejects: list[int] = field(default_factory=list)
    records_skipped: list[int] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.source)

    def add(self, stats: InputStats) -> None:
        """Add the row of one input."""
        for name, value in vars(stats).items():
            getattr(self, name).append(value)

    def to_batch(self) -> pa.RecordBatch:
        """Return the rows as a record batch of ``INPUTS_SCHEMA``."""
        arrays = [pa.array(getattr(self, column.name), column.type) for column in INPUT_COLUMNS]
        return pa.RecordBatch.from_arrays(arrays, schema=INPUTS_SCHEMA)


@dataclass
class BatchOutput:
    """What the run writes for one batch, in input order."""

    sightings: SightingRows
    rejects: list[Reject] = field(default_factory=list)
    inputs: InputRows = field(default_factory=InputRows)


Read = Callable[[str, JsonlFields, InputFacts], Iterable[Page | Reject | Skipped]]
"""How a parser reads an input: its pages (and rejects, and skipped records), its facts."""


def read_pages(
    source: str, fields: JsonlFields, facts: InputFacts
) -> Iterator[Page | Reject | Skipped]:
    """Return what a parser reads of an input: its text pages from the widget's first line on."""
    return read_input(source, fields, widget_only=True, facts=facts)


class Parser:
    """Parse batches of inputs; the ads found accumulate in :attr:`catalogue`.

    Each parser owns its :class:`~classifieds.parse.ads.AdBook`, the caches of what it built,
    unless given one (a worker forked from a parser takes that parser's, already warm).
    ``read`` reads each input (a Dask worker opens it elsewhere than at its name);
    ``catalogue`` makes the catalogue (one that spills past a memory budget).
    """

    def __init__(
        self,
        jsonl_fields: JsonlFields = DEFAULT_JSONL_FIELDS,
        book: AdBook | None = None,
        read: Read = read_pages,
        catalogue: Callable[[], Catalogue] = Catalogue,
    ) -> None:
        self.catalogue = catalogue()
        self.jsonl_fields = jsonl_fields
        self.book = AdBook() if book is None else book
        self.read = read

    def parse(self, sources: Sequence[str]) -> BatchOutput:
        """Return the sightings, rejects and counts of the pages of these inputs, in order."""
        output = BatchOutput(SightingRows())
        for source in sources:
            output.inputs.add(self._parse_input(source, output.sightings, output.rejects))
        return output

    def _parse_input(self, source: str, rows: SightingRows, rejects: list[Reject]) -> InputStats:
        facts = InputFacts()
        stats = InputStats(source_name(source))
        first_row, first_reject = len(rows), len(rejects)
        for page in self.read(source, self.jsonl_fields, facts):
            if isinstance(page, Reject):
                rejects.append(page)
                continue
            if isinstance(page, Skipped):
                stats.records_skipped += 1
                continue
            stats.pages += 1
            found = self.book.occurrences(page.text, page.source, page.first_line)
            rejects += found.rejects
            if not found.ads and not found.rejects:
                continue
            stats.pages_with_widget += 1
            count = len(found.ads)
            self.catalogue.add_page(
                found.values,
                found.ids,
                found.lines,
                page.source,
                page.key,
                page.record,
                page.url,
                page.fetched_at,
            )
            # Column by column: extends and repeats run faster than appends ad by ad.
            rows.listing_id += found.ids
            rows.line += found.lines
            rows.position += range(1, count + 1)
            rows.section += found.sections
            rows.price_eur += found.prices
            rows.source += [page.source] * count
            rows.url += [page.url] * count
            rows.fetched_at += [page.fetched_at] * count
        stats.bytes, stats.sha256 = facts.size, facts.sha256
        stats.sightings = len(rows) - first_row
        stats.rejects = len(rejects) - first_reject
        return stats


YOUNG_COLLECTION_THRESHOLD = 10_000
"""New container objects between two collections of the young generation while parsing."""


@contextmanager
def few_collections() -> Iterator[None]:
    """Collect the young generation every 10,000 new objects rather than Python's 700.

    Parsing fills its caches with ~10^5 lasting objects and builds sighting lists of thousands
    of items, which every young collection walks again: in an export of 10^5 pages, 0.9 s of
    collections at the default threshold, 0.4 s with this one. Parsing makes few reference
    cycles, so what this leaves uncollected a little longer is small.
    """
    threshold = gc.get_threshold()
    gc.set_threshold(YOUNG_COLLECTION_THRESHOLD, *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)


def batched(sources: Iterable[str], size: int) -> Iterator[list[str]]:
    """Yield the inputs in lists of ``size`` (the last one shorter), lazily."""
    iterator = iter(sources)
    while batch := list(islice(iterator, size)):
        yield batch
