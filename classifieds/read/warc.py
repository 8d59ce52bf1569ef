"""Read the pages of a WARC archive (or Common Crawl's WET): one per record that holds one.

What holds no page (a request, revisit or metadata record, an image, an error status, a
crawler's log stored as a resource) is skipped and counted; what should hold a page and cannot
be used becomes a reject. A record cut short (its Content-Length runs past the end of the
file) is a reject: what follows it in the file is not its page. A record without a
Content-Length (or with one that is no number of bytes) ends where the next record starts, and
so does one whose Content-Length runs past the start of the next (:mod:`.warc_frames`).
"""

from __future__ import annotations

import io
import re
from collections.abc import Generator, Iterator
from functools import partial
from importlib.util import find_spec
from typing import IO, Any

from classifieds.errors import one_line
from classifieds.models import Reject
from classifieds.read import streams
from classifieds.read.decode import is_binary
from classifieds.read.html import looks_like_html
from classifieds.read.pages import Origin, Page, Skipped, page_of_bytes, parse_timestamp
from classifieds.read.warc_frames import Frame, Framer

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
TEXT_TYPES = frozenset({"text/plain"})
PAGE_RECORDS = frozenset({"response", "resource", "conversion"})
"""WARC records that hold a page; ``conversion`` is Common Crawl's extracted text (WET). A
``resource`` holds a page only with an http(s) target URI and an HTML or text type."""
SNIFF_BYTES = 512
MAX_CODINGS = 3
"""Compressions of a body undone at most (``Content-Encoding: gzip, gzip``)."""
DECODED_CODINGS = frozenset({"", "identity", "gzip", "x-gzip", "deflate", "zstd", "xz"})
BINARY_MAGICS = (b"\x1f\x8b", b"\x28\xb5\x2f\xfd", b"\xfd7zXZ\x00")
"""A body starting so is compressed (gzip, zstd, xz): no text starts with these bytes."""
"""Codings undone: by warcio (``br`` too when brotli is installed), or told by their bytes."""
MAX_HEADER_LINES = 10_000
"""Header lines of a record (WARC or HTTP) read at most; a crawler writes a few dozen."""
BLOCK_BYTES = 1 << 20
"""warcio reads this much at a time; it copies a header line each time it grows by a block."""

RECORD_START = b"WARC/"
"""How a record starts (a WARC archive too)."""
_RECORD_START = re.compile(rb"WARC/(?:1\.[01]|0\.1[78])")
"""How the first line of a record starts (the versions warcio reads): where a record without
a Content-Length ends, and junk between two records."""
_UNREAD_LENGTH = "X-Unread-Content-Length"
"""Where a Content-Length that is no number of bytes is kept, out of warcio's sight."""
_RECORD_END = (b"\r\n\r\n", b"\n\n")
_CHARSET = re.compile(r"""charset\s*=\s*["']?([^"';\s]+)""", re.IGNORECASE)


def warc_pages(
    stream: IO[bytes], origin: Origin, widget_only: bool
) -> Iterator[Page | Reject | Skipped]:
    """Yield the pages of an archive's records, and the rejects and skips of the others.

    After a damaged gzip member (an archive compressed a record per member, as Common Crawl's
    are), reading goes on at the next member that starts a record: the damaged one is a
    reject, and the records after it are numbered as if it held one record.
    """
    streams.skip_blank_lines(stream)
    if not streams.peek(stream, 1) and streams.failure(stream) is None:
        yield Reject.of(
            origin.source, 0, "empty_file", "no WARC record: empty, or blank lines only"
        )
        return
    number = 0
    while True:
        number, cut = yield from _records(stream, origin, widget_only, number)
        damage = streams.failure(stream)
        if damage is None or not streams.resume(stream, RECORD_START):
            return  # whole, or damage the caller tells
        number += 0 if cut else 1
        text = f"a damaged gzip member ({damage}): read again from the next member"
        yield Reject.of(f"{origin.source}#{number}", 0, "corrupt_file", text)


def _records(
    stream: IO[bytes], origin: Origin, widget_only: bool, number: int
) -> Generator[Page | Reject | Skipped, None, tuple[int, bool]]:
    """Yield the pages of the records after record ``number`` up to the end of the stream, or
    the damage it ends on; return the last record's number, and whether it was cut short."""
    # Imported here: most crawls are plain pages, and warcio (with fsspec) adds 0.06 s to
    # the start of every process.
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed
    from warcio.statusandheaders import StatusAndHeadersParserException

    streams.skip_blank_lines(stream)  # warcio reads a blank first line as a record's junk
    records = ArchiveIterator(stream, block_size=BLOCK_BYTES)
    records.INC_RECORD = ""  # its warning on stderr for a record cut wrong: a reject instead
    records.loader.load_http_headers = partial(_http_headers, records.loader.load_http_headers)
    detect = records.loader._detect_type_load_headers
    records.loader._detect_type_load_headers = partial(_warc_headers, detect)
    records._consume_blanklines = partial(_blank_lines, records)
    for parser in (records.loader.warc_parser, records.loader.http_parser):
        parser.parse = partial(_headers_at_most, parser.parse)
    records.loader.http_req_parser.parse = partial(
        _headers_at_most, records.loader.http_req_parser.parse
    )
    miscut = 0
    last: Any = None
    framer = Framer()
    try:
        for number, record in enumerate(records, number + 1):  # noqa: B020
            # warcio tells a record cut wrong as it reads the start of the next one.
            if records.err_count > miscut:
                miscut = records.err_count
                yield _miscut(origin, number - 1)
            frame = Frame()
            if record.rec_headers.get_header("Content-Length") is None:
                _read_to_next_record(records, record)
            else:
                frame = framer.frame(records, record)
            last = record
            yield from _warc_page(record, origin, number, widget_only, frame)
        if records.err_count > miscut:
            yield _miscut(origin, number)
        if last is None and not number and streams.failure(stream) is None:
            # warcio ends at once on a first line without a line break ("W"): no record.
            yield Reject.of(origin.source, 0, "corrupt_file", "no WARC record in it")
    except (streams.DecompressionLimit, streams.CorruptInput, OSError):
        raise  # the damage of the stream itself, told by the caller
    except (ArchiveLoadFailed, StatusAndHeadersParserException, ValueError, OverflowError) as error:
        if streams.failure(stream) is None:  # else the record was cut by the damage told
            yield Reject.of(origin.source, 0, "corrupt_file", one_line(error))
        return number + 1, True
    except Exception as error:  # warcio meets hostile bytes with errors of any kind
        if streams.failure(stream) is None:
            where = f"{origin.source}#{number + 1}"
            yield Reject.of(where, 0, "corrupt_file", f"unreadable record: {one_line(error)}")
        return number + 1, True
    # A record cut short is read to its end (the end of the stream) before the next is sought.
    return number, last is not None and getattr(last.raw_stream, "limit", 0) > 0


def _miscut(origin: Origin, number: int) -> Reject:
    text = "not followed by a blank line: its Content-Length may be wrong"
    return Reject.of(f"{origin.source}#{number}", 0, "corrupt_file", text)


class _HeaderLines:
    """The stream warcio reads a record's header lines from, which ends them after
    :data:`MAX_HEADER_LINES`: warcio keeps each as a tuple of strings (150 bytes for the 6 of
    ``X: y``), and 60 MB of them held 1.5 GB for 34 s. The lines after are the content."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream
        self._lines = 0
        self.cut = False

    def readline(self, *size: int) -> bytes:
        self._lines += 1
        if self._lines > MAX_HEADER_LINES:
            self.cut = True
            return b"\r\n"  # the blank line that ends the headers
        return self._stream.readline(*size)  # type: ignore[no-any-return]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def _headers_at_most(parse: Any, stream: Any, full_statusline: Any = None) -> Any:
    """warcio's ``StatusAndHeadersParser.parse``, reading :data:`MAX_HEADER_LINES` at most."""
    lines = _HeaderLines(stream)
    headers = parse(lines, full_statusline)
    headers.cut = lines.cut
    return headers


def _blank_lines(records: Any) -> tuple[bytes | None, int]:
    """warcio's ``_consume_blanklines``: read the blank lines after a record, and return the
    first line of the next with their size.

    What is neither (the rest of a record whose Content-Length is too short) is skipped up to
    the line that starts a record, and counted once: warcio skipped one line, then failed on
    the next and lost every record after it. A record that starts at once (its writer left
    out the blank lines) is no junk: warcio skipped its first line.
    """
    size = 0
    junk = False
    while line := records.reader.readline():
        if _RECORD_START.match(line):
            return line, size
        size += len(line)
        if not junk and line.strip():
            junk = True
            records.err_count += 1
    return None, size


def _warc_headers(detect: Any, *args: Any, **kwargs: Any) -> Any:
    """warcio's ``_detect_type_load_headers``, with a Content-Length that is no number of bytes
    (``abc``, ``-5``) set aside: warcio would read such a record as empty and its page as the
    next record's headers; it is read as one without a Content-Length."""
    form, headers = detect(*args, **kwargs)
    length = headers.get_header("Content-Length")
    if length is not None and not length.strip().isdigit():
        headers.remove_header("Content-Length")
        headers.add_header(_UNREAD_LENGTH, length)
    return form, headers


def _read_to_next_record(records: Any, record: Any) -> None:
    """Read a record without a Content-Length up to the first line of the next record, and
    make that line the one warcio starts the next record with: warcio would read the record
    to the end of the archive, and the records after it would be lost in its page.

    Its body, up to a byte past the page cap, becomes the record's stream; the rest of a body
    too long is read a line at a time, never held.
    """
    reader = records.reader
    kept = bytearray()  # not a list of lines: 60 MB of 6-byte lines would take 500 MB
    at_line_start = True
    records.next_line = None
    while piece := reader.readline(BLOCK_BYTES):
        if at_line_start and _RECORD_START.match(piece):
            records.next_line = piece
            break
        if len(kept) <= streams.MAX_PAGE_BYTES:
            kept += piece
        at_line_start = piece.endswith(b"\n")
    records.member_info = (records.offset, 0)  # warcio's mark of a record read to its end
    body = bytes(kept)
    for end in _RECORD_END:  # the blank lines between two records are no part of either
        if body.endswith(end):
            body = body[: -len(end)]
            break
    record.raw_stream = io.BytesIO(body)


def _http_headers(load: Any, kind: str, uri: str | None, stream: Any, length: int) -> Any:
    """warcio's ``load_http_headers``, which fails on a record without a target URI: the
    headers of such a record are read as those of an http one (its page has no URL)."""
    return load(kind, "http:" if uri is None else uri, stream, length)


def _warc_page(
    record: Any, input_origin: Origin, number: int, widget_only: bool, frame: Frame
) -> Iterator[Page | Reject | Skipped]:
    """Yield the page of a record (a bad date's reject before it), or its reject or skip."""
    source = f"{input_origin.source}#{number}"
    for name, headers in (("WARC", record.rec_headers), ("HTTP", record.http_headers)):
        if getattr(headers, "cut", False):
            text = f"more than {MAX_HEADER_LINES:,} {name} header lines: the rest read as content"
            yield Reject.of(source, 0, "corrupt_file", text)
    kind: str | None = record.rec_type
    if kind is None:  # junk where a record should start
        yield Reject.of(source, 0, "corrupt_file", "a record without a WARC-Type")
        return
    skipped = _no_page(record, kind)
    if skipped is not None:
        yield Skipped(source, skipped)
        return
    headers = record.http_headers if kind == "response" else record.rec_headers
    content_type: str = headers.get_header("Content-Type") or ""
    media_type = content_type.partition(";")[0].strip().lower()
    charset = _CHARSET.search(content_type)
    body = _body(record)
    if record.rec_headers.get_header("Content-Length") is None:
        unread = record.rec_headers.get_header(_UNREAD_LENGTH)
        said = "no Content-Length" if unread is None else f"a Content-Length of {unread!r}"
        text = f"a record with {said[:100]}: its page is read up to the next record"
        yield Reject.of(source, 0, "corrupt_file", text)
    if frame.note is not None:
        yield Reject.of(source, 0, "corrupt_file", frame.note)
        if not frame.page_kept:
            return
    try:
        body = _decoded(body, headers.get_header("Content-Encoding") or "")
    except streams.DecompressionLimit as error:
        yield Reject.of(source, 0, "decompression_limit", str(error))
        return
    except streams.CorruptInput as error:
        yield Reject.of(source, 0, "corrupt_file", f"a compressed body: {error}")
        return
    if len(body) > streams.MAX_PAGE_BYTES:
        yield Reject.of(source, 0, "record_too_large", f"more than {len(body) - 1} bytes")
        return
    missing = getattr(record.raw_stream, "limit", 0)
    if missing > 0:
        text = f"cut short: its content ends {missing} bytes before its Content-Length says"
        yield Reject.of(source, 0, "corrupt_file", text)
        return
    date: str | None = record.rec_headers.get_header("WARC-Date")
    fetched_at = parse_timestamp(date) if date else None
    if date and fetched_at is None:
        yield Reject.of(source, 0, "bad_date", f"WARC-Date: {date!r}; the page is kept undated")
    html = media_type in HTML_TYPES if media_type else looks_like_html(body[:SNIFF_BYTES])
    url: str | None = record.rec_headers.get_header("WARC-Target-URI")
    yield page_of_bytes(
        input_origin.inside(number, url, fetched_at),
        body,
        html=html,
        charset=charset.group(1) if charset else None,
        complete=record.rec_headers.get_header("WARC-Truncated") is None,
        widget_only=widget_only,
    )


def _body(record: Any) -> bytes:
    """Return a record's body, up to a byte past the page cap: as warcio decodes it, but for
    a gzip body, left to :func:`_decoded` (warcio would decode its first member only)."""
    http = record.http_headers
    if http is None:
        return record.raw_stream.read(streams.MAX_PAGE_BYTES + 1)  # type: ignore[no-any-return]
    transfer = (http.get_header("Transfer-Encoding") or "").lower().split(",")
    chunked = transfer[-1].strip() == "chunked"  # a coding before it (gzip) is told by its bytes
    coding = (http.get_header("Content-Encoding") or "").strip().lower()
    if coding not in ("gzip", "x-gzip"):
        if chunked:  # warcio dechunks "chunked" only, spelt so (not "Chunked", "gzip, chunked")
            http.replace_header("Transfer-Encoding", "chunked")
        return record.content_stream().read(streams.MAX_PAGE_BYTES + 1)  # type: ignore[no-any-return]
    from warcio.bufferedreaders import ChunkedDataReader

    stream = ChunkedDataReader(record.raw_stream) if chunked else record.raw_stream
    return stream.read(streams.MAX_PAGE_BYTES + 1)  # type: ignore[no-any-return]


def _decoded(body: bytes, coding: str) -> bytes:
    """Return a body as its page: what warcio left compressed decompressed too.

    warcio decodes ``deflate`` (and ``br`` with brotli); a compressed body (gzip, whatever its
    header says, ``gzip, gzip``, zstd) is told by its first bytes. A coding that nothing here
    decodes (``br`` without brotli) is an error: its bytes would read as binary junk.
    """
    codings = {c.strip().lower() for c in coding.split(",")}
    for _ in range(MAX_CODINGS):
        if not body.startswith(BINARY_MAGICS):  # not bzip2's "BZh": text may start so
            break
        try:
            body = streams.decompressed(body, streams.MAX_PAGE_BYTES)
        except streams.CorruptInput:
            if codings <= {"", "identity"}:  # nothing said it was compressed: it is not
                break
            raise
    unread = codings - DECODED_CODINGS - ({"br"} if find_spec("brotli") else set())
    if unread and is_binary(body):  # a plain body under an odd header is read all the same
        named = ", ".join(sorted(unread))[:100]
        raise streams.CorruptInput(f"Content-Encoding {named}, which is not decoded here")
    return body


def _no_page(record: Any, kind: str) -> str | None:
    """Return why a record holds no page (what it is counted as, skipped), None if it may."""
    if kind not in PAGE_RECORDS:
        return kind
    headers = record.rec_headers
    if kind == "response":
        if record.http_headers is None:  # a dns: or other non-HTTP response
            return kind
        status: str = record.http_headers.get_statuscode() or ""
        if not status.startswith("2"):
            return f"status {status}"
        headers = record.http_headers
    media_type = (headers.get_header("Content-Type") or "").partition(";")[0].strip().lower()
    if media_type and media_type not in HTML_TYPES | TEXT_TYPES:
        return media_type
    if kind == "resource":  # a crawler stores its logs and configuration so too
        uri: str = record.rec_headers.get_header("WARC-Target-URI") or ""
        if not uri.lower().startswith(("http://", "https://")):
            return f"resource {uri.partition(':')[0] or 'without a URI'}"
        if not media_type:
            return "resource without a type"
    return None
