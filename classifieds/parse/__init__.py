"""The parse stage: from a page's text to its ads, typed, normalised and enriched.

Takes: the text of a page. Gives: its ads (:class:`~classifieds.models.Ad`), each once, in page
order, with their lines, and the widget lines it had to reject (:func:`.ads.occurrences`,
:func:`.ads.parse_page`). :mod:`.widget` finds the widget and cuts it into raw ads (the
grammar); :mod:`.ads` builds each ad from them; :mod:`.normalize` reads postcodes and
towns, :mod:`.prices` the price and its terms, :mod:`.communes` matches towns to communes;
:mod:`.attributes` (with its vocabulary) reads surfaces, rooms, makes, years;
:mod:`.departments` maps postcodes to departments and regions. A crawl repeats the same ads on
page after page: a :class:`.ads.AdBook`, owned by whoever parses, remembers what was built.

May import: :mod:`classifieds.models`, :mod:`classifieds.errors`, and itself.
"""
