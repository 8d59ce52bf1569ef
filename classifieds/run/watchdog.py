"""Notice a worker process that makes no progress (stopped by SIGSTOP, hung), and end it.

Each worker counts its progress in memory it shares with the main process: every batch it
takes, every page (reject, skipped record) it reads, every batch it sends. A watchdog thread
of the main process ends a worker whose count has not moved for ``timeout`` seconds while it
has work: its pipe then ends, and the run ends as for a worker that died, saying why. The
timeout bounds the time of one page, not of a batch: a batch of large pages counts each.

Takes the workers of :mod:`.engines`; imports nothing of the package.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from multiprocessing.context import BaseContext
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any, TypeVar

DEFAULT_WORKER_TIMEOUT = 300.0
"""Seconds a worker may go without reading a page: 60 MB in one page parse in ~2 s, and a
stalled read of a URL is tried again 3 times after 30 s each."""
_Item = TypeVar("_Item")


class Beat:
    """A worker's progress, shared with the main process: a count that moves with its work,
    whether it waits for a batch (or is done), and how many batches it took."""

    def __init__(self, context: BaseContext) -> None:
        self.count: Any = context.RawValue("Q", 0)
        self.idle: Any = context.RawValue("b", 1)
        self.taken: Any = context.RawValue("Q", 0)

    def tick(self) -> None:
        """Count a step of work."""
        self.count.value += 1

    def counted(self, read: Callable[..., Iterable[_Item]]) -> Callable[..., Iterator[_Item]]:
        """Return ``read``, counting a step for each item it reads and at each input's end."""

        def counted_read(*args: Any) -> Iterator[_Item]:
            for item in read(*args):
                self.tick()
                yield item
            self.tick()

        return counted_read


class Watchdog:
    """Watches the workers of a run in a thread; ends one that stalls, and tells why.

    The main process counts the tasks it sends each worker (:meth:`sent`), and says which
    worker it waits for (:attr:`awaiting`): a worker waiting for a batch is stalled only if
    one was sent to it and it has not taken it, or if it owes the main process a result (it
    was stopped midway through sending it).
    """

    def __init__(
        self, workers: Sequence[BaseProcess], beats: Sequence[Beat], timeout: float
    ) -> None:
        self.workers = workers
        self.beats = beats
        self.timeout = timeout
        self.tasks = [0] * len(workers)
        self.ended: dict[int, str] = {}
        """Why the watchdog ended a worker, by its pid."""
        self.awaiting: int | None = None
        """The worker the main process waits for a result of."""
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start watching, unless the timeout is 0 (wait for ever)."""
        if self.timeout > 0:
            self._thread = threading.Thread(target=self._watch, daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Stop watching."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def sent(self, worker: int) -> None:
        """Count a task (a batch, or the stop) sent to ``worker``."""
        self.tasks[worker] += 1

    def _watch(self) -> None:
        now = time.monotonic()
        seen = [(beat.count.value, now) for beat in self.beats]
        while not self._stop.wait(min(1.0, self.timeout / 4)):
            now = time.monotonic()
            for k, (worker, beat) in enumerate(zip(self.workers, self.beats, strict=True)):
                count = beat.count.value
                busy = not beat.idle.value or self.tasks[k] > beat.taken.value or self.awaiting == k
                if count != seen[k][0] or not busy:
                    seen[k] = (count, now)
                elif now - seen[k][1] >= self.timeout and worker.is_alive():
                    self._end(worker)

    def _end(self, worker: BaseProcess) -> None:
        pid = worker.pid
        assert pid is not None
        state = "stopped: SIGSTOP, or a debugger" if _stopped(pid) else "hung"
        self.ended[pid] = f"made no progress for {self.timeout:g} s ({state})"
        worker.kill()  # SIGKILL ends a stopped process too


def _stopped(pid: int) -> bool:
    """Return whether a process is stopped by a signal (Linux; elsewhere, not known: False)."""
    if sys.platform != "linux":
        return False
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[:1] in (["T"], ["t"])
