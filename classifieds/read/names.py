"""Name inputs and pages: how an input is called in the dataset, and the order inputs sort in.

A leaf of the read stage: finding inputs orders them by :func:`source_key`, reading names the
pages it finds, and the catalogue ranks sightings by the same keys.
"""

from __future__ import annotations

import os

STDIN = "-"
STDIN_SOURCE = "<stdin>"


def source_key(source: str) -> str:
    """Return the sort key of an input path: folder by folder, as the inputs are walked.

    ``/`` becomes NUL, which sorts before every character, so ``a/b`` comes before ``a-c`` just
    as the folder ``a`` is walked before the file ``a-c``.

    >>> sorted(["a-c", "a/b"], key=source_key)
    ['a/b', 'a-c']
    """
    return source.replace(os.sep, "\0")


def source_name(source: str) -> str:
    r"""Return the name an input goes by in the dataset (``<stdin>`` for ``-``).

    A file name that is not UTF-8 (its bytes kept as surrogates by Python) is shown with the
    bytes that are not UTF-8 escaped, so that it can be written in Parquet, CSV and JSON.

    >>> source_name("-"), source_name("crawl/caf\udce9.txt")
    ('<stdin>', 'crawl/caf\\xe9.txt')
    """
    if source == STDIN:
        return STDIN_SOURCE
    if source.isascii():
        return source
    try:
        source.encode("utf-8")
    except UnicodeEncodeError:
        return os.fsencode(source).decode("utf-8", "backslashreplace")
    return source


def input_key(source: str) -> str:
    """Return the sort key of an input, given as read or as named: stdin sorts first."""
    return "" if source in (STDIN, STDIN_SOURCE) else source_key(source)
