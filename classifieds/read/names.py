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
    """Return the name an input goes by in the dataset (``<stdin>`` for ``-``)."""
    return STDIN_SOURCE if source == STDIN else source


def input_key(source: str) -> str:
    """Return the sort key of an input, given as read or as named: stdin sorts first."""
    return "" if source in (STDIN, STDIN_SOURCE) else source_key(source)
