"""Stop signals (SIGINT, SIGTERM, SIGHUP): how a command ends on them, at any instant.

The command line's handler (:class:`StopHandler`) raises :class:`~classifieds.errors.Stopped`,
which unwinds a run as Ctrl-C does: workers stopped, the new generation removed, the old dataset
kept. A signal the command was started with ignored stays ignored. Once a run has published its
new dataset, nothing is left to undo: a signal is noted, and the run ends as it would have.

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
    """The stop signals' handler of one command: raises Stopped, or notes the signal once the
    command has reached a point of no return (:func:`hold_stops`)."""

    def __init__(self) -> None:
        self.holding = False
        self.held: int | None = None
        """The signal that came while holding: the command went on to its end."""

    def install(self) -> None:
        """Handle the stop signals but those ignored from the start, which stay ignored: nohup
        ignores SIGHUP, a shell script SIGINT in the jobs it starts with ``&``."""
        for stop in STOP_SIGNALS:
            if signal.getsignal(stop) is not signal.SIG_IGN:
                signal.signal(stop, self)

    def ignore(self) -> None:
        """Ignore the stop signals from now on: the command has ended."""
        for stop in STOP_SIGNALS:
            signal.signal(stop, signal.SIG_IGN)

    def __call__(self, signum: int, _frame: object) -> None:
        if self.holding and self.held is None:
            self.held = signum  # the dataset is published: stopping would undo nothing
            return
        self.ignore()  # a second Ctrl-C must not break the cleanup of the first
        raise Stopped(signum, published=self.holding)  # a second signal: stop all the same


def hold_stops() -> None:
    """Note rather than act on a stop signal from now on, if the command line handles them: a
    run calls it at its commit point, past which the new dataset is the dataset.

    The run then ends as it would have, with its report, and exit 0. A second signal stops the
    command (in its report, say, blocked on a stdout nobody reads), saying the dataset is new.
    """
    for stop in STOP_SIGNALS:
        handler = signal.getsignal(stop)
        if isinstance(handler, StopHandler):
            handler.holding = True
