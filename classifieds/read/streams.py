"""Open an input as a stream of its content: decompressed when it is, and capped.

Compression (gzip, bzip2, xz, zstd) is told by a file's first bytes, whatever its name, and
undone as a stream. Every read is capped, so that no input, however crafted, makes a run hold
more than a page in memory. A stream that is damaged, cut short or a bomb ends where the
damage starts, so that everything before it is read; :func:`check` then raises what it met.
Past a damaged gzip member, :func:`resume` goes on at the next member (:mod:`.members`).
"""

from __future__ import annotations

import errno
import hashlib
import io
import lzma
import os
import stat
import sys
import zlib
from typing import IO

import zstandard

from classifieds.read.members import CHUNK_BYTES, DECOMPRESSORS, MAGICS, Members, Readable
from classifieds.read.names import STDIN
from classifieds.read.remote import NO_OPTIONS, Hashed, RemoteObject, StorageOptions, is_url

MAX_PAGE_BYTES = 64 * 1024 * 1024
"""A page larger than this is not a web page; it is rejected rather than read into memory."""
MAX_DECOMPRESSED_BYTES = 16 * 1024**3
"""A compressed input is read up to this many bytes once decompressed (a Common Crawl WARC
holds about 5 GiB); past it, it is taken for a decompression bomb and reading stops."""

_CHUNK_BYTES = CHUNK_BYTES
_SMALL_FILE_BYTES = 1 << 20
_MAX_LAYERS = 3
"""Compressions of one input undone at most, one inside another."""
_DECOMPRESS_ERRORS = (OSError, EOFError, zlib.error, lzma.LZMAError, zstandard.ZstdError)


class DecompressionLimit(Exception):
    """A compressed input decompressed past :data:`MAX_DECOMPRESSED_BYTES`."""


class CorruptInput(Exception):
    """A compressed stream or archive that is damaged or cut short."""


def open_input(
    source: str, options: StorageOptions = NO_OPTIONS, hashed: Hashed | None = None
) -> IO[bytes]:
    """Return a buffered binary stream of an input's content, decompressed when it is.

    A URL is opened through fsspec with the storage ``options``, and streamed
    (:class:`~classifieds.read.remote.RemoteObject`); ``hashed`` is filled as it is read.

    Compression is told by the first bytes. A decompressed stream ends early past
    :data:`MAX_DECOMPRESSED_BYTES` of content, where it is damaged or truncated, or after a
    run without line breaks (see :func:`line_guarded`); :func:`check` then raises
    :class:`DecompressionLimit` or :class:`CorruptInput`. Raises OSError when the input cannot
    be opened.
    """
    if source == STDIN:
        if sys.stdin is None:  # closed when Python started (the shell's <&-)
            raise OSError(errno.EBADF, "standard input is closed", STDIN)
        raw: IO[bytes] = io.BufferedReader(_Borrowed(sys.stdin.buffer))
    elif is_url(source):
        remote = RemoteObject(source, options, Hashed() if hashed is None else hashed)
        raw = io.BufferedReader(remote, buffer_size=_CHUNK_BYTES)
    else:
        raw = open(source, "rb")  # noqa: SIM115  (the stream returned closes it)
    try:
        return _decompressing(raw)
    except BaseException:
        raw.close()
        raise


def _decompressing(raw: IO[bytes]) -> IO[bytes]:
    """Return a buffered stream as it is, or decompressed (and capped) when its first bytes
    say it is compressed, as many times as they say so (``page.txt.gz.gz``, up to
    :data:`_MAX_LAYERS`); inside, only binary magic numbers count: text may start "BZh"."""
    stream = raw
    for layer in range(_MAX_LAYERS):
        head = peek(stream, 6)
        opener = next((o for magic, o in DECOMPRESSORS if head.startswith(magic)), None)
        if opener is None or (layer and head.startswith(b"BZh")):
            break
        capped = _Capped(opener(stream), stream, MAX_DECOMPRESSED_BYTES, 2 * MAX_PAGE_BYTES)
        stream = io.BufferedReader(capped, buffer_size=_CHUNK_BYTES)
    return stream


def decompressed(data: bytes, limit: int) -> bytes:
    """Return compressed bytes (gzip, bzip2, xz, zstd, any number of members) decompressed, up
    to ``limit`` + 1 bytes; raise :class:`CorruptInput` or :class:`DecompressionLimit`.

    >>> import gzip
    >>> decompressed(gzip.compress(b"a") + gzip.compress(b"b"), 10)
    b'ab'
    """
    with _decompressing(io.BufferedReader(io.BytesIO(data))) as stream:
        content = read_at_most(stream, limit + 1)
        damage = failure(stream)
    if damage is not None and len(content) <= limit:
        raise damage
    return content


def is_compressed(head: bytes) -> bool:
    """Return whether bytes start like a compressed stream (gzip, bzip2, xz, zstd)."""
    return head.startswith(MAGICS)


def line_guarded(stream: IO[bytes], max_line: int) -> IO[bytes]:
    """Return a stream from :func:`open_input` that ends after ``max_line`` bytes without a
    line break, which a line reader (warcio's) would hold and copy over and over;
    :func:`check` then raises :class:`CorruptInput`.
    """
    capped = _Capped(stream, stream, None, max_line)
    return io.BufferedReader(capped, buffer_size=_CHUNK_BYTES)


def failure(stream: IO[bytes]) -> DecompressionLimit | CorruptInput | None:
    """Return what a stream from :func:`open_input` or :func:`line_guarded` met and ended on;
    None for a stream read whole.

    The deepest failure is the cause: a connection cut under a decompressor reads there as a
    stream cut short, or, between two members, as a clean end.
    """
    found: DecompressionLimit | CorruptInput | None = None
    inner: object = stream
    while isinstance(inner, io.BufferedReader):
        raw = inner.raw
        if isinstance(raw, RemoteObject):
            return found if raw.failure is None else CorruptInput(str(raw.failure))
        if not isinstance(raw, _Capped):
            break
        found = raw.failure or found
        inner = raw.raw
    return found


def resume(stream: IO[bytes], prefix: bytes) -> bool:
    """Go on after the damaged gzip member a stream from :func:`open_input` (or
    :func:`line_guarded`) ended on, at the next member whose content starts with ``prefix``;
    return whether there is one, the damage then forgotten: what came before it was read.
    """
    inner: object = stream
    while isinstance(inner, io.BufferedReader) and isinstance(inner.raw, _Capped):
        capped = inner.raw
        if capped.failure is not None:
            damaged = isinstance(capped.failure, CorruptInput)
            if not damaged or not isinstance(capped.content, Members):
                return False
            if not capped.content.resync(prefix):
                return False
            capped.failure = None
            return True
        inner = capped.raw
    return False


def drain(stream: IO[bytes]) -> None:
    """Read to its end the object under a stream from :func:`open_input` of a URL, so that its
    size and hash are those of all its bytes (a reader may stop early: a page too large)."""
    inner: object = stream
    while isinstance(inner, io.BufferedReader):
        raw = inner.raw
        if isinstance(raw, RemoteObject):
            raw.drain()
            return
        if not isinstance(raw, _Capped):
            return
        inner = raw.raw


def is_regular(source: str) -> bool:
    """Return whether an input is a regular file: not stdin, a FIFO or a device, which can be
    read only once, as a stream."""
    return source != STDIN and stat.S_ISREG(os.stat(source).st_mode)


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


def skip_blank_lines(stream: IO[bytes]) -> None:
    """Consume the blank lines (whitespace) a stream from :func:`open_input` starts with."""
    while head := peek(stream, _CHUNK_BYTES):
        blank = len(head) - len(head.lstrip())
        stream.read(blank)
        if blank < len(head):
            return


def peek(stream: IO[bytes], size: int) -> bytes:
    """Return up to ``size`` next bytes of a stream from :func:`open_input`, not consuming them."""
    peeked: bytes = stream.peek(size) if isinstance(stream, io.BufferedReader) else b""
    return peeked[:size]


def file_facts(source: str, options: StorageOptions = NO_OPTIONS) -> tuple[int, str]:
    """Return the size and sha256 of a file, read in one pass at C speed (a URL: streamed)."""
    if is_url(source):
        hashed = Hashed()
        with RemoteObject(source, options, hashed) as remote:
            remote.drain()
            if remote.failure is not None:
                raise OSError(str(remote.failure))
        return hashed.size, hashed.digest.hexdigest()
    with open(source, "rb") as file:
        digest = hashlib.file_digest(file, "sha256")
        return file.tell(), digest.hexdigest()


def small_plain_file(source: str) -> bytes | None:
    """Return the bytes of a regular file up to 1 MiB that is not compressed, else None."""
    if source == STDIN:
        return None
    facts = os.stat(source)
    # Not opened when it is no regular file: opening a FIFO would wait for a writer, or take
    # the place of the reader one waits for.
    if facts.st_size > min(_SMALL_FILE_BYTES, MAX_PAGE_BYTES) or not stat.S_ISREG(facts.st_mode):
        return None
    descriptor = os.open(source, os.O_RDONLY)  # no file object: this runs for every page
    try:
        size = os.fstat(descriptor).st_size
        data = os.read(descriptor, size + 1)
    finally:
        os.close(descriptor)
    # A file that changed size while read, or came short (a network file system), is streamed.
    return None if len(data) != size or is_compressed(data) else data


class _Capped(io.RawIOBase):
    """A decompressed stream that stops a bomb: a total cap, and a cap on a line's length.

    Past a cap, or at damage, it ends as if the content ended there and keeps the
    :attr:`failure`: raising at once would lose what its readers have buffered, the complete
    records before the damage.
    """

    def __init__(self, content: Readable, raw: IO[bytes], limit: int | None, max_line: int) -> None:
        self.content = content
        self.failure: DecompressionLimit | CorruptInput | None = None
        self.raw = raw
        """The stream under the decompressor (the same as ``content`` for a line guard)."""
        self._limit = limit
        self._max_line = max_line
        self._total = 0
        self._since_newline = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        if self.failure is not None:
            return 0
        try:
            # Bounded reads: a caller asking for a page's worth gets it a chunk at a time, so a
            # bomb is stopped within a chunk of the cap.
            data = self.content.read(min(len(buffer), _CHUNK_BYTES))
        except _DECOMPRESS_ERRORS as error:
            self.failure = CorruptInput(f"{type(error).__name__}: {error}")
            return 0
        self._total += len(data)
        if self._limit is not None and self._total > self._limit:
            self.failure = DecompressionLimit(f"more than {self._limit} bytes once decompressed")
            return 0
        newline = data.rfind(b"\n")
        self._since_newline = (
            self._since_newline + len(data) if newline < 0 else len(data) - newline - 1
        )
        if self._since_newline > self._max_line:
            self.failure = CorruptInput(f"more than {self._max_line} bytes without a line break")
            return 0
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        if not self.closed:
            self.content.close()
            self.raw.close()
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
