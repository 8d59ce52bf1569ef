"""Attributes of an ad read from its text: transaction, surface, rooms, make, year, fuel, mileage.

Precision over recall: each reader returns ``None`` unless the text says one thing clearly. Two
different values for the same attribute, a number that could be something else (a model name,
a distance, a maintenance date), or wording contradicted by the price all give ``None``.

Every reader works on :func:`_fold` output (lower case, no accents, one ASCII space between
words), so the patterns, all compiled at import, only spell the unaccented forms.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import Final, NamedTuple

from classifieds.parse import _vocabulary as vocab

__all__ = ["Attributes", "extract_attributes"]

# French rents rarely exceed 3 000 €/month outside luxury Paris, and no dwelling sells for so
# little; sales start around 30 000 € (garages, plots) and no rent comes near it. Prices in
# between are both (a garage sold for 8 000 €, a villa let for 5 000 €/month): no guess.
RENT_MAX_EUR: Final = 3_000.0
SALE_MIN_EUR: Final = 30_000.0
# "0 €" and "1 €" are placeholders that push an ad to the top of a price-sorted list.
PLACEHOLDER_MAX_EUR: Final = 10.0

ROOMS_MAX: Final = 20
SURFACE_M2_RANGE: Final = (1.0, 1_000_000.0)
MILEAGE_KM_MAX: Final = 2_000_000
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


_NONE: Final = Attributes(None, None, None, None, None, None, None)

_FOLD: Final = str.maketrans(
    "àâäáãåçéèêëîïíìôöóòõùûüúÿñ²³’‘–—",
    "aaaaaaceeeeiiiiooooouuuuyn23''--",
) | str.maketrans({"œ": "oe", "æ": "ae"})


def _fold(text: str) -> str:
    """Lower-case, strip accents and turn every run of spaces (NBSP included) into one space.

    >>> _fold("Citroën  C3\u00a0–  98\u202f000 km, 93 m²")
    'citroen c3 - 98 000 km, 93 m2'
    """
    return " ".join(text.lower().split()).translate(_FOLD)


def _number(raw: str) -> float:
    """Read a number as French ads write it: space or dot thousands, comma or dot decimals.

    >>> _number("1 200"), _number("120.000"), _number("93,5"), _number("93.5")
    (1200.0, 120000.0, 93.5, 93.5)
    """
    whole, _, frac = raw.replace(" ", "").partition(",")
    # A dot before exactly three digits groups thousands ("120.000"); otherwise it is decimal.
    if not frac and "." in whole and len(whole.rsplit(".", 1)[1]) != 3:
        whole, _, frac = whole.partition(".")
    return float(whole.replace(".", "") + "." + (frac or "0"))


def _alternation(words: Iterable[str]) -> str:
    """Regex alternation of folded words, longest first, a space also matching '-' or nothing.

    >>> print(_alternation(["rover", "land rover"]))
    land[\\s-]?rover|rover
    """
    keys = sorted(words, key=len, reverse=True)
    return "|".join(r"[\s-]?".join(map(re.escape, k.split())) for k in keys)


def _compact(word: str) -> str:
    return word.replace(" ", "").replace("-", "")


def _before(pattern: re.Pattern[str], text: str, start: int, span: int = 40) -> bool:
    """Whether *pattern*, anchored with ``$``, ends right before *start* (within *span*)."""
    return pattern.search(text, max(0, start - span), start) is not None


# --- transaction ----------------------------------------------------------------------------

_VIAGER: Final = re.compile(r"\bviager\b")
# "point de vente" is a shop's selling floor; a bare "CC" is also a "centre commercial".
_SALE_WORDS: Final = re.compile(
    rf"(?<!point de )(?<!surface de )(?<![\w])(?:{_alternation(vocab.SALE_WORDS)})(?![\w])"
)
_RENT_WORDS: Final = re.compile(
    rf"""
    (?<![\w])(?:{_alternation(vocab.RENT_WORDS)})(?![\w])
    | /\ ?(?:mois|semaine|nuit)\b                               # "650 €/mois"
    | (?:[0-9]|€|\beuros?)\ ?(?:/\ ?mois\ ?)?(?:cc|c\.c\.?)(?![\w])   # "650 € CC"
    """,
    re.VERBOSE,
)
# Only the unaccented "loue" ("je loue"): "loué" describes a let flat that is being sold.
_LOUE: Final = re.compile(r"(?<![\w])loue(?![\w])")
_FURNISHED: Final = re.compile(r"\bmeublee?s?\b")


def _by_price(price: float | None) -> str | None:
    if price is None:
        return None
    if price <= RENT_MAX_EUR:
        return "location"
    return "vente" if price >= SALE_MIN_EUR else None


def _transaction(text: str, lowered: str, price_eur: float | None) -> str | None:
    price = price_eur
    if price is None or not math.isfinite(price) or price < PLACEHOLDER_MAX_EUR:
        price = None
    if _VIAGER.search(text):
        return "viager"
    sale = _SALE_WORDS.search(text) is not None
    rent = _RENT_WORDS.search(text) is not None or _LOUE.search(lowered) is not None
    if sale and rent:
        return _by_price(price)
    if sale:
        return "vente"
    if rent:
        # A rent of 30 000 € or more does not exist: the cue was about something else.
        return None if price is not None and price >= SALE_MIN_EUR else "location"
    if price is None and _FURNISHED.search(text):
        return "location"  # a weak hint: furnished lets far outnumber furnished sales
    return _by_price(price)


# --- surface and rooms ----------------------------------------------------------------------

# The upper end of a range, "de 30 à 65 m2", "2 à 4 pièces", "30/65 m2": no single value.
_RANGE_BEFORE: Final = re.compile(r"(?<![\w.,])[0-9][0-9.,]*(?: ?m2)?(?: (?:a|au|ou|et|x) |-|/)$")

_AREA: Final = re.compile(
    r"""
    (?<![\w.,/])                                        # a whole number, not another's tail
    (?P<num>[0-9]{1,3}(?:[ .][0-9]{3})+(?:,[0-9]{1,2})?  # grouped thousands: 1 200, 1.200,5
      |[0-9]{1,7}(?:[.,][0-9]{1,2})?)                   # plain or decimal: 93, 93,5
    (?![0-9])
    \ ?(?:m2|metres?\ carres?)(?![a-z0-9])               # "m 2" is too ambiguous to read
    """,
    re.VERBOSE,
)
# Noun owning an area -> kind. "main" is the dwelling itself, "land" its plot, "annex" anything
# whose area is not the property's (garage, cellar, a single room).
_MAIN_WORDS: Final = (*vocab.DWELLINGS, *vocab.LIVING_AREA_WORDS)
_PROPERTY_WORDS: Final = (*vocab.DWELLINGS, *vocab.LAND_NOUNS, *vocab.ANNEX_NOUNS, "local")
_AREA_NOUNS: Final = {
    **{_compact(w): "main" for w in _MAIN_WORDS},
    **{_compact(w): "land" for w in vocab.LAND_NOUNS},
    **{_compact(w): "annex" for w in vocab.ANNEX_NOUNS},
}
_AREA_BEFORE: Final = re.compile(
    rf"""
    (?<![\w])(?P<noun>{_alternation((*_MAIN_WORDS, *_PROPERTY_WORDS))}
      |[tf]\ ?[0-9]{{1,2}}(?:\ ?bis)?)(?![\w])   # "T3 de 65 m2" belongs to the flat
    (?:[\s:,(=~-]*(?:{_alternation(vocab.AREA_FILLERS)})(?![\w]))*   # "cave environ 40 m2"
    [\s:,(=~-]*$
    """,
    re.VERBOSE,
)
_AREA_AFTER: Final = re.compile(
    rf"""
    \ ?(?:(?P<main>habitables?|hab\.?|(?:loi\ )?carrez|de\ surface\ habitable
      |sur(?=\ (?:un\ |une\ )?(?:terrain|parcelle|[0-9])))   # "105 m2 sur 500 m2 de terrain"
      |(?:de\ |d')(?P<land>{_alternation(vocab.LAND_NOUNS)})
      |(?P<annex>au\ sol|(?:de\ |d')(?:annexes?|{_alternation(vocab.ANNEX_NOUNS)})))(?![\w])
    """,
    re.VERBOSE,
)


def _area_kind(text: str, start: int, end: int) -> str | None:
    after = _AREA_AFTER.match(text, end)
    if after is not None:
        return after.lastgroup
    before = _AREA_BEFORE.search(text, max(0, start - 60), start)  # the noun is needed
    if before is None:
        return None
    kind = _AREA_NOUNS.get(_compact(before.group("noun")), "main")  # T/F codes are the flat's
    # The ad's first word is what is let or sold: "Garage 20 m2", "Chambre 12 m2".
    return "main" if kind == "annex" and before.start("noun") == 0 else kind


def _surface(text: str) -> float | None:
    by_kind: dict[str | None, set[float]] = {}
    for m in _AREA.finditer(text):
        if _before(_RANGE_BEFORE, text, m.start()):
            return None
        value = _number(m.group("num"))
        if SURFACE_M2_RANGE[0] <= value <= SURFACE_M2_RANGE[1]:
            by_kind.setdefault(_area_kind(text, m.start(), m.end()), set()).add(value)
    main, land = by_kind.get("main", set()), by_kind.get("land", set())
    unknown = by_kind.get(None, set())
    # Annexes never count. The dwelling's own area wins unless an unqualified area competes
    # ("chalet de 20 m2" on a "terrain de loisirs 2500 m2"); a lone unqualified area comes next,
    # then a lone plot area.
    for candidates, rivals in ((main, unknown), (unknown, main | land), (land, main | unknown)):
        if len(candidates) == 1 and not rivals:
            return candidates.pop()
    return None


_ROOMS: Final = re.compile(
    r"""
    (?<![\w.,])(?P<n>[0-9]{1,2})\ ?(?:pieces?|p\.|p)(?![\w])     # "5 pièces", "3 p.", "3P"
      (?!\ ?(?:de\ vie|a\ vivre|d'eau))                          # a living room, not a count
    | (?<![\w.,'])(?P<tf>[tf]\ ?[0-9]{1,2})(?:\ ?bis)?(?![\w])  # "T3", "F 4", "T3 bis"
    | \btype\ ?(?P<type>[0-9]{1,2})(?![\w])                      # "type 3"
    | \b(?P<word>deux|trois|quatre|cinq|six|sept|huit|dix)\ pieces\b  # "neuf" is "new" too
    """,
    re.VERBOSE,
)
_NUMBER_WORDS: Final = dict(deux=2, trois=3, quatre=4, cinq=5, six=6, sept=7, huit=8, dix=10)
# "DPE F 12", "classe énergie F": an energy grade, not a flat type.
_ENERGY_BEFORE: Final = re.compile(r"(?:dpe|ges|classe|energ\w*|climat)\W*$")
_FIRST_PROPERTY: Final = re.compile(rf"(?<![\w])(?:{_alternation(_PROPERTY_WORDS)})(?![\w])")


def _rooms(text: str) -> int | None:
    counts: set[int] = set()
    for m in _ROOMS.finditer(text):
        if m.group("n") and _before(_RANGE_BEFORE, text, m.start()):
            return None
        if m.group("tf") and _before(_ENERGY_BEFORE, text, m.start(), span=20):
            continue
        raw = m.group("n") or m.group("type") or (m.group("tf") or "")[1:].strip()
        n = int(raw) if raw else _NUMBER_WORDS[m.group("word")]
        if 1 <= n <= ROOMS_MAX:
            counts.add(n)
    if counts:
        return counts.pop() if len(counts) == 1 else None
    # "Studio" only counts when it is the property itself, not "maison avec studio".
    first = _FIRST_PROPERTY.search(text)
    return 1 if first is not None and first.group() in {"studio", "studette"} else None


# --- vehicles -------------------------------------------------------------------------------

_MAKE: Final = re.compile(rf"(?<![\w])(?:{_alternation(vocab.MAKES)})(?![\w])")
_MODEL: Final = re.compile(rf"(?<![\w])(?:{_alternation(vocab.MODELS)})(?![\w])")
_MAKE_BEFORE: Final = re.compile(rf"(?<![\w])(?:{_alternation(vocab.MAKES)})\ ?$")
_MAKE_BY_KEY: Final = {_compact(k): v for k, v in vocab.MAKES.items()}
_MODEL_BY_KEY: Final = {_compact(k): v for k, v in vocab.MODELS.items()}
# An ad whose first noun is a part or gear sells that, not a vehicle: the brand and numbers
# in "4 pneus DUNLOP…", "Jantes Peugeot 16 pouces" or "Moteur 1.5 dCi 98 000 km" are not the
# ad's vehicle.
_PARTS_LEAD: Final = re.compile(
    rf"""
    (?:(?:lot|jeu|paire|kit)\ de\ )?(?:[0-9]{{1,2}}\ ?x?\ ?)?    # "lot de 4", "4 x", "2"
    (?:{_alternation(vocab.PARTS)})s?(?![\w])
    """,
    re.VERBOSE,
)

_FUEL: Final = re.compile(
    rf"""
    (?P<hybride>(?<![\w])(?:(?:full|mild|micro)[\s-]?)?hybrid(?:e|es|s|4)?(?![\w])
      |\b(?:phev|mhev)\b|\bplug[\s-]?in\b)
    | (?P<rechargeable>\brechargeables?\b)
    | (?P<electrique>(?<![\w])electri(?:c|que)(?![\w]))  # plural "électriques" is equipment
    | (?P<diesel>(?<![\w])(?:{_alternation(vocab.DIESEL_CODES)})(?![\w]))
    | (?P<essence>(?<![\w])(?:{_alternation(vocab.PETROL_CODES)})(?![\w]))
    | (?P<gpl>\b(?:gpl|lpg)\b)
    """,
    re.VERBOSE,
)
# "vitre électrique", "toit ouvrant électrique": equipment, up to three words before.
_EQUIPMENT_BEFORE: Final = re.compile(
    rf"(?<![\w])(?:{_alternation(vocab.EQUIPMENT)})s?(?![\w])(?: [\w']+){{0,3}} ?$"
)
_FUEL_NAMES: Final = {"electrique": "électrique"}
_HYBRID_PARTNERS: Final = frozenset({"hybride", "essence", "electrique", "diesel"})


def _make(text: str) -> str | None:
    found = {_MAKE_BY_KEY[_compact(m)] for m in _MAKE.findall(text)}
    found |= {_MODEL_BY_KEY[_compact(m)] for m in _MODEL.findall(text)}
    if len(found) == 1:
        return found.pop()
    return vocab.PARENT_OF_PAIR.get(frozenset(found))


def _fuel(text: str) -> str | None:
    fuels: set[str] = set()
    for m in _FUEL.finditer(text):
        kind = str(m.lastgroup)
        if not (kind == "electrique" and _before(_EQUIPMENT_BEFORE, text, m.start())):
            fuels.add(kind)
    # "rechargeable" alone is a plug-in hybrid; next to "électrique" it is the battery.
    if "rechargeable" in fuels:
        fuels.discard("rechargeable")
        if "electrique" not in fuels:
            fuels.add("hybride")
    if "hybride" in fuels:  # a hybrid names its engines: "hybride essence", "moteur électrique"
        return "hybride" if fuels <= _HYBRID_PARTNERS else None
    if fuels == {"gpl", "essence"}:
        return "gpl"  # LPG cars are dual-fuel and say so
    if len(fuels) != 1:
        return None
    fuel = fuels.pop()
    return _FUEL_NAMES.get(fuel, fuel)


_KM: Final = re.compile(
    r"""
    (?<![\w.,/])(?P<num>[0-9]{1,3}(?:[ .][0-9]{3})+|[0-9]{1,7})(?![0-9])
    \ ?(?:kms?|kilometres?)(?![\w])(?!\ ?/)             # "km/h" is a speed, "km/an" a yearly use
    | kilometrage\ ?:?\ ?(?P<num2>[0-9]{1,3}(?:[ .][0-9]{3})+|[0-9]{1,7})(?![0-9.,])
    """,
    re.VERBOSE,
)
# Distances, ranges, warranties and maintenance milestones, not the odometer.
_KM_BEFORE: Final = re.compile(
    rf"""
    (?:\b(?:a|de|ou|et|tous\ les|chaque|rayon|jusqu'a)
      |(?<![\w])(?:autonomie|consommation|moteur|boite|{_alternation(vocab.SERVICE_WORDS)})
        (?![\w])(?:\ [a-z']+){{0,3}})                     # a few words between
    \ ?:?\ ?$
    """,
    re.VERBOSE,
)


def _km(raw: str) -> int:
    """Read an odometer value; three space-separated groups are a model number plus a mileage.

    >>> _km("98 000"), _km("120.000"), _km("208 120 000"), _km("1.150.000"), _km("3 000 000")
    (98000, 120000, 120000, 1150000, 3000000)
    """
    groups = raw.replace(".", " ").split(" ")
    # Title and description are joined by a space: "Peugeot 208" + "120 000 km".
    if len(groups) >= 3 and "." not in raw and groups[-2][0] != "0":
        groups = groups[-2:]
    return int("".join(groups))


def _mileage(text: str) -> int | None:
    values: set[int] = set()
    for m in _KM.finditer(text):
        if m.group("num") and _before(_KM_BEFORE, text, m.start()):
            continue
        value = _km(m.group("num") or m.group("num2"))
        if value <= MILEAGE_KM_MAX:
            values.add(value)
    return values.pop() if len(values) == 1 else None


# --- years ----------------------------------------------------------------------------------

_YEAR: Final = re.compile(
    r"""
    (?<![\w.,/°#'-])                           # a whole token: "e-2008", "n°2015" are not years
    (?:(?P<month>0?[1-9]|1[0-2])/)?            # "03/2019": month of first registration
    (?P<year>19[0-9]{2}|20[0-9]{2})
    (?![0-9]|[.,/-][0-9])                      # not more digits, a decimal or a range
    (?!\ ?(?:kms?|kilom\w*|ch|cv|kw|cc|cm3|cm|mm|m2|m|h|heures|tours|tr|kg|t|ttc|ht|e|eur|euros?)
        (?![a-z0-9-])|\ ?[€$%])               # a quantity (mileage, power, price), not "E-Tech"
    """,
    re.VERBOSE,
)
# Real estate: a year is the construction's only when the text says so.
_BUILT_CUE: Final = re.compile(
    rf"""
    (?:\bconstruction|\b(?:construite?s?|batie?s?|edifiee?s?)\ en|\bdatant\ de
      |(?<![\w])(?:{_alternation(vocab.DWELLINGS)})\ de)   # "maison de 1930"
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
    (?<![\w])(?:ct|controle|{_alternation(vocab.SERVICE_WORDS)})(?![\w])
    (?:(?!\b(?:de|du|annee|mec|modele|millesime)\b)[^.;!?]){{0,25}}$   # unless a year cue follows
    """,
    re.VERBOSE,
)
_LABEL_BEFORE: Final = re.compile(rf"(?<![\w])(?:{_alternation(vocab.LABEL_WORDS)})\W{{0,3}}$")
_WORD_BEFORE: Final = re.compile(r"[a-z] ?$")


def _year(text: str, vehicle: bool) -> int | None:
    low, high = MODEL_YEAR_RANGE if vehicle else BUILT_YEAR_RANGE
    years: set[int] = set()
    for m in _YEAR.finditer(text):
        year, start = int(m.group("year")), m.start()
        if not low <= year <= high:
            continue
        if not vehicle:
            if _before(_BUILT_CUE, text, start):
                years.add(year)
            continue
        if _before(_SERVICE_BEFORE, text, start) or _before(_LABEL_BEFORE, text, start):
            continue
        if m.group("month") or _before(_MODEL_YEAR_CUE, text, start):
            years.add(year)
            continue
        # A number right after a make is a model ("Peugeot 2008", "Rover 2000"); a round one
        # after any word may be too ("Kawasaki VN 2000", "Triumph 2000").
        if _before(_MAKE_BEFORE, text, start) or (
            year % 50 == 0 and _before(_WORD_BEFORE, text, start)
        ):
            continue
        if not any(year in nums and make in text for make, nums in vocab.MODEL_NUMBERS.items()):
            years.add(year)
    return years.pop() if len(years) == 1 else None


def extract_attributes(category: str, text: str, price_eur: float | None) -> Attributes:
    """Read what the ad's text says clearly; fields outside the category stay ``None``.

    *text* is the title and description joined by a space; *price_eur* is only used to tell a
    sale from a let.

    >>> extract_attributes("immobilier", "Appartement T3 à vendre 65 m2", 145000.0)[:3]
    ('vente', 65.0, 3)
    >>> extract_attributes("automobile", "Toyota Yaris IV Première 2021", 22900.0)[3:]
    ('Toyota', 2021, None, None)
    """
    if category == "immobilier":
        folded = _fold(text)
        return _NONE._replace(
            transaction=_transaction(folded, text.lower(), price_eur),
            surface_m2=_surface(folded),
            rooms=_rooms(folded),
            year=_year(folded, vehicle=False),
        )
    if category == "automobile":
        folded = _fold(text)
        if _PARTS_LEAD.match(folded):
            return _NONE
        return _NONE._replace(
            make=_make(folded),
            year=_year(folded, vehicle=True),
            fuel=_fuel(folded),
            mileage_km=_mileage(folded),
        )
    return _NONE
