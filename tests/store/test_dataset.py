"""The files of an export: columns and dtypes, pandas round trip, determinism, atomic writes."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import SEEDS, html_page, page, write_warc
from hypothesis import given
from hypothesis import strategies as st

import classifieds
from classifieds.errors import OutputError
from classifieds.run import export
from classifieds.store import dataset, folder
from classifieds.store.columns import LISTING_COLUMNS, SIGHTING_COLUMNS
from classifieds.store.dataset import CsvDialect, write_csv

DOCS = Path(__file__).parents[2] / "docs"


@pytest.fixture(scope="module")
def seed_export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("seed") / "data"
    classifieds.build([SEEDS], out)
    return out


def tree(folder: Path) -> dict[str, bytes | str]:
    """Return every entry under a folder: a file's bytes, a link's target."""
    return {
        str(p.relative_to(folder)): os.readlink(p) if p.is_symlink() else p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_symlink() or p.is_file()
    }


def test_export_writes_every_file(seed_export: Path) -> None:
    names = sorted(p.name for p in seed_export.iterdir() if not p.name.startswith("."))
    assert names == [
        "datapackage.json",
        "inputs.parquet",
        "listings.csv",
        "listings.parquet",
        "manifest.json",
        "rejects.jsonl",
        "sightings.parquet",
    ]


def test_listings_have_the_contract_columns_and_dtypes(seed_export: Path) -> None:
    frame = pd.read_parquet(seed_export / "listings.parquet")
    assert list(frame.columns) == [c.name for c in LISTING_COLUMNS]
    assert len(frame) == 12
    assert frame["postcode"].tolist()[0] == "07690"
    assert pd.api.types.is_string_dtype(frame["postcode"]) and pd.api.types.is_string_dtype(
        frame["department_code"]
    )
    for column in (
        "price_eur",
        "surface_m2",
        "rooms",
        "year",
        "mileage_km",
        "n_sightings",
        "first_line",
    ):
        assert pd.api.types.is_numeric_dtype(frame[column]), column
    assert frame["year"].dtype == "Int64"


def test_contract_document_lists_the_same_columns() -> None:
    contract = (DOCS / "data-contract.md").read_text(encoding="utf-8")
    listed = [
        line.split("`")[1]
        for line in contract.split("## `listings` columns")[1].split("\n## ")[0].splitlines()
        if line.startswith("| `")
    ]
    assert listed == [c.name for c in LISTING_COLUMNS]


def test_sightings_columns(seed_export: Path) -> None:
    frame = pd.read_parquet(seed_export / "sightings.parquet")
    assert list(frame.columns) == [c.name for c in SIGHTING_COLUMNS]
    assert frame["position"].tolist() == list(range(1, 13))
    assert frame["price_eur"].isna().sum() == 1  # the 0€ Renault


def test_load_gives_the_same_frame_from_parquet_csv_and_folder(seed_export: Path) -> None:
    from_parquet = classifieds.load(seed_export / "listings.parquet")
    pd.testing.assert_frame_equal(classifieds.load(seed_export / "listings.csv"), from_parquet)
    pd.testing.assert_frame_equal(classifieds.load(seed_export), from_parquet)
    pd.testing.assert_frame_equal(pd.read_parquet(seed_export / "listings.parquet"), from_parquet)
    assert from_parquet.loc[0, "postcode"] == "07690"


def test_csv_is_plain_utf8_with_dot_decimals_and_empty_nulls(seed_export: Path) -> None:
    text = (seed_export / "listings.csv").read_text(encoding="utf-8")
    header, first, *_ = text.splitlines()
    assert header.startswith("listing_id,category,section,title,")
    assert ",07690,07,Ardèche," in first and ",60000," in first
    renault = next(line for line in text.splitlines() if "renault captur" in line)
    assert ",,0€," in renault  # null price_eur is an empty cell


def test_excel_fr_dialect_round_trips(tmp_path: Path, data_dir: Path) -> None:
    page = tmp_path / "page.txt"
    page.write_text(
        'Petites Annonces\nBonnes affaires\n=HYPERLINK("x")\n=HYPERLINK("x") Caen (14000) 12,50€ Découvrir\n',
        encoding="utf-8",
    )
    classifieds.build([page], tmp_path / "fr", csv_dialect="excel-fr")
    raw = (tmp_path / "fr" / "listings.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbflisting_id;category;")
    assert ';"\'=HYPERLINK(""x"")";' in raw.decode("utf-8-sig") and ";12,5;" in raw.decode(
        "utf-8-sig"
    )
    loaded = classifieds.load(tmp_path / "fr" / "listings.csv")
    assert loaded.loc[0, "title"] == '=HYPERLINK("x")' and loaded.loc[0, "price_eur"] == 12.5


# Text the formula guard leaves alone. A bare CR is left out: Python's csv module (3.11) writes
# it unquoted in the default dialect, a line break to every reader, where we quote it.
PLAIN_TEXT = st.text(min_size=1).filter(
    lambda text: not text.startswith(("=", "+", "-", "@", "\t", "\r", "'")) and "\r" not in text
)


@given(
    rows=st.lists(st.tuples(PLAIN_TEXT, st.none() | PLAIN_TEXT), max_size=5),
    dialect=st.sampled_from(["default", "excel-fr"]),
)
def test_csv_of_plain_text_is_the_csv_module_s(
    tmp_path_factory: pytest.TempPathFactory,
    rows: list[tuple[str, str | None]],
    dialect: CsvDialect,
) -> None:
    """Files written before the guard keep their bytes unless a cell needs the guard."""
    path = tmp_path_factory.mktemp("plain") / "listings.csv"
    schema = pa.schema([("title", pa.string()), ("town", pa.string())])
    titles, towns = [row[0] for row in rows], [row[1] for row in rows]
    write_csv(pa.table({"title": titles, "town": towns}, schema), path, dialect)
    expected = io.StringIO()
    french = dialect == "excel-fr"
    writer = csv.writer(
        expected, delimiter=";" if french else ",", lineterminator="\r\n" if french else "\n"
    )
    writer.writerows([schema.names, *rows])
    assert path.read_bytes() == expected.getvalue().encode("utf-8-sig" if french else "utf-8")


def test_csv_tells_the_empty_string_from_null(tmp_path: Path) -> None:
    schema = pa.schema([("title", pa.string()), ("town", pa.string())])
    write_csv(pa.Table.from_pylist([{"title": "", "town": None}], schema), tmp_path / "x.csv")
    assert (tmp_path / "x.csv").read_text(encoding="utf-8") == 'title,town\n"",\n'


def test_same_inputs_give_identical_bytes(tmp_path: Path, data_dir: Path) -> None:
    first = classifieds.build([data_dir, SEEDS], tmp_path / "a")
    second = classifieds.build([SEEDS, data_dir], tmp_path / "b")
    assert first.outputs == second.outputs
    for name in first.outputs:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_manifest_counts(tmp_path: Path, data_dir: Path) -> None:
    manifest = classifieds.build([data_dir], tmp_path)
    written = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert written == manifest.model_dump()
    assert manifest.inputs == len(list(data_dir.iterdir())) - 1  # .gitattributes is hidden
    assert (
        manifest.pages
        + manifest.rejects_by_reason["empty_file"]
        + manifest.rejects_by_reason["binary_file"]
        == manifest.inputs
    )
    assert manifest.pages_without_widget == 1
    assert manifest.sightings == len(pq.read_table(tmp_path / "sightings.parquet"))
    assert manifest.rejects == sum(1 for _ in open(tmp_path / "rejects.jsonl", encoding="utf-8"))
    assert manifest.outputs["listings.parquet"] == folder.sha256(tmp_path / "listings.parquet")


def test_failed_run_leaves_the_previous_dataset_intact(
    seed_export: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "data"
    classifieds.build([SEEDS], out)
    before = tree(out)

    def crash(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(export, "write_listings", crash)
    with pytest.raises(KeyboardInterrupt):
        classifieds.build([SEEDS], out)
    assert tree(out) == before  # no new generation left


def test_unwritable_output_says_how_to_fix(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(OutputError, match="--out"):
        classifieds.build([SEEDS], blocker / "data")


def test_sightings_are_written_in_row_groups(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, data_dir: Path
) -> None:
    monkeypatch.setattr(dataset, "SIGHTINGS_ROW_GROUP", 4)
    manifest = classifieds.build([data_dir], tmp_path)
    metadata = pq.ParquetFile(tmp_path / "sightings.parquet").metadata
    assert metadata.num_row_groups == -(-manifest.sightings // 4)


@pytest.fixture(scope="module")
def warc_export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An export of a WARC with two captures of the basic page, the later one read first."""
    folder = tmp_path_factory.mktemp("warc")
    basic = page("basic.txt")
    (folder / "in").mkdir()
    write_warc(
        folder / "in" / "crawl.warc.gz",
        [
            {
                "url": "https://x/2",
                "body": html_page(basic.replace("100€", "90€")).encode(),
                "date": "2024-03-02T12:00:00Z",
            },
            {
                "url": "https://x/1",
                "body": html_page(basic).encode(),
                "date": "2024-03-01T11:00:00Z",
            },
            {"url": "https://x/logo.png", "body": b"\x89PNG", "content_type": "image/png"},
        ],
    )
    classifieds.build([folder / "in"], folder / "data")
    return folder / "data"


def test_warc_export_dates_listings(warc_export: Path) -> None:
    listings = classifieds.load(warc_export)
    assert listings["first_seen"].dtype == "datetime64[us, UTC]"
    poussette = listings[listings.title == "Poussette"].iloc[0]
    assert poussette.price_eur == 90.0  # the latest capture's price, though it was read first
    assert poussette.first_seen == pd.Timestamp("2024-03-01T11:00:00Z")
    assert poussette.last_seen == pd.Timestamp("2024-03-02T12:00:00Z")
    assert poussette.first_url == "https://x/1"
    assert poussette.first_source.endswith("crawl.warc.gz#2")  # first in input order
    assert poussette.n_sightings == 2


def test_warc_export_sightings_and_manifest(warc_export: Path) -> None:
    sightings = classifieds.load_sightings(warc_export)
    assert sightings["url"].tolist() == ["https://x/2"] * 3 + ["https://x/1"] * 3
    assert sightings["fetched_at"].iloc[0] == pd.Timestamp("2024-03-02T12:00:00Z")
    manifest = json.loads((warc_export / "manifest.json").read_text(encoding="utf-8"))
    assert (manifest["pages"], manifest["records_skipped"], manifest["rejects"]) == (2, 2, 0)


def test_load_gives_the_same_dated_frame_from_parquet_and_csv(warc_export: Path) -> None:
    from_parquet = classifieds.load(warc_export / "listings.parquet")
    pd.testing.assert_frame_equal(classifieds.load(warc_export / "listings.csv"), from_parquet)
    pd.testing.assert_frame_equal(pd.read_parquet(warc_export / "listings.parquet"), from_parquet)
    csv_text = (warc_export / "listings.csv").read_text(encoding="utf-8")
    assert ",2024-03-01T11:00:00Z,2024-03-02T12:00:00Z,https://x/1\n" in csv_text


def test_dated_exports_are_byte_identical(warc_export: Path, tmp_path: Path) -> None:
    manifest = classifieds.build([warc_export.parent / "in"], tmp_path)
    for name in manifest.outputs:
        assert (tmp_path / name).read_bytes() == (warc_export / name).read_bytes(), name


def test_dated_inputs_give_the_same_bytes_with_worker_processes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Catalogues with dates merge in whatever order workers hand them in."""
    basic = page("basic.txt")
    crawl = tmp_path / "crawl"
    crawl.mkdir()
    for n, day in enumerate([9, 3, 7, 1, 5]):  # each file a capture; dates out of input order
        priced = basic.replace("100€", f"{100 + n}€")
        write_warc(
            crawl / f"{n}.warc.gz",
            [
                {
                    "url": f"https://x/{n}",
                    "body": priced.encode(),
                    "date": f"2024-03-0{day}T12:00:00Z",
                    "content_type": "text/plain",
                }
            ],
        )
    (crawl / "undated.txt").write_text(basic.replace("100€", "99€"), encoding="utf-8")

    monkeypatch.setattr(export, "BATCH_SIZE", 1)
    serial = classifieds.build([crawl], tmp_path / "serial", jobs=1)
    parallel = classifieds.build([crawl], tmp_path / "parallel", jobs=2)
    assert parallel.outputs == serial.outputs
    poussette = classifieds.load(tmp_path / "parallel").set_index("title").loc["Poussette"]
    assert poussette.price_eur == 100.0  # 0.warc.gz, captured on the 9th, the latest
    assert poussette.first_url == "https://x/3"  # captured on the 1st
    assert poussette.first_source.endswith("0.warc.gz#2")
