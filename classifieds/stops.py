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
from collections.abc import Iterator
from contextlib import contextmanager

from classifieds.errors import Stopped

STOP_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)
"""Signals that stop a command: in an export the main process decides, and kills its workers."""


class StopHandler:
    """The stop signals' handler of one command: raises Stopped, or notes the signal while the
    command cannot be stopped cleanly (:func:`stops_deferred`) or has reached a point of no
    return (:func:`hold_stops`)."""

    def __init__(self) -> None:
        self.deferring = False
        self.holding = False
        self.held: int | None = None
        """The signal that came while deferring or holding."""

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
        if (self.deferring or self.holding) and self.held is None:
            self.held = signum
            return
        self.ignore()  # a second Ctrl-C must not break the cleanup of the first
        raise Stopped(signum, published=self.holding)  # a second signal: stop all the same


@contextmanager
def stops_deferred() -> Iterator[None]:
    """Note a stop signal inside, and stop on the way out: for a step that an exception would
    leave half done (a Dask cluster starting: processes that nothing would close)."""
    handler = _handler()
    if handler is None or handler.deferring or handler.holding:
        yield
        return
    handler.deferring = True
    try:
        yield
    except Exception:
        if handler.held is None:
            raise
        # The signal's doing, most likely: Ctrl-C reaches the processes the step starts.
    finally:
        handler.deferring = False
    if handler.held is not None:
        signum, handler.held = handler.held, None
        handler(signum, None)


def hold_stops() -> None:
    """Note rather than act on a stop signal from now on, if the command line handles them: a
    run calls it at its commit point, past which the new dataset is the dataset.

    The run then ends as it would have, with its report, and exit 0. A second signal stops the
    command (in its report, say, blocked on a stdout nobody reads), saying the dataset is new.
    """
    handler = _handler()
    if handler is not None:
        handler.holding = True


def _handler() -> StopHandler | None:
    """Return the command line's handler of the stop signals, if it handles them."""
    for stop in STOP_SIGNALS:
        handler = signal.getsignal(stop)
        if isinstance(handler, StopHandler):
            return handler
    return None
