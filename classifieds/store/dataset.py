"""The dataset on disk: Arrow schemas, atomic and deterministic writing, and loading into pandas.

Files are written into a new generation of the dataset folder, published whole or not at all
(:mod:`.folder`). Nothing time- or machine-dependent goes into the Parquet or CSV files, so
the same inputs give the same bytes. Readers refuse a folder that mixes two runs' files.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal

import pyarrow as pa
import pyarrow.parquet as pq

from classifieds.errors import InputError
from classifieds.read.remote import NO_OPTIONS, StorageOptions, is_url
from classifieds.store.bucket import STDIN, dataset_of, open_dataset_file
from classifieds.store.columns import INPUT_COLUMNS, LISTING_COLUMNS, SIGHTING_COLUMNS, Column
from classifieds.store.folder import MANIFEST_JSON, READ_ATTEMPTS, generation_of
from classifieds.store.outliers import OUTLIER_INPUTS, outliers_of

if TYPE_CHECKING:
    import pandas

SCHEMA_VERSION = 3
"""2 added the capture dates and URLs: listings ``first_seen``, ``last_seen``, ``first_url``;
sightings ``url``, ``fetched_at``. 3 added the commune (``insee_code``, ``commune``,
``town_match``, ``population``), ``land_m2``, ``property_type``, ``vehicle_type``, ``model``
and ``price_outlier``."""
LISTINGS_PARQUET = "listings.parquet"
LISTINGS_CSV = "listings.csv"
SIGHTINGS_PARQUET = "sightings.parquet"
REJECTS_JSONL = "rejects.jsonl"
INPUTS_PARQUET = "inputs.parquet"
ROWS_AT_ONCE = 16_384
"""Listings turned into Arrow columns, or into CSV cells, at a time: memory stays that of the
Arrow table, not of 34 Python objects a row."""
SIGHTINGS_ROW_GROUP = 16_384
"""Sightings (and inputs) reach Parquet in row groups of this many rows, never held whole."""

CsvDialect = Literal["default", "excel-fr"]
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_GUARD = "'"
"""Put before a text cell that starts a formula, as OWASP advises, and before one that starts
with the guard itself, so that :func:`load` can tell the two apart and restore the exact text."""
_GUARDED_START = (*_FORMULA_START, _GUARD)


@dataclass(frozen=True)
class _CsvSpec:
    """How a CSV dialect writes its file."""

    delimiter: str
    line_end: str
    encoding: str
    decimal_comma: bool
    needs_quotes: re.Pattern[str]
    """Fields holding one of these are quoted: Python's ``csv.QUOTE_MINIMAL``, plus a bare CR,
    which every reader takes for a line break."""


_CSV_SPECS: Mapping[CsvDialect, _CsvSpec] = MappingProxyType(
    {
        "default": _CsvSpec(",", "\n", "utf-8", False, re.compile(r'[,"\r\n]')),
        "excel-fr": _CsvSpec(";", "\r\n", "utf-8-sig", True, re.compile(r'[;"\r\n]')),
    }
)


def csv_spec(dialect: CsvDialect) -> _CsvSpec:
    """Return how ``dialect`` writes ``listings.csv`` (the data package describes it)."""
    return _CSV_SPECS[dialect]


def _pandas_column(column: Column) -> dict[str, Any]:
    """Return the pandas metadata of a column: whole numbers read back as nullable ``Int64``."""
    if column.type == pa.int64():
        pandas_type, numpy_type, metadata = "int64", "Int64", None
    elif column.type == pa.float64():
        pandas_type, numpy_type, metadata = "float64", "float64", None
    elif column.type == pa.bool_():
        pandas_type, numpy_type, metadata = "bool", "bool", None
    elif isinstance(column.type, pa.TimestampType):
        pandas_type, numpy_type, metadata = "datetimetz", "datetime64[us]", {"timezone": "UTC"}
    else:
        pandas_type, numpy_type, metadata = "unicode", "object", None
    return {
        "name": column.name,
        "field_name": column.name,
        "pandas_type": pandas_type,
        "numpy_type": numpy_type,
        "metadata": metadata,
    }


def _schema(columns: Sequence[Column]) -> pa.Schema:
    """Return the Arrow schema, with the pandas metadata that ``read_parquet`` follows.

    Written by hand rather than by pandas so that an export does not import pandas.
    """
    pandas_meta = {
        "index_columns": [],
        "column_indexes": [],
        "columns": [_pandas_column(column) for column in columns],
        "attributes": {},
        "creator": {"library": "classifieds", "version": str(SCHEMA_VERSION)},
        "pandas_version": "2.2.0",
    }
    return pa.schema([column.field for column in columns]).with_metadata(
        {"pandas": json.dumps(pandas_meta), "classifieds.schema_version": str(SCHEMA_VERSION)}
    )


LISTINGS_SCHEMA = _schema(LISTING_COLUMNS)
SIGHTINGS_SCHEMA = _schema(SIGHTING_COLUMNS)
INPUTS_SCHEMA = _schema(INPUT_COLUMNS)


_PENDING_BATCHES = 256
"""Batches a :class:`RowGroupWriter` holds before it joins them into one: each holds its own
arrays (a kilobyte or more), however few its rows."""


class RowGroupWriter:
    """Append rows batch by batch; they reach Parquet in row groups of a fixed size.

    Row groups never depend on how the rows were batched, so the file's bytes do not depend on
    the number of workers, nor on whether a dataset was built at once or appended to.
    """

    def __init__(self, path: Path, schema: pa.Schema) -> None:
        self._schema = schema
        self._writer = pq.ParquetWriter(path, schema, compression="zstd")
        self._pending: list[pa.RecordBatch] = []
        self._pending_rows = 0
        self.rows = 0

    def write(self, batch: pa.RecordBatch) -> None:
        """Add a batch of rows of the writer's schema."""
        self._pending.append(batch)
        self._pending_rows += batch.num_rows
        self.rows += batch.num_rows
        if len(self._pending) >= _PENDING_BATCHES:  # an append copies an input's rows at a time
            pending = pa.Table.from_batches(self._pending, self._schema).combine_chunks()
            self._pending = pending.to_batches()
        while self._pending_rows >= SIGHTINGS_ROW_GROUP:
            self._flush(SIGHTINGS_ROW_GROUP)

    def close(self) -> None:
        if self._pending_rows:
            self._flush(self._pending_rows)
        self._writer.close()

    def _flush(self, rows: int) -> None:
        table = pa.Table.from_batches(self._pending, self._schema)
        # One contiguous chunk: page boundaries then depend on the rows only.
        self._writer.write_table(table.slice(0, rows).combine_chunks(), row_group_size=rows)
        rest = table.slice(rows)
        self._pending, self._pending_rows = rest.to_batches(), rest.num_rows


@dataclass
class SightingRows:
    """Sightings as plain lists, one per column of ``SIGHTINGS_SCHEMA``: cheap to fill and to
    send between processes (workers never build Arrow arrays, which makes pyarrow import pandas).
    """

    listing_id: list[str] = field(default_factory=list)
    source: list[str] = field(default_factory=list)
    line: list[int] = field(default_factory=list)
    position: list[int] = field(default_factory=list)
    section: list[str | None] = field(default_factory=list)
    price_eur: list[float | None] = field(default_factory=list)
    url: list[str | None] = field(default_factory=list)
    fetched_at: list[datetime | None] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.listing_id)

    def to_batch(self) -> pa.RecordBatch:
        """Return the rows as a record batch of ``SIGHTINGS_SCHEMA``."""
        arrays = [pa.array(getattr(self, column.name), column.type) for column in SIGHTING_COLUMNS]
        return pa.RecordBatch.from_arrays(arrays, schema=SIGHTINGS_SCHEMA)


def write_listings(rows: Iterable[dict[str, Any]], folder: Path, dialect: CsvDialect) -> None:
    """Write ``listings.parquet`` and ``listings.csv`` from listing rows (dicts of columns),
    with their ``price_outlier`` column, which only all of them tell (the rows' is ignored).

    The rows become Arrow columns a slice at a time: never all of them as dicts at once.
    """
    rows = iter(rows)
    slices = iter(lambda: list(islice(rows, ROWS_AT_ONCE)), [])
    batches = [pa.RecordBatch.from_pylist(some, schema=LISTINGS_SCHEMA) for some in slices]
    table = _with_outliers(_contiguous(batches))
    pq.write_table(table, folder / LISTINGS_PARQUET, compression="zstd")
    write_csv(table, folder / LISTINGS_CSV, dialect)


def _contiguous(batches: list[pa.RecordBatch]) -> pa.Table:
    """Return the batches as a table of one chunk a column, as one ``from_pylist`` of all the
    rows gives (chunks change the Parquet bytes), emptying ``batches``.

    Column by column, each one's chunks let go once joined: a table's ``combine_chunks``
    would hold two copies of all the columns at once.
    """
    chunks = [[batch.column(i) for batch in batches] for i in range(len(LISTINGS_SCHEMA))]
    batches.clear()
    columns = []
    for i, type_ in enumerate(LISTINGS_SCHEMA.types):
        columns.append(pa.concat_arrays(chunks[i]) if chunks[i] else pa.array([], type_))
        chunks[i] = []
    return pa.Table.from_arrays(columns, schema=LISTINGS_SCHEMA)


def _with_outliers(table: pa.Table) -> pa.Table:
    """Return the table of listings with its ``price_outlier`` column computed."""
    flags = outliers_of({name: table.column(name).to_pylist() for name in OUTLIER_INPUTS})
    index = table.schema.get_field_index("price_outlier")
    return table.set_column(index, table.schema.field(index), pa.array(flags, pa.bool_()))


def write_csv(table: pa.Table, path: Path, dialect: CsvDialect = "default") -> None:
    """Write a table as CSV: plain UTF-8 with ``,`` and ``.``, or the French spreadsheet way.

    In both, text cells that would start a formula are guarded (:func:`_guarded`), and an
    empty string is ``""`` where null is an empty field, so that :func:`load` gives back the
    Parquet file's values exactly.
    """
    spec = _CSV_SPECS[dialect]
    with open(path, "w", encoding=spec.encoding, newline="") as file:
        file.write(spec.delimiter.join(_quoted(name, spec) for name in table.column_names))
        file.write(spec.line_end)
        for start in range(0, table.num_rows, ROWS_AT_ONCE):  # the cells of a slice at a time
            part = table.slice(start, ROWS_AT_ONCE)
            columns = [_csv_fields(part.column(i), spec) for i in range(part.num_columns)]
            file.writelines(
                spec.delimiter.join(row) + spec.line_end for row in zip(*columns, strict=True)
            )


def _csv_fields(values: pa.ChunkedArray[Any], spec: _CsvSpec) -> list[str]:
    """Return a column as CSV fields, an empty one for null: text guarded and quoted where
    needed; numbers and dates never need it. Told by column, not cell: the hot loop of a write."""
    cells = values.to_pylist()
    if values.type == pa.string():
        return ["" if cell is None else _quoted(_guarded(cell), spec) for cell in cells]
    if values.type == pa.float64():
        decimal = "," if spec.decimal_comma else "."
        return [
            "" if x is None else repr(x).removesuffix(".0").replace(".", decimal) for x in cells
        ]
    if values.type == pa.bool_():
        return ["" if cell is None else "true" if cell else "false" for cell in cells]
    if isinstance(values.type, pa.TimestampType):  # UTC, as the column type says
        return ["" if date is None else date.isoformat().replace("+00:00", "Z") for date in cells]
    return ["" if cell is None else str(cell) for cell in cells]


def _guarded(text: str) -> str:
    """Return text that a spreadsheet shows as text and never runs as a formula.

    >>> [_guarded(text) for text in ["=1+1", "-50% sur tout", "'quoted", "L'Aigle", ""]]
    ["'=1+1", "'-50% sur tout", "''quoted", "L'Aigle", '']
    """
    return _GUARD + text if text.startswith(_GUARDED_START) else text


def _quoted(text: str, spec: _CsvSpec) -> str:
    """Return a field quoted if it must be; the empty string always is, unlike null.

    >>> spec = _CSV_SPECS["default"]
    >>> [_quoted(text, spec) for text in ["Caen", 'a"b', "a,b", "a;b", ""]]
    ['Caen', '"a""b"', '"a,b"', 'a;b', '""']
    """
    if text and spec.needs_quotes.search(text) is None:
        return text
    return '"' + text.replace('"', '""') + '"'


def write_json(value: Any, path: Path) -> None:
    """Write JSON, UTF-8 with accents as they are, keys in a stable order."""
    path.write_text(json.dumps(value, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def load(
    path: str | Path = "data", storage_options: StorageOptions = NO_OPTIONS
) -> pandas.DataFrame:
    """Return the listings as a DataFrame, from the dataset folder, its Parquet or its CSV file.

    Either file gives the same DataFrame: strings stay strings (postcode ``07690`` keeps its
    zero), whole-number columns are nullable ``Int64``, prices ``float64``, dates
    ``datetime64[us, UTC]``. From the CSV, either dialect (told by the header's separator), the
    formula guard is removed: the text is the Parquet file's. ``path`` may be a URL
    (``s3://bucket/data/``), read with ``storage_options`` as pandas does, and trusted only
    through its manifest.
    """
    file = open_dataset_file(path, _listings_file(path), storage_options)
    try:
        csv = file.name.endswith(".csv")
        table = _read_csv(file.source) if csv else pq.read_table(file.source)
        table = _as_schema(table, LISTINGS_SCHEMA, file.label, "listings")
        return table.to_pandas()  # imports pandas: only loading needs it
    except (pa.ArrowException, OSError) as error:
        raise InputError(
            f"Cannot read {file.label} as listings ({error}). Pass an export folder, its"
            f" {LISTINGS_PARQUET} or its {LISTINGS_CSV}."
        ) from error


def _listings_file(path: str | Path) -> str:
    """Return the listings file to read of a dataset: its Parquet file, or its CSV in a local
    folder that holds the CSV alone (sent or kept without the rest)."""
    if is_url(str(path)):
        return LISTINGS_PARQUET
    folder = Path(path)
    try:
        alone = not (folder / LISTINGS_PARQUET).exists() and (folder / LISTINGS_CSV).is_file()
    except OSError:  # a folder one may not enter: open_dataset_file says so
        return LISTINGS_PARQUET
    return LISTINGS_CSV if alone else LISTINGS_PARQUET


def load_sightings(
    path: str | Path = "data", storage_options: StorageOptions = NO_OPTIONS
) -> pandas.DataFrame:
    """Return the sightings as a DataFrame, from the dataset folder or its sightings file (a
    URL too, as for :func:`load`)."""
    file = open_dataset_file(path, SIGHTINGS_PARQUET, storage_options)
    if file.name.endswith(".csv"):  # the CSV holds listings only
        raise InputError(
            f"{file.label} holds the listings, not their sightings, which only"
            f" {SIGHTINGS_PARQUET} has. Pass the export folder or its {SIGHTINGS_PARQUET}."
        )
    try:
        table = _as_schema(pq.read_table(file.source), SIGHTINGS_SCHEMA, file.label, "sightings")
        return table.to_pandas()
    except (pa.ArrowException, OSError) as error:
        raise InputError(
            f"Cannot read {file.label} as sightings ({error}). Pass an export folder or its"
            f" {SIGHTINGS_PARQUET}."
        ) from error


def load_with_sightings(
    path: str | Path = "data", storage_options: StorageOptions = NO_OPTIONS
) -> tuple[pandas.DataFrame, pandas.DataFrame]:
    """Return the listings (from ``path``, as :func:`load`) and the sightings of the same
    dataset, of one generation whatever exports replace it meanwhile (at a URL: as they are).
    Read through the folder's names (a plain manifest), the manifest must be the same file
    after: an export may have published another dataset between the two reads."""
    if str(path) == STDIN:
        raise InputError(
            "The sightings are not in what stdin holds: pass the dataset folder, not -."
        )
    if is_url(str(path)):
        return load(path, storage_options), load_sightings(dataset_of(str(path)), storage_options)
    given = Path(path)
    folder, name = (
        (given.parent, given.name) if given.suffix in (".parquet", ".csv") else (given, "")
    )
    for attempt in range(READ_ATTEMPTS):
        manifest, generation = _stamp(folder / MANIFEST_JSON), generation_of(folder)
        try:
            read = load(generation / name), load_sightings(generation)
        except InputError:
            if generation_of(folder) == generation or attempt + 1 == READ_ATTEMPTS:
                raise
            continue  # an export published another generation and removed this one meanwhile
        if generation != folder or _stamp(folder / MANIFEST_JSON) == manifest:
            return read
    raise InputError(f"{folder} was replaced by exports while it was read: read it again.")


def _stamp(path: Path) -> tuple[int, int, int] | None:
    """Return what tells a file from the next one written at its name (None: no file)."""
    try:
        return (status := path.stat()).st_ino, status.st_mtime_ns, status.st_size
    except OSError:
        return None


def _as_schema(table: pa.Table, schema: pa.Schema, path: str, what: str) -> pa.Table:
    """Return a table cast to a dataset file's schema; InputError for another file (the
    sightings given for the listings)."""
    if table.column_names != schema.names:
        missing = [name for name in schema.names if name not in table.column_names][:3]
        raise InputError(
            f"{path} holds no {what}: it lacks the columns {', '.join(missing) or 'in order'}."
            f" Pass an export folder, or its {what} file."
        )
    return table.cast(schema)


def _read_csv(path: Path | pa.BufferReader) -> pa.Table:
    # Imported here: only loading a dataset without its Parquet needs them (0.08 s to import).
    import pyarrow.compute as pc
    import pyarrow.csv as pa_csv

    delimiter = _csv_delimiter(path)
    french = delimiter == ";"
    names = [column.name for column in LISTING_COLUMNS]
    # excel-fr numbers have a decimal comma: read them as text and convert below.
    types = {
        c.name: pa.string() if french and c.type == pa.float64() else c.type
        for c in LISTING_COLUMNS
    }
    table = pa_csv.read_csv(
        path,  # type: ignore[arg-type]  # a pyarrow file too: the stubs do not say so
        parse_options=pa_csv.ParseOptions(delimiter=delimiter, newlines_in_values=True),
        convert_options=pa_csv.ConvertOptions(
            column_types=types,
            strings_can_be_null=True,
            quoted_strings_can_be_null=False,  # "" is the empty string, an empty field null
            null_values=[""],
            include_columns=names,
        ),
    )
    for column in LISTING_COLUMNS:
        values = table[column.name]
        if french and column.type == pa.float64():
            values = pc.replace_substring(values, ",", ".").cast(pa.float64())
        elif column.type == pa.string():  # undo _guarded: drop one leading guard
            values = pc.replace_substring_regex(values, "^" + _GUARD, "")
        else:
            continue
        table = table.set_column(table.schema.get_field_index(column.name), column.name, values)
    return table


def _csv_delimiter(path: Path | pa.BufferReader) -> str:
    """Return the separator of a listings CSV, told by its header line, not by its BOM: a
    spreadsheet that saves the file again may drop the BOM (or add one)."""
    if isinstance(path, pa.BufferReader):
        header = path.read(1 << 16).split(b"\n", 1)[0]
        path.seek(0)
    else:
        with open(path, "rb") as file:
            header = file.readline(1 << 16)
    first = re.search(rb"[,;]", header)  # column names hold neither
    return ";" if first is not None and first.group() == b";" else ","
