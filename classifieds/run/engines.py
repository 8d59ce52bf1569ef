"""Engines run the parsing of batches: in this process, in worker processes, or on Dask.

Every engine yields the :class:`~classifieds.run.batches.BatchOutput` of each batch in input order,
then the catalogues of ads its parsers built (in any order: merging them is commutative). The
run that consumes them writes the same files whatever the engine and the number of workers.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import queue
import signal
import sys
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Generator, Iterable, Sequence
from itertools import islice
from multiprocessing.process import BaseProcess
from typing import Any

from classifieds.errors import ClassifiedsError
from classifieds.parse.ads import AdBook
from classifieds.read import DEFAULT_JSONL_FIELDS, JsonlFields
from classifieds.run.batches import BatchOutput, Parser, Read, few_collections, read_pages
from classifieds.run.watchdog import DEFAULT_WORKER_TIMEOUT, Beat, Watchdog
from classifieds.stops import STOP_SIGNALS
from classifieds.store.catalogue import Catalogue

Work = Generator[BatchOutput | Catalogue, None, None]
IN_FLIGHT_PER_WORKER = 4
"""Batches queued per worker: enough to keep it busy, few enough to bound memory."""
FORK = sys.platform == "linux"
"""Workers are forked on Linux; elsewhere, where fork is unsafe (macOS) or missing (Windows),
spawned."""
_PR_SET_PDEATHSIG = 1
PARENT_WATCH_SECONDS = 1.0
"""Where the kernel cannot kill a worker with its parent, it looks this often."""
WARM_UP_BATCHES = 2
"""Batches parsed before forking: 6,000 ads drawn, most of a site's pool (the first batch of
a crawl costs ~10 times a later one, the third ~3 times)."""


NewCatalogue = Callable[[], Catalogue]
"""Makes each parser's catalogue: :class:`Catalogue`, or one that spills to a folder."""


def serial(
    batches: Iterable[list[str]],
    fields: JsonlFields = DEFAULT_JSONL_FIELDS,
    catalogue: NewCatalogue = Catalogue,
    read: Read = read_pages,
) -> Work:
    """Parse every batch in this process, each input read by ``read``."""
    parser = Parser(fields, catalogue=catalogue, read=read)
    for batch in batches:
        yield parser.parse(batch)
    ads = parser.catalogue
    del parser  # its caches (~5 KB an ad built) are not needed to write the listings
    yield ads


def processes(
    batches: Iterable[list[str]],
    jobs: int,
    fields: JsonlFields = DEFAULT_JSONL_FIELDS,
    catalogue: NewCatalogue = Catalogue,
    read: Read = read_pages,
    worker_timeout: float = DEFAULT_WORKER_TIMEOUT,
) -> Work:
    """Parse batches in ``jobs`` processes: ``jobs - 1`` workers, and this one as it waits.

    This process writes what the workers send, in input order; whenever the result it needs
    next is not ready, it parses the next batch itself rather than sit idle, so every CPU
    parses and none waits. Batch k for the workers goes to worker k mod (jobs - 1): the fixed
    assignment lets each result be read from its worker's queue in input order. Each process
    keeps its own catalogue, so an ad travels between processes once per worker, at the end,
    not once per sighting; a catalogue that can spill travels through its folder.

    On Linux the workers are forked after this process has parsed the first batches: they
    start at once, with the ads and widget pieces most pages show already built in the caches
    they inherit, instead of importing the package and building them all again.

    A worker that reads no page for ``worker_timeout`` seconds while it has work (stopped by
    SIGSTOP, hung; 0: wait for ever) is ended, and the run with it, as when one dies.
    """
    count = max(1, jobs - 1)
    numbered = enumerate(batches)
    parser = Parser(fields, catalogue=catalogue, read=read)
    pending: deque[int | BatchOutput] = deque()  # in input order: a batch's worker, or output
    if FORK:
        pending += (parser.parse(batch) for _, batch in islice(numbered, WARM_UP_BATCHES))
    context = multiprocessing.get_context("fork") if FORK else multiprocessing.get_context("spawn")
    tasks = [context.Queue() for _ in range(count)]
    results: list[Any] = [context.Queue() for _ in range(count)]
    beats = [Beat(context) for _ in range(count)]
    workers = [
        context.Process(
            target=_start,
            args=(
                tasks[k],
                results[k],
                _unused_ends(tasks, results, k) if FORK else [],
                fields,
                parser.book if FORK else None,
                os.getpid(),
                catalogue,
                read,
                beats[k],
            ),
            daemon=True,
        )
        for k in range(count)
    ]
    watchdog = Watchdog(workers, beats, worker_timeout)

    def submit() -> None:
        for index, batch in islice(numbered, 1):
            watchdog.sent(index % count)
            tasks[index % count].put(batch)
            pending.append(index % count)

    for worker in workers:
        worker.start()
    for result in results:
        # This process never writes results: with its copy of the write end closed, as the
        # other workers closed theirs (_start), a worker killed mid-message (kill -9, the OOM
        # killer) ends the pipe, and the read fails at once instead of waiting forever.
        result._writer.close()
    watchdog.start()
    try:
        for _ in range(count * IN_FLIGHT_PER_WORKER):
            submit()
        while pending:
            head = pending.popleft()
            if isinstance(head, BatchOutput):
                yield head
                continue
            output = _ready(results[head], workers[head], watchdog)
            while output is None and len(pending) < 2 * count * IN_FLIGHT_PER_WORKER:
                batch = next(numbered, None)
                if batch is None:
                    break
                pending.append(parser.parse(batch[1]))  # its place: after those in flight
                output = _ready(results[head], workers[head], watchdog)
            if output is None:
                output = _receive(results, workers, head, watchdog)
            submit()
            yield output
        for k, task in enumerate(tasks):
            watchdog.sent(k)
            task.put(None)
        ads = parser.catalogue
        del parser  # its caches (~5 KB an ad built) are not needed to write the listings
        for k in range(count):
            yield _receive(results, workers, k, watchdog)
        yield ads
        for worker in workers:
            worker.join()
    finally:
        watchdog.stop()
        for worker in workers:
            if worker.is_alive():
                worker.kill()  # not terminate: workers ignore SIGTERM, the parent decides
                worker.join()


def _ready(results: Any, worker: BaseProcess, watchdog: Watchdog) -> BatchOutput | Catalogue | None:
    """Return the next item of a worker's queue if it has come, else None."""
    try:
        return _checked(results.get_nowait())
    except queue.Empty:
        return None
    except (EOFError, OSError):
        raise _died(worker, watchdog.ended) from None


def _unused_ends(tasks: list[Any], results: list[Any], k: int) -> list[Any]:
    """Return the pipe ends a forked worker ``k`` inherits and never uses: both ends of the
    other workers' queues, the write end of its tasks and the read end of its results."""
    others = [end for j in range(len(tasks)) if j != k for end in _ends(tasks[j], results[j])]
    return [*others, tasks[k]._writer, results[k]._reader]


def _ends(*queues: Any) -> list[Any]:
    return [end for each in queues for end in (each._reader, each._writer)]


def _start(tasks: Any, results: Any, unused: list[Any], *args: Any) -> None:
    """Worker entry: close the pipe ends this worker does not use, then work.

    Holding another worker's result pipe open would keep it from ending when that worker dies
    mid-message (kill -9): the parent would wait forever for the rest of the message.
    """
    for end in unused:
        end.close()
    _work(tasks, results, *args)


def _work(
    tasks: Any,
    results: Any,
    fields: JsonlFields,
    book: AdBook | None,
    parent: int,
    catalogue: NewCatalogue = Catalogue,
    read: Read = read_pages,
    beat: Beat | None = None,
) -> None:
    """Worker loop: parse batches until told to stop, then send the catalogue.

    A forked worker is given its parent's book: it starts with the ads already built. Its
    ``beat`` counts its progress for the parent's watchdog.
    """
    for stop in STOP_SIGNALS:  # Ctrl-C reaches the whole group: the parent decides
        signal.signal(stop, signal.SIG_IGN)
    die_with_parent(parent)
    parser = Parser(fields, book, read if beat is None else beat.counted(read), catalogue=catalogue)
    try:
        with few_collections():
            while (batch := _take(tasks, beat)) is not None:
                results.put(parser.parse(batch))
                if beat is not None:
                    beat.tick()
        parser.catalogue.spill_all()  # sent as run files, if it can spill
        results.put(parser.catalogue)
    except OSError as error:  # writing its runs into the generation: a disk full, a folder gone
        results.put(_WorkerFailure(traceback.format_exc(), _os_error(error)))
    except Exception:  # a bug: report it to the parent rather than hang it
        results.put(_WorkerFailure(traceback.format_exc()))
    if beat is not None:
        beat.idle.value = 1  # done: what it sent is read at the parent's pace


def _take(tasks: Any, beat: Beat | None) -> list[str] | None:
    """Return the next batch for a worker (None: stop), its beat idle as it waits."""
    if beat is None:
        return tasks.get()  # type: ignore[no-any-return]
    beat.idle.value = 1
    batch = tasks.get()
    beat.taken.value += 1
    beat.idle.value = 0
    beat.tick()
    return batch  # type: ignore[no-any-return]


def die_with_parent(parent: int) -> None:
    """Make this worker die when its parent (process ``parent``) does, even by kill -9: no
    orphan keeps parsing.

    Linux kills it at once (``PR_SET_PDEATHSIG``); elsewhere a thread watches the parent.
    """
    if os.getppid() != parent:  # it died already
        os._exit(1)
    if sys.platform == "linux":
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0:
            if os.getppid() != parent:  # the parent died before the call
                os._exit(1)
            return
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_WATCH_SECONDS)
    os._exit(1)


class _WorkerFailure:
    """What a worker that failed sends its parent: the traceback, and for a fault of the
    system (``ENOSPC`` writing its spilled runs) its errno, message and file name."""

    def __init__(
        self, details: str, os_error: tuple[int | None, str | None, str | None] | None = None
    ) -> None:
        self.details = details
        self.os_error = os_error


def _os_error(error: OSError) -> tuple[int | None, str | None, str | None]:
    """Return what makes ``error`` again in another process (its attributes pickle; a
    subclass of a library might not)."""
    filename = error.filename if isinstance(error.filename, str) else None
    return error.errno, error.strerror or str(error), filename


def _receive(
    results: list[Any], workers: Sequence[BaseProcess], k: int, watchdog: Watchdog
) -> BatchOutput | Catalogue:
    """Wait for the next item of worker ``k``, which owes it: the watchdog ends the worker if
    it stalls, even midway through sending it."""
    worker = workers[k]
    watchdog.awaiting = k
    try:
        while True:
            try:
                item = results[k].get(timeout=1.0)
            except queue.Empty:
                if worker.is_alive():
                    continue
                item = _last_word(results[k], worker, watchdog)
            except (EOFError, OSError):
                raise _died(worker, watchdog.ended) from None
            return _checked(item)
    finally:
        watchdog.awaiting = None


def _last_word(results: Any, worker: BaseProcess, watchdog: Watchdog) -> object:
    """Return what a worker that ended sent just before: a worker flushes its queue as it
    exits, so it may end between a wait that timed out and the check that it lives (its
    failure, or its catalogue, was then taken for a death)."""
    try:
        return results.get_nowait()
    except (queue.Empty, EOFError, OSError):
        raise _died(worker, watchdog.ended) from None


def _died(worker: BaseProcess, ended: dict[int, str]) -> ClassifiedsError:
    """Return the error that ends a run whose worker died, or was ended by the watchdog
    (``ended``: why, by pid)."""
    worker.join(timeout=5)
    if worker.pid in ended:
        return ClassifiedsError(
            f"A worker process {ended[worker.pid]} and was ended; the dataset was left as it"
            " was. If a page of its inputs takes longer to read, raise --worker-timeout."
        )
    code = worker.exitcode
    cause = f"killed by signal {-code}" if code is not None and code < 0 else f"exit code {code}"
    return ClassifiedsError(
        f"A worker process died ({cause}); the dataset was left as it was. If memory is"
        " short (the OOM killer), run with fewer --jobs."
    )


def _checked(item: object) -> BatchOutput | Catalogue:
    """Return what a worker sent, raising its failure if it failed."""
    if isinstance(item, _WorkerFailure):
        if item.os_error is not None:  # the run's fault, told as if this process met it
            number, message, filename = item.os_error
            raise OSError(number, message, filename)
        raise RuntimeError(f"A worker process failed:\n{item.details}")
    assert isinstance(item, BatchOutput | Catalogue)
    return item
