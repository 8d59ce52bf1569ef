"""``datapackage.json``: the dataset described for other tools (the Frictionless Data Package).

Tools other than :func:`classifieds.load` do not know the column types: ``pd.read_csv`` reads
postcodes as integers and drops their leading zero. The data package tells any reader each
file's fields, their types, meanings and units, the primary key, and the CSV dialect of the
export (``;``, decimal comma and BOM for ``--csv-dialect excel-fr``). It is built from the
data dictionary (:data:`~.dataset.LISTING_COLUMNS`...), so a new column is described without
more work; the value constraints come from the pydantic models. It holds nothing time- or
machine-dependent: the same export writes the same bytes. The files' sha256 are in
``manifest.json``, which lists this file's too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pyarrow as pa

from classifieds.models import Ad, Reject
from classifieds.store.columns import INPUT_COLUMNS, LISTING_COLUMNS, SIGHTING_COLUMNS, Column
from classifieds.store.dataset import (
    INPUTS_PARQUET,
    LISTINGS_CSV,
    LISTINGS_PARQUET,
    REJECTS_JSONL,
    SCHEMA_VERSION,
    SIGHTINGS_PARQUET,
    CsvDialect,
    csv_spec,
    write_json,
)
from classifieds.store.folder import MANIFEST_JSON

DATAPACKAGE_JSON = "datapackage.json"
PRIMARY_KEY = "listing_id"
UNITS: Mapping[str, str] = MappingProxyType({"_eur": "€", "_m2": "m²", "_km": "km"})
"""The unit of a column, told by the end of its name (``price_eur``, ``surface_m2``...)."""
_PARQUET = "application/vnd.apache.parquet"
_REJECT_COLUMNS = (
    Column("source", pa.string(), False, "input (or archive record) the line was read from"),
    Column("line", pa.int64(), False, "1-based line of the offending text; 0 for a whole file"),
    Column("reason", pa.string(), False, "why it was rejected: a stable code (see README)"),
    Column("text", pa.string(), False, "the offending text, cut to 300 characters"),
)
_CSV_TEXT = (
    'Empty field = null, "" = the empty string. A text cell that would start a spreadsheet'
    " formula (= + - @ tab CR) or starts with ' gets a leading ' (classifieds.load removes it)."
    " Codes (postcode, department_code, insee_code) are text: read them as such, or leading"
    " zeros are lost."
)


_FILES = (LISTINGS_PARQUET, LISTINGS_CSV, SIGHTINGS_PARQUET, REJECTS_JSONL, INPUTS_PARQUET)


def write_datapackage(folder: Path, dialect: CsvDialect) -> None:
    """Write ``datapackage.json`` describing the dataset files present in ``folder``."""
    present = {name for name in _FILES if (folder / name).exists()}
    write_json(datapackage(dialect, present | {MANIFEST_JSON}), folder / DATAPACKAGE_JSON)


def datapackage(dialect: CsvDialect, files: frozenset[str] | set[str]) -> dict[str, Any]:
    """Return the data package descriptor of a dataset holding ``files``, its CSV in
    ``dialect``."""
    spec = csv_spec(dialect)
    decimal = "," if spec.decimal_comma else "."
    listings_key = {"primaryKey": [PRIMARY_KEY]}
    to_listings = {
        "foreignKeys": [
            {
                "fields": [PRIMARY_KEY],
                "reference": {"resource": "listings", "fields": [PRIMARY_KEY]},
            }
        ]
    }
    resources = [
        _parquet(
            "listings",
            LISTINGS_PARQUET,
            "One row per unique ad: the analysis table.",
            _schema(LISTING_COLUMNS, ".", listings_key),
        ),
        {
            "name": "listings-csv",
            "path": LISTINGS_CSV,
            "profile": "tabular-data-resource",
            "title": "listings as CSV",
            "description": "The rows and columns of listings.parquet. " + _CSV_TEXT,
            "format": "csv",
            "mediatype": "text/csv",
            # Python's name for UTF-8 with a byte order mark: the BOM tells Excel the encoding.
            "encoding": spec.encoding,
            "dialect": {
                "delimiter": spec.delimiter,
                "lineTerminator": spec.line_end,
                "quoteChar": '"',
                "doubleQuote": True,
                "header": True,
                "skipInitialSpace": False,
            },
            "schema": _schema(LISTING_COLUMNS, decimal, listings_key),
        },
        _parquet(
            "sightings",
            SIGHTINGS_PARQUET,
            "One row per occurrence of an ad on a page, with the price printed there.",
            _schema(SIGHTING_COLUMNS, ".", to_listings),
        ),
        {
            "name": "rejects",
            "path": REJECTS_JSONL,
            "profile": "tabular-data-resource",
            "title": "rejects",
            "description": "One JSON object a line: an ad line or a file that could not be used.",
            "format": "jsonl",
            "mediatype": "application/jsonl",
            "encoding": "utf-8",
            "schema": _schema(_REJECT_COLUMNS, ".", {}, _reject_constraints()),
        },
        _parquet(
            "inputs",
            INPUTS_PARQUET,
            "One row per input read: its size, sha256 and what it gave.",
            _schema(INPUT_COLUMNS, ".", {}),
        ),
        {
            "name": "manifest",
            "path": MANIFEST_JSON,
            "profile": "data-resource",
            "title": "run manifest",
            "description": "What the run read and wrote: counts, and the sha256 of each file.",
            "format": "json",
            "mediatype": "application/json",
            "encoding": "utf-8",
        },
    ]
    return {
        "profile": "data-package",
        "name": "classifieds-listings",
        "title": "Classified ads of Petites Annonces widgets",
        "description": (
            "Unique ads, their sightings and the rejects of a classifieds export. Prices in"
            f" euros (€), areas in m², distances in km. Schema version {SCHEMA_VERSION}."
        ),
        "resources": [resource for resource in resources if resource["path"] in files],
    }


def _parquet(name: str, path: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": name,
        "path": path,
        "profile": "tabular-data-resource",
        "title": name,
        "description": description,
        "format": "parquet",
        "mediatype": _PARQUET,
        "schema": schema,
    }


def _schema(
    columns: Sequence[Column],
    decimal: str,
    keys: Mapping[str, Any],
    constraints: Mapping[str, Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    """Return the Table Schema of columns, numbers written with ``decimal``."""
    rules = _ad_constraints() if constraints is None else constraints
    return {
        "fields": [_field(column, decimal, rules.get(column.name, {})) for column in columns],
        "missingValues": [""],
        **keys,
    }


def _field(column: Column, decimal: str, rules: Mapping[str, Any]) -> dict[str, Any]:
    """Return the Table Schema field of a column."""
    described: dict[str, Any] = {"name": column.name, "type": _type(column.type)}
    description = column.meaning
    unit = next((unit for end, unit in UNITS.items() if column.name.endswith(end)), None)
    if unit is not None:
        described["unit"] = unit
        if unit not in description:
            description += f" ({unit})"
    described["description"] = description
    if described["type"] == "number":
        described["decimalChar"] = decimal
    elif described["type"] == "boolean":  # how the CSV writes them
        described["trueValues"], described["falseValues"] = ["true"], ["false"]
    constraints = {**rules}
    if not column.nullable:
        constraints["required"] = True
    if constraints:
        described["constraints"] = constraints
    return described


def _type(arrow: pa.DataType) -> str:
    """Return the Table Schema type of an Arrow type."""
    if arrow == pa.string():
        return "string"
    if arrow == pa.int64():
        return "integer"
    if arrow == pa.float64():
        return "number"
    if arrow == pa.bool_():
        return "boolean"
    if isinstance(arrow, pa.TimestampType):
        return "datetime"
    return "any"


def _ad_constraints() -> Mapping[str, Mapping[str, Any]]:
    """Return the pattern, set of values and bounds of each field of an ad, from the model:
    ``postcode`` ``^[0-9]{5}$``, ``transaction`` one of vente, location, viager..."""
    return _constraints(Ad.model_json_schema())


def _reject_constraints() -> Mapping[str, Mapping[str, Any]]:
    return _constraints(Reject.model_json_schema())


_JSON_SCHEMA_RULES = (
    ("pattern", "pattern"),
    ("enum", "enum"),
    ("minimum", "minimum"),
    ("maximum", "maximum"),
    ("minLength", "minLength"),
    ("maxLength", "maxLength"),
)


def _constraints(model_schema: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Return the Table Schema constraints of each property of a model's JSON schema."""
    found: dict[str, dict[str, Any]] = {}
    for name, prop in model_schema["properties"].items():
        # An optional field is anyOf [its type, null]; a literal one an enum or a const.
        variants = [v for v in prop.get("anyOf", [prop]) if v.get("type") != "null"]
        if len(variants) != 1:
            continue
        variant = variants[0]
        rules = {ours: variant[theirs] for theirs, ours in _JSON_SCHEMA_RULES if theirs in variant}
        if "pattern" in rules:  # Table Schema patterns match the whole value, unanchored
            rules["pattern"] = rules["pattern"].removeprefix("^").removesuffix("$")
        if "const" in variant:
            rules["enum"] = [variant["const"]]
        if rules:
            found[name] = rules
    return found
