"""Shared fixtures: the fixture pages of tests/data, a fresh output folder, crawl builders."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from html import escape
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import settings
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

DATA = Path(__file__).parent / "data"
SEEDS = Path(__file__).parent.parent / "seeds"

# No per-example deadline: on a loaded 2-core machine an example can take 10x its usual time,
# and speed is measured by the benchmark, not by timed tests.
settings.register_profile("suite", deadline=None)
settings.load_profile("suite")


@pytest.fixture(autouse=True, scope="session")
def one_commune_table() -> Iterator[None]:
    """Every parser of the test run reads one commune table, loaded once: each AdBook would
    load its own (15 ms), and the tests make thousands. Its caches only remember lookups."""
    from classifieds.parse.communes import CommuneTable

    table = CommuneTable.packaged()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(CommuneTable, "packaged", classmethod(lambda cls: table))
        yield


@pytest.fixture
def data_dir() -> Path:
    return DATA


@pytest.fixture
def out(tmp_path: Path) -> Path:
    return tmp_path / "out"


def page(name: str) -> str:
    """Return a fixture page decoded the way the pipeline decodes it."""
    from classifieds.read.decode import decode

    text = decode((DATA / name).read_bytes())
    assert text is not None
    return text


# Crawls as they come, built in the test run from the text pages: HTML, WARC, JSON Lines.

_DETAIL = re.compile(r"^(?P<head>.*?)\s*\((?P<postcode>\d{5})\)\s*(?P<price>.*?)\s*Découvrir$")
_SECTIONS = {"immobilier", "automobile", "bonnes affaires"}


def html_page(text: str, *, charset: str = "utf-8") -> str:
    """Return a text page as a news site would serve it: markup around the same words.

    Article lines become paragraphs; the widget a list per section, the title in a ``<div>``,
    the detail line's place, postcode and price in ``<span>``s on one line and "Découvrir" a
    link; prices use ``&nbsp;`` and ``&euro;``; the page has scripts, styles and comments to
    drop, and pretty-printing whitespace that must not break lines.
    """
    lines = [line.strip() for line in text.splitlines()]
    start = next(i for i, line in enumerate(lines) if line.lower() == "petites annonces")
    last_ad = max(i for i, line in enumerate(lines) if line.endswith("Découvrir"))
    out = [
        "<!DOCTYPE html>",
        f'<html lang="fr"><head><meta charset="{charset}"><title>Petites Annonces</title>',
        "<style>.pa-title { font-weight: bold }</style>",
        '<script>window.dataLayer = [{"rubrique": "Petites Annonces"}];</script>',
        "</head><body>",
        '<header><nav><a href="/">Accueil</a> | <a href="/sport">Sport</a></nav></header>',
        "<main><article>",
    ]
    out += [f"  <p>\n    {escape(line)}\n  </p>" for line in lines[:start] if line]
    out += ['</article><aside class="pa">', "  <h2>Petites Annonces</h2>", "  <!-- widget -->"]
    in_list = False
    for i in range(start + 1, last_ad + 1):
        line = lines[i]
        detail = _DETAIL.match(line)
        if not line or (i < last_ad and _DETAIL.match(lines[i + 1]) and not detail):
            continue  # title lines are written with their detail line
        if detail is None:
            out += ["  </ul>"] * in_list + [f"  <h3>{escape(line)}</h3>", "  <ul>"]
            in_list = True
            continue
        title = lines[i - 1] if i > start + 1 and not _DETAIL.match(lines[i - 1]) else None
        if title is not None and title.lower() in _SECTIONS:
            title = None
        head = detail["head"]
        place = head[len(title) :].strip() if title and head.startswith(title) else head
        described = f'<span class="pa-desc">{escape(title)}</span>\n' if place != head else ""
        price = escape(detail["price"]).replace(" ", "&nbsp;").replace("€", "&euro;")
        out += [
            "    <li>",
            f'      <div class="pa-title">{escape(title)}</div>' if title else "",
            '      <div class="pa-detail">',
            f'        {described}<span class="pa-place">{escape(place)}</span>',
            f'        (<span class="pa-cp">{detail["postcode"]}</span>)',
            f'        <span class="pa-price">{price}</span>' if price else "",
            '        <a href="/annonce">Découvrir</a>',
            "      </div>",
            "    </li>",
        ]
    out += ["  </ul>"] * in_list + ["</aside>", "<footer><ul>"]
    out += [f"  <li>{escape(line)}</li>" for line in lines[last_ad + 1 :] if line]
    out += ["</ul></footer>", "<script>track();</script>", "</main></body></html>", ""]
    return "\n".join(out)


def write_warc(path: Path, records: list[dict[str, Any]], *, compress: bool = True) -> None:
    """Write a WARC archive of ``response`` records (dicts: url, body, date, content_type,
    status) after a warcinfo record; ``type`` picks another record type."""
    with open(path, "wb") as file:
        writer = WARCWriter(file, gzip=compress)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "tests"}))
        for record in records:
            writer.write_record(warc_record(writer, **record))


def warc_record(
    writer: WARCWriter,
    url: str,
    body: bytes = b"",
    date: str = "2024-03-01T12:00:00Z",
    content_type: str = "text/html; charset=utf-8",
    status: str = "200 OK",
    type: str = "response",
) -> Any:
    headers = {"WARC-Date": date}
    if type == "request":
        http = StatusAndHeaders("GET / HTTP/1.1", [("Host", "x")], is_http_request=True)
    elif type == "response":
        http = StatusAndHeaders(status, [("Content-Type", content_type)], protocol="HTTP/1.1")
    else:  # metadata, resource, conversion: no HTTP headers
        return writer.create_warc_record(
            url,
            type,
            payload=io.BytesIO(body),
            warc_content_type=content_type,
            warc_headers_dict=headers,
        )
    return writer.create_warc_record(
        url, type, payload=io.BytesIO(body), http_headers=http, warc_headers_dict=headers
    )


def ads_of(frame: pd.DataFrame) -> list[tuple[Any, ...]]:
    """Return the ads of a listings frame as (title, town, postcode, price_eur) tuples."""
    return [
        (row.title, row.town, row.postcode, None if pd.isna(row.price_eur) else row.price_eur)
        for row in frame.itertuples()
    ]
