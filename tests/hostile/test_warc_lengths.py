"""WARC records whose Content-Length lies: too long (into the next record, over whole records,
past the end of the file), too short, in one stream or a gzip member per record. The page of
each record holds its own text and no other's, and the records after a bad one are each read."""

from __future__ import annotations

import gzip
import time
from pathlib import Path

import pytest
from test_warc import BASIC, HTTP_PAGE, record

from classifieds.models import Reject
from classifieds.read import DEFAULT_JSONL_FIELDS, Page, read_input, streams

TOWNS = ("Villevocance", "Annonay", "Tournon", "Privas", "Aubenas", "Lamastre")
PAST = "its Content-Length runs past the start of the next record"


def block(number: int) -> bytes:
    """The HTTP block of record ``number``: a page of its own (its ads in its own town)."""
    return HTTP_PAGE.replace(b"Villevocance", TOWNS[number].encode())


def archive(lengths: dict[int, int], count: int = 4, *, gzipped: bool = False) -> bytes:
    """Records 1 to ``count``, the Content-Length of some made longer by ``lengths[n]`` bytes."""
    parts = [
        record(n, block(n), length=len(block(n)) + lengths[n] if n in lengths else None)
        for n in range(1, count + 1)
    ]
    return b"".join(gzip.compress(part) for part in parts) if gzipped else b"".join(parts)


def items(path: Path, data: bytes) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """The text of each page by its URL, and the (record, text) of each reject."""
    path.write_bytes(data)
    pages: dict[str, str] = {}
    rejects = []
    for item in read_input(str(path), DEFAULT_JSONL_FIELDS):
        if isinstance(item, Page):
            assert item.url not in pages, "a record read twice"
            pages[item.url or ""] = item.text.rstrip()  # blank lines claimed: no matter
        else:
            assert isinstance(item, Reject) and item.reason == "corrupt_file"
            rejects.append((item.source.rpartition("#")[2], item.text))
    return pages, rejects


def own_texts(tmp_path: Path, count: int = 4) -> dict[str, str]:
    pages, rejects = items(tmp_path / "clean.warc", archive({}, count))
    assert rejects == []
    return pages


RECORD = len(record(3, block(3)))  # a record's size, the blank lines after it included
TOO_LONG = {  # (records, bytes) too long: that many of the records after it, and bytes more
    "into-the-separator": (0, 3),
    "to-the-next-first-line": (0, 6),
    "mid-the-next-first-line": (0, 10),
    "mid-the-next-headers": (0, 100),
    "mid-the-next-page": (1, -100),
    "the-next-record-but-its-last-line-break": (1, -5),
    "the-next-record-exactly": (1, -4),
    "the-next-record-and-its-blank-lines": (1, 0),
    "two-records-and-a-half": (2, RECORD // 2),
    "past-the-end-of-the-file": (0, 10**9),
}


@pytest.mark.parametrize("gzipped", [False, True], ids=["warc", "gzip-per-record"])
@pytest.mark.parametrize("bad", [1, 2])
@pytest.mark.parametrize("extra", TOO_LONG.values(), ids=TOO_LONG.keys())
def test_a_content_length_too_long_gives_no_page_another_records_bytes(
    tmp_path: Path, extra: tuple[int, int], bad: int, gzipped: bool
) -> None:
    """The bad record's page ends where the next record starts, a reject says so, and every
    record after it is read: the next record's page was in the bad one's (its ads under the
    bad one's URL and date), or lost, and so were those it ran over."""
    name = "a.warc.gz" if gzipped else "a.warc"
    count, more = extra
    after = sum(len(record(n, block(n))) for n in range(bad + 1, bad + 1 + count))
    pages, rejects = items(tmp_path / name, archive({bad: after + more}, gzipped=gzipped))
    assert pages == own_texts(tmp_path)
    if extra == TOO_LONG["into-the-separator"]:  # blank lines claimed: its page is whole
        assert rejects == []
    else:
        assert rejects == [(str(bad), f"{PAST}: its page is read up to it")]


def test_lengths_too_long_in_a_row_are_each_read(tmp_path: Path) -> None:
    data = archive({1: 2 * RECORD, 2: RECORD - 4, 3: 10**6}, count=5)
    pages, rejects = items(tmp_path / "a.warc", data)
    assert pages == own_texts(tmp_path, 5)
    assert [where for where, _ in rejects] == ["1", "2", "3"]


QUOTED = (
    b"WARC/1.0\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:q>\r\n"
    b"Content-Length: 20\r\n\r\n" + b"x" * 20 + b"\r\n\r\n"
)
QUOTES = {  # a page, and what of the record it quotes it holds
    "mid-page": (HTTP_PAGE.replace(b"Petites", QUOTED + b"Petites", 1), "<urn:uuid:q>"),
    "at-its-end-then-text": (HTTP_PAGE + b"\r\n\r\n" + QUOTED + b"Fin\r\n", "<urn:uuid:q>"),
    "a-first-line-alone": (HTTP_PAGE + b"\r\nWARC/1.0\r\nnot a header\r\n", "not a header"),
}


@pytest.mark.parametrize("last", [False, True], ids=["then-a-record", "last-in-the-file"])
@pytest.mark.parametrize(("page", "quoted"), QUOTES.values(), ids=QUOTES.keys())
def test_a_record_quoted_in_a_page_of_the_right_length_is_its_text(
    tmp_path: Path, page: bytes, quoted: str, last: bool
) -> None:
    """A record starting inside another is no proof its length is wrong: when the bytes after
    that length end a record, the page is kept whole."""
    data = record(1, page) + (b"" if last else record(2))
    pages, rejects = items(tmp_path / "a.warc", data)
    assert rejects == [] and len(pages) == (1 if last else 2)
    assert quoted in pages["https://x.fr/1"] and "Petites Annonces" in pages["https://x.fr/1"]


@pytest.mark.parametrize("gzipped", [False, True], ids=["warc", "gzip-per-record"])
@pytest.mark.parametrize("short", [10, 400], ids=["a-line", "the-widget"])
def test_a_content_length_too_short_loses_no_other_record(
    tmp_path: Path, short: int, gzipped: bool
) -> None:
    """The rest of the record, read as junk before the next, is skipped, never the next's."""
    name = "a.warc.gz" if gzipped else "a.warc"
    pages, rejects = items(tmp_path / name, archive({2: -short}, gzipped=gzipped))
    clean = own_texts(tmp_path)
    assert list(pages) == list(clean) and pages["https://x.fr/3"] == clean["https://x.fr/3"]
    assert clean["https://x.fr/2"].startswith(pages["https://x.fr/2"].rstrip())
    assert [where for where, _ in rejects] == ["2"]


def test_a_length_too_long_past_the_page_cap_reads_the_records_inside_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the length claims past the page cap (held in a temporary file) is read again."""
    monkeypatch.setattr(streams, "MAX_PAGE_BYTES", 2 * RECORD)
    pages, rejects = items(tmp_path / "a.warc", archive({1: 3 * RECORD - 4}, count=5))
    assert pages == own_texts(tmp_path, 5)
    assert rejects == [("1", f"{PAST}: its page is read up to it")]


def test_records_that_each_claim_the_rest_of_the_archive_are_read_in_linear_time(
    tmp_path: Path,
) -> None:
    """Each would read again all the records after it (quadratic): past a bound on the bytes
    read again, such a record is a reject, and what it claims is lost, not read again."""
    page = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n" + BASIC[:200]
    count = 20_000
    data = b"".join(record(n, page, length=10**9) for n in range(count))
    started = time.perf_counter()
    pages, rejects = items(tmp_path / "a.warc", data)
    assert time.perf_counter() - started < 10  # 2,000 s were it read again record by record
    assert 0 < len(pages) < count and all(text in BASIC.decode() for text in pages.values())
    assert "not read" in rejects[-1][1]
