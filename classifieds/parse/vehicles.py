"""Vehicle attributes read from an ad's folded text: make, fuel, mileage; parts and gear apart.

Precision over recall, as in :mod:`.attributes`: ``None`` unless the text says one thing.
"""

from __future__ import annotations

import re
from itertools import pairwise
from types import MappingProxyType
from typing import Final, NamedTuple

from classifieds.parse import _models
from classifieds.parse import _vocabulary as vocab
from classifieds.parse.wording import (
    alternation,
    compact,
    ends_before,
    first_words,
    fold,
    words_of,
)

MILEAGE_KM_MAX: Final = 2_000_000

MAKE_MENTION: Final = re.compile(rf"(?<![\w])(?:{alternation(vocab.MAKES)})(?![\w])")
MODEL_MENTION: Final = re.compile(rf"(?<![\w])(?:{alternation(vocab.MODELS)})(?![\w])")
_MAKE_FIRST: Final = first_words(vocab.MAKES)
_MODEL_FIRST: Final = first_words(vocab.MODELS)
MAKE_OF_ALIAS: Final = MappingProxyType({compact(k): v for k, v in vocab.MAKES.items()})
MODEL_OF_NAME: Final = MappingProxyType({compact(k): v for k, v in vocab.MODELS.items()})
# An ad whose first noun is a part or gear sells that, not a vehicle: the brand and numbers
# in "4 pneus DUNLOP…", "Jantes Peugeot 16 pouces" or "Moteur 1.5 dCi 98 000 km" are not the
# ad's vehicle.
PARTS_LEAD: Final = re.compile(
    rf"""
    (?:(?:lot|jeu|paire|kit)\ de\ )?(?:[0-9]{{1,2}}\ ?x?\ ?)?    # "lot de 4", "4 x", "2"
    (?:{alternation(vocab.PARTS)})s?(?![\w])
    (?!(?<=porte)[\s-](?:voiture|moto|bateau)s?(?![\w]))   # "porte-voiture" is a trailer
    """,
    re.VERBOSE,
)


def _fuel_words() -> dict[str, str]:
    """Return the one-word spellings of each fuel, by word of the folded text."""
    hybrid = ("hybrid", "hybride", "hybrides", "hybrids", "hybrid4")
    words = {
        **{prefix + word: "hybride" for prefix in ("", "full", "mild", "micro") for word in hybrid},
        "phev": "hybride",
        "mhev": "hybride",
        "plugin": "hybride",
        "rechargeable": "rechargeable",
        "rechargeables": "rechargeable",
        "electric": "electrique",  # plural "électriques" is equipment
        "electrique": "electrique",
        "gpl": "gpl",
        "lpg": "gpl",
    }
    for kind, codes in (("diesel", vocab.DIESEL_CODES), ("essence", vocab.PETROL_CODES)):
        for code in codes:
            # A space in a code also matches nothing ("sans plomb", "sansplomb").
            if "-" not in code:
                words[code.replace(" ", "")] = kind
    return words


# A fuel is told by one word of the text, looked up in a table; the few spellings of two words
# ("sans plomb", "d-4d", "plug-in") by one small pattern, run only when their first word is there.
_FUEL_WORDS: Final = MappingProxyType(_fuel_words())
_TWO_WORD_CODES: Final = MappingProxyType(
    {
        code: kind
        for kind, codes in (("diesel", vocab.DIESEL_CODES), ("essence", vocab.PETROL_CODES))
        for code in codes
        if " " in code or "-" in code
    }
    | {"plug in": "hybride"}
)
_FUEL_PHRASES: Final = MappingProxyType({compact(k): v for k, v in _TWO_WORD_CODES.items()})
_FUEL_PHRASE: Final = re.compile(rf"(?<![\w])(?:{alternation(_TWO_WORD_CODES)})(?![\w])")
_FUEL_PHRASE_FIRST: Final = first_words(_TWO_WORD_CODES)
# "vitre électrique", "toit ouvrant électrique": equipment, up to three words before.
_EQUIPMENT_BEFORE: Final = re.compile(
    rf"(?<![\w])(?:{alternation(vocab.EQUIPMENT)})s?(?![\w])(?: [\w']+){{0,3}} ?$"
)
_EQUIPMENT_WORDS: Final = first_words(vocab.EQUIPMENT, plural=True)
_ELECTRIC: Final = re.compile(r"(?<![\w])electri(?:c|que)(?![\w])")
_FUEL_NAMES: Final = MappingProxyType({"electrique": "électrique"})
_HYBRID_PARTNERS: Final = frozenset({"hybride", "essence", "electrique", "diesel"})


# "non diesel", "pas de diesel": a fuel the vehicle has not. "sans plomb" is a fuel.
_NEGATED_FUEL: Final = re.compile(
    rf"(?<![\w])(?:non|pas)(?:\ (?:de|d'|un|en))?\ ?(?:{alternation(_FUEL_WORDS)})(?![\w])"
)
_NEGATIONS: Final = frozenset({"non", "pas"})


class Mentions(NamedTuple):
    """Where a folded text names makes and distinctive models: found once, read by each step."""

    makes: list[re.Match[str]]
    models: list[re.Match[str]]


def mentions_of(text: str, words: frozenset[str]) -> Mentions:
    """Return the mentions of makes and models in a folded text of these ``words``."""
    # The patterns are long alternations: run only if one of their first words is there.
    makes = [] if words.isdisjoint(_MAKE_FIRST) else list(MAKE_MENTION.finditer(text))
    models = [] if words.isdisjoint(_MODEL_FIRST) else list(MODEL_MENTION.finditer(text))
    return Mentions(makes, models)


def make_of(text: str, mentions: Mentions | None = None) -> str | None:
    """Return the one make a folded text names, by name or by a model only it makes.

    >>> make_of("clio 4 dci"), make_of("peugeot ou renault"), make_of("citroen ds3")
    ('Renault', None, 'Citroën')
    """
    if mentions is None:
        mentions = mentions_of(text, words_of(text))
    found = {MAKE_OF_ALIAS[compact(m.group())] for m in mentions.makes}
    found |= {MODEL_OF_NAME[compact(m.group())] for m in mentions.models}
    if len(found) == 1:
        return found.pop()
    return vocab.PARENT_OF_PAIR.get(frozenset(found))


def fuel_of(text: str, words: frozenset[str] | None = None) -> str | None:
    """Return the fuel the folded text names; ``words`` are its words (:func:`.words_of`).

    >>> fuel_of("peugeot 208 1.2 puretech 2019"), fuel_of("clio sans plomb vitres electriques")
    ('essence', 'essence')
    """
    if words is None:
        words = words_of(text)
    fuels = {_FUEL_WORDS[word] for word in words if word in _FUEL_WORDS}
    if fuels and not words.isdisjoint(_NEGATIONS) and _NEGATED_FUEL.search(text):
        # "non diesel", "pas de diesel": a fuel the vehicle has not; the others are read as
        # usual ("hybride non diesel" is a hybrid, "clio non diesel" has none).
        text = _NEGATED_FUEL.sub(" ", text)
        words = words_of(text)
        fuels = {_FUEL_WORDS[word] for word in words if word in _FUEL_WORDS}
    if not words.isdisjoint(_FUEL_PHRASE_FIRST):
        fuels.update(_FUEL_PHRASES[compact(m)] for m in _FUEL_PHRASE.findall(text))
    # Electric only if one mention is not a piece of equipment's.
    if (
        "electrique" in fuels
        and not words.isdisjoint(_EQUIPMENT_WORDS)
        and all(ends_before(_EQUIPMENT_BEFORE, text, m.start()) for m in _ELECTRIC.finditer(text))
    ):
        fuels.discard("electrique")
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
    (?<![\w.,/-])(?P<num>[0-9]{1,3}(?:[ .][0-9]{3})+|[0-9]{1,7})(?![0-9])   # not "MT-07 100"
    \ ?(?:kms?|kilometres?)(?![\w])(?!\ ?/)             # "km/h" is a speed, "km/an" a yearly use
    (?!\ de\ garantie)                                   # "50 000 km de garantie"
    | kilometrage\ ?:?\ ?(?P<num2>[0-9]{1,3}(?:[ .][0-9]{3})+|[0-9]{1,7})(?![0-9.,])
    """,
    re.VERBOSE,
)
# Distances, ranges, warranties and maintenance milestones, not the odometer.
_KM_BEFORE: Final = re.compile(
    rf"""
    (?:\b(?:a|de|ou|et|tous\ les|chaque|rayon|jusqu'a)
      |(?<![\w])(?:autonomie|consommation|moteur|boite|{alternation(vocab.SERVICE_WORDS)})
        (?![\w])(?:\ [a-z']+){{0,3}})                     # a few words between
    \ ?:?\ ?$
    """,
    re.VERBOSE,
)


_KM_BEFORE_WORDS: Final = first_words(
    (
        "a",
        "de",
        "ou",
        "et",
        "tous les",
        "chaque",
        "rayon",
        "jusqu'a",
        "autonomie",
        "consommation",
        "moteur",
        "boite",
        *vocab.SERVICE_WORDS,
    )
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


_WORD: Final = re.compile(r"[a-z0-9]+")


def _name_words() -> frozenset[str]:
    """Return the words of makes' and models' names: "clio", "serie", "peugeot"."""
    names = [*vocab.MAKES, *vocab.MODELS]
    for by_kind in _models.MODELS_BY_MAKE.values():
        for listed in by_kind.values():
            names.extend(fold(name) for name in listed.split(", "))
    return frozenset(w for name in names for w in _WORD.findall(name))


# A name's number and a short mileage read as one: "Clio 4 100 km" is 4 100 km or a Clio 4
# with 100 km, "Peugeot 208 120 km" 208 120 km or 120 km.
_NAME_WORDS: Final = _name_words()

# "2018 km 50 000": "km" is the label of the number after it, and the one before is a year;
# not in "2000 km 2019", where the number after is the year.
_LABEL_AFTER: Final = re.compile(r" ?[.:]? ?(?!(?:19|20)[0-9]{2}(?![0-9]))[0-9]")
# A distance ("5 km de Caen", "2 km du centre") or a range ("300 km d'autonomie"): under
# DISTANCE_KM_MAX only, "95 000 km de ville" and "80 000 km du premier propriétaire" are the
# odometer's.
_DISTANCE_AFTER: Final = re.compile(r" (?:(?:de|du|des) (?!origine)|d'(?!origine)|autonomie)")
DISTANCE_KM_MAX: Final = 1_000


def _name_pairs() -> frozenset[tuple[str, str]]:
    """Return the (word, number) pairs that names hold: ("peugeot", "208"), ("mt", "07")."""
    pairs: set[tuple[str, str]] = set()
    for key, make in vocab.MAKES.items():
        make_words = _WORD.findall(key)
        for listed in _models.MODELS_BY_MAKE.get(make, {}).values():
            for name in listed.split(", "):
                words = [*make_words, *_WORD.findall(fold(name))]
                pairs.update(pairwise(words))
    for name in vocab.MODELS:
        words = _WORD.findall(name)
        pairs.update(pairwise(words))
    return frozenset((word, number) for word, number in pairs if number.isdigit())


_NAME_PAIRS: Final = _name_pairs()


def _name_and_mileage(raw: str, text: str, start: int) -> bool:
    """Whether "4 100" at ``start`` may be a name's number and a mileage: after a make's or a
    model's word, its first group one digit (a generation, "Clio 4") or the number that word
    names ("Peugeot 208"; not "Clio 125 400")."""
    first, last = raw.split(" ")
    if last == "000":
        return False
    before = _WORD.findall(text, max(0, start - 30), start)
    if not before or not before[-1].isalpha():
        return False
    if len(first) == 1:
        return before[-1] in _NAME_WORDS
    return (before[-1], first) in _NAME_PAIRS


def mileage_of(text: str, words: frozenset[str] | None = None) -> int | None:
    """Return the odometer reading a folded text states.

    >>> mileage_of("clio 98 000 km"), mileage_of("distribution faite a 120 000 km")
    (98000, None)
    """
    if "km" not in text and "kilom" not in text:
        return None
    if words is None:
        words = words_of(text)
    cues = not words.isdisjoint(_KM_BEFORE_WORDS)
    values: set[int] = set()
    for m in _KM.finditer(text):
        if cues and m.group("num") and ends_before(_KM_BEFORE, text, m.start()):
            continue
        raw = m.group("num") or m.group("num2")
        if len(raw) == 4 and raw[:2] in ("19", "20") and _LABEL_AFTER.match(text, m.end()):
            continue
        if raw.count(" ") == 1 and _name_and_mileage(raw, text, m.start()):
            continue
        value = _km(raw)
        if value < DISTANCE_KM_MAX and m.group("num") and _DISTANCE_AFTER.match(text, m.end()):
            continue
        if value <= MILEAGE_KM_MAX:
            values.add(value)
    return values.pop() if len(values) == 1 else None
