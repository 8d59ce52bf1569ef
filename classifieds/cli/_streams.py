"""The standard streams of a command: a stdout that cannot be written fails in one line.

Every command writes its data to stdout; a stdout closed (``>&-``), full (``> /dev/full``) or
whose reader is gone (``| head``) must end it with one line and exit 1, not a traceback. A
standard stream closed at start is opened on the null device, so that no file the command
opens gets its number (a worker writing to fd 1 would then write into a dataset file).
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import sys
from typing import IO, Any

import click

_STDIN = 0
_STDOUT = 1
_STDERR = 2


class StdoutError(click.ClickException):
    """stdout cannot be written: one line on stderr, exit 1; none for a reader gone (``| head``),
    which has what it wanted."""

    def __init__(self, error: OSError) -> None:
        self.errno = error.errno
        closed = error.errno == errno.EBADF
        self.reason = "stdout is closed" if closed else error.strerror or str(error)
        super().__init__(f"Could not print to stdout: {'it is closed' if closed else self.reason}.")

    def show(self, file: IO[Any] | None = None) -> None:
        if self.errno != errno.EPIPE:
            super().show(file)


class _Stdout(io.RawIOBase):
    """File descriptor 1, its write errors raised as StdoutError, once: what follows is dropped."""

    def __init__(self) -> None:
        super().__init__()
        self.failed = False

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return _STDOUT

    def isatty(self) -> bool:
        return os.isatty(_STDOUT)

    def write(self, data: Any) -> int:
        size = memoryview(data).nbytes
        if self.failed:
            return size
        try:
            return os.write(_STDOUT, data)
        except OSError as error:
            self.failed = True
            raise StdoutError(error) from error


class _Stderr(io.RawIOBase):
    """File descriptor 2, its write errors dropped: a stderr that is full (``2> /dev/full``)
    or whose reader is gone has nobody to tell, and failing to tell must not change how the
    command ends (a usage error exited 1, its line lost in a traceback nobody saw)."""

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return _STDERR

    def isatty(self) -> bool:
        return os.isatty(_STDERR)

    def write(self, data: Any) -> int:
        view = memoryview(data).cast("B")
        size = view.nbytes
        with contextlib.suppress(OSError):  # nowhere to say it
            while view:
                view = view[os.write(_STDERR, view) :]
        return size


def guard_standard_streams() -> None:
    """Open a closed stdin, stdout or stderr on the null device, stdout read-only so that writing it
    fails as a closed one does; make stdout's write errors StdoutError. A closed stdin's
    descriptor is taken too, Python's ``sys.stdin`` left None: ``-`` says it is closed."""
    if not _is_open(_STDIN):
        _reopen(_STDIN, os.O_RDONLY)
    if not _is_open(_STDERR):
        _reopen(_STDERR, os.O_WRONLY)
        sys.stderr = open(_STDERR, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
    if sys.stderr is not None and _fileno(sys.stderr) == _STDERR:  # not a test's capture
        sys.stderr = io.TextIOWrapper(
            _Stderr(),
            encoding=getattr(sys.stderr, "encoding", None) or "utf-8",
            errors="backslashreplace",
            line_buffering=True,
            write_through=True,
        )
    old = sys.stdout
    if old is None or not _is_open(_STDOUT):
        _reopen(_STDOUT, os.O_RDONLY)
    elif _fileno(old) != _STDOUT:
        return  # stdout was replaced (a test's capture): leave it
    sys.stdout = io.TextIOWrapper(
        io.BufferedWriter(_Stdout()),
        encoding=getattr(old, "encoding", None) or "utf-8",
        errors=getattr(old, "errors", None),
        line_buffering=bool(getattr(old, "line_buffering", False)),
    )


def _is_open(fd: int) -> bool:
    try:
        os.fstat(fd)
    except OSError:
        return False
    return True


def _reopen(fd: int, flags: int) -> None:
    null = os.open(os.devnull, flags)
    if null != fd:
        os.dup2(null, fd)
        os.close(null)
    os.set_inheritable(fd, True)  # as a standard stream is, for the processes it starts


def _fileno(stream: IO[str]) -> int | None:
    try:
        return stream.fileno()
    except (OSError, ValueError, AttributeError):
        return None
