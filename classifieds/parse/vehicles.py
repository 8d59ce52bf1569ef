"""Vehicle attributes read from an ad's folded text: make, fuel, mileage; parts and gear apart.

Precision over recall, as in :mod:`.attributes`: ``None`` unless the text says one thing.
"""

from __future__ import annotations

import re
from types import MappingProxyType
from typing import Final

from classifieds.parse import _vocabulary as vocab
from classifieds.parse.wording import alternation, compact, ends_before

MILEAGE_KM_MAX: Final = 2_000_000

MAKE_MENTION: Final = re.compile(rf"(?<![\w])(?:{alternation(vocab.MAKES)})(?![\w])")
MODEL_MENTION: Final = re.compile(rf"(?<![\w])(?:{alternation(vocab.MODELS)})(?![\w])")
MAKE_BEFORE: Final = re.compile(rf"(?<![\w])(?:{alternation(vocab.MAKES)})\ ?$")
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

_FUEL: Final = re.compile(
    rf"""
    (?P<hybride>(?<![\w])(?:(?:full|mild|micro)[\s-]?)?hybrid(?:e|es|s|4)?(?![\w])
      |\b(?:phev|mhev)\b|\bplug[\s-]?in\b)
    | (?P<rechargeable>\brechargeables?\b)
    | (?P<electrique>(?<![\w])electri(?:c|que)(?![\w]))  # plural "électriques" is equipment
    | (?P<diesel>(?<![\w])(?:{alternation(vocab.DIESEL_CODES)})(?![\w]))
    | (?P<essence>(?<![\w])(?:{alternation(vocab.PETROL_CODES)})(?![\w]))
    | (?P<gpl>\b(?:gpl|lpg)\b)
    """,
    re.VERBOSE,
)
# "vitre électrique", "toit ouvrant électrique": equipment, up to three words before.
_EQUIPMENT_BEFORE: Final = re.compile(
    rf"(?<![\w])(?:{alternation(vocab.EQUIPMENT)})s?(?![\w])(?: [\w']+){{0,3}} ?$"
)
_FUEL_NAMES: Final = MappingProxyType({"electrique": "électrique"})
_HYBRID_PARTNERS: Final = frozenset({"hybride", "essence", "electrique", "diesel"})


def make_of(text: str) -> str | None:
    found = {MAKE_OF_ALIAS[compact(m)] for m in MAKE_MENTION.findall(text)}
    found |= {MODEL_OF_NAME[compact(m)] for m in MODEL_MENTION.findall(text)}
    if len(found) == 1:
        return found.pop()
    return vocab.PARENT_OF_PAIR.get(frozenset(found))


def fuel_of(text: str) -> str | None:
    fuels: set[str] = set()
    for m in _FUEL.finditer(text):
        kind = str(m.lastgroup)
        if not (kind == "electrique" and ends_before(_EQUIPMENT_BEFORE, text, m.start())):
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
      |(?<![\w])(?:autonomie|consommation|moteur|boite|{alternation(vocab.SERVICE_WORDS)})
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


def mileage_of(text: str) -> int | None:
    values: set[int] = set()
    for m in _KM.finditer(text):
        if m.group("num") and ends_before(_KM_BEFORE, text, m.start()):
            continue
        value = _km(m.group("num") or m.group("num2"))
        if value <= MILEAGE_KM_MAX:
            values.add(value)
    return values.pop() if len(values) == 1 else None
