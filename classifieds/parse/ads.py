"""From a raw ad (section, title line, detail line) to a validated, enriched :class:`Ad`.

A crawl shows the same few thousand ads on millions of pages, so an :class:`AdBook` remembers
what it built by the raw lines: each distinct ad is parsed, enriched and validated once per
book. Each parser owns one book (one per process or Dask task); nothing is shared between them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import compress
from types import MappingProxyType
from typing import Any, TypeVar

from pydantic import ValidationError

from classifieds.models import Ad, Listing, Reject, RejectReason
from classifieds.parse.attributes import Attributes, extract_attributes
from classifieds.parse.communes import CommuneTable, split_town
from classifieds.parse.departments import department_named, department_of
from classifieds.parse.normalize import (
    collapse,
    has_digit,
    slug,
    split_detail,
    visible,
)
from classifieds.parse.prices import read_price
from classifieds.parse.widget import MAX_LINE_CHARS, RawReject, WidgetReader

UNSECTIONED = "non_classe"
"""Category of an ad printed before any section header."""

AD_CACHE_SIZE = 1 << 14
"""Ads each cache of ads of an :class:`AdBook` holds before they all start again: a crawl's
ads, printed a few ways each (1.5 KB an ad held); where most ads are new, a bound on the
memory they pin."""
PLACED_CACHE_SIZE = 1 << 15
MAX_PAGE_ADS = 10_000
"""Ads and rejected lines read on one page, at most (a widget shows a dozen): each takes a
few KB until the page is written, and a 64 MiB page of ad lines would take gigabytes."""
"""Pieces of widget the cache of places holds: each way of printing an ad after each section
(a crawl of 3,000 ads prints 24,000)."""

_Printed = tuple[str | None, str | None, str]
"""An ad as printed: (section, title line collapsed or None, detail line)."""
_Place = tuple[Ad | RejectReason, str, int, str | None, str, float | None, tuple[Any, ...]]
"""A piece of widget after a section: (its ad or why it is rejected, the ad's listing id or ""
if rejected, its newlines, the section after it (the ad's), its lines as printed if rejected,
the ad's price, the ad's values or ())."""
# A piece not placed yet: compared by identity.
_UNSEEN: _Place = ("no_title", "", -1, None, "", None, ())
_UNICODE_LINE_BREAKS = MappingProxyType(dict.fromkeys(map(ord, "\u2028\u2029\x85"), "\n"))
"""Line and paragraph separators, and NEL: line breaks, as the lines of Unicode text read."""
_Key = TypeVar("_Key")
_Value = TypeVar("_Value")
AttributesOf = Callable[[str, str, float | None, str | None], Attributes]


@dataclass(slots=True)
class PageAds:
    """The ads of a page, each once, in page order, and the lines it had to reject."""

    ads: list[Ad] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    """The listing id of each ad: read once here rather than from each ad by every user."""
    lines: list[int] = field(default_factory=list)
    """The 1-based line of each ad's detail line; its rank on the page is its index + 1."""
    sections: list[str | None] = field(default_factory=list)
    prices: list[float | None] = field(default_factory=list)
    """Each ad's section and price, read once with its place rather than from each ad."""
    values: list[tuple[Any, ...]] = field(default_factory=list)
    """Each ad's :meth:`~classifieds.models.Ad.values`, made once per ad placed rather than
    once per sighting."""
    rejects: list[Reject] = field(default_factory=list)


def listing_id(category: str, title: str, town: str, postcode: str) -> str:
    """Return the stable id of an ad: its price is left out, so a new price is the same ad.

    >>> listing_id("immobilier", "Viager en Ardèche", "Villevocance", "07690")
    '1007d86089d41720'
    >>> listing_id("immobilier", "viager  en ardèche", "VILLEVOCANCE", "07690")
    '1007d86089d41720'
    """
    key = "\x1f".join((category, collapse(title).casefold(), collapse(town).casefold(), postcode))
    return hashlib.blake2b(key.encode(), digest_size=8).hexdigest()


def build_ad(
    section: str | None,
    title_line: str | None,
    detail_line: str,
    attributes_of: AttributesOf = extract_attributes,
    communes: CommuneTable | None = None,
) -> Ad | RejectReason:
    """Return the ad printed by these lines, or the reason it cannot be used.

    ``attributes_of`` is :func:`~classifieds.parse.attributes.extract_attributes`, or a cached
    copy of it (see :class:`AdBook`); ``communes`` the table of communes (default: the
    packaged one, loaded for this call: an :class:`AdBook` loads it once).
    """
    parts = split_detail(visible(detail_line))
    if parts is None:
        return "no_postcode"
    head, postcode, price_raw = parts
    title = collapse(visible(title_line)) if title_line else None
    if title is None:
        title, head = _undoubled(head)
    split = split_town(head, title, postcode, communes or CommuneTable.packaged())
    if split is None:
        return "no_town"
    description, town, commune, town_match = split
    title = title or description
    if not title:
        return "no_title"
    price = read_price(price_raw) if price_raw else None
    if price is None and price_raw and has_digit(price_raw):
        return "bad_price"
    # "à partir de 90 €", "100 - 150 €": a price, but no one amount; "0€" is the widget's
    # placeholder for "no price given".
    price_eur = price.eur if price is not None and price.eur else None
    category = (slug(section) if section else "") or UNSECTIONED
    department = (commune and department_named(commune.department_code)) or department_of(postcode)
    attributes = attributes_of(
        category,
        f"{title} {description or ''}",
        price_eur,
        None if price is None else price.transaction,
    )
    try:
        return Ad(
            listing_id=listing_id(category, title, town, postcode),
            category=category,
            section=section,
            title=title,
            description=description,
            town=town,
            insee_code=commune and commune.insee_code,
            commune=commune and commune.name,
            town_match=town_match,
            population=commune and commune.population,
            postcode=postcode,
            department_code=department and department.code,
            department=department and department.name,
            region=department and department.region,
            price_eur=price_eur,
            price_raw=price_raw,
            **attributes._asdict(),
        )
    except ValidationError:
        return "invalid_record"


class AdBook:
    """The parse caches of one parser: the ads it built, by the ways they were printed.

    The same ads come back on page after page of a crawl: each way of printing one (its lines,
    its section) is built once, and each piece of widget placed once. Every cache is bounded:
    when one is full, they all start again. A book also holds its :class:`WidgetReader`, the
    widget grammar's caches. Not shared: each parser (a process, a Dask task) owns its own.
    """

    def __init__(self) -> None:
        self.widgets = WidgetReader()
        self._built: dict[_Printed, Ad | RejectReason] = {}
        self._by_category: dict[_Printed, Ad | RejectReason] = {}
        """Ads built, by (category, title, detail line): the same ad under another header's
        case."""
        self._equal_ads: dict[tuple[object, ...], Ad] = {}
        self._placed: dict[tuple[str | None, str], _Place | None] = {}
        # Variants of one ad (a title printed with tabs, a header in capitals) share their
        # attributes.
        self._attributes_of = lru_cache(maxsize=AD_CACHE_SIZE)(extract_attributes)
        self._communes: CommuneTable | None = None
        self._fields_set: set[str] | None = None
        """The names of the fields set, as every ad built holds them (see :meth:`_lean`)."""

    @property
    def communes(self) -> CommuneTable:
        """Return the table of communes, loaded on the first ad built (15 ms, 9 MB)."""
        if self._communes is None:
            self._communes = CommuneTable.packaged()
        return self._communes

    def occurrences(self, text: str, source: str, first_line: int = 1) -> PageAds:
        """Return the ads of a page and its rejects.

        An ad that the page shows twice (the same widget rendered twice) counts once, at its
        first line. ``first_line`` is the line number of the text's first line in its page.
        """
        if "\r" in text:  # the grammar reads lines stripped: CRLF pages share the LF pieces
            text = text.replace("\r\n", "\n").replace("\r", "\n")  # a lone CR: old Macs'
        if "\u2028" in text or "\u2029" in text or "\x85" in text:
            text = text.translate(_UNICODE_LINE_BREAKS)
        widget = self.widgets.single_widget(text, first_line)
        found = None if widget is None else self._placed_ads(*widget, source)
        if found is None:
            found = self._scanned_ads(text, source, first_line)
        if len(set(found.ids)) < len(found.ids):
            _keep_first_sightings(found)
        return found

    def built_ad(
        self, section: str | None, title_line: str | None, detail_line: str
    ) -> Ad | RejectReason:
        """Return the ad printed so (or why it is rejected), built once for all its sightings."""
        # build_ad reads a title line collapsed: a title printed with tabs is built once.
        printed = (section, title_line and collapse(title_line), detail_line)
        ad = self._built.get(printed)
        if ad is None:
            ad = self._build_in_section(*printed)
            if not isinstance(ad, str):
                # Other ways of printing an ad (a header in capitals...) may build equal ads.
                ad = self._equal_ads.setdefault(ad.values(), ad)
                self._lean(ad)
            self._remember(self._built, printed, ad)
        return ad

    def _lean(self, ad: Ad) -> None:
        """Make the ad hold the book's set of the names of its fields set.

        Pydantic gives each model its own set of them: 2.3 KB of the 3.7 KB of an ad held in
        the caches, the same 27 names in every ad. An ad is frozen, and a copy copies the set
        before it changes it: sharing one set changes nothing but memory.
        """
        fields = ad.__pydantic_fields_set__
        if self._fields_set is None:
            self._fields_set = fields
        elif fields is not self._fields_set and fields == self._fields_set:
            object.__setattr__(ad, "__pydantic_fields_set__", self._fields_set)

    def _placed_ads(self, pieces: list[str], number: int, source: str) -> PageAds | None:
        """Return the ads of a widget's pieces (see :meth:`WidgetReader.single_widget`), each
        looked up by the section it follows; None if one holds anything but an ad.

        ``number`` is the line number of the line before the first piece. Most pages go this
        way: one lookup per ad.
        """
        found = PageAds()
        section: str | None = None
        placed = self._placed.get
        for text in pieces:
            if len(found.ads) + len(found.rejects) >= MAX_PAGE_ADS:
                found.rejects.append(_too_many(source, number + 1))
                break
            key = (section, text)
            place = placed(key, _UNSEEN)
            if place is _UNSEEN:
                place = self._place(key)
            if place is None:
                return None
            ad, listing, newlines, section, printed, price, values = place
            number += newlines
            if isinstance(ad, str):
                found.rejects.append(Reject.of(source, number, ad, printed))
            else:
                found.ads.append(ad)
                found.ids.append(listing)
                found.lines.append(number)
                found.sections.append(section)
                found.prices.append(price)
                found.values.append(values)
        return found

    def _place(self, key: tuple[str | None, str]) -> _Place | None:
        """Return the ad of a piece of widget after a section (see :meth:`_placed_ads`)."""
        section, text = key
        held = self.widgets.piece(text)
        place: _Place | None = None
        if held is not None:
            header, title_line, detail_line, newlines = held
            section = section if header is None else header
            ad = self.built_ad(section, title_line, detail_line)
            if isinstance(ad, Ad):
                place = (ad, ad.listing_id, newlines, ad.section, "", ad.price_eur, ad.values())
            else:
                lines = _printed_lines(title_line, detail_line)
                place = (ad, "", newlines, section, lines, None, ())
        if len(text) <= MAX_LINE_CHARS:  # a multi-MB key would pin memory
            self._remember(self._placed, key, place, PLACED_CACHE_SIZE)
        return place

    def _scanned_ads(self, text: str, source: str, first_line: int) -> PageAds:
        """Return the ads of a page scanned line by line: any number of widgets, any oddity."""
        found = PageAds()
        for raw in self.widgets.scan(text, first_line):
            if len(found.ads) + len(found.rejects) >= MAX_PAGE_ADS:
                found.rejects.append(
                    _too_many(source, raw.line if isinstance(raw, RawReject) else raw[3])
                )
                break
            if isinstance(raw, RawReject):
                found.rejects.append(Reject.of(source, raw.line, raw.reason, raw.text))
                continue
            section, title_line, detail_line, number = raw
            ad = self.built_ad(section, title_line, detail_line)
            if isinstance(ad, str):
                lines = _printed_lines(title_line, detail_line)
                found.rejects.append(Reject.of(source, number, ad, lines))
            else:
                found.ads.append(ad)
                found.ids.append(ad.listing_id)
                found.lines.append(number)
                found.sections.append(ad.section)
                found.prices.append(ad.price_eur)
                found.values.append(ad.values())
        return found

    def _build_in_section(
        self, section: str | None, title_line: str | None, detail_line: str
    ) -> Ad | RejectReason:
        """Return :func:`build_ad`'s ad; one printed under a header in other capitals
        ("IMMOBILIER", "Immobilier") is the same ad in another section: copied, not built again.
        """
        category = slug(section) if section else ""
        if not category:
            return build_ad(section, title_line, detail_line, self._attributes_of, self.communes)
        key = (category, title_line, detail_line)
        ad = self._by_category.get(key)
        if ad is None:
            ad = build_ad(section, title_line, detail_line, self._attributes_of, self.communes)
            self._remember(self._by_category, key, ad)
        elif not isinstance(ad, str) and ad.section != section:
            # Only the section differs: build_ad reads it only through its category.
            ad = ad.model_copy(update={"section": section})
        return ad

    def _remember(
        self, cache: dict[_Key, _Value], key: _Key, value: _Value, bound: int = AD_CACHE_SIZE
    ) -> None:
        """Add to one of the bounded caches; when one is full, they all start again."""
        if len(cache) >= bound:
            self._built.clear()
            self._by_category.clear()
            self._equal_ads.clear()
            self._placed.clear()
        cache[key] = value


def _undoubled(head: str) -> tuple[str | None, str]:
    """Return the title a detail line's head starts with twice, and the head without its
    first copy; (None, head) when it does not.

    A page that prints the title and detail line as sibling links reads as one line that
    starts with the title, then the description that repeats it.

    >>> _undoubled("Studio meublé Studio meublé Caen")
    ('Studio meublé', 'Studio meublé Caen')
    >>> _undoubled("StudioStudio Caen"), _undoubled("Très très beau vélo Caen")
    (('Studio', 'Studio Caen'), (None, 'Très très beau vélo Caen'))
    """
    words = head.split(" ")
    for count in range(1, len(words) // 2 + 1):
        if words[:count] == words[count : 2 * count]:
            return " ".join(words[:count]), " ".join(words[count:])
    # Links side by side without a space: "StudioStudio Caen". The copy starts a word in
    # capitals, as titles do, and ends one.
    start = head.find(head[:1], 1)
    while 0 < start <= len(head) // 2:
        end = 2 * start
        if (
            head[start - 1] != " "
            and (head[start].isupper() or head[start].isdigit())
            and head[end : end + 1] in (" ", "")
            and head[:start] == head[start:end]
        ):
            return head[:start], head[start:]
        start = head.find(head[:1], start + 1)
    return None, head


def _printed_lines(title_line: str | None, detail_line: str) -> str:
    return f"{title_line}\n{detail_line}" if title_line else detail_line


def _keep_first_sightings(found: PageAds) -> None:
    """Keep the first sighting of each ad on the page (a page may show an ad twice)."""
    seen: set[str] = set()
    first = []
    for listing in found.ids:
        first.append(listing not in seen)
        seen.add(listing)
    for name in ("ads", "ids", "lines", "sections", "prices", "values"):
        setattr(found, name, list(compress(getattr(found, name), first)))


def parse_page(text: str, source: str = "<page>", book: AdBook | None = None) -> list[Listing]:
    """Return the ads of one page as listings (rejected lines are left out).

    The ads are built with ``book``'s caches; without one, with a book of this call's own,
    so that nothing outlives it. Pass one :class:`AdBook` to parse many pages of a crawl.

    >>> [(ad.town, ad.postcode, ad.price_eur) for ad in parse_page(
    ...     "Petites Annonces\\nImmobilier\\nStudio\\nStudio Caen (14000) 450€ Découvrir\\n")]
    [('Caen', '14000', 450.0)]
    """
    found = (book or AdBook()).occurrences(text, source)
    return [
        Listing(**ad.model_dump(), first_source=source, first_line=line)
        for ad, line in zip(found.ads, found.lines, strict=True)
    ]


def _too_many(source: str, line: int) -> Reject:
    """Return the reject that ends a page of more than :data:`MAX_PAGE_ADS` ads and rejects."""
    return Reject.of(
        source,
        line,
        "too_many_ads",
        f"more than {MAX_PAGE_ADS:,} ads and rejected lines on the page",
    )
