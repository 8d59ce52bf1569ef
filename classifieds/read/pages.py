"""A page: its text and where it comes from, made from bytes whatever the format holding them.

A page inside an archive is named after the file and its place there, which is stable and
unique: ``crawl.warc.gz#3`` is the third record of the archive (every record counts, requests
and metadata too), and ``export.jsonl.gz#17`` is line 17 of the file (blank lines count), or
record 17 of a ``.json`` file that is one JSON document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import NamedTuple

from classifieds.models import Reject
from classifieds.read.decode import (
    CONTROL_BYTES,
    TEXT_BYTES,
    codec_of,
    decode_text,
    is_binary,
    wide_codec,
    widget_line_start,
)
from classifieds.read.html import TooComplex, html_to_text, looks_complete, meta_charset

_BREAKS = re.compile("\r\n|[\n\r\u2028\u2029\x85]")
"""Line breaks in text, as the widget parser reads them."""
_LINE_SEPARATORS = re.compile(b"\xe2\x80[\xa8\xa9]")
"""U+2028 and U+2029 in UTF-8: a regex with a literal prefix finds either in one pass, three
times as fast as ``bytes.find`` of one (the separators before a widget cost 23 µs a page)."""
_COMPACT_DATE = re.compile(r"^\d{14}$")  # 20240301120000, as in ARC files and CDX indexes


class Page(NamedTuple):
    """The text of one input page, and where and when it was fetched when the input says.

    A named tuple: one is made per page, and it is made in a fraction of a frozen dataclass's
    time.
    """

    source: str
    """The input file, or ``file#N`` for record or line N of a WARC archive or JSON Lines."""
    text: str
    size: int
    """Size of the page in bytes, as read (decompressed)."""
    key: str = ""
    """Sort key of the input (see :func:`classifieds.dedup.source_key`); stdin sorts first."""
    record: int = 0
    """Number of the page within its input (inputs holding several pages)."""
    first_line: int = 1
    """Line number, in the input, of the first line of ``text``."""
    url: str | None = None
    fetched_at: datetime | None = None
    """Capture date, in UTC."""


@dataclass(frozen=True, slots=True)
class Skipped:
    """A record of an archive that holds no page: a request, a revisit, an image."""

    source: str
    kind: str


class Origin(NamedTuple):
    """Where a page comes from: its name, its input's sort key, its place there, its capture."""

    source: str
    key: str = ""
    record: int = 0
    url: str | None = None
    fetched_at: datetime | None = None

    def inside(self, record: int, url: str | None, fetched_at: datetime | None) -> Origin:
        """Return the origin of record (or line) ``record`` of this input: ``file#record``."""
        return Origin(f"{self.source}#{record}", self.key, record, url, fetched_at)


def page_of_bytes(
    origin: Origin,
    data: bytes,
    *,
    html: bool,
    charset: str | None = None,
    complete: bool = True,
    widget_only: bool = False,
) -> Page | Reject:
    """Return the page of these bytes (text, or HTML made text), or why it cannot be used."""
    if is_binary(data):
        return Reject.of(origin.source, 0, "binary_file", repr(data[:60]))
    if not data or data.isspace():  # isspace stops at the first letter; strip would copy
        return Reject.of(origin.source, 0, "empty_file", f"{len(data)} bytes, no text")
    first_line = 1
    if html:
        # A header's charset that decodes nothing (UTF-8 over bytes that are not, a label no
        # codec has) says nothing: the page's <meta> may.
        declared = charset if charset and codec_of(charset) else meta_charset(data) or charset
        text = decode_text(data, declared)
        try:
            text = html_to_text(text, complete=complete and looks_complete(data))
        except TooComplex as error:
            return Reject.of(origin.source, 0, "html_too_complex", str(error))
        if not text:
            return Reject.of(
                origin.source, 0, "empty_file", f"{len(data)} bytes of markup, no text"
            )
    elif widget_only and wide_codec(data) is None:  # a UTF-16 page is not searched as bytes
        start = widget_line_start(data)
        text = decode_text(data[start:], charset) if start >= 0 else ""
        codec = codec_of(charset) if charset else None
        first_line = lines_before(data, start, codec) + 1 if start >= 0 else 1
    else:
        text = decode_text(data, charset)
    return Page(
        origin.source,
        text,
        len(data),
        origin.key,
        origin.record,
        first_line,
        origin.url,
        origin.fetched_at,
    )


def lines_before(data: bytes, end: int, codec: str | None = None) -> int:
    """Return the line breaks in ``data[:end]`` as the widget parser reads the text
    :func:`decode_text` makes of ``data``: LF, CRLF, a lone CR, U+2028, U+2029 and NEL, the
    control bytes it drops dropped first (``\\r\\x0b\\n`` is one CRLF); in UTF-8, or in the
    declared ``codec`` when the page is not UTF-8 (in Windows-1252, ``e2 80 a8`` is "â€¨" and
    ``85`` "…": no line break).

    >>> lines_before(b"a\\nb\\r\\nc\\rd\\xe2\\x80\\xa8e\\xc2\\x85f", 99)
    5
    >>> lines_before(b"caf\\xe9\\n\\xe2\\x80\\xa8\\x85", 99, "cp1252")
    1
    >>> lines_before(b"\\r\\x0b\\n\\xe2\\x0b\\x80\\xa8", 99)
    2
    """
    prefix = data[:end]
    if prefix.translate(None, TEXT_BYTES):  # control bytes, rare: the text has none
        prefix = prefix.translate(None, CONTROL_BYTES)
    if codec is not None and codec != "utf-8":
        try:
            data.translate(None, CONTROL_BYTES).decode("utf-8")  # as decode_text tells it
        except UnicodeDecodeError:
            return len(_BREAKS.findall(prefix.decode(codec, errors="replace")))
    lines = prefix.count(b"\n")
    if prefix.find(b"\r") >= 0:
        lines += prefix.count(b"\r") - prefix.count(b"\r\n")
    if _LINE_SEPARATORS.search(prefix):
        lines += prefix.count(b"\xe2\x80\xa8") + prefix.count(b"\xe2\x80\xa9")
    if prefix.find(b"\x85") >= 0:  # NEL's last byte: one memchr, mostly not there
        lines += prefix.count(b"\xc2\x85")
    return lines


def parse_timestamp(value: object) -> datetime | None:
    """Return a capture date as a UTC datetime, None when it is not one.

    ISO 8601 (a date without a zone is UTC), ``YYYYMMDDhhmmss``, or seconds since 1970.

    >>> parse_timestamp("2024-03-01T13:00:00+01:00").isoformat()
    '2024-03-01T12:00:00+00:00'
    >>> parse_timestamp("20240301120000") == parse_timestamp(1709294400) == parse_timestamp(
    ...     "2024-03-01 12:00:00")
    True
    >>> parse_timestamp("yesterday"), parse_timestamp(True), parse_timestamp(float("nan"))
    (None, None, None)
    """
    try:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return datetime.fromtimestamp(value, UTC)
        if not isinstance(value, str):
            return None
        value = value.strip()
        if _COMPACT_DATE.match(value):
            moment = datetime.strptime(value, "%Y%m%d%H%M%S")
        else:
            moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.astimezone(UTC)
    except (ValueError, OverflowError, OSError):
        return None
