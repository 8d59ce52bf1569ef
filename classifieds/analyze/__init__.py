"""The analyze stage: what people ask of a dataset.

Takes: the listings of a dataset (a DataFrame from :func:`classifieds.load`), and its sightings
for prices over time. Gives: price summaries by group (:mod:`.summary`; over the sightings'
dates, of the rows of :mod:`.sighted`), rendered as text, Markdown, CSV or JSON
(:mod:`.report`), and charts of them (:mod:`.charts`).

May import: :mod:`classifieds.models`, :mod:`classifieds.errors`, :mod:`classifieds.store`, and
itself; never :mod:`classifieds.run`.
"""
