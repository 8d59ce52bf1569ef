"""From a raw ad (section, title line, detail line) to a validated, enriched :class:`Ad`.

A crawl shows the same few thousand ads on millions of pages, so :func:`occurrences` caches
:func:`build_ad` by the raw lines: each distinct ad is parsed, enriched and validated once.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
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

_Printed = tuple[str | None, str | None, str]
"""An ad as printed: (section, title line or None, detail line)."""
_built: dict[_Printed, Ad | RejectReason] = {}
_equal_ads: dict[tuple[object, ...], Ad] = {}


@dataclass(slots=True)
class PageAds:
    """The ads of a page, each once, in page order, and the lines it had to reject."""

    ads: list[Ad] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    """The 1-based line of each ad's detail line; its rank on the page is its index + 1."""
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


# Variants of one ad (a title printed with tabs, a header in capitals) share their attributes.
_attributes = lru_cache(maxsize=AD_CACHE_SIZE)(extract_attributes)


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


def occurrences(text: str, source: str, first_line: int = 1) -> PageAds:
    """Return the ads of a page and its rejects.

    An ad that the page shows twice (the same widget rendered twice) counts once, at its first
    line. ``first_line`` is the line number of the text's first line in its page. A crawl shows
    the same ads on page after page: each way of printing one is built once (a bounded cache).
    """
    found = PageAds()
    seen: set[str] = set()
    built = _built.get
    for raw in scan(text, first_line):
        if isinstance(raw, RawReject):
            found.rejects.append(Reject.of(source, raw.line, raw.reason, raw.text))
            continue
        printed = raw[:3]
        ad = built(printed)
        if ad is None:
            ad = build_ad(*printed)
            if len(_built) >= AD_CACHE_SIZE:
                _built.clear()
                _equal_ads.clear()
            if not isinstance(ad, str):
                # Most ways of printing an ad (tabs in its title...) build equal ads: keep one.
                ad = _equal_ads.setdefault(tuple(ad.__dict__.values()), ad)
            _built[printed] = ad
        if isinstance(ad, str):
            title_line, detail_line = raw[1], raw[2]
            lines = f"{title_line}\n{detail_line}" if title_line else detail_line
            found.rejects.append(Reject.of(source, raw[3], ad, lines))
        elif ad.listing_id not in seen:
            seen.add(ad.listing_id)
            found.ads.append(ad)
            found.lines.append(raw[3])
    return found


def parse_page(text: str, source: str = "<page>") -> list[Listing]:
    """Return the ads of one page as listings (rejected lines are left out).

    >>> [(ad.town, ad.postcode, ad.price_eur) for ad in parse_page(
    ...     "Petites Annonces\\nImmobilier\\nStudio\\nStudio Caen (14000) 450€ Découvrir\\n")]
    [('Caen', '14000', 450.0)]
    """
    found = occurrences(text, source)
    return [
        Listing(**ad.model_dump(), first_source=source, first_line=line)
        for ad, line in zip(found.ads, found.lines, strict=True)
    ]
