"""Append inputs to an existing dataset: what was read before is copied, not read again.

The result equals a full rebuild over the old and the new inputs. Both come in input order, so
a merge walk tells, input by input, which to copy from the previous dataset and which to
parse; the previous dataset's files are read as streams, in order, alongside. Everything a
listing needs from its old sightings (first and latest place, first URL) is recomputed while
they are copied, so the merged catalogue is the one a full rebuild makes.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import IO, Any

import pyarrow as pa
import pyarrow.parquet as pq
from pydantic import ValidationError

from classifieds.errors import ClassifiedsError, InputError
from classifieds.models import Ad
from classifieds.read import STDIN, file_facts, input_key, source_name
from classifieds.read.remote import NO_OPTIONS, StorageOptions
from classifieds.run.batches import InputStats
from classifieds.store.catalogue import Catalogue
from classifieds.store.dataset import (
    INPUTS_PARQUET,
    LISTINGS_PARQUET,
    REJECTS_JSONL,
    SCHEMA_VERSION,
    SIGHTINGS_PARQUET,
)
from classifieds.store.entries import Moment, Rank, moment
from classifieds.store.folder import CURRENT, MANIFEST_JSON, check_whole


@dataclass(frozen=True)
class Keep:
    """Copy the next ``count`` inputs of the previous dataset."""

    count: int


@dataclass(frozen=True)
class Parse:
    """Parse these new inputs."""

    batch: list[str]


Step = Keep | Parse
AGAIN = "export all the inputs again without --append."
"""How to mend a dataset that an append cannot trust: the end of every such error."""


def previous_inputs(folder: Path) -> Iterator[InputStats]:
    """Yield the rows of the previous dataset's ``inputs.parquet``, in input order."""
    names = [f.name for f in fields(InputStats)]
    for batch in pq.ParquetFile(folder / INPUTS_PARQUET).iter_batches(columns=names):
        for row in batch.to_pylist():
            yield InputStats(**row)


def check_previous(folder: Path, names: Sequence[str]) -> bool:
    """Return whether ``folder`` holds a dataset of the files ``names`` to append to; raise
    InputError when it holds one that cannot be trusted, before anything is copied.

    A folder without a dataset (missing, empty, or holding only other files) gives a first
    export. Dataset files without their manifest must never be replaced by the new inputs
    alone, and files the manifest does not describe must not be copied into a new dataset
    whose manifest would vouch for them: either way the append is refused.
    """
    manifest_path = folder / MANIFEST_JSON
    if not manifest_path.is_file():
        found = [n for n in [*names, MANIFEST_JSON, CURRENT] if os.path.lexists(folder / n)]
        if not found:
            return False
        raise InputError(
            f"{folder} holds a dataset ({found[0]}) but no {MANIFEST_JSON} to check it"
            f" against: {AGAIN}"
        )
    manifest = _manifest(manifest_path)
    version = manifest.get("schema_version")
    if version != SCHEMA_VERSION or not (folder / INPUTS_PARQUET).exists():
        raise ClassifiedsError(
            f"The dataset in {folder} was written by another version of classifieds "
            f"(schema {version}, this one writes {SCHEMA_VERSION}): export again without --append."
        )
    for name in names:
        if not (folder / name).is_file():
            raise damaged(folder, f"{name} is missing")
        if not manifest["outputs"].get(name):
            raise damaged(folder, f"it describes no {name}")
        try:  # as readers check a file before they load it: its sha256, streamed
            check_whole(folder, [name])
        except InputError as error:
            raise damaged(folder, f"{name} is not the file it describes") from error
    return True


def damaged(folder: Path, problem: str) -> InputError:
    """Return the error that refuses to append to a dataset whose files cannot be trusted."""
    return InputError(f"The dataset in {folder} does not match its manifest ({problem}): {AGAIN}")


def _manifest(path: Path) -> dict[str, Any]:
    """Return a dataset's manifest; InputError when it is not one."""
    try:
        manifest = json.loads(path.read_bytes())
    except (OSError, ValueError) as error:  # UnicodeDecodeError is a ValueError
        problem = " ".join(f"{type(error).__name__}: {error}".split())[:200]
    else:
        if isinstance(manifest, dict) and isinstance(manifest.get("outputs"), dict):
            return manifest
        problem = "no outputs"
    raise InputError(f"{path} is not a classifieds manifest ({problem}): {AGAIN}")


def plan(
    old: Iterator[InputStats],
    new: Iterator[str],
    batch_size: int,
    old_again: Callable[[], Iterable[InputStats]] | None = None,
    options: StorageOptions = NO_OPTIONS,
) -> Iterator[Step]:
    """Yield the steps of an append: old inputs to copy and new ones to parse, in input order.

    A new input that was read before, with the same content, is copied. One whose content
    changed cannot be appended (its old rows would have to go): that is an error. So is an
    old input spelled another way (``/abs/crawl/a.txt`` for ``crawl/a.txt``), which would be
    read twice under two names; ``old_again`` gives the old inputs again to tell. An old
    input at a URL is hashed again through ``options``, as it was read.
    """
    old_input = next(old, None)
    batch: list[str] = []
    kept = 0
    spellings: dict[str, str] | None = None  # old inputs by absolute path, once needed
    for source in new:
        key = input_key(source)
        while old_input is not None and input_key(old_input.source) < key:
            kept, old_input = kept + 1, next(old, None)
        if old_input is not None and old_input.source == source_name(source):
            if source == STDIN:
                raise ClassifiedsError(
                    "The dataset already holds a page read from stdin: export again without "
                    "--append, or save the page to a file."
                )
            if _sha256(source, options) != old_input.sha256:
                raise ClassifiedsError(
                    f"{source} changed since it was exported: export the whole crawl again "
                    "without --append."
                )
            kept, old_input = kept + 1, next(old, None)
            continue
        if old_again is not None and source != STDIN:
            if spellings is None:
                spellings = {os.path.abspath(i.source): i.source for i in old_again()}
            spelled = spellings.get(os.path.abspath(source))
            if spelled is not None:
                raise ClassifiedsError(
                    f"{source} is in the dataset already, as {spelled}: name the inputs as the"
                    " first export did (same folder, relative or absolute), or export again"
                    " without --append."
                )
        if kept:
            if batch:
                yield Parse(batch)
                batch = []
            yield Keep(kept)
            kept = 0
        batch.append(source)
        if len(batch) == batch_size:
            yield Parse(batch)
            batch = []
    while old_input is not None:
        kept, old_input = kept + 1, next(old, None)
    if batch:
        yield Parse(batch)
    if kept:
        yield Keep(kept)


def _sha256(source: str, options: StorageOptions) -> str:
    """Return the sha256 of an input read before; an input that cannot be read is an error."""
    try:
        return file_facts(source, options)[1]
    except OSError as error:
        reason = " ".join(f"{type(error).__name__}: {error}".split())[:300]
        raise ClassifiedsError(
            f"Cannot read {source} to tell whether it changed since it was exported: {reason}."
            " Check that it is there and readable (a URL: the credentials, the endpoint and"
            " --storage-option), or export again without --append."
        ) from error


@dataclass(slots=True)  # one per old listing: 64 bytes, not 104
class _Seen:
    """What a listing's old sightings say about it, recomputed as they are copied."""

    first: Rank
    latest: Moment
    first_url_at: Moment | None


class Copier:
    """Copy the rows of old inputs, in order, from the previous dataset into a new one."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._inputs = previous_inputs(folder)
        self._sightings = _ParquetRows(pq.ParquetFile(folder / SIGHTINGS_PARQUET))
        self._rejects: IO[str] = open(folder / REJECTS_JSONL, encoding="utf-8")  # noqa: SIM115
        self._seen: dict[str, _Seen] = {}

    def close(self) -> None:
        self._rejects.close()

    def copy(self, count: int) -> Iterator[tuple[InputStats, pa.Table, list[str]]]:
        """Yield each of the next ``count`` old inputs with its sightings and reject lines."""
        for _ in range(count):
            stats = next(self._inputs)
            sightings = self._sightings.take(stats.sightings)
            self._remember(stats.source, sightings)
            rejects = [self._rejects.readline() for _ in range(stats.rejects)]
            yield stats, sightings, rejects

    def _remember(self, source: str, sightings: pa.Table) -> None:
        key = input_key(source)
        columns = sightings.select(["listing_id", "source", "line", "url", "fetched_at"])
        for listing_id, page, line, url, fetched_at in zip(
            *(column.to_pylist() for column in columns.columns), strict=True
        ):
            record = 0 if page == source else int(page[len(source) + 1 :])
            rank = (key, record, line)
            when = moment(fetched_at, rank)
            seen = self._seen.get(listing_id)
            if seen is None:
                self._seen[listing_id] = _Seen(rank, when, when if url else None)
                continue
            seen.first = min(seen.first, rank)
            seen.latest = max(seen.latest, when)
            if url is not None and (seen.first_url_at is None or when < seen.first_url_at):
                seen.first_url_at = when

    def catalogue(self, new: Callable[[], Catalogue] = Catalogue) -> Catalogue:
        """Return the catalogue of the old sightings, from the old listings and what was seen,
        made by ``new``: one with a memory budget spills the old listings like the new ones."""
        catalogue = new()
        ad_fields = set(Ad.model_fields)
        for batch in pq.ParquetFile(self.folder / LISTINGS_PARQUET).iter_batches():
            for row in batch.to_pylist():
                seen = self._seen[row["listing_id"]]
                try:
                    ad = Ad(**{name: value for name, value in row.items() if name in ad_fields})
                except ValidationError as error:
                    raise ClassifiedsError(
                        f"{self.folder / LISTINGS_PARQUET} is not a dataset this version "
                        f"wrote ({error.error_count()} invalid values): export again "
                        "without --append."
                    ) from error
                catalogue.restore(
                    ad,
                    n_sightings=row["n_sightings"],
                    first=seen.first,
                    first_source=row["first_source"],
                    latest=seen.latest,
                    first_seen=row["first_seen"],
                    last_seen=row["last_seen"],
                    first_url=row["first_url"],
                    first_url_at=seen.first_url_at,
                )
        return catalogue


class _ParquetRows:
    """The rows of a Parquet file, taken in consecutive runs of any length."""

    def __init__(self, file: pq.ParquetFile) -> None:
        self._schema = file.schema_arrow
        self._batches = file.iter_batches()
        self._pending: pa.Table = self._schema.empty_table()

    def take(self, count: int) -> pa.Table:
        while self._pending.num_rows < count:
            batch = next(self._batches)
            self._pending = pa.concat_tables([self._pending, pa.Table.from_batches([batch])])
        taken, self._pending = self._pending.slice(0, count), self._pending.slice(count)
        return taken


def reject_reason(line: str) -> Any:
    """Return the reason of a line of ``rejects.jsonl``."""
    return json.loads(line)["reason"]
