"""Check a WARC record's Content-Length against what follows it, and read again from the next
record when it lies.

warcio reads a record's content as long as its Content-Length says. One too long gave the
record the next records' headers and pages, and the next record (its ads) was lost or merged
into it. A declared length is trusted when the bytes after it end a record (blank lines, then
the next record or the end of the archive); it is not when they do not, or when the content
it claims ends where a record inside it ends. Then, if a record starts inside the content (a
``WARC/1.x`` line at a line start followed by a valid WARC header block), the record's page
is what comes before that start, and the archive is read again from there.

Takes the warcio iterator of :mod:`.warc` and one of its records; gives its content, checked.
Imports nothing of the package but :mod:`.streams`.
"""

from __future__ import annotations

import io
import re
import tempfile
from dataclasses import dataclass
from typing import IO, Any

from classifieds.read import streams

BLOCK_BYTES = 1 << 20
LOOKAHEAD_BYTES = 1 << 16
"""Bytes read past a record's declared end to tell what follows it, and the most a header block
of a record starting inside it may take."""
READ_AGAIN = 4
"""Bytes read again, at most, for each byte read of the archive (and a look-ahead more)."""
SPOOL_BYTES = 8 << 20
"""Content read again past the page cap is held in memory up to this, then in a temporary file."""
_FIRST_LINE = re.compile(rb"WARC/(?:1\.[01]|0\.1[78])\r?\n")
_LINE_STARTS = re.compile(rb"^WARC/(?:1\.[01]|0\.1[78])\r?\n", re.MULTILINE)
_HEADER_LINE = re.compile(
    rb"""([!#$%&'*+.^_`|~0-9A-Za-z-]+)  # a field name (an HTTP token)
    [ \t]*:[ \t]*(.*?)[ \t]*\r?\n      # its value, to the end of the line""",
    re.VERBOSE,
)
_REQUIRED = frozenset({b"warc-type", b"warc-record-id", b"content-length"})
"""Fields a record's header block must hold to be one here (WARC 1.1 section 5)."""
_SEPARATORS = (b"\r\n\r\n", b"\n\n")


@dataclass
class Frame:
    """What checking a record's Content-Length found: why its content is not what it says
    (None when it is), and whether its page may still be read."""

    note: str | None = None
    page_kept: bool = True


class _Content(io.BytesIO):
    """A record's content read ahead, with warcio's ``limit``: what it lacks of its length."""

    def __init__(self, data: bytes, limit: int) -> None:
        super().__init__(data)
        self.limit = limit


class Framer:
    """Checks the records of one archive. The bytes it reads again are bounded by
    :data:`READ_AGAIN` times those it read: records that each claim the rest of the archive
    would read it again and again (quadratic); past the bound, such a record is a reject and
    the records it claims are lost."""

    def __init__(self) -> None:
        self.read_again = 0

    def frame(self, records: Any, record: Any) -> Frame:
        """Read a record's content, checked against what follows it; make warcio read the
        archive on where the record really ends."""
        from warcio.limitreader import LimitReader

        raw = record.raw_stream
        if not isinstance(raw, LimitReader):
            return Frame()
        reader = records.reader
        cap = streams.MAX_PAGE_BYTES
        kept: bytes = raw.read(cap + 1)
        inside = kept.find(b"WARC/") >= 0  # a record may start inside: the rare case
        beyond = _rest(raw, keep=inside)
        missing = raw.limit
        ahead = bytearray()
        first: bytes | None = None
        while not missing and len(ahead) < LOOKAHEAD_BYTES:
            line = reader.readline(LOOKAHEAD_BYTES)
            if not line:
                break
            ahead += line
            if line.strip():
                first = line
                break
        ends_well = not missing and (first is None or _FIRST_LINE.match(first) is not None)
        start = None
        if inside or not ends_well:
            if not ends_well and beyond is None:  # the header block of a record cut by the end
                ahead += _lines(reader, LOOKAHEAD_BYTES)
            declared = len(kept) + _size(beyond)
            start = _record_start(kept, ahead if beyond is None else b"", declared, ends_well)
        if start is not None:  # it ends there, not cut short
            record.raw_stream = _Content(_ended(kept[:start]), 0)
        else:
            record.raw_stream = _Content(kept, missing)
        if start is None:
            _push_back(reader, [ahead])
            if beyond is not None:
                beyond.close()
            return Frame()
        again = [memoryview(kept)[start:], *([] if beyond is None else [beyond]), ahead]
        size = len(kept) - start + _size(beyond) + len(ahead)
        said = "its Content-Length runs past the start of the next record"
        if self.read_again + size > READ_AGAIN * reader.num_read + LOOKAHEAD_BYTES:
            _push_back(reader, [ahead])
            if beyond is not None:
                beyond.close()
            text = f"{said}, as the records before it did: it and the records in it are not read"
            return Frame(text, page_kept=False)
        self.read_again += size
        _push_back(reader, again)
        return Frame(f"{said}: its page is read up to it")


def _rest(raw: Any, *, keep: bool) -> IO[bytes] | None:
    """Read the rest of a record's content past the page cap: held when ``keep`` (a record
    starts inside the part kept, and what follows it may be read again), else dropped."""
    held = None
    while piece := raw.read(BLOCK_BYTES):
        if keep:
            if held is None:
                held = tempfile.SpooledTemporaryFile(SPOOL_BYTES)  # noqa: SIM115 (read again)
            held.write(piece)
    if held is not None:
        held.seek(0)
    return held


def _lines(reader: Any, size: int) -> bytes:
    """Read whole lines from ``reader``, up to ``size`` bytes or a blank line."""
    read = bytearray()
    while len(read) < size and (line := reader.readline(size)):
        read += line
        if not line.strip():
            break
    return bytes(read)


def _record_start(
    kept: bytes, ahead: bytes | bytearray, declared: int, ends_well: bool
) -> int | None:
    """Return where in ``kept`` the first record starts that tells its record's Content-Length
    is wrong, None if none does.

    A record starting inside is no proof by itself (a page may quote one, a response may hold
    a WARC file): its record's length is taken as wrong when what follows the length does not
    end a record (``ends_well`` false), or when the content ends where a record inside it
    ends, by that record's own Content-Length, give or take blank lines (``declared``: where
    the content claimed ends, past ``kept`` when it is longer than the page cap).
    """
    scanned = kept + bytes(ahead) if ahead else kept  # a copy on this rare path only
    first = None
    for found in _LINE_STARTS.finditer(scanned, 0, len(scanned)):
        if found.start() >= len(kept):
            break  # what follows the record: the next one, not one inside
        end = _content_end(scanned, found.end())
        if end is None:
            continue
        if first is None:
            first = found.start()
            if not ends_well:
                return first
        low, high = sorted((end, declared))  # only blank lines between: the same end
        if end == declared or (declared == len(kept) and not scanned[low:high].strip()):
            return first
    return None


def _content_end(data: bytes, at: int) -> int | None:
    """Return where the content of a record whose first line ends at ``at`` ends, by its
    Content-Length, None unless a valid WARC header block follows (within the look-ahead)."""
    names = set()
    length = None
    end = min(len(data), at + LOOKAHEAD_BYTES)
    while at < end:
        for blank in (b"\r\n", b"\n"):
            if data.startswith(blank, at):
                if length is None or not names >= _REQUIRED:
                    return None
                return at + len(blank) + length
        line = _HEADER_LINE.match(data, at, end)
        if line is None:
            return None
        name = line[1].lower()
        names.add(name)
        if name == b"content-length":
            if not line[2].isdigit():
                return None
            length = int(line[2])
        at = line.end()
    return None


def _ended(body: bytes) -> bytes:
    """The content before a record start, without the blank lines that separate records."""
    for end in _SEPARATORS:
        if body.endswith(end):
            return body[: -len(end)]
    return body


def _size(part: IO[bytes] | None) -> int:
    if part is None:
        return 0
    size = part.seek(0, io.SEEK_END)
    part.seek(0)
    return size


def _push_back(reader: Any, parts: list[Any]) -> None:
    """Make warcio's buffered ``reader`` read ``parts`` (the bytes just read from it, in order,
    as bytes or files) again before the rest.

    Most often they are still in its buffer, which is rewound; else they and what is left of
    the buffer become its buffer.
    """
    size = sum(len(p) if isinstance(p, bytes | bytearray | memoryview) else _size(p) for p in parts)
    if not size:
        return
    buff = reader.buff
    if buff is not None and buff.tell() >= size:
        buff.seek(buff.tell() - size)
        for part in parts:
            if not isinstance(part, bytes | bytearray | memoryview):
                part.close()
        return
    again = tempfile.SpooledTemporaryFile(SPOOL_BYTES)  # noqa: SIM115 (the reader's buffer)
    for part in parts:
        if isinstance(part, bytes | bytearray | memoryview):
            again.write(part)
        else:
            while piece := part.read(BLOCK_BYTES):
                again.write(piece)
            part.close()
    if buff is not None:
        again.write(buff.read())
    reader.buff_size = again.tell()
    again.seek(0)
    reader.buff = again
