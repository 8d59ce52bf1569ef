"""The parse stage: from a page's text to its ads, typed, normalised and enriched.

Takes: the text of a page. Gives: its ads (:class:`~classifieds.models.Ad`), each once, in page
order, with their lines, and the widget lines it had to reject (:func:`.ads.occurrences`,
:func:`.ads.parse_page`). :mod:`.widget` finds the widget and cuts it into raw ads (the
grammar); :mod:`.ads` builds each ad from them; :mod:`.normalize` reads postcodes and
towns, :mod:`.prices` the price and its terms, :mod:`.communes` matches towns to communes;
:mod:`.attributes` (with its vocabulary) reads rooms, makes, years, and
:mod:`.areas` the living and land areas;
:mod:`.departments` maps postcodes to departments and regions. A crawl repeats the same ads on
page after page: a :class:`.ads.AdBook`, owned by whoever parses, remembers what was built.

May import: :mod:`classifieds.models`, :mod:`classifieds.errors`, and itself.
"""

from __future__ import annotations

from typing import Final

PARSER_VERSION: Final = 1
"""The version of what the parser makes of pages, written in each dataset's manifest: a
dataset is appended to only by the parser version that wrote it, lest its old ads and the new
ones follow different rules. Bumped with every change to the records a page gives (not with a
refactor), which ``tests/parse/test_parser_version.py`` enforces through :data:`PARSER_DIGEST`."""

PARSER_DIGEST: Final = "6784c329d8f965e7ffb3c5b60fcee9a33f33cdb807027b0d0cd2277d7b71cf80"
"""sha256 of the records this version makes of the fixture pages (``tests/data/``, ``seeds/``)."""
