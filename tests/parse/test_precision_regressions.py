"""Ads the precision fixes read worse than the parser before them (right to null), found by
``scripts/parser_oracle.py``, each now read right again; and their neighbours, which the
precision fixes made right and which must stay so.
"""

from __future__ import annotations

from typing import Any

import pytest

from classifieds.parse.attributes import extract_attributes

AUTO = "automobile"


def row(text: str, expected: Any, id: str) -> Any:
    return pytest.param(text, expected, id=id)


# --- mileage: a model's number, a distance and a year label, told apart by their values -------

# text -> (mileage_km, year)
MILEAGE_ROWS = [
    # A number after a model's name is its number only when the name has it ("Peugeot 208").
    row("Clio 125 400 kms", (125400, None), "no-clio-125"),
    row("Renault Clio 50 300 km", (50300, None), "no-clio-50"),
    row("Golf 30 200 km", (30200, None), "no-golf-30"),
    row("Yaris 2019 10 500 km", (10500, 2019), "no-yaris-10"),
    row("Peugeot 208 120 km", (None, None), "peugeot-208-kept-unread"),
    row("Fiat 500 500 km", (None, None), "fiat-500-kept-unread"),
    row("Yamaha MT 07 100 km", (None, None), "mt-07-kept-unread"),
    row("Clio 4 100 km", (None, None), "generation-kept-unread"),
    row("Peugeot 208 2019 45 300 km", (45300, 2019), "after-a-year"),
    # A distance or a range is short: "de" after the odometer's reading is something else.
    row("Clio 2016 95 000 km de ville", (95000, 2016), "km-de-ville"),
    row("Clio 80 000 km du premier propriétaire", (80000, None), "km-du-owner"),
    row("Golf 120 000 km des révisions à jour", (120000, None), "km-des"),
    row("Kangoo 150 000 km de trajets autoroute", (150000, None), "km-de-trips"),
    row("Zoé 2019 50 000 km autonomie 300 km", (50000, 2019), "odometer-then-range-label"),
    row("Voiture 2 km de Caen", (None, None), "distance-kept-unread"),
    row("Clio 2019 5 km du centre", (None, 2019), "distance-du-kept-unread"),
    row("Zoé 300 km d'autonomie", (None, None), "range-kept-unread"),
    row("Zoé 2019 40 000 km 300 km autonomie", (40000, 2019), "range-after-odometer-kept"),
    row("Clio 50 000 km de garantie", (None, None), "warranty-kept-unread"),
    row("Clio 2015 120 000 km d'origine", (120000, 2015), "d-origine-kept"),
    # "km" between two year-shaped numbers labels neither: the second is the year.
    row("Yamaha MT-07 2000 km 2019", (2000, 2019), "year-shaped-mileage-then-year"),
    row("Citroën C5 Aircross 2019 1900 km 2020", (1900, None), "two-years-and-a-mileage"),
    row("Clio 2018 km 50000", (None, 2018), "km-label-kept"),
    row("Clio 2018 km : 50 000", (None, 2018), "km-colon-label-kept"),
]


@pytest.mark.parametrize(("text", "expected"), MILEAGE_ROWS)
def test_mileage(text: str, expected: tuple[int | None, int | None]) -> None:
    found = extract_attributes(AUTO, text, None)
    assert (found.mileage_km, found.year) == expected


# --- fuel: a denied fuel leaves the one the ad states ------------------------------------------

FUEL_ROWS = [
    row("Toyota Corolla hybride 2021 non diesel", "hybride", "hybrid-not-diesel"),
    row("Renault Captur essence non hybride", "essence", "petrol-not-hybrid"),
    row("Peugeot 2008 essence pas diesel", "essence", "petrol-pas-diesel"),
    row("Zoé électrique non hybride", "électrique", "electric-not-hybrid"),
    row("Clio non diesel", None, "denied-alone-kept-none"),
    row("Clio non diesel non essence", None, "all-denied-kept-none"),
    row("Clio diesel non fumeur", "diesel", "non-another-word-kept"),
]


@pytest.mark.parametrize(("text", "expected"), FUEL_ROWS)
def test_fuel(text: str, expected: str | None) -> None:
    assert extract_attributes(AUTO, text, None).fuel == expected
