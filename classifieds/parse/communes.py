"""The town of an ad checked against the official list of communes: INSEE code, name, department.

The list is ``communes.tsv.gz`` beside this module, made by ``scripts/communes_table.py`` from
the ``@etalab/decoupage-administratif`` package (its header says which version, under which
licence). For each postcode it names the communes that La Poste serves from it: current ones,
the communes merged away into them (through their chef-lieu) and the arrondissements of Paris,
Lyon and Marseille. A detail line's town is the longest tail of its head that is the name of
one of them, compared after :func:`name_key`: case, accents, hyphens, apostrophes, St/Ste;
a name printed without its article ("Havre") is its commune's when no other name of the
postcode is so printed. Postal marks around the town are not its name: a CEDEX mention after
it ("Caen Cedex 9") and the postcode printed again before it ("14000 Caen"); a CEDEX code,
which serves no commune, is read through its department: the commune of the department that
has the name, if only one has it. An arrondissement of Paris, Lyon or Marseille however
printed ("Paris 15ème arrondissement", "Lyon 3e", "Paris XVIe") is its city's commune.
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
_ARTICLES = frozenset({"le", "la", "les", "l"})
"""The first words of names that are also printed without them: "Havre" for Le Havre."""
_CEDEX = re.compile(r"[\s,-]+cedex(?:\s+[0-9]{1,3})?$", re.IGNORECASE)
"""A CEDEX mention after the town: "Caen Cedex", "CAEN CEDEX 4"."""
_ARRONDISSEMENT = re.compile(
    r"""
    (?:^|(?<=\ ))(?P<city>paris|lyon|marseille)[\ -]
    (?:(?P<number>[0-9]{1,2})\ ?(?:[eè]re|er|re|[eè]me|em|e|°)?   # 15e, 15ème, 1er, 3
      |(?P<roman>[ivx]{1,5})(?:er|[eè]me|e))                      # XVe, XVIème (suffix needed)
    (?:\ arr(?:ondissement|\.)?)?$                        # "8e arrondissement", "8e arr."
    """,
    re.VERBOSE | re.IGNORECASE,
)
ARRONDISSEMENTS = MappingProxyType({"75056": 20, "69123": 9, "13055": 16})
"""The number of arrondissements of Paris, Lyon and Marseille, by INSEE code."""
_ROMAN = MappingProxyType(
    {
        numeral: number
        for number, numeral in enumerate(
            ("i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii", "xiii",
             "xiv", "xv", "xvi", "xvii", "xviii", "xix", "xx"),
            1,
        )
    }
)  # fmt: skip
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
    bare: bool = False
    """Whether this is the name without its article ("Havre"): it must be printed capitalised."""


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
        """The names of the postcodes read so far, by :func:`name_key`; under a department's
        prefix ("14", "974"), those of :meth:`department_names`."""
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

    def department_names(self, postcode: str) -> _Names:
        """Return the names of the communes of a postcode's department that no other commune
        of it bears: how a CEDEX code's town is read, the code serving no commune itself."""
        prefix = postcode[:3] if postcode[:2] in ("97", "98") else postcode[:2]
        names = self._names.get(prefix)
        if names is None:
            communes: dict[str, set[str]] = {}
            found: dict[str, _Name] = {}
            for code in self._lines:
                if code.startswith(prefix):
                    for key, name in self.names(code).by_key.items():
                        communes.setdefault(key, set()).add(name.commune.insee_code)
                        found.setdefault(key, name)
            unique = {key: found[key] for key, codes in communes.items() if len(codes) == 1}
            names = self._names[prefix] = _names_of(unique)
        return names

    def find(self, head: str, postcode: str, names: _Names | None = None) -> TownFound | None:
        """Return the town at the end of ``head`` and its commune, or None when none matches.

        The longest tail of words that names one of the postcode's communes (or one of
        ``names``) wins: "Vire Normandie" over "Normandie", "Bagnoles de l'Orne Normandie"
        over its last words.
        """
        if names is None:
            names = self.names(postcode)
        # Only the end of the head can hold the town: a long description is not read.
        window = max(0, len(head) - MAX_TOWN_CHARS)
        if not head or not head[-1].isalnum():
            # the head ends in punctuation: no town printed last, but "Marseille 8e arr."
            return self._arrondissement(head, names)
        words = _WORD.findall(head, window)
        if window and head[window - 1].isalnum():
            words = words[1:]  # cut by the window
        sizes = names.sizes.get(self._fold(words[-1]), ()) if words else ()
        if not sizes:
            return self._arrondissement(head, names)  # no name ends in this word: most heads
        folded = [self._fold(word) for word in words[-sizes[0] :]]
        for size in sizes:  # the longest first
            name = names.by_key.get(" ".join(folded[-size:])) if size <= len(folded) else None
            if name is not None:
                start = len(head)
                for word in reversed(words[-size:]):  # only separators lie between words
                    start = head.rfind(word, 0, start)
                if (start == 0 or head[start - 1] == " ") and (
                    # a name printed without its article is one printed as a name
                    not name.bare or head[start].isupper()
                ):
                    return TownFound(start, name.commune, _how(head[start:], name))
        return self._arrondissement(head, names)

    def _arrondissement(self, head: str, names: _Names) -> TownFound | None:
        """Return the city an arrondissement at the end of ``head`` belongs to ("Paris 15ème
        arrondissement", "Lyon 3e"), if the city is one of ``names``; its number need not be
        the postcode's, the commune (its INSEE code) being the same."""
        found = _ARRONDISSEMENT.search(head, max(0, len(head) - 40))
        if found is None:
            return None
        name = names.by_key.get(name_key(found["city"]))
        if name is None or name.kind != CURRENT:
            return None
        number = int(found["number"]) if found["number"] else _ROMAN.get(found["roman"].lower())
        if not number or number > ARRONDISSEMENTS.get(name.commune.insee_code, 0):
            return None  # "Paris 25e" names no arrondissement
        return TownFound(found.start(), name.commune, "normalised")


def _how(printed: str, name: _Name) -> TownMatch:
    if name.kind == FORMER:
        return "former"
    return "exact" if printed == name.official else "normalised"


class _Names(NamedTuple):
    """The names of one postcode's towns (or of the communes of a department)."""

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
    # "Havre" for Le Havre: only where no other name of the postcode is printed so.
    bare: dict[str, list[_Name]] = {}
    for key, name in names.items():
        first, _, rest = key.partition(" ")
        if first in _ARTICLES and rest and name.kind != ARRONDISSEMENT:
            bare.setdefault(rest, []).append(name)
    for key, named in bare.items():
        if len({name.commune for name in named}) == 1 and key not in names:
            names[key] = named[0]._replace(bare=True)
    return _names_of(names)


def _names_of(names: Mapping[str, _Name]) -> _Names:
    """Return names by key, with the sizes of the names ending in each word."""
    sizes: dict[str, set[int]] = {}
    for key in names:
        words = key.split(" ")
        sizes.setdefault(words[-1], set()).add(len(words))
    return _Names(
        MappingProxyType(dict(names)),
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
    head (:func:`~classifieds.parse.normalize.split_head`). A CEDEX mention after the town and
    the postcode printed again before it are neither town nor description: "14000 Caen Cedex
    9" is the town Caen, ``normalised`` (it was not printed as the commune's name alone).
    """
    cedex = _CEDEX.search(head)
    if cedex is not None:
        head = head[: cedex.start()]
    town = _town_of(head, title, postcode, table, cedex is not None)
    if town is None:
        return None
    description = town.description
    if description is not None and (
        description == postcode or description.endswith(f" {postcode}")
    ):
        description = description[: -len(postcode)].rstrip() or None
    match = "normalised" if cedex is not None and town.match == "exact" else town.match
    return town._replace(description=description, match=match)


def _town_of(
    head: str, title: str | None, postcode: str, table: CommuneTable, cedex: bool
) -> Town | None:
    """Return :func:`split_town`'s town of a head without its CEDEX mention."""
    found = table.find(head, postcode)
    if found is None and cedex and not table.names(postcode).by_key:
        # A CEDEX code serves no commune of the table: the department's commune of that name.
        found = table.find(head, postcode, table.department_names(postcode))
    if found is not None:
        return Town(head[: found.start].rstrip() or None, head[found.start :], *found[1:])
    # "Caen, Calvados", "Rouen - Rive Gauche": a commune of the postcode, then its department
    # or district, whose last word is no town. The town is the commune as printed.
    cut = max(head.rfind(", "), head.rfind(" - "))
    if cut > 0 and is_town(head[cut:].lstrip(" ,-")):
        found = table.find(head[:cut], postcode)
        if found is not None:
            return Town(head[: found.start].rstrip() or None, head[found.start : cut], *found[1:])
    arrondissement = _ARRONDISSEMENT.search(head, max(0, len(head) - 40))
    is_title = title is not None and head.casefold() == title.casefold()
    if arrondissement is not None and arrondissement.start() > 0 and not is_title:
        # "Lyon 3e" printed with a postcode of Villeurbanne: the town, matching no commune.
        start = arrondissement.start()
        return Town(head[:start].rstrip() or None, head[start:], None, "none")
    split = split_head(head, title)
    return None if split is None else Town(*split, None, "none")
