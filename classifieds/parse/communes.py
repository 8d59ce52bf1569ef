"""The town of an ad checked against the official list of communes: INSEE code, name, department.

The list is ``communes.tsv.gz`` beside this module, made by ``scripts/communes_table.py`` from
the ``@etalab/decoupage-administratif`` package (its header says which version, under which
licence). For each postcode it names the communes that La Poste serves from it: current ones,
the communes merged away into them (through their chef-lieu) and the arrondissements of Paris,
Lyon and Marseille. A detail line's town is the longest tail of its head that is the name of
one of them, compared after :func:`name_key`: case, accents, hyphens, apostrophes, St/Ste.
"""

from __future__ import annotations

import gzip
import re
import unicodedata
from importlib.resources import files
from types import MappingProxyType
from typing import TYPE_CHECKING, NamedTuple

from classifieds.models import TownMatch
from classifieds.parse.normalize import is_town, split_head

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["Commune", "CommuneTable", "Town", "TownFound", "name_key", "split_town"]

TABLE_FILE = "communes.tsv.gz"
CURRENT, FORMER, ARRONDISSEMENT = "C", "F", "A"
"""The kinds of the table's rows."""

FOLD_CACHE_SIZE = 1 << 15
"""Words whose folding a table remembers before it starts again."""
MAX_TOWN_CHARS = 100
"""Only this much of the end of a head is read for a town (the longest name has 45 characters)."""
_WORD = re.compile(r"[^\W_]+")
"""A word of a name: hyphens, spaces, apostrophes (' and ’) and dots separate words."""
_ABBREVIATIONS = MappingProxyType({"st": "saint", "ste": "sainte"})
_LIGATURES = MappingProxyType(str.maketrans({"œ": "oe", "æ": "ae"}))


class Commune(NamedTuple):
    """A current commune: what an ad's town is mapped to."""

    insee_code: str
    name: str
    department_code: str
    population: int | None


class _Name(NamedTuple):
    """A name a postcode's town may be printed as, and the commune it stands for."""

    official: str
    """The name in the list: the commune's, a merged-away commune's or an arrondissement's."""
    commune: Commune
    kind: str
    """``C`` the commune's own name, ``F`` a merged-away commune's, ``A`` an arrondissement's."""


class TownFound(NamedTuple):
    """The town found at the end of a detail line's head, and its commune."""

    start: int
    """Where the town starts in the head: the description is what comes before."""
    commune: Commune
    match: TownMatch


def _fold(word: str) -> str:
    """Return a word as names are compared: case, accents and ligatures folded, St spelled out.

    >>> [_fold(w) for w in ("Évêque", "ŒUILLY", "St", "Ste", "lès")]
    ['eveque', 'oeuilly', 'saint', 'sainte', 'les']
    """
    if word.isascii():  # most words: no accent to strip
        bare = word.lower()
    else:
        decomposed = unicodedata.normalize("NFKD", word.casefold()).translate(_LIGATURES)
        bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _ABBREVIATIONS.get(bare, bare)


def name_key(name: str) -> str:
    """Return the key two spellings of one town name share.

    >>> name_key("Bagnoles de l'Orne Normandie") == name_key("BAGNOLES-DE-L’ORNE NORMANDIE")
    True
    >>> name_key("St-Sébastien-sur-Loire")
    'saint sebastien sur loire'
    """
    return " ".join(_fold(word) for word in _WORD.findall(name))


def arrondissement_keys(name: str) -> tuple[str, ...]:
    """Return the ways an arrondissement is printed: ``Paris 11e Arrondissement``, ``Paris 11e``,
    ``Paris 11``, ``Paris 11ème``.

    >>> arrondissement_keys("Lyon 1er Arrondissement")
    ('lyon 1er arrondissement', 'lyon 1er', 'lyon 1', 'lyon 1ere')
    """
    city, ordinal = name.split()[:2]
    number = ordinal.removesuffix("er").removesuffix("e")
    suffixes = (ordinal, number, f"{number}ere" if number == "1" else f"{number}eme")
    return (name_key(name), *(name_key(f"{city} {suffix}") for suffix in suffixes))


class CommuneTable:
    """The names each postcode's towns may be printed as, read from the table a postcode at a
    time: a parser reads the lines of the postcodes its ads name, once each.

    Loaded by each parser (:class:`~classifieds.parse.ads.AdBook`) on its first ad.
    """

    def __init__(self, text: str):
        lines = text.splitlines()
        self.header = tuple(line[2:] for line in lines if line.startswith("# "))
        """The file's comment lines: source, version, licence, counts, command."""
        self._lines = MappingProxyType(
            dict(line.split("\t", 1) for line in lines if not line.startswith("#"))
        )
        self._names: dict[str, _Names] = {}
        """The names of the postcodes read so far, by :func:`name_key`."""
        self._folded: dict[str, str] = {}

    @classmethod
    def packaged(cls) -> CommuneTable:
        """Return the table shipped with the package."""
        packed = files("classifieds.parse").joinpath(TABLE_FILE).read_bytes()
        return cls(gzip.decompress(packed).decode("utf-8"))

    def postcodes(self) -> tuple[str, ...]:
        """Return the postcodes the table knows."""
        return tuple(self._lines)

    def names(self, postcode: str) -> _Names:
        """Return the names a postcode's towns may be printed as."""
        names = self._names.get(postcode)
        if names is None:
            names = self._names[postcode] = _parse_line(self._lines.get(postcode, ""))
        return names

    def _fold(self, word: str) -> str:
        """Return :func:`_fold` of a word, remembered: towns' words come back ad after ad."""
        folded = self._folded.get(word)
        if folded is None:
            if len(self._folded) >= FOLD_CACHE_SIZE:
                self._folded.clear()
            folded = self._folded[word] = _fold(word)
        return folded

    def find(self, head: str, postcode: str) -> TownFound | None:
        """Return the town at the end of ``head`` and its commune, or None when none matches.

        The longest tail of words that names one of the postcode's communes wins: "Vire
        Normandie" over "Normandie", "Bagnoles de l'Orne Normandie" over its last words.
        """
        names = self.names(postcode)
        # Only the end of the head can hold the town: a long description is not read.
        window = max(0, len(head) - MAX_TOWN_CHARS)
        if not head or not head[-1].isalnum():
            return None  # the head ends in punctuation: no town printed last
        words = _WORD.findall(head, window)
        if window and head[window - 1].isalnum():
            words = words[1:]  # cut by the window
        sizes = names.sizes.get(self._fold(words[-1]), ()) if words else ()
        if not sizes:
            return None  # no name ends in this word: the common way out
        folded = [self._fold(word) for word in words[-sizes[0] :]]
        for size in sizes:  # the longest first
            name = names.by_key.get(" ".join(folded[-size:])) if size <= len(folded) else None
            if name is not None:
                start = len(head)
                for word in reversed(words[-size:]):  # only separators lie between words
                    start = head.rfind(word, 0, start)
                if start == 0 or head[start - 1] == " ":
                    return TownFound(start, name.commune, _how(head[start:], name))
        return None


def _how(printed: str, name: _Name) -> TownMatch:
    if name.kind == FORMER:
        return "former"
    return "exact" if printed == name.official else "normalised"


class _Names(NamedTuple):
    """The names of one postcode's towns."""

    by_key: Mapping[str, _Name]
    """By :func:`name_key`; a current commune's name wins over a merged-away one's."""
    sizes: Mapping[str, tuple[int, ...]]
    """By last word: the numbers of words of the names ending so, the largest first. A head
    whose last word ends no name is looked up no further."""


def _parse_line(line: str) -> _Names:
    """Return the names of a postcode's line of the table."""
    names: dict[str, _Name] = {}
    for field in sorted(line.split("\t"), key=lambda f: f[0] == FORMER) if line else ():
        kind, official, code, commune, department, population = field.split("|")
        name = _Name(
            official,
            Commune(code, commune, department, int(population) if population else None),
            kind,
        )
        keys = arrondissement_keys(official) if kind == ARRONDISSEMENT else (name_key(official),)
        for key in keys:
            names.setdefault(key, name)
    sizes: dict[str, set[int]] = {}
    for key in names:
        words = key.split(" ")
        sizes.setdefault(words[-1], set()).add(len(words))
    return _Names(
        MappingProxyType(names),
        MappingProxyType({end: tuple(sorted(n, reverse=True)) for end, n in sizes.items()}),
    )


class Town(NamedTuple):
    """Where a detail line's head splits into description and town, and the town's commune."""

    description: str | None
    town: str
    commune: Commune | None
    match: TownMatch


def split_town(head: str, title: str | None, postcode: str, table: CommuneTable) -> Town | None:
    """Return the description and town of a detail line's head, or None when it names no town.

    A town that names one of the postcode's communes is found first (at the end of the head, or
    before a qualifier: "Caen, Calvados" is Caen); else the capitalised words at the end of the
    head (:func:`~classifieds.parse.normalize.split_head`).
    """
    found = table.find(head, postcode)
    if found is not None:
        return Town(head[: found.start].rstrip() or None, head[found.start :], *found[1:])
    # "Caen, Calvados", "Rouen - Rive Gauche": a commune of the postcode, then its department
    # or district, whose last word is no town. The town is the commune as printed.
    cut = max(head.rfind(", "), head.rfind(" - "))
    if cut > 0 and is_town(head[cut:].lstrip(" ,-")):
        found = table.find(head[:cut], postcode)
        if found is not None:
            return Town(head[: found.start].rstrip() or None, head[found.start : cut], *found[1:])
    split = split_head(head, title)
    return None if split is None else Town(*split, None, "none")
