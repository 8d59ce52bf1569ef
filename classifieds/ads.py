"""From a raw ad (section, title line, detail line) to a validated, enriched :class:`Ad`.

A crawl shows the same few thousand ads on millions of pages, so :func:`build_ad` is cached by
the raw lines: each distinct ad is parsed, enriched and validated once.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

from pydantic import ValidationError

from classifieds.attributes import extract_attributes
from classifieds.geo import department_of
from classifieds.models import Ad, Listing, Reject, RejectReason
from classifieds.normalize import collapse, has_digit, parse_price, slug, split_detail, split_head
from classifieds.widget import RawReject, scan

UNSECTIONED = "non_classe"
"""Category of an ad printed before any section header."""

AD_CACHE_SIZE = 1 << 16


Occurrence = tuple[Ad, int, int]
"""An ad as seen on a page: (ad, 1-based line of its detail line, 1-based rank on the page)."""

_by_detail_line: dict[str, tuple[str | None, str | None, Ad | RejectReason]] = {}


def listing_id(category: str, title: str, town: str, postcode: str) -> str:
    """Return the stable id of an ad: its price is left out, so a new price is the same ad.

    >>> listing_id("immobilier", "Viager en Ardèche", "Villevocance", "07690")
    '1007d86089d41720'
    >>> listing_id("immobilier", "viager  en ardèche", "VILLEVOCANCE", "07690")
    '1007d86089d41720'
    """
    key = "\x1f".join((category, collapse(title).casefold(), collapse(town).casefold(), postcode))
    return hashlib.blake2b(key.encode(), digest_size=8).hexdigest()


# Variants of one ad (a title printed with tabs, a header in capitals) share their attributes.
_attributes = lru_cache(maxsize=AD_CACHE_SIZE)(extract_attributes)


@lru_cache(maxsize=AD_CACHE_SIZE)
def build_ad(section: str | None, title_line: str | None, detail_line: str) -> Ad | RejectReason:
    """Return the ad printed by these lines, or the reason it cannot be used."""
    parts = split_detail(detail_line)
    if parts is None:
        return "no_postcode"
    head, postcode, price_raw = parts
    title = collapse(title_line) if title_line else None
    split = split_head(head, title)
    if split is None:
        return "no_town"
    description, town = split
    title = title or description
    if not title:
        return "no_title"
    price_eur = parse_price(price_raw) if price_raw else None
    if price_raw and price_eur is None and has_digit(price_raw):
        return "bad_price"
    if price_eur == 0:
        price_eur = None  # "0€" is the widget's placeholder for "no price given"
    category = (slug(section) if section else "") or UNSECTIONED
    department = department_of(postcode)
    attributes = _attributes(category, f"{title} {description or ''}", price_eur)
    try:
        return Ad(
            listing_id=listing_id(category, title, town, postcode),
            category=category,
            section=section,
            title=title,
            description=description,
            town=town,
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


def ad_of(section: str | None, title_line: str | None, detail_line: str) -> Ad | RejectReason:
    """Return :func:`build_ad` of these lines, looked up by detail line first.

    The detail line nearly always comes with the same section and title, so one dict lookup on
    it, checked against the other two, answers most calls without hashing all three.
    """
    known = _by_detail_line.get(detail_line)
    if known is not None and known[0] == section and known[1] == title_line:
        return known[2]
    ad = build_ad(section, title_line, detail_line)
    if len(_by_detail_line) >= AD_CACHE_SIZE:
        _by_detail_line.clear()
    _by_detail_line[detail_line] = (section, title_line, ad)
    return ad


def occurrences(text: str, source: str, first_line: int = 1) -> list[Occurrence | Reject]:
    """Return every ad occurrence and every reject of a page, in page order.

    An ad that the page shows twice (the same widget rendered twice) is one occurrence.
    ``first_line`` is the line number of the text's first line in its page.
    """
    found: list[Occurrence | Reject] = []
    seen: set[str] = set()
    for raw in scan(text, first_line):
        if isinstance(raw, RawReject):
            found.append(Reject.of(source, raw.line, raw.reason, raw.text))
            continue
        section, title_line, detail_line, line = raw
        ad = ad_of(section, title_line, detail_line)
        if isinstance(ad, str):
            printed = f"{title_line}\n{detail_line}" if title_line else detail_line
            found.append(Reject.of(source, line, ad, printed))
        elif ad.listing_id not in seen:
            seen.add(ad.listing_id)
            found.append((ad, line, len(seen)))
    return found


def parse_page(text: str, source: str = "<page>") -> list[Listing]:
    """Return the ads of one page as listings (rejected lines are left out).

    >>> [(ad.town, ad.postcode, ad.price_eur) for ad in parse_page(
    ...     "Petites Annonces\\nImmobilier\\nStudio\\nStudio Caen (14000) 450€ Découvrir\\n")]
    [('Caen', '14000', 450.0)]
    """
    return [
        Listing(**found[0].model_dump(), first_source=source, first_line=found[1])
        for found in occurrences(text, source)
        if isinstance(found, tuple)
    ]
