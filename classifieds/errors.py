"""Exceptions for conditions the user must fix.

Bad input data is never an exception: it becomes a reject.
"""

from __future__ import annotations


def one_line(error: BaseException, limit: int = 300) -> str:
    """Return an error as one line of at most ``limit`` characters: its type and message.

    >>> one_line(OSError("disk  full,   twice"))
    'OSError: disk full, twice'
    """
    return " ".join(f"{type(error).__name__}: {error}".split())[:limit]


class ClassifiedsError(Exception):
    """Base of the errors a run reports to the user; the message says how to fix the problem."""


class InputError(ClassifiedsError):
    """An input path that does not exist or cannot be listed."""


class OutputError(ClassifiedsError):
    """An output folder that cannot be created or written."""


class QueryError(ClassifiedsError):
    """A grouping or a filter that names an unknown column or cannot be read."""


class Stopped(BaseException):
    """A stop signal (SIGINT, SIGTERM, SIGHUP): unwinds a run as Ctrl-C does, cleaning up.

    Not an Exception: nothing that handles errors may swallow it. ``published``: it came once
    the run had published its new dataset (a second signal, the first having been noted).
    """

    def __init__(self, signum: int, *, published: bool = False) -> None:
        super().__init__(signum)
        self.signum = signum
        self.published = published
