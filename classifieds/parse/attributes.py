"""Attributes of an ad read from its text: transaction, surface and land, rooms, property type,
vehicle type, make, model, year, fuel, mileage.

Precision over recall: each reader returns ``None`` unless the text says one thing clearly. Two
different values for the same attribute, a number that could be something else (a model name,
a distance, a maintenance date), or wording contradicted by the price all give ``None``.

Every reader works on :func:`fold` output (lower case, no accents, one ASCII space between
words), so the patterns, all compiled at import, only spell the unaccented forms.
"""

from __future__ import annotations

import math
import re
from types import MappingProxyType
from typing import Final, NamedTuple

from classifieds.parse import _vocabulary as vocab
from classifieds.parse.areas import PROPERTY_WORDS, RANGE_BEFORE, areas_of
from classifieds.parse.kinds import (
    ENERGY_BEFORE,
    REAL_ESTATE,
    family_of,
    is_no_vehicle,
    model_of,
    property_type_of,
    vehicle_type_of,
)
from classifieds.parse.vehicles import PARTS_LEAD, fuel_of, make_of, mentions_of, mileage_of
from classifieds.parse.wording import (
    alternation,
    ends_before,
    first_words,
    fold,
    words_of,
)

__all__ = ["Attributes", "extract_attributes"]

# French rents rarely exceed 3 000 €/month outside luxury Paris, and no dwelling sells for so
# little; sales start around 30 000 € (garages, plots) and no rent comes near it. Prices in
# between are both (a garage sold for 8 000 €, a villa let for 5 000 €/month): no guess.
RENT_MAX_EUR: Final = 3_000.0
SALE_MIN_EUR: Final = 30_000.0
# "0 €" and "1 €" are placeholders that push an ad to the top of a price-sorted list.
PLACEHOLDER_MAX_EUR: Final = 10.0

ROOMS_MAX: Final = 20
BUILT_YEAR_RANGE: Final = (1900, 2030)
MODEL_YEAR_RANGE: Final = (1950, 2030)
TRANSACTIONS: Final = frozenset({"vente", "location", "viager"})
FUELS: Final = frozenset({"essence", "diesel", "hybride", "électrique", "gpl"})


class Attributes(NamedTuple):
    transaction: str | None
    surface_m2: float | None
    rooms: int | None
    make: str | None
    year: int | None
    fuel: str | None
    mileage_km: int | None
    land_m2: float | None = None
    property_type: str | None = None
    vehicle_type: str | None = None
    model: str | None = None


_NONE: Final = Attributes(None, None, None, None, None, None, None)

# --- transaction ----------------------------------------------------------------------------

# "point de vente" is a shop's selling floor; a bare "CC" is also a "centre commercial".
_SALE_WORDS: Final = re.compile(
    rf"(?<!point de )(?<!surface de )(?<![\w])(?:{alternation(vocab.SALE_WORDS)})(?![\w])"
)
_RENT_WORDS: Final = re.compile(
    rf"""
    (?<![\w])(?:{alternation(vocab.RENT_WORDS)})(?![\w])
    | /\ ?(?:mois|semaine|nuit)\b                               # "650 €/mois"
    | (?:[0-9]|€|\beuros?)\ ?(?:/\ ?mois\ ?)?(?:cc|c\.c\.?)(?![\w])   # "650 € CC"
    """,
    re.VERBOSE,
)
# Only the unaccented "loue" ("je loue"): "loué" describes a let flat that is being sold.
_LOUE: Final = re.compile(r"(?<![\w])loue(?![\w])")
_FURNISHED: Final = re.compile(r"\bmeublee?s?\b")
# Words one of which a text holds if a pattern can match it: a pattern runs only then.
_SALE_CUES: Final = first_words(vocab.SALE_WORDS)
_RENT_CUES: Final = first_words(vocab.RENT_WORDS) | {"mois", "semaine", "nuit", "cc", "c"}
_FURNISHED_CUES: Final = frozenset({"meuble", "meublee", "meubles", "meublees"})


def _by_price(price: float | None) -> str | None:
    if price is None:
        return None
    if price <= RENT_MAX_EUR:
        return "location"
    return "vente" if price >= SALE_MIN_EUR else None


def _transaction(
    text: str,
    lowered: str,
    price_eur: float | None,
    words: frozenset[str],
    price_transaction: str | None,
) -> str | None:
    price = price_eur
    if price is None or not math.isfinite(price) or price < PLACEHOLDER_MAX_EUR:
        price = None
    if "viager" in words:
        return "viager"
    sale = not words.isdisjoint(_SALE_CUES) and _SALE_WORDS.search(text) is not None
    rent = (
        (not words.isdisjoint(_RENT_CUES) or "cc" in text)  # "650cc" is one word
        and _RENT_WORDS.search(text) is not None
    ) or ("loue" in words and _LOUE.search(lowered) is not None)
    if sale and rent:
        return _by_price(price)
    if sale:
        return "vente"
    if rent:
        # A rent of 30 000 € or more does not exist: the cue was about something else.
        return None if price is not None and price >= SALE_MIN_EUR else "location"
    if "echange" in words or "echanger" in words:
        return None  # a swap ("échange maison contre appartement") is neither: no price guess
    if price_transaction == "location":  # the price's terms: "650 €/mois", "650 € CC"
        return None if price is not None and price >= SALE_MIN_EUR else "location"
    if price_transaction == "vente":  # "250 000 € FAI", "net vendeur"
        return None if price is not None and price <= RENT_MAX_EUR else "vente"
    if price is None and not words.isdisjoint(_FURNISHED_CUES) and _FURNISHED.search(text):
        return "location"  # a weak hint: furnished lets far outnumber furnished sales
    return _by_price(price)


# --- rooms ----------------------------------------------------------------------------------

# Each branch starts by taking a character and then looks behind it, rather than looking
# behind first: a pattern that starts with a character class lets the regex engine skip to
# the places where it can match (3 times fewer tries on a typical ad).
_ROOMS: Final = re.compile(
    r"""
    (?P<n>[0-9](?<![\w.,][0-9])[0-9]?)\ ?(?:pieces?|p\.|p)(?![\w])   # "5 pièces", "3 p.", "3P"
      (?!\ ?(?:de\ vie|a\ vivre|d'eau))                          # a living room, not a count
    | (?P<tf>[tf](?<![\w.,'][tf])\ ?[0-9]{1,2})(?:\ ?bis)?(?![\w])  # "T3", "F 4", "T3 bis"
    | t(?<![\w]t)ype\ ?(?P<type>[0-9]{1,2})(?![\w])             # "type 3"
      (?!\ (?:niveaux?|etages?|chambres?|ch|salles?|places?|personnes?|pers|facades?)(?![\w]))
                                                                # not "type 2 niveaux"
    | (?P<word>d(?<![\w]d)eux|t(?<![\w]t)rois|q(?<![\w]q)uatre|c(?<![\w]c)inq
        |s(?<![\w]s)ix|s(?<![\w]s)ept|h(?<![\w]h)uit|d(?<![\w]d)ix)\ pieces\b
                                                                # "neuf" is "new" too
    """,
    re.VERBOSE,
)
_NUMBER_WORDS: Final = MappingProxyType(
    dict(deux=2, trois=3, quatre=4, cinq=5, six=6, sept=7, huit=8, dix=10)
)
_FIRST_PROPERTY: Final = re.compile(rf"(?<![\w])(?:{alternation(PROPERTY_WORDS)})(?![\w])")


def _rooms(text: str, property_type: str | None) -> int | None:
    counts: set[int] = set()
    for m in _ROOMS.finditer(text):
        if m.group("n") and ends_before(RANGE_BEFORE, text, m.start()):
            return None
        if m.group("tf") and ends_before(ENERGY_BEFORE, text, m.start(), span=20):
            continue
        raw = m.group("n") or m.group("type") or (m.group("tf") or "")[1:].strip()
        n = int(raw) if raw else _NUMBER_WORDS[m.group("word")]
        if 1 <= n <= ROOMS_MAX:
            counts.add(n)
    # "Studio" only counts when it is the property itself, not "maison avec studio"; a studio
    # has one room, so another count ("studio ou T2", "studio dans maison T5") is not its own.
    studio = "stud" in text and property_type == "appartement"  # not a photo studio
    first = _FIRST_PROPERTY.search(text) if studio else None
    if first is not None and first.group() in {"studio", "studette"}:
        counts.add(1)
    return counts.pop() if len(counts) == 1 else None


# --- years ----------------------------------------------------------------------------------

_YEAR: Final = re.compile(
    r"""
    (?<![\w.,/°#'-])                           # a whole token: "e-2008", "n°2015" are not years
    (?:(?P<month>0?[1-9]|1[0-2])/)?            # "03/2019": month of first registration
    (?P<year>19[0-9]{2}|20[0-9]{2})
    (?![0-9]|[.,/-][0-9])                      # not more digits, a decimal or a range
    (?!\ ?(?:kilom\w*|ch|cv|kw|cc|cm3|cm|mm|m2|m|h|heures|tours|tr|kg|t|ttc|ht|e|eur|euros?)
        (?![a-z0-9-])|\ ?[€$%])               # a quantity (mileage, power, price), not "E-Tech"
    (?!\ ?kms?(?![a-z0-9-])                    # a mileage, unless "km" labels the next
      (?!\ ?[.:]?\ ?(?!(?:19|20)[0-9]{2}(?![0-9]))[0-9]))  # number, which is no year
    """,
    re.VERBOSE,
)
# Real estate: a year is the construction's only when the text says so.
_BUILT_CUE: Final = re.compile(
    rf"""
    (?:\bconstruction|\b(?:construite?s?|batie?s?|edifiee?s?)\ en|\bdatant\ de
      |(?<![\w])(?:{alternation(vocab.DWELLINGS)})\ de)   # "maison de 1930"
    (?:\ ?(?:de|en|:|\())?\ ?$
    """,
    re.VERBOSE,
)
_MODEL_YEAR_CUE: Final = re.compile(
    r"\b(?:de|du|annee|an|mec|mise en circulation|modele|millesime|immatriculation|version"
    r"|fin|debut) ?:? ?$"
)
# Maintenance and paperwork dates: "CT OK jusqu'au 05/2025", "distribution faite en 2020".
_SERVICE_BEFORE: Final = re.compile(
    rf"""
    (?<![\w])(?:ct|controle|{alternation(vocab.SERVICE_WORDS)})(?![\w])
    (?:(?!\b(?:de|du|annee|mec|modele|millesime)\b)[^.;!?]){{0,25}}$   # unless a year cue follows
    """,
    re.VERBOSE,
)
_LABEL_BEFORE: Final = re.compile(rf"(?<![\w])(?:{alternation(vocab.LABEL_WORDS)})\W{{0,3}}$")
_WORD_BEFORE: Final = re.compile(r"[a-z] ?$")
_BUILT_CUES: Final = first_words(vocab.DWELLINGS) | {
    "construction",
    "datant",
    *(stem + end for stem in ("construit", "bati", "edifie") for end in ("", "e", "s", "es")),
}
_SERVICE_CUES: Final = first_words(("ct", "controle", *vocab.SERVICE_WORDS))
_LABEL_CUES: Final = first_words(vocab.LABEL_WORDS)
_MODEL_YEAR_CUES: Final = frozenset(
    {"de", "du", "annee", "an", "mec", "mise", "modele", "millesime", "immatriculation"}
    | {"version", "fin", "debut"}
)


def _year(
    text: str, vehicle: bool, words: frozenset[str], make_ends: frozenset[int] = frozenset()
) -> int | None:
    """Return the one year the text states; ``make_ends`` are where its makes' names end."""
    low, high = MODEL_YEAR_RANGE if vehicle else BUILT_YEAR_RANGE
    years: set[int] = set()
    # The cue patterns run only when one of their words is in the text.
    built = not vehicle and not words.isdisjoint(_BUILT_CUES)
    service = vehicle and not words.isdisjoint(_SERVICE_CUES)
    label = vehicle and not words.isdisjoint(_LABEL_CUES)
    model_year = vehicle and not words.isdisjoint(_MODEL_YEAR_CUES)
    for m in _YEAR.finditer(text):
        year, start = int(m.group("year")), m.start()
        if not low <= year <= high:
            continue
        if not vehicle:
            if built and ends_before(_BUILT_CUE, text, start):
                years.add(year)
            continue
        if (service and ends_before(_SERVICE_BEFORE, text, start)) or (
            label and ends_before(_LABEL_BEFORE, text, start)
        ):
            continue
        if m.group("month") or (model_year and ends_before(_MODEL_YEAR_CUE, text, start)):
            years.add(year)
            continue
        # A number right after a make is a model ("Peugeot 2008", "Rover 2000"); a round one
        # after any word may be too ("Kawasaki VN 2000", "Triumph 2000").
        if (
            start in make_ends
            or (start - 1 in make_ends and text[start - 1] == " ")
            or (year % 50 == 0 and ends_before(_WORD_BEFORE, text, start))
        ):
            continue
        if not any(year in nums and make in text for make, nums in vocab.MODEL_NUMBERS.items()):
            years.add(year)
    return years.pop() if len(years) == 1 else None


def extract_attributes(
    category: str, text: str, price_eur: float | None, price_transaction: str | None = None
) -> Attributes:
    """Read what the ad's text says clearly; fields outside the category's family stay ``None``.

    *text* is the title and description joined by a space; *price_eur* is only used to tell a
    sale from a let, and so is *price_transaction*, what the price's terms tell
    (:class:`~classifieds.parse.prices.Price`): it counts only where the wording says nothing.
    The family (real estate, vehicles) is told by the words of the category
    (:func:`~classifieds.parse.kinds.family_of`): "Immo" and "Auto-Moto" sections count too.

    >>> extract_attributes("immobilier", "Appartement T3 à vendre 65 m2", 145000.0)[:3]
    ('vente', 65.0, 3)
    >>> extract_attributes("automobile", "Toyota Yaris IV Première 2021", 22900.0)[3:]
    ('Toyota', 2021, None, None, None, None, 'voiture', 'Yaris')
    """
    family = family_of(category)
    if family is None:
        return _NONE
    # One fold and one split into words for all the readers: each pattern runs only when one
    # of its words is there, and the mentions of makes are found once for make, model and year.
    folded = fold(text)
    words = words_of(folded)
    if family == REAL_ESTATE:
        property_type = property_type_of(folded, words)
        surface, land = areas_of(folded, property_type)
        return _NONE._replace(
            transaction=_transaction(folded, text.lower(), price_eur, words, price_transaction),
            surface_m2=surface,
            land_m2=land,
            # A plot has no rooms; a building's T codes count its flats' ("3 appartements T2").
            rooms=None
            if property_type in ("terrain", "immeuble")
            else _rooms(folded, property_type),
            property_type=property_type,
            year=_year(folded, False, words),
        )
    if is_no_vehicle(folded, words):
        return _NONE
    if PARTS_LEAD.match(folded):
        return _NONE._replace(vehicle_type="piece")
    mentions = mentions_of(folded, words)
    make = make_of(folded, mentions)
    model, model_kind = model_of(folded, make, mentions)
    return _NONE._replace(
        make=make,
        model=model,
        vehicle_type=vehicle_type_of(folded, make, model_kind, words),
        year=_year(folded, True, words, frozenset(m.end() for m in mentions.makes)),
        fuel=fuel_of(folded, words),
        mileage_km=mileage_of(folded, words),
    )
