"""Read the pages of a WARC archive (or Common Crawl's WET): one per record that holds one.

What holds no page (a request, revisit or metadata record, an image, an error status) is
skipped and counted; what should hold a page and cannot be used becomes a reject.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import IO, Any

from classifieds.models import Reject
from classifieds.read import streams
from classifieds.read.html import looks_like_html
from classifieds.read.pages import Origin, Page, Skipped, page_of_bytes, parse_timestamp

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
TEXT_TYPES = frozenset({"text/plain"})
PAGE_RECORDS = frozenset({"response", "resource", "conversion"})
"""WARC records that hold a page; ``conversion`` is Common Crawl's extracted text (WET)."""
SNIFF_BYTES = 512

_CHARSET = re.compile(r"""charset\s*=\s*["']?([^"';\s]+)""", re.IGNORECASE)


def warc_pages(
    stream: IO[bytes], origin: Origin, widget_only: bool
) -> Iterator[Page | Reject | Skipped]:
    # Imported here: most crawls are plain pages, and warcio (with fsspec) adds 0.06 s to
    # the start of every process.
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed
    from warcio.statusandheaders import StatusAndHeadersParserException

    try:
        for number, record in enumerate(ArchiveIterator(stream), 1):
            yield _warc_page(record, origin, number, widget_only)
    except (ArchiveLoadFailed, StatusAndHeadersParserException, ValueError) as error:
        message = f"{type(error).__name__}: {error}".strip()
        yield Reject.of(origin.source, 0, "corrupt_file", message)


def _warc_page(
    record: Any, input_origin: Origin, number: int, widget_only: bool
) -> Page | Reject | Skipped:
    source = f"{input_origin.source}#{number}"
    kind: str = record.rec_type
    if kind not in PAGE_RECORDS:
        return Skipped(source, kind)
    headers = record.rec_headers
    if kind == "response":
        if record.http_headers is None:  # a dns: or other non-HTTP response
            return Skipped(source, kind)
        status: str = record.http_headers.get_statuscode() or ""
        if not status.startswith("2"):
            return Skipped(source, f"status {status}")
        headers = record.http_headers
    content_type: str = headers.get_header("Content-Type") or ""
    media_type = content_type.partition(";")[0].strip().lower()
    if media_type and media_type not in HTML_TYPES | TEXT_TYPES:
        return Skipped(source, media_type)
    charset = _CHARSET.search(content_type)
    date: str | None = record.rec_headers.get_header("WARC-Date")
    fetched_at = parse_timestamp(date) if date else None
    if date and fetched_at is None:
        return Reject.of(source, 0, "bad_date", f"WARC-Date: {date}")
    body: bytes = record.content_stream().read(streams.MAX_PAGE_BYTES + 1)
    if len(body) > streams.MAX_PAGE_BYTES:
        return Reject.of(source, 0, "record_too_large", f"more than {len(body) - 1} bytes")
    html = media_type in HTML_TYPES if media_type else looks_like_html(body[:SNIFF_BYTES])
    url: str | None = record.rec_headers.get_header("WARC-Target-URI")
    return page_of_bytes(
        input_origin.inside(number, url, fetched_at),
        body,
        html=html,
        charset=charset.group(1) if charset else None,
        complete=record.rec_headers.get_header("WARC-Truncated") is None,
        widget_only=widget_only,
    )
