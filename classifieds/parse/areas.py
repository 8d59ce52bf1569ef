"""Areas of a real-estate ad read from its folded text: the living area and the land's.

Precision over recall, as in :mod:`.attributes`: an area is read when its unit is written
(m2, m², mètres carrés, ha, ares) and a noun or a word around it says whose it is (the
dwelling's, the plot's, an annex's); two values for one, or a measure that cannot be read,
give ``None``.
"""

from __future__ import annotations

import re
from types import MappingProxyType
from typing import Final

from classifieds.parse import _vocabulary as vocab
from classifieds.parse.wording import alternation, compact, ends_before, read_number

__all__ = [
    "M2_PER_ARE",
    "M2_PER_HECTARE",
    "PROPERTY_WORDS",
    "RANGE_BEFORE",
    "SURFACE_M2_RANGE",
    "areas_of",
]

SURFACE_M2_RANGE: Final = (1.0, 1_000_000.0)
# No flat, house or room has 2 000 m2 of living area: such a figure is two numbers read as one
# ("maison années 30 100 m2" is not 30 100 m2) or the plot's.
DWELLING_M2_MAX: Final = 2_000.0
_DWELLING_TYPES: Final = frozenset({"maison", "appartement", "chambre"})

# The upper end of a range, "de 30 à 65 m2", "2 à 4 pièces", "30/65 m2": no single value.
RANGE_BEFORE: Final = re.compile(r"(?<![\w.,])[0-9][0-9.,]*(?: ?m2)?(?: (?:a|au|ou|et|x) |-|/)$")

_AREA: Final = re.compile(
    r"""
    (?P<num>                                   # a whole number, not another's tail
      [0-9](?<![\w.,/][0-9])[0-9]{0,2}(?:[ .][0-9]{3})+(?:,[0-9]{1,2})?  # 1 200, 1.200,5
      |[0-9](?<![\w.,/][0-9])[0-9]{0,6}(?:[.,][0-9]{1,2})?)              # plain or decimal: 93,5
    (?![0-9])
    \ ?(?:m2|metres?\ carres?)(?![a-z0-9])               # "m 2" is too ambiguous to read
    """,
    re.VERBOSE,
)
M2_PER_HECTARE: Final = 10_000.0
M2_PER_ARE: Final = 100.0
# Land measures: hectares, with the ares and centiares French plots add ("1 ha 20 a 30 ca",
# "1ha20"), or ares alone ("15 ares"; a bare "a" is too ambiguous to read).
_LAND_MEASURE: Final = re.compile(
    r"""
    (?P<num>[0-9](?<![\w.,/][0-9])[0-9]{0,3}(?:[.,][0-9]{1,2})?)   # 1, 2,5, 12.5
    \ ?(?:(?P<ha>ha|hectares?)(?![a-z])
      (?:(?P<space>\ ?)(?P<ares>[0-9]{1,2})(?![0-9.,])              # "1 ha 20": its ares
        (?P<unit>\ ?(?:a|ares?)(?![\w])(?:\ ?(?P<ca>[0-9]{1,2})\ ?ca(?![\w]))?)?)?
      |ares?)
    (?![\w])
    """,
    re.VERBOSE,
)
# Noun owning an area -> kind. "main" is the dwelling itself, "land" its plot, "annex" anything
# whose area is not the property's (garage, cellar, a single room).
_MAIN_WORDS: Final = (*vocab.DWELLINGS, *vocab.LIVING_AREA_WORDS)
PROPERTY_WORDS: Final = (*vocab.DWELLINGS, *vocab.LAND_NOUNS, *vocab.ANNEX_NOUNS, "local")
_AREA_NOUNS: Final = MappingProxyType(
    {
        **{compact(w): "main" for w in _MAIN_WORDS},
        **{compact(w): "land" for w in vocab.LAND_NOUNS},
        **{compact(w): "annex" for w in vocab.ANNEX_NOUNS},
    }
)
_AREA_BEFORE: Final = re.compile(
    rf"""
    (?<![\w])(?P<noun>{alternation((*_MAIN_WORDS, *PROPERTY_WORDS))}
      |[tf]\ ?[0-9]{{1,2}}(?:\ ?bis)?)(?![\w])   # "T3 de 65 m2" belongs to the flat
    (?:[\s:,(=~-]*(?:{alternation(vocab.AREA_FILLERS)})(?![\w]))*   # "cave environ 40 m2"
    [\s:,(=~-]*$
    """,
    re.VERBOSE,
)
_AREA_AFTER: Final = re.compile(
    rf"""
    \ ?(?:(?P<main>habitables?|hab\.?|(?:loi\ )?carrez|de\ surface\ habitable
      |sur(?=\ (?:un\ |une\ )?(?:terrain|parcelle|[0-9])))   # "105 m2 sur 500 m2 de terrain"
      |(?:de\ |d')(?P<land>{alternation(vocab.LAND_NOUNS)})
      |(?P<annex>au\ sol|(?:de\ |d')(?:annexes?|{alternation(vocab.ANNEX_NOUNS)})))(?![\w])
    """,
    re.VERBOSE,
)


# "maison de 110 m2 (habitables) sur 600 m2": an area right after another and "sur" is the
# plot the dwelling stands on, unless a noun after it says what it is ("sur 200 m2 d'atelier").
_ON_AREA_BEFORE: Final = re.compile(r"(?:m2|carres?)(?: (?:habitables?|hab\.?))? sur $")
_QUALIFIED_AFTER: Final = re.compile(r" ?(?:de |d')")


def _area_kind(text: str, start: int, end: int) -> str | None:
    after = _AREA_AFTER.match(text, end)
    if after is not None:
        return after.lastgroup
    if (
        start >= 4
        and text.startswith("sur ", start - 4)
        and _QUALIFIED_AFTER.match(text, end) is None
    ):
        # Without an area before it, "maison sur 800 m2" may be the plot or the house
        # ("4 pièces sur 120 m2"): "on", which is neither.
        return "land" if ends_before(_ON_AREA_BEFORE, text, start, span=30) else "on"
    before = _AREA_BEFORE.search(text, max(0, start - 60), start)  # the noun is needed
    if before is None:
        return None
    kind = _AREA_NOUNS.get(compact(before.group("noun")), "main")  # T/F codes are the flat's
    # The ad's first word is what is let or sold: "Garage 20 m2", "Chambre 12 m2".
    return "main" if kind == "annex" and before.start("noun") == 0 else kind


def _land_measure(m: re.Match[str]) -> float | None:
    """Return the m2 of a land measure; None for "2 ha 50", spaced and without a unit.

    Ares are written in two digits ("1ha20", "1 ha 05 a"). Without a unit, one digit after a
    space counts something else ("10 ha 2 granges"), two after a space may be ares or a count
    ("2 ha 50", "10 ha 20 vaches"), and one glued may be ares or tenths ("2ha5"): no value.
    """
    number = read_number(m.group("num"))
    if not m.group("ha"):
        return round(number * M2_PER_ARE, 2)
    ares = m.group("ares")
    if ares and not m.group("unit"):
        if (len(ares) == 2) == bool(m.group("space")):
            return None
        if m.group("space"):
            ares = None
    value = number * M2_PER_HECTARE + int(ares or 0) * M2_PER_ARE + int(m.group("ca") or 0)
    return round(value, 2)


def areas_of(text: str, property_type: str | None) -> tuple[float | None, float | None]:
    """Return the living area and the land area the text states, each None unless one."""
    by_kind: dict[str | None, set[float]] = {}
    land_unread = False  # a land measure that cannot be read ("2 ha 50"): no land_m2 then
    if "m2" in text or "metre" in text:
        for m in _AREA.finditer(text):
            if ends_before(RANGE_BEFORE, text, m.start()):
                return None, None
            value = read_number(m.group("num"))
            if SURFACE_M2_RANGE[0] <= value <= SURFACE_M2_RANGE[1]:
                by_kind.setdefault(_area_kind(text, m.start(), m.end()), set()).add(value)
    # Hectares and ares measure land only: "terrain de 1 ha", "fermette sur 2,5 ha".
    if "ha" in text or "are" in text:
        for m in _LAND_MEASURE.finditer(text):
            if ends_before(RANGE_BEFORE, text, m.start()):
                return None, None
            measure = _land_measure(m)
            land_unread |= measure is None
            if measure is not None and SURFACE_M2_RANGE[0] <= measure <= SURFACE_M2_RANGE[1]:
                by_kind.setdefault("land", set()).add(measure)
    if not by_kind:
        return None, None
    if land_unread:
        by_kind.pop("land", None)
        if property_type == "terrain":
            return None, None
    main, land = by_kind.get("main", set()), by_kind.get("land", set())
    unknown, on = by_kind.get(None, set()), by_kind.get("on", set())
    if property_type == "terrain":  # a plot has no living area: its lone area is the land's
        unknown |= on
        for candidates, rivals in ((land, unknown), (unknown, land)):
            if len(candidates) == 1 and not rivals:
                return None, candidates.pop()
        return None, None
    land_m2 = land.pop() if len(land) == 1 else None
    # Annexes never count. The dwelling's own area wins unless an unqualified area competes
    # ("chalet de 20 m2" on a "terrain de loisirs 2500 m2"); a lone unqualified area comes next.
    for candidates, rivals in ((main, unknown), (unknown, main | land | on)):
        if len(candidates) == 1 and not rivals:
            surface = candidates.pop()
            if surface > DWELLING_M2_MAX and property_type in _DWELLING_TYPES:
                return None, land_m2
            return surface, land_m2
    return None, land_m2
