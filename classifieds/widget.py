"""Find the "Petites Annonces" widget in a page and split it into sections and raw ads.

The grammar, line by line after the ``Petites Annonces`` line::

    widget  := (header | ad | blank)*
    ad      := [title_line] detail_line
    detail  := <description> <town> (<postcode>) [<price>] Découvrir

The widget ends at the first line that is neither a header nor part of an ad. A section
header not among the known ones is recognised by its place: a short line followed by an ad.
Nothing here interprets the fields of an ad; that is :mod:`classifieds.ads`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from classifieds.models import RejectReason
from classifieds.normalize import collapse, ends_with_discover

MAX_LINE_CHARS = 2_000
"""A widget line longer than this is junk (the longest real ad line is a few hundred)."""

KNOWN_SECTIONS = frozenset({"immobilier", "automobile", "bonnes affaires"})

_WIDGET_START = re.compile(
    r"^[^\S\n]*petites[^\S\n]+annonces[^\S\n]*$", re.IGNORECASE | re.MULTILINE
)
# An unknown section header is short, starts with a capital and holds no digits.
_HEADER_LIKE = re.compile(r"^[A-ZÀ-Þ][^\d()€,.:;!?]{0,29}$")


@dataclass(frozen=True, slots=True)
class RawAd:
    """An ad as printed: the section it sits in, its title line (if any) and its detail line."""

    section: str | None
    title_line: str | None
    detail_line: str
    line: int
    """1-based line number of the detail line in the page."""


@dataclass(frozen=True, slots=True)
class RawReject:
    """A line of the widget that looked like part of an ad and cannot be used."""

    line: int
    reason: RejectReason
    text: str


class _Lines:
    """The stripped lines of a page from a widget start, with their 1-based numbers."""

    def __init__(self, lines: list[str], first_number: int) -> None:
        self.lines = lines
        self.first_number = first_number

    def next_filled(self, i: int) -> int:
        """Return the index of the first non-blank line at or after ``i`` (len when none)."""
        while i < len(self.lines) and not self.lines[i]:
            i += 1
        return i

    def number(self, i: int) -> int:
        return self.first_number + i


def find_widgets(text: str) -> Iterator[tuple[int, list[str]]]:
    """Yield (line number of the line after each widget start, stripped lines after it)."""
    for match in _WIDGET_START.finditer(text):
        first_number = text.count("\n", 0, match.start()) + 2
        end = text.find("\n", match.end())
        if end < 0:
            continue
        # Each widget is walked until the next start line at the latest, so nothing is read twice.
        following = _WIDGET_START.search(text, end + 1)
        body = text[end + 1 : following.start() if following else len(text)]
        yield first_number, [line.strip() for line in body.split("\n")]


def is_header(line: str) -> bool:
    """Return whether a stripped line is one of the known section headers, in any case."""
    return len(line) < 40 and collapse(line).casefold() in KNOWN_SECTIONS


def starts_with_title(detail_line: str, title_line: str) -> bool:
    """Return whether the detail line repeats the title line (whitespace and case aside)."""
    title = collapse(title_line).casefold()
    return collapse(detail_line[: len(title_line) + 8]).casefold().startswith(title)


def scan(text: str, *, ends_with_newline: bool | None = None) -> Iterator[RawAd | RawReject]:
    """Yield the raw ads and rejected lines of every widget of a page, in page order."""
    if ends_with_newline is None:
        ends_with_newline = text.endswith("\n")
    for first_number, lines in find_widgets(text):
        yield from _walk(_Lines(lines, first_number), ends_with_newline)


def has_widget(text: str) -> bool:
    """Return whether the page has a "Petites Annonces" line."""
    return _WIDGET_START.search(text) is not None


def _walk(page: _Lines, ends_with_newline: bool) -> Iterator[RawAd | RawReject]:
    lines = page.lines
    section: str | None = None
    i = page.next_filled(0)
    while i < len(lines):
        line = lines[i]
        if len(line) > MAX_LINE_CHARS:
            yield RawReject(page.number(i), "line_too_long", line)
            i = page.next_filled(i + 1)
            continue
        if ends_with_discover(line):
            yield RawAd(section, None, line, page.number(i))
            i = page.next_filled(i + 1)
            continue
        if is_header(line):
            section = collapse(line)
            i = page.next_filled(i + 1)
            continue
        j = page.next_filled(i + 1)
        following = lines[j] if j < len(lines) else None
        if following is not None and _is_detail(following):
            if starts_with_title(following, line) or not _HEADER_LIKE.match(line):
                yield RawAd(section, line, following, page.number(j))
            else:  # an unknown section whose first ad has no title line
                section = collapse(line)
                yield RawAd(section, None, following, page.number(j))
            i = page.next_filled(j + 1)
            continue
        if following is not None and _HEADER_LIKE.match(line) and _ad_starts(page, j):
            section = collapse(line)  # an unknown section header, then a titled ad
            i = j
            continue
        if (
            following is not None
            and is_header(following)
            and _ad_starts(page, page.next_filled(j + 1))
        ):
            yield RawReject(page.number(i), "orphan_title", line)
            i = j
            continue
        yield from _truncated_tail(page, i, ends_with_newline)
        return


def _is_detail(line: str) -> bool:
    return len(line) <= MAX_LINE_CHARS and ends_with_discover(line)


def _ad_starts(page: _Lines, i: int) -> bool:
    """Return whether an ad (a detail line, or a title line and its detail) starts at ``i``."""
    if i >= len(page.lines):
        return False
    if _is_detail(page.lines[i]):
        return True
    j = page.next_filled(i + 1)
    return j < len(page.lines) and _is_detail(page.lines[j])


def _truncated_tail(page: _Lines, i: int, ends_with_newline: bool) -> Iterator[RawReject]:
    """Yield rejects for an ad cut off by the end of a truncated page, else nothing.

    A page cut mid-ad ends right after the widget's last ad with at most a title line and part
    of a detail line, and (being cut) without a final newline or inside a parenthesis.
    """
    tail = [k for k in range(i, len(page.lines)) if page.lines[k]]
    if not tail or len(tail) > 2:
        return
    last = page.lines[tail[-1]]
    cut_in_postcode = last.rfind("(") > last.rfind(")")
    if ends_with_newline and not cut_in_postcode:
        return
    for k in tail:
        yield RawReject(page.number(k), "truncated_ad", page.lines[k])
