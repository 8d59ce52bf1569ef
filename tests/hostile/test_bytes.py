"""Hostile bytes: damaged archives, bad encodings, cut records. The good pages around them
survive, and the damage becomes a reject with a reason."""

from __future__ import annotations

import bz2
import gzip
import io
import json
import lzma
import zlib
from collections.abc import Callable
from functools import partial
from itertools import pairwise
from pathlib import Path

import pytest
import zstandard
from conftest import html_page, page, write_warc
from warcio.warcwriter import WARCWriter

from classifieds.models import Reject
from classifieds.parse.ads import parse_page
from classifieds.read import Page, Skipped, read_input

BASIC = page("basic.txt")
GOOD = [(a.title, a.town, a.price_eur) for a in parse_page(BASIC)]
WIDGET = BASIC[BASIC.index("Petites Annonces") :]


def ads_of(text: str) -> list[tuple[str, str, float | None]]:
    return [(a.title, a.town, a.price_eur) for a in parse_page(text)]


def items(path: Path) -> list[Page | Reject | Skipped]:
    return list(read_input(str(path)))


def pages(found: list[Page | Reject | Skipped]) -> list[Page]:
    return [f for f in found if isinstance(f, Page)]


def rejects(found: list[Page | Reject | Skipped]) -> list[str]:
    return [f.reason for f in found if isinstance(f, Reject)]


# Each codec: how to compress, and an independent streaming decompressor of a prefix (the
# oracle of what can be recovered before the damage).
Codec = tuple[Callable[[bytes], bytes], Callable[[bytes], bytes]]
CODECS: dict[str, Codec] = {
    "gzip": (gzip.compress, lambda data: zlib.decompressobj(wbits=31).decompress(data)),
    "bz2": (
        partial(bz2.compress, compresslevel=1),
        lambda data: bz2.BZ2Decompressor().decompress(data),
    ),
    "xz": (lzma.compress, lambda data: lzma.LZMADecompressor().decompress(data)),
    "zstd": (
        lambda data: zstandard.ZstdCompressor().compress(data),
        lambda data: zstandard.ZstdDecompressor().decompressobj().decompress(data),
    ),
}


@pytest.mark.parametrize("cut", [0.3, 0.6, 0.95])
@pytest.mark.parametrize("codec", CODECS.values(), ids=CODECS.keys())
def test_a_truncated_archive_keeps_every_page_before_the_damage(
    tmp_path: Path, codec: Codec, cut: float
) -> None:
    compress, oracle = codec
    lines = b"".join(
        json.dumps({"text": BASIC, "url": f"https://x/{n}"}).encode() + b"\n" for n in range(2000)
    )
    data = compress(lines)
    prefix = data[: int(len(data) * cut)]
    path = tmp_path / "crawl.jsonl.bin"  # told by its bytes, not its name
    path.write_bytes(prefix)
    recoverable = oracle(prefix).count(b"\n")
    found = items(path.rename(tmp_path / "crawl.jsonl"))
    assert len(pages(found)) == recoverable > 0
    assert all(ads_of(text) == GOOD for text in {p.text for p in pages(found)})  # parsed once
    assert rejects(found)[-1] == "corrupt_file"  # not empty_file, not silence


@pytest.mark.parametrize("codec", CODECS.values(), ids=CODECS.keys())
def test_a_truncated_single_page_keeps_its_ads_before_the_cut(tmp_path: Path, codec: Codec) -> None:
    compress, _ = codec
    text = BASIC.encode() * 1000  # 3,000 ads, several bzip2 blocks
    path = tmp_path / "page.txt"
    path.write_bytes(compress(text)[:-30])
    found = items(path)
    assert rejects(found) == ["corrupt_file"]
    (kept,) = pages(found)
    assert len(ads_of(kept.text)) >= 3


def test_a_zstd_stream_cut_between_frames_is_whole(tmp_path: Path) -> None:
    compressor = zstandard.ZstdCompressor()
    path = tmp_path / "page.txt.zst"
    path.write_bytes(compressor.compress(BASIC.encode()) + compressor.compress(b"\n"))
    assert [type(f) for f in items(path)] == [Page]


def test_trailing_junk_after_a_gzip_member_is_damage(tmp_path: Path) -> None:
    path = tmp_path / "page.txt.gz"
    path.write_bytes(gzip.compress(BASIC.encode()) + b"\x1f\x8b junk")
    found = items(path)
    assert ads_of(pages(found)[0].text) == GOOD and rejects(found) == ["corrupt_file"]


@pytest.mark.parametrize("codec", ["gzip", "xz", "bz2"])
@pytest.mark.parametrize("padding", [4, 1024])
def test_nul_padding_between_or_after_members_is_skipped(
    tmp_path: Path, codec: str, padding: int
) -> None:
    """xz allows stream padding between streams; a copy from a tape or a block device ends a
    file in zeros, which gzip ignores. Both were corrupt_file, and the streams after lost."""
    compress = CODECS[codec][0]
    data = BASIC.encode()
    half = data.index(b"Automobile")
    zeros = b"\0" * padding
    path = tmp_path / f"page.txt.{'gz' if codec == 'gzip' else codec}"
    path.write_bytes(compress(data[:half]) + zeros + compress(data[half:]) + zeros)
    found = items(path)
    assert rejects(found) == [] and ads_of(pages(found)[0].text) == GOOD


def per_record_gzip_warc(path: Path, count: int) -> list[int]:
    """Write a WARC of ``count`` responses, one gzip member per record (as crawlers do);
    return the offset of each record."""
    offsets = []
    with open(path, "wb") as file:
        writer = WARCWriter(file, gzip=True)
        for n in range(count):
            offsets.append(file.tell())
            record = writer.create_warc_record(
                f"https://x/{n}",
                "resource",
                payload=io.BytesIO(BASIC.encode()),
                warc_content_type="text/plain",
            )
            writer.write_record(record)
    return offsets


def test_a_per_record_gzip_warc_cut_inside_a_record_keeps_the_records_before(
    tmp_path: Path,
) -> None:
    path = tmp_path / "crawl.warc.gz"
    offsets = per_record_gzip_warc(path, 5)
    data = path.read_bytes()
    path.write_bytes(data[: offsets[2] + (offsets[3] - offsets[2]) // 2])  # inside record 3
    found = items(path)
    assert [p.url for p in pages(found)] == ["https://x/0", "https://x/1"]
    assert all(ads_of(p.text) == GOOD for p in pages(found))
    assert "corrupt_file" in rejects(found)


def _flip(member: bytes, at: float) -> bytes:
    """Return a gzip member with a byte flipped ``at`` (a share of its length) inside."""
    damaged = bytearray(member)
    damaged[int(len(member) * at)] ^= 0xFF
    return bytes(damaged)


DAMAGES: dict[str, Callable[[bytes], bytes]] = {
    "bytes-flipped-in-the-middle": partial(_flip, at=0.5),
    "its-crc-wrong": lambda member: _flip(member, (len(member) - 6) / len(member)),
    "its-header-wrong": partial(_flip, at=0.0),
    "cut-in-half": lambda member: member[: len(member) // 2],
    "junk-before-it": lambda member: b"junk of a broken copy" + member,
}


@pytest.mark.parametrize("damage", DAMAGES.values(), ids=DAMAGES.keys())
def test_a_damaged_gzip_member_of_a_warc_loses_only_its_record(
    tmp_path: Path, damage: Callable[[bytes], bytes]
) -> None:
    """A WARC compressed a record per gzip member (as Common Crawl's) is read again from the
    next member that starts a record: the records after the damage keep their ads."""
    path = tmp_path / "crawl.warc.gz"
    offsets = [*per_record_gzip_warc(path, 5), path.stat().st_size]
    data = path.read_bytes()
    members = [data[start:end] for start, end in pairwise(offsets)]
    members[2] = damage(members[2])
    path.write_bytes(b"".join(members))
    found = items(path)
    kept = [(p.source.rpartition("#")[2], p.url) for p in pages(found)]
    after = [("4", "https://x/3"), ("5", "https://x/4")]
    if damage is DAMAGES["junk-before-it"]:  # its record whole, after the junk's number
        after = [("4", "https://x/2"), ("5", "https://x/3"), ("6", "https://x/4")]
    assert kept == [("1", "https://x/0"), ("2", "https://x/1"), *after]
    assert all(ads_of(p.text) == GOOD for p in pages(found))
    (reject,) = [f for f in found if isinstance(f, Reject)]
    assert (reject.source.rpartition("#")[2], reject.reason) == ("3", "corrupt_file")
    assert "gzip member" in reject.text


def test_a_damaged_record_longer_than_a_read_keeps_the_numbers_after_it(tmp_path: Path) -> None:
    writer_path = tmp_path / "big.warc.gz"
    per_record_gzip_warc(writer_path, 1)
    first = writer_path.read_bytes()
    big = io.BytesIO()
    WARCWriter(big, gzip=True).write_record(
        WARCWriter(big, gzip=True).create_warc_record(
            "https://x/big", "resource", payload=io.BytesIO(bytes(range(256)) * 4096)
        )
    )
    path = tmp_path / "crawl.warc.gz"
    path.write_bytes(first + _flip(big.getvalue(), 0.75) + first)
    found = [(f.source.rpartition("#")[2], type(f).__name__) for f in items(path)]
    assert found[0] == ("1", "Page") and found[-1] == ("3", "Page")
    assert {where for where, kind in found if kind == "Reject"} == {"2"}


def test_the_search_for_the_next_gzip_member_is_bounded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past damage, each place that looks like a gzip member is tried: a file of fake headers
    makes a bounded number of tries, then the rest is corrupt_file."""
    from classifieds.read import members

    tried = []
    probe = members._starts_with
    monkeypatch.setattr(members, "_MAX_PROBES", 1000)
    monkeypatch.setattr(members, "_starts_with", lambda *a: tried.append(1) or probe(*a))
    path = tmp_path / "crawl.warc.gz"
    per_record_gzip_warc(path, 1)
    fake = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\xff"
    path.write_bytes(path.read_bytes() + b"junk" + fake * 100_000 + gzip.compress(b"WARC/1.0"))
    found = items(path)
    assert len(pages(found)) == 1 and rejects(found) == ["corrupt_file"]
    assert len(tried) == 1000


def test_a_warc_record_longer_than_the_file_is_a_reject_not_the_next_page(
    tmp_path: Path,
) -> None:
    path = tmp_path / "crawl.warc"
    write_warc(
        path,
        [
            {"url": f"https://x/{n}", "body": BASIC.encode(), "content_type": "text/plain"}
            for n in (1, 2)
        ],
        compress=False,
    )
    data = path.read_bytes()
    last = data.rindex(b"Content-Length: ")
    end = data.index(b"\r\n", last)
    length = int(data[last + 16 : end])
    # The last record claims 10,000 bytes more than the file holds; ads follow it.
    forged = data[:last] + f"Content-Length: {length + 10_000}".encode() + data[end:]
    path.write_bytes(forged + WIDGET.encode())
    found = items(path)
    assert [p.url for p in pages(found)] == ["https://x/1"]
    assert "corrupt_file" in rejects(found)


def test_a_warc_resource_is_a_page_only_for_an_http_url_and_a_text_type(tmp_path: Path) -> None:
    path = tmp_path / "crawl.warc.gz"
    write_warc(
        path,
        [
            {
                "url": "https://x/a",
                "body": BASIC.encode(),
                "type": "resource",
                "content_type": "text/plain",
            },
            {
                "url": "file:///var/log/crawl.log",
                "body": BASIC.encode(),
                "type": "resource",
                "content_type": "text/plain",
            },
            {
                "url": "https://x/b",
                "body": b"{}",
                "type": "resource",
                "content_type": "application/json",
            },
        ],
    )
    found = items(path)
    assert [p.url for p in pages(found)] == ["https://x/a"]
    kinds = [f.kind for f in found if isinstance(f, Skipped)]
    assert kinds == ["warcinfo", "resource file", "application/json"]


def test_junk_after_a_good_warc_record_keeps_the_record(tmp_path: Path) -> None:
    path = tmp_path / "crawl.warc"
    write_warc(
        path,
        [{"url": "https://x/a", "body": BASIC.encode(), "content_type": "text/plain"}],
        compress=False,
    )
    path.write_bytes(path.read_bytes() + b"WARC/1.0\r\n" + b"x" * 100_000)
    found = items(path)
    assert [p.url for p in pages(found)] == ["https://x/a"]
    assert "corrupt_file" in rejects(found)


ENCODINGS = {
    "bad-byte-in-a-detail-line": WIDGET.replace("Villevocance", "Villevo\udcffcance").encode(
        "utf-8", "surrogateescape"
    ),
    "legacy-line-in-utf-8": WIDGET.encode().replace(
        b"Jullouville", "Jullouvill\xe9".encode("cp1252")
    ),
    "utf-16-le": "\ufeff".encode("utf-16-le") + WIDGET.encode("utf-16-le"),
    "utf-16-be": "\ufeff".encode("utf-16-be") + WIDGET.encode("utf-16-be"),
    "utf-32": WIDGET.encode("utf-32"),
    "stray-nul": WIDGET.encode().replace(b"Immobilier", b"Immobilier\x00"),
    "stray-controls": WIDGET.encode().replace(b"Poussette\n", b"Pous\x01sette\x1b\n"),
}


@pytest.mark.parametrize("data", ENCODINGS.values(), ids=ENCODINGS.keys())
def test_bad_or_unusual_bytes_lose_no_ad(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "page.txt"
    path.write_bytes(data)
    for widget_only in (False, True):
        (found,) = read_input(str(path), widget_only=widget_only)
        assert isinstance(found, Page)
        assert [ad[2] for ad in ads_of(found.text)] == [60000.0, 16200.0, 100.0]


def test_blank_lines_by_the_million_are_skipped_and_counted(tmp_path: Path) -> None:
    blank = b"\n" * 3_000_000
    data = blank + json.dumps({"text": BASIC}).encode() + b"\n" + blank
    path = tmp_path / "crawl.jsonl.zst"
    path.write_bytes(zstandard.ZstdCompressor().compress(data))
    (found,) = items(path)
    assert isinstance(found, Page) and found.source.endswith("#3000001")


@pytest.mark.parametrize("length", [10**19, 10**30])
def test_an_absurd_warc_content_length_is_a_reject(tmp_path: Path, length: int) -> None:
    path = tmp_path / "crawl.warc"
    write_warc(
        path,
        [{"url": "https://x/1", "body": BASIC.encode(), "content_type": "text/plain"}],
        compress=False,
    )
    data = path.read_bytes()
    last = data.rindex(b"Content-Length: ")
    end = data.index(b"\r\n", last)
    path.write_bytes(data[:last] + f"Content-Length: {length}".encode() + data[end:])
    assert "corrupt_file" in rejects(items(path))


NOT_TEXT_CHARSETS = ["base64", "hex", "zlib", "rot13", "uu", "quopri", "idna", "undefined"]
NOT_TEXT_CHARSETS += ["punycode", "unicode_escape", "no-such-charset", "utf\x00-8"]
NOT_TEXT_CHARSETS += ["utf-16", "utf-16le", "utf-32", "utf-7"]  # what the bytes cannot be


@pytest.mark.parametrize("charset", NOT_TEXT_CHARSETS)
@pytest.mark.parametrize("declared", ["meta", "http-header"])
def test_a_charset_that_names_no_text_encoding_is_ignored(
    tmp_path: Path, charset: str, declared: str
) -> None:
    """Python knows base64, idna... as codecs: a page that declares one is read as if it
    declared nothing (UTF-8, else Windows-1252), not a crash of the whole run."""
    text = page("cp1252.txt")
    if declared == "meta":
        path = tmp_path / "page.html"
        path.write_bytes(html_page(text, charset=charset).encode("cp1252"))
    else:
        path = tmp_path / "crawl.warc"
        body = html_page(text, charset="").encode("cp1252")
        write_warc(
            path,
            [{"url": "https://x/a", "body": body, "content_type": f"text/html; charset={charset}"}],
            compress=False,
        )
    (found,) = [item for item in read_input(str(path)) if not isinstance(item, Skipped)]
    assert isinstance(found, Page), found
    expected = [(a.title, a.town, a.price_eur) for a in parse_page(text)]
    assert [(a.title, a.town, a.price_eur) for a in parse_page(found.text)] == expected
