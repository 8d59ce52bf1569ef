"""Hostile inputs, file by file: what a crafted header or field would make a run hold, take
or lose. Each ends in a reject with a reason, or in the page read."""

from __future__ import annotations

import gzip
import json
import lzma
import struct
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
import zstandard
from conftest import page

from classifieds.models import Reject
from classifieds.parse import ads
from classifieds.parse.ads import parse_page
from classifieds.read import Page, read_input

BASIC = page("basic.txt")
PRICES = [a.price_eur for a in parse_page(BASIC)]


def _varint(data: bytes, at: int) -> int:
    """Return where the xz variable-length integer at ``at`` ends."""
    while data[at] & 0x80:
        at += 1
    return at + 1


def xz_declaring(content: bytes, dictionary_code: int) -> bytes:
    """Return content as xz whose block header declares a dictionary of another size (code
    40 is 4 GiB), its checksum right: the size a decoder allocates and fills as it writes."""
    data = bytearray(lzma.compress(content, filters=[{"id": lzma.FILTER_LZMA2, "preset": 0}]))
    header = 12  # the block header follows the 12-byte stream header
    size, flags = (data[header] + 1) * 4, data[header + 1]
    at = header + 2
    for flag in (0x40, 0x80):  # compressed and uncompressed sizes, when written
        at = _varint(data, at) if flags & flag else at
    at = _varint(data, _varint(data, at))  # the filter's id and its properties' size
    data[at] = dictionary_code
    data[header + size - 4 : header + size] = struct.pack(
        "<I", zlib.crc32(data[header : header + size - 4])
    )
    return bytes(data)


def zstd_windowed(content: bytes, window_log: int) -> bytes:
    params = zstandard.ZstdCompressionParameters(
        window_log=window_log, compression_level=1, write_content_size=False
    )
    compressor = zstandard.ZstdCompressor(compression_params=params).compressobj()
    return compressor.compress(content) + compressor.flush()


BIG_WINDOWS = {
    "xz-3-GiB-dictionary": xz_declaring(BASIC.encode(), 39),
    "xz-4-GiB-dictionary": xz_declaring(BASIC.encode(), 40),
    "zstd-1-GiB-window": zstd_windowed(BASIC.encode(), 30),
}


@pytest.mark.parametrize("data", BIG_WINDOWS.values(), ids=BIG_WINDOWS.keys())
def test_a_compressed_header_asking_for_gigabytes_of_memory_is_refused(
    tmp_path: Path, data: bytes
) -> None:
    """The decoder would fill a declared dictionary as it writes: 230 KB of xz held 1.6 GB."""
    path = tmp_path / "crawl.jsonl.xz"
    path.write_bytes(data)
    (found,) = read_input(str(path))
    assert isinstance(found, Reject) and found.reason == "corrupt_file", found


def test_xz_at_its_strongest_preset_is_read(tmp_path: Path) -> None:
    path = tmp_path / "page.txt.xz"
    path.write_bytes(lzma.compress(BASIC.encode(), preset=9 | lzma.PRESET_EXTREME))
    (found,) = read_input(str(path))
    assert isinstance(found, Page)
    assert [a.price_eur for a in parse_page(found.text)] == PRICES


HUGE = "9" * 5000
ODD_RECORDS = {
    "a-huge-integer-beside-the-page": f'{{"text": {json.dumps(BASIC)}, "id": {HUGE}}}',
    "a-huge-integer-in-a-list": f'{{"text": {json.dumps(BASIC)}, "ids": [1, -{HUGE}]}}',
    "a-huge-integer-date": f'{{"text": {json.dumps(BASIC)}, "fetched_at": {HUGE}}}',
    "a-huge-float": f'{{"text": {json.dumps(BASIC)}, "score": 1e99999, "n": -0.{HUGE}}}',
}


@pytest.mark.parametrize("line", ODD_RECORDS.values(), ids=ODD_RECORDS.keys())
def test_valid_json_with_huge_numbers_keeps_its_page(tmp_path: Path, line: str) -> None:
    """Python refuses to turn 4,300 digits into an int; the JSON is valid and its page read."""
    path = tmp_path / "crawl.jsonl"
    path.write_text(line + "\n")
    found = list(read_input(str(path)))
    (kept,) = [f for f in found if isinstance(f, Page)]
    assert [a.price_eur for a in parse_page(kept.text)] == PRICES
    assert {f.reason for f in found if isinstance(f, Reject)} <= {"bad_date"}


def test_a_json_array_of_a_record_a_line_is_read_as_json_lines(tmp_path: Path) -> None:
    """Scrapy's ``-o pages.json``: ``[``, a record and a comma a line, ``]``. Every page of
    it was a bad_json reject."""
    records = [json.dumps({"text": BASIC, "url": f"https://x/{n}"}) for n in range(3)]
    path = tmp_path / "pages.json"
    path.write_text("[\n" + ",\r\n".join(records) + "\n]")
    found = list(read_input(str(path)))
    assert [(f.source.rpartition("#")[2], f.url) for f in found if isinstance(f, Page)] == [
        ("2", "https://x/0"),
        ("3", "https://x/1"),
        ("4", "https://x/2"),
    ]
    assert not [f for f in found if isinstance(f, Reject)]


NESTED = {
    "gzip-in-gzip": lambda data: gzip.compress(gzip.compress(data)),
    "xz-in-zstd": lambda data: zstandard.ZstdCompressor().compress(lzma.compress(data)),
    "gzip-thrice": lambda data: gzip.compress(gzip.compress(gzip.compress(data))),
}


@pytest.mark.parametrize("compress", NESTED.values(), ids=NESTED.keys())
def test_a_compressed_file_compressed_again_is_read(
    tmp_path: Path, compress: Callable[[bytes], bytes]
) -> None:
    """``page.txt.gz.gz``, as its name says: it was a binary_file reject."""
    path = tmp_path / "page.txt.gz.gz"
    path.write_bytes(compress(BASIC.encode()))
    (found,) = read_input(str(path))
    assert isinstance(found, Page), found
    assert [a.price_eur for a in parse_page(found.text)] == PRICES


def test_a_fourth_compression_is_not_undone(tmp_path: Path) -> None:
    path = tmp_path / "page.txt.gz"
    path.write_bytes(gzip.compress(gzip.compress(gzip.compress(gzip.compress(b"x")))))
    (found,) = read_input(str(path))
    assert isinstance(found, Reject) and found.reason == "binary_file"


def _many_ads(count: int, *, stray_every: int = 0) -> str:
    lines = ["Article.", "", "Petites Annonces", "Immobilier"]
    for i in range(count):
        if stray_every and i % stray_every == 0:
            lines.append(f"stray line {i} Caen (14000) Découvrir")  # a reject, scanned
        lines += [f"Maison {i}", f"Maison {i} Caen (14000) {100_000 + i}€ Découvrir"]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("stray_every", [0, 3], ids=["one-widget", "scanned-with-rejects"])
def test_a_page_of_more_ads_than_any_widget_is_read_up_to_a_bound(
    monkeypatch: pytest.MonkeyPatch, stray_every: int
) -> None:
    """Each ad and reject of a page is held until the page is written: a 64 MiB page of ad
    lines would take gigabytes. Past the bound the page ends in one reject that says so."""
    monkeypatch.setattr(ads, "MAX_PAGE_ADS", 20)
    found = ads.AdBook().occurrences(_many_ads(40, stray_every=stray_every), "big.txt")
    assert len(found.ads) + len(found.rejects) == 21
    last = found.rejects[-1]
    assert last.reason == "too_many_ads" and "more than 20 ads" in last.text
    assert last.line > max(found.lines)
    prices = [ad.price_eur for ad in found.ads if ad.price_eur is not None]
    assert prices == [100_000 + i for i in range(len(prices))]  # the first ones, in order


def test_a_page_at_the_bound_is_read_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ads, "MAX_PAGE_ADS", 20)
    found = ads.AdBook().occurrences(_many_ads(20), "full.txt")
    assert len(found.ads) == 20 and found.rejects == []
