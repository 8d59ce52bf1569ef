"""Stop signals (SIGINT, SIGTERM, SIGHUP): how a command ends on them, at any instant.

The command line's handler (:class:`StopHandler`) raises :class:`~classifieds.errors.Stopped`,
which unwinds a run as Ctrl-C does: workers stopped, the new generation removed, the old dataset
kept. A signal the command was started with ignored stays ignored.

Imports only :mod:`classifieds.errors`: the entry point installs the handler before it imports
the rest of the package (0.5 to 2 s), so that Ctrl-C during start-up ends with one line too.
"""

from __future__ import annotations

import signal

from classifieds.errors import Stopped

STOP_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)
"""Signals that stop a command: in an export the main process decides, and kills its workers."""


class StopHandler:
    """The stop signals' handler of one command: raises Stopped."""

    def install(self) -> None:
        """Handle the stop signals but those ignored from the start, which stay ignored: nohup
        ignores SIGHUP, a shell script SIGINT in the jobs it starts with ``&``."""
        for stop in STOP_SIGNALS:
            if signal.getsignal(stop) is not signal.SIG_IGN:
                signal.signal(stop, self)

    def __call__(self, signum: int, _frame: object) -> None:
        for stop in STOP_SIGNALS:  # a second Ctrl-C must not break the cleanup of the first
            signal.signal(stop, signal.SIG_IGN)
        raise Stopped(signum)
