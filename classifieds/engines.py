"""Engines run the parsing of batches: in this process, in worker processes, or on Dask.

Every engine yields the :class:`~classifieds.batches.BatchOutput` of each batch in input order,
then the catalogues of ads its parsers built (in any order: merging them is commutative). The
run that consumes them writes the same files whatever the engine and the number of workers.
"""

from __future__ import annotations

import multiprocessing
import queue
import signal
import traceback
from collections import deque
from collections.abc import Iterable, Iterator
from itertools import islice
from multiprocessing.process import BaseProcess
from typing import Any

from classifieds.batches import BatchOutput, Parser
from classifieds.dedup import Catalogue
from classifieds.errors import ClassifiedsError
from classifieds.formats import DEFAULT_JSONL_FIELDS, JsonlFields

Work = Iterator[BatchOutput | Catalogue]
IN_FLIGHT_PER_WORKER = 4
"""Batches queued per worker: enough to keep it busy, few enough to bound memory."""


def serial(batches: Iterable[list[str]], fields: JsonlFields = DEFAULT_JSONL_FIELDS) -> Work:
    """Parse every batch in this process."""
    parser = Parser(fields)
    for batch in batches:
        yield parser.parse(batch)
    yield parser.catalogue


def processes(
    batches: Iterable[list[str]], jobs: int, fields: JsonlFields = DEFAULT_JSONL_FIELDS
) -> Work:
    """Parse batches in ``jobs`` worker processes, batch k going to worker k mod jobs.

    The fixed assignment lets each result be read from its worker's queue in input order; each
    worker keeps its own ad cache and catalogue, so an ad travels between processes once per
    worker, at the end, not once per sighting.
    """
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["classifieds.batches"])
    tasks = [context.Queue() for _ in range(jobs)]
    results = [context.Queue() for _ in range(jobs)]
    workers = [
        context.Process(target=_work, args=(tasks[k], results[k], fields), daemon=True)
        for k in range(jobs)
    ]
    for worker in workers:
        worker.start()
    try:
        numbered = enumerate(batches)
        pending: deque[int] = deque()  # the worker of each batch in flight, in input order

        def submit() -> None:
            for index, batch in islice(numbered, 1):
                tasks[index % jobs].put(batch)
                pending.append(index % jobs)

        for _ in range(jobs * IN_FLIGHT_PER_WORKER):
            submit()
        while pending:
            k = pending.popleft()
            output = _receive(results[k], workers[k])
            submit()
            yield output
        for task in tasks:
            task.put(None)
        for k in range(jobs):
            yield _receive(results[k], workers[k])
        for worker in workers:
            worker.join()
    finally:
        for worker in workers:
            if worker.is_alive():
                worker.terminate()


def _work(tasks: Any, results: Any, fields: JsonlFields) -> None:
    """Worker loop: parse batches until told to stop, then send the catalogue."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    parser = Parser(fields)
    try:
        while (batch := tasks.get()) is not None:
            results.put(parser.parse(batch))
        results.put(parser.catalogue)
    except Exception:  # a bug: report it to the parent rather than hang it
        results.put(_WorkerFailure(traceback.format_exc()))


class _WorkerFailure:
    def __init__(self, details: str) -> None:
        self.details = details


def _receive(results: Any, worker: BaseProcess) -> BatchOutput | Catalogue:
    while True:
        try:
            item = results.get(timeout=1.0)
        except queue.Empty:
            if not worker.is_alive():
                raise ClassifiedsError(
                    f"A worker process died (exit code {worker.exitcode}). "
                    "If memory is short, run with fewer --jobs."
                ) from None
            continue
        if isinstance(item, _WorkerFailure):
            raise RuntimeError(f"A worker process failed:\n{item.details}")
        assert isinstance(item, BatchOutput | Catalogue)
        return item
