"""Inputs as crawls come: compressed files, HTML, WARC archives and JSON Lines, built here."""

from __future__ import annotations

import bz2
import gzip
import io
import json
import lzma
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import pytest
import zstandard
from conftest import DATA, SEEDS, html_page, page, warc_record, write_warc
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from classifieds.models import Reject
from classifieds.parse.ads import parse_page
from classifieds.read import DEFAULT_JSONL_FIELDS, JsonlFields, Page, Skipped, read_input, streams
from classifieds.read.decode import decode

BASIC = page("basic.txt")
SEED = next(SEEDS.glob("*.txt")).read_text(encoding="utf-8")
MARCH_1 = datetime(2024, 3, 1, 12, tzinfo=UTC)


def ads(text: str) -> list[tuple[str, str, str, float | None]]:
    return [(a.title, a.town, a.postcode, a.price_eur) for a in parse_page(text)]


def items(path: Path, fields: JsonlFields = DEFAULT_JSONL_FIELDS) -> list[Page | Reject | Skipped]:
    return list(read_input(str(path), fields))


def only_page(path: Path) -> Page:
    (found,) = items(path)
    assert isinstance(found, Page), found
    return found


COMPRESSORS: dict[str, Callable[[bytes], bytes]] = {
    "gz": gzip.compress,
    "bz2": bz2.compress,
    "xz": lzma.compress,
    "zst": zstandard.ZstdCompressor().compress,
}
SINGLE_PAGES = {
    "txt": ("page.txt", lambda: BASIC.encode()),
    "no-suffix": ("000_6780d8fc77309a8b", lambda: BASIC.encode()),
    "text-suffix": ("page.text", lambda: BASIC.encode("cp1252")),
    "html": ("page.html", lambda: html_page(BASIC).encode()),
    "htm-seed": ("seed.htm", lambda: html_page(SEED).encode()),
    "html-without-suffix-is-sniffed": ("page", lambda: html_page(BASIC).encode()),
    **{
        f"text-{name}": (f"page.txt.{name}", partial(compress, BASIC.encode()))
        for name, compress in COMPRESSORS.items()
    },
    "html-zst": (
        "seed.html.zst",
        lambda: zstandard.ZstdCompressor().compress(html_page(SEED).encode()),
    ),
    "gzip-without-gz-suffix": ("page.txt", lambda: gzip.compress(BASIC.encode())),
    "gzip-html-named-htm": ("page.htm", lambda: gzip.compress(html_page(BASIC).encode())),
}


@pytest.mark.parametrize(("name", "content"), SINGLE_PAGES.values(), ids=SINGLE_PAGES.keys())
def test_single_page_inputs_give_the_ads_of_the_text_page(
    tmp_path: Path, name: str, content: Callable[[], bytes]
) -> None:
    path = tmp_path / name
    path.write_bytes(content())
    found = only_page(path)
    assert found.source == str(path) and found.url is None and found.fetched_at is None
    expected = ads(SEED) if "seed" in name else ads(BASIC)
    assert ads(found.text) == expected and expected


@pytest.mark.parametrize("name", ["report.pdf", "photo.png", "crawl.zip", "notes.docx", "a.csv.gz"])
def test_unknown_formats_are_rejected_by_name(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_bytes(b"Petites Annonces\n")
    (reject,) = items(tmp_path / name)
    assert isinstance(reject, Reject) and reject.reason == "unknown_format"
    assert "--exclude" in reject.text


def test_binary_junk_named_as_text_is_still_binary(tmp_path: Path) -> None:
    path = tmp_path / "page.txt.gz"
    path.write_bytes(gzip.compress((DATA / "binary.txt").read_bytes()))
    (reject,) = items(path)
    assert isinstance(reject, Reject) and reject.reason == "binary_file"


def test_truncated_gzip_keeps_the_pages_before_the_damage(tmp_path: Path) -> None:
    lines = [json.dumps({"text": BASIC, "url": f"https://x/{n}"}) for n in range(1000)]
    data = gzip.compress("\n".join(lines).encode())
    path = tmp_path / "export.jsonl.gz"
    path.write_bytes(data[: len(data) // 2])
    found = items(path)
    *pages, cut_line, damage = found  # the line cut by the damage, then the damage
    assert all(isinstance(p, Page) for p in pages) and len(pages) > 2
    assert isinstance(cut_line, Reject) and cut_line.reason == "bad_json"
    assert isinstance(damage, Reject) and damage.reason == "corrupt_file"
    assert damage.source == str(path)


def test_a_decompression_bomb_is_stopped_without_filling_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bomb = tmp_path / "page.txt.gz"
    with gzip.open(bomb, "wb", compresslevel=1) as file:
        for _ in range(100):
            file.write(bytes(1 << 20))  # 100 MiB of zeros, about 100 KiB on disk
    monkeypatch.setattr(streams, "MAX_DECOMPRESSED_BYTES", 4 << 20)
    tracemalloc.start()
    try:
        *_, reject = items(bomb)  # the page before the cap (zeros: binary), then the cap
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert isinstance(reject, Reject) and reject.reason == "decompression_limit"
    assert peak < 16 << 20


def test_a_page_over_the_limit_once_decompressed_is_too_large(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(streams, "MAX_PAGE_BYTES", 1000)
    path = tmp_path / "page.txt.xz"
    path.write_bytes(lzma.compress(b"Petites Annonces\n" * 100))
    (reject,) = items(path)
    assert isinstance(reject, Reject) and reject.reason == "file_too_large"


# JSON Lines


def jsonl(path: Path, lines: list[str | dict[str, object]], compress: bool = False) -> Path:
    text = "\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines)
    data = text.encode() + b"\n"
    path.write_bytes(gzip.compress(data) if compress else data)
    return path


def test_jsonl_pages_with_urls_dates_and_rejects(tmp_path: Path) -> None:
    path = jsonl(
        tmp_path / "export.jsonl.gz",
        [
            {"url": "https://x/a", "text": BASIC, "fetched_at": "2024-03-01T13:00:00+01:00"},
            {"url": "https://x/b", "html": html_page(SEED), "fetched_at": 1709294400},
            "",
            '{"url": "https://x/c", "text": "Petites Annonces',
            '["not", "an", "object"]',
            {"url": "https://x/d", "body": BASIC},
            {"url": "https://x/e", "text": BASIC, "fetched_at": "hier"},
            {"text": BASIC, "url": None, "fetched_at": None},
        ],
        compress=True,
    )
    found = items(path)
    assert [(f.source.rsplit("#")[1], type(f).__name__) for f in found] == [
        ("1", "Page"),
        ("2", "Page"),
        ("4", "Reject"),
        ("5", "Reject"),
        ("6", "Reject"),
        ("7", "Reject"),
        ("7", "Page"),  # kept undated
        ("8", "Page"),
    ]
    first, second, *rejects, undated, last = found
    assert isinstance(undated, Page) and undated.fetched_at is None
    assert isinstance(first, Page) and isinstance(second, Page) and isinstance(last, Page)
    assert (first.url, first.fetched_at) == ("https://x/a", MARCH_1)
    assert (second.url, second.fetched_at) == ("https://x/b", MARCH_1)
    assert ads(first.text) == ads(BASIC) and ads(second.text) == ads(SEED)
    assert (last.url, last.fetched_at) == (None, None)
    assert [r.reason for r in rejects if isinstance(r, Reject)] == [
        "bad_json",
        "bad_json",
        "no_page_field",
        "bad_date",
    ]
    assert first.source == f"{path}#1"


def test_jsonl_field_names_are_configurable(tmp_path: Path) -> None:
    path = jsonl(
        tmp_path / "crawl.json",
        [{"page_url": "https://x/a", "content": BASIC, "ts": "20240301120000"}],
    )
    fields = JsonlFields(text="content", url="page_url", date="ts")
    (found,) = items(path, fields)
    assert isinstance(found, Page) and (found.url, found.fetched_at) == ("https://x/a", MARCH_1)
    (default,) = items(path)
    assert isinstance(default, Reject) and "'content'" in default.text


def test_a_jsonl_line_over_the_limit_is_rejected_and_the_next_survives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(streams, "MAX_PAGE_BYTES", 2000)
    path = jsonl(tmp_path / "export.jsonl", [{"text": BASIC * 10}, {"text": BASIC}])
    too_large, survivor = items(path)
    assert isinstance(too_large, Reject) and too_large.reason == "record_too_large"
    assert isinstance(survivor, Page) and survivor.source == f"{path}#2"


# WARC


def test_warc_pages_keep_url_and_date_and_skip_records_without_a_page(tmp_path: Path) -> None:
    path = tmp_path / "crawl.warc.gz"
    with open(path, "wb") as file:
        writer = WARCWriter(file, gzip=True)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "tests"}))
        for record in [
            {"url": "https://x/a", "type": "request"},
            {"url": "https://x/a", "body": html_page(BASIC).encode()},
            {"url": "https://x/a", "type": "metadata", "content_type": "application/warc-fields"},
            {
                "url": "https://x/logo.png",
                "body": b"\x89PNG\r\n\x1a\n",
                "content_type": "image/png",
            },
            {"url": "https://x/gone", "body": b"<p>Not found</p>", "status": "404 Not Found"},
            {
                "url": "https://x/t",
                "body": SEED.encode(),
                "date": "2024-03-02T08:30:00Z",
                "content_type": "text/plain",
            },
            {
                "url": "https://x/s",
                "body": SEED.encode(),
                "type": "conversion",
                "content_type": "text/plain",
            },
        ]:
            writer.write_record(warc_record(writer, **record))  # type: ignore[arg-type]
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        writer.write_record(
            writer.create_revisit_record(
                "https://x/a", "sha1:X", "https://x/a", "2024-03-01T12:00:00Z", http
            )
        )
    found = items(path)
    kinds = [(f.source.rsplit("#")[1], getattr(f, "kind", type(f).__name__)) for f in found]
    assert kinds == [
        ("1", "warcinfo"),
        ("2", "request"),
        ("3", "Page"),
        ("4", "metadata"),
        ("5", "image/png"),
        ("6", "status 404"),
        ("7", "Page"),
        ("8", "Page"),
        ("9", "revisit"),
    ]
    html, text, wet = (f for f in found if isinstance(f, Page))
    assert (html.source, html.url, html.fetched_at) == (f"{path}#3", "https://x/a", MARCH_1)
    assert text.fetched_at == datetime(2024, 3, 2, 8, 30, tzinfo=UTC)
    assert ads(html.text) == ads(BASIC)
    assert ads(text.text) == ads(wet.text) == ads(SEED)


@pytest.mark.parametrize("compress", [True, False], ids=["warc.gz", "warc"])
def test_warc_is_told_by_name_or_by_its_first_bytes(tmp_path: Path, compress: bool) -> None:
    for name in ("crawl.warc", "crawl"):
        path = tmp_path / name
        write_warc(
            path, [{"url": "https://x/a", "body": html_page(BASIC).encode()}], compress=compress
        )
        _, found = items(path)
        assert isinstance(found, Page) and ads(found.text) == ads(BASIC)


CHARSETS = {
    "http-header-windows-1252": ("windows-1252", "text/html; charset=windows-1252", False),
    "meta-windows-1252": ("windows-1252", "text/html", True),
    "http-header-latin-9-euro-sign": ("iso-8859-15", "text/html; charset=ISO-8859-15", False),
    "meta-latin-9": ("iso-8859-15", "text/html", True),
    "header-says-latin-1-bytes-are-1252": (
        "windows-1252",
        'text/html; charset="iso-8859-1"',
        False,
    ),
    # A header's charset that decodes nothing (UTF-8 over bytes that are not, a label no
    # codec has) leaves the page's <meta> to say it, as if the header declared none.
    "header-says-utf-8-meta-latin-9": ("iso-8859-15", "text/html; charset=utf-8", True),
    "header-unknown-meta-latin-9": ("iso-8859-15", "text/html; charset=x-unheard-of", True),
    "header-base64-meta-latin-9": ("iso-8859-15", "text/html; charset=base64", True),
}


@pytest.mark.parametrize(
    ("encoding", "content_type", "in_meta"), CHARSETS.values(), ids=CHARSETS.keys()
)
def test_declared_charset_decodes_a_legacy_page(
    tmp_path: Path, encoding: str, content_type: str, in_meta: bool
) -> None:
    text = BASIC.replace("100€", "100 €").replace("Poussette", "Poussette état neuf, cœur")
    markup = html_page(text, charset=encoding if in_meta else "unknown").encode(encoding)
    path = tmp_path / "crawl.warc.gz"
    write_warc(path, [{"url": "https://x/a", "body": markup, "content_type": content_type}])
    _, found = items(path)
    assert isinstance(found, Page)
    assert ads(found.text) == ads(text) and ads(text)[-1][0] == "Poussette état neuf, cœur"


def test_latin_9_needs_its_declaration() -> None:
    undeclared = decode("Poussette 100 €".encode("iso-8859-15"))
    assert undeclared == "Poussette 100 ¤"  # what Windows-1252 makes of it: no price


def test_a_warc_record_over_the_limit_is_rejected_and_the_next_survives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(streams, "MAX_PAGE_BYTES", 5000)
    path = tmp_path / "crawl.warc.gz"
    big = html_page(BASIC).encode() + b"<!--" + b"x" * 6000 + b"-->"
    write_warc(
        path,
        [
            {"url": "https://x/big", "body": big},
            {"url": "https://x/a", "body": BASIC.encode(), "content_type": "text/plain"},
        ],
    )
    _, too_large, survivor = items(path)
    assert isinstance(too_large, Reject) and too_large.reason == "record_too_large"
    assert too_large.source == f"{path}#2"
    assert isinstance(survivor, Page) and survivor.url == "https://x/a"


def test_a_warc_of_junk_stops_at_the_line_cap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(streams, "MAX_PAGE_BYTES", 1 << 20)
    path = tmp_path / "crawl.warc.gz"
    path.write_bytes(gzip.compress(b"WARC/1.0" + bytes(8 << 20)))
    record, stream = items(path)  # the junk record, then the stream it ended
    assert isinstance(record, Reject) and record.reason == "corrupt_file"
    assert isinstance(stream, Reject) and stream.reason == "corrupt_file"
    assert "line break" in stream.text


def test_a_bad_warc_date_is_a_reject_and_the_page_is_kept_undated(tmp_path: Path) -> None:
    path = tmp_path / "crawl.warc"
    write_warc(
        path,
        [
            {
                "url": "https://x/a",
                "body": BASIC.encode(),
                "date": "le 1er mars",
                "content_type": "text/plain",
            }
        ],
        compress=False,
    )
    _, reject, kept = items(path)
    assert isinstance(reject, Reject) and reject.reason == "bad_date"
    assert isinstance(kept, Page) and kept.fetched_at is None and kept.url == "https://x/a"
    assert ads(kept.text) == ads(BASIC)


def test_warc_from_stdin(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = tmp_path / "crawl.warc.gz"
    write_warc(path, [{"url": "https://x/a", "body": html_page(BASIC).encode()}])
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(path.read_bytes())))
    skipped, found = read_input("-")
    assert isinstance(skipped, Skipped) and skipped.source == "<stdin>#1"
    assert isinstance(found, Page) and found.source == "<stdin>#2" and ads(found.text) == ads(BASIC)


def _warc_zst(records: int, dictionary: str) -> bytes:
    """A ``.warc.zst`` as the IIPC's profile has it: a frame per record, all compressed with
    one dictionary, which a skippable frame first holds (raw or compressed)."""
    plain = []
    for n in range(records):
        buffer = io.BytesIO()
        writer = WARCWriter(buffer, gzip=False)
        writer.write_record(warc_record(writer, f"https://x.fr/{n}", html_page(BASIC).encode()))
        plain.append(buffer.getvalue())
    trained = zstandard.train_dictionary(4096, plain * 20)
    compressor = zstandard.ZstdCompressor(dict_data=trained)
    held = trained.as_bytes()
    if dictionary == "compressed":
        held = zstandard.ZstdCompressor().compress(held)
    if dictionary == "other-skippable-frame":  # metadata, not a dictionary: frames without one
        compressor, held = zstandard.ZstdCompressor(), b"metadata"
    magic = b"\x5d\x2a\x4d\x18" if dictionary != "other-skippable-frame" else b"\x50\x2a\x4d\x18"
    frames = b"".join(compressor.compress(record) for record in plain)
    return magic + len(held).to_bytes(4, "little") + held + frames


@pytest.mark.parametrize("dictionary", ["raw", "compressed", "other-skippable-frame"])
def test_a_warc_zst_with_its_dictionary_gives_every_record(tmp_path: Path, dictionary: str) -> None:
    path = tmp_path / "crawl.warc.zst"
    path.write_bytes(_warc_zst(3, dictionary))
    found = items(path)
    assert [p.url for p in found if isinstance(p, Page)] == [f"https://x.fr/{n}" for n in range(3)]
    assert all(ads(p.text) == ads(BASIC) for p in found if isinstance(p, Page))


@pytest.mark.parametrize(
    ("damage", "said"),
    [
        (lambda data: data[:6], "cut short"),  # inside the skippable frame's header
        (lambda data: data[:100], "cut short"),  # inside the dictionary
        (lambda data: data[:4] + (1 << 30).to_bytes(4, "little") + data[8:], "over the limit"),
    ],
    ids=["header-cut", "dictionary-cut", "huge-frame"],
)
def test_a_damaged_warc_zst_dictionary_is_a_reject(
    tmp_path: Path, damage: Callable[[bytes], bytes], said: str
) -> None:
    path = tmp_path / "crawl.warc.zst"
    path.write_bytes(damage(_warc_zst(3, "raw")))
    (reject,) = items(path)
    assert isinstance(reject, Reject) and reject.reason == "corrupt_file", reject
    assert said in reject.text


@pytest.mark.parametrize(
    "data",
    [b"", b"\n\n \n", b"[]\n", b"[\n]\n", gzip.compress(b""), b"\xef\xbb\xbf", b"\xef\xbb\xbf\n"],
    ids=str,
)
def test_a_jsonl_input_of_no_record_says_so(tmp_path: Path, data: bytes) -> None:
    """It gave nothing, and said nothing: an input that counts for nothing in the rejects."""
    path = tmp_path / "crawl.jsonl"
    path.write_bytes(data)
    (reject,) = items(path)
    assert isinstance(reject, Reject) and reject.reason == "empty_file", reject


def test_a_utf8_bom_before_a_blank_line_is_no_bad_record(tmp_path: Path) -> None:
    """Notepad's BOM on a first line left blank was a bad_json reject beside the pages."""
    path = tmp_path / "crawl.jsonl"
    path.write_bytes(b'\xef\xbb\xbf\n\n{"url": "https://a.fr/", "text": "x"}\n')
    (page,) = items(path)
    assert isinstance(page, Page) and page.text == "x", page
