"""datapackage.json: valid for frictionless, true to the files, deterministic, published whole."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import DATA, SEEDS
from frictionless import Package, validate

import classifieds
from classifieds.store import package
from classifieds.store.columns import INPUT_COLUMNS, LISTING_COLUMNS, SIGHTING_COLUMNS, Column
from classifieds.store.dataset import CsvDialect
from classifieds.store.folder import sha256
from classifieds.store.package import DATAPACKAGE_JSON, datapackage

DIALECTS: list[CsvDialect] = ["default", "excel-fr"]


@pytest.fixture(scope="module", params=DIALECTS)
def exported(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp(request.param) / "data"
    classifieds.build([SEEDS, DATA], out, csv_dialect=request.param)
    return out


def descriptor(folder: Path) -> dict[str, Any]:
    result: dict[str, Any] = json.loads((folder / DATAPACKAGE_JSON).read_text(encoding="utf-8"))
    return result


def resource(folder: Path, name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(r for r in descriptor(folder)["resources"] if r["name"] == name)
    return found


def test_frictionless_finds_the_package_and_its_data_valid(exported: Path) -> None:
    report = validate(exported / DATAPACKAGE_JSON)
    assert report.valid, report.flatten(["taskNumber", "rowNumber", "fieldName", "note"])
    tables = [task for task in report.tasks if task.type == "table"]
    assert all(task.stats["rows"] > 0 for task in tables)  # the data was read too
    assert [task.place for task in report.tasks] == [
        "listings.parquet",
        "listings.csv",
        "sightings.parquet",
        "rejects.jsonl",
        "inputs.parquet",
        "manifest.json",
    ]


def test_the_csv_read_per_the_package_keeps_postcodes_as_text(exported: Path) -> None:
    rows = Package(exported / DATAPACKAGE_JSON).get_resource("listings-csv").read_rows()
    listings = pq.read_table(exported / "listings.parquet").to_pylist()
    assert [row["postcode"] for row in rows] == [row["postcode"] for row in listings]
    assert "07690" in {row["postcode"] for row in rows}
    assert {type(row["department_code"]) for row in rows} == {str}
    assert [row["price_eur"] and float(row["price_eur"]) for row in rows] == [
        row["price_eur"] for row in listings
    ]


@pytest.mark.parametrize(
    ("dialect", "delimiter", "line_end", "encoding", "decimal"),
    [
        pytest.param("default", ",", "\n", "utf-8", ".", id="default"),
        pytest.param("excel-fr", ";", "\r\n", "utf-8-sig", ",", id="excel-fr"),
    ],
)
def test_the_csv_dialect_is_the_one_written(
    tmp_path: Path, dialect: CsvDialect, delimiter: str, line_end: str, encoding: str, decimal: str
) -> None:
    classifieds.build([SEEDS], tmp_path / "data", csv_dialect=dialect)
    csv = resource(tmp_path / "data", "listings-csv")
    assert (csv["dialect"]["delimiter"], csv["dialect"]["lineTerminator"]) == (delimiter, line_end)
    assert csv["encoding"] == encoding
    assert (tmp_path / "data" / "listings.csv").read_bytes().startswith(b"\xef\xbb\xbf") == (
        encoding == "utf-8-sig"
    )
    price = next(f for f in csv["schema"]["fields"] if f["name"] == "price_eur")
    assert price["decimalChar"] == decimal


def test_every_file_and_column_is_described(exported: Path) -> None:
    described = {r["path"]: r for r in descriptor(exported)["resources"]}
    files = {p.name for p in exported.iterdir() if not p.name.startswith(".")}
    assert set(described) == files - {DATAPACKAGE_JSON}
    for name, columns in [
        ("listings.parquet", LISTING_COLUMNS),
        ("listings.csv", LISTING_COLUMNS),
        ("sightings.parquet", SIGHTING_COLUMNS),
        ("inputs.parquet", INPUT_COLUMNS),
    ]:
        fields = described[name]["schema"]["fields"]
        assert [f["name"] for f in fields] == [c.name for c in columns]
        assert all(f["description"] for f in fields)
        if name.endswith(".parquet"):
            schema = pq.read_schema(exported / name)
            assert [f["name"] for f in fields] == schema.names
    assert described["listings.parquet"]["schema"]["primaryKey"] == ["listing_id"]


@pytest.mark.parametrize(
    ("column", "type_", "unit", "pattern"),
    [
        pytest.param("postcode", "string", None, "[0-9]{5}", id="postcode-text"),
        pytest.param("insee_code", "string", None, "[0-9][0-9AB][0-9]{3}", id="insee-text"),
        pytest.param("department_code", "string", None, "(0[1-9]|", id="department-text"),
        pytest.param("price_eur", "number", "€", None, id="price-euros"),
        pytest.param("surface_m2", "number", "m²", None, id="surface-m2"),
        pytest.param("land_m2", "number", "m²", None, id="land-m2"),
        pytest.param("mileage_km", "integer", "km", None, id="mileage-km"),
        pytest.param("first_seen", "datetime", None, None, id="date"),
    ],
)
def test_fields_have_their_type_unit_and_pattern(
    column: str, type_: str, unit: str | None, pattern: str | None
) -> None:
    listings = datapackage("default", {"listings.parquet"})["resources"][0]
    field = next(f for f in listings["schema"]["fields"] if f["name"] == column)
    assert (field["type"], field.get("unit")) == (type_, unit)
    assert (pattern is None) == ("pattern" not in field.get("constraints", {}))
    if pattern is not None:
        assert field["constraints"]["pattern"].startswith(pattern)


def test_a_new_column_is_described_without_more_work(monkeypatch: pytest.MonkeyPatch) -> None:
    flag = Column("price_dropped", pa.bool_(), True, "price lower than at first sighting")
    monkeypatch.setattr(package, "LISTING_COLUMNS", (*LISTING_COLUMNS, flag))
    csv = datapackage("excel-fr", {"listings.csv"})["resources"][0]
    assert csv["schema"]["fields"][-1] == {
        "name": "price_dropped",
        "type": "boolean",
        "description": "price lower than at first sighting",
        "trueValues": ["true"],
        "falseValues": ["false"],
    }


def test_a_csv_that_lost_its_leading_zeros_is_invalid(tmp_path: Path) -> None:
    out = tmp_path / "data"
    classifieds.build([SEEDS], out)
    csv = (out / "listings.csv").read_text(encoding="utf-8")
    assert ",07690," in csv
    copy = tmp_path / "copy"
    copy.mkdir()
    (copy / "listings.csv").write_text(csv.replace(",07690,", ",7690,"), encoding="utf-8")
    (copy / DATAPACKAGE_JSON).write_text(
        json.dumps(datapackage("default", {"listings.csv"})), encoding="utf-8"
    )
    report = validate(copy / DATAPACKAGE_JSON)
    assert not report.valid
    assert report.flatten(["fieldName", "type"]) == [["postcode", "constraint-error"]]


def test_the_package_is_deterministic_and_in_the_manifest(tmp_path: Path) -> None:
    for name in ("one", "two"):
        classifieds.build([SEEDS], tmp_path / name, csv_dialect="excel-fr")
    first = (tmp_path / "one" / DATAPACKAGE_JSON).read_bytes()
    assert first == (tmp_path / "two" / DATAPACKAGE_JSON).read_bytes()
    manifest = json.loads((tmp_path / "one" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["outputs"][DATAPACKAGE_JSON] == sha256(tmp_path / "one" / DATAPACKAGE_JSON)
    assert (tmp_path / "one" / DATAPACKAGE_JSON).is_symlink()  # published with the others
