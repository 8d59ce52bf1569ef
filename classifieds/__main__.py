"""``python -m classifieds`` and the ``classifieds`` command: the command line.

Stop signals are handled before anything else is imported: the command line takes 0.5 to 2 s
to import, and Ctrl-C then must end the command with one line, as at any other instant.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys

from classifieds.errors import Stopped
from classifieds.stops import StopHandler


def main() -> None:
    """Run the command line, its stop signals handled from the first instant."""
    stops = StopHandler()
    try:
        stops.install()
        from classifieds.cli import main as command_line

        command_line(stops)  # exits
    except Stopped as stopped:  # while importing, before or after the command's own handling
        with contextlib.suppress(AttributeError, OSError, ValueError):  # stderr closed
            sys.stderr.write(f"classifieds: stopped by {signal.Signals(stopped.signum).name}.\n")
            sys.stderr.flush()
        os._exit(128 + stopped.signum)


if __name__ == "__main__":
    main()
