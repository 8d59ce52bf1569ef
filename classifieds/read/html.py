"""Turn an HTML page into the lines of text a browser shows, for the widget parser.

The rules are those of a browser's text rendering (``innerText``), simplified to what the
widget needs: block elements (``div``, ``li``, ``h2``, ``p``...) and ``<br>`` break lines,
inline elements (``span``, ``a``, ``b``) do not; runs of ASCII whitespace in the markup become
one space, so a pretty-printed page reads like its text dump, while a non-breaking space
(``&nbsp;``, U+00A0) stays what it is, as prices use it between digit groups; scripts, styles,
``<noscript>``, ``<template>``, ``<iframe>``, comments and the ``<head>`` are dropped;
entities are decoded. Parsing is selectolax's Lexbor engine, which repairs broken markup
(unclosed tags) the way browsers do; its work grows with the square of a page's nesting and of
a tag's attributes, so markup that would take it too long is refused (:class:`TooComplex`)
before it is parsed (:mod:`.complexity`).
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser, LexborNode

from classifieds.read.complexity import TooComplex, check_complexity

__all__ = ["TooComplex", "html_to_text", "looks_complete", "looks_like_html", "meta_charset"]

BLOCK_TAGS = frozenset(
    """address article aside blockquote body caption center dd details dialog dir div dl dt
    fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr html legend li
    listing main menu nav ol optgroup option p plaintext pre search section summary table tbody
    tfoot thead tr ul xmp""".split()  # noqa: SIM905  (a word list reads better than 51 strings)
)
"""Elements a browser lays out as blocks: each starts and ends a line."""
CELL_TAGS = frozenset({"td", "th"})
"""Table cells sit side by side on their row's line, separated by a space."""
PREFORMATTED_TAGS = frozenset({"pre", "textarea", "listing", "plaintext", "xmp"})
"""Elements whose line breaks are kept."""
DROPPED_TAGS = ("script", "style", "noscript", "template", "iframe")
_BREAK = "\ue000"  # a private-use character: never in a page, marks a line break until the end
_MARKUP_SPACE = re.compile(r"[ \t\n\r\f]+")  # not \s: U+00A0 is text, not markup whitespace
_COMPLETE = re.compile(r"</html\s*>\s*(?:<!--.*?-->\s*)*\Z", re.IGNORECASE | re.DOTALL)
_META_CHARSET = re.compile(
    rb"""<meta\b[^>]*?\bcharset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE
)
META_PRESCAN_BYTES = 1024
"""A ``<meta charset>`` counts in the first 1,024 bytes, as in the HTML standard's prescan."""


def html_to_text(html: str, *, complete: bool = True) -> str:
    """Return the text lines of an HTML page, one line per block, ending in a newline.

    With ``complete=False`` (a download cut short) the text does not end in a newline, which
    tells the widget parser that an ad at the very end may have been cut. Raises
    :class:`TooComplex` for markup past the caps.

    >>> html_to_text("<ul><li><b>Studio</b> Caen<li>450&nbsp;€ <a>Découvrir</a></ul>")
    'Studio Caen\\n450\\xa0€ Découvrir\\n'
    >>> html_to_text("<div>a<br>b<script>x()</script><!-- c --></div><p>\\n  d  \\n  e")
    'a\\nb\\nd e\\n'
    """
    check_complexity(html)
    tree = LexborHTMLParser(html)
    tree.strip_tags(list(DROPPED_TAGS))
    parts: list[str] = []
    body = tree.body
    if body is not None:
        _collect(body, parts)
    text = _MARKUP_SPACE.sub(" ", "".join(parts))
    lines = [line.strip() for line in text.split(_BREAK)]
    text = "\n".join(line for line in lines if line)
    return text + "\n" if text and complete else text


def looks_complete(html: str | bytes) -> bool:
    """Return False for a document cut short: it opens ``<html>`` and does not close it.

    A fragment (no ``<html>``) cannot tell, and counts as complete.

    >>> looks_complete(b"<html><body>x</body></html>\\n"), looks_complete("<html><body>x")
    (True, False)
    >>> looks_complete("<div>x")
    True
    """
    if isinstance(html, bytes):
        head, tail = html[:1024].decode("latin-1"), html[-4096:].decode("latin-1")
    else:
        head, tail = html[:1024], html[-4096:]
    return "<html" not in head.lower() or _COMPLETE.search(tail) is not None


def meta_charset(html: bytes) -> str | None:
    """Return the charset label a page declares in a ``<meta>`` near its start, if any.

    >>> meta_charset(b'<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-15">')
    'ISO-8859-15'
    >>> meta_charset(b"<head><meta charset='utf-8'>"), meta_charset(b"<p>charset=x</p>")
    ('utf-8', None)
    """
    match = _META_CHARSET.search(html, 0, META_PRESCAN_BYTES)
    return match.group(1).decode("ascii") if match else None


def looks_like_html(head: bytes) -> bool:
    """Return whether the first bytes of a page are HTML markup rather than text.

    >>> looks_like_html(b"\\n <!DOCTYPE html><html>"), looks_like_html(b"Petites Annonces")
    (True, False)
    """
    if head.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")):
        head = head.replace(b"\x00", b"")  # UTF-16 or UTF-32: its ASCII as bytes
    start = head.lstrip(b"\xef\xbb\xbf\xff\xfe \t\r\n")[:14].lower()
    return start.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<!--"))


def _collect(root: LexborNode, parts: list[str]) -> None:
    """Add the text of the elements under ``root`` to ``parts``, in document order.

    A loop with a stack of the open elements, not recursion: a page may nest thousands deep.
    """
    # Each open element: its edge (what closes it), whether it is preformatted, its next sibling.
    open_elements: list[tuple[str, bool, LexborNode | None]] = []
    node, preformatted = root.first_child, False
    while True:
        while node is None:
            if not open_elements:
                return
            edge, preformatted, node = open_elements.pop()
            parts.append(edge)
        tag = node.tag
        if tag == "-text":
            text = node.text_content or ""
            parts.append(text.replace("\n", _BREAK) if preformatted else text)
        elif tag == "br":
            parts.append(_BREAK)
        elif tag is not None and not tag.startswith("-"):  # elements; not comments, doctypes
            edge = _BREAK if tag in BLOCK_TAGS else " " if tag in CELL_TAGS else ""
            parts.append(edge)
            child = node.first_child
            if child is not None:
                open_elements.append((edge, preformatted, node.next))
                node, preformatted = child, preformatted or tag in PREFORMATTED_TAGS
                continue
            parts.append(edge)
        node = node.next
