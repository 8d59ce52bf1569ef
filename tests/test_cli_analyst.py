"""What an analyst meets asking ``summary`` about prices over time, by town and per m²."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import classifieds
from classifieds.cli import cli

CAR = "Petites Annonces\nAutomobile\nPeugeot 208\nPeugeot 208 Vire (14500) {price}€ Découvrir\n"
FLAT = "Immobilier\nAppartement T2\nAppartement T2 Caen (14000) {price}€ Découvrir\n"


@pytest.fixture(scope="module")
def monthly(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A car seen every month from January to April, a flat in January only."""
    crawl = tmp_path_factory.mktemp("monthly")
    pages = [
        {
            "url": f"https://x/{month}",
            "text": CAR.format(price=9500 - 100 * month)
            + (FLAT.format(price=600) if month == 1 else ""),
            "fetched_at": f"2026-0{month}-03T10:00:00Z",
        }
        for month in (1, 2, 3, 4)
    ]
    (crawl / "crawl.jsonl").write_text(
        "".join(json.dumps(page, ensure_ascii=False) + "\n" for page in pages), encoding="utf-8"
    )
    out = crawl / "data"
    classifieds.build([crawl / "crawl.jsonl"], out)
    return out


def rows_of(stdout: str, *keys: str) -> list[list[str]]:
    return [[row[key] for key in keys] for row in csv.DictReader(io.StringIO(stdout))]


def test_top_over_time_keeps_whole_series(monthly: Path) -> None:
    result = CliRunner().invoke(
        cli, ["summary", str(monthly), "--by", "fetched_at:month", "--top", "1", "--format", "csv"]
    )
    assert (result.exit_code, result.stderr) == (0, "")
    # The largest series is the car, seen in 4 months: all of them, not January alone.
    assert rows_of(result.stdout, "fetched_at:month", "category", "median") == [
        ["2026-01", "automobile", "9400.0"],
        ["2026-02", "automobile", "9300.0"],
        ["2026-03", "automobile", "9200.0"],
        ["2026-04", "automobile", "9100.0"],
    ]


def test_rows_help_names_the_default_columns_as_they_are_typed() -> None:
    """It said "id, category, title, town, price, dates": `--columns id` is no column."""
    from classifieds.analyze.rows import DEFAULT_COLUMNS

    result = CliRunner().invoke(cli, ["rows", "--help"], terminal_width=400)
    assert result.exit_code == 0
    for table, columns in DEFAULT_COLUMNS.items():
        assert ", ".join(columns) in result.stdout, table


def test_types_come_after_category_and_transaction_named_together(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """`--by category,transaction` printed `category,property_type,vehicle_type,transaction`."""
    from conftest import SEEDS

    out = tmp_path_factory.mktemp("seeds") / "data"
    classifieds.build([SEEDS], out)
    result = CliRunner().invoke(
        cli, ["summary", str(out), "--by", "category,transaction", "--format", "csv"]
    )
    assert (result.exit_code, result.stderr) == (0, "")
    header = result.stdout.splitlines()[0]
    assert header.startswith("category,transaction,property_type,vehicle_type,ads,")


def test_a_chart_without_outliers_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`--drop-outliers --plot` drew a chart that nothing told from one of every price."""
    from classifieds.analyze import charts

    page = "Petites Annonces\nAutomobile\n" + "".join(
        f"Peugeot 208 n{i}\nPeugeot 208 n{i} Vire (14500) {price}€ Découvrir\n"
        for i, price in enumerate([9000, 9500, 1])
    )
    (tmp_path / "a.txt").write_text(page, encoding="utf-8")
    classifieds.build([tmp_path / "a.txt"], tmp_path / "data")
    notes: list[str | None] = []
    drawn = charts.plot_prices

    def plot_prices(*args: Any, note: str | None = None, **options: Any) -> list[str]:
        notes.append(note)
        return drawn(*args, note=note, **options)

    monkeypatch.setattr(charts, "plot_prices", plot_prices)
    chart = str(tmp_path / "cars.png")
    for extra in ([], ["--where", "make=Peugeot"]):
        args = ["summary", str(tmp_path / "data"), "--drop-outliers", "--plot", chart, *extra]
        assert CliRunner().invoke(cli, args).exit_code == 0
    assert notes == [
        "Implausible prices (price_outlier) left out.",
        "Ads where make=Peugeot. Implausible prices (price_outlier) left out.",
    ]
