"""Run an export: read the inputs, parse their pages, deduplicate, write the dataset.

Inputs are listed lazily and parsed in batches by an engine (this process, worker processes or
a Dask cluster). Sightings and rejects go to disk batch by batch, in input order; memory holds
the unique ads, never all sightings. The files do not depend on the engine or on the number
of workers.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from itertools import chain, islice
from pathlib import Path
from typing import IO, Any, Literal

from classifieds._version import __version__
from classifieds.batches import BatchOutput, Tally, batched
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
from classifieds.engines import Work, processes, serial
from classifieds.formats import DEFAULT_JSONL_FIELDS, JsonlFields
from classifieds.models import Manifest
from classifieds.sources import iter_inputs

Engine = Literal["local", "dask"]
Progress = Callable[[BatchOutput], Any]
BATCH_SIZE = 256
"""Inputs per batch: large enough to amortise scheduling, small enough to balance workers."""
DASK_BATCH_SIZE = 1024


class _Run:
    """The merged state of an export in progress, writing as it goes."""

    def __init__(self, stage: Path, rejects: IO[str]) -> None:
        self.sightings = SightingsWriter(stage / SIGHTINGS_PARQUET)
        self.rejects = rejects
        self.catalogue = Catalogue()
        self.rejects_by_reason: Counter[str] = Counter()
        self.tally = Tally()

    def take(self, item: BatchOutput | Catalogue) -> None:
        if isinstance(item, Catalogue):
            self.catalogue.merge(item)
            return
        self.sightings.write(item.sightings.to_batch())
        for reject in item.rejects:
            self.rejects.write(json.dumps(reject.model_dump(), ensure_ascii=False) + "\n")
            self.rejects_by_reason[reject.reason] += 1
        self.tally.add(item.tally)


def build(
    inputs: Iterable[str | Path],
    out: str | Path = "data",
    *,
    csv_dialect: CsvDialect = "default",
    jobs: int | None = 1,
    engine: Engine = "local",
    scheduler: str | None = None,
    progress: Progress | None = None,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    jsonl_fields: JsonlFields = DEFAULT_JSONL_FIELDS,
) -> Manifest:
    """Export the ads of ``inputs`` (files, folders, ``-``) to the dataset folder ``out``.

    ``jobs`` worker processes parse the pages (None: one per CPU); ``engine="dask"`` runs on
    the Dask cluster at ``scheduler`` (``tcp://host:8786``), or on a local one without it.
    Files found in folders are kept by the ``include`` and ``exclude`` globs (see
    :func:`~classifieds.sources.iter_inputs`); ``jsonl_fields`` names the fields of JSON Lines.
    Returns the run's manifest. Raises InputError for a missing input and OutputError for an
    output folder that cannot be written; bad pages never raise, they become rejects.
    """
    jobs = jobs or os.cpu_count() or 1
    sources = iter_inputs(inputs, include, exclude)  # a missing input fails now, not later
    out = Path(out)
    with staging(out) as stage, open(stage / REJECTS_JSONL, "w", encoding="utf-8") as rejects:
        run = _Run(stage, rejects)
        for item in _work(sources, jobs, engine, scheduler, jsonl_fields):
            run.take(item)
            if progress is not None and isinstance(item, BatchOutput):
                progress(item)
        run.sightings.close()
        rejects.close()
        write_listings(list(run.catalogue.rows()), stage, csv_dialect)
        manifest = _manifest(run, stage)
        write_json(manifest.model_dump(), stage / MANIFEST_JSON)
    return manifest


def _work(
    sources: Iterator[str], jobs: int, engine: Engine, scheduler: str | None, fields: JsonlFields
) -> Work:
    if engine == "dask":
        from classifieds.distributed import dask_engine

        return dask_engine(batched(sources, DASK_BATCH_SIZE), scheduler, jobs, fields)
    batches = batched(sources, BATCH_SIZE)
    first = list(islice(batches, jobs))
    if jobs == 1 or len(first) < jobs:  # too little work to be worth starting processes
        return serial(chain(first, batches), fields)
    return processes(chain(first, batches), jobs, fields)


def _manifest(run: _Run, stage: Path) -> Manifest:
    tally = run.tally
    outputs = (LISTINGS_PARQUET, LISTINGS_CSV, SIGHTINGS_PARQUET, REJECTS_JSONL)
    return Manifest(
        version=__version__,
        schema_version=SCHEMA_VERSION,
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        inputs=tally.inputs,
        input_bytes=tally.input_bytes,
        pages=tally.pages,
        pages_with_widget=tally.pages_with_widget,
        pages_without_widget=tally.pages - tally.pages_with_widget,
        records_skipped=tally.records_skipped,
        listings=len(run.catalogue),
        sightings=run.sightings.rows,
        rejects=sum(run.rejects_by_reason.values()),
        rejects_by_reason=dict(sorted(run.rejects_by_reason.items())),
        outputs={name: sha256(stage / name) for name in outputs},
    )
