"""Find the input files, open each one decompressed and capped, tell its format, decode pages.

Inputs are files, folders (read recursively) and ``-`` for standard input, listed lazily in a
stable order so that a run is deterministic. Compression (gzip, bzip2, xz, zstd) is told by a
file's first bytes, whatever its name, and undone as a stream; the format of what is inside
(a text page, an HTML page, a WARC archive, JSON Lines) comes from the name once compression
suffixes are set aside, and from the first bytes when the name says nothing. Every read is
capped, so that no input, however crafted, makes a run hold more than a page in memory.

Bytes are decoded as UTF-8, falling back line by line to Windows-1252 (then Latin-1) so that
a page saved in a legacy encoding, or a UTF-8 page with a few legacy lines pasted in, reads
correctly; a charset the page declares (HTTP header, ``<meta charset>``) is used when the bytes
are not UTF-8.
"""

from __future__ import annotations

import bz2
import codecs
import gzip
import heapq
import io
import lzma
import os
import re
import sys
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from fnmatch import fnmatchcase
from itertools import chain
from pathlib import Path
from typing import IO, Literal, NamedTuple, Protocol

import zstandard

from classifieds.dedup import source_key
from classifieds.errors import InputError

STDIN = "-"
STDIN_SOURCE = "<stdin>"
MAX_PAGE_BYTES = 64 * 1024 * 1024
"""A page larger than this is not a web page; it is rejected rather than read into memory."""
MAX_DECOMPRESSED_BYTES = 16 * 1024**3
"""A compressed input is read up to this many bytes once decompressed (a Common Crawl WARC
holds about 5 GiB); past it, it is taken for a decompression bomb and reading stops."""

Format = Literal["text", "html", "warc", "jsonl"]
FORMAT_OF_SUFFIX: dict[str, Format] = {
    "": "text",
    ".txt": "text",
    ".text": "text",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".shtml": "html",
    ".warc": "warc",
    ".wet": "warc",  # Common Crawl's extracted text: WARC "conversion" records
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".jl": "jsonl",
    ".json": "jsonl",  # how most crawlers name their JSON Lines exports
}
"""Known input formats, by file suffix once compression suffixes are set aside."""
COMPRESSION_SUFFIXES = frozenset({".gz", ".bz2", ".xz", ".zst", ".zstd"})
# A suffix names a file type when it is short and has a letter (.pdf, .mp4, .docx), unlike a
# date or a hash after a dot.
_FILE_TYPE_SUFFIX = re.compile(r"\.(?=[0-9]*[a-z])[a-z0-9]{1,5}")

_CHUNK_BYTES = 1 << 16
_BINARY_SNIFF = 1024
_BINARY_SHARE = 0.01
"""Share of control bytes above which a file is binary junk (text has nearly none)."""
# Every byte but the C0 controls that text does not use; bytes.translate deletes these to
# count control bytes at C speed.
_TEXT_BYTES = bytes(b for b in range(256) if (b >= 0x20 and b != 0x7F) or b in b"\t\n\r\f")
_UTF8_BOM = b"\xef\xbb\xbf"
# The HTML standard reads these labels as Windows-1252, a superset of what they name.
_WINDOWS_1252_LABELS = frozenset(
    {"ascii", "us-ascii", "iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "cp819"}
)
_DECOMPRESS_ERRORS = (OSError, EOFError, zlib.error, lzma.LZMAError, zstandard.ZstdError)


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


class DecompressionLimit(Exception):
    """A compressed input decompressed past :data:`MAX_DECOMPRESSED_BYTES`."""


class CorruptInput(Exception):
    """A compressed stream or archive that is damaged or cut short."""


def iter_inputs(
    inputs: Iterable[str | Path], include: Sequence[str] = (), exclude: Sequence[str] = ()
) -> Iterator[str]:
    """Return the input files to read, lazily, in a stable order: stdin first, then by path.

    Folders are walked recursively, their entries in name order, hidden files and folders
    (``.git``, ``.DS_Store``) skipped; a path given twice, or inside a folder also given, is
    read once. Nothing is listed up front, so a crawl of millions of files costs no memory.
    A file found in a folder is kept when its path relative to that folder matches one of the
    ``include`` globs (if any) and none of the ``exclude`` globs; ``*`` matches across
    folders. Files named explicitly are always kept.

    Raises InputError, at once, for a path that does not exist.
    """
    given = [str(path) for path in inputs]
    roots: dict[Path, str] = {}
    for name in given:
        if name == STDIN:
            continue
        path = Path(name)
        if not path.exists():
            raise InputError(f"No such file or folder: {name}. Check the path, or use - for stdin.")
        roots.setdefault(path.resolve(), str(path))
    kept = [
        name
        for resolved, name in roots.items()
        if not any(other != resolved and other in resolved.parents for other in roots)
    ]
    streams = [
        _walk(name, "", include, exclude) if Path(name).is_dir() else iter([name]) for name in kept
    ]
    ordered = heapq.merge(*streams, key=source_key)
    return chain([STDIN], ordered) if STDIN in given else ordered


def _walk(
    folder: str, inside: str, include: Sequence[str], exclude: Sequence[str]
) -> Iterator[str]:
    """Yield the files of ``folder``, which is at ``inside`` (``a/b/``) in the folder given."""
    with os.scandir(folder) as scan:
        entries = sorted((e for e in scan if not e.name.startswith(".")), key=lambda e: e.name)
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            yield from _walk(entry.path, f"{inside}{entry.name}/", include, exclude)
        elif entry.is_file() and _selected(inside + entry.name, include, exclude):
            yield entry.path


def _selected(relative: str, include: Sequence[str], exclude: Sequence[str]) -> bool:
    if include and not any(fnmatchcase(relative, glob) for glob in include):
        return False
    return not any(fnmatchcase(relative, glob) for glob in exclude)


def source_name(source: str) -> str:
    """Return the name an input goes by in the dataset (``<stdin>`` for ``-``)."""
    return STDIN_SOURCE if source == STDIN else source


def input_key(source: str) -> str:
    """Return the sort key of an input, given as read or as named: stdin sorts first."""
    return "" if source in (STDIN, STDIN_SOURCE) else source_key(source)


def format_of_name(name: str) -> Format | None:
    """Return the format a file name says, compression suffixes aside; None when unknown.

    A suffix that is no file type (``.2024``, ``.6780d8fc77309a8b``) says nothing: text.

    >>> [format_of_name(n) for n in ("crawl.warc.gz", "page", "a.HTML.zst", "x.pdf", "y.zip")]
    ['warc', 'text', 'html', None, None]
    >>> format_of_name("article.2024.03.01"), format_of_name("page.6780d8fc77309a8b.gz")
    ('text', 'text')
    """
    stem = os.path.basename(name).lower()
    suffix = os.path.splitext(stem)[1]
    while suffix in COMPRESSION_SUFFIXES:
        stem = stem[: -len(suffix)]
        suffix = os.path.splitext(stem)[1]
    if suffix in FORMAT_OF_SUFFIX:
        return FORMAT_OF_SUFFIX[suffix]
    return None if _FILE_TYPE_SUFFIX.fullmatch(suffix) else "text"


def open_input(source: str) -> IO[bytes]:
    """Return a buffered binary stream of an input's content, decompressed when it is.

    Compression is told by the first bytes. A decompressed stream raises
    :class:`DecompressionLimit` past :data:`MAX_DECOMPRESSED_BYTES` of content, and
    :class:`CorruptInput` when damaged or truncated or after a run without line breaks (see
    :func:`line_guarded`). Raises OSError when the input cannot be opened.
    """
    if source == STDIN:
        raw: IO[bytes] = io.BufferedReader(_Borrowed(sys.stdin.buffer))
    else:
        raw = open(source, "rb")  # noqa: SIM115  (the stream returned closes it)
    try:
        head = peek(raw, 6)
        opener = next((o for magic, o in _DECOMPRESSORS if head.startswith(magic)), None)
        if opener is None:
            return raw
        capped = _Capped(opener(raw), raw, MAX_DECOMPRESSED_BYTES, 2 * MAX_PAGE_BYTES)
    except BaseException:
        raw.close()
        raise
    return io.BufferedReader(capped, buffer_size=_CHUNK_BYTES)


def is_compressed(head: bytes) -> bool:
    """Return whether bytes start like a compressed stream (gzip, bzip2, xz, zstd)."""
    return head.startswith(_MAGICS)


def line_guarded(stream: IO[bytes]) -> IO[bytes]:
    """Return a stream from :func:`open_input` that raises :class:`CorruptInput` after twice
    :data:`MAX_PAGE_BYTES` without a line break, which a line reader (warcio's) would hold.

    Decompressed streams are guarded already.
    """
    if isinstance(stream, io.BufferedReader) and isinstance(stream.raw, _Capped):
        return stream
    capped = _Capped(stream, stream, None, 2 * MAX_PAGE_BYTES)
    return io.BufferedReader(capped, buffer_size=_CHUNK_BYTES)


def read_at_most(stream: IO[bytes], size: int) -> bytes:
    """Return the next ``size`` bytes of a stream or fewer at its end, read a chunk at a time.

    Unlike ``stream.read(size)``, which sets aside ``size`` bytes at once, memory grows only
    with what the stream holds.
    """
    chunks: list[bytes] = []
    while size > 0:
        wanted = min(size, _CHUNK_BYTES)
        chunk = stream.read(wanted)
        chunks.append(chunk)
        size -= len(chunk)
        if len(chunk) < wanted:  # a buffered stream reads short only at its end
            break
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def peek(stream: IO[bytes], size: int) -> bytes:
    """Return up to ``size`` next bytes of a stream from :func:`open_input`, not consuming them."""
    peeked: bytes = stream.peek(size) if isinstance(stream, io.BufferedReader) else b""
    return peeked[:size]


def decode(data: bytes, charset: str | None = None) -> str | None:
    """Return the text of a page's bytes, or None when they are binary, not text.

    >>> decode("Poêle à bois 1 800€".encode("cp1252"))
    'Poêle à bois 1 800€'
    >>> decode("Poêle 1 800 €".encode("iso-8859-15"), "ISO-8859-15")
    'Poêle 1 800 €'
    >>> decode(b"\\x89PNG\\r\\n\\x1a\\n\\x00\\x00\\x00\\rIHDR") is None
    True
    """
    return None if is_binary(data) else decode_text(data, charset)


def is_binary(data: bytes) -> bool:
    """Return whether bytes are binary junk: a NUL anywhere, or control bytes at the start.

    Look at the first KB only: text has no control bytes anywhere, and binary formats show
    theirs from the first bytes.
    """
    head = data[:_BINARY_SNIFF]
    return b"\x00" in data or len(head.translate(None, _TEXT_BYTES)) > len(head) * _BINARY_SHARE


def decode_text(data: bytes, charset: str | None = None) -> str:
    """Return the text of bytes: UTF-8, else the declared ``charset``, else Windows-1252.

    Bytes that are valid UTF-8 are UTF-8, whatever the page declares (the other way round is
    all but impossible for French text). Others are decoded with the declared ``charset``
    when Python knows it, else line by line as Windows-1252 where they are not UTF-8.
    """
    if data.startswith(_UTF8_BOM):
        data = data[len(_UTF8_BOM) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    codec = codec_of(charset) if charset else None
    if codec is not None:
        return data.decode(codec, errors="replace")
    return "\n".join(_decode_line(line) for line in data.split(b"\n"))


def widget_line_start(data: bytes) -> int:
    """Return the offset of the first line that may hold "Petites Annonces", or -1."""
    at = data.find(b"nnonces")
    upper = data.find(b"NNONCES", 0, len(data) if at < 0 else at)  # only an earlier one counts
    at = at if upper < 0 else upper
    return data.rfind(b"\n", 0, at) + 1 if at >= 0 else -1


def codec_of(charset: str) -> str | None:
    """Return Python's codec for a declared charset label, None when unknown.

    >>> codec_of("ISO-8859-1"), codec_of("Windows-1252"), codec_of("latin9"), codec_of("x")
    ('cp1252', 'cp1252', 'iso8859-15', None)
    """
    label = charset.strip().strip("\"'").lower()
    if label in _WINDOWS_1252_LABELS:
        return "cp1252"
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def _decode_line(line: bytes) -> str:
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return line.decode("cp1252")
    except UnicodeDecodeError:  # the five bytes cp1252 leaves undefined
        return line.decode("latin-1")


class _Readable(Protocol):
    def read(self, size: int = ..., /) -> bytes: ...
    def close(self) -> None: ...


def _zstd(raw: IO[bytes]) -> _Readable:
    return zstandard.ZstdDecompressor().stream_reader(raw, read_across_frames=True)


_DECOMPRESSORS: tuple[tuple[bytes, Callable[[IO[bytes]], _Readable]], ...] = (
    (b"\x1f\x8b", lambda raw: gzip.GzipFile(fileobj=raw, mode="rb")),
    (b"BZh", bz2.BZ2File),
    (b"\xfd7zXZ\x00", lzma.LZMAFile),
    (b"\x28\xb5\x2f\xfd", _zstd),
)
"""Compressed formats by their first bytes (magic numbers), and how to open each as a stream."""
_MAGICS = tuple(magic for magic, _ in _DECOMPRESSORS)


class _Capped(io.RawIOBase):
    """A decompressed stream that stops a bomb: a total cap, and a cap on a line's length."""

    def __init__(
        self, content: _Readable, raw: IO[bytes], limit: int | None, max_line: int
    ) -> None:
        self._content = content
        self._raw = raw
        self._limit = limit
        self._max_line = max_line
        self._total = 0
        self._since_newline = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        try:
            # Bounded reads: a caller asking for a page's worth gets it a chunk at a time, so a
            # bomb is stopped within a chunk of the cap.
            data = self._content.read(min(len(buffer), _CHUNK_BYTES))
        except _DECOMPRESS_ERRORS as error:
            raise CorruptInput(f"{type(error).__name__}: {error}") from error
        self._total += len(data)
        if self._limit is not None and self._total > self._limit:
            raise DecompressionLimit(f"more than {self._limit} bytes once decompressed")
        newline = data.rfind(b"\n")
        self._since_newline = (
            self._since_newline + len(data) if newline < 0 else len(data) - newline - 1
        )
        if self._since_newline > self._max_line:
            raise CorruptInput(f"more than {self._max_line} bytes without a line break")
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        if not self.closed:
            self._content.close()
            self._raw.close()
        super().close()


class _Borrowed(io.RawIOBase):
    """Standard input, read through a buffer of ours and never closed by us."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self._stream.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)
