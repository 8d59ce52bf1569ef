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

from classifieds.errors import ClassifiedsError, InputError, one_line
from classifieds.models import Ad
from classifieds.parse import PARSER_VERSION
from classifieds.read import STDIN, file_facts, input_key, source_name
from classifieds.read.remote import NO_OPTIONS, StorageOptions
from classifieds.run.batches import InputStats
from classifieds.store.catalogue import Catalogue
from classifieds.store.dataset import (
    INPUTS_PARQUET,
    INPUTS_SCHEMA,
    LISTINGS_PARQUET,
    LISTINGS_SCHEMA,
    REJECTS_JSONL,
    SCHEMA_VERSION,
    SIGHTINGS_PARQUET,
    SIGHTINGS_SCHEMA,
)
from classifieds.store.entries import Moment, Rank, moment
from classifieds.store.folder import CURRENT, MANIFEST_JSON, awaits_pointer, check_whole


@dataclass(frozen=True)
class Keep:
    """Copy the next ``count`` inputs of the previous dataset."""

    count: int


@dataclass(frozen=True)
class Parse:
    """Parse these new inputs."""

    batch: list[str]


Step = Keep | Parse
_LISTINGS_AT_ONCE = 1024
"""Old listings made Python rows at a time: a row of 35 values takes about 3 KB."""
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
    whose manifest would vouch for them: either way the append is refused. So is a dataset
    another parser version read (or one from before versions were recorded): its ads and the
    new ones would follow different rules.
    """
    manifest_path = folder / MANIFEST_JSON
    if not manifest_path.is_file():
        found = [
            n
            for n in [*names, MANIFEST_JSON, CURRENT]
            if os.path.lexists(folder / n) and not awaits_pointer(folder, n)
        ]
        if not found:
            return False
        raise InputError(
            f"{folder} holds a dataset ({found[0]}) but no {MANIFEST_JSON} to check it"
            f" against: {AGAIN}"
        )
    manifest = _manifest(manifest_path)
    version = manifest.get("schema_version")
    if version != SCHEMA_VERSION:
        raise InputError(
            f"The dataset in {folder} was written by another version of classifieds "
            f"(schema {version}, this one writes {SCHEMA_VERSION}): {AGAIN}"
        )
    parsed_by = manifest.get("parser_version")
    if parsed_by != PARSER_VERSION:
        by = f"parser {parsed_by}"
        if parsed_by is None:  # written before manifests recorded it
            by = f"an older parser (its {MANIFEST_JSON} has no parser_version)"
        raise InputError(
            f"The dataset in {folder} was read by {by} and this classifieds reads with parser"
            f" {PARSER_VERSION}: appending would mix ads read by two parsers; {AGAIN}"
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
        problem = one_line(error, 200)
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
        reason = one_line(error)
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
    """Copy the rows of old inputs, in order, from the previous dataset into a new one.

    Its files match the manifest (:func:`check_previous`); still, what they say of each other
    is checked as they are read (each listing has its sightings, each input its rows): a
    manifest can be rewritten by hand, and a wrong row must be one line, not a crash.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        _parquet(folder, INPUTS_PARQUET, INPUTS_SCHEMA)  # read through previous_inputs
        self._inputs = previous_inputs(folder)
        self._sightings = _ParquetRows(_parquet(folder, SIGHTINGS_PARQUET, SIGHTINGS_SCHEMA))
        self._listings = _parquet(folder, LISTINGS_PARQUET, LISTINGS_SCHEMA)
        self._rejects: IO[str] = open(folder / REJECTS_JSONL, encoding="utf-8")  # noqa: SIM115
        self._reject_lines = 0
        self._seen: dict[str, _Seen] = {}

    def close(self) -> None:
        self._rejects.close()

    def copy(self, count: int) -> Iterator[tuple[InputStats, pa.Table, list[tuple[str, str]]]]:
        """Yield each of the next ``count`` old inputs with its sightings and its rejects (each
        a line of ``rejects.jsonl`` and its reason)."""
        for _ in range(count):
            stats = next(self._inputs)
            sightings = self._sightings.take(stats.sightings)
            if sightings.num_rows < stats.sightings:
                raise damaged(
                    self.folder, f"{SIGHTINGS_PARQUET} lacks sightings {INPUTS_PARQUET} counts"
                )
            self._remember(stats.source, sightings)
            yield stats, sightings, [self._reject() for _ in range(stats.rejects)]

    def _reject(self) -> tuple[str, str]:
        """Return the next line of ``rejects.jsonl`` and its reason."""
        self._reject_lines += 1
        try:
            line = self._rejects.readline()
            reason = json.loads(line)["reason"] if line.endswith("\n") else None
        except (ValueError, TypeError, KeyError):  # a UnicodeDecodeError is a ValueError
            reason = None
        if not isinstance(reason, str):
            where = f"line {self._reject_lines} of {REJECTS_JSONL}"
            raise damaged(self.folder, f"{where} is not a reject {INPUTS_PARQUET} counts")
        return line, reason

    def _remember(self, source: str, sightings: pa.Table) -> None:
        key = input_key(source)
        columns = sightings.select(["listing_id", "source", "line", "url", "fetched_at"])
        for listing_id, page, line, url, fetched_at in zip(
            *(column.to_pylist() for column in columns.columns), strict=True
        ):
            record = 0 if page == source else _record(source, page)
            if record is None:
                raise damaged(self.folder, f"a sighting of {source} names the page {page}")
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
        made by ``new``: one with a memory budget spills the old listings like the new ones.

        Called once every old input is copied: each old listing is then found in what was seen.
        """
        if self._sightings.take(1).num_rows or self._rejects.readline():
            raise damaged(
                self.folder, f"it holds sightings or rejects no input of {INPUTS_PARQUET} counts"
            )
        catalogue = new()
        ad_fields = set(Ad.model_fields)
        for batch in self._listings.iter_batches(batch_size=_LISTINGS_AT_ONCE):
            for row in batch.to_pylist():
                seen = self._seen.pop(row["listing_id"], None)  # also frees it
                if seen is None:
                    problem = f"listing {row['listing_id']} of {LISTINGS_PARQUET} has no sightings"
                    raise damaged(self.folder, problem)
                try:
                    ad = Ad(**{name: value for name, value in row.items() if name in ad_fields})
                except ValidationError as error:
                    problem = f"{error.error_count()} invalid values in {LISTINGS_PARQUET}"
                    raise damaged(self.folder, problem) from error
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
        if self._seen:
            missing = f"{len(self._seen)} listings of {SIGHTINGS_PARQUET}"
            raise damaged(self.folder, f"{missing} are not in {LISTINGS_PARQUET}")
        return catalogue


def _record(source: str, page: str) -> int | None:
    """Return the record number of a page of the input ``source`` (``crawl.warc.gz#3``), None
    for a page of another input.

    >>> _record("a.warc", "a.warc#3"), _record("a.warc", "b.warc#3"), _record("a", "a#x")
    (3, None, None)
    """
    number = page.removeprefix(source + "#")
    return int(number) if number != page and number.isdigit() else None


def _parquet(folder: Path, name: str, schema: pa.Schema) -> pq.ParquetFile:
    """Return a Parquet file of a dataset, refused unless it has the schema this version writes."""
    try:
        file = pq.ParquetFile(folder / name)
    except (pa.ArrowException, OSError) as error:
        raise damaged(folder, f"{name} is not a Parquet file") from error
    if not file.schema_arrow.equals(schema):
        raise damaged(folder, f"{name} lacks the columns of this version")
    return file


class _ParquetRows:
    """The rows of a Parquet file, taken in consecutive runs of any length (fewer at its end)."""

    def __init__(self, file: pq.ParquetFile) -> None:
        self._schema = file.schema_arrow
        self._batches = file.iter_batches()
        self._pending: pa.Table = self._schema.empty_table()

    def take(self, count: int) -> pa.Table:
        while self._pending.num_rows < count:
            batch = next(self._batches, None)
            if batch is None:
                break
            self._pending = pa.concat_tables([self._pending, pa.Table.from_batches([batch])])
        taken, self._pending = self._pending.slice(0, count), self._pending.slice(count)
        return taken
