"""WARC archives as crawlers and hand edits leave them: records without a target URI, blank
lines before the first record, a Content-Length that lies, errors of any kind from warcio.
Each becomes a reject (or a skip), the records around it are kept, and stderr stays quiet."""

from __future__ import annotations

import gzip
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
import zstandard
from conftest import DATA

from classifieds.models import Reject
from classifieds.parse.ads import parse_page
from classifieds.read import DEFAULT_JSONL_FIELDS, Page, Skipped, read_input, streams

BASIC = (DATA / "basic.txt").read_bytes()
HTTP_PAGE = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n" + BASIC


def record(
    number: int,
    block: bytes = HTTP_PAGE,
    *,
    kind: str = "response",
    uri: str | None = "https://x.fr/{number}",
    length: int | None = None,
) -> bytes:
    target = "" if uri is None else f"WARC-Target-URI: {uri.format(number=number)}\r\n"
    head = (
        f"WARC/1.0\r\nWARC-Type: {kind}\r\nWARC-Record-ID: <urn:uuid:{number}>\r\n{target}"
        "WARC-Date: 2024-03-01T12:00:00Z\r\n"
        "Content-Type: application/http; msgtype=response\r\n"
        f"Content-Length: {len(block) if length is None else length}\r\n\r\n"
    )
    return head.encode() + block + b"\r\n\r\n"


def read(path: Path, data: bytes) -> list[tuple[str, str, str]]:
    """What an archive gives: (record, kind, reason or URL) of each item."""
    path.write_bytes(data)
    found = []
    for item in read_input(str(path), DEFAULT_JSONL_FIELDS):
        where = item.source.rpartition("#")[2]
        if isinstance(item, Page):
            found.append((where, "page", item.url or ""))
        elif isinstance(item, Skipped):
            found.append((where, "skipped", item.kind))
        else:
            assert isinstance(item, Reject)
            found.append((where, "reject", item.reason))
    return found


def test_a_page_without_a_target_uri_is_kept_without_a_url(tmp_path: Path) -> None:
    data = record(1, uri=None) + record(2)
    assert read(tmp_path / "a.warc", data) == [("1", "page", ""), ("2", "page", "https://x.fr/2")]


@pytest.mark.parametrize(
    ("kind", "block"),
    [("revisit", b""), ("request", b"GET / HTTP/1.1\r\nHost: x.fr\r\n\r\n"), ("response", b"\0")],
)
def test_other_records_without_a_target_uri_are_skipped(
    tmp_path: Path, kind: str, block: bytes
) -> None:
    found = read(tmp_path / "a.warc", record(1, block, kind=kind, uri=None) + record(2))
    assert found[0][:2] == ("1", "skipped") and found[1:] == [("2", "page", "https://x.fr/2")]


@pytest.mark.parametrize("blank", [b"\n", b"\r\n\r\n", b" \t\r\n"])
@pytest.mark.parametrize("name", ["a.warc", "a.warc.gz", "no-suffix"])
def test_blank_lines_before_the_first_record_lose_nothing(
    tmp_path: Path, blank: bytes, name: str
) -> None:
    records = [record(1), record(2)]
    if name.endswith(".gz"):  # the blank lines in a gzip member of their own
        data = b"".join(gzip.compress(part) for part in [blank, *records])
    else:
        data = blank + b"".join(records)
    found = read(tmp_path / name, data)
    assert found == [("1", "page", "https://x.fr/1"), ("2", "page", "https://x.fr/2")]


@pytest.mark.parametrize("short", [10, 100, 400], ids=["a-line", "lines", "the-widget"])
@pytest.mark.parametrize("where", [0, 1, 2])
def test_a_content_length_too_short_is_a_reject_and_the_others_survive(
    tmp_path: Path, where: int, short: int, capfd: pytest.CaptureFixture[str]
) -> None:
    """What is left of the record is skipped up to the next record: warcio skipped one line,
    then read the next as a record's header, and lost the records after it."""
    records = [record(1), record(2), record(3)]
    records[where] = record(where + 1, length=len(HTTP_PAGE) - short)
    found = read(tmp_path / "a.warc", b"".join(records))
    assert [item for item in found if item[1] == "page"] == [
        (str(n), "page", f"https://x.fr/{n}") for n in (1, 2, 3)
    ]
    assert [item for item in found if item[1] == "reject"] == [
        (str(where + 1), "reject", "corrupt_file")
    ]
    assert capfd.readouterr().err == ""  # warcio's warning is the reject, not a message


JUNK = {
    "lines-of-junk": b"junk\r\nmore junk\r\n\r\n",
    "a-record-of-an-unknown-version": record(2).replace(b"WARC/1.0", b"WARC/2.0"),
}


@pytest.mark.parametrize("junk", JUNK.values(), ids=JUNK.keys())
def test_junk_between_records_is_skipped_to_the_next(tmp_path: Path, junk: bytes) -> None:
    found = read(tmp_path / "a.warc", record(1) + junk + record(3))
    assert found == [
        ("1", "page", "https://x.fr/1"),
        ("1", "reject", "corrupt_file"),
        ("2", "page", "https://x.fr/3"),
    ]


@pytest.mark.parametrize("gap", [b"", b"\r\n"], ids=["none", "one-line-break"])
def test_records_without_the_blank_lines_between_them_are_each_read(
    tmp_path: Path, gap: bytes
) -> None:
    """A writer that leaves out the two line breaks after a record: warcio took the next
    record's first line for junk, then failed on its second, and every record after was lost."""
    records = [record(n).removesuffix(b"\r\n\r\n") + gap for n in (1, 2, 3)]
    found = read(tmp_path / "a.warc", b"".join(records))
    assert found == [(str(n), "page", f"https://x.fr/{n}") for n in (1, 2, 3)]


LENGTHS = {"missing": None, "not-a-number": "abc", "negative": "-5", "decimal": "548.0"}


@pytest.mark.parametrize("length", LENGTHS.values(), ids=LENGTHS.keys())
@pytest.mark.parametrize("gzipped", [False, True], ids=["warc", "warc.gz"])
def test_a_record_without_a_content_length_ends_where_the_next_starts(
    tmp_path: Path, gzipped: bool, length: str | None
) -> None:
    """warcio reads a record without a Content-Length to the end of the archive (and one with
    a length that is no number as empty, then its page as junk): the records after it would
    be its page, their ads given its URL and date, or lost. Its page ends where the next
    record starts, a reject says it was cut so, and the records after it are read."""
    later = HTTP_PAGE.replace(b"Villevocance", b"Annonay")
    lengthless = record(2).replace(b"Content-Length: ", b"X-Length: ")
    if length is not None:
        lengthless = lengthless.replace(b"X-Length: ", f"Content-Length: {length}\r\nX: ".encode())
    records = [record(1), lengthless, record(3, later), record(4)]
    data = b"".join(records)
    name = "a.warc"
    if gzipped:
        data, name = gzip.compress(data), "a.warc.gz"
    (tmp_path / name).write_bytes(data)
    items = list(read_input(str(tmp_path / name), DEFAULT_JSONL_FIELDS))
    pages = [item for item in items if isinstance(item, Page)]
    assert [page.url for page in pages] == [f"https://x.fr/{n}" for n in (1, 2, 3, 4)]
    assert pages[1].text == pages[0].text and "Annonay" in pages[2].text
    (reject,) = [item for item in items if isinstance(item, Reject)]
    assert (reject.source.rpartition("#")[2], reject.reason) == ("2", "corrupt_file")
    assert "Content-Length" in reject.text and "next record" in reject.text


@pytest.mark.parametrize("gzipped", [False, True], ids=["one-stream", "gzip-per-record"])
def test_records_without_a_content_length_in_a_row_are_each_read(
    tmp_path: Path, gzipped: bool
) -> None:
    request = record(2, b"GET / HTTP/1.1\r\nHost: x.fr\r\n\r\n", kind="request")
    records = [
        record(1),
        request,
        record(3),
        record(4, _served(_chunked(gzip.compress(BASIC)), *CHUNKED)),
    ]
    records = [part.replace(b"Content-Length: ", b"X-Length: ") for part in records]
    if gzipped:
        records = [gzip.compress(part) for part in records]
    found = read(tmp_path / ("a.warc.gz" if gzipped else "a.warc"), b"".join(records))
    assert [item for item in found if item[1] != "reject"] == [
        ("1", "page", "https://x.fr/1"),
        ("2", "skipped", "request"),
        ("3", "page", "https://x.fr/3"),
        ("4", "page", "https://x.fr/4"),
    ]
    assert [item[0] for item in found if item[1] == "reject"] == ["1", "3", "4"]


def test_a_record_without_a_content_length_past_the_page_cap_is_too_large(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(streams, "MAX_PAGE_BYTES", 2 * len(HTTP_PAGE))
    huge = _served(BASIC * 10)
    lengthless = record(2, huge).replace(b"Content-Length: ", b"X-Length: ")
    found = read(tmp_path / "a.warc", record(1) + lengthless + record(3))
    assert found == [
        ("1", "page", "https://x.fr/1"),
        ("2", "reject", "corrupt_file"),
        ("2", "reject", "record_too_large"),
        ("3", "page", "https://x.fr/3"),
    ]


@pytest.mark.parametrize("where", ["HTTP", "WARC"])
def test_millions_of_header_lines_are_read_up_to_a_bound(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    """warcio keeps each header line as a tuple: 60 MB of ``X: y`` lines held 1.5 GB for
    34 s. Past the bound, the lines are the record's content, and the records after it are
    read."""
    from classifieds.read import warc

    monkeypatch.setattr(warc, "MAX_HEADER_LINES", 50)
    many = b"X: y\r\n" * 200
    if where == "HTTP":
        bomb = record(1, HTTP_PAGE.replace(b"\r\n\r\n", b"\r\n" + many + b"\r\n", 1))
    else:
        bomb = record(1).replace(b"WARC-Date", many + b"WARC-Date")
    found = read(tmp_path / "a.warc", bomb + record(2))
    assert ("1", "reject", "corrupt_file") in found and found[-1] == ("2", "page", "https://x.fr/2")
    if where == "HTTP":  # its page after the lines: its ads read all the same
        assert found[1] == ("1", "page", "https://x.fr/1")
    items = list(read_input(str(tmp_path / "a.warc"), DEFAULT_JSONL_FIELDS))
    assert f"more than 50 {where} header lines" in next(
        item.text for item in items if isinstance(item, Reject)
    )


def test_any_error_of_warcio_is_a_reject_not_a_crash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from warcio.recordloader import ArcWarcRecordLoader

    def broken(*args: object, **kwargs: object) -> None:
        raise TypeError("a bug of warcio's on odd bytes")

    monkeypatch.setattr(ArcWarcRecordLoader, "parse_record_stream", broken)
    (reject,) = read_input(str(_write(tmp_path / "a.warc", record(1))), DEFAULT_JSONL_FIELDS)
    assert isinstance(reject, Reject) and reject.reason == "corrupt_file"
    assert reject.source.endswith("a.warc#1") and "TypeError: a bug" in reject.text


def test_the_command_line_prints_nothing_of_warcio(tmp_path: Path) -> None:
    short = record(2, length=len(HTTP_PAGE) - 10)
    spaced = record(3, uri="https://x.fr/a page")
    crawl = _write(tmp_path / "crawl" / "a.warc", record(1) + short + spaced + record(4))
    done = subprocess.run(
        [sys.executable, "-m", "classifieds", "export", str(crawl), "-o", str(tmp_path / "d")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (done.returncode, done.stderr) == (0, "")  # nothing of warcio's
    assert done.stdout.startswith("3 listings from 12 sightings on 4 pages")


def _write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def _chunked(data: bytes) -> bytes:
    half = len(data) // 2
    parts = [data[:half], data[half:]]
    return b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in parts) + b"0\r\n\r\n"


def _served(body: bytes, *headers: str) -> bytes:
    head = "".join(f"{h}\r\n" for h in ("HTTP/1.1 200 OK", "Content-Type: text/plain", *headers))
    return head.encode() + b"\r\n" + body


_HALF = len(BASIC) // 2
CHUNKED = ("Content-Encoding: gzip", "Transfer-Encoding: chunked")
CODINGS = {
    "gzip": _served(gzip.compress(BASIC), "Content-Encoding: gzip"),
    "x-gzip": _served(gzip.compress(BASIC), "Content-Encoding: x-gzip"),
    "gzip-twice": _served(gzip.compress(gzip.compress(BASIC)), "Content-Encoding: gzip, gzip"),
    "gzip-without-a-header": _served(gzip.compress(BASIC)),
    "gzip-of-two-members": _served(
        gzip.compress(BASIC[:_HALF]) + gzip.compress(BASIC[_HALF:]), "Content-Encoding: gzip"
    ),
    "deflate": _served(zlib.compress(BASIC), "Content-Encoding: deflate"),
    "zstd": _served(zstandard.ZstdCompressor().compress(BASIC), "Content-Encoding: zstd"),
    "chunked-gzip": _served(
        _chunked(gzip.compress(BASIC)), "Content-Encoding: gzip", "Transfer-Encoding: chunked"
    ),
    # Transfer codings are case-insensitive, and gzip may be one (warcio reads "chunked" only).
    "chunked": _served(_chunked(BASIC), "Transfer-Encoding: chunked"),
    "Chunked": _served(_chunked(BASIC), "Transfer-Encoding: Chunked"),
    "CHUNKED-deflate": _served(
        _chunked(zlib.compress(BASIC)), "Content-Encoding: deflate", "Transfer-Encoding: CHUNKED"
    ),
    "gzip-then-chunked-transfer": _served(
        _chunked(gzip.compress(BASIC)), "Transfer-Encoding: gzip, chunked"
    ),
}


CODINGS |= {  # said compressed, or looking so, and not: read as they are
    "an-odd-coding-over-text": _served(BASIC, "Content-Encoding: UTF-8"),
    "br-over-text": _served(BASIC, "Content-Encoding: br"),
    "a-thousand-codings": _served(BASIC, "Content-Encoding: " + ", ".join(["x"] * 1000)),
}


@pytest.mark.parametrize("block", CODINGS.values(), ids=CODINGS.keys())
def test_a_compressed_body_is_read_whatever_its_header_says(tmp_path: Path, block: bytes) -> None:
    path = _write(tmp_path / "a.warc", record(1, block) + record(2))
    first, second = read_input(str(path), DEFAULT_JSONL_FIELDS)
    assert isinstance(first, Page) and isinstance(second, Page)
    assert parse_page(first.text) == parse_page(BASIC.decode())


@pytest.mark.parametrize(
    ("block", "text"),
    [
        (_served(bytes(range(256)) * 8, "Content-Encoding: br"), "Content-Encoding br"),
        (_served(gzip.compress(BASIC)[:-30], "Content-Encoding: gzip"), "a compressed body"),
    ],
    ids=["br-not-decoded", "gzip-cut-short"],
)
def test_a_body_that_cannot_be_decoded_is_a_reject_and_the_next_survives(
    tmp_path: Path, block: bytes, text: str
) -> None:
    path = _write(tmp_path / "a.warc", record(1, block) + record(2))
    reject, survivor = read_input(str(path), DEFAULT_JSONL_FIELDS)
    assert isinstance(reject, Reject) and reject.reason == "corrupt_file" and text in reject.text
    assert isinstance(survivor, Page) and survivor.url == "https://x.fr/2"


def test_a_text_body_that_starts_like_bzip2_is_text(tmp_path: Path) -> None:
    text = b"BZh91AY " + BASIC
    path = _write(tmp_path / "a.warc", record(1, _served(text)) + record(2))
    first, second = read_input(str(path), DEFAULT_JSONL_FIELDS)
    assert isinstance(first, Page) and first.text.startswith("BZh91AY")
    assert parse_page(first.text) == parse_page(BASIC.decode()) and isinstance(second, Page)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty_file"),
        (b"\r\n\n  \n", "empty_file"),
        (gzip.compress(b""), "empty_file"),
        (b"W", "corrupt_file"),
        (b"\x1f", "corrupt_file"),
        (b"WARC/1.0", "corrupt_file"),
    ],
    ids=["empty", "blank-lines", "empty-gzip", "one-letter", "one-byte", "a-first-line-cut"],
)
def test_an_archive_without_a_record_is_a_reject(tmp_path: Path, data: bytes, reason: str) -> None:
    """warcio reads these as an archive of no record: the input gave nothing, and said
    nothing."""
    ((_, kind, why),) = read(tmp_path / "crawl.warc", data)
    assert (kind, why) == ("reject", reason)
