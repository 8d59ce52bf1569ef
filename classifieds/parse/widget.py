"""Find the "Petites Annonces" widget in a page and split it into sections and raw ads.

The grammar, line by line after the ``Petites Annonces`` line::

    widget  := (header | ad | blank)*
    ad      := [title_line] detail_line
    detail  := <description> <town> (<postcode>) [<price>] Découvrir

A line that is neither a header nor part of an ad is a ``stray_line`` when an ad comes after
it (a line of junk among the ads); the widget ends at the first such line with no ad after it.
A section header not among the known ones is recognised by its place: a short line followed
by an ad.
Nothing here interprets the fields of an ad; that is :mod:`classifieds.parse.ads`.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from functools import lru_cache

from classifieds.models import RejectReason
from classifieds.parse.normalize import PRICE_SLOT, collapse, ends_with_discover

MAX_LINE_CHARS = 2_000
"""A widget line longer than this is junk (the longest real ad line is a few hundred)."""

KNOWN_SECTIONS = frozenset({"immobilier", "automobile", "bonnes affaires"})

_WIDGET_LINE = re.compile(r"petites\s+annonces", re.IGNORECASE)
# An unknown section header is short, starts with a capital and holds no digits.
_HEADER_LIKE = re.compile(r"^[A-ZÀ-ÞŒ][^\d()€,.:;!?]{0,29}$")
# A detail line's tail, as the grammar needs it to tell an ad after stray lines.
_POSTCODE_TAIL = re.compile(rf"\([0-9]{{5}}\){PRICE_SLOT}$")

# Line kinds. A crawl repeats the same widget lines on page after page, so a line's kind is
# looked up in a bounded cache rather than worked out again.
_BLANK, _DETAIL, _HEADER, _HEADER_LIKE_LINE, _OTHER, _LONG = range(6)
_KIND_CACHE_MAX = 1 << 15
"""Lines, pieces and tails each cache of a :class:`WidgetReader` holds before it starts again:
a crawl of 3,000 ads prints 24,000 pieces; where most ads are new, a bound on memory."""

_DISCOVER = "Découvrir"
Piece = tuple[str | None, str | None, str, int]
"""A piece of widget holding one ad: (section header in it, title line, detail line, newlines)."""
_UNKNOWN: Piece = ("", "", "", -1)


RawAd = tuple[str | None, str | None, str, int]
"""An ad as printed: (section, title line or None, detail line, 1-based line of the detail).

A plain tuple: one is made per ad of every page, and a tuple costs a fraction of an object.
"""


@dataclass(frozen=True, slots=True)
class RawReject:
    """A line of the widget that looked like part of an ad and cannot be used."""

    line: int
    reason: RejectReason
    text: str


def widget_starts(text: str) -> list[int]:
    """Return the offsets of the line ends of every "Petites Annonces" line of a page.

    A plain search for "nnonces" (in the three usual cases) finds candidates at C speed; only
    their lines are checked against the header pattern.

    >>> widget_starts("Article\\nPETITES ANNONCES \\nImmobilier\\n")
    [25]
    """
    starts = []
    for needle in ("nnonces", "NNONCES"):
        found = text.find(needle)
        while found >= 0:
            line_start = text.rfind("\n", 0, found) + 1
            line_end = text.find("\n", found)
            line_end = len(text) if line_end < 0 else line_end
            if _WIDGET_LINE.fullmatch(text, line_start, line_end) or _WIDGET_LINE.fullmatch(
                text[line_start:line_end].strip()
            ):
                starts.append(line_end)
            found = text.find(needle, line_end)
    return sorted(starts)


class WidgetReader:
    """The widget grammar, with the bounded caches of one parser.

    A crawl repeats the same widget lines and pieces on page after page: each line's kind,
    each piece's ad and each footer's walk is worked out once per reader, then looked up.
    Owned by an :class:`~classifieds.parse.ads.AdBook`; never shared between parsers.
    """

    __slots__ = ("_kinds", "_pieces", "_quiet_tails", "_section_name", "_starts_with_title")

    def __init__(self) -> None:
        self._kinds: dict[str, int] = {}
        self._pieces: dict[str, Piece | None] = {}
        self._quiet_tails: dict[tuple[str, bool], bool] = {}
        self._starts_with_title = lru_cache(maxsize=_KIND_CACHE_MAX)(starts_with_title)
        self._section_name = lru_cache(maxsize=1 << 12)(section_name)

    def scan(self, text: str, first_line: int = 1) -> list[RawAd | RawReject]:
        """Return the raw ads and rejected lines of every widget of a page, in page order.

        ``first_line`` is the line number of the text's first line in its page.
        """
        found: list[RawAd | RawReject] = []
        starts = widget_starts(text)
        ends_with_newline = text.endswith("\n")
        counted, newlines = 0, 0  # line breaks counted so far: a page may hold 10^4 widgets
        for k, start in enumerate(starts):
            if start >= len(text):
                continue
            # A widget is walked up to the next start line at the latest: nothing is read twice.
            end = text.rfind("\n", 0, starts[k + 1]) if k + 1 < len(starts) else len(text)
            newlines += text.count("\n", counted, start)
            counted = start
            first_number = newlines + first_line + 1
            widget = text[start:end]  # from the end of its start line: it begins with "\n"
            if not self._walk_ads(widget, first_number, ends_with_newline, found):
                lines = [line.strip() for line in widget[1:].split("\n")]
                self._walk(lines, first_number, ends_with_newline, found)
        return found

    def single_widget(self, text: str, first_line: int = 1) -> tuple[list[str], int] | None:
        """Return the pieces of a page's widget (see :meth:`_walk_ads`) and the line number of
        the line before the first, when the page is the usual one: one widget, which can be read
        piece by piece, and after its last ad nothing that the grammar would read as part of
        it. Otherwise return None, and the page must be scanned.
        """
        starts = widget_starts(text)
        if len(starts) != 1:
            return None
        pieces = text[starts[0] :].split(_DISCOVER)
        if len(pieces) < 2 or not self._quiet(pieces.pop(), text.endswith("\n")):
            return None
        return pieces, text.count("\n", 0, starts[0]) + first_line

    def piece(self, text: str) -> Piece | None:
        """Return the ad a piece of widget holds, walked on its own; None when it holds
        something else than one ad (see :meth:`_walk_ads`). Cached: the same pieces come back
        page after page.
        """
        found = self._pieces.get(text, _UNKNOWN)
        return self._piece(text) if found is _UNKNOWN else found

    def _quiet(self, rest: str, ends_with_newline: bool) -> bool:
        """Return whether the text after a widget's last "Découvrir" ends its line and holds
        nothing that the grammar reads (a page's footer): no ad, no reject.
        """
        key = (rest, ends_with_newline)
        quiet = self._quiet_tails.get(key)
        if quiet is None:
            end_of_line, newline, after = rest.partition("\n")
            walked: list[RawAd | RawReject] = []
            blank_end = not end_of_line.strip()
            if newline and blank_end:
                self._walk(
                    [line.strip() for line in after.split("\n")], 0, ends_with_newline, walked
                )
            quiet = blank_end and not walked
            if len(rest) <= MAX_LINE_CHARS:
                if len(self._quiet_tails) >= _KIND_CACHE_MAX:
                    self._quiet_tails.clear()
                self._quiet_tails[key] = quiet
        return quiet

    def _walk_ads(
        self,
        widget: str,
        first_number: int,
        ends_with_newline: bool,
        found: list[RawAd | RawReject],
    ) -> bool:
        """Add the ads of one widget to ``found`` ad by ad rather than line by line, if it can.

        Cut at each "Découvrir", a widget is a run of pieces, each ending with the detail line
        of one ad and holding (after the end of the previous detail line) its title line and
        section headers; the same pieces come back page after page. Each piece is walked once,
        on its own (:meth:`_piece`); if every piece holds exactly one ad, the walk of the whole
        widget is the walks of its pieces, then of the lines after the last ad. Otherwise (an
        unusual line among the ads) nothing is added and the widget must be walked line by
        line: return False.
        """
        pieces = widget.split(_DISCOVER)
        rest = pieces.pop()
        end_of_line, newline, after = rest.partition("\n")
        if not pieces or end_of_line.strip():
            return False  # no ad, or the last "Découvrir" is not at the end of its line
        ads: list[RawAd | RawReject] = []
        section: str | None = None
        number = first_number - 1  # the line of the widget's first "\n"
        for text in pieces:
            held = self.piece(text)
            if held is None:
                return False
            header, title_line, detail_line, newlines = held
            if header is not None:
                section = header
            number += newlines
            ads.append((section, title_line, detail_line, number))
        found += ads
        if newline:
            lines = [line.strip() for line in after.split("\n")]
            self._walk(lines, number + 1, ends_with_newline, found, section)
        return True

    def _piece(self, text: str) -> Piece | None:
        """Walk a piece of widget on its own (see :meth:`piece`) and cache what it holds."""
        end_of_line, newline, after = text.partition("\n")
        held: Piece | None = None
        if newline and not end_of_line.strip() and len(text) <= MAX_LINE_CHARS:
            header_line, newline, rest = after.partition("\n")
            if newline and self._kind(header_line.strip()) == _HEADER:
                # The first piece of a section, each time with another ad: its header, then
                # the piece of the ad without it (seen before, after another ad of the section).
                held = self.piece("\n" + rest)
                if held is not None:
                    header, title_line, detail_line, newlines = held
                    header = self._section_name(header_line.strip()) if header is None else header
                    held = (header, title_line, detail_line, newlines + 1)
                return self._keep_piece(text, held)
            lines = [line.strip() for line in (after + _DISCOVER).split("\n")]
            walked: list[RawAd | RawReject] = []
            self._walk(lines, 0, True, walked)
            if len(walked) == 1 and isinstance(walked[0], tuple) and walked[0][3] == len(lines) - 1:
                # header: None if none in the piece. Pieces of one ad differ by the line before
                # it: they share its lines' strings.
                header, title_line, detail_line, _ = walked[0]
                detail_line = sys.intern(detail_line)
                title_line = title_line and sys.intern(title_line)
                held = (header, title_line, detail_line, text.count("\n"))
        return self._keep_piece(text, held)

    def _keep_piece(self, text: str, held: Piece | None) -> Piece | None:
        if len(text) <= MAX_LINE_CHARS:  # a multi-MB key would pin memory
            if len(self._pieces) >= _KIND_CACHE_MAX:
                self._pieces.clear()
            self._pieces[text] = held
        return held

    def _kind(self, line: str) -> int:
        if len(line) > MAX_LINE_CHARS:
            return _LONG  # never cached: a multi-MB key would pin memory
        if line.endswith("Découvrir"):
            return _DETAIL  # most widget lines: no lookup needed
        kind = self._kinds.get(line)
        if kind is None:
            if not line:
                kind = _BLANK
            elif ends_with_discover(line):
                kind = _DETAIL
            elif is_header(line):
                kind = _HEADER
            elif _HEADER_LIKE.match(line):
                kind = _HEADER_LIKE_LINE
            else:
                kind = _OTHER
            if len(self._kinds) >= _KIND_CACHE_MAX:
                self._kinds.clear()
            self._kinds[line] = kind
        return kind

    def _walk(
        self,
        lines: list[str],
        first_number: int,
        ends_with_newline: bool,
        found: list[RawAd | RawReject],
        section: str | None = None,
    ) -> None:
        """Add the ads of one widget to ``found``; ``lines``: its stripped lines after its start.

        ``section`` is the section the lines start in. Lists, not generators: this runs for
        every line of a widget that cannot be walked ad by ad.
        """
        count = len(lines)
        i = 0
        while i < count:
            line = lines[i]
            kind = self._kind(line)
            if kind == _BLANK:
                i += 1
            elif kind == _LONG:
                found.append(RawReject(first_number + i, "line_too_long", line))
                i += 1
            elif kind == _DETAIL:
                found.append((section, None, line, first_number + i))
                i += 1
            elif kind == _HEADER:
                section = self._section_name(line)
                i += 1
            else:
                j = _next_filled(lines, i + 1)
                following = self._kind(lines[j]) if j < count else None
                if following == _DETAIL:
                    if kind == _OTHER or self._starts_with_title(lines[j], line):
                        found.append((section, line, lines[j], first_number + j))
                    else:  # an unknown section whose first ad has no title line
                        section = self._section_name(line)
                        found.append((section, None, lines[j], first_number + j))
                    i = j + 1
                elif kind == _HEADER_LIKE_LINE and self._ad_starts(lines, j):
                    # An unknown section header, then a titled ad.
                    section = self._section_name(line)
                    i = j
                elif following == _LONG and ends_with_discover(lines[j]):
                    # A title, then a detail line too long to be one: the widget goes on.
                    found.append(RawReject(first_number + j, "line_too_long", lines[j]))
                    i = j + 1
                elif following == _HEADER and self._ad_starts(lines, _next_filled(lines, j + 1)):
                    found.append(RawReject(first_number + i, "orphan_title", line))
                    i = j
                else:
                    resume = self._next_ad_or_header(lines, i + 1)
                    if resume is None:
                        found += _truncated_tail(lines, i, first_number, ends_with_newline)
                        return
                    found += [
                        RawReject(first_number + k, "stray_line", lines[k])
                        for k in range(i, resume)
                        if lines[k]
                    ]
                    i = resume

    def _next_ad_or_header(self, lines: list[str], start: int) -> int | None:
        """Return where the widget goes on after stray lines: the next section header, or
        the next ad (its title line, or its detail line, which must hold a postcode); None
        when neither comes, and the widget ends."""
        previous = None  # the last filled line seen: the title of a detail line after it
        for k in range(start, len(lines)):
            line = lines[k]
            kind = self._kind(line)
            if kind == _HEADER:
                return k
            if kind == _DETAIL and _POSTCODE_TAIL.search(line, 0, len(line) - 9):
                return k if previous is None or self._kind(lines[previous]) == _DETAIL else previous
            if line:
                previous = k
        return None

    def _ad_starts(self, lines: list[str], i: int) -> bool:
        """Return whether an ad (a detail line, or a title line and its detail) starts at i."""
        if i >= len(lines):
            return False
        if self._kind(lines[i]) == _DETAIL:
            return True
        j = _next_filled(lines, i + 1)
        return j < len(lines) and self._kind(lines[j]) == _DETAIL


def is_header(line: str) -> bool:
    """Return whether a stripped line is one of the known section headers, in any case."""
    return len(line) < 40 and collapse(line).casefold() in KNOWN_SECTIONS


def starts_with_title(detail_line: str, title_line: str) -> bool:
    """Return whether the detail line repeats the title line (whitespace and case aside)."""
    title = collapse(title_line).casefold()
    return collapse(detail_line[: len(title_line) + 8]).casefold().startswith(title)


def section_name(header_line: str) -> str:
    """Return a section header as the ``section`` column shows it."""
    return collapse(header_line)


def _next_filled(lines: list[str], i: int) -> int:
    """Return the index of the first non-blank line at or after ``i`` (len when none)."""
    while i < len(lines) and not lines[i]:
        i += 1
    return i


def _truncated_tail(
    lines: list[str], i: int, first_number: int, ends_with_newline: bool
) -> list[RawReject]:
    """Return rejects for an ad cut off by the end of a truncated page, else nothing.

    A page cut mid-ad ends right after the widget's last ad with at most a title line and part
    of a detail line, and (being cut) without a final newline or inside a parenthesis.
    """
    tail = [k for k in range(i, len(lines)) if lines[k]]
    if not tail or len(tail) > 2:
        return []
    last = lines[tail[-1]]
    cut_in_postcode = last.rfind("(") > last.rfind(")")
    if ends_with_newline and not cut_in_postcode:
        return []
    return [RawReject(first_number + k, "truncated_ad", lines[k]) for k in tail]
