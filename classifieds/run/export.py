"""Run an export: read the inputs, parse their pages, deduplicate, write the dataset.

Inputs are listed lazily and parsed in batches by an engine (this process, worker processes or
a Dask cluster). Sightings and rejects go to disk batch by batch, in input order; memory holds
the unique ads, never all sightings. The files do not depend on the engine or on the number
of workers.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import stat
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from itertools import chain, islice, tee
from pathlib import Path
from typing import IO, Any, Literal

import pyarrow as pa

from classifieds._version import __version__
from classifieds.errors import ClassifiedsError, InputError, OutputError
from classifieds.models import Manifest, Reject
from classifieds.parse import PARSER_VERSION
from classifieds.read import (
    DEFAULT_JSONL_FIELDS,
    InputFacts,
    JsonlFields,
    Page,
    Skipped,
    iter_inputs,
    read_input,
)
from classifieds.read.remote import NO_OPTIONS, StorageOptions, is_url
from classifieds.run.append import (
    Copier,
    Keep,
    Parse,
    Step,
    check_previous,
    plan,
    previous_inputs,
)
from classifieds.run.batches import (
    BatchOutput,
    InputRows,
    InputStats,
    Read,
    Tally,
    batched,
    few_collections,
    read_pages,
)
from classifieds.run.engines import NewCatalogue, Work, processes, serial
from classifieds.run.watchdog import DEFAULT_WORKER_TIMEOUT
from classifieds.store.bucket import uploaded
from classifieds.store.catalogue import ENTRY_BYTES, Catalogue
from classifieds.store.dataset import (
    INPUTS_PARQUET,
    INPUTS_SCHEMA,
    LISTINGS_CSV,
    LISTINGS_PARQUET,
    REJECTS_JSONL,
    SCHEMA_VERSION,
    SIGHTINGS_PARQUET,
    SIGHTINGS_SCHEMA,
    CsvDialect,
    RowGroupWriter,
    write_json,
    write_listings,
)
from classifieds.store.folder import MANIFEST_JSON, publishing, sha256
from classifieds.store.package import DATAPACKAGE_JSON, write_datapackage

Engine = Literal["local", "dask"]
Progress = Callable[[BatchOutput], Any]
BATCH_SIZE = 256
"""Inputs per batch: large enough to amortise scheduling, small enough to balance workers."""
DASK_BATCH_SIZE = 1024
DEFAULT_MEMORY_LIMIT = 1 << 30
"""Bytes the unique ads may take in memory, all processes together, before they spill."""
SPILL_PREFIX = ".spill-"
"""The folder of spilled catalogue runs, inside the generation folder: removed before the
generation is published, swept with it if the run is killed."""
OUTPUTS = (
    LISTINGS_PARQUET,
    LISTINGS_CSV,
    SIGHTINGS_PARQUET,
    REJECTS_JSONL,
    INPUTS_PARQUET,
    DATAPACKAGE_JSON,
)
"""The files of a dataset but its manifest, which describes them (their sha256)."""


class _Run:
    """The merged state of an export in progress, writing as it goes."""

    def __init__(self, stage: Path, rejects: IO[str], catalogue: NewCatalogue) -> None:
        self.sightings = RowGroupWriter(stage / SIGHTINGS_PARQUET, SIGHTINGS_SCHEMA)
        self.inputs = RowGroupWriter(stage / INPUTS_PARQUET, INPUTS_SCHEMA)
        self.rejects = rejects
        self.catalogue = catalogue()
        self.rejects_by_reason: Counter[str] = Counter()
        self.tally = Tally()
        self.inputs_read = 0

    def take(self, item: BatchOutput | Catalogue) -> None:
        """Write a parsed batch, or fold in the catalogue of a parser."""
        if isinstance(item, Catalogue):
            self.catalogue.merge(item)
            return
        self.sightings.write(item.sightings.to_batch())
        self._write_inputs(item.inputs)
        self.inputs_read += len(item.inputs)
        for reject in item.rejects:
            self.rejects.write(json.dumps(reject.model_dump(), ensure_ascii=False) + "\n")
            self.rejects_by_reason[reject.reason] += 1

    def copy(self, stats: InputStats, sightings: pa.Table, rejects: list[tuple[str, str]]) -> None:
        """Write an input of a previous run as it was; ``rejects`` are lines and reasons."""
        for batch in sightings.to_batches():
            self.sightings.write(batch)
        rows = InputRows()
        rows.add(stats)
        self._write_inputs(rows)
        for line, reason in rejects:
            self.rejects.write(line)
            self.rejects_by_reason[reason] += 1

    def _write_inputs(self, rows: InputRows) -> None:
        self.tally.add(rows)
        self.inputs.write(rows.to_batch())


def build(
    inputs: Iterable[str | Path],
    out: str | Path = "data",
    *,
    csv_dialect: CsvDialect = "default",
    jobs: int | None = 1,
    engine: Engine = "local",
    scheduler: str | None = None,
    dask_timeout: float = 60.0,
    worker_timeout: float = DEFAULT_WORKER_TIMEOUT,
    progress: Progress | None = None,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    jsonl_fields: JsonlFields = DEFAULT_JSONL_FIELDS,
    append: bool = False,
    allow_empty: bool = False,
    memory_limit: int = DEFAULT_MEMORY_LIMIT,
    storage_options: StorageOptions = NO_OPTIONS,
) -> Manifest:
    """Export the ads of ``inputs`` (files, folders, ``-``) to the dataset folder ``out``.

    ``jobs`` processes parse the pages, this one and ``jobs - 1`` workers (None: one per CPU),
    forked on Linux, spawned elsewhere (from a script, call this under
    ``if __name__ == "__main__":`` then, as for any multiprocessing). ``engine="dask"`` runs
    on the Dask cluster at ``scheduler`` (``tcp://host:8786``), or on a local one; it raises
    ClassifiedsError when the scheduler does not answer, or has no worker, within
    ``dask_timeout`` seconds. A worker process that reads no page for ``worker_timeout``
    seconds while it has work (stopped, hung; 0: wait for ever) is ended, and the run with a
    ClassifiedsError, as when one dies.
    Files found in folders are kept by the ``include`` and ``exclude`` globs (see
    :func:`~classifieds.read.inputs.iter_inputs`); ``jsonl_fields`` names the fields of JSON Lines.
    With ``append``, the dataset already in ``out`` is kept and only inputs it does not hold
    are read: the result is the dataset of all the inputs together. A run that found no
    input, or could read none of them, raises ClassifiedsError and leaves ``out`` as it was,
    unless ``allow_empty``. Past ``memory_limit`` bytes of unique ads (counted as 1.9 KB each),
    they spill to sorted runs on disk, merged at the end: the files are the same. Returns the
    run's manifest. Raises InputError for a missing input or an empty ``out``, OutputError
    for an output folder that cannot be written or is in use; bad pages never raise, they
    become rejects.

    Inputs and ``out`` may be URLs (``s3://bucket/crawl/``), read and written through fsspec
    with ``storage_options`` (credentials, an endpoint), as pandas takes them; a dataset at
    a URL is uploaded whole once written, its manifest last (:mod:`classifieds.store.bucket`).
    """
    jobs = jobs or os.cpu_count() or 1
    target = str(out)
    remote = is_url(target)
    if not target.strip():  # Path("") is the working folder: an unset variable wrote there
        raise InputError("The output folder is empty (--out ''): name the folder to write.")
    if not remote:
        _check_out(Path(target))
    special: list[str] = []  # FIFOs and sockets found in folders: skipped, counted
    # A missing input fails now, not later; the dataset folder is never read as input.
    sources = iter_inputs(
        inputs,
        include,
        exclude,
        avoid=[target if remote else Path(target)],
        special=special,
        storage_options=storage_options,
    )
    batch_size = DASK_BATCH_SIZE if engine == "dask" else BATCH_SIZE
    read = _Reader(storage_options) if storage_options else read_pages
    with (
        few_collections(),
        _dataset_folder(target, storage_options, append) as out,
        publishing(out, OUTPUTS, final=not remote) as stage,
        open(stage / REJECTS_JSONL, "w", encoding="utf-8") as rejects,
    ):
        previous = append and check_previous(out, OUTPUTS)
        spill = Path(tempfile.mkdtemp(prefix=SPILL_PREFIX, dir=stage))
        # Each process's catalogue gets its share of the budget.
        entries = max(1, memory_limit // ENTRY_BYTES // jobs)
        catalogue = partial(Catalogue, entries, spill)
        run = _Run(stage, rejects, catalogue)
        if previous:
            again = partial(previous_inputs, out)  # to tell old inputs spelled another way
            steps: Iterator[Step] = plan(
                previous_inputs(out), sources, batch_size, again, storage_options
            )
        else:
            steps = (Parse(batch) for batch in batched(sources, batch_size))
        # The engine reads ahead through the steps for its batches; this loop follows behind
        # and copies the old inputs between them in their place.
        ahead, behind = tee(steps)
        batches = (step.batch for step in ahead if isinstance(step, Parse))
        copier = Copier(out) if previous else None
        # Closed on the way out, even by an error: the engine stops its workers there.
        timeouts = (dask_timeout, worker_timeout)
        work_of = _work(batches, jobs, engine, scheduler, jsonl_fields, timeouts, catalogue, read)
        with closing(work_of) as work:
            for step in behind:
                if isinstance(step, Keep):
                    assert copier is not None
                    for kept in copier.copy(step.count):
                        run.copy(*kept)
                    continue
                item = next(work)
                run.take(item)
                if progress is not None and isinstance(item, BatchOutput):
                    progress(item)
            for item in work:  # the parsers' catalogues
                run.take(item)
        if copier is not None:
            run.catalogue.merge(copier.catalogue(catalogue))
            copier.close()
        run.tally.records_skipped += len(special)
        run.sightings.close()
        run.inputs.close()
        rejects.close()
        if not allow_empty:
            _check_not_empty(run)
        write_listings(run.catalogue.rows(), stage, csv_dialect)
        shutil.rmtree(spill)
        write_datapackage(stage, csv_dialect)
        manifest = _manifest(run, stage)
        write_json(manifest.model_dump(), stage / MANIFEST_JSON)
    return manifest


def _work(
    batches: Iterator[list[str]],
    jobs: int,
    engine: Engine,
    scheduler: str | None,
    fields: JsonlFields,
    timeouts: tuple[float, float],
    catalogue: NewCatalogue,
    read: Read,
) -> Work:
    dask_timeout, worker_timeout = timeouts
    if engine == "dask":
        from classifieds.run.distributed import dask_engine

        options = read.storage_options if isinstance(read, _Reader) else NO_OPTIONS
        return dask_engine(batches, scheduler, jobs, fields, dask_timeout, options)
    first = list(islice(batches, jobs))
    if jobs == 1 or len(first) < jobs:  # too little work to be worth starting processes
        return serial(chain(first, batches), fields, catalogue, read)
    return processes(chain(first, batches), jobs, fields, catalogue, read, worker_timeout)


@dataclass(frozen=True)
class _Reader:
    """How parsers read the inputs when storage options are given: a parser's ``read``, sent
    to worker processes (so a plain class, not a closure)."""

    storage_options: StorageOptions

    def __call__(
        self, source: str, fields: JsonlFields, facts: InputFacts
    ) -> Iterator[Page | Reject | Skipped]:
        return read_input(
            source, fields, widget_only=True, facts=facts, storage_options=self.storage_options
        )


@contextmanager
def _dataset_folder(target: str, options: StorageOptions, append: bool) -> Iterator[Path]:
    """Yield the local folder a run writes its dataset into: ``target`` itself, or for a URL a
    scratch folder uploaded once the dataset is whole (holding the dataset there, to append)."""
    if not is_url(target):
        yield Path(target)
        return
    with uploaded(target, OUTPUTS, options, previous=append) as folder:
        yield folder


def _check_out(out: Path) -> None:
    """Raise OutputError for an output folder name no file system or Parquet writer takes."""
    try:
        str(out).encode("utf-8")  # Arrow writes to UTF-8 paths only
        mode = os.stat(out).st_mode
    except UnicodeEncodeError:
        problem = "is not UTF-8"
    except OSError as error:
        if error.errno != errno.ENAMETOOLONG:
            return  # a missing folder is made; other faults are told where they happen
        problem = "is too long"
    else:
        if stat.S_ISDIR(mode):
            return
        raise OutputError(  # a file, a device (/dev/null): "File exists" said nothing
            f"Cannot write the dataset to {out}: it is a file, not a folder. Choose another --out."
        )
    raise OutputError(
        f"Cannot write the dataset to {os.fsencode(out)!r}: the name {problem}. Choose another"
        " --out."
    )


def _check_not_empty(run: _Run) -> None:
    """Raise rather than replace a dataset with the output of a run that read nothing."""
    unreadable = run.rejects_by_reason["unreadable_file"]
    if run.tally.inputs == 0:
        problem = "found no input (a folder without files, or globs that match nothing)"
    elif unreadable >= run.tally.inputs:
        problem = f"could read none of its {run.tally.inputs} inputs (see rejects)"
    else:
        return
    raise ClassifiedsError(
        f"The export {problem}; the dataset was left as it was. Check the paths, or pass"
        " --allow-empty to write an empty dataset."
    )


def _manifest(run: _Run, stage: Path) -> Manifest:
    tally = run.tally
    return Manifest(
        version=__version__,
        schema_version=SCHEMA_VERSION,
        parser_version=PARSER_VERSION,
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        inputs=tally.inputs,
        inputs_read=run.inputs_read,
        input_bytes=tally.input_bytes,
        pages=tally.pages,
        pages_with_widget=tally.pages_with_widget,
        pages_without_widget=tally.pages - tally.pages_with_widget,
        records_skipped=tally.records_skipped,
        listings=len(run.catalogue),
        sightings=run.sightings.rows,
        rejects=sum(run.rejects_by_reason.values()),
        rejects_by_reason=dict(sorted(run.rejects_by_reason.items())),
        outputs={name: sha256(stage / name) for name in OUTPUTS},
    )
