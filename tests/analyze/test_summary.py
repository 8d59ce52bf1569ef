"""Price summaries: every figure is recomputed here with the statistics module, not with pandas."""

from __future__ import annotations

import json
import math
import statistics
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from conftest import SEEDS

import classifieds
from classifieds.analyze.report import format_eur, render
from classifieds.analyze.summary import (
    STAT_COLUMNS,
    UNKNOWN_TRANSACTION,
    Condition,
    group_prices,
    select,
    summarize,
)
from classifieds.errors import QueryError


def ad(
    listing_id: str,
    category: str,
    price: float | None,
    *,
    transaction: str | None = None,
    town: str = "Caen",
    department_code: str = "14",
    department: str = "Calvados",
    surface: float | None = None,
    rooms: int | None = None,
    make: str | None = None,
    n_sightings: int = 1,
) -> dict[str, Any]:
    return {
        "listing_id": listing_id,
        "category": category,
        "town": town,
        "department_code": department_code,
        "department": department,
        "price_eur": price,
        "transaction": transaction,
        "surface_m2": surface,
        "rooms": rooms,
        "make": make,
        "n_sightings": n_sightings,
    }


IMMO, AUTO, GOODS = "immobilier", "automobile", "bonnes_affaires"
ROWS = [
    ad("r1", IMMO, 650.0, transaction="location", surface=30.0, rooms=2),
    ad("r2", IMMO, 800.0, transaction="location", surface=50.0, rooms=3),
    ad("r3", IMMO, 500.0, transaction="location", town="Bayeux"),
    ad("r4", IMMO, None, transaction="location", town="Lisieux"),  # printed 0€
    ad("r5", IMMO, 1000.0, transaction="location", surface=40.0, rooms=3, n_sightings=40),
    ad("s1", IMMO, 185000.0, transaction="vente", surface=100.0),
    ad("s2", IMMO, 95000.0, transaction="vente", town="Falaise"),
    ad("u1", IMMO, 120000.0, town="Vire"),  # transaction not told
    ad("c1", AUTO, 9500.0, make="Peugeot"),
    ad(
        "c2",
        AUTO,
        12000.0,
        make="Peugeot",
        town="Saint-Lô",
        department_code="50",
        department="Manche",
    ),
    ad(
        "c3",
        AUTO,
        None,
        make="Renault",
        town="Granville",
        department_code="50",
        department="Manche",
    ),
    ad(
        "c4",
        AUTO,
        4500.0,
        make="Peugeot",
        town="Alençon",
        department_code="61",
        department="Orne",
        n_sightings=3,
    ),
    ad("g1", GOODS, 30.0, n_sightings=2),
    ad("r1", IMMO, 650.0, transaction="location", surface=30.0, rooms=2),  # r1 again
]


@pytest.fixture
def listings() -> pd.DataFrame:
    """The ads with plain dtypes: object columns and floats, as a hand-made frame has."""
    return pd.DataFrame(ROWS, dtype=object)


def figures(prices: list[float]) -> dict[str, float | None]:
    """The figures of one group, computed without pandas."""
    if not prices:
        return dict.fromkeys(("min", "p25", "median", "mean", "p75", "max"))
    quartiles = statistics.quantiles(prices, n=4, method="inclusive") if len(prices) >= 4 else None
    return {
        "min": min(prices),
        "p25": quartiles[0] if quartiles else None,
        "median": statistics.median(prices),
        "mean": statistics.fmean(prices),
        "p75": quartiles[2] if quartiles else None,
        "max": max(prices),
    }


def rows_of(summary: pd.DataFrame) -> list[dict[str, Any]]:
    """The summary as plain dicts, NaN as None, for comparison."""
    return [
        {k: None if isinstance(v, float) and math.isnan(v) else v for k, v in row.items()}
        for row in summary.to_dict("records")
    ]


def expected_row(
    keys: dict[str, Any], prices: list[float | None], per_m2: float | None
) -> dict[str, Any]:
    known = [p for p in prices if p is not None]
    return {
        **keys,
        "ads": len(prices),
        "with_price": len(known),
        **figures(known),
        "price_per_m2": per_m2,
    }


def test_category_summary_splits_real_estate_by_transaction(listings: pd.DataFrame) -> None:
    expected = [
        expected_row(
            {"category": IMMO, "transaction": "location"},
            [650, 800, 500, None, 1000],
            statistics.median([650 / 30, 800 / 50, 1000 / 40]),
        ),
        expected_row({"category": AUTO, "transaction": None}, [9500, 12000, None, 4500], None),
        expected_row({"category": IMMO, "transaction": "vente"}, [185000, 95000], 185000 / 100),
        expected_row({"category": GOODS, "transaction": None}, [30], None),
        expected_row({"category": IMMO, "transaction": UNKNOWN_TRANSACTION}, [120000], None),
    ]
    assert rows_of(summarize(listings)) == [pytest.approx(row) for row in expected]


@pytest.mark.parametrize(
    "by",
    [(), ("category",), ("department",), ("town",), ("make",), ("rooms",), ("transaction",)],
    ids=lambda by: ",".join(by) or "nothing",
)
def test_a_rent_and_a_sale_never_share_a_figure(
    listings: pd.DataFrame, by: tuple[str, ...]
) -> None:
    summary = summarize(listings, by)
    prices = group_prices(listings, summary)
    rent, sale = {650.0, 800.0, 500.0, 1000.0}, {185000.0, 95000.0}
    assert sum(len(group) for group in prices) == 11  # every known price is in one group
    for group in prices:
        assert not (rent & set(group) and sale & set(group)), group
    real_estate = summary[summary["transaction"].notna()]
    assert real_estate["ads"].sum() == 8  # every real-estate ad is in a transaction group


def test_null_prices_count_as_ads_but_not_in_figures(listings: pd.DataFrame) -> None:
    row = rows_of(summarize(listings, ["make"], category=AUTO))
    assert row == [
        pytest.approx(
            expected_row({"make": "Peugeot", "category": AUTO}, [9500, 12000, 4500], None)
        ),
        pytest.approx(expected_row({"make": "Renault", "category": AUTO}, [None], None)),
    ]


def test_listings_are_counted_once_whatever_their_sightings(listings: pd.DataFrame) -> None:
    summary = summarize(listings, by=())
    assert summary["ads"].sum() == 13  # 14 rows, r1 twice; n_sightings (40, 3, 2) weigh nothing


def test_a_single_price_is_min_median_mean_and_max_without_quartiles(
    listings: pd.DataFrame,
) -> None:
    goods = rows_of(summarize(listings, category=GOODS))[0]
    assert goods["min"] == goods["median"] == goods["mean"] == goods["max"] == 30.0
    assert goods["p25"] is None and goods["p75"] is None


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5], ids=lambda n: f"{n}-prices")
def test_quartiles_need_four_prices(n: int) -> None:
    prices = [100.0, 250.0, 400.0, 1000.0, 7000.0][:n]
    frame = pd.DataFrame([ad(f"x{i}", GOODS, p) for i, p in enumerate(prices)])
    row = rows_of(summarize(frame))[0]
    assert row == pytest.approx(expected_row({"category": GOODS}, list(prices), None))
    assert (row["p25"] is None) == (n < 4)


def test_price_per_m2_only_for_real_estate_with_price_and_surface() -> None:
    frame = pd.DataFrame(
        [
            ad("a", IMMO, 600.0, transaction="location", surface=30.0),
            ad("b", IMMO, None, transaction="location", surface=80.0),  # no price
            ad("c", IMMO, 900.0, transaction="location"),  # no surface
            ad("d", GOODS, 50.0, surface=2.0),  # a 2 m² rug is not real estate
        ]
    )
    summary = summarize(frame, ["category", "transaction"]).set_index("category")
    assert summary.loc[IMMO, "price_per_m2"] == 20.0
    assert math.isnan(summary.loc[GOODS, "price_per_m2"])


def test_groups_come_largest_first_then_by_keys_whatever_the_row_order(
    listings: pd.DataFrame,
) -> None:
    summary = summarize(listings, ["department", "make"])
    shuffled = summarize(listings.sample(frac=1, random_state=7), ["department", "make"])
    pd.testing.assert_frame_equal(summary, shuffled)
    assert summary["ads"].tolist() == sorted(summary["ads"], reverse=True)
    ones = summary[summary["ads"] == 1]
    assert ones["department"].tolist() == sorted(ones["department"])


def test_null_group_keys_come_last_and_stay_null() -> None:
    frame = pd.DataFrame([ad("a", GOODS, 10.0, make=None), ad("b", GOODS, 20.0, make="Zodiac")])
    assert summarize(frame, "make")["make"].tolist() == ["Zodiac", None]


def test_top_keeps_the_largest_groups(listings: pd.DataFrame) -> None:
    summary = summarize(listings, top=2)
    assert summary[["category", "ads"]].values.tolist() == [[IMMO, 5], [AUTO, 4]]


def test_typed_frame_of_load_and_plain_frame_give_the_same_summary(
    listings: pd.DataFrame, tmp_path: Path
) -> None:
    typed = listings.drop_duplicates("listing_id").astype(
        {"price_eur": "float64", "rooms": "Int64"}
    )
    pd.testing.assert_frame_equal(summarize(typed, ["town"]), summarize(listings, ["town"]))


# --- filters ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filters", "ids"),
    [
        ({"category": "Immobilier"}, "r1 r2 r3 r4 r5 s1 s2 u1"),
        ({"category": [AUTO, GOODS]}, "c1 c2 c3 c4 g1"),
        ({"department": "50"}, "c2 c3"),
        ({"department": "manche"}, "c2 c3"),
        ({"department": ["14", "Orne"], "category": AUTO}, "c1 c4"),
        ({"town": "saint-lô"}, "c2"),
        ({"transaction": "vente"}, "s1 s2"),
        ({"make": "Peugeot", "max_price": 9500}, "c1 c4"),
        ({"min_price": 95000}, "s1 s2 u1"),
        ({"where": "rooms=3"}, "r2 r5"),
        ({"where": ["rooms>=2", "surface_m2<50"]}, "r1 r5"),
        ({"where": ["price_eur>=1 000", "price_eur<10_000"]}, "r5 c1 c4"),
        ({"where": ["make!=Peugeot"]}, "c3"),  # a null make passes no condition
        ({"where": ["department_code=14,61", "category==automobile"]}, "c1 c4"),
        ({"where": [Condition("town", "=", ("Vire",))]}, "u1"),
    ],
    ids=lambda value: str(value) if isinstance(value, dict) else "",
)
def test_filters(listings: pd.DataFrame, filters: dict[str, Any], ids: str) -> None:
    chosen = select(listings.drop_duplicates("listing_id"), **filters)
    assert chosen["listing_id"].tolist() == ids.split()


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        ("department", "Cannot read the condition"),
        ("price_eur>=", "needs a value"),
        ("price_eur>=1,000", "one number or date only"),
        ("price_eur>=cheap", "'cheap' is not one"),
        ("town>Caen", "compare it with = or != only"),
        ("prix<100", "No column 'prix'"),
    ],
)
def test_bad_conditions_say_what_is_wrong(
    listings: pd.DataFrame, condition: str, message: str
) -> None:
    with pytest.raises(QueryError, match=message):
        summarize(listings, where=[condition])


@pytest.mark.parametrize("dtype", [object, "boolean"])
@pytest.mark.parametrize(
    ("condition", "ids"),
    [
        ("price_outlier=true", "a"),
        ("price_outlier=TRUE", "a"),
        ("price_outlier=1", "a"),
        ("price_outlier=false", "b"),
        ("price_outlier=no", "b"),
        ("price_outlier!=true", "b"),  # a null passes no condition
        ("price_outlier=true,false", "a b"),
    ],
)
def test_a_true_or_false_column_compares_with_true_and_false(
    condition: str, ids: str, dtype: object
) -> None:
    frame = pd.DataFrame(
        {
            "listing_id": ["a", "b", "c"],
            "price_outlier": pd.Series([True, False, None], dtype=dtype),
        }
    )
    assert select(frame, where=[condition])["listing_id"].tolist() == ids.split()


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        ("price_outlier=maybe", "'maybe' is neither: write price_outlier=true or"),
        ("price_outlier>0", "compare it with = or !="),
    ],
)
def test_a_true_or_false_column_refuses_other_values(condition: str, message: str) -> None:
    frame = pd.DataFrame({"listing_id": ["a"], "price_outlier": [True]})
    with pytest.raises(QueryError, match=message):
        select(frame, where=[condition])


def test_grouping_by_an_unknown_column_lists_the_columns(listings: pd.DataFrame) -> None:
    with pytest.raises(QueryError, match=r"No column 'ville' to group by\. Columns: listing_id, "):
        summarize(listings, ["category", "ville"])


def test_nothing_to_summarize_gives_an_empty_summary(listings: pd.DataFrame) -> None:
    assert summarize(listings, where=["department=99"]).empty
    empty = summarize(listings.iloc[0:0], ["town"])
    assert empty.empty and list(empty.columns) == ["town", "category", *STAT_COLUMNS]


def test_summarize_is_public() -> None:
    assert "summarize" in classifieds.__all__ and classifieds.summarize is summarize


# --- on the seed page, through an export and load --------------------------------------------


@pytest.fixture(scope="module")
def seed_listings(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    out = tmp_path_factory.mktemp("seed") / "data"
    classifieds.build([SEEDS], out)
    return classifieds.load(out)


def test_seed_summary(seed_listings: pd.DataFrame) -> None:
    # The seed page: 3 cars (the Captur at 0€ has no price) and a set of tyres, 4 goods, and 4
    # real-estate ads: a viager at 60 000€ and three rentals, two houses and a room; no sale.
    summary = summarize(seed_listings)
    columns = ["category", "transaction", "property_type", "vehicle_type", "ads", "with_price"]
    assert summary[[*columns, "median"]].values.tolist() == [
        [GOODS, None, None, None, 4, 4, 90.0],
        [AUTO, None, None, "voiture", 3, 2, 19550.0],
        [IMMO, "location", "maison", None, 2, 2, 777.5],
        [AUTO, None, None, "piece", 1, 1, 150.0],
        [IMMO, "location", "chambre", None, 1, 1, 390.0],
        [IMMO, "viager", None, None, 1, 1, 60000.0],
    ]
    assert summary["price_per_m2"].tolist()[2] == pytest.approx(605 / 93)


# --- text renderings ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (16200.0, "16 200 €"),
        (1234567.0, "1 234 567 €"),
        (648.3333, "648 €"),
        (497.5, "498 €"),
        (12.5, "12,50 €"),
        (90.0, "90 €"),
        (0.0, "0 €"),
        (float("nan"), "—"),
    ],
    ids=str,
)
def test_euros_the_french_way(amount: float, text: str) -> None:
    assert format_eur(amount).replace("\u00a0", " ") == text


def test_csv_and_json_hold_plain_numbers(listings: pd.DataFrame) -> None:
    summary = summarize(listings, category=AUTO)
    assert render(summary, "csv").splitlines() == [
        "category,ads,with_price,min,p25,median,mean,p75,max,price_per_m2",
        "automobile,4,3,4500.0,,9500.0,8666.67,,12000.0,",
    ]
    assert '"mean": 8666.67' in render(summary, "json") and '"p25": null' in render(summary, "json")


@pytest.mark.parametrize("prices", [[23320.02, 23320.03], [2.67, 2.68], [0.015, 0.025]])
def test_csv_and_json_round_a_half_cent_alike(prices: list[float]) -> None:
    """Means on a half cent: float rounding would take some down, others up."""
    frame = pd.DataFrame({"listing_id": ["a", "b"], "category": [GOODS] * 2, "price_eur": prices})
    summary = summarize(frame)
    mean = float(render(summary, "csv").splitlines()[1].split(",")[6])
    (record,) = json.loads(render(summary, "json"))
    assert (
        record["mean"]
        == mean
        == float(Decimal(repr(sum(prices) / 2)).quantize(Decimal("0.01"), ROUND_HALF_UP))
    )


def test_table_is_aligned_with_french_amounts(listings: pd.DataFrame) -> None:
    lines = render(summarize(listings, category=AUTO), "table").replace("\u00a0", " ").splitlines()
    assert lines == [
        "category    ads  with price      min  p25   median     mean  p75       max  per m²",
        "automobile    4           3  4 500 €    —  9 500 €  8 667 €    —  12 000 €       —",
    ]


def test_markdown_right_aligns_figures(listings: pd.DataFrame) -> None:
    lines = (
        render(summarize(listings, category=GOODS), "markdown").replace("\u00a0", " ").splitlines()
    )
    assert lines[1] == "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    assert lines[2] == "| bonnes_affaires | 1 | 1 | 30 € | — | 30 € | 30 € | — | 30 € | — |"
