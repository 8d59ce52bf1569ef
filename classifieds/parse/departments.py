"""French postcode → department and region.

A postcode's leading digits name its department, except for a handful of border communes that
La Poste serves from a neighbouring department's office: an ad matched to a commune
(:mod:`.communes`) takes the commune's department, the others the one their postcode reads as.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final, NamedTuple

from classifieds.parse._departments import DEPARTMENTS

__all__ = ["Department", "department_named", "department_of"]


class Department(NamedTuple):
    """A French department, with the region it has belonged to since 2016."""

    code: str
    """INSEE code: ``"07"``, ``"2A"``, ``"974"``."""
    name: str
    """Official name: ``"Ardèche"``."""
    region: str
    """Official region name: ``"Auvergne-Rhône-Alpes"``."""


# Corsica shares the postal prefix 20 between its two departments; La Poste gave 200xx–201xx to
# Corse-du-Sud (Ajaccio) and 202xx–206xx to Haute-Corse (Bastia).
_CORSICA: Final = MappingProxyType(
    {"2A": ("200", "201"), "2B": ("202", "203", "204", "205", "206")}
)

# Two-digit prefixes that are ambiguous on their own and need a third digit to resolve.
_THREE_DIGIT_PREFIXES: Final = frozenset({"20", "97"})

# Saint-Barthélemy and Saint-Martin left Guadeloupe in 2007 to become collectivities, but kept
# their 971xx postcodes; without this they would be reported as Guadeloupe.
_NOT_A_DEPARTMENT: Final = frozenset({"97133", "97150"})


def _build_index() -> dict[str, Department]:
    index: dict[str, Department] = {}
    for code, name, region in DEPARTMENTS:
        department = Department(code, name, region)
        for prefix in _CORSICA.get(code, (code,)):
            index[prefix] = department
    return index


_BY_PREFIX: Final = MappingProxyType(_build_index())
_BY_CODE: Final = MappingProxyType(
    {code: Department(code, name, region) for code, name, region in DEPARTMENTS}
)


def department_named(code: str) -> Department | None:
    """Return the department of an INSEE department code, or None outside the 101.

    >>> department_named("2A").name, department_named("975")
    ('Corse-du-Sud', None)
    """
    return _BY_CODE.get(code)


def department_of(postcode: str) -> Department | None:
    """Return the department (and its region) a French postcode belongs to, or None.

    ``postcode`` must be exactly five ASCII digits; anything else, and postcodes outside every
    department (Saint-Pierre-et-Miquelon 975xx, Monaco 98000, the Pacific 98xxx, military 00xxx,
    …), give None.

    >>> department_of("07690")
    Department(code='07', name='Ardèche', region='Auvergne-Rhône-Alpes')
    >>> department_of("20200").name
    'Haute-Corse'
    >>> department_of("97400").region
    'La Réunion'
    >>> department_of("98000") is None
    True
    """
    # isdigit() alone accepts non-ASCII digits such as "٣" or "²".
    if len(postcode) != 5 or not postcode.isascii() or not postcode.isdigit():
        return None
    if postcode in _NOT_A_DEPARTMENT:
        return None
    prefix = postcode[:3] if postcode[:2] in _THREE_DIGIT_PREFIXES else postcode[:2]
    return _BY_PREFIX.get(prefix)
