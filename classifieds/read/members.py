"""Compressed members one after another (gzip members, bzip2 and xz streams, zstd frames),
decompressed a bounded amount at a time; after a damaged gzip member, the next one found.

A WARC archive compressed a record per gzip member (Common Crawl's) can be read again past a
damaged member: :meth:`Members.resync` finds the next member whose content starts as a
record does.
"""

from __future__ import annotations

import bz2
import io
import lzma
import zlib
from collections.abc import Callable
from functools import partial
from typing import IO, Protocol

import zstandard

CHUNK_BYTES = 1 << 16
_ZSTD_PIECE_BYTES = 1 << 10
"""zstd input is decompressed this much at a time: a piece of crafted blocks makes at most
32 MiB."""
_XZ_MEMORY_BYTES = 1 << 28
"""Memory an xz stream may make its decoder take: its header says its dictionary's size, up
to 4 GiB, which the decoder fills as it writes (xz -9 uses 64 MiB; zstd's decoder refuses a
window over 128 MiB likewise)."""
_ZSTD_FRAME = b"\x28\xb5\x2f\xfd"
_ZSTD_DICTIONARY = b"\x5d\x2a\x4d\x18"
"""The skippable frame that holds a ``.warc.zst``'s dictionary (the other 15 skippable
magic numbers differ in the first byte)."""
_MAX_DICTIONARY_BYTES = 1 << 24
"""zstd dictionaries are a few hundred KB; a first skippable frame over this is damage."""
_GZIP_MEMBER = b"\x1f\x8b\x08"
"""How a gzip member starts: its magic number and the deflate method."""
_PROBE_BYTES = 1 << 12
"""Compressed bytes a member found after damage may take to give its first bytes."""
_MAX_PROBES = 1_000_000
"""Places that look like a gzip member tried after damage, at most, over a whole stream: a
file of fake headers would make each cost a decompressor (a few microseconds)."""
_PLACES_PER_PIECE = 8
"""Places with a gzip magic number tried at most in a piece given to a member (see
:func:`_may_start_member`): a piece of fake headers costs eight decompressors."""
_HELD_BYTES = 1 << 20
"""Content a gzip member makes once the compressed bytes given to it hold the start of another
member, held until the member ends whole (its CRC checked), up to this much: a member cut short
and followed by the next one decompresses the next one's bytes into garbage before it fails,
which would be given as its record's content. What it made before is its own, and given as it
comes: held, it would be lost with the damage (the pages of a ``.jsonl.gz`` member cut short)."""


class Readable(Protocol):
    """What a decompressed stream offers: reads of a bounded size."""

    def read(self, size: int = ..., /) -> bytes: ...
    def close(self) -> None: ...


class _Member(Protocol):
    """One compressed member (a gzip member, a bzip2 or xz stream, a zstd frame) being
    decompressed: the interface of ``bz2.BZ2Decompressor`` and ``lzma.LZMADecompressor``."""

    @property
    def eof(self) -> bool: ...
    @property
    def needs_input(self) -> bool: ...
    @property
    def unused_data(self) -> bytes: ...
    def decompress(self, data: bytes, max_length: int = ..., /) -> bytes: ...


class _Inflate:
    """A gzip member, as a :class:`_Member`."""

    def __init__(self) -> None:
        self._member = zlib.decompressobj(wbits=31)  # 16 + 15: a gzip header and trailer

    @property
    def eof(self) -> bool:
        return self._member.eof

    @property
    def needs_input(self) -> bool:
        return not self._member.unconsumed_tail

    @property
    def unused_data(self) -> bytes:
        return self._member.unused_data

    def decompress(self, data: bytes, max_length: int = 0, /) -> bytes:
        return self._member.decompress(self._member.unconsumed_tail or data, max_length)


class _Unzstd:
    """A zstd frame, as a :class:`_Member`. zstandard has no ``max_length``: it is fed a small
    piece at a time, which a crafted frame turns into 32 MiB at most."""

    def __init__(self, decompressor: zstandard.ZstdDecompressor | None = None) -> None:
        self._frame = (decompressor or zstandard.ZstdDecompressor()).decompressobj()
        self._made = b""
        self._at = 0

    @property
    def eof(self) -> bool:
        return self._frame.eof and self._at >= len(self._made)

    @property
    def needs_input(self) -> bool:
        return self._at >= len(self._made) and not self._frame.eof

    @property
    def unused_data(self) -> bytes:
        return self._frame.unused_data

    def decompress(self, data: bytes, max_length: int = -1, /) -> bytes:
        if data:
            self._made, self._at = self._frame.decompress(data), 0
        chunk = self._made[self._at : self._at + max_length]
        self._at += len(chunk)
        return chunk


class Members:
    """The content of compressed members one after another, read a bounded amount at a time.

    The standard library's file readers lose what they have buffered when they meet damage,
    and zstandard's reads a frame cut short as a clean end: here every byte before the damage
    is given, and a last member that does not end raises EOFError.
    """

    def __init__(self, raw: IO[bytes], start: Callable[[], _Member], piece: int) -> None:
        self._raw = raw
        self._start = start
        self._piece = piece
        self._member: _Member | None = None
        self._input = b""  # compressed bytes read and not given to a member yet
        self._fed = b""  # the last piece given to the member, kept for a resync
        self._fed_at = 0  # where a resync looks from in it: past the member's own header
        self._starting = False
        self._probes = 0
        self._held = bytearray()  # the content of the member being held (see _HELD_BYTES)
        self._holding = False
        self._ready = memoryview(b"")  # content released and not read yet

    def read(self, size: int = CHUNK_BYTES, /) -> bytes:
        if not self._ready:
            try:
                self._ready = memoryview(self._content(size))
            except BaseException:
                self._held.clear()  # a damaged member's content is none of its record's
                raise
        made, self._ready = self._ready[:size], self._ready[size:]
        return bytes(made)

    def _content(self, size: int) -> bytes:
        while True:
            member = self._member
            if member is None or member.eof:
                # NUL bytes between or after members are padding (xz's stream padding, a
                # tape's or disk's block), which gzip and xz skip too.
                self._input = self._input.lstrip(b"\0")
                while not self._input:
                    self._input = self._raw.read(self._piece)
                    if not self._input:
                        return b""  # the last member ended: the stream is whole
                    self._input = self._input.lstrip(b"\0")
                self._member = member = self._start()
                self._starting, self._holding = True, False
            data = b""
            if member.needs_input:
                data, self._input = self._input or self._raw.read(self._piece), b""
                if not data:
                    raise EOFError("cut short: the last compressed member does not end")
                # A member's first piece starts with its header: a resync looks past it.
                self._fed, self._fed_at, self._starting = data, int(self._starting), False
                if self._start is _Inflate and not self._holding:
                    self._holding = _may_start_member(data, self._fed_at)
            made = member.decompress(data, size)
            if member.eof:
                self._input = member.unused_data
            if self._holding:
                self._held += made
                if not member.eof and len(self._held) <= _HELD_BYTES:
                    continue
                made, self._holding = bytes(self._held), False
                self._held.clear()
            if made:
                return made

    def resync(self, prefix: bytes) -> bool:
        """Go on after a damaged gzip member at the next member whose content starts with
        ``prefix``; return whether there is one (if not, the stream is at its end).

        The search starts in the last piece given to the damaged member, past its own header,
        and reads on a piece at a time, holding two at most. Each place that looks like a
        member is tried by decompressing its first bytes, at most :data:`_MAX_PROBES` in all.
        """
        if self._start is not _Inflate:
            return False
        window, at = self._fed, self._fed_at
        self._fed, self._member, self._input = b"", None, b""
        self._ready = memoryview(b"")
        while self._probes < _MAX_PROBES:
            found = window.find(_GZIP_MEMBER, at)
            more = b""
            if found < 0 or len(window) - found < _PROBE_BYTES:
                more = self._raw.read(self._piece)
            if more:  # read on, keeping what a member found may start with
                window, at = (window[found:] if found >= 0 else window[-2:]) + more, 0
                continue
            if found < 0:
                return False
            self._probes += 1
            if _starts_with(window[found : found + _PROBE_BYTES], prefix):
                self._input = window[found:]
                return True
            at = found + 1
        return False

    def close(self) -> None:
        self._member = None


def _may_start_member(data: bytes, start: int) -> bool:
    """Return whether compressed bytes may hold the start of a gzip member from ``start`` on:
    its magic number followed by bytes that decompress (a place or two in a megabyte of
    deflate data has the magic number by chance), or a magic number cut at their end (a
    member in a stored block copies the next one's first bytes as they are). Past
    :data:`_PLACES_PER_PIECE` places that are not one, it may.

    >>> import gzip
    >>> member, zeros = gzip.compress(b"WARC/1.0"), bytes(_PROBE_BYTES)
    >>> _may_start_member(b"ab" + member + zeros, 0), _may_start_member(b"ab\\x1f", 0)
    (True, True)
    >>> _may_start_member(member + zeros, 1), _may_start_member(b"\\x1f\\x8b\\x08\\xff" + zeros, 0)
    (False, False)
    """
    found = data.find(_GZIP_MEMBER, start)
    for _ in range(_PLACES_PER_PIECE):
        if found < 0:
            return data.endswith((b"\x1f", b"\x1f\x8b"))
        probe = data[found : found + _PROBE_BYTES]
        if len(probe) < _PROBE_BYTES or _decompresses(probe):
            return True
        found = data.find(_GZIP_MEMBER, found + 1)
    return True


def _decompresses(data: bytes) -> bool:
    """Return whether compressed bytes start a gzip member (its header, then deflate data)."""
    try:
        zlib.decompressobj(wbits=31).decompress(data, _PROBE_BYTES)
    except zlib.error:
        return False
    return True


def _starts_with(data: bytes, prefix: bytes) -> bool:
    """Return whether compressed bytes start a gzip member whose content starts so."""
    try:
        return zlib.decompressobj(wbits=31).decompress(data, len(prefix)) == prefix
    except zlib.error:
        return False


class _SkippableFirst:
    """zstd frames after a skippable frame, which tools put first to hold metadata; a
    ``.warc.zst`` puts there the dictionary its frames are compressed with (the IIPC's WARC
    zstd profile), raw or itself compressed."""

    def __init__(self, raw: IO[bytes]) -> None:
        self._raw = raw
        self._frames: Members | None = None

    def read(self, size: int = CHUNK_BYTES, /) -> bytes:
        if self._frames is None:  # read here, so that damage ends the stream as any other
            decompressor = zstandard.ZstdDecompressor(dict_data=self._dictionary())
            self._frames = Members(self._raw, partial(_Unzstd, decompressor), _ZSTD_PIECE_BYTES)
        return self._frames.read(size)

    def _dictionary(self) -> zstandard.ZstdCompressionDict | None:
        header = self._raw.read(8)
        size = int.from_bytes(header[4:], "little")
        if len(header) < 8:
            raise EOFError("cut short: the first skippable frame's header does not end")
        if size > _MAX_DICTIONARY_BYTES:
            raise zstandard.ZstdError(f"a skippable frame of {size} bytes, over the limit")
        frame = self._raw.read(size)
        if len(frame) < size:
            raise EOFError("cut short: the first skippable frame does not end")
        if header[:4] != _ZSTD_DICTIONARY:
            return None
        if frame.startswith(_ZSTD_FRAME):
            reader = zstandard.ZstdDecompressor().stream_reader(io.BytesIO(frame))
            frame = reader.read(_MAX_DICTIONARY_BYTES + 1)
            if len(frame) > _MAX_DICTIONARY_BYTES:
                raise zstandard.ZstdError("a zstd dictionary over the limit once decompressed")
        return zstandard.ZstdCompressionDict(frame)

    def close(self) -> None:
        if self._frames is not None:
            self._frames.close()


_UNXZ = partial(lzma.LZMADecompressor, lzma.FORMAT_XZ, _XZ_MEMORY_BYTES)
DECOMPRESSORS: tuple[tuple[bytes, Callable[[IO[bytes]], Readable]], ...] = (
    (b"\x1f\x8b", lambda raw: Members(raw, _Inflate, CHUNK_BYTES)),
    (b"BZh", lambda raw: Members(raw, bz2.BZ2Decompressor, CHUNK_BYTES)),
    (b"\xfd7zXZ\x00", lambda raw: Members(raw, _UNXZ, CHUNK_BYTES)),
    (_ZSTD_FRAME, lambda raw: Members(raw, _Unzstd, _ZSTD_PIECE_BYTES)),
    *((bytes([0x50 + n]) + _ZSTD_DICTIONARY[1:], _SkippableFirst) for n in range(16)),
)
"""Compressed formats by their first bytes (magic numbers), and how to open each as a stream."""
MAGICS = tuple(magic for magic, _ in DECOMPRESSORS)
