"""Detail lines and towns: tables of strings as the widget prints them (prices: test_prices.py)."""

from __future__ import annotations

import pytest

from classifieds.parse.normalize import (
    collapse,
    is_town,
    slug,
    split_detail,
    split_head,
)

DETAILS = {
    "seed": (
        "Pavillon Construction 2005 dans village 5 pièces de 93 m2 Saint-Sébastien-sur-Loire (44230) 605€ Découvrir",
        (
            "Pavillon Construction 2005 dans village 5 pièces de 93 m2 Saint-Sébastien-sur-Loire",
            "44230",
            "605€",
        ),
    ),
    "no-price": ("Maison Bayeux (14400) Découvrir", ("Maison Bayeux", "14400", None)),
    "parens-in-description": (
        "Maison (14000) Caen centre L'Aigle (61300) 150 000€ Découvrir",
        ("Maison (14000) Caen centre L'Aigle", "61300", "150 000€"),
    ),
    "lower-case-link": ("Vélo Caen (14000) 50€ découvrir", ("Vélo Caen", "14000", "50€")),
    "nbsp-kept-in-raw": (
        "Lot Caen (14000) 16\u202f200€ Découvrir",
        ("Lot Caen", "14000", "16\u202f200€"),
    ),
    "no-postcode": ("Vélo enfant Caen 50€ Découvrir", None),
    "four-digit-postcode": ("Vélo Caen (1400) 50€ Découvrir", None),
    "words-in-parentheses-after-the-price": (
        "Vélo Caen (14000) 50€ (neuf) Découvrir",
        ("Vélo Caen", "14000", "50€ (neuf)"),  # a bad_price: the price slot says more
    ),
}


@pytest.mark.parametrize(("line", "expected"), DETAILS.values(), ids=DETAILS.keys())
def test_split_detail(line: str, expected: tuple[str, str, str | None] | None) -> None:
    assert split_detail(line) == expected


HEADS = {
    "anchored": (
        "viager en Ardèche Villevocance",
        "viager en Ardèche",
        ("viager en Ardèche", "Villevocance"),
    ),
    "anchored-article": (
        "Chambre meublée, idéale jeune travailleur La Tronche",
        "Chambre meublée, idéale jeune travailleur",
        ("Chambre meublée, idéale jeune travailleur", "La Tronche"),
    ),
    "anchored-compound": (
        "Pavillon Construction 2005 dans village 5 pièces de 93 m2 Saint-Sébastien-sur-Loire",
        "Pavillon Construction 2005 dans village 5 pièces de 93 m2",
        ("Pavillon Construction 2005 dans village 5 pièces de 93 m2", "Saint-Sébastien-sur-Loire"),
    ),
    "anchored-capitalised-description": (
        "Chaise de bureau Seattle – Confort, design & vérin à gaz NEUF Le Plessis-Robinson",
        "Chaise de bureau Seattle – Confort, design & vérin à gaz NEUF",
        ("Chaise de bureau Seattle – Confort, design & vérin à gaz NEUF", "Le Plessis-Robinson"),
    ),
    "anchored-two-word-town": ("Studio Aix en Provence", "Studio", ("Studio", "Aix en Provence")),
    "anchored-case-differs": (
        "VIAGER en ardèche Villevocance",
        "viager en Ardèche",
        ("VIAGER en ardèche", "Villevocance"),
    ),
    "apostrophe-town": ("Maison L'Aigle", "Maison", ("Maison", "L'Aigle")),
    "no-title": (
        "Toyota Yaris IV Première 2021 en très bon état Lyon",
        None,
        ("Toyota Yaris IV Première 2021 en très bon état", "Lyon"),
    ),
    "no-title-article": (
        "Chaise NEUF Le Plessis-Robinson",
        None,
        ("Chaise NEUF", "Le Plessis-Robinson"),
    ),
    "no-title-saint": ("Appartement Saint Malo", None, ("Appartement", "Saint Malo")),
    "longer-description": (
        "Poêle à bois en fonte Plérin",
        "Poêle à bois",
        ("Poêle à bois en fonte", "Plérin"),
    ),
    "title-is-whole-head": ("Poussette", "Poussette", None),
    "title-of-words-is-whole-head": ("Maison Vue Mer", "Maison Vue Mer", None),
    "empty-head": ("", "Canapé", None),
    "lower-case-end": ("vends vélo pas cher", None, None),
}


@pytest.mark.parametrize(("head", "title", "expected"), HEADS.values(), ids=HEADS.keys())
def test_split_head(head: str, title: str | None, expected: tuple[str | None, str] | None) -> None:
    assert split_head(head, title) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Villevocance", True),
        ("Le Plessis-Robinson", True),
        ("L’Aigle", True),
        ("Bourg-lès-Valence", True),
        ("en fonte Plérin", False),
        ("2021 Lyon", False),
        ("", False),
        ("A" * 61, False),
    ],
)
def test_is_town(text: str, expected: bool) -> None:
    assert is_town(text) is expected


def test_collapse_makes_nfc() -> None:
    decomposed = "Ardèche".replace("è", "e\u0300")
    assert collapse(f" viager\ten  {decomposed}\r") == "viager en Ardèche"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("Immobilier", "immobilier"),
        ("Bonnes affaires", "bonnes_affaires"),
        ("BONNES  AFFAIRES ", "bonnes_affaires"),
        ("Emploi", "emploi"),
        ("Véhicules & Loisirs", "vehicules_loisirs"),
    ],
)
def test_slug(header: str, expected: str) -> None:
    assert slug(header) == expected
