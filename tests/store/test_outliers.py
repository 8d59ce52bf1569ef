"""``price_outlier``: the rule on tables of listings, then through an export, --append and summary."""

from __future__ import annotations

import io
import random
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner

import classifieds
from classifieds.cli import cli
from classifieds.store.outliers import MIN_GROUP, price_outliers

RENT = {"category": "immobilier", "transaction": "location"}
SALE = {"category": "immobilier", "transaction": "vente"}
CAR = {"category": "automobile", "vehicle_type": "voiture"}


def ads(group: dict[str, Any], *prices: float | None, **extra: Any) -> list[dict[str, Any]]:
    return [{**group, **extra, "price_eur": price} for price in prices]


FLATS = (450.0, 520.0, 600.0, 610.0, 650.0, 700.0, 720.0, 800.0)
CASES = [
    pytest.param(ads(RENT, 450.0, 45_000.0), [False, True], id="45000-monthly-rent"),
    pytest.param(
        ads(SALE, 300.0, 185_000.0, property_type="maison"), [True, False], id="300-euro-house"
    ),
    pytest.param(ads(RENT, 30.0, property_type="parking"), [False], id="parking-rent-is-cheap"),
    pytest.param(ads(RENT, 15.0), [True], id="flat-rent-below-bounds"),
    pytest.param(ads(CAR, 150.0, 9_500.0), [True, False], id="150-euro-car"),
    pytest.param(
        ads({"category": "automobile", "vehicle_type": "piece"}, 150.0), [False], id="tyres"
    ),
    pytest.param(
        ads({"category": "bonnes_affaires"}, 1.0, 90_000.0), [False, False], id="no-bounds"
    ),
    pytest.param(
        ads({"category": "immobilier", "transaction": "viager"}, 5_000.0), [False], id="viager"
    ),
    pytest.param(
        ads({"category": "immo", "property_type": "maison"}, 1.0, 900.0, 260_000.0),
        [True, False, False],
        id="a-house-for-1-euro-is-neither-rent-nor-sale",
    ),
    pytest.param(
        ads({"category": "immobilier", "property_type": "parking"}, 15.0, 9.0),
        [False, True],
        id="a-parking-of-untold-transaction-takes-the-widest-bounds",
    ),
    pytest.param(
        ads({"category": "immobilier", "transaction": "viager"}, 1.0, property_type="maison"),
        [False],
        id="a-viager-has-no-bounds-whatever-its-type",
    ),
    pytest.param(ads(RENT, None, 650.0), [False, False], id="no-price-is-no-outlier"),
    pytest.param(ads(RENT, *FLATS, 2_900.0), [False] * 8 + [True], id="far-from-a-group-of-eight"),
    pytest.param(ads(RENT, *FLATS[:-2], 2_900.0), [False] * 7, id="too-small-a-group-to-judge"),
    pytest.param(ads(RENT, *FLATS, 1_300.0), [False] * 9, id="within-the-spread"),
    pytest.param(
        ads(RENT, *[650.0] * 8, 1_200.0, 300.0), [False] * 10, id="equal-prices-have-a-floor"
    ),
    pytest.param(ads(RENT, *FLATS) + ads(SALE, 2_900.0), [False] * 9, id="groups-are-apart"),
]


@pytest.mark.parametrize(("rows", "expected"), CASES)
def test_price_outliers(rows: list[dict[str, Any]], expected: list[bool]) -> None:
    assert price_outliers(rows) == expected


def test_the_flags_do_not_depend_on_the_order_of_the_listings() -> None:
    rng = random.Random(3)
    rows = ads(RENT, *[rng.uniform(500, 900) for _ in range(50)], 12_000.0, 40.0)
    rows += ads(CAR, *[rng.uniform(5_000, 15_000) for _ in range(30)], 450_000.0)
    flags = dict(zip(map(id, rows), price_outliers(rows), strict=True))
    shuffled = rows[:]
    rng.shuffle(shuffled)
    assert [flags[id(row)] for row in shuffled] == price_outliers(shuffled)
    assert sum(flags.values()) == 3


def _page(ads: list[tuple[str, str, str]]) -> str:
    lines = ["Petites Annonces"]
    for section, title, price in ads:
        lines += [section, title, f"{title} Caen (14000) {price} Découvrir"]
    return "\n".join(lines) + "\n"


def _flats(first: int, count: int) -> list[tuple[str, str, str]]:
    return [
        ("Immobilier", f"Appartement T2 n°{i} à louer", f"{600 + 10 * i}€")
        for i in range(first, first + count)
    ]


def test_append_flags_over_the_whole_dataset(tmp_path: Path) -> None:
    """A rent of 2 900 € is told apart only once the group has enough rents to judge by."""
    (tmp_path / "a.txt").write_text(
        _page([*_flats(0, 4), ("Immobilier", "Appartement T2 luxe à louer", "2 900€")]),
        encoding="utf-8",
    )
    (tmp_path / "b.txt").write_text(_page(_flats(4, MIN_GROUP)), encoding="utf-8")
    out = tmp_path / "data"
    classifieds.build([tmp_path / "a.txt"], out)
    assert not classifieds.load(out).price_outlier.any()
    classifieds.build([tmp_path / "b.txt"], out, append=True)
    appended = classifieds.load(out)
    assert appended.loc[appended.price_outlier, "price_eur"].tolist() == [2900.0]
    whole = tmp_path / "whole"
    classifieds.build([tmp_path / "a.txt", tmp_path / "b.txt"], whole)
    assert (out / "listings.parquet").read_bytes() == (whole / "listings.parquet").read_bytes()
    csv = (out / "listings.csv").read_text(encoding="utf-8")
    assert ",true," in csv and ",false," in csv
    assert classifieds.load(out / "listings.csv").equals(appended)


def test_summary_keeps_outliers_unless_told(tmp_path: Path) -> None:
    page = _page([*_flats(0, MIN_GROUP), ("Immobilier", "Appartement à louer", "2 900€")])
    (tmp_path / "a.txt").write_text(page, encoding="utf-8")
    out = tmp_path / "data"
    classifieds.build([tmp_path / "a.txt"], out)
    runner = CliRunner()
    kept = runner.invoke(cli, ["summary", str(out), "--format", "csv"])
    dropped = runner.invoke(cli, ["summary", str(out), "--format", "csv", "--drop-outliers"])
    assert (kept.exit_code, dropped.exit_code) == (0, 0)
    assert (kept.stderr, dropped.stderr) == ("", "")
    frame = {
        name: pd.read_csv(io.StringIO(r.stdout))
        for name, r in (("kept", kept), ("dropped", dropped))
    }
    assert frame["kept"].loc[0, ["ads", "max"]].tolist() == [MIN_GROUP + 1, 2900.0]
    assert frame["dropped"].loc[0, ["ads", "max"]].tolist() == [MIN_GROUP, 670.0]
