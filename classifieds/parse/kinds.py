"""What an ad is: its family (real estate, vehicles), property type, vehicle type and model.

Precision over recall, as in :mod:`.attributes`: ``None`` unless the text says one thing. The
readers work on :func:`~classifieds.parse.wording.fold` output; each is one combined pattern
run once over the text, its matches looked up in a table by their folded key.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from classifieds.models import REAL_ESTATE, VEHICLES, family_of
from classifieds.parse import _models
from classifieds.parse import _vocabulary as vocab
from classifieds.parse.vehicles import MAKE_OF_ALIAS, MODEL_OF_NAME, Mentions, mentions_of
from classifieds.parse.wording import alternation, compact, ends_before, first_words, fold, words_of

__all__ = [
    "REAL_ESTATE",
    "VEHICLES",
    "family_of",
    "model_of",
    "property_type_of",
    "vehicle_type_of",
]

DWELLING_TYPES: Final = frozenset({"maison", "appartement", "immeuble"})
# A later noun may name what a vehicle of these kinds carries or is built on: "remorque
# porte-voiture", "camping-car sur base fourgon".
CARRIERS: Final = frozenset({"camping_car", "remorque"})
# Kinds whose wording outranks what the model table says: "Clio société utilitaire".
OUTRANKS_MODEL: Final = frozenset({"camping_car", "remorque", "utilitaire"})


def _words(words: object) -> str:
    return rf"(?<![\w])(?:{alternation(words)})(?![\w])"  # type: ignore[arg-type]


_JOB: Final = re.compile(_words(vocab.JOB_WORDS))
_TOY: Final = re.compile(_words(vocab.TOY_WORDS))
_JOB_CUES: Final = first_words(vocab.JOB_WORDS)
_TOY_CUES: Final = first_words(vocab.TOY_WORDS)

# --- property type ------------------------------------------------------------------------

_PROPERTY_BY_KEY: Final = MappingProxyType({compact(k): v for k, v in vocab.PROPERTY_NOUNS.items()})
_PROPERTY: Final = re.compile(
    rf"""
    (?<![\w])(?P<noun>{alternation(vocab.PROPERTY_NOUNS)})(?![\w])
    | (?<![\w.,'])(?P<code>[tf]\ ?[1-9])(?:\ ?bis)?(?![\w])   # "T3", "F 2 bis": a flat
    """,
    re.VERBOSE,
)


def _not_property_after() -> dict[str, re.Pattern[str]]:
    """Return, by a noun's key, what after it makes it no property: its kind's words and its own."""
    found = {}
    for noun, kind in vocab.PROPERTY_NOUNS.items():
        words = (
            *vocab.NOT_PROPERTY_AFTER.get(kind, ()),
            *vocab.NOT_NOUN_PROPERTY_AFTER.get(noun, ()),
        )
        if words:
            found[compact(noun)] = re.compile(rf"\ (?:{alternation(words)})(?![\w])")
    return found


_NOT_PROPERTY_AFTER: Final = MappingProxyType(_not_property_after())
_PROPERTY_CUES: Final = first_words(vocab.PROPERTY_NOUNS) | {
    f"{letter}{n}{bis}" for letter in "tf" for n in ("", *"123456789") for bis in ("", "bis")
}
# "DPE F", "classe énergie F 2": an energy grade, not a flat type.
ENERGY_BEFORE: Final = re.compile(r"(?:dpe|ges|classe|energ\w*|climat)\W*$")


def property_type_of(text: str, words: frozenset[str] | None = None) -> str | None:
    """Return the kind of property a real-estate ad lets or sells: its first property noun.

    A plot or a shop with a dwelling named after it ("terrain avec maison") is not told.

    >>> property_type_of(fold("Vends pavillon 5 pièces avec garage"))
    'maison'
    >>> property_type_of(fold("Terrain de tennis à louer")) is None
    True
    """
    if words is None:
        words = words_of(text)
    if words.isdisjoint(_PROPERTY_CUES) or _is_job(text, words):
        return None
    first: str | None = None
    for m in _PROPERTY.finditer(text):
        if m.group("code"):
            if ends_before(ENERGY_BEFORE, text, m.start(), span=20):
                continue
            kind = "appartement"
        else:
            key = compact(m.group("noun"))
            kind = _PROPERTY_BY_KEY[key]
            not_after = _NOT_PROPERTY_AFTER.get(key)
            if not_after is not None and not_after.match(text, m.end()):
                continue
        if first is None:
            first = kind
            if kind not in ("terrain", "local_commercial"):
                return kind
        elif kind in DWELLING_TYPES:
            return None
    return first


# --- model --------------------------------------------------------------------------------


def _model_table(by_kind: Mapping[str | None, str]) -> Mapping[str, tuple[str, str | None]]:
    """Return a make's models by folded key: (canonical name, kind)."""
    return MappingProxyType(
        {
            compact(fold(name).replace("-", " ")): (name, kind)
            for kind, names in by_kind.items()
            for name in names.split(", ")
        }
    )


_MODELS: Final = MappingProxyType(
    {make: _model_table(by_kind) for make, by_kind in _models.MODELS_BY_MAKE.items()}
)
# The alternation's spelling of each name: a space, which also matches a hyphen or nothing,
# where a hyphen is and between letters and digits ("MT-07": "mt07", "Z900": "z 900").
_MODELS_FOLDED: Final = MappingProxyType(
    {
        make: {
            key: (re.sub(r"(?<=[a-z])(?=[0-9])", " ", fold(name).replace("-", " ")), kind)
            for key, (name, kind) in table.items()
        }
        for make, table in _MODELS.items()
    }
)
# A model right after its make (one "nouvelle" between at most), or starting with it ("DS 3").
_MODEL_AT: Final = MappingProxyType(
    {
        make: re.compile(
            r"[\s-]?(?:(?:nouvelle|nouveau|new)\ )?"
            rf"(?P<model>{alternation(name for name, _ in table.values())})(?![\w+])"
        )
        for make, table in _MODELS_FOLDED.items()
    }
)


def model_of(
    text: str, make: str | None, mentions: Mentions | None = None
) -> tuple[str | None, str | None]:
    """Return the ad's model of ``make`` in canonical spelling and the kind of vehicle it is.

    >>> model_of(fold("Peugeot 208 GT Line 2019"), "Peugeot")
    ('208', 'voiture')
    >>> model_of(fold("Yamaha MT07 A2"), "Yamaha")
    ('MT-07', 'moto')
    """
    table = _MODELS.get(make) if make else None
    if table is None:
        return None, None
    at = _MODEL_AT[str(make)]
    if mentions is None:
        mentions = mentions_of(text, words_of(text))
    found: set[tuple[str, str | None]] = set()
    spans: list[tuple[int, int]] = []
    for mention in mentions.makes:
        if MAKE_OF_ALIAS[compact(mention.group())] != make:
            continue
        for start in (mention.end(), mention.start()):
            m = at.match(text, start)
            if m is not None:
                found.add(table[compact(m.group("model"))])
                spans.append(m.span("model"))
                break
    for m in mentions.models:
        key = compact(m.group())
        # A name inside a longer one found after the make: "Grand Scénic", "Sandero Stepway".
        inside = any(start <= m.start() and m.end() <= end for start, end in spans)
        if MODEL_OF_NAME[key] == make and key in table and not inside:
            found.add(table[key])
    return found.pop() if len(found) == 1 else (None, None)


# --- vehicle type -------------------------------------------------------------------------

_VEHICLE_BY_KEY: Final = MappingProxyType({compact(k): v for k, v in vocab.VEHICLE_NOUNS.items()})
# "porte-moto", "porte vélo" name what a carrier carries.
_VEHICLE_CUES: Final = first_words(vocab.VEHICLE_NOUNS)
_VEHICLE: Final = re.compile(
    rf"(?<![\w])(?<!porte )(?<!porte-)(?:{alternation(vocab.VEHICLE_NOUNS)})(?![\w])"
)


def _is_job(text: str, words: frozenset[str]) -> bool:
    return not words.isdisjoint(_JOB_CUES) and _JOB.search(text) is not None


def is_no_vehicle(text: str, words: frozenset[str] | None = None) -> bool:
    """Whether a vehicle ad is a job offer or a toy: "Garage Renault recrute", "Moto jouet"."""
    if words is None:
        words = words_of(text)
    return _is_job(text, words) or (
        not words.isdisjoint(_TOY_CUES) and _TOY.search(text) is not None
    )


def vehicle_type_of(
    text: str, make: str | None, model_kind: str | None, words: frozenset[str] | None = None
) -> str | None:
    """Return the kind of vehicle an ad sells: its wording first, then its model, then its make.

    >>> vehicle_type_of(fold("Camping-car Fiat Ducato 2015"), "Fiat", "utilitaire")
    'camping_car'
    >>> vehicle_type_of(fold("Yamaha 125 très bon état"), "Yamaha", None)
    'moto'
    """
    said: str | None = None
    if words is None:
        words = words_of(text)
    for m in [] if words.isdisjoint(_VEHICLE_CUES) else _VEHICLE.finditer(text):
        kind = _VEHICLE_BY_KEY[compact(m.group())]
        if said is None:
            said = kind
        elif kind != said and said not in CARRIERS:
            return None  # "voiture ou moto": two vehicles
    if said == vocab.OTHER_VEHICLE:
        return None  # a boat, a quad, a bike: of no kind, whatever its make usually makes
    if said is None:
        return model_kind or _models.KIND_OF_MAKE.get(make or "")
    if model_kind is not None and model_kind != said and said not in OUTRANKS_MODEL:
        return None
    return said
