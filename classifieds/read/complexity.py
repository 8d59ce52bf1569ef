"""How much work an HTML page would give the parser, told before it runs.

selectolax's Lexbor parses as browsers do, and some markup makes its work grow with the square
of the page: each start tag looks through the elements open (a page nested 100,000 deep), and
a formatting element left open inside a closed block is built again at every later tag (a
``<b>`` in a ``<div>``, then many ``<div>``s). :func:`check_complexity` follows the tags as the
parser would, roughly and never less deep than it, in one pass at most a few dozen steps a
tag: end tags close their element, siblings (``<p>``, ``<li>``, ``<td>``...) close an open one,
comments and the text of scripts and styles hold no tags, ``<path/>`` in an SVG opens nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from itertools import islice
from types import MappingProxyType
from typing import Final

__all__ = [
    "MAX_NESTING",
    "MAX_NODES",
    "MAX_PARSE_WORK",
    "MAX_TAG_WORDS",
    "TooComplex",
    "check_complexity",
]

MAX_NESTING: Final = 10_000
"""The parser's work is bounded as if by this many elements nested in one another."""
MAX_PARSE_WORK: Final = MAX_NESTING**2 // 2
"""The most work a page may give: the sum, over its start tags, of the elements open when each
comes, plus :data:`REBUILD_WEIGHT` for each formatting element built again there."""
REBUILD_WEIGHT: Final = 20
"""A formatting element built again costs a node: as much as looking through 20 open ones
(measured: 2,000 ``<b>`` left open, then 2,000 ``<div>``, take Lexbor 1.6 s)."""
MAX_NODES: Final = 1_000_000
"""Most nodes (elements, comments) a page may make: the parser's tree and the text made of it
take about 300 bytes a node, so that 64 MiB of ``<p>`` would hold 6 GB (a heavy news page
makes 20,000; the HTML standard on one page, 13 MB, under 500,000)."""
MAX_TAG_WORDS: Final = 2_000
"""Most words (attributes, and words of their values) a tag may hold."""
SEARCH_DEPTH: Final = 64
"""Open elements a sibling looks through for the one it closes (an end tag looks through all):
past them, it is taken to close none, which errs towards more work."""


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_VOID: Final = _words("area base br col embed hr img input keygen link meta param source track wbr")
_FORMATTING: Final = _words("a b big code em font i nobr s small strike strong tt u")
_RAW_TEXT: Final = _words("script style textarea title xmp iframe noembed noframes")
_RAW_TEXT_END: Final = MappingProxyType(
    {name: re.compile(rf"</{name}", re.IGNORECASE) for name in _RAW_TEXT}
)
_FOREIGN: Final = _words("svg math")
# Start tags that leave an SVG or MathML island for HTML (the HTML standard's list).
_BREAKOUT: Final = _words(
    """b big blockquote body br center code dd div dl dt em embed h1 h2 h3 h4 h5 h6 head hr i
    img li listing menu meta nobr ol p pre ruby s small span strong strike sub sup table tt u ul
    var"""
)
# Start tags that close an open <p> first.
_CLOSE_P: Final = _words(
    """address article aside blockquote center details dialog dir div dl fieldset figcaption
    figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr listing main menu nav ol p pre search
    section summary table ul xmp li dd dt"""
)
_P_SCOPE_ENDS: Final = _words("applet button caption html marquee object table td template th")
_TABLE_ENDS: Final = _words("html table template")
# An <li> (a <dt>, a <dd>) closes an open one through these only.
_ITEM_PASSES: Final = _words("address div p") | _words(
    "a abbr b bdi bdo big cite code data dfn em font i kbd mark nobr q s samp small span strike"
    " strong sub sup time tt u var"
)
_TAG: Final = re.compile(r"<(/?)([a-z][^\s/<>]*)[^<>]*?(/?)>|<!--", re.IGNORECASE)
_FORMATTING_NAMES: Final = "a|b|big|code|em|font|i|nobr|s|small|strike|strong|tt|u"
_FORMATTING_START: Final = re.compile(rf"<(?:{_FORMATTING_NAMES})(?=[\s/>])", re.IGNORECASE)
_FORMATTING_END: Final = re.compile(rf"</(?:{_FORMATTING_NAMES})\s*>", re.IGNORECASE)
# What makes a node: a start tag, a comment, a doctype, ``<?`` or ``</`` + a non-letter (both
# read as comments). An end tag makes none.
_NODE: Final = re.compile(r"<(?:[A-Za-z!?]|/[^A-Za-z>])")
_LONG_TAG: Final = re.compile(r"<[a-z][^<>]{10000,}", re.IGNORECASE)


class TooComplex(ValueError):
    """Markup that would take the HTML parser too long or too much memory: nested too deep,
    too many tags, or a tag too long."""


def check_complexity(html: str) -> None:
    """Raise :class:`TooComplex` for markup that would give the parser more than
    :data:`MAX_PARSE_WORK`, or make more than :data:`MAX_NODES` nodes, or with a tag of more
    than :data:`MAX_TAG_WORDS` words.

    >>> try:
    ...     check_complexity("<div>" * 20_000)
    ... except TooComplex as error:
    ...     print(error)
    10001 tags in, elements nested 10000 deep: more work for the parser than 10000 nested elements
    >>> check_complexity("<p>x" * 20_000 + "<svg>" + "<path/>" * 20_000 + "</svg>")
    """
    tags = html.count("<")
    if tags > MAX_NODES and next(islice(_NODE.finditer(html), MAX_NODES, None), None) is not None:
        raise TooComplex(f"more than {MAX_NODES} tags: the parser's tree would take gigabytes")
    # Fewer tags, and few formatting elements left open, cannot make that much work.
    if tags > MAX_NESTING or REBUILD_WEIGHT * tags * _left_open(html) > MAX_PARSE_WORK:
        past = _past_budget(html)
        if past is not None:
            tags, deep = past
            raise TooComplex(
                f"{tags} tags in, elements nested {deep} deep: more work for the parser than"
                f" {MAX_NESTING} nested elements"
            )
    for tag in _LONG_TAG.finditer(html):
        words = len(tag.group().split())
        if words > MAX_TAG_WORDS:
            raise TooComplex(f"a tag of {words} words (more than {MAX_TAG_WORDS})")


def _left_open(html: str) -> int:
    """Return how many more formatting elements the markup opens than it closes."""
    return len(_FORMATTING_START.findall(html)) - len(_FORMATTING_END.findall(html))


def _past_budget(html: str) -> tuple[int, int] | None:
    """Return None if parsing stays within :data:`MAX_PARSE_WORK`, else how many start tags
    in, and how deep, the budget runs out."""
    open_tags: list[str] = []
    work = tags = rebuilt = 0
    at = 0
    while (tag := _TAG.search(html, at)) is not None:
        at = tag.end()
        if tag[0] == "<!--":  # a comment: to its end, or the page's
            end = html.find("-->", at)
            if end < 0:
                return None
            at = end + 3
            continue
        slash, raw_name, self_closing = tag.groups()
        name = raw_name.lower()
        if slash:
            rebuilt += _close(open_tags, name, rebuilt)
            continue
        tags += 1
        work += len(open_tags) + REBUILD_WEIGHT * rebuilt
        if work > MAX_PARSE_WORK:
            return tags, len(open_tags)
        foreign = _in_foreign(open_tags) if "svg" in open_tags or "math" in open_tags else 0
        if foreign and name in _BREAKOUT:
            rebuilt += _pop(open_tags, foreign - 1)
            foreign = 0
        if name in _VOID or (foreign and self_closing):
            continue
        if not foreign:
            if name in _RAW_TEXT or name == "plaintext":  # its text holds no tags
                closing = _RAW_TEXT_END[name].search(html, at) if name != "plaintext" else None
                if closing is None:
                    return None
                at = closing.start()
                continue
            rebuilt += _pop(open_tags, _sibling(open_tags, name))
        open_tags.append(name)
    return None


def _in_foreign(open_tags: list[str]) -> int:
    """Return 1 + the index of the innermost open ``<svg>``/``<math>`` near the top, else 0."""
    for index in range(len(open_tags) - 1, max(len(open_tags) - SEARCH_DEPTH, 0) - 1, -1):
        if open_tags[index] in _FOREIGN:
            return index + 1
    return 0


def _sibling(open_tags: list[str], name: str) -> int | None:
    """Return where the open element that a start tag ``name`` closes is, if any."""
    if name in ("li", "dd", "dt"):
        items = ("li",) if name == "li" else ("dd", "dt")
        found = _find(open_tags, items, lambda open_tag: open_tag in _ITEM_PASSES)
        if found is not None:
            return found
    if name in ("td", "th", "tr"):
        cells = ("td", "th", "tr") if name == "tr" else ("td", "th")
        return _find(open_tags, cells, lambda open_tag: open_tag not in _TABLE_ENDS)
    if name in _CLOSE_P:
        return _find(open_tags, ("p",), lambda open_tag: open_tag not in _P_SCOPE_ENDS)
    return None


def _find(
    open_tags: list[str], kinds: tuple[str, ...], passes: Callable[[str], bool]
) -> int | None:
    """Return where the innermost open element of ``kinds`` is, among the top
    :data:`SEARCH_DEPTH`, if only elements that ``passes`` lie above it."""
    for index in range(len(open_tags) - 1, max(len(open_tags) - SEARCH_DEPTH, 0) - 1, -1):
        if open_tags[index] in kinds:
            return index
        if not passes(open_tags[index]):
            return None
    return None


def _close(open_tags: list[str], name: str, rebuilt: int) -> int:
    """Close the element an end tag names, if open near the top; return the change in the
    formatting elements to build again: those it closes on the way, or one fewer for the end
    tag of one that is not open (the parser then forgets it)."""
    found = _find(open_tags, (name,), lambda _: True)
    if found is None and name in open_tags:  # deeper down: a </div> past many open <b>
        found = len(open_tags) - 1 - open_tags[::-1].index(name)
    if found is None:
        return -1 if name in _FORMATTING and rebuilt > 0 else 0
    return _pop(open_tags, found)


def _pop(open_tags: list[str], index: int | None) -> int:
    """Close the open elements from ``index`` up; return how many formatting elements it
    closes above the one at ``index``: left without their end tag, the parser builds them
    again at every later tag."""
    if index is None:
        return 0
    closed = open_tags[index + 1 :]
    del open_tags[index:]
    return sum(1 for tag in closed if tag in _FORMATTING)
