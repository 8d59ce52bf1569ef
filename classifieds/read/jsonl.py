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


_ARRAY_EDGES = (b"[", b"]")
"""The first and last lines of a JSON array written a record a line (``[``, ``{...},``...
``{...}``, ``]``), as Scrapy's ``-o pages.json`` writes it: read as JSON Lines."""


def jsonl_pages(stream: IO[bytes], origin: Origin, fields: JsonlFields) -> Iterator[Page | Reject]:
    wide = wide_codec(streams.peek(stream, 4))
    if wide is not None:  # Windows PowerShell writes UTF-16 with a BOM: its lines as UTF-8
        stream = io.BufferedReader(_Utf8(stream, wide), buffer_size=1 << 16)
    number = 0
    while line := stream.readline(streams.MAX_PAGE_BYTES + 1):
        number += 1
        source = f"{origin.source}#{number}"
        if len(line) > streams.MAX_PAGE_BYTES and not line.endswith(b"\n"):
            while line and not line.endswith(b"\n"):  # skip the rest, a bounded read at a time
                line = stream.readline(1 << 20)
            limit = streams.MAX_PAGE_BYTES
            yield Reject.of(source, 0, "record_too_large", f"a line of more than {limit} bytes")
        elif line.strip() in _ARRAY_EDGES:
            continue  # a JSON array of a record a line: Scrapy's JSON export
        elif line.strip():
            yield from _jsonl_page(line, origin, number, fields)
        else:
            number += _skip_blank_lines(stream)


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
    date = record.get(fields.date)
    fetched_at = parse_timestamp(date) if date not in (None, "") else None
    if date not in (None, "") and fetched_at is None:
        text = f"{fields.date}: {str(date)[:200]!r}; the page is kept undated"
        yield Reject.of(source, 0, "bad_date", text)
    yield _page(record, line, input_origin, number, fields, fetched_at)


def _loads(line: bytes) -> object:
    """Return the JSON value of a line; an integer of more digits than Python converts (4,300)
    is read as a float (inf), so that a field nobody reads does not lose the page.

    Control characters inside strings (a raw TAB or NUL, which JSON wants escaped) are taken,
    and bytes that are not UTF-8 read as a page's bytes are (Windows-1252 where they are not):
    a sloppy writer's line keeps its page.
    """
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
    line: bytes,
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
        return Reject.of(source, 0, "empty_file", f"{len(line)} bytes, no text")
    return Page(source, text, len(line), input_origin.key, number, 1, url, fetched_at)
