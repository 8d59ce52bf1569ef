"""Read the pages of one input, whatever its format: a text or HTML page, WARC, JSON Lines.

An input gives one page (a text or HTML file) or many (a WARC archive, a JSON Lines file),
each with its URL and capture date when the input records them. A page inside an archive is
named after the file and its place there, which is stable and unique: ``crawl.warc.gz#3`` is
the third record of the archive (every record counts, requests and metadata too), and
``export.jsonl.gz#17`` is line 17 of the file (blank lines count). What holds no page (a WARC
request, revisit or metadata record, an image, an error status) is skipped and counted; what
should hold a page and cannot be used becomes a reject with a reason.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import IO, Any, NamedTuple

from classifieds import sources
from classifieds.markup import html_to_text, looks_complete, looks_like_html, meta_charset
from classifieds.models import Reject
from classifieds.sources import (
    STDIN,
    CorruptInput,
    DecompressionLimit,
    Page,
    decode_text,
    format_of_name,
    input_key,
    is_binary,
    is_compressed,
    line_guarded,
    open_input,
    peek,
    read_at_most,
    source_name,
    widget_line_start,
)

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
TEXT_TYPES = frozenset({"text/plain"})
PAGE_RECORDS = frozenset({"response", "resource", "conversion"})
"""WARC records that hold a page; ``conversion`` is Common Crawl's extracted text (WET)."""
SNIFF_BYTES = 512
_SMALL_FILE_BYTES = 1 << 20

_CHARSET = re.compile(r"""charset\s*=\s*["']?([^"';\s]+)""", re.IGNORECASE)
_COMPACT_DATE = re.compile(r"^\d{14}$")  # 20240301120000, as in ARC files and CDX indexes


@dataclass(frozen=True, slots=True)
class JsonlFields:
    """The names of the fields of a JSON Lines record that hold a page and its facts."""

    text: str = "text"
    """The page as text; read first when a record has both."""
    html: str = "html"
    url: str = "url"
    date: str = "fetched_at"
    """ISO 8601 (``2024-03-01T12:00:00Z``; without a zone, UTC) or seconds since 1970."""


DEFAULT_JSONL_FIELDS = JsonlFields()


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


@dataclass
class InputFacts:
    """What reading an input learns of the file itself: its size and content hash."""

    size: int = 0
    sha256: str = ""
    """Hex sha256 of the input's bytes as stored (compressed or not); empty for stdin."""


def read_input(
    source: str,
    fields: JsonlFields = DEFAULT_JSONL_FIELDS,
    *,
    widget_only: bool = False,
    facts: InputFacts | None = None,
) -> Iterator[Page | Reject | Skipped]:
    """Yield the pages of an input in order, with a reject for each that cannot be used.

    With ``widget_only``, a text page (not HTML) is decoded only from the first line that may
    start a widget (``Page.first_line`` says where): the article above it, most of a page, is
    never decoded, and a page without such a line has an empty text. ``facts``, when given, is
    filled with the input's size and sha256 once it has been read.
    """
    name = source_name(source)
    origin = Origin(name, input_key(source))
    known = "text" if source == STDIN else format_of_name(source)
    try:
        data = _small_plain_file(source) if known == "text" else None
        if data is not None:
            if facts is not None:
                facts.size, facts.sha256 = len(data), hashlib.sha256(data).hexdigest()
            if _sniff(data[:SNIFF_BYTES]) == "text":
                # Most crawls are many small text pages: one read, no stream machinery.
                yield page_of_bytes(origin, data, html=False, widget_only=widget_only)
                return
        elif facts is not None and source != STDIN:
            facts.size, facts.sha256 = file_facts(source)
        if known is None:
            yield Reject.of(name, 0, "unknown_format", _unknown_format_text(source))
            return
        with open_input(source) as stream:
            head = peek(stream, SNIFF_BYTES)
            form = _sniff(head) if known == "text" else known
            if form == "warc":
                yield from _warc_pages(line_guarded(stream), origin, widget_only)
            elif form == "jsonl":
                yield from _jsonl_pages(stream, origin, fields)
            else:
                yield _single_page(stream, origin, html=form == "html", widget_only=widget_only)
    except DecompressionLimit as error:
        yield Reject.of(name, 0, "decompression_limit", str(error))
    except CorruptInput as error:
        yield Reject.of(name, 0, "corrupt_file", str(error))
    except OSError as error:
        yield Reject.of(name, 0, "unreadable_file", f"{type(error).__name__}: {error}")


def file_facts(source: str) -> tuple[int, str]:
    """Return the size and sha256 of a file, read in one pass at C speed."""
    with open(source, "rb") as file:
        digest = hashlib.file_digest(file, "sha256")
        return file.tell(), digest.hexdigest()


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
        text = decode_text(data, charset or meta_charset(data))
        text = html_to_text(text, complete=complete and looks_complete(data))
        if not text:
            return Reject.of(
                origin.source, 0, "empty_file", f"{len(data)} bytes of markup, no text"
            )
    elif widget_only:
        start = widget_line_start(data)
        text = decode_text(data[start:], charset) if start >= 0 else ""
        first_line = data.count(b"\n", 0, start) + 1 if start >= 0 else 1
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


def _small_plain_file(source: str) -> bytes | None:
    """Return the bytes of a file up to 1 MiB that is not compressed, else None."""
    if source == STDIN:
        return None
    descriptor = os.open(source, os.O_RDONLY)  # no file object: this runs for every page
    try:
        size = os.fstat(descriptor).st_size
        if size > min(_SMALL_FILE_BYTES, sources.MAX_PAGE_BYTES):
            return None
        data = os.read(descriptor, size + 1)
    finally:
        os.close(descriptor)
    # A file that changed size while read, or came short (a network file system), is streamed.
    return None if len(data) != size or is_compressed(data) else data


def _sniff(head: bytes) -> str:
    if head.startswith(b"WARC/"):
        return "warc"
    if head.lstrip().startswith(b'{"'):
        return "jsonl"
    return "html" if looks_like_html(head) else "text"


def _single_page(
    stream: IO[bytes], origin: Origin, *, html: bool, widget_only: bool
) -> Page | Reject:
    data = read_at_most(stream, sources.MAX_PAGE_BYTES + 1)
    if len(data) > sources.MAX_PAGE_BYTES:
        limit = sources.MAX_PAGE_BYTES
        return Reject.of(origin.source, 0, "file_too_large", f"more than {limit} bytes")
    return page_of_bytes(origin, data, html=html, widget_only=widget_only)


def _warc_pages(
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
    body: bytes = record.content_stream().read(sources.MAX_PAGE_BYTES + 1)
    if len(body) > sources.MAX_PAGE_BYTES:
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


def _jsonl_pages(stream: IO[bytes], origin: Origin, fields: JsonlFields) -> Iterator[Page | Reject]:
    number = 0
    while line := stream.readline(sources.MAX_PAGE_BYTES + 1):
        number += 1
        source = f"{origin.source}#{number}"
        if len(line) > sources.MAX_PAGE_BYTES and not line.endswith(b"\n"):
            while line and not line.endswith(b"\n"):  # skip the rest, a bounded read at a time
                line = stream.readline(1 << 20)
            limit = sources.MAX_PAGE_BYTES
            yield Reject.of(source, 0, "record_too_large", f"a line of more than {limit} bytes")
        elif line.strip():
            yield _jsonl_page(line, origin, number, fields)


def _jsonl_page(
    line: bytes, input_origin: Origin, number: int, fields: JsonlFields
) -> Page | Reject:
    source = f"{input_origin.source}#{number}"
    try:
        record = json.loads(line)
    except ValueError as error:  # UnicodeDecodeError too: JSON Lines are UTF-8
        return Reject.of(source, 0, "bad_json", f"{error}: {line[:200]!r}")
    if not isinstance(record, dict):
        return Reject.of(source, 0, "bad_json", f"not a JSON object: {line[:200]!r}")
    date = record.get(fields.date)
    fetched_at = parse_timestamp(date) if date not in (None, "") else None
    if date not in (None, "") and fetched_at is None:
        return Reject.of(source, 0, "bad_date", f"{fields.date}: {date!r}")
    url = record.get(fields.url)
    url = _clean(url) if isinstance(url, str) and url else None
    text, markup = record.get(fields.text), record.get(fields.html)
    if isinstance(text, str):
        text = _clean(text)
    elif isinstance(markup, str):
        markup = _clean(markup)
        text = html_to_text(markup, complete=looks_complete(markup))
    else:
        keys = ", ".join(map(repr, list(record)[:10]))
        return Reject.of(
            source,
            0,
            "no_page_field",
            f"no string field {fields.text!r} or {fields.html!r}; fields: {keys}",
        )
    if not text.strip():
        return Reject.of(source, 0, "empty_file", f"{len(line)} bytes, no text")
    return Page(source, text, len(line), input_origin.key, number, 1, url, fetched_at)


def _clean(text: str) -> str:
    """Return the text with lone surrogates (valid in JSON, not in UTF-8) replaced."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    return text


def _unknown_format_text(source: str) -> str:
    return (
        f"{source}: not a page, WARC archive or JSON Lines file by its name (known: .txt, .html,"
        " .htm, .warc, .wet, .jsonl, .json, no suffix; each also .gz, .bz2, .xz or .zst);"
        " leave it out with --exclude, or rename it"
    )
