"""Prices as the widget's price slot prints them: amounts, terms, ranges, and what is no price.

Precision over recall: a row's amount is what the slot states without doubt; a slot that states
no one price (a range, a floor, a price per unit or per week) keeps its ad with a null amount;
digits the grammar does not read are ``bad_price``, never a number guessed.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from classifieds.models import Ad
from classifieds.parse.ads import build_ad, parse_page
from classifieds.parse.normalize import split_detail
from classifieds.parse.prices import MAX_PRICE_EUR, Price, parse_price, read_price

DATA = Path(__file__).parent.parent / "data"
RENT, SALE = "location", "vente"


def row(raw: str, expected: Price | None, id: str, *, xfail: str = "") -> Any:
    marks = [pytest.mark.xfail(strict=True, reason=xfail)] if xfail else []
    return pytest.param(raw, expected, id=id, marks=marks)


PRICE_ROWS = [
    # amounts as the widget prints them
    row("605€", Price(605.0), "plain"),
    row("16 200€", Price(16200.0), "thousands-space"),
    row("22 900 €", Price(22900.0), "space-before-euro"),
    row("60\u00a0000\u00a0€", Price(60000.0), "nbsp"),
    row("16\u202f200\u202f€", Price(16200.0), "narrow-nbsp"),
    row("1\u2009800€", Price(1800.0), "thin-space"),
    row("12,50€", Price(12.5), "cents-comma"),
    row("1 234,5 €", Price(1234.5), "one-decimal"),
    row("1 200,50 €", Price(1200.5), "grouped-with-cents"),
    row("1.800€", Price(1800.0), "dot-thousands"),
    row("1.200 €", Price(1200.0), "dot-thousands-space-before-euro"),
    row("1.200,50 €", Price(1200.5), "dot-thousands-comma-cents"),
    row("12.50€", Price(12.5), "dot-cents"),
    row("1 250 000€", Price(1250000.0), "millions"),
    row("450 EUR", Price(450.0), "eur-word"),
    row("1200 EUR", Price(1200.0), "eur-word-plain-digits"),
    row("450 euros", Price(450.0), "euros-word"),
    row("1 200 euros", Price(1200.0), "euros-word-grouped"),
    row("1200euros", Price(1200.0), "euros-glued"),
    row("605", Price(605.0), "no-sign"),
    row("0€", Price(0.0), "zero"),
    row("€ 1 200", Price(1200.0), "euro-sign-first"),
    row("EUR 450", Price(450.0), "eur-first"),
    row("Prix : 1 200 €", Price(1200.0), "prix-label"),
    row("Prix: 1200", Price(1200.0), "prix-label-no-sign"),
    row("PRIX 90€", Price(90.0), "prix-label-capitals"),
    # a rent's terms: the amount, and a let
    row("500 €/mois", Price(500.0, RENT), "per-month"),
    row("500 € / mois", Price(500.0, RENT), "per-month-spaced"),
    row("500€/Mois", Price(500.0, RENT), "per-month-capital"),
    row("450 € par mois", Price(450.0, RENT), "par-mois"),
    row("450 euros/mois", Price(450.0, RENT), "euros-per-month"),
    row("750 € CC", Price(750.0, RENT), "cc"),
    row("750€ cc", Price(750.0, RENT), "cc-lower"),
    row("750 € C.C.", Price(750.0, RENT), "cc-dotted"),
    row("750 € CC/mois", Price(750.0, RENT), "cc-per-month"),
    row("750 € - CC", Price(750.0, RENT), "dash-cc"),
    row("750€ charges comprises", Price(750.0, RENT), "charges-comprises"),
    row("750 € charges incluses", Price(750.0, RENT), "charges-incluses"),
    row("450 €/mois charges comprises", Price(450.0, RENT), "per-month-charges"),
    row("650 € HC", Price(650.0, RENT), "hc"),
    row("650 € hors charges", Price(650.0, RENT), "hors-charges"),
    row("650 € + charges", Price(650.0, RENT), "plus-charges"),
    row("Loyer : 650 €", Price(650.0, RENT), "loyer-label"),
    # a sale's fees: the amount, and a sale
    row("250 000 € FAI", Price(250000.0, SALE), "fai"),
    row("250 000 € F.A.I.", Price(250000.0, SALE), "fai-dotted"),
    row("250 000 € HAI", Price(250000.0, SALE), "hai"),
    row("12 500 € net vendeur", Price(12500.0, SALE), "net-vendeur"),
    row("185 000 € honoraires inclus", Price(185000.0, SALE), "honoraires-inclus"),
    row("Prix de vente : 150 000 € FAI", Price(150000.0, SALE), "prix-de-vente-label"),
    # taxes and bargaining: the amount
    row("1 200 € HT", Price(1200.0), "ht"),
    row("1 200 € TTC", Price(1200.0), "ttc"),
    row("1 200 € H.T.", Price(1200.0), "ht-dotted"),
    row("15 000 € à débattre", Price(15000.0), "a-debattre"),
    row("15 000 € A DEBATTRE", Price(15000.0), "a-debattre-capitals"),
    row("15 000 € à discuter", Price(15000.0), "a-discuter"),
    row("900 € négociable", Price(900.0), "negociable"),
    row("900 € prix ferme", Price(900.0), "prix-ferme"),
    row("50 € le lot", Price(50.0), "le-lot"),
    # terms in parentheses: as without them
    row("390 € (CC)", Price(390.0, RENT), "cc-in-parentheses"),
    row("750 € (charges comprises)", Price(750.0, RENT), "charges-in-parentheses"),
    row("250 000 € (FAI)", Price(250000.0, SALE), "fai-in-parentheses"),
    row("1 200 € ( HT )", Price(1200.0), "ht-in-spaced-parentheses"),
    row("500 € (CC) (à débattre)", Price(500.0, RENT), "two-groups"),
    row("500 € (CC, à débattre)", Price(500.0, RENT), "two-terms-in-one-group"),
    row("500 € CC (à débattre)", Price(500.0, RENT), "bare-then-parenthesised"),
    row("450 € (/semaine)", Price(None, RENT), "per-week-in-parentheses"),
    row("15 k€", Price(15000.0), "thousands-as-k"),
    row("250K€", Price(250000.0), "thousands-as-k-upper"),
    row("1,5 k€", Price(1500.0), "thousands-as-k-decimal"),
    row("250 k euros FAI", Price(250000.0, SALE), "thousands-as-k-words"),
    row("100 - 150 k€", Price(None), "range-in-thousands"),
    # no one price: the ad kept, the amount null
    row("à partir de 90 €", Price(None), "a-partir-de"),
    row("A partir de 450 €/mois", Price(None, RENT), "a-partir-de-per-month"),
    row("Prix : à partir de 90 €", Price(None), "prix-a-partir-de"),
    row("dès 90 €", Price(None), "des"),
    row("jusqu'à 200 €", Price(None), "jusqu-a"),
    row("environ 15 000 €", Price(None), "environ"),
    row("100 - 150 €", Price(None), "range-dash"),
    row("100 € - 150 €", Price(None), "range-dash-both-signs"),
    row("100–150 €", Price(None), "range-en-dash"),
    row("1 200 - 1 500 €", Price(None), "range-grouped"),
    row("100 à 150 €", Price(None), "range-a"),
    row("de 100 à 150 €", Price(None), "range-de-a"),
    row("entre 100 et 150 €", Price(None), "range-entre-et"),
    row("100/150 €", Price(None), "range-slash"),
    row("500 € ou 450 €", Price(None), "a-choice-of-two"),
    row("500 ou 450 €", Price(None), "a-choice-of-two-one-sign"),
    row("500 €/m", Price(None), "per-m-a-month-or-a-m2"),
    row("450 €/semaine", Price(None, RENT), "per-week"),
    row("80 € la nuit", Price(None, RENT), "per-night"),
    row("12 000 €/an", Price(None, RENT), "per-year"),
    row("3 000 €/m²", Price(None), "per-m2"),
    row("3 000 € le m2", Price(None), "per-m2-words"),
    row("10 € pièce", Price(None), "per-piece"),
    row("10 € l'unité", Price(None), "per-unit"),
    row("10 € chacun", Price(None), "each"),
    # no price: None (bad_price if it holds digits)
    row("1,800€", None, "english-thousands"),
    row("1,2,3€", None, "garbage-digits"),
    row("Prix sur demande", None, "words"),
    row("450$", None, "dollars"),
    row("1 200 $", None, "dollars-spaced"),
    row("-450€", None, "negative"),
    row("16 20€", None, "bad-grouping"),
    row("12 5 0€", None, "scattered-digits"),
    row("15 k", None, "k-without-a-sign"),
    row("k€ 15", None, "k-before-the-amount"),
    row("1.500 k€", None, "k-of-dot-grouped-thousands-1-5-or-1-500"),
    row("1 500 k€", None, "k-of-grouped-thousands"),
    row("1.234,5 K€", None, "k-of-grouped-thousands-with-cents"),
    row("15 km €", None, "km-is-no-k"),
    row("750 cc", None, "cc-without-euro-is-a-cylinder"),
    row("100 - 150", None, "range-without-euro"),
    row("100 et 150 €", None, "et-without-entre"),
    row("de 150 €", None, "de-without-range"),
    row("€ 100 €", None, "two-signs"),
    row("1²00 €", None, "superscript-digit"),
    row("1 200 € l'ami", None, "unknown-words"),
    row("450 € CC 1 200 €", None, "two-prices"),
    row("9" * 400 + "€", None, "400-digits"),
    row("500 € (x2)", None, "unknown-words-in-parentheses"),
    row("500 € ou", None, "ou-without-a-second"),
    row("500 € ou 450 € sans le meuble", None, "a-choice-then-unknown-words"),
    row("500 €/ml", None, "per-linear-metre"),
    row("500 € (CC", None, "parenthesis-left-open"),
    row("500 € CC)", None, "parenthesis-never-opened"),
    row("500 € ((CC))", None, "nested-parentheses"),
    row("500 € ()", None, "empty-parentheses"),
    row("750 (cc)", None, "cylinder-in-parentheses-without-euro"),
    row("1 500 000 000€", None, "over-a-billion"),
    row("١٠€", None, "arabic-indic-digits"),
]


@pytest.mark.parametrize(("raw", "expected"), PRICE_ROWS)
def test_read_price(raw: str, expected: Price | None) -> None:
    assert read_price(raw) == expected
    assert parse_price(raw) == (None if expected is None else expected.eur)


# --- in an ad: kept or rejected, and the transaction the terms tell ---------------------------

# (section, title, price slot) -> (price_eur, transaction) or a reject reason
AD_ROWS = [
    pytest.param("Immobilier", "Appartement T2", "500 €/mois", (500.0, RENT), id="rent-per-month"),
    pytest.param("Immobilier", "Appartement T2", "750 € CC", (750.0, RENT), id="rent-cc"),
    pytest.param("Immobilier", "Maison", "1 200 € CC", (1200.0, RENT), id="rent-by-terms-only"),
    pytest.param("Immobilier", "Maison", "8 000 € CC", (8000.0, RENT), id="rent-in-price-gap"),
    pytest.param(
        "Immobilier", "Maison", "35 000 €/mois", (35000.0, None), id="rent-terms-sale-sized-price"
    ),
    pytest.param("Immobilier", "Maison", "12 500 € FAI", (12500.0, SALE), id="sale-in-price-gap"),
    pytest.param("Immobilier", "Parking", "650 € FAI", (650.0, None), id="sale-terms-rent-price"),
    pytest.param(
        "Immobilier", "Maison à vendre", "650 €/mois", (650.0, SALE), id="wording-before-terms"
    ),
    pytest.param("Immobilier", "Viager occupé", "500 €/mois", (500.0, "viager"), id="viager-rent"),
    pytest.param(
        "Immobilier",
        "Échange maison contre appartement",
        "650 €/mois",
        (650.0, None),
        id="swap-stays-none",
    ),
    pytest.param(
        "Immobilier", "Studio", "à partir de 450 €/mois", (None, RENT), id="floor-of-a-rent"
    ),
    pytest.param("Immobilier", "Terrain", "100 - 150 €", (None, None), id="range-kept"),
    pytest.param("Bonnes affaires", "Tondeuse", "90 € à débattre", (90.0, None), id="goods"),
    pytest.param("Bonnes affaires", "Chaises", "10 € pièce", (None, None), id="goods-per-piece"),
    pytest.param("Automobile", "Peugeot 208", "12 500 € TTC", (12500.0, None), id="car-ttc"),
    pytest.param("Automobile", "Clio", "0 € à débattre", (None, None), id="zero-with-terms"),
    pytest.param("Immobilier", "Studio", "390 € (CC)", (390.0, RENT), id="rent-cc-parenthesised"),
    pytest.param(
        "Immobilier", "Maison", "250 000 € (FAI) (à débattre)", (250000.0, SALE), id="two-groups"
    ),
    pytest.param("Bonnes affaires", "Table", "1,800€", "bad_price", id="still-bad"),
    pytest.param("Bonnes affaires", "Table", "50 € (x2)", "bad_price", id="unknown-parenthesis"),
    pytest.param("Bonnes affaires", "Table", "Prix sur demande", (None, None), id="no-digits"),
]


@pytest.mark.parametrize(("section", "title", "price_raw", "expected"), AD_ROWS)
def test_an_ad_keeps_its_price_terms(
    section: str, title: str, price_raw: str, expected: Any
) -> None:
    ad = build_ad(section, title, f"{title} Caen (14000) {price_raw} Découvrir")
    if isinstance(expected, str):
        assert ad == expected
    else:
        assert isinstance(ad, Ad)
        assert (ad.price_eur, ad.transaction) == expected
        assert ad.price_raw == price_raw  # as printed, whatever it states


def test_price_terms_fixture_page() -> None:
    """A widget of price slots with terms: every ad kept, each with the amount it states."""
    text = (DATA / "price_terms.txt").read_text(encoding="utf-8")
    found = [(ad.title, ad.price_eur, ad.price_raw, ad.transaction) for ad in parse_page(text)]
    assert found == [
        ("Appartement T2 lumineux", 500.0, "500 €/mois", RENT),
        ("Studio meublé centre", 450.0, "450 € CC", RENT),
        ("Maison 5 pièces jardin", 250000.0, "250 000 € FAI", SALE),
        ("Local commercial 80 m2", 1200.0, "1 200 € HT", RENT),
        ("Résidence étudiante", None, "à partir de 390 €/mois", RENT),
        ("Chambre chez l'habitant", 390.0, "390 € (CC)", RENT),
        ("Peugeot 208 GT Line", 15000.0, "15 000 € à débattre", None),
        ("Lot de chaises", None, "10 € pièce", None),
        ("Vélo adulte", None, "100 - 150 €", None),
        ("Table de jardin", 1200.0, "€ 1 200", None),
    ]


def test_the_widget_goes_on_after_a_stray_line_to_an_ad_with_terms_in_parentheses() -> None:
    text = (
        "Petites Annonces\nImmobilier\nMaison Caen\nMaison Caen Caen (14000) 150 000€ Découvrir\n"
        "Publicité : abonnez-vous !\nStudio meublé\n"
        "Studio meublé Caen (14000) 390 € (CC) Découvrir\n"
    )
    assert [(ad.title, ad.price_eur) for ad in parse_page(text)] == [
        ("Maison Caen", 150000.0),
        ("Studio meublé", 390.0),
    ]


@pytest.mark.parametrize(
    ("detail", "expected"),
    [
        pytest.param(
            "T2 Caen (14000) 500 € (CC) Découvrir", ("T2 Caen", "14000", "500 € (CC)"), id="one"
        ),
        pytest.param(
            "T2 Caen (14000) 500 € (CC) (à débattre) Découvrir",
            ("T2 Caen", "14000", "500 € (CC) (à débattre)"),
            id="two",
        ),
        pytest.param(
            "Lot (3 pièces) Caen (14000) 5 € (le lot) Découvrir",
            ("Lot (3 pièces) Caen", "14000", "5 € (le lot)"),
            id="parentheses-on-both-sides",
        ),
        pytest.param("T2 (14000) 1 € (a) (b) (c) Découvrir", None, id="three-groups-too-many"),
        pytest.param("Lot (12345) (neuf) Découvrir", None, id="no-amount-before-the-group"),
        pytest.param("T2 Caen (14000) 500 € (CC Découvrir", None, id="left-open"),
    ],
)
def test_the_postcode_is_found_before_terms_in_parentheses(
    detail: str, expected: tuple[str, str, str] | None
) -> None:
    assert split_detail(detail) == expected


# --- properties -----------------------------------------------------------------------------


def check_reading(raw: str) -> None:
    price = read_price(raw)
    if price is not None and price.eur is not None:
        assert math.isfinite(price.eur) and 0 <= price.eur <= MAX_PRICE_EUR
        assert price.transaction in (None, RENT, SALE)


@settings(max_examples=300)
@given(st.text(max_size=60))
def test_reading_any_text_never_raises_nor_gives_an_absurd_amount(raw: str) -> None:
    check_reading(raw)


PRICE_PIECES = st.sampled_from(
    [*"0123456789", " ", ".", ",", "€", " €", " EUR", "\u00a0", "-", "/", " à ", " et ", "de ",
     "entre ", "à partir de ", " CC", "/mois", " HT", " FAI", "Prix : ", " pièce", "m²", "²",
     " k", "k€", " K€", " ou ", "/m"]
)  # fmt: skip


@settings(max_examples=500)
@given(st.lists(PRICE_PIECES, min_size=1, max_size=12))
def test_reading_price_like_text_never_raises_nor_gives_an_absurd_amount(
    pieces: list[str],
) -> None:
    """Digits, separators and terms in any order: mixed groupings ("1.184 902") included."""
    check_reading("".join(pieces))


@given(
    st.integers(min_value=1, max_value=10**9),
    st.sampled_from([" ", "\u00a0", "\u202f", ""]),
    st.sampled_from(["€", " €", " EUR", " euros"]),
    st.sampled_from(["", " CC", "/mois", " à débattre", " HT", " TTC", " FAI", " net vendeur"]),
)
def test_an_amount_with_terms_of_payment_reads_as_the_amount(
    amount: int, separator: str, sign: str, terms: str
) -> None:
    printed = f"{amount:,}".replace(",", separator) + sign + terms
    price = read_price(printed)
    assert price is not None and price.eur == amount


@given(
    st.integers(min_value=1, max_value=10**6),
    st.sampled_from(["", ",5", ",25"]),
    st.sampled_from(["k€", " k€", " K€", "k euros", " keur"]),
)
def test_an_amount_in_thousands_reads_as_its_euros(units: int, cents: str, sign: str) -> None:
    price = read_price(f"{units}{cents}{sign}")
    amount = round((units + (int(cents[1:]) / 10 ** len(cents[1:]) if cents else 0)) * 1000, 2)
    assert price == (Price(amount) if amount <= MAX_PRICE_EUR else None)


@given(
    st.integers(min_value=1, max_value=10**6),
    st.integers(min_value=1, max_value=10**6),
    st.sampled_from(["{} - {} €", "{} € - {} €", "de {} à {} €", "entre {} et {} €", "{}/{} €"]),
)
def test_a_range_is_never_one_price(low: int, high: int, layout: str) -> None:
    assert read_price(layout.format(f"{low:,}".replace(",", " "), high)) == Price(None)


@given(
    st.integers(min_value=1, max_value=10**6),
    st.sampled_from(["à partir de {} €", "dès {} €", "{} €/semaine", "{} € pièce", "{} €/m²"]),
)
def test_a_floor_or_a_unit_price_is_never_the_price(amount: int, layout: str) -> None:
    price = read_price(layout.format(amount))
    assert price is not None and price.eur is None
