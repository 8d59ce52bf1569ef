"""The run stage: an export, from input paths to a dataset folder.

Takes: input paths and options. Gives: a written dataset and its manifest (:func:`.export.build`).
Inputs go in batches (:mod:`.batches`) to an engine that parses them in this process, in
worker processes (:mod:`.engines`) or on a Dask cluster (:mod:`.distributed`); an ``--append``
run first plans what to keep of the dataset it extends (:mod:`.append`).

May import: every stage (read, parse, store), :mod:`classifieds.models`,
:mod:`classifieds.errors`; never :mod:`classifieds.cli`.
"""
