"""Find the input files and read each one as a page of text.

Inputs are files, folders (read recursively) and ``-`` for standard input. They are read in
sorted order so that a run is deterministic. Bytes are decoded as UTF-8, falling back line by
line to Windows-1252 (then Latin-1) so that a page saved in a legacy encoding, or a UTF-8 page
with a few legacy lines pasted in, reads correctly. Unusable files become rejects.
"""

from __future__ import annotations

import heapq
import os
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import chain
from pathlib import Path

from classifieds.dedup import source_key
from classifieds.errors import InputError
from classifieds.models import Reject

STDIN = "-"
STDIN_SOURCE = "<stdin>"
MAX_PAGE_BYTES = 64 * 1024 * 1024
"""A page larger than this is not a web page; it is rejected rather than read into memory."""

_BINARY_SNIFF = 8192
_BINARY_SHARE = 0.01
"""Share of control bytes above which a file is binary junk (text has nearly none)."""
# Every byte but the C0 controls that text does not use; bytes.translate deletes these to
# count control bytes at C speed.
_TEXT_BYTES = bytes(b for b in range(256) if (b >= 0x20 and b != 0x7F) or b in b"\t\n\r\f")
_UTF8_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True, slots=True)
class Page:
    """The text of one input page."""

    source: str
    text: str
    size: int
    """Size of the input in bytes."""
    key: str = ""
    """Sort key of the input (see :func:`classifieds.dedup.source_key`); stdin sorts first."""
    record: int = 0
    """Number of the page within its input (inputs holding several pages)."""
    first_line: int = 1
    """Line number, in the input, of the first line of ``text``."""


def iter_inputs(inputs: Iterable[str | Path]) -> Iterator[str]:
    """Return the input files to read, lazily, in a stable order: stdin first, then by path.

    Folders are walked recursively, their entries in name order, hidden files and folders
    (``.git``, ``.DS_Store``) skipped; a path given twice, or inside a folder also given, is
    read once. Nothing is listed up front, so a crawl of millions of files costs no memory.

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
    streams = [_walk(name) if Path(name).is_dir() else iter([name]) for name in kept]
    ordered = heapq.merge(*streams, key=source_key)
    return chain([STDIN], ordered) if STDIN in given else ordered


def discover(inputs: Iterable[str | Path]) -> list[str]:
    """Return the input files of :func:`iter_inputs` as a list."""
    return list(iter_inputs(inputs))


def _walk(folder: str) -> Iterator[str]:
    with os.scandir(folder) as scan:
        entries = sorted((e for e in scan if not e.name.startswith(".")), key=lambda e: e.name)
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            yield from _walk(entry.path)
        elif entry.is_file():
            yield entry.path


def read_page(source: str, *, widget_only: bool = False) -> Page | Reject:
    """Return the decoded page of an input, or a reject saying why it cannot be used.

    With ``widget_only``, only the text from the first line that may start a widget is
    decoded (``Page.first_line`` says where it starts): the article above it, most of a page,
    is never decoded. A page with no such line then has an empty text.
    """
    name = STDIN_SOURCE if source == STDIN else source
    try:
        data = _read_bytes(source)
    except OSError as error:
        return Reject.of(name, 0, "unreadable_file", f"{type(error).__name__}: {error}")
    if len(data) > MAX_PAGE_BYTES:
        return Reject.of(name, 0, "file_too_large", f"more than {MAX_PAGE_BYTES} bytes")
    if is_binary(data):
        return Reject.of(name, 0, "binary_file", repr(data[:60]))
    if not data.strip():
        return Reject.of(name, 0, "empty_file", f"{len(data)} bytes, no text")
    key = "" if source == STDIN else source_key(source)
    if not widget_only:
        return Page(name, decode_text(data), len(data), key)
    start = _widget_line_start(data)
    if start < 0:
        return Page(name, "", len(data), key)
    first_line = data.count(b"\n", 0, start) + 1
    return Page(name, decode_text(data[start:]), len(data), key, first_line=first_line)


def _widget_line_start(data: bytes) -> int:
    """Return the offset of the first line that may hold "Petites Annonces", or -1."""
    found = [at for at in (data.find(b"nnonces"), data.find(b"NNONCES")) if at >= 0]
    return data.rfind(b"\n", 0, min(found)) + 1 if found else -1


def read_pages(sources: Iterable[str]) -> Iterator[Page | Reject]:
    """Yield the page, or the reject, of each input in turn."""
    for source in sources:
        yield read_page(source)


def decode(data: bytes) -> str | None:
    """Return the text of a page's bytes, or None when they are binary, not text.

    >>> decode("Poêle à bois 1 800€".encode("cp1252"))
    'Poêle à bois 1 800€'
    >>> decode(b"\\x89PNG\\r\\n\\x1a\\n\\x00\\x00\\x00\\rIHDR") is None
    True
    """
    return None if is_binary(data) else decode_text(data)


def is_binary(data: bytes) -> bool:
    """Return whether bytes are binary junk: a NUL anywhere, or control bytes at the start.

    Like git, look at the first 8 KB only: text has no control bytes anywhere.
    """
    head = data[:_BINARY_SNIFF]
    return b"\x00" in data or len(head.translate(None, _TEXT_BYTES)) > len(head) * _BINARY_SHARE


def decode_text(data: bytes) -> str:
    """Return the text of bytes: UTF-8, or line by line Windows-1252 where it is not."""
    if data.startswith(_UTF8_BOM):
        data = data[len(_UTF8_BOM) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return "\n".join(_decode_line(line) for line in data.split(b"\n"))


def _decode_line(line: bytes) -> str:
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return line.decode("cp1252")
    except UnicodeDecodeError:  # the five bytes cp1252 leaves undefined
        return line.decode("latin-1")


def _read_bytes(source: str) -> bytes:
    """Return the bytes of an input, or of its first MAX_PAGE_BYTES + 1 when it is larger."""
    if source == STDIN:
        return sys.stdin.buffer.read(MAX_PAGE_BYTES + 1)
    with open(source, "rb") as file:
        # read(n) would allocate n bytes up front: ask the size first, pages are small.
        if os.fstat(file.fileno()).st_size > MAX_PAGE_BYTES:
            return file.read(MAX_PAGE_BYTES + 1)
        return file.read()
