"""Normalise the text of an ad: whitespace, Unicode form, section slugs, town and postcode.

Prices are read by :mod:`.prices`.

Every function here is pure and returns ``None`` for what it cannot read; the caller decides
whether that makes a reject.
"""

from __future__ import annotations

import re
import unicodedata
from types import MappingProxyType
from typing import Final, NamedTuple

MAX_TOWN_CHARS = 100
"""A "town" longer than this is no town (the longest French commune name has 45)."""

# Characters that print nothing but change what is displayed (bidi overrides, zero-width
# spaces, soft hyphens, tags) or split equal texts, and the C0/C1 controls but whitespace.
_INVISIBLE = re.compile(
    "[\x00-\x08\x0e-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000e0000-\U000e007f]+"
)
# Full-width ASCII (U+FF01-U+FF5E), as NFKC reads it: ０-９ are digits, （ ） parentheses.
_FULL_WIDTH = MappingProxyType({code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)})
_HAS_FULL_WIDTH = re.compile("[\uff01-\uff5e]")

_DIGIT = re.compile(r"\d")

PRICE_SLOT: Final = r"(?:[^()]|\([^()]*\))*"
"""What lies between the postcode and "Découvrir": a price, its terms in parentheses or not
("500 € (CC)"), and no other parentheses."""
MAX_PRICE_GROUPS: Final = 2
"""Groups in parentheses a price slot may hold ("500 € (CC) (à débattre)"): the postcode is
looked for no further back."""
# Detail line tail: "(44230) 605€ Découvrir".
_DETAIL_TAIL = re.compile(
    rf"""
    \((?P<postcode>[0-9]{{5}})\)  # postcode in parentheses, in ASCII digits
    \s*(?P<price>{PRICE_SLOT}?)\s*  # price as printed, possibly empty
    d[ée]couvrir$               # the widget's link text ends every detail line
    """,
    re.VERBOSE | re.IGNORECASE,
)
_DISCOVER = re.compile(r"d[ée]couvrir$", re.IGNORECASE)

# A town is a run of capitalised words joined by hyphens, with lower-case particles inside
# compounds (Saint-Sébastien-sur-Loire, Bourg-lès-Valence) and an optional leading article.
_TOWN_WORD = r"(?:[LD]['’])?[A-ZÀ-ÖØ-ÞŒ][\w'’.]*(?:-(?:[\w'’]+))*"
_TOWN = re.compile(
    rf"""
    ^(?:(?:Le|La|Les|L['’])\ ?)?             # article: La Tronche, Le Plessis-Robinson, L'Aigle
    {_TOWN_WORD}                            # the name, hyphenated compounds included
    (?:\ (?:(?:en|sur|sous|de|du|des|lès|les|le|la|aux)\ )?{_TOWN_WORD}){{0,3}}$
                                            # printed without hyphens: Saint Malo, Aix en Provence
    """,
    re.VERBOSE,
)
_TOWN_TAIL = re.compile(
    rf"""
    (?:^|\ )(?P<town>
      (?:(?:Le|La|Les)\ )?              # article as its own word
      (?:(?:Saint|Sainte|St|Ste)\.?\ )? # un-hyphenated Saint
      {_TOWN_WORD})$                    # last word of the head
    """,
    re.VERBOSE,
)


class DetailParts(NamedTuple):
    """The fields of a detail line: ``<description> <town> (<postcode>) [<price>] Découvrir``."""

    description: str | None
    town: str
    postcode: str
    price_raw: str | None


def collapse(text: str) -> str:
    """Return ``text`` in NFC with every run of whitespace (NBSP, tabs, CR…) as one space.

    >>> collapse("  Pavillon\\t 5 pièces\\u00a0de 93 m2 \\r")
    'Pavillon 5 pièces de 93 m2'
    """
    text = " ".join(text.split())
    if text.isascii() or unicodedata.is_normalized("NFC", text):
        return text
    return unicodedata.normalize("NFC", text)


def visible(line: str) -> str:
    """Return a printed line without the characters that print nothing (bidi overrides,
    zero-width spaces, controls), and with full-width ASCII read as ASCII, as NFKC does.

    >>> visible("Studio\u200b Caen \u202e(１４０００)\u202c 450€")
    'Studio Caen (14000) 450€'
    """
    if line.isascii() and line.isprintable():
        return line
    line = _INVISIBLE.sub("", line)
    # translate() costs a table lookup per character: only for a line that needs it.
    return line.translate(_FULL_WIDTH) if _HAS_FULL_WIDTH.search(line) else line


def slug(header: str) -> str:
    """Return a section header as a lower-case ASCII slug: the ``category`` column.

    >>> slug("Bonnes affaires "), slug("IMMOBILIER"), slug("Véhicules & Loisirs")
    ('bonnes_affaires', 'immobilier', 'vehicules_loisirs')
    """
    ascii_text = unicodedata.normalize("NFKD", header).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_")


def has_digit(text: str) -> bool:
    """Return whether ``text`` holds a digit (a price area with digits must parse)."""
    return _DIGIT.search(text) is not None


def ends_with_discover(line: str) -> bool:
    """Return whether a stripped line ends with the widget's "Découvrir" link."""
    return _DISCOVER.search(line, max(0, len(line) - 9)) is not None


def split_detail(detail_line: str) -> tuple[str, str, str | None] | None:
    """Return (head, postcode, price_raw) of a stripped detail line, or None without a postcode.

    The head is the collapsed text before the postcode: description and town.

    >>> split_detail("Poussette Châteauneuf-sur-Loire (45110) 100€ Découvrir")
    ('Poussette Châteauneuf-sur-Loire', '45110', '100€')
    >>> split_detail("Studio Caen (14000) 390 € (CC) Découvrir")
    ('Studio Caen', '14000', '390 € (CC)')
    >>> split_detail("Lot de outils (sans marque) Découvrir") is None
    True
    """
    start, match = len(detail_line), None
    for _ in range(MAX_PRICE_GROUPS + 1):  # the last "(ddddd)" that a price slot follows
        start = detail_line.rfind("(", 0, start)
        if start < 0:
            return None
        match = _DETAIL_TAIL.match(detail_line, start)
        if match is not None:
            break
    if match is None:
        return None
    price_raw = match["price"] or None
    if price_raw and price_raw[0] == "(":
        return None  # "(neuf)" is no price's terms: "(12345)" before it is no postcode
    return collapse(detail_line[:start]), match["postcode"], price_raw and collapse_nfc(price_raw)


def collapse_nfc(text: str) -> str:
    """Return ``text`` stripped and in NFC, inner whitespace kept as printed (NBSP in prices)."""
    return unicodedata.normalize("NFC", text.strip())


def is_town(text: str) -> bool:
    """Return whether ``text`` reads as a French town name.

    >>> [is_town(t) for t in ("La Tronche", "L'Aigle", "Saint-Sébastien-sur-Loire", "en fonte")]
    [True, True, True, False]
    """
    return len(text) <= 60 and _TOWN.match(text) is not None


def split_head(head: str, title: str | None) -> tuple[str | None, str] | None:
    """Return (description, town) of a detail line's head, anchored on the title when it helps.

    The description usually repeats the title, so what follows the title is the town. Without
    a usable title the town is the last capitalised word, with its article or "Saint".

    >>> split_head("viager en Ardèche Villevocance", "viager en Ardèche")
    ('viager en Ardèche', 'Villevocance')
    >>> split_head("Poêle à bois en fonte Le Plessis-Robinson", None)
    ('Poêle à bois en fonte', 'Le Plessis-Robinson')
    >>> split_head("Poussette", "Poussette"), split_head("Maison vue Mer", "Maison vue Mer")
    (None, None)
    """
    if title:
        prefix = head[: len(title)]
        if prefix == title or prefix.casefold() == title.casefold():
            if len(head) == len(prefix):
                # The head is the title and no more: its last capitalised word ("Maison Vue
                # Mer") is the title's, not a town.
                return None
            if head[len(title)] == " ":
                town = head[len(title) + 1 :]
                if is_town(town):
                    return prefix, town
    match = _TOWN_TAIL.search(head)
    if match is None:
        return None
    town = match["town"]
    if len(town) > MAX_TOWN_CHARS:
        return None
    description = head[: match.start("town")].rstrip() or None
    if description is None and title:
        return None  # the whole head is one word: the title, with no town after it
    return description, town
