"""PARSER_VERSION moves with the parser's output: its digest over the fixture pages is recorded.

The digest covers every record the pages give (each ad with all its fields, line, section and
price; each reject), as an export reads them: decoded, then parsed. Sources are named relative
to the repository and the records sorted, so that it is the same on every machine.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from conftest import DATA, SEEDS

from classifieds.models import Reject
from classifieds.parse import PARSER_DIGEST, PARSER_VERSION
from classifieds.parse.ads import AdBook
from classifieds.read import Page, read_input

ROOT = SEEDS.parent


def corpus() -> list[Path]:
    """Return the fixture pages: every page of tests/data and seeds/."""
    pages = [*DATA.iterdir(), *SEEDS.iterdir()]
    return sorted(p for p in pages if not p.name.startswith("."))


def parsed_records() -> list[str]:
    """Return what the parser makes of the fixture pages, a JSON record a line, sorted."""
    book = AdBook()
    records: list[dict[str, object]] = []
    for path in corpus():
        name = path.relative_to(ROOT).as_posix()
        for item in read_input(str(path), widget_only=True, given=name):
            if isinstance(item, Reject):
                records.append(item.model_dump(mode="json"))
            elif isinstance(item, Page):
                found = book.occurrences(item.text, item.source, item.first_line)
                for ad, line, section, price in zip(
                    found.ads, found.lines, found.sections, found.prices, strict=True
                ):
                    where = {"source": item.source, "line": line, "sighting_section": section}
                    records.append({**where, "sighting_price_eur": price, **ad.model_dump()})
                records += [reject.model_dump(mode="json") for reject in found.rejects]
    return sorted(json.dumps(r, sort_keys=True, ensure_ascii=False) for r in records)


def test_the_corpus_holds_pages_with_ads_and_rejects() -> None:
    """The digest guards something: ads, and rejects of several reasons."""
    records = [json.loads(line) for line in parsed_records()]
    assert sum("listing_id" in r for r in records) >= 50
    assert len({r["reason"] for r in records if "reason" in r}) >= 5


def test_the_parser_version_moves_with_the_parser_output() -> None:
    digest = hashlib.sha256("\n".join(parsed_records()).encode()).hexdigest()
    assert digest == PARSER_DIGEST, (
        f"The parser's output on the fixture pages changed: in classifieds/parse/__init__.py,"
        f" bump PARSER_VERSION to {PARSER_VERSION + 1} and set PARSER_DIGEST = {digest!r}, and"
        " say what changed in CHANGELOG.md. Datasets of version"
        f" {PARSER_VERSION} then refuse --append, as they must: their ads were read by other"
        " rules. A page added to the corpus changes the digest too: bump all the same."
    )
