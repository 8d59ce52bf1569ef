"""Decode the bytes of a page: tell text from binary junk, and find its charset.

Bytes are decoded as UTF-8, falling back line by line to Windows-1252 (then Latin-1) so that
a page saved in a legacy encoding, or a UTF-8 page with a few legacy lines pasted in, reads
correctly; a charset the page declares (HTTP header, ``<meta charset>``) is used when the bytes
are not UTF-8.
"""

from __future__ import annotations

import codecs

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
