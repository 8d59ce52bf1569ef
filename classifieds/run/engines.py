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
from collections.abc import Callable, Generator, Iterable
from itertools import islice
from multiprocessing.process import BaseProcess
from typing import Any

from classifieds.errors import ClassifiedsError
from classifieds.parse.ads import AdBook
from classifieds.read import DEFAULT_JSONL_FIELDS, JsonlFields
from classifieds.run.batches import BatchOutput, Parser, Read, few_collections, read_pages
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
            ),
            daemon=True,
        )
        for k in range(count)
    ]

    def submit() -> None:
        for index, batch in islice(numbered, 1):
            tasks[index % count].put(batch)
            pending.append(index % count)

    for worker in workers:
        worker.start()
    for result in results:
        # This process never writes results: with its copy of the write end closed, as the
        # other workers closed theirs (_start), a worker killed mid-message (kill -9, the OOM
        # killer) ends the pipe, and the read fails at once instead of waiting forever.
        result._writer.close()
    try:
        for _ in range(count * IN_FLIGHT_PER_WORKER):
            submit()
        while pending:
            head = pending.popleft()
            if isinstance(head, BatchOutput):
                yield head
                continue
            output = _ready(results[head], workers[head])
            while output is None and len(pending) < 2 * count * IN_FLIGHT_PER_WORKER:
                batch = next(numbered, None)
                if batch is None:
                    break
                pending.append(parser.parse(batch[1]))  # its place: after those in flight
                output = _ready(results[head], workers[head])
            if output is None:
                output = _receive(results[head], workers[head])
            submit()
            yield output
        for task in tasks:
            task.put(None)
        ads = parser.catalogue
        del parser  # its caches (~5 KB an ad built) are not needed to write the listings
        for k in range(count):
            yield _receive(results[k], workers[k])
        yield ads
        for worker in workers:
            worker.join()
    finally:
        for worker in workers:
            if worker.is_alive():
                worker.kill()  # not terminate: workers ignore SIGTERM, the parent decides
                worker.join()


def _ready(results: Any, worker: BaseProcess) -> BatchOutput | Catalogue | None:
    """Return the next item of a worker's queue if it has come, else None."""
    try:
        return _checked(results.get_nowait())
    except queue.Empty:
        return None
    except (EOFError, OSError):
        raise _died(worker) from None


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
) -> None:
    """Worker loop: parse batches until told to stop, then send the catalogue.

    A forked worker is given its parent's book: it starts with the ads already built.
    """
    for stop in STOP_SIGNALS:  # Ctrl-C reaches the whole group: the parent decides
        signal.signal(stop, signal.SIG_IGN)
    die_with_parent(parent)
    parser = Parser(fields, book, read, catalogue=catalogue)
    try:
        with few_collections():
            while (batch := tasks.get()) is not None:
                results.put(parser.parse(batch))
        parser.catalogue.spill_all()  # sent as run files, if it can spill
        results.put(parser.catalogue)
    except Exception:  # a bug: report it to the parent rather than hang it
        results.put(_WorkerFailure(traceback.format_exc()))


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
    def __init__(self, details: str) -> None:
        self.details = details


def _receive(results: Any, worker: BaseProcess) -> BatchOutput | Catalogue:
    while True:
        try:
            item = results.get(timeout=1.0)
        except queue.Empty:
            if not worker.is_alive():
                raise _died(worker) from None
            continue
        except (EOFError, OSError):
            raise _died(worker) from None
        return _checked(item)


def _died(worker: BaseProcess) -> ClassifiedsError:
    worker.join(timeout=5)
    code = worker.exitcode
    cause = f"killed by signal {-code}" if code is not None and code < 0 else f"exit code {code}"
    return ClassifiedsError(
        f"A worker process died ({cause}); the dataset was left as it was. If memory is"
        " short (the OOM killer), run with fewer --jobs."
    )


def _checked(item: object) -> BatchOutput | Catalogue:
    """Return what a worker sent, raising its failure if it failed."""
    if isinstance(item, _WorkerFailure):
        raise RuntimeError(f"A worker process failed:\n{item.details}")
    assert isinstance(item, BatchOutput | Catalogue)
    return item
