"""``classifieds rows`` and ``history`` by id prefix, through click's CliRunner."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import DATA, SEEDS, write_warc

import classifieds
from classifieds.analyze.rows import browse, render_rows
from classifieds.cli import cli

NBSP = "\u00a0"


@pytest.fixture(scope="module")
def seed_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("seed") / "data"
    classifieds.build([SEEDS], out)
    return out


@pytest.fixture(scope="module")
def dated_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A JSON Lines crawl: a car seen in January then February (at a new price), a flat."""
    crawl = tmp_path_factory.mktemp("dated")
    car = "Petites Annonces\nAutomobile\nPeugeot 208\nPeugeot 208 Vire (14500) {}€ Découvrir\n"
    flat = "Immobilier\nAppartement T2\nAppartement T2 Caen (14000) 600€ Découvrir\n"
    pages = [
        {"url": "https://x/1", "text": car.format(9500), "fetched_at": "2026-01-30T10:00:00Z"},
        {"url": "https://x/2", "text": car.format(9000) + flat, "fetched_at": "2026-02-03T10:00Z"},
    ]
    (crawl / "crawl.jsonl").write_text(
        "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in pages), encoding="utf-8"
    )
    classifieds.build([crawl / "crawl.jsonl"], crawl / "data")
    return crawl / "data"


def run(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, [*map(str, args)])
    return result.exit_code, result.stdout.replace(NBSP, " "), result.stderr


def test_rows_sorted_and_limited(seed_data: Path) -> None:
    code, stdout, stderr = run(
        "rows",
        seed_data,
        "--columns",
        "title,town,price_eur",
        "--sort",
        "price_eur:desc",
        "--limit",
        "3",
    )
    assert code == 0
    assert stdout.splitlines() == [
        "title                                     town          price_eur",
        "viager en Ardèche                         Villevocance   60 000 €",
        "Toyota Yaris IV Première 2021 en très b…  Lyon           22 900 €",
        "Opel Corsa électrique                     Jullouville    16 200 €",
    ]
    assert stderr == "3 of 12 listings matching; --limit 0 shows them all.\n"


def test_rows_take_the_conditions_of_summary(seed_data: Path) -> None:
    code, stdout, stderr = run(
        "rows",
        seed_data,
        "--where",
        "category=bonnes_affaires",
        "--where",
        "price_eur<100",
        "--columns",
        "title,price_eur",
        "--sort",
        "price_eur",
        "--format",
        "csv",
    )
    assert (code, stderr) == (0, "2 of 2 listings matching.\n")
    assert (
        stdout
        == "title,price_eur\nSiège auto,30.0\nChaise de bureau Seattle – Confort, design & vérin à gaz NEUF,80.0\n".replace(
            "Chaise de bureau Seattle – Confort, design & vérin à gaz NEUF",
            '"Chaise de bureau Seattle – Confort, design & vérin à gaz NEUF"',
        )
    )


def test_rows_default_to_twenty_and_limit_0_shows_all(seed_data: Path) -> None:
    code, stdout, stderr = run("rows", seed_data, "--format", "json", "--limit", "0")
    records = json.loads(stdout)
    assert (code, len(records), stderr) == (0, 12, "12 of 12 listings matching.\n")
    assert list(records[0]) == [
        "listing_id",
        "category",
        "transaction",
        "title",
        "town",
        "postcode",
        "price_eur",
        "first_seen",
        "last_seen",
    ]
    assert records[0]["postcode"] == "07690" and records[0]["first_seen"] is None


def test_rows_of_sightings_with_dates(dated_data: Path) -> None:
    code, stdout, stderr = run(
        "rows",
        dated_data,
        "--table",
        "sightings",
        "--where",
        "fetched_at>=2026-02-01",
        "--format",
        "csv",
    )
    assert (code, stderr) == (0, "2 of 2 sightings matching.\n")
    rows = list(csv.DictReader(io.StringIO(stdout)))
    assert [(r["fetched_at"], r["price_eur"], r["url"]) for r in rows] == [
        ("2026-02-03T10:00:00Z", "9000.0", "https://x/2"),
        ("2026-02-03T10:00:00Z", "600.0", "https://x/2"),
    ]


def test_rows_show_dates_in_utc_in_the_table(dated_data: Path) -> None:
    code, stdout, _ = run(
        "rows", dated_data, "--columns", "title,first_seen,last_seen", "--sort", "first_seen"
    )
    assert code == 0 and stdout.splitlines()[1:] == [
        "Peugeot 208     2026-01-30T10:00:00Z  2026-02-03T10:00:00Z",
        "Appartement T2  2026-02-03T10:00:00Z  2026-02-03T10:00:00Z",
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--columns", "title,prix"], "Error: No column 'prix' to show. Columns: listing_id, "),
        (["--sort", "prix"], "Error: No column 'prix' to sort by. Columns: listing_id, "),
        (["--sort", "price_eur:down"], "write COLUMN, COLUMN:asc or COLUMN:desc"),
        (["--where", "ville=Caen"], "Error: No column 'ville' in 'ville=Caen'. Columns: "),
        (["--where", "first_seen>=2026-02-30"], "'2026-02-30' is not one"),
        (["--table", "sightings", "--columns", "title"], "No column 'title' to show. Columns: "),
        (["--limit", "-1"], "Invalid value for '--limit'"),
        (["--where", "price_eur>=1 000,50"], "write a decimal point, price_eur>=1 000.50."),
    ],
    ids=[
        "column",
        "sort-column",
        "sort-direction",
        "where",
        "date",
        "sightings",
        "limit",
        "decimal-comma",
    ],
)
def test_usage_errors_are_one_line_exit_2(seed_data: Path, args: list[str], message: str) -> None:
    code, stdout, stderr = run("rows", seed_data, *args)
    assert (code, stdout) == (2, "") and message in stderr
    if "No column" in message:
        assert (stderr.count("\n") == 1 and "first_seen" in stderr) or "fetched_at" in stderr


@pytest.mark.parametrize(
    ("condition", "town"),
    [
        ("town=Saint-Se\u0301bastien-sur-Loire", "Saint-Sébastien-sur-Loire"),
        ("department=Arde\u0300che", "Villevocance"),
        ("town=SAINT-SÉBASTIEN-SUR-LOIRE", "Saint-Sébastien-sur-Loire"),
    ],
    ids=["decomposed-accent", "decomposed-department", "capitals"],
)
def test_an_accent_matches_however_it_is_typed(seed_data: Path, condition: str, town: str) -> None:
    """A macOS terminal or a copied file name gives "é" as "e" and a combining accent."""
    code, stdout, _ = run("rows", seed_data, "--where", condition, "--columns", "town")
    assert (code, stdout) == (0, f"town\n{town}\n")
    code, stdout, _ = run("summary", seed_data, "--where", condition, "--format", "csv")
    assert code == 0 and [row["ads"] for row in csv.DictReader(io.StringIO(stdout))] == ["1"]


@pytest.mark.parametrize(
    "condition", ["postcode=7690", "department_code=7", "insee_code=7342", "postcode=7690,1"]
)
def test_a_code_read_as_a_number_keeps_its_leading_zero(seed_data: Path, condition: str) -> None:
    """A spreadsheet that opened listings.csv by a double click shows 07690 as 7690."""
    code, stdout, _ = run("rows", seed_data, "--where", condition, "--columns", "town")
    assert (code, stdout) == (0, "town\nVillevocance\n")


def test_rows_matching_nothing_say_so(seed_data: Path) -> None:
    assert run("rows", seed_data, "--where", "town=Nowhere") == (
        0,
        "",
        f"No listing matches town=Nowhere in {seed_data}.\n",
    )
    assert run("rows", seed_data, "--where", "town=Nowhere", "--format", "csv")[1] == (
        "listing_id,category,transaction,title,town,postcode,price_eur,first_seen,last_seen\n"
    )


def test_rows_without_a_dataset_say_to_export(tmp_path: Path) -> None:
    code, stdout, stderr = run("rows", tmp_path / "data")
    assert (code, stdout) == (2, "") and "classifieds export" in stderr


@pytest.mark.parametrize(
    ("text", "csv_cell", "table_cell"),
    [
        ('=HYPERLINK("x")', '"\'=HYPERLINK(""x"")"', '=HYPERLINK("x")'),
        ("-50% sur tout", "'-50% sur tout", "-50% sur tout"),
        ("\x1b[31mred", "\x1b[31mred", "\N{REPLACEMENT CHARACTER}[31mred"),
    ],
    ids=["formula", "minus", "ansi-escape"],
)
def test_hostile_text_is_harmless_in_csv_and_table(
    text: str, csv_cell: str, table_cell: str
) -> None:
    rows = browse(pd.DataFrame({"title": [text], "price_eur": [1.0]}), columns=["title"]).rows
    assert render_rows(rows, "csv").splitlines()[1] == csv_cell
    assert render_rows(rows, "table").splitlines()[1] == table_cell
    assert json.loads(render_rows(rows, "json")) == [{"title": text}]


@pytest.fixture(scope="module")
def escaped_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A page crawled at a URL holding an ANSI escape sequence (clear screen, red), as a WARC
    archive keeps it (JSON Lines drop control characters from their strings)."""
    crawl = tmp_path_factory.mktemp("escaped")
    text = "Petites Annonces\nBonnes affaires\nVélo\nVélo Caen (14000) 40€ Découvrir\n"
    page = {"url": "https://x/\x1b[2J\x1b[31m", "body": text.encode(), "date": "2026-02-03"}
    write_warc(crawl / "crawl.warc.gz", [{**page, "content_type": "text/plain; charset=utf-8"}])
    classifieds.build([crawl / "crawl.warc.gz"], crawl / "data")
    return crawl / "data"


def test_csv_keeps_the_text_whole_through_a_pipe(escaped_data: Path) -> None:
    """click strips ANSI sequences from what it prints to a pipe: not from data."""
    args = ["--format", "csv", "--columns", "url"]
    code, stdout, _ = run("rows", escaped_data, "--table", "sightings", *args)
    assert (code, stdout) == (0, "url\nhttps://x/\x1b[2J\x1b[31m\n")
    listing = str(classifieds.load(escaped_data).listing_id.iloc[0])
    code, stdout, _ = run("history", listing, escaped_data, "--format", "csv")
    assert stdout.splitlines()[1].split(",")[2] == "https://x/\x1b[2J\x1b[31m"
    code, stdout, _ = run("summary", escaped_data, "--by", "first_url", "--format", "csv")
    assert stdout.splitlines()[1].startswith("https://x/\x1b[2J\x1b[31m,")


def test_a_summary_table_shows_control_characters_harmlessly(escaped_data: Path) -> None:
    result = CliRunner().invoke(
        cli, ["summary", str(escaped_data), "--by", "first_url"], color=True
    )
    assert result.exit_code == 0 and "\x1b" not in result.stdout
    assert "https://x/\N{REPLACEMENT CHARACTER}[2J\N{REPLACEMENT CHARACTER}[31m" in result.stdout


def test_a_dataset_file_piped_into_dash(seed_data: Path) -> None:
    """``-`` is standard input, as for export: a listings CSV or Parquet, a sightings file."""
    runner = CliRunner()
    whole = runner.invoke(cli, ["rows", str(seed_data), "--limit", "0"]).stdout
    for name in ("listings.csv", "listings.parquet"):
        piped = runner.invoke(
            cli, ["rows", "-", "--limit", "0"], input=(seed_data / name).read_bytes()
        )
        assert (piped.exit_code, piped.stdout) == (0, whole)
    sightings = (seed_data / "sightings.parquet").read_bytes()
    history = runner.invoke(cli, ["history", "1007d8", "-"], input=sightings)
    assert history.exit_code == 0
    assert history.stdout == runner.invoke(cli, ["history", "1007d8", str(seed_data)]).stdout
    csv_in = (seed_data / "listings.csv").read_bytes()
    summary = runner.invoke(cli, ["summary", "-"], input=csv_in)
    assert summary.stdout == runner.invoke(cli, ["summary", str(seed_data)]).stdout


def test_nothing_piped_into_dash_says_what_to_pipe() -> None:
    result = CliRunner().invoke(cli, ["rows", "-"], input=b"")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        "Error: - reads standard input, which is empty. Pipe a dataset file into it:"
        " cat data/listings.csv | classifieds rows -\n"
    )


def test_a_huge_output_formats_each_distinct_value_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """240,000 rows took 12 s as a table and 17 s as JSON, formatted cell by cell; 4 s now."""
    import classifieds.analyze.rows as rows_module

    calls: list[float] = []
    real = rows_module.format_eur
    monkeypatch.setattr(rows_module, "format_eur", lambda x: calls.append(x) or real(x))
    frame = pd.DataFrame({"price_eur": [9500.0, 120.0, None, 9500.0] * 5000, "n": range(20000)})
    table = render_rows(frame, "table").replace(NBSP, " ").splitlines()
    assert sorted(calls) == [120.0, 9500.0]
    assert table[:4] == [
        "price_eur      n",
        "  9 500 €      0",
        "    120 €      1",
        "        —      2",
    ]


def test_values_that_compare_equal_keep_their_own_types() -> None:
    frame = pd.DataFrame({"value": pd.Series([True, 1, 1.0, "1", None], dtype=object)})
    assert json.loads(render_rows(frame, "json")) == [
        {"value": True},
        {"value": 1},
        {"value": 1.0},
        {"value": "1"},
        {"value": None},
    ]
    assert render_rows(frame, "csv").splitlines() == ["value", "True", "1", "1.0", "1", '""']
    assert render_rows(frame, "table").splitlines() == ["value", "True", "1", "1", "1", "—"]


# --- history by prefix --------------------------------------------------------------------------


def test_history_takes_a_unique_prefix(seed_data: Path) -> None:
    full = run("history", "1007d86089d41720", seed_data)
    assert full[0] == 0 and run("history", "1007d8", seed_data) == full


@pytest.mark.parametrize(
    ("prefix", "message"),
    [
        ("1007d", "'1007d' is too short: give 6 characters or more of a listing_id"),
        ("", "'' is too short"),
        ("ffffff", "No listing ffffff in"),
    ],
    ids=["five", "empty", "unknown"],
)
def test_history_prefix_errors_exit_2(seed_data: Path, prefix: str, message: str) -> None:
    code, stdout, stderr = run("history", prefix, seed_data)
    assert (code, stdout) == (2, "") and message in stderr
    assert len(stderr.splitlines()) == 1 and "Usage:" not in stderr  # one line, as rows says


def test_history_takes_an_id_in_capitals(seed_data: Path) -> None:
    full = run("history", "1007d86089d41720", seed_data)
    assert run("history", "1007D86089D41720", seed_data) == full
    assert run("history", "1007D8", seed_data) == full


def test_history_of_an_empty_dataset_says_it_has_no_sightings(tmp_path: Path) -> None:
    classifieds.build([DATA / "no_widget.txt"], tmp_path / "data")
    code, stdout, stderr = run("history", "1007d86089d41720", tmp_path / "data")
    assert (code, stdout) == (2, "")
    assert stderr == (
        f"Error: {tmp_path / 'data'} holds no sightings: its export found no ad, so no listing"
        " has a history. Export pages with a Petites Annonces widget into it.\n"
    )


def test_history_of_the_listings_csv_says_it_needs_the_sightings(seed_data: Path) -> None:
    code, stdout, stderr = run("history", "1007d8", seed_data / "listings.csv")
    assert (code, stdout) == (2, "")
    assert stderr == (
        f"Error: {seed_data / 'listings.csv'} holds the listings, not their sightings, which only"
        " sightings.parquet has. Pass the export folder or its sightings.parquet.\n"
    )


def test_an_ambiguous_prefix_lists_the_matches(tmp_path: Path) -> None:
    sightings = pd.DataFrame(
        {
            "listing_id": ["abcdef0000000001", "abcdef0000000002", "abcdef0000000001"],
            "source": "p.txt",
            "line": [1, 2, 3],
            "position": [1, 2, 3],
            "section": None,
            "price_eur": [1.0, 2.0, 3.0],
            "url": None,
            "fetched_at": pd.NaT,
        }
    )
    from classifieds.errors import QueryError
    from classifieds.store.timeline import find_listing

    with pytest.raises(QueryError) as raised:
        find_listing(sightings, "abcdef")
    assert str(raised.value) == (
        "abcdef starts 2 listing ids: abcdef0000000001, abcdef0000000002. Give more characters."
    )
    assert find_listing(sightings, "abcdef0000000002") == "abcdef0000000002"


def test_a_column_named_twice_is_shown_once(seed_data: Path) -> None:
    code, stdout, _ = run("rows", seed_data, "--columns", "postcode,postcode", "--limit", "1")
    assert (code, stdout) == (0, "postcode\n07690\n")


def test_text_sorts_as_a_french_reader_expects(tmp_path: Path) -> None:
    ads = "".join(
        f"Vélo {n}\nVélo {n} {town} ({postcode}) {n}0€ Découvrir\n"
        for n, (town, postcode) in enumerate(
            [("Vire", "14500"), ("Évreux", "27000"), ("Bayeux", "14400"), ("Épaignes", "27260")],
            start=1,
        )
    )
    (tmp_path / "page.txt").write_text(
        "Petites Annonces\nBonnes affaires\n" + ads, encoding="utf-8"
    )
    classifieds.build([tmp_path / "page.txt"], tmp_path / "data")
    result = CliRunner().invoke(
        cli,
        ["rows", str(tmp_path / "data"), "--sort", "town", "--columns", "town", "--format", "csv"],
    )
    assert result.stdout.split() == ["town", "Bayeux", "Épaignes", "Évreux", "Vire"]
    by_town = CliRunner().invoke(
        cli, ["summary", str(tmp_path / "data"), "--by", "town", "--format", "csv"]
    )
    assert [line.split(",")[0] for line in by_town.stdout.split()[1:]] == [
        "Bayeux",
        "Épaignes",
        "Évreux",
        "Vire",
    ]
