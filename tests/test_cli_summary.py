"""``classifieds summary`` through click's CliRunner: each format, exit codes, stdout and stderr apart."""

from __future__ import annotations

import csv
import errno
import io
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import SEEDS
from PIL import Image

import classifieds
from classifieds.cli import cli

NBSP = "\u00a0"
SEED_TABLE = """\
category         transaction  property_type  vehicle_type  ads  with price       min      p25    median      mean    p75       max  with m²  per m²  per m² land
bonnes_affaires  —            —              —               4           4      30 €  67,50 €      90 €     503 €  525 €   1 800 €        —       —            —
automobile       —            —              voiture         3           2  16 200 €        —  19 550 €  19 550 €      —  22 900 €        —       —            —
immobilier       location     maison         —               2           2     605 €        —     778 €     778 €      —     950 €        1  6,51 €            —
automobile       —            —              piece           1           1     150 €        —     150 €     150 €      —     150 €        —       —            —
immobilier       location     chambre        —               1           1     390 €        —     390 €     390 €      —     390 €        0       —            —
immobilier       viager       —              —               1           1  60 000 €        —  60 000 €  60 000 €      —  60 000 €        0       —            —
"""


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(scope="module")
def seed_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("seed") / "data"
    classifieds.build([SEEDS], out)
    return out


@pytest.fixture(scope="module")
def crawl_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two pages showing the same flat (one listing, two sightings), a car at 0€ and a sale."""
    crawl = tmp_path_factory.mktemp("crawl")
    widget = (
        "Petites Annonces\nImmobilier\nAppartement T3\nAppartement T3 Caen (14000) 650€ Découvrir\n"
    )
    (crawl / "a.txt").write_text(
        widget + "Maison à vendre\nMaison à vendre Bayeux (14400) 185 000€ Découvrir\n"
        "Automobile\nPeugeot 208\nPeugeot 208 Vire (14500) 0€ Découvrir\n",
        encoding="utf-8",
    )
    (crawl / "b.txt").write_text(widget, encoding="utf-8")
    out = crawl / "data"
    classifieds.build([crawl / "a.txt", crawl / "b.txt"], out)
    return out


def summary(runner: CliRunner, *args: str | Path) -> tuple[int, str, str]:
    result = runner.invoke(cli, ["summary", *map(str, args)])
    return result.exit_code, result.stdout.replace(NBSP, " "), result.stderr


def test_table_on_the_seeds(runner: CliRunner, seed_data: Path) -> None:
    assert summary(runner, seed_data) == (0, SEED_TABLE, "")


@pytest.mark.parametrize(
    "name", ["", "listings.parquet", "listings.csv"], ids=["folder", "parquet", "csv"]
)
def test_dataset_is_the_folder_or_either_file(
    runner: CliRunner, seed_data: Path, name: str
) -> None:
    assert summary(runner, seed_data / name) == (0, SEED_TABLE, "")


def test_a_folder_holding_the_csv_alone_is_read_through_it(
    runner: CliRunner, seed_data: Path, tmp_path: Path
) -> None:
    """A dataset sent as its CSV: the folder is the dataset, as when the Parquet is there."""
    (tmp_path / "listings.csv").write_bytes((seed_data / "listings.csv").read_bytes())
    assert summary(runner, tmp_path) == (0, SEED_TABLE, "")
    rows = runner.invoke(cli, ["rows", str(tmp_path), "--limit", "0", "--format", "csv"])
    whole = runner.invoke(cli, ["rows", str(seed_data), "--limit", "0", "--format", "csv"])
    assert rows.exit_code == 0 and rows.stdout == whole.stdout
    pd.testing.assert_frame_equal(classifieds.load(tmp_path), classifieds.load(seed_data))


def test_dataset_defaults_to_data(
    runner: CliRunner, seed_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(seed_data.parent)
    assert summary(runner)[:2] == (0, SEED_TABLE)


def test_csv_has_plain_numbers(runner: CliRunner, seed_data: Path) -> None:
    code, stdout, stderr = summary(runner, seed_data, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(stdout)))
    assert code == 0 and stderr == ""
    assert rows[1] == {
        "category": "automobile",
        "transaction": "",
        "property_type": "",
        "vehicle_type": "voiture",
        "ads": "3",
        "with_price": "2",
        "min": "16200.0",
        "p25": "",
        "median": "19550.0",
        "mean": "19550.0",
        "p75": "",
        "max": "22900.0",
        "with_area": "",
        "price_per_m2": "",
        "price_per_m2_land": "",
    }


def test_json_is_a_list_of_groups(runner: CliRunner, seed_data: Path) -> None:
    code, stdout, stderr = summary(runner, seed_data, "--format", "json", "--by", "transaction")
    groups = json.loads(stdout)
    assert code == 0 and stderr == ""
    # Grouped by transaction alone, categories and kinds are still apart: cars never pool with
    # goods, nor tyres with cars, nor a room with houses.
    keys = ("transaction", "category", "property_type", "vehicle_type", "ads", "median")
    assert [tuple(g[key] for key in keys) for g in groups] == [
        (None, "bonnes_affaires", None, None, 4, 90.0),
        (None, "automobile", None, "voiture", 3, 19550.0),
        ("location", "immobilier", "maison", None, 2, 777.5),
        ("location", "immobilier", "chambre", None, 1, 390.0),
        ("viager", "immobilier", None, None, 1, 60000.0),
        (None, "automobile", None, "piece", 1, 150.0),
    ]


def test_markdown_is_a_pipe_table(runner: CliRunner, seed_data: Path) -> None:
    code, stdout, _ = summary(runner, seed_data, "--format", "markdown", "--top", "1")
    assert code == 0
    assert stdout.splitlines() == [
        "| category | transaction | property_type | vehicle_type | ads | with price | min | p25"
        " | median | mean | p75 | max | with m² | per m² | per m² land |",
        "| --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
        "| ---: |",
        "| bonnes_affaires | — | — | — | 4 | 4 | 30 € | 67,50 € | 90 € | 503 € | 525 € | 1 800 € | —"
        " | — | — |",
    ]


def test_an_ad_on_two_pages_counts_once_and_0_euro_is_no_price(
    runner: CliRunner, crawl_data: Path
) -> None:
    code, stdout, _ = summary(runner, crawl_data, "--format", "json")
    assert code == 0
    assert [
        (g["category"], g["transaction"], g["ads"], g["with_price"], g["median"])
        for g in json.loads(stdout)
    ] == [
        ("automobile", None, 1, 0, None),
        ("immobilier", "location", 1, 1, 650.0),
        ("immobilier", "vente", 1, 1, 185000.0),
    ]


def test_where_and_by(runner: CliRunner, seed_data: Path) -> None:
    code, stdout, _ = summary(
        runner,
        seed_data,
        "--by",
        "town",
        "--where",
        "category=bonnes_affaires",
        "--where",
        "price_eur>=50",
    )
    assert code == 0
    assert [line.split()[0] for line in stdout.splitlines()] == [
        "town",
        "Châteauneuf-sur-Loire",
        "Le",
        "Plérin",
    ]
    assert stdout.splitlines()[1].split()[1:4] == ["bonnes_affaires", "1", "1"]  # no 30 € seat


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--where", "department"], "Cannot read the condition 'department'"),
        (["--where", "prix<100"], "No column 'prix'"),
        (["--by", "category,ville"], "No column 'ville' to group by"),
        (["--top", "0"], "Invalid value for '--top'"),
        (["--format", "xlsx"], "Invalid value for '--format'"),
        (["--plot", "chart.jpg"], "end its name in .png"),
    ],
    ids=[
        "bad-where",
        "unknown-where-column",
        "unknown-by-column",
        "top-0",
        "format",
        "plot-not-png",
    ],
)
def test_usage_errors_exit_2(
    runner: CliRunner, seed_data: Path, args: list[str], message: str
) -> None:
    code, stdout, stderr = summary(runner, seed_data, *args)
    assert code == 2 and stdout == "" and message in stderr


def test_missing_dataset_is_one_line_saying_to_export_first(
    runner: CliRunner, tmp_path: Path
) -> None:
    code, stdout, stderr = summary(runner, tmp_path / "data")
    assert code == 2 and stdout == ""
    assert (
        stderr
        == f"Error: No dataset at {tmp_path / 'data'}. Run `classifieds export` first, or pass its folder.\n"
    )


@pytest.mark.parametrize(
    ("output_format", "expected"), [("table", ""), ("markdown", ""), ("json", "[]\n")]
)
def test_a_filter_matching_nothing_says_so_and_exits_0(
    runner: CliRunner, seed_data: Path, output_format: str, expected: str
) -> None:
    code, stdout, stderr = summary(
        runner, seed_data, "--where", "department=99", "--format", output_format
    )
    assert (code, stdout) == (0, expected)
    assert stderr == f"No listing matches department=99 in {seed_data}: nothing to summarize.\n"


def test_csv_of_nothing_is_its_header(runner: CliRunner, seed_data: Path) -> None:
    code, stdout, _ = summary(runner, seed_data, "--where", "town=Nowhere", "--format", "csv")
    assert (code, stdout) == (
        0,
        "category,ads,with_price,min,p25,median,mean,p75,max,price_per_m2\n",
    )


def test_an_empty_dataset_says_so_and_exits_0(
    runner: CliRunner, tmp_path: Path, data_dir: Path
) -> None:
    classifieds.build([data_dir / "no_widget.txt"], tmp_path / "data")
    code, stdout, stderr = summary(runner, tmp_path / "data", "--plot", tmp_path / "prices.png")
    assert (code, stdout) == (0, "")
    assert stderr.startswith("No listings in ") and not (tmp_path / "prices.png").exists()


def test_plot_writes_a_png_and_says_so_on_stderr(
    runner: CliRunner, seed_data: Path, tmp_path: Path
) -> None:
    chart = tmp_path / "prices.png"
    code, stdout, stderr = summary(runner, seed_data, "--plot", chart, "--plot-kind", "bar")
    assert (code, stdout) == (0, SEED_TABLE)
    assert stderr == f"Chart of 6 groups with a price written to {chart}\n"
    with Image.open(chart) as image:
        # 3 panels: other categories (3 groups), rents (2), viager (1)
        assert image.format == "PNG" and image.size == (1000, 600)


@pytest.mark.parametrize(
    ("where", "fix"),
    [
        (
            "nope/prices.png",
            "the folder {tmp}/nope does not exist. Create it (mkdir -p {tmp}/nope)",
        ),
        ("a.txt/prices.png", "{tmp}/a.txt is a file, not a folder. Choose another path"),
        ("charts.png", "it is a folder. Give --plot a file name in it, e.g. --plot {tmp}/charts"),
        ("charts", "it is a folder. Give --plot a file name in it"),
        ("locked/prices.png", "{tmp}/locked does not take new files (Permission denied). Choose"),
    ],
    ids=["missing-folder", "folder-is-a-file", "png-folder", "folder", "read-only"],
)
def test_an_unwritable_plot_fails_in_one_line_before_any_work(
    runner: CliRunner,
    seed_data: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    where: str,
    fix: str,
) -> None:
    (tmp_path / "a.txt").write_text("a file\n")
    (tmp_path / "charts.png").mkdir()
    (tmp_path / "charts").mkdir()
    (tmp_path / "locked").mkdir(mode=0o555)  # root may write in it: refuse it as the OS would
    real = tempfile.mkstemp

    def mkstemp(*args: Any, dir: str | Path, **kwargs: Any) -> tuple[int, str]:
        if Path(dir).name == "locked":
            raise PermissionError(errno.EACCES, "Permission denied")
        return real(*args, dir=dir, **kwargs)

    monkeypatch.setattr(tempfile, "mkstemp", mkstemp)
    before = sorted(tmp_path.rglob("*"))
    code, stdout, stderr = summary(runner, seed_data, "--plot", tmp_path / where)
    assert (code, stdout) == (1, "")  # the table is not printed: the run could not complete
    assert stderr.startswith(f"Error: Cannot write the chart {tmp_path / where}: ")
    assert fix.format(tmp=tmp_path) in stderr and len(stderr.splitlines()) == 1
    assert sorted(tmp_path.rglob("*")) == before  # nothing written, nothing left


def test_a_chart_that_fails_to_write_leaves_the_old_one_and_no_scrap(
    runner: CliRunner, seed_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from matplotlib.figure import Figure

    chart = tmp_path / "prices.png"
    chart.write_bytes(b"the chart of yesterday")

    def savefig(self: Figure, fname: Path, **kwargs: Any) -> None:
        Path(fname).write_bytes(b"\x89PNG half")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Figure, "savefig", savefig)
    code, _, stderr = summary(runner, seed_data, "--plot", chart)
    assert code == 1 and "No space left on device" in stderr
    assert chart.read_bytes() == b"the chart of yesterday"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["prices.png"]


def test_the_command_line_starts_without_pandas_or_matplotlib() -> None:
    check = "import sys, classifieds.cli; sys.exit(sorted({'pandas', 'matplotlib'} & set(sys.modules)) or None)"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)}
    assert subprocess.run([sys.executable, "-c", check], env=env, check=False).returncode == 0


@pytest.mark.parametrize(
    ("name", "text"), [("notes.parquet", "not parquet"), ("other.csv", "a,b\n1,2\n")]
)
def test_a_file_that_is_not_a_dataset_is_a_usage_error(
    runner: CliRunner, tmp_path: Path, name: str, text: str
) -> None:
    (tmp_path / name).write_text(text)
    code, stdout, stderr = summary(runner, tmp_path / name)
    assert (
        code == 2
        and stdout == ""
        and stderr.startswith(f"Error: Cannot read {tmp_path / name} as listings")
    )


def test_the_command_line_offers_every_format() -> None:
    from classifieds.analyze.report import FORMATS
    from classifieds.cli import SUMMARY_FORMATS

    assert SUMMARY_FORMATS == FORMATS


@pytest.fixture(scope="module")
def dated_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A JSON Lines crawl: the same car seen in January and February, a flat in February."""
    crawl = tmp_path_factory.mktemp("dated")
    car = "Petites Annonces\nAutomobile\nPeugeot 208\nPeugeot 208 Vire (14500) 9 500€ Découvrir\n"
    flat = "Immobilier\nAppartement T2\nAppartement T2 Caen (14000) 600€ Découvrir\n"
    pages = [
        {"url": "https://x/1", "text": car, "fetched_at": "2026-01-30T10:00:00Z"},
        {"url": "https://x/2", "text": car + flat, "fetched_at": "2026-02-03T10:00:00Z"},
    ]
    (crawl / "crawl.jsonl").write_text(
        "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in pages), encoding="utf-8"
    )
    (crawl / "undated.txt").write_text(
        "Petites Annonces\nBonnes affaires\nVélo enfant\nVélo enfant Caen (14000) 40€ Découvrir\n",
        encoding="utf-8",
    )
    out = crawl / "data"
    classifieds.build([crawl / "crawl.jsonl", crawl / "undated.txt"], out)
    return out


def test_by_month_in_time_order_undated_last(runner: CliRunner, dated_data: Path) -> None:
    code, stdout, stderr = summary(
        runner, dated_data, "--by", "first_seen:month", "--format", "csv"
    )
    assert (code, stderr) == (0, "")
    keys = ["first_seen:month", "category", "transaction", "ads"]
    assert [[row[key] for key in keys] for row in csv.DictReader(io.StringIO(stdout))] == [
        ["2026-01", "automobile", "", "1"],
        ["2026-02", "immobilier", "location", "1"],
        ["", "bonnes_affaires", "", "1"],
    ]


@pytest.mark.parametrize(
    ("condition", "categories"),
    [
        ("first_seen>=2026-02-01", ["immobilier"]),
        ("last_seen>=2026-02-01", ["automobile", "immobilier"]),
        ("last_seen<2026-02-03T10:00", []),
        ("first_seen<2026-02-01T00:00Z", ["automobile"]),
    ],
)
def test_where_on_dates(
    runner: CliRunner, dated_data: Path, condition: str, categories: list[str]
) -> None:
    code, stdout, _ = summary(runner, dated_data, "--where", condition, "--format", "json")
    assert code == 0 and [g["category"] for g in json.loads(stdout)] == categories


@pytest.mark.parametrize(
    ("option", "value", "error"),
    [
        (
            "--where",
            "first_seen>=2026-02-30",
            "Error: first_seen>=2026-02-30: first_seen holds dates, and '2026-02-30' is not"
            " one. Write a date or a datetime in UTC: 2026-02-01 or 2026-02-01T12:00, or a"
            " month, week or year as summaries print them: 2026-02, 2026-W05, 2026.",
        ),
        ("--where", "nosuch=3", "Error: No column 'nosuch' in 'nosuch=3'. Columns: listing_id,"),
        ("--where", "price_eur>>3", "Error: price_eur>>3: price_eur holds numbers, and '>3' is"),
        ("--by", "nosuch", "Error: No column 'nosuch' to group by. Columns: listing_id,"),
    ],
)
def test_a_bad_question_is_a_one_line_usage_error(
    runner: CliRunner, dated_data: Path, option: str, value: str, error: str
) -> None:
    code, stdout, stderr = summary(runner, dated_data, option, value)
    assert (code, stdout) == (2, "")
    (line,) = stderr.splitlines()
    assert line.startswith(error)


def test_plot_of_a_bucketed_summary_is_lines_over_time(
    runner: CliRunner, dated_data: Path, tmp_path: Path
) -> None:
    chart = tmp_path / "months.png"
    code, _, stderr = summary(runner, dated_data, "--by", "first_seen:month", "--plot", chart)
    assert (code, stderr) == (0, f"Chart of 2 lines of medians over time written to {chart}\n")
    with Image.open(chart) as image:
        assert (
            image.text["Title"]
            == "Median asking price by first_seen:month · category · transaction · type"
        )


def test_plot_over_time_of_undated_ads_is_not_written(
    runner: CliRunner, seed_data: Path, tmp_path: Path
) -> None:
    chart = tmp_path / "months.png"
    code, stdout, stderr = summary(runner, seed_data, "--by", "first_seen:month", "--plot", chart)
    assert (code, stderr) == (0, f"No dated price: {chart} not written.\n")
    assert stdout.splitlines()[1].startswith("—") and not chart.exists()


@pytest.fixture(scope="module")
def formula_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Scraped titles that a spreadsheet would run as formulas, on a dated page."""
    crawl = tmp_path_factory.mktemp("formulas")
    text = (
        "Petites Annonces\nBonnes affaires\n"
        '=HYPERLINK("http://x.y","clic")\n=HYPERLINK("http://x.y","clic") Caen (14000) 40€ Découvrir\n'
        "@SUM(1+1)\n@SUM(1+1) Caen (14000) 50€ Découvrir\n"
        "Vélo\nVélo Caen (14000) 60€ Découvrir\n"
    )
    page = {"url": "https://x/1", "text": text, "fetched_at": "2026-02-03T10:00:00Z"}
    (crawl / "crawl.jsonl").write_text(json.dumps(page) + "\n", encoding="utf-8")
    out = crawl / "data"
    classifieds.build([crawl / "crawl.jsonl"], out)
    return out


def test_csv_keys_that_a_spreadsheet_would_run_start_with_an_apostrophe(
    runner: CliRunner, formula_data: Path
) -> None:
    code, stdout, _ = summary(runner, formula_data, "--by", "title", "--format", "csv")
    titles = [row["title"] for row in csv.DictReader(io.StringIO(stdout))]
    assert code == 0
    assert sorted(titles) == ['\'=HYPERLINK("http://x.y","clic")', "'@SUM(1+1)", "Vélo"]
    # JSON is for programs, not spreadsheets: the text as scraped.
    groups = json.loads(summary(runner, formula_data, "--by", "title", "--format", "json")[1])
    assert "@SUM(1+1)" in [group["title"] for group in groups]


@pytest.mark.parametrize("output_format", ["table", "csv", "json", "markdown"])
def test_a_date_key_is_iso_8601_utc_in_every_format(
    runner: CliRunner, formula_data: Path, output_format: str
) -> None:
    code, stdout, stderr = summary(
        runner, formula_data, "--by", "first_seen", "--format", output_format
    )
    assert (code, stderr) == (0, "")
    assert "2026-02-03T10:00:00Z" in stdout and "+00:00" not in stdout


def test_a_whole_number_key_stays_whole_in_csv(runner: CliRunner, dated_data: Path) -> None:
    code, stdout, _ = summary(runner, dated_data, "--by", "rooms", "--format", "csv")
    assert code == 0 and sorted(row["rooms"] for row in csv.DictReader(io.StringIO(stdout))) == [
        "",
        "",
        "2",
    ]
