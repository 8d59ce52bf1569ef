"""Run an export: read the inputs, parse their pages, deduplicate, write the dataset.

Inputs are parsed in batches; a batch's result (its catalogue of ads, its sightings and rejects)
is small and merges into the run in input order. Memory holds the unique ads, never all
sightings, and the output does not depend on how batches were scheduled.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from classifieds._version import __version__
from classifieds.ads import Occurrence, occurrences
from classifieds.dataset import (
    LISTINGS_CSV,
    LISTINGS_PARQUET,
    MANIFEST_JSON,
    REJECTS_JSONL,
    SCHEMA_VERSION,
    SIGHTINGS_PARQUET,
    CsvDialect,
    SightingsWriter,
    sha256,
    staging,
    write_json,
    write_listings,
)
from classifieds.dedup import Catalogue
from classifieds.models import Manifest, Reject
from classifieds.sources import Page, discover, read_page

SightingRow = tuple[str, str, int, int, str | None, float | None]


@dataclass
class BatchResult:
    """What a batch of inputs gave: its ads, sightings and rejects, and what was read."""

    catalogue: Catalogue = field(default_factory=Catalogue)
    sightings: list[SightingRow] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    inputs: int = 0
    input_bytes: int = 0
    pages: int = 0
    pages_with_widget: int = 0


def parse_batch(sources: Sequence[str]) -> BatchResult:
    """Return the parsed result of reading these inputs in order."""
    result = BatchResult()
    for source in sources:
        page = read_page(source)
        result.inputs += 1
        if isinstance(page, Reject):
            result.rejects.append(page)
            continue
        _parse_page_into(page, result)
    return result


def _parse_page_into(page: Page, result: BatchResult) -> None:
    result.input_bytes += page.size
    result.pages += 1
    has_widget = False
    for found in occurrences(page.text, page.source):
        has_widget = True
        if isinstance(found, Occurrence):
            ad = found.ad
            result.catalogue.add(ad, page.source, found.line)
            result.sightings.append(
                (ad.listing_id, page.source, found.line, found.position, ad.section, ad.price_eur)
            )
        else:
            result.rejects.append(found)
    result.pages_with_widget += has_widget


@dataclass
class Run:
    """The merged state of an export in progress."""

    sightings: SightingsWriter
    rejects_file: IO[str]
    catalogue: Catalogue = field(default_factory=Catalogue)
    rejects_by_reason: Counter[str] = field(default_factory=Counter)
    totals: Counter[str] = field(default_factory=Counter)

    def merge(self, batch: BatchResult) -> None:
        """Fold in the next batch, in input order; its sightings and rejects go to disk now."""
        self.catalogue.merge(batch.catalogue)
        self.sightings.extend(batch.sightings)
        for reject in batch.rejects:
            self.rejects_file.write(json.dumps(reject.model_dump(), ensure_ascii=False) + "\n")
            self.rejects_by_reason[reject.reason] += 1
        self.totals.update(
            inputs=batch.inputs,
            input_bytes=batch.input_bytes,
            pages=batch.pages,
            pages_with_widget=batch.pages_with_widget,
        )


Progress = Callable[[BatchResult], Any]


def build(
    inputs: Iterable[str | Path],
    out: str | Path = "data",
    *,
    csv_dialect: CsvDialect = "default",
    batch_size: int = 64,
    progress: Progress | None = None,
) -> Manifest:
    """Export the ads of ``inputs`` (files, folders, ``-``) to the dataset folder ``out``.

    Returns the run's manifest. Raises InputError for a missing input and OutputError for an
    output folder that cannot be written; bad pages never raise, they become rejects.
    """
    sources = discover(inputs)
    out = Path(out)
    with staging(out) as stage, open(stage / REJECTS_JSONL, "w", encoding="utf-8") as rejects:
        run = Run(SightingsWriter(stage / SIGHTINGS_PARQUET), rejects)
        for start in range(0, len(sources), batch_size):
            batch = parse_batch(sources[start : start + batch_size])
            run.merge(batch)
            if progress is not None:
                progress(batch)
        run.sightings.close()
        rejects.close()
        write_listings(list(run.catalogue.rows()), stage, csv_dialect)
        manifest = _manifest(run, stage)
        write_json(manifest.model_dump(), stage / MANIFEST_JSON)
    return manifest


def _manifest(run: Run, stage: Path) -> Manifest:
    totals = run.totals
    outputs = (LISTINGS_PARQUET, LISTINGS_CSV, SIGHTINGS_PARQUET, REJECTS_JSONL)
    return Manifest(
        version=__version__,
        schema_version=SCHEMA_VERSION,
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        inputs=totals["inputs"],
        input_bytes=totals["input_bytes"],
        pages=totals["pages"],
        pages_with_widget=totals["pages_with_widget"],
        pages_without_widget=totals["pages"] - totals["pages_with_widget"],
        listings=len(run.catalogue),
        sightings=run.sightings.rows,
        rejects=sum(run.rejects_by_reason.values()),
        rejects_by_reason=dict(sorted(run.rejects_by_reason.items())),
        outputs={name: sha256(stage / name) for name in outputs},
    )
