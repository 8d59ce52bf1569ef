"""Read the pages of one input, whatever its format: a text or HTML page, WARC, JSON Lines.

The one reading path: an input's bytes are opened (:mod:`.streams`), their format told from
the name or the first bytes, and each format's reader (:mod:`.warc`, :mod:`.jsonl`, or a single
page here) decodes its pages (:mod:`.pages`, :mod:`.decode`, :mod:`.html`).
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import IO, Literal

from classifieds.models import Reject
from classifieds.read import streams
from classifieds.read.html import looks_like_html
from classifieds.read.jsonl import DEFAULT_JSONL_FIELDS, JsonlFields, jsonl_pages
from classifieds.read.names import STDIN, input_key, source_name
from classifieds.read.pages import Origin, Page, Skipped, page_of_bytes
from classifieds.read.remote import NO_OPTIONS, Hashed, StorageOptions, is_url
from classifieds.read.warc import SNIFF_BYTES, warc_pages

Format = Literal["text", "html", "warc", "jsonl"]
FORMAT_OF_SUFFIX: Mapping[str, Format] = MappingProxyType(
    {
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
)
"""Known input formats, by file suffix once compression suffixes are set aside."""
COMPRESSION_SUFFIXES = frozenset({".gz", ".bz2", ".xz", ".zst", ".zstd"})
# A suffix names a file type when it is short and has a letter (.pdf, .mp4, .docx), unlike a
# date or a hash after a dot.
_FILE_TYPE_SUFFIX = re.compile(r"\.(?=[0-9]*[a-z])[a-z0-9]{1,5}")
WARC_LINE_SLACK = 1 << 20
"""A WARC stream ends in ``corrupt_file`` after a page's size and this many bytes more without
a line break: warcio copies a line over and over as it grows."""


@dataclass
class InputFacts:
    """What reading an input learns of the file itself: its size and content hash."""

    size: int = 0
    sha256: str = ""
    """Hex sha256 of the input's bytes as stored (compressed or not); empty for stdin."""


def read_input(
    source: str,
    fields: JsonlFields = DEFAULT_JSONL_FIELDS,
    *,
    widget_only: bool = False,
    facts: InputFacts | None = None,
    given: str | None = None,
    storage_options: StorageOptions = NO_OPTIONS,
) -> Iterator[Page | Reject | Skipped]:
    """Yield the pages of an input in order, with a reject for each that cannot be used.

    With ``widget_only``, a text page (not HTML) is decoded only from the first line that may
    start a widget (``Page.first_line`` says where): the article above it, most of a page, is
    never decoded, and a page without such a line has an empty text. ``facts``, when given, is
    filled with the input's size and sha256 once it has been read. ``given`` is the name the
    input was given when ``source`` is another path to it (a Dask worker opens it from its
    absolute path): its pages and rejects are named, and sorted, by that name. A URL is
    streamed through fsspec with ``storage_options``, its size and hash taken as it is read.
    """
    given = source if given is None else given
    name = source_name(given)
    origin = Origin(name, input_key(given))
    if is_url(source):
        yield from _read_url(source, origin, fields, widget_only, facts, storage_options)
        return
    known = "text" if source == STDIN else format_of_name(source)
    try:
        data = streams.small_plain_file(source) if known == "text" else None
        if data is not None:
            if facts is not None:
                facts.size, facts.sha256 = len(data), hashlib.sha256(data).hexdigest()
            if _sniff(data[:SNIFF_BYTES]) == "text":
                # Most crawls are many small text pages: one read, no stream machinery.
                yield page_of_bytes(origin, data, html=False, widget_only=widget_only)
                return
        elif facts is not None and streams.is_regular(source):  # a FIFO is read only once
            facts.size, facts.sha256 = streams.file_facts(source)
        if known is None:
            yield Reject.of(name, 0, "unknown_format", _unknown_format_text(given))
            return
        with streams.open_input(source) as stream:
            yield from _read_stream(stream, known, origin, fields, widget_only)
    except streams.DecompressionLimit as error:
        yield Reject.of(name, 0, "decompression_limit", str(error))
    except streams.CorruptInput as error:
        yield Reject.of(name, 0, "corrupt_file", str(error))
    except OSError as error:
        yield Reject.of(name, 0, "unreadable_file", _unreadable_text(source, given, error))


def _read_url(
    url: str,
    origin: Origin,
    fields: JsonlFields,
    widget_only: bool,
    facts: InputFacts | None,
    options: StorageOptions,
) -> Iterator[Page | Reject | Skipped]:
    """Yield the pages of an object of a store, read as one stream (never whole)."""
    name = origin.source
    known = format_of_name(url.split("?", 1)[0])
    if known is None:
        yield Reject.of(name, 0, "unknown_format", _unknown_format_text(name))
        return
    hashed = Hashed()
    try:
        with streams.open_input(url, options, hashed) as stream:
            yield from _read_stream(stream, known, origin, fields, widget_only)
            streams.drain(stream)
    except streams.DecompressionLimit as error:
        yield Reject.of(name, 0, "decompression_limit", str(error))
    except streams.CorruptInput as error:
        yield Reject.of(name, 0, "corrupt_file", str(error))
    except OSError as error:
        yield Reject.of(name, 0, "unreadable_file", f"{type(error).__name__}: {error}")
    finally:
        if facts is not None:  # the hash of an object read whole only
            facts.size = hashed.size
            facts.sha256 = hashed.digest.hexdigest() if hashed.whole else ""


def _read_stream(
    stream: IO[bytes], known: Format, origin: Origin, fields: JsonlFields, widget_only: bool
) -> Iterator[Page | Reject | Skipped]:
    """Yield the pages of an opened input, then raise the damage its stream ended on."""
    head = streams.peek(stream, SNIFF_BYTES)
    form = _sniff(head) if known == "text" else known
    if form == "warc":
        # A WARC's header lines are short, its pages at most MAX_PAGE_BYTES.
        stream = streams.line_guarded(stream, streams.MAX_PAGE_BYTES + WARC_LINE_SLACK)
        yield from warc_pages(stream, origin, widget_only)
    elif form == "jsonl":
        yield from jsonl_pages(stream, origin, fields)
    else:
        page = _single_page(stream, origin, html=form == "html", widget_only=widget_only)
        if not (_is_empty(page) and streams.failure(stream)):
            yield page
    damage = streams.failure(stream)
    if damage is not None:
        raise damage  # the pages before it are kept, then it is told


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


def _sniff(head: bytes) -> str:
    start = head.lstrip()
    if start.startswith(b"WARC/"):
        return "warc"
    if start.startswith(b'{"'):
        return "jsonl"
    return "html" if looks_like_html(head) else "text"


def _single_page(
    stream: IO[bytes], origin: Origin, *, html: bool, widget_only: bool
) -> Page | Reject:
    data = streams.read_at_most(stream, streams.MAX_PAGE_BYTES + 1)
    if len(data) > streams.MAX_PAGE_BYTES:
        limit = streams.MAX_PAGE_BYTES
        return Reject.of(origin.source, 0, "file_too_large", f"more than {limit} bytes")
    return page_of_bytes(origin, data, html=html, widget_only=widget_only)


def _is_empty(page: Page | Reject) -> bool:
    """Return whether a page is empty: a stream that ended at damage says so better."""
    return isinstance(page, Reject) and page.reason == "empty_file"


def _unreadable_text(source: str, given: str, error: OSError) -> str:
    """Return why an input cannot be read, quoting it by the name it was given."""
    if isinstance(error, IsADirectoryError):  # a folder the walk could not list
        try:
            os.listdir(source)
        except OSError as listing:
            error = listing
    if error.filename == source:
        error.filename = given
    return f"{type(error).__name__}: {error}"


def _unknown_format_text(source: str) -> str:
    return (
        f"{source}: not a page, WARC archive or JSON Lines file by its name (known: .txt, .html,"
        " .htm, .warc, .wet, .jsonl, .json, no suffix; each also .gz, .bz2, .xz or .zst);"
        " leave it out with --exclude, or rename it"
    )
