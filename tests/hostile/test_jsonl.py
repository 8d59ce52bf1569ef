"""JSON Lines as sloppy writers leave them: control characters raw or escaped in a string,
bytes that are not UTF-8. Each line keeps its page, read as the same page's bytes would be."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import page

from classifieds.models import Reject
from classifieds.parse.ads import parse_page
from classifieds.read import Page, read_input

BASIC = page("basic.txt")
ADS = [(ad.listing_id, ad.section, ad.title, ad.town) for ad in parse_page(BASIC)]


def _line(text: str, *, ascii_only: bool = True, encoding: str = "utf-8") -> bytes:
    return json.dumps({"url": "https://x.fr/a", "text": text}, ensure_ascii=ascii_only).encode(
        encoding
    )


SLOPPY = {
    "escaped-nul-in-a-header": _line(BASIC.replace("Immobilier", "Immo\0bilier")),
    "escaped-controls-in-a-title": _line(BASIC.replace("Opel", "\x01Op\x7fel\x1b")),
    "raw-tab-in-a-string": _line(BASIC).replace(b"Petites Annonces", b"Petites\tAnnonces"),
    "raw-nul-in-a-string": _line(BASIC).replace(b"Immobilier", b"Immo\0bilier"),
    "windows-1252": _line(BASIC, ascii_only=False, encoding="cp1252"),
    "one-latin-1-byte-in-utf-8": _line(BASIC, ascii_only=False).replace(
        "Corsa é".encode(), b"Corsa \xe9"
    ),
}


@pytest.mark.parametrize("line", SLOPPY.values(), ids=SLOPPY.keys())
def test_a_sloppy_line_keeps_its_page(tmp_path: Path, line: bytes) -> None:
    path = tmp_path / "crawl.jsonl"
    path.write_bytes(line + b"\n" + _line(BASIC) + b"\n")
    first, second = read_input(str(path))
    assert isinstance(first, Page) and isinstance(second, Page)
    found = [(ad.listing_id, ad.section, ad.title, ad.town) for ad in parse_page(first.text)]
    assert found == ADS  # the same ads, the same ids, as the page's own bytes give


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
def test_json_lines_in_utf_16_or_32_with_a_bom_are_read(tmp_path: Path, encoding: str) -> None:
    """Windows PowerShell writes its files in UTF-16 with a byte order mark (CRLF too): its
    line breaks are two bytes, and each line read at a b"\\n" was bad_json."""
    lines = [json.dumps({"url": f"https://x.fr/{n}", "text": BASIC}) for n in (1, 2)]
    data = "\ufeff" + "\r\n".join([*lines, ""])
    codec = {"utf-16": "utf-16-le", "utf-32": "utf-32-le"}.get(encoding, encoding)
    path = tmp_path / "crawl.jsonl"
    path.write_bytes(data.encode(codec))
    found = list(read_input(str(path)))
    assert [item.url for item in found if isinstance(item, Page)] == [
        "https://x.fr/1",
        "https://x.fr/2",
    ]
    assert all(
        [(ad.listing_id, ad.section, ad.title, ad.town) for ad in parse_page(item.text)] == ADS
        for item in found
        if isinstance(item, Page)
    )


def _records(count: int) -> list[dict[str, str]]:
    return [{"url": f"https://x.fr/{n}", "text": BASIC} for n in range(1, count + 1)]


DOCUMENTS = {
    "an-array-on-one-line": json.dumps(_records(3)).encode(),
    "an-array-indented": json.dumps(_records(3), indent=2).encode(),
    "scrapy-indented": b"[\n"
    + b",\n".join(json.dumps(r, indent=2).encode() for r in _records(3))
    + b"\n]\n",
    "an-array-after-a-bom": b"\xef\xbb\xbf" + json.dumps(_records(3), indent=1).encode(),
    "one-object-indented": json.dumps(_records(1)[0], indent=4).encode(),
}


@pytest.mark.parametrize("data", DOCUMENTS.values(), ids=DOCUMENTS.keys())
def test_a_json_file_that_is_one_document_is_read(tmp_path: Path, data: bytes) -> None:
    """A .json export written as one JSON document (json.dump of a list, indented or not),
    not as JSON Lines: each of its lines was a bad_json reject, and no page was read."""
    path = tmp_path / "pages.json"
    path.write_bytes(data)
    found = list(read_input(str(path)))
    count = 1 if data.lstrip().startswith(b"{") else 3
    assert [
        (item.source.rpartition("#")[2], item.url) for item in found if isinstance(item, Page)
    ] == [(str(n), f"https://x.fr/{n}") for n in range(1, count + 1)]
    assert len(found) == count


def test_lines_that_only_look_like_a_document_are_read_as_lines(tmp_path: Path) -> None:
    """A first line that opens an array (a JSON Lines file of arrays, or a document cut short)
    makes the file be tried as one document; it is not, and its lines are read as before."""
    lines = [b'["not", "a record"]', json.dumps(_records(1)[0]).encode(), b"[", b"{"]
    path = tmp_path / "pages.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    found = [
        (item.source.rpartition("#")[2], type(item).__name__) for item in read_input(str(path))
    ]
    assert found == [("1", "Reject"), ("2", "Page"), ("4", "Reject")]


@pytest.mark.parametrize("filler", [b"[],", b"{},", b'"ab",', b"1.5,"])
def test_a_record_of_millions_of_values_is_refused_before_it_is_parsed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, filler: bytes
) -> None:
    """64 MiB of ``[],`` in one line held 1.7 GB once parsed (a list is 56 bytes): a record
    of more commas and brackets than any page's text holds is bad_json, unparsed."""
    from classifieds.read import jsonl

    monkeypatch.setattr(jsonl, "MAX_JSON_VALUES", 1000)
    parsed = []
    loads = json.loads
    monkeypatch.setattr(json, "loads", lambda *a, **k: parsed.append(1) or loads(*a, **k))
    bomb = b'{"text": "x", "junk": [' + filler * 2000 + b"0]}"
    path = tmp_path / "crawl.jsonl"
    path.write_bytes(bomb + b"\n" + _line(BASIC) + b"\n")
    reject, survivor = read_input(str(path))
    assert isinstance(reject, Reject) and reject.reason == "bad_json"
    assert "more than 1,000 commas and brackets" in reject.text
    assert isinstance(survivor, Page) and len(parsed) == 1  # the good line only


def test_a_json_document_of_many_long_pages_is_no_bomb(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The commas of many pages' text add up: a document of them, one comma in 50
    characters, is read (only a dense run of values is refused)."""
    from classifieds.read import jsonl

    monkeypatch.setattr(jsonl, "MAX_JSON_VALUES", 100)
    prose = "Le conseil municipal a voté le budget, " * 40  # a comma in 40 characters
    records = [{"url": f"https://x.fr/{n}", "text": prose + BASIC} for n in range(1, 31)]
    path = tmp_path / "pages.json"
    path.write_bytes(json.dumps(records).encode())
    assert len([item for item in read_input(str(path)) if isinstance(item, Page)]) == 30
