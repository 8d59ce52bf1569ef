"""From a raw ad (section, title line, detail line) to a validated, enriched :class:`Ad`.

A crawl shows the same few thousand ads on millions of pages, so :func:`build_ad` is cached by
the raw lines: each distinct ad is parsed, enriched and validated once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from pydantic import ValidationError

from classifieds.attributes import extract_attributes
from classifieds.geo import department_of
from classifieds.models import Ad, Listing, Reject, RejectReason
from classifieds.normalize import collapse, has_digit, parse_price, slug, split_detail, split_head
from classifieds.widget import RawAd, RawReject, scan

UNSECTIONED = "non_classe"
"""Category of an ad printed before any section header."""

AD_CACHE_SIZE = 1 << 16


@dataclass(frozen=True, slots=True)
class Occurrence:
    """An ad as seen at one place of a page."""

    ad: Ad
    line: int
    position: int
    """1-based rank of the ad among the page's ads."""


def listing_id(category: str, title: str, town: str, postcode: str) -> str:
    """Return the stable id of an ad: its price is left out, so a new price is the same ad.

    >>> listing_id("immobilier", "Viager en Ardèche", "Villevocance", "07690")
    '1007d86089d41720'
    >>> listing_id("immobilier", "viager  en ardèche", "VILLEVOCANCE", "07690")
    '1007d86089d41720'
    """
    key = "\x1f".join((category, collapse(title).casefold(), collapse(town).casefold(), postcode))
    return hashlib.blake2b(key.encode(), digest_size=8).hexdigest()


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
    attributes = extract_attributes(category, f"{title} {description or ''}", price_eur)
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


def occurrences(text: str, source: str) -> Iterator[Occurrence | Reject]:
    """Yield every ad occurrence and every reject of a page, in page order.

    An ad that the page shows twice (the same widget rendered twice) is one occurrence.
    """
    seen: set[str] = set()
    for raw in scan(text):
        if isinstance(raw, RawReject):
            yield Reject.of(source, raw.line, raw.reason, raw.text)
            continue
        ad = build_ad(raw.section, raw.title_line, raw.detail_line)
        if isinstance(ad, str):
            yield Reject.of(source, raw.line, ad, _reject_text(raw))
        elif ad.listing_id not in seen:
            seen.add(ad.listing_id)
            yield Occurrence(ad, raw.line, len(seen))


def parse_page(text: str, source: str = "<page>") -> list[Listing]:
    """Return the ads of one page as listings (rejected lines are left out).

    >>> [(ad.town, ad.postcode, ad.price_eur) for ad in parse_page(
    ...     "Petites Annonces\\nImmobilier\\nStudio\\nStudio Caen (14000) 450€ Découvrir\\n")]
    [('Caen', '14000', 450.0)]
    """
    return [
        Listing(**found.ad.model_dump(), first_source=source, first_line=found.line)
        for found in occurrences(text, source)
        if isinstance(found, Occurrence)
    ]


def _reject_text(raw: RawAd) -> str:
    return f"{raw.title_line}\n{raw.detail_line}" if raw.title_line else raw.detail_line
