"""The dataset on disk: Arrow schemas, atomic and deterministic writing, and loading into pandas.

Files are written into a hidden staging folder inside the output folder, then each is moved
into place with an atomic rename, the manifest last: an interrupted run leaves the previous
dataset as it was. Nothing time- or machine-dependent goes into the Parquet or CSV files, so
the same inputs give the same bytes.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from classifieds.errors import InputError, OutputError

SCHEMA_VERSION = 1
LISTINGS_PARQUET = "listings.parquet"
LISTINGS_CSV = "listings.csv"
SIGHTINGS_PARQUET = "sightings.parquet"
REJECTS_JSONL = "rejects.jsonl"
MANIFEST_JSON = "manifest.json"
SIGHTINGS_ROW_GROUP = 65_536
"""Sightings are flushed to Parquet in row groups of this many rows, never held whole."""

CsvDialect = Literal["default", "excel-fr"]
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    """A column of the data dictionary."""

    name: str
    type: pa.DataType
    nullable: bool
    meaning: str

    @property
    def field(self) -> pa.Field[pa.DataType]:
        return pa.field(self.name, self.type, self.nullable, {"meaning": self.meaning})


LISTING_COLUMNS = (
    Column(
        "listing_id", pa.string(), False, "stable id of the ad: category, title, town, postcode"
    ),
    Column("category", pa.string(), False, "immobilier, automobile, bonnes_affaires, other slug"),
    Column("section", pa.string(), True, "the section header as printed"),
    Column("title", pa.string(), False, "NFC, whitespace collapsed"),
    Column("description", pa.string(), True, "the detail text before the town"),
    Column("town", pa.string(), False, "as printed, NFC"),
    Column("postcode", pa.string(), False, "five characters, leading zero kept"),
    Column("department_code", pa.string(), True, "01-95, 2A, 2B, 971-976; null outside"),
    Column("department", pa.string(), True, "official department name"),
    Column("region", pa.string(), True, "official region name (2016 regions)"),
    Column("price_eur", pa.float64(), True, "price at the latest sighting; null if none or 0€"),
    Column("price_raw", pa.string(), True, "the price as printed"),
    Column("currency", pa.string(), False, "EUR"),
    Column("transaction", pa.string(), True, "real estate: vente, location or viager"),
    Column("surface_m2", pa.float64(), True, "living or land area when unambiguous"),
    Column("rooms", pa.int64(), True, "number of rooms: 5 pièces, T3, F4"),
    Column("make", pa.string(), True, "vehicle make, canonical capitalisation"),
    Column("year", pa.int64(), True, "model year or year of construction"),
    Column("fuel", pa.string(), True, "essence, diesel, hybride, électrique, gpl"),
    Column("mileage_km", pa.int64(), True, "vehicle mileage in km"),
    Column("n_sightings", pa.int64(), False, "occurrences across all inputs"),
    Column("first_source", pa.string(), False, "input where the ad was first seen"),
    Column("first_line", pa.int64(), False, "1-based line of its detail line there"),
)
SIGHTING_COLUMNS = (
    Column("listing_id", pa.string(), False, "the ad seen"),
    Column("source", pa.string(), False, "input it was seen in"),
    Column("line", pa.int64(), False, "1-based line of the detail line"),
    Column("position", pa.int64(), False, "1-based rank of the ad among the page's ads"),
    Column("section", pa.string(), True, "section header as printed on that page"),
    Column("price_eur", pa.float64(), True, "price as printed on that page"),
)


def _nullable_ints(arrow_type: pa.DataType) -> pd.api.extensions.ExtensionDtype | None:
    return pd.Int64Dtype() if arrow_type == pa.int64() else None


def _schema(columns: Sequence[Column]) -> pa.Schema:
    """Return the Arrow schema, with pandas metadata so that read_parquet gives nullable ints."""
    plain = pa.schema([column.field for column in columns])
    empty = plain.empty_table().to_pandas(types_mapper=_nullable_ints)
    pandas_meta = pa.Schema.from_pandas(empty, preserve_index=False).metadata
    return plain.with_metadata({**pandas_meta, b"classifieds.schema_version": str(SCHEMA_VERSION)})


LISTINGS_SCHEMA = _schema(LISTING_COLUMNS)
SIGHTINGS_SCHEMA = _schema(SIGHTING_COLUMNS)


class SightingsWriter:
    """Append sightings row by row; rows go to Parquet in fixed-size row groups."""

    def __init__(self, path: Path) -> None:
        self._writer = pq.ParquetWriter(path, SIGHTINGS_SCHEMA, compression="zstd")
        self._columns: tuple[list[Any], ...] = tuple([] for _ in SIGHTING_COLUMNS)
        self.rows = 0

    def extend(self, rows: Sequence[tuple[Any, ...]]) -> None:
        """Add rows (one value per sightings column, in column order)."""
        for column, values in zip(self._columns, zip(*rows, strict=True), strict=False):
            column.extend(values)
        self.rows += len(rows)
        while len(self._columns[0]) >= SIGHTINGS_ROW_GROUP:
            self._flush(SIGHTINGS_ROW_GROUP)

    def close(self) -> None:
        if self._columns[0]:
            self._flush(len(self._columns[0]))
        self._writer.close()

    def _flush(self, size: int) -> None:
        arrays = [
            pa.array(values[:size], column.type)
            for values, column in zip(self._columns, SIGHTING_COLUMNS, strict=True)
        ]
        self._writer.write_table(pa.Table.from_arrays(arrays, schema=SIGHTINGS_SCHEMA))
        for values in self._columns:
            del values[:size]


def write_listings(rows: Sequence[dict[str, Any]], folder: Path, dialect: CsvDialect) -> None:
    """Write ``listings.parquet`` and ``listings.csv`` from listing rows (dicts of columns)."""
    table = pa.Table.from_pylist(list(rows), schema=LISTINGS_SCHEMA)
    pq.write_table(table, folder / LISTINGS_PARQUET, compression="zstd")
    write_csv(table, folder / LISTINGS_CSV, dialect)


def write_csv(table: pa.Table, path: Path, dialect: CsvDialect = "default") -> None:
    """Write a table as CSV: plain UTF-8 with ``,`` and ``.``, or the French spreadsheet way."""
    french = dialect == "excel-fr"
    with open(path, "w", encoding="utf-8-sig" if french else "utf-8", newline="") as file:
        writer = csv.writer(
            file, delimiter=";" if french else ",", lineterminator="\r\n" if french else "\n"
        )
        writer.writerow(table.column_names)
        columns = [
            _csv_cells(table.column(i).to_pylist(), french) for i in range(table.num_columns)
        ]
        writer.writerows(zip(*columns, strict=True))


def _csv_cells(values: list[Any], french: bool) -> list[str]:
    cells = []
    for value in values:
        if value is None:
            cell = ""
        elif isinstance(value, float):
            cell = repr(value).removesuffix(".0")
            cell = cell.replace(".", ",") if french else cell
        elif isinstance(value, str) and french and value.startswith(_FORMULA_START):
            cell = "'" + value  # shown as text by the spreadsheet, never run
        else:
            cell = str(value)
        cells.append(cell)
    return cells


def sha256(path: Path) -> str:
    """Return the hex sha256 of a file."""
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@contextmanager
def staging(out: Path) -> Iterator[Path]:
    """Yield a staging folder; on success move its files into ``out``, manifest last.

    On any failure the staging folder is removed and ``out`` is left as it was.
    """
    try:
        out.mkdir(parents=True, exist_ok=True)
        stage = Path(tempfile.mkdtemp(prefix=".staging-", dir=out))
    except OSError as error:
        raise OutputError(
            f"Cannot write to {out}: {error.strerror}. Choose a writable folder with --out."
        ) from error
    try:
        yield stage
        names = sorted(p.name for p in stage.iterdir() if p.name != MANIFEST_JSON)
        for name in [*names, MANIFEST_JSON]:
            if (stage / name).exists():
                os.replace(stage / name, out / name)
    except OSError as error:
        raise OutputError(
            f"Writing {out} failed: {error}. Check free space and permissions."
        ) from error
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def write_json(value: Any, path: Path) -> None:
    """Write JSON, UTF-8 with accents as they are, keys in a stable order."""
    path.write_text(json.dumps(value, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def load(path: str | Path = "data") -> pd.DataFrame:
    """Return the listings as a DataFrame, from the dataset folder, its Parquet or its CSV file.

    Either file gives the same DataFrame: strings stay strings (postcode ``07690`` keeps its
    zero), whole-number columns are nullable ``Int64``, prices ``float64``.
    """
    path = Path(path)
    if path.is_dir():
        path = path / LISTINGS_PARQUET
    if not path.is_file():
        raise InputError(
            f"No dataset at {path}. Run `classifieds export` first, or pass its folder."
        )
    table = _read_csv(path) if path.suffix == ".csv" else pq.read_table(path)
    return table.cast(LISTINGS_SCHEMA).to_pandas()


def _read_csv(path: Path) -> pa.Table:
    with open(path, "rb") as file:
        french = file.read(3) == b"\xef\xbb\xbf"
    names = [column.name for column in LISTING_COLUMNS]
    # excel-fr numbers have a decimal comma: read them as text and convert below.
    types = {
        c.name: pa.string() if french and c.type == pa.float64() else c.type
        for c in LISTING_COLUMNS
    }
    table = pa_csv.read_csv(
        path,
        parse_options=pa_csv.ParseOptions(delimiter=";" if french else ","),
        convert_options=pa_csv.ConvertOptions(
            column_types=types, strings_can_be_null=True, null_values=[""], include_columns=names
        ),
    )
    if not french:
        return table
    for column in LISTING_COLUMNS:
        values = table[column.name]
        if column.type == pa.float64():
            values = pc.replace_substring(values, ",", ".").cast(pa.float64())
        elif column.type == pa.string():  # undo the formula guard of write_csv
            values = pc.replace_substring_regex(values, r"^'([=+\-@\t\r])", r"\1")
        table = table.set_column(table.schema.get_field_index(column.name), column.name, values)
    return table
