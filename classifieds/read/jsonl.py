"""Read the pages of a JSON Lines file: one per line, its page in a text or HTML field."""

from __future__ import annotations

import codecs
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import IO

from classifieds.models import Reject
from classifieds.read import streams
from classifieds.read.decode import clean_text, decode_text, wide_codec
from classifieds.read.html import TooComplex, html_to_text, looks_complete
from classifieds.read.pages import Origin, Page, parse_timestamp


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


MAX_JSON_VALUES = 2_000_000
"""Commas and opening brackets a record (or a JSON document) may hold past one in
:data:`VALUE_BYTES` bytes: each may make a Python object of 50 bytes or more from 2 or 3
bytes of JSON. A page's text has one comma in 50 characters (a 64 MiB one about 1.3 million),
minified script one in 10."""
VALUE_BYTES = 16
_VALUE_MARKS = (b",", b"[", b"{")
_UTF8_BOM = b"\xef\xbb\xbf"
_ARRAY_EDGES = (b"[", b"]")
"""The first and last lines of a JSON array written a record a line (``[``, ``{...},``...
``{...}``, ``]``), as Scrapy's ``-o pages.json`` writes it: read as JSON Lines."""


def jsonl_pages(stream: IO[bytes], origin: Origin, fields: JsonlFields) -> Iterator[Page | Reject]:
    """Yield the page or reject of each record; an input of none (empty, blank lines, ``[]``)
    is an ``empty_file`` reject, as a page of no text is, so that it says it gave nothing."""
    empty = True
    for item in _records(stream, origin, fields):
        empty = False
        yield item
    if empty and streams.failure(stream) is None:  # else the damage is told by the caller
        yield Reject.of(origin.source, 0, "empty_file", "no JSON record: empty, blank or []")


def _records(stream: IO[bytes], origin: Origin, fields: JsonlFields) -> Iterator[Page | Reject]:
    wide = wide_codec(streams.peek(stream, 4))
    if wide is not None:  # Windows PowerShell writes UTF-16 with a BOM: its lines as UTF-8
        stream = io.BufferedReader(_Utf8(stream, wide), buffer_size=1 << 16)
    number = 0
    edge = b""  # the line that opened a JSON array, when the file starts with one
    document = True  # the file may be one JSON document, until its first record says not
    while line := stream.readline(streams.MAX_PAGE_BYTES + 1):
        number += 1
        if number == 1:  # a UTF-8 BOM alone, or before a blank line, is no bad record
            line = line.removeprefix(_UTF8_BOM)
        source = f"{origin.source}#{number}"
        if len(line) > streams.MAX_PAGE_BYTES and not line.endswith(b"\n"):
            while line and not line.endswith(b"\n"):  # skip the rest, a bounded read at a time
                line = stream.readline(1 << 20)
            limit = streams.MAX_PAGE_BYTES
            yield Reject.of(source, 0, "record_too_large", f"a line of more than {limit} bytes")
        elif line.strip() in _ARRAY_EDGES:
            edge = line if document and not edge else edge
            continue  # a JSON array of a record a line: Scrapy's JSON export
        elif line.strip():
            if document and _opens_document(line):
                head = edge + line
                data = head + streams.read_at_most(stream, streams.MAX_PAGE_BYTES + 1 - len(head))
                records = _document(data)
                if records is not None:
                    yield from _document_pages(records, origin, fields)
                    return
                # Not one document after all (or too large): its lines, read again.
                stream = io.BufferedReader(_Replay(data, stream), buffer_size=1 << 16)
                number -= 2 if edge else 1
                document = False
                continue
            document = False
            yield from _jsonl_page(line, origin, number, fields)
        else:
            number += _skip_blank_lines(stream)


def _opens_document(line: bytes) -> bool:
    """Return whether the first record line of a file opens a JSON document rather than a
    record of JSON Lines: an array (``[{...}, {...}]``) or an object written indented (a line
    of ``{`` alone, as ``json.dump(..., indent=2)`` and Scrapy's indented export write)."""
    head = line.removeprefix(_UTF8_BOM).strip()
    return head.startswith(b"[") or head == b"{"


def _document(data: bytes) -> list[object] | None:
    """Return the records of a file that is one JSON document: an array of records, or a
    record; None when it is not one, or is larger than a page."""
    if len(data) > streams.MAX_PAGE_BYTES:
        return None
    try:
        value = _loads(data)
    except (ValueError, RecursionError):
        return None
    if isinstance(value, dict):
        return [value]
    return value if isinstance(value, list) else None


def _document_pages(
    records: list[object], origin: Origin, fields: JsonlFields
) -> Iterator[Page | Reject]:
    """Yield the page of each record of a JSON document: ``file#N`` is its record N."""
    for number, record in enumerate(records, 1):
        if not isinstance(record, dict):
            text = f"not a JSON object: {repr(record)[:200]}"
            yield Reject.of(f"{origin.source}#{number}", 0, "bad_json", text)
        else:
            yield from _record_page(record, 0, origin, number, fields)


class _Replay(io.RawIOBase):
    """Bytes read already, then the rest of their stream."""

    def __init__(self, data: bytes, stream: IO[bytes]) -> None:
        self._data = memoryview(data)
        self._stream = stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        if not self._data:
            data = self._stream.read(len(buffer))
            buffer[: len(data)] = data
            return len(data)
        size = min(len(buffer), len(self._data))
        buffer[:size], self._data = self._data[:size], self._data[size:]
        return size


class _Utf8(io.RawIOBase):
    """A stream of UTF-16 or UTF-32 text (after its byte order mark), as UTF-8, a bounded
    piece at a time: its line breaks are then bytes of their own."""

    def __init__(self, stream: IO[bytes], codec: str) -> None:
        self._stream = stream
        self._decoder = codecs.getincrementaldecoder(codec)(errors="replace")
        self._made = b""
        self._bom = True

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        while not self._made:
            data = self._stream.read(1 << 16)
            text = self._decoder.decode(data, final=not data)
            if self._bom and text:
                text, self._bom = text.removeprefix("\ufeff"), False
            self._made = text.encode("utf-8", "replace")
            if not data:
                break
        size = min(len(buffer), len(self._made))
        buffer[:size], self._made = self._made[:size], self._made[size:]
        return size


def _skip_blank_lines(stream: IO[bytes]) -> int:
    """Skip the blank lines that come next, a buffer at a time; return how many."""
    skipped = 0
    while buffered := streams.peek(stream, 1 << 16):
        blank = len(buffered) - len(buffered.lstrip(b" \t\r\n"))
        blank = buffered.rfind(b"\n", 0, blank) + 1  # whole lines only
        if not blank:
            break
        skipped += buffered.count(b"\n", 0, blank)
        stream.read(blank)
    return skipped


def _jsonl_page(
    line: bytes, input_origin: Origin, number: int, fields: JsonlFields
) -> Iterator[Page | Reject]:
    """Yield the page of a line (a bad date's reject before it), or why there is none."""
    source = f"{input_origin.source}#{number}"
    if line.endswith((b",\n", b",\r\n", b",")):  # a record of such an array, but its last
        line = line.rstrip(b"\r\n")[:-1]
    try:
        record = _loads(line)
    except RecursionError:
        yield Reject.of(source, 0, "bad_json", f"nested too deep: {line[:200]!r}")
        return
    except ValueError as error:  # UnicodeDecodeError too: JSON Lines are UTF-8
        yield Reject.of(source, 0, "bad_json", f"{error}: {line[:200]!r}")
        return
    if not isinstance(record, dict):
        yield Reject.of(source, 0, "bad_json", f"not a JSON object: {line[:200]!r}")
        return
    yield from _record_page(record, len(line), input_origin, number, fields)


def _record_page(
    record: dict[str, object], size: int, input_origin: Origin, number: int, fields: JsonlFields
) -> Iterator[Page | Reject]:
    """Yield the page of a record of ``size`` bytes (a bad date's reject before it), or why
    there is none."""
    source = f"{input_origin.source}#{number}"
    date = record.get(fields.date)
    fetched_at = parse_timestamp(date) if date not in (None, "") else None
    if date not in (None, "") and fetched_at is None:
        text = f"{fields.date}: {str(date)[:200]!r}; the page is kept undated"
        yield Reject.of(source, 0, "bad_date", text)
    yield _page(record, size, input_origin, number, fields, fetched_at)


def _loads(line: bytes) -> object:
    """Return the JSON value of a line; an integer of more digits than Python converts (4,300)
    is read as a float (inf), so that a field nobody reads does not lose the page.

    A line of more than :data:`MAX_JSON_VALUES` commas and brackets, one in
    :data:`VALUE_BYTES` bytes or more, is refused unread: 64 MiB of ``[],`` make 1.7 GB of
    lists.

    Control characters inside strings (a raw TAB or NUL, which JSON wants escaped) are taken,
    and bytes that are not UTF-8 read as a page's bytes are (Windows-1252 where they are not):
    a sloppy writer's line keeps its page.
    """
    if len(line) > MAX_JSON_VALUES:
        values = sum(map(line.count, _VALUE_MARKS))
        if values > MAX_JSON_VALUES and values * VALUE_BYTES > len(line):
            raise ValueError(
                f"more than {MAX_JSON_VALUES:,} commas and brackets, one in {VALUE_BYTES}"
                " bytes or more: values that could take gigabytes of memory"
            )
    try:
        return json.loads(line, strict=False)
    except UnicodeDecodeError:
        return _loads(decode_text(line).encode("utf-8"))
    except json.JSONDecodeError:
        raise
    except ValueError:  # the limit of int(): valid JSON all the same
        return json.loads(line, parse_int=float, strict=False)


def _page(
    record: dict[str, object],
    size: int,
    input_origin: Origin,
    number: int,
    fields: JsonlFields,
    fetched_at: datetime | None,
) -> Page | Reject:
    source = f"{input_origin.source}#{number}"
    url = record.get(fields.url)
    url = clean_text(url) if isinstance(url, str) and url else None
    text, markup = record.get(fields.text), record.get(fields.html)
    if isinstance(text, str):
        text = clean_text(text)
    elif isinstance(markup, str):
        markup = clean_text(markup)
        try:
            text = html_to_text(markup, complete=looks_complete(markup))
        except TooComplex as error:
            return Reject.of(source, 0, "html_too_complex", str(error))
    else:
        keys = ", ".join(map(repr, list(record)[:10]))
        return Reject.of(
            source,
            0,
            "no_page_field",
            f"no string field {fields.text!r} or {fields.html!r}; fields: {keys}",
        )
    if not text.strip():
        said = f"{size} bytes" if size else "a record of a JSON document"
        return Reject.of(source, 0, "empty_file", f"{said}, no text")
    return Page(source, text, size, input_origin.key, number, 1, url, fetched_at)
