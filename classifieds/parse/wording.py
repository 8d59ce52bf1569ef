"""The wording of ads, made comparable: folded text, numbers as French ads write them, and
regex pieces for word lists. Shared by the readers of attributes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Final

_FOLDED: Final[Mapping[int, int | str]] = MappingProxyType(
    {
        **str.maketrans("àâäáãåçéèêëîïíìôöóòõùûüúÿñ²³’‘–—", "aaaaaaceeeeiiiiooooouuuuyn23''--"),
        ord("œ"): "oe",
        ord("æ"): "ae",
    }
)


def fold(text: str) -> str:
    """Lower-case, strip accents and turn every run of spaces (NBSP included) into one space.

    >>> fold("Citroën  C3\u00a0–  98\u202f000 km, 93 m²")
    'citroen c3 - 98 000 km, 93 m2'
    """
    return " ".join(text.lower().split()).translate(_FOLDED)


def read_number(raw: str) -> float:
    """Read a number as French ads write it: space or dot thousands, comma or dot decimals.

    >>> read_number("1 200"), read_number("120.000"), read_number("93,5"), read_number("93.5")
    (1200.0, 120000.0, 93.5, 93.5)
    """
    whole, _, frac = raw.replace(" ", "").partition(",")
    # A dot before exactly three digits groups thousands ("120.000"); otherwise it is decimal.
    if not frac and "." in whole and len(whole.rsplit(".", 1)[1]) != 3:
        whole, _, frac = whole.partition(".")
    return float(whole.replace(".", "") + "." + (frac or "0"))


def alternation(words: Iterable[str]) -> str:
    """Regex alternation of folded words, longest first, a space also matching '-' or nothing.

    >>> print(alternation(["rover", "land rover"]))
    land[\\s-]?rover|rover
    """
    keys = sorted(words, key=len, reverse=True)
    return "|".join(r"[\s-]?".join(map(re.escape, k.split())) for k in keys)


def compact(word: str) -> str:
    return word.replace(" ", "").replace("-", "")


def ends_before(pattern: re.Pattern[str], text: str, start: int, span: int = 40) -> bool:
    """Whether *pattern*, anchored with ``$``, ends right before *start* (within *span*)."""
    return pattern.search(text, max(0, start - span), start) is not None
