"""The read stage: from input paths to pages of text.

Takes: paths, folders, globs, ``-`` for stdin, and URLs (``s3://``, ``https://``... through
fsspec, :mod:`.remote`). Gives: the input files in a stable order
(:func:`iter_inputs`), then each input's pages (:class:`Page`), the records that hold none
(:class:`Skipped`) and the inputs or pages that cannot be used (rejects), by
:func:`read_input`. One direction: find (:mod:`.inputs`) → open and decompress, capped
(:mod:`.streams`, :mod:`.members`) → tell the format and read it (:mod:`.formats`:
:mod:`.warc`, :mod:`.jsonl`) → decode bytes and HTML into text (:mod:`.pages`,
:mod:`.decode`, :mod:`.html`).

May import: :mod:`classifieds.models`, :mod:`classifieds.errors`, and itself.
"""

from __future__ import annotations

from classifieds.read.formats import InputFacts, read_input
from classifieds.read.inputs import iter_inputs
from classifieds.read.jsonl import DEFAULT_JSONL_FIELDS, JsonlFields
from classifieds.read.names import STDIN, STDIN_SOURCE, input_key, source_key, source_name
from classifieds.read.pages import Page, Skipped
from classifieds.read.streams import file_facts

__all__ = [
    "DEFAULT_JSONL_FIELDS",
    "STDIN",
    "STDIN_SOURCE",
    "InputFacts",
    "JsonlFields",
    "Page",
    "Skipped",
    "file_facts",
    "input_key",
    "iter_inputs",
    "read_input",
    "source_key",
    "source_name",
]
