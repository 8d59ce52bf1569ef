"""The worker processes of an export: what the main process makes of one that ends."""

from __future__ import annotations

import multiprocessing
import queue
from typing import Any

import pytest

from classifieds.errors import ClassifiedsError
from classifieds.run import engines
from classifieds.run.watchdog import Watchdog
from classifieds.store.catalogue import Catalogue


def _send(results: Any, item: object) -> None:
    if item is not None:
        results.put(item)


class _Late:
    """A worker's queue whose timed wait ends just before what the worker sent comes."""

    def __init__(self, results: Any) -> None:
        self._results = results

    def get(self, timeout: float) -> object:
        raise queue.Empty

    def get_nowait(self) -> object:
        return self._results.get_nowait()


def _ended_worker(item: object) -> tuple[Any, Any]:
    context = multiprocessing.get_context("fork" if engines.FORK else "spawn")
    results = context.Queue()
    worker = context.Process(target=_send, args=(results, item))
    worker.start()
    worker.join()  # it flushed its queue as it exited
    return worker, results


def test_a_worker_that_ends_right_after_it_sends_is_not_taken_for_dead() -> None:
    """Its catalogue (or its failure) was lost, and the run ended: "a worker process died
    (exit code 0)", about one run in twenty of a test on a loaded machine."""
    worker, results = _ended_worker(Catalogue())
    watchdog = Watchdog([worker], [], 0)
    assert isinstance(engines._receive([_Late(results)], [worker], 0, watchdog), Catalogue)


def test_a_worker_that_ends_without_a_word_is_dead() -> None:
    worker, results = _ended_worker(None)
    with pytest.raises(ClassifiedsError, match="died"):
        engines._receive([_Late(results)], [worker], 0, Watchdog([worker], [], 0))
