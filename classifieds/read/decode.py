"""Decode the bytes of a page: tell text from binary junk, and find its charset.

Bytes are decoded as UTF-8, each byte that is not part of a UTF-8 character falling back to
Windows-1252 (then Latin-1), so that a page saved in a legacy encoding, or a UTF-8 page with a
few legacy bytes pasted in, reads correctly; a charset the page declares (HTTP header,
``<meta charset>``) is used when the bytes are not UTF-8. A page that starts with a UTF-16 or
UTF-32 byte order mark is decoded so. Control bytes that text never holds (NUL...) are dropped.
"""

from __future__ import annotations

import codecs
import re

_BINARY_SHARE = 0.01
"""Share of control bytes above which a file is binary junk (text has nearly none)."""
_BINARY_MIN_CONTROLS = 4
"""A few stray control bytes in a short text page do not make it binary."""
# The C0 controls (and DEL) that text does not use, and every other byte: bytes.translate
# deletes either set at C speed, to drop control bytes or to count them.
CONTROL_BYTES = bytes(b for b in range(256) if (b < 0x20 or b == 0x7F) and b not in b"\t\n\r\f")
TEXT_BYTES = bytes(b for b in range(256) if b not in CONTROL_BYTES)
_UTF8_BOM = b"\xef\xbb\xbf"
# UTF-32 first: its little-endian mark starts like UTF-16's.
_WIDE_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
# Bytes that are not UTF-8, as decoding with "surrogateescape" leaves them (U+DC80-U+DCFF).
_ESCAPED_BYTES = re.compile("[\udc80-\udcff]+")
# Each byte from 0x80 as Windows-1252 reads it, Latin-1 for the five it leaves undefined.
_LEGACY = "".join(
    bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in range(0x80, 0x100)
)
# The HTML standard reads these labels as Windows-1252, a superset of what they name.
_ANY_BYTES = bytes(range(256))
_ESCAPE_CODECS = frozenset({"unicode-escape", "raw-unicode-escape"})  # they rewrite "\\u00e9"
# Declarations that say nothing: UTF-8 is tried first anyway (bytes that are not UTF-8 then
# read as Windows-1252 where they are not); a page declaring UTF-16 or UTF-32 in ASCII bytes
# is not one (its BOM would say so; the HTML standard reads it as UTF-8); no browser decodes
# UTF-7.
_IGNORED_CHARSETS = frozenset(
    {"utf-8", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be", "utf-7"}
)
_WINDOWS_1252_LABELS = frozenset(
    {"ascii", "us-ascii", "iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "cp819"}
)


def decode(data: bytes, charset: str | None = None) -> str | None:
    """Return the text of a page's bytes, or None when they are binary, not text.

    >>> decode("Poêle à bois 1 800€".encode("cp1252"))
    'Poêle à bois 1 800€'
    >>> decode("Poêle 1 800 €".encode("iso-8859-15"), "ISO-8859-15")
    'Poêle 1 800 €'
    >>> decode(b"\\x89PNG\\r\\n\\x1a\\n\\x00\\x00\\x00\\rIHDR\\x00\\x00\\x02\\x80") is None
    True
    """
    return None if is_binary(data) else decode_text(data, charset)


def is_binary(data: bytes) -> bool:
    """Return whether bytes are binary junk: more than 1% of control bytes (NUL...).

    Text has none, binary formats have about one byte in ten; a stray one in a text page
    does not make it binary. UTF-16 and UTF-32 text (with its byte order mark) is text.

    >>> is_binary(b"Petites Annonces\\x00\\nStudio Caen (14000) 450 \\x80 D\\xe9couvrir\\n")
    False
    >>> is_binary("Petites Annonces".encode("utf-16")), is_binary(bytes(range(256)))
    (False, True)
    """
    if wide_codec(data) is not None:
        return False
    controls = len(data.translate(None, TEXT_BYTES))
    return controls > _BINARY_MIN_CONTROLS and controls > len(data) * _BINARY_SHARE


def wide_codec(data: bytes) -> str | None:
    """Return the codec of bytes that start with a UTF-16 or UTF-32 byte order mark."""
    return next((codec for bom, codec in _WIDE_BOMS if data.startswith(bom)), None)


def decode_text(data: bytes, charset: str | None = None) -> str:
    """Return the text of bytes: UTF-8, else the declared ``charset``, else Windows-1252.

    Bytes that are valid UTF-8 are UTF-8, whatever the page declares (the other way round is
    all but impossible for French text). Others are decoded with the declared ``charset``
    when Python knows it, else as UTF-8 where they are and Windows-1252 where they are not.
    A UTF-16 or UTF-32 byte order mark says the codec. Control bytes are dropped.

    >>> decode_text("Vélo Découvrir".encode() + b" \\xff caf\\xe9 D\\xe9couvrir\\x00")
    'Vélo Découvrir ÿ café Découvrir'
    """
    wide = wide_codec(data)
    if wide is not None:
        text = data.decode(wide, errors="replace").removeprefix("\ufeff")
        return text.encode("utf-8", "replace").translate(None, CONTROL_BYTES).decode("utf-8")
    if data.startswith(_UTF8_BOM):
        data = data[len(_UTF8_BOM) :]
    data = data.translate(None, CONTROL_BYTES)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    codec = codec_of(charset) if charset else None
    if codec is not None:
        return data.decode(codec, errors="replace")
    return _ESCAPED_BYTES.sub(_legacy, data.decode("utf-8", "surrogateescape"))


def clean_text(text: str) -> str:
    """Return text as a page's bytes decode: lone surrogates (valid in JSON, not in UTF-8)
    replaced, and the control characters that text never holds (NUL...) dropped.

    >>> clean_text("Immo\\x00bilier \\ud800"), clean_text("Caen\\t(14000)")
    ('Immobilier \ufffd\ufffd\ufffd', 'Caen\\t(14000)')
    """
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:
        data = text.encode("utf-8", "surrogatepass")
    else:
        if not data.translate(None, TEXT_BYTES):  # in UTF-8 a control is its own byte
            return text
    return data.translate(None, CONTROL_BYTES).decode("utf-8", "replace")


def widget_line_start(data: bytes) -> int:
    """Return the offset of the first line that may hold "Petites Annonces", or -1."""
    at = data.find(b"nnonces")
    upper = data.find(b"NNONCES", 0, len(data) if at < 0 else at)  # only an earlier one counts
    at = at if upper < 0 else upper
    return data.rfind(b"\n", 0, at) + 1 if at >= 0 else -1


def codec_of(charset: str) -> str | None:
    """Return Python's codec for a declared charset label; None when unknown, or when it is no
    charset of text: Python also knows ``base64``, ``zlib``, ``rot13``, ``idna``, ``undefined``,
    which a page may declare and which cannot decode it.

    >>> codec_of("ISO-8859-1"), codec_of("Windows-1252"), codec_of("latin9"), codec_of("x")
    ('cp1252', 'cp1252', 'iso8859-15', None)
    >>> codec_of("base64"), codec_of("idna"), codec_of("unicode_escape"), codec_of("koi8-r")
    (None, None, None, 'koi8-r')
    >>> codec_of("utf-16"), codec_of("UTF-7"), codec_of("utf" + chr(0) + "-8")
    (None, None, None)
    """
    label = charset.strip().strip("\"'").lower()
    if label in _WINDOWS_1252_LABELS:
        return "cp1252"
    try:
        name = codecs.lookup(label).name
        if name in _ESCAPE_CODECS:
            return None
        _ANY_BYTES.decode(name, errors="replace")  # a text codec decodes any bytes so
    except (LookupError, UnicodeError, ValueError):  # none; of bytes (base64), names (idna)
        return None
    return None if name in _IGNORED_CHARSETS else name


def _legacy(escaped: re.Match[str]) -> str:
    """Return a run of bytes that are not UTF-8 (escaped as surrogates) as Windows-1252."""
    return "".join(_LEGACY[ord(char) - 0xDC80] for char in escaped.group())
