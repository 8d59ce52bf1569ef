"""The wording of ads, made comparable: folded text, numbers as French ads write them, and
regex pieces for word lists. Shared by the readers of attributes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any, Final

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
    text = " ".join(text.lower().split())
    if text.isascii():
        return text
    # translate() costs a table lookup per character: only the runs of non-ASCII ones.
    return _NON_ASCII.sub(_folded_run, text)


_NON_ASCII: Final = re.compile(r"[^\x00-\x7f]+")


def _folded_run(run: re.Match[str]) -> str:
    return run.group().translate(_FOLDED)


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
    r"""Regex alternation of folded words, a space also matching '-' or nothing, as a trie.

    The words share their prefixes ("land rover" and "landau" start "land" once), so the regex
    engine tries one branch per letter instead of every word at every position of the text;
    at each branch the longer word is tried first, as in a longest-first list.

    >>> print(alternation(["rover", "land rover", "landau"]))
    (?:land(?:[\s-]?rover|au)|rover)
    >>> import re; [bool(re.fullmatch(alternation(["ds", "ds3"]), w)) for w in ("ds", "ds3", "d")]
    [True, True, False]
    """
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}  # a word ends here
    return _branches(trie)


def _branches(node: dict[str, Any]) -> str:
    """Return the regex of a trie node: its branches, optional if a word ends there."""
    branches = [
        (r"[\s-]?" if char == " " else re.escape(char)) + _branches(child)
        for char, child in sorted(node.items())
        if char
    ]
    if not branches:
        return ""
    if len(branches) > 1:
        body = "(?:" + "|".join(branches) + ")"
        return f"{body}?" if "" in node else body
    body = branches[0]
    if "" not in node:
        return body
    # A word ends here and longer ones go on: they are tried first (greedy), as in a
    # longest-first list.
    return body + "?" if len(body) == 1 else f"(?:{body})?"


def compact(word: str) -> str:
    return word.replace(" ", "").replace("-", "")


_WORD: Final = re.compile(r"\w+")


def words_of(text: str) -> frozenset[str]:
    r"""Return the words of a text: the runs of word characters, which every pattern's
    ``(?<![\w])`` and ``(?![\w])`` bound.

    >>> sorted(words_of("clio 1.5 dci, l'aigle"))
    ['1', '5', 'aigle', 'clio', 'dci', 'l']
    """
    return frozenset(_WORD.findall(text))


def first_words(phrases: Iterable[str], plural: bool = False) -> frozenset[str]:
    """Return the words one of which a text holds if it holds one of these phrases: their
    first words, plus each phrase without its spaces (an alternation's space matches nothing).

    >>> sorted(first_words(["il y a", "ct", "jusqu'a"]))
    ['ct', 'il', 'ilya', 'jusqu']
    """
    found: set[str] = set()
    for phrase in phrases:
        first = _WORD.findall(phrase)[0]
        found.update((first, phrase.replace(" ", "")))
        if plural:
            found.update(word + "s" for word in (first, phrase.replace(" ", "")))
    return frozenset(w for w in found if _WORD.fullmatch(w))


def ends_before(pattern: re.Pattern[str], text: str, start: int, span: int = 40) -> bool:
    """Whether *pattern*, anchored with ``$``, ends right before *start* (within *span*)."""
    return pattern.search(text, max(0, start - span), start) is not None
