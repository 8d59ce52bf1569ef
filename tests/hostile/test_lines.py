"""Hostile widget lines: each bad line is a reject with its reason, the ads around it survive,
and no value is read wrong (a null, or a reject, rather than a wrong number or town)."""

from __future__ import annotations

import pytest

from classifieds.models import Reject
from classifieds.parse.ads import AdBook, parse_page

BEFORE = "Immobilier\nStudio\nStudio Caen (14000) 450€ Découvrir\n"
AFTER = "Maison\nMaison Bayeux (14400) 250 000€ Découvrir\nVélo\nVélo Vire (14500) 80€ Découvrir\n"


def between(lines: str) -> tuple[list[tuple[str, str, float | None]], list[str]]:
    """Return the ads and the reject reasons of a widget with ``lines`` among good ads."""
    text = f"Petites Annonces\n{BEFORE}{lines}{AFTER}"
    found = AdBook().occurrences(text, "page")
    return [(a.title, a.town, a.price_eur) for a in found.ads], [
        r.reason for r in found.rejects if isinstance(r, Reject)
    ]


GOOD = [("Studio", "Caen", 450.0), ("Maison", "Bayeux", 250000.0), ("Vélo", "Vire", 80.0)]

BAD_LINES = {
    "long-detail-after-its-title": (
        "Pavillon\nPavillon " + "très " * 1_000 + "Caen (14000) 1€ Découvrir\n",
        ["line_too_long"],
    ),
    "long-detail-alone": (
        "Pavillon " + "x" * 5_000 + " Caen (14000) 1€ Découvrir\n",
        ["line_too_long"],
    ),
    "long-junk-line": ("x" * 5_000 + "\n", ["line_too_long"]),
    "long-title": ("T" * 5_000 + "\nPavillon Caen (14000) Découvrir\n", ["line_too_long"]),
    "400-digit-price": ("Lot\nLot Caen (14000) " + "9" * 400 + "€ Découvrir\n", ["bad_price"]),
    "price-over-a-billion": ("Lot\nLot Caen (14000) 1 500 000 000€ Découvrir\n", ["bad_price"]),
    "arabic-indic-postcode": ("Lot\nLot Caen (١٤٠٠٠) 10€ Découvrir\n", ["no_postcode"]),
    "arabic-indic-price": ("Lot\nLot Caen (14000) ١٠€ Découvrir\n", ["bad_price"]),
    "town-over-100-characters": (
        "Lot\nLot " + "-".join(["Saint"] * 30) + " (14000) 10€ Découvrir\n",
        ["no_town"],
    ),
}


@pytest.mark.parametrize(("lines", "reasons"), BAD_LINES.values(), ids=BAD_LINES.keys())
def test_a_bad_line_is_a_reject_and_the_widget_goes_on(lines: str, reasons: list[str]) -> None:
    ads, rejected = between(lines)
    assert rejected == reasons
    assert [ad for ad in ads if ad in GOOD] == GOOD
    assert len(ads) in (3, 4)  # the good ads, and (a long title aside) nothing read wrong


ODD_BUT_GOOD = {
    "oe-town": ("Lot\nLot Œuilly (51480) 10€ Découvrir\n", ("Lot", "Œuilly", 10.0)),
    "ae-town": ("Lot\nLot Æbeltoft (14000) 10€ Découvrir\n", ("Lot", "Æbeltoft", 10.0)),
    "full-width-digits": ("Lot\nLot Caen （１４０００） １０€ Découvrir\n", ("Lot", "Caen", 10.0)),
    "zero-width-spaces": (
        "Lo\u200bt\nLo\u200bt Ca\u200ben (14000) 10€ Découvrir\n",
        ("Lot", "Caen", 10.0),
    ),
    "bidi-override": ("Lot\nLot \u202eCaen\u202c (14000) 10€ Découvrir\n", ("Lot", "Caen", 10.0)),
    "soft-hyphen": ("Lot\nLot Bay\u00adeux (14400) 10€ Découvrir\n", ("Lot", "Bayeux", 10.0)),
}


@pytest.mark.parametrize(("lines", "ad"), ODD_BUT_GOOD.values(), ids=ODD_BUT_GOOD.keys())
def test_odd_but_good_lines_are_read(lines: str, ad: tuple[str, str, float]) -> None:
    ads, rejected = between(lines)
    assert rejected == [] and ads == [GOOD[0], ad, *GOOD[1:]]


def test_invisible_characters_do_not_split_duplicates() -> None:
    plain = parse_page("Petites Annonces\nStudio\nStudio Caen (14000) 450€ Découvrir\n")
    spoofed = parse_page(
        "Petites Annonces\nStu\u200bdio\nStu\u200bdio Ca\u2066en (14000) 450€ Découvrir\n"
    )
    assert [a.listing_id for a in plain] == [a.listing_id for a in spoofed]


def test_many_widgets_on_one_page_keep_their_line_numbers() -> None:
    widget = "Petites Annonces\nStudio\nStudio Caen (14000) 450€ Découvrir\n"
    text = widget + "x\n" * 3 + widget.replace("Caen", "Vire")
    found = AdBook().occurrences(text * 2, "page")
    assert found.lines == [3, 9]  # each ad once, at its first detail line
