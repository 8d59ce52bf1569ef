"""The store stage: the unique ads of a run, and the dataset files that hold them.

Takes: the ads and sightings that parsing found. Gives: the catalogue of unique ads, merged
across pages, batches and processes (:mod:`.catalogue`); the files of a dataset, their schemas,
their atomic writing and their loading (:mod:`.dataset`); datasets at URLs, uploaded manifest
last and read through it (:mod:`.bucket`); an ad's prices over time
(:mod:`.timeline`).

May import: :mod:`classifieds.models`, :mod:`classifieds.errors`, :mod:`classifieds.stops` (to
hold stop signals once a dataset is published), :mod:`classifieds.read` (the names and sort keys
of inputs, the file systems of URLs), and itself; never :mod:`classifieds.run`.
"""
