"""The ``classifieds`` command line: click commands only, the work is done by the library.

Each module adds its commands to the group of :mod:`._group`; :func:`main` runs it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys

import click

from classifieds.cli import analysis, browse, export
from classifieds.cli._group import cli
from classifieds.cli._streams import StdoutError, guard_standard_streams
from classifieds.cli.analysis import SUMMARY_FORMATS
from classifieds.errors import Stopped, one_line
from classifieds.stops import StopHandler

__all__ = ["SUMMARY_FORMATS", "analysis", "browse", "cli", "export", "main"]


def main(stops: StopHandler | None = None) -> None:
    """Entry point: stop signals, the last-resort error message, and a quick exit.

    SIGINT, SIGTERM and SIGHUP unwind the command as Ctrl-C does (workers stopped, staging
    removed): exit 128 + the signal. The entry point (:mod:`classifieds.__main__`) handles them
    from its first instant and passes its ``stops``. A bug prints one line, its traceback with
    ``--debug``. The exit skips the interpreter's teardown, which frees every cached ad one by
    one (0.45 s after 10^5 pages): every file is closed by then, the standard streams are flushed.
    """
    if stops is None:
        stops = StopHandler()
        stops.install()
    guard_standard_streams()
    # warcio logs what it repairs in a record (spaces in a URI): nothing for a user's stderr.
    logging.getLogger("warcio").addHandler(logging.NullHandler())
    try:
        cli(prog_name="classifieds")
    except SystemExit as done:  # click ends every command so, with an int status
        if not isinstance(done.code, int):
            raise
        code = done.code
    except Stopped as stopped:
        click.echo(_stopped(stopped), err=True)
        code = 128 + stopped.signum
    except Exception as error:
        if "--debug" in sys.argv[1:]:
            raise
        line = one_line(error)
        click.echo(
            f"classifieds: internal error: {line}. Run again with --debug to see the"
            " traceback, and please report it.",
            err=True,
        )
        code = 1
    stops.ignore()  # the command is over: a signal now would only misreport it
    if stops.held is not None and code == 0:
        name = signal.Signals(stops.held).name
        click.echo(f"classifieds: {name} came once the new dataset was published.", err=True)
    os._exit(_flushed(code))


def _flushed(code: int) -> int:
    """Flush the standard streams; return the exit code, 1 if what a command that succeeded
    printed cannot be written."""
    try:
        sys.stdout.flush()
    except StdoutError as error:
        if code == 0:
            error.show()
            code = 1
    except (OSError, ValueError):  # a stdout that is not guarded (replaced by a caller)
        pass
    with contextlib.suppress(OSError, ValueError):
        sys.stderr.flush()
    return code


def _stopped(stopped: Stopped) -> str:
    """Return the line that says what a stop signal left on disk."""
    name = signal.Signals(stopped.signum).name
    if stopped.published:
        return f"classifieds: stopped by {name}; the new dataset had been published."
    return f"classifieds: stopped by {name}; a dataset being replaced was left as it was."
