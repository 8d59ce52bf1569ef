"""Summaries never pool unlike things: one category per group, living area apart from land."""

from __future__ import annotations

import math
import statistics
from typing import Any

import pandas as pd
import pytest

from classifieds.analyze.query import select
from classifieds.analyze.report import render
from classifieds.analyze.summary import (
    AREA_COLUMN,
    LAND_COLUMN,
    STAT_COLUMNS,
    group_prices,
    summarize,
)

IMMO, AUTO, GOODS = "immobilier", "automobile", "bonnes_affaires"


def ad(listing_id: str, category: str, price: float | None, **fields: Any) -> dict[str, Any]:
    return {
        "listing_id": listing_id,
        "category": category,
        "price_eur": price,
        "town": fields.pop("town", "Caen"),
        "department_code": fields.pop("department_code", "14"),
        "transaction": fields.pop("transaction", None),
        "surface_m2": fields.pop("surface_m2", None),
        "land_m2": fields.pop("land_m2", None),
        "property_type": fields.pop("property_type", None),
        "vehicle_type": fields.pop("vehicle_type", None),
        "make": fields.pop("make", None),
        "model": fields.pop("model", None),
        **fields,
    }


# The README's old example: in Caen a 40 € child's bike beside cars at 6,500-15,500 €.
CAEN = [
    ad("b1", GOODS, 40.0),
    ad("c1", AUTO, 6500.0, make="Peugeot", model="208", vehicle_type="voiture"),
    ad("c2", AUTO, 9200.0, make="Renault", model="Clio", vehicle_type="voiture"),
    ad("c3", AUTO, 15500.0, make="Toyota", model="Yaris", vehicle_type="voiture"),
    ad("m1", AUTO, 5200.0, make="Yamaha", model="MT-07", vehicle_type="moto", town="Bayeux"),
    ad(
        "h1",
        IMMO,
        250000.0,
        transaction="vente",
        property_type="maison",
        surface_m2=100.0,
        land_m2=600.0,
    ),
    ad("h2", IMMO, 180000.0, transaction="vente", property_type="maison", surface_m2=90.0),
    ad("t1", IMMO, 64000.0, transaction="vente", property_type="terrain", land_m2=800.0),
    ad(
        "t2",
        IMMO,
        30000.0,
        transaction="vente",
        property_type="terrain",
        land_m2=500.0,
        town="Bayeux",
    ),
    ad("t3", IMMO, 45000.0, transaction="vente", property_type="terrain"),  # no area told
    ad("a1", IMMO, 650.0, transaction="location", property_type="appartement", surface_m2=40.0),
    ad("p1", IMMO, 90.0, transaction="location", property_type="parking"),
]


@pytest.fixture
def listings() -> pd.DataFrame:
    return pd.DataFrame(CAEN, dtype=object)


def table(summary: pd.DataFrame, *columns: str) -> list[list[Any]]:
    """The chosen columns of a summary as lists, NaN as None."""
    return [
        [None if isinstance(v, float) and math.isnan(v) else v for v in row]
        for row in summary[list(columns)].values.tolist()
    ]


def test_by_town_keeps_cars_apart_from_a_bike(listings: pd.DataFrame) -> None:
    summary = summarize(listings, "town", where=["department_code=14"], category=[AUTO, GOODS])
    assert table(summary, "town", "category", "ads", "median") == [
        ["Caen", AUTO, 3, 9200.0],
        ["Bayeux", AUTO, 1, 5200.0],
        ["Caen", GOODS, 1, 40.0],
    ]


@pytest.mark.parametrize(
    "by",
    [
        (),
        ("town",),
        ("department_code",),
        ("make",),
        ("transaction",),
        ("property_type",),
        ("vehicle_type", "model"),
    ],
    ids=lambda by: ",".join(by) or "nothing",
)
def test_every_group_lies_within_one_category(listings: pd.DataFrame, by: tuple[str, ...]) -> None:
    summary = summarize(listings, by)
    assert summary["category"].notna().all()
    category_of = dict(zip(listings["price_eur"], listings["category"], strict=True))
    for (_, row), prices in zip(summary.iterrows(), group_prices(listings, summary), strict=True):
        assert {category_of[price] for price in prices} <= {row["category"]}
    assert summary["ads"].sum() == len(listings)


def test_category_goes_after_the_columns_named_and_the_kinds_after_it(
    listings: pd.DataFrame,
) -> None:
    kinds = ["category", "transaction", "property_type", "vehicle_type"]
    assert list(summarize(listings, ["town"]).columns[:5]) == ["town", *kinds]
    assert list(summarize(listings, ["category", "town"]).columns[:5]) == [*kinds, "town"]
    goods = summarize(listings, ["town"], category=GOODS)
    assert list(goods.columns[:3]) == ["town", "category", "ads"]
    cars = summarize(listings, ["make"], category=AUTO)
    assert list(cars.columns[:4]) == ["make", "category", "vehicle_type", "ads"]


@pytest.mark.parametrize(
    ("by", "kind"),
    [
        (by, kind)
        for by in [(), ("town",), ("make",), ("transaction",), ("department_code",)]
        for kind in ["property_type", "vehicle_type"]
    ],
    ids=lambda value: ",".join(value) if isinstance(value, tuple) else value,
)
def test_every_group_lies_within_one_kind_of_thing(
    listings: pd.DataFrame, by: tuple[str, ...], kind: str
) -> None:
    # A parking space is not priced with flats, nor a motorbike with cars.
    summary = summarize(listings, by)
    kind_of = dict(zip(listings["price_eur"], listings[kind], strict=True))
    for (_, row), prices in zip(summary.iterrows(), group_prices(listings, summary), strict=True):
        assert {kind_of[price] for price in prices} <= {row[kind]}
    assert summary["ads"].sum() == len(listings)


def test_tyres_are_not_priced_with_cars() -> None:
    tyres = ad("x1", AUTO, 150.0, vehicle_type="piece")
    untold = ad("x2", AUTO, 3000.0)  # an ad that does not tell its type is a group of its own
    cars = pd.DataFrame([*CAEN[1:4], tyres, untold], dtype=object)
    assert table(summarize(cars), "vehicle_type", "ads", "median") == [
        ["voiture", 3, 9200.0],
        ["piece", 1, 150.0],
        [None, 1, 3000.0],
    ]


def test_a_parking_is_not_priced_with_flats(listings: pd.DataFrame) -> None:
    rents = summarize(listings, category=IMMO, transaction="location")
    assert table(rents, "property_type", "ads", "median", "price_per_m2") == [
        ["appartement", 1, 650.0, 650.0 / 40],
        ["parking", 1, 90.0, None],
    ]


def test_price_per_m2_is_on_living_area_only(listings: pd.DataFrame) -> None:
    # The 800 m² plot has no living area: it does not pull the sale price per m² down.
    sales = summarize(listings, category=IMMO, transaction="vente")
    assert table(sales, "property_type", "ads", "price_per_m2") == [
        ["terrain", 3, None],
        ["maison", 2, statistics.median([250000 / 100, 180000 / 90])],
    ]
    figures = summarize(listings, ["transaction", "category"], category=IMMO, top=1)
    assert table(figures, "transaction", "property_type", "price_per_m2", LAND_COLUMN) == [
        ["vente", "terrain", None, statistics.median([64000 / 800, 30000 / 500])]
    ]
    assert LAND_COLUMN not in summarize(listings, category=AUTO).columns


def test_by_property_type_terrain_gets_a_price_per_m2_of_land(listings: pd.DataFrame) -> None:
    summary = summarize(listings, "property_type", category=IMMO)
    assert list(summary.columns) == [
        "property_type",
        "category",
        "transaction",
        *STAT_COLUMNS[:-1],
        AREA_COLUMN,
        "price_per_m2",
        LAND_COLUMN,
    ]
    assert table(summary, "property_type", "transaction", "ads", "price_per_m2", LAND_COLUMN) == [
        ["terrain", "vente", 3, None, statistics.median([64000 / 800, 30000 / 500])],
        ["maison", "vente", 2, statistics.median([2500.0, 2000.0]), None],  # its land is no plot
        ["appartement", "location", 1, 650 / 40, None],
        ["parking", "location", 1, None, None],
    ]
    # What each figure per m² rests on: the terrain ads with a land area, the houses with a
    # living area; the parking states none.
    assert table(summary, "property_type", AREA_COLUMN) == [
        ["terrain", 2],
        ["maison", 2],
        ["appartement", 1],
        ["parking", 0],
    ]


def test_the_land_column_is_printed_in_every_format(listings: pd.DataFrame) -> None:
    summary = summarize(listings, "property_type", category=IMMO, top=1)
    assert render(summary, "table").splitlines()[0].endswith("per m²  per m² land")
    assert render(summary, "csv").splitlines() == [
        "property_type,category,transaction,ads,with_price,min,p25,median,mean,p75,max,"
        "with_area,price_per_m2,price_per_m2_land",
        "terrain,immobilier,vente,3,3,30000.0,,45000.0,46333.33,,64000.0,2,,70.0",
    ]
    assert '"price_per_m2_land": 70.0' in render(summary, "json")


@pytest.mark.parametrize("section", ["immo", "logement", "immobilier_neuf", "Logement"])
def test_every_real_estate_section_splits_rents_from_sales(section: str) -> None:
    """Not only "immobilier": the sections that get real-estate attributes are real estate."""
    ads = pd.DataFrame(
        [
            ad("r1", section, 900.0, transaction="location", surface_m2=90.0),
            ad("s1", section, 260000.0, transaction="vente", surface_m2=110.0),
            ad("u1", section, 1200.0),
            ad("g1", GOODS, 40.0),
        ]
    )
    table = summarize(ads).set_index(["category", "transaction"])
    assert table.loc[(section, "location"), "median"] == 900.0
    assert table.loc[(section, "location"), "price_per_m2"] == 10.0
    assert table.loc[(section, "vente"), "median"] == 260000.0
    assert table.loc[(section, "(unknown)"), "ads"] == 1
    goods = table.xs(GOODS, level="category")
    assert goods["ads"].tolist() == [1] and math.isnan(goods["price_per_m2"].iloc[0])


def test_spellings_of_one_town_are_one_group_as_where_takes_them() -> None:
    # --where town=caen keeps all three; --by town must not split them by their case.
    frame = pd.DataFrame(
        [
            ad("v1", GOODS, 40.0, town="CAEN"),
            ad("v2", GOODS, 50.0, town="Caen"),
            ad("v3", GOODS, 60.0, town=" caen"),
            ad("v4", GOODS, 10.0, town="St Denis"),  # another spelling: --by commune joins it
        ],
        dtype=object,
    )
    summary = summarize(frame, "town")
    assert table(summary, "town", "ads", "median") == [["Caen", 3, 50.0], ["St Denis", 1, 10.0]]
    assert len(select(frame, town="caen")) == 3
    assert [len(prices) for prices in group_prices(frame, summary)] == [3, 1]
