"""The Dask engine: batches of inputs parsed as tasks on a Dask cluster.

Needs the ``dask`` extra (``pip install 'classifieds[dask]'``). Inputs at URLs (``s3://``...)
are sent as URLs, with the storage options, and each worker opens them itself: the client
sends no page's bytes, and the cluster needs no shared filesystem. Local inputs must be seen
by every worker (a shared filesystem or the same mount everywhere). A worker runs in a
folder of its own, so it is sent each input's absolute path, made from this process's
working directory, with the name the input was given: the dataset, written by this process,
names the inputs as the local engine does, byte for byte. Standard input cannot reach a
worker: a run reading ``-`` fails before it starts a cluster, and says to use the local
engine. Tasks are stateless, each returning its batch's output and catalogue, so a task that
Dask retries or moves elsewhere gives the same result.

A fault of the cluster is a one-line ClassifiedsError that says what to fix: an address that is
malformed or where no scheduler answers within ``timeout`` seconds, a scheduler that has no
worker for as long, workers that die running a task (KilledWorker).
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import tempfile
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from itertools import chain, islice
from typing import TYPE_CHECKING, Any

from classifieds.errors import ClassifiedsError
from classifieds.models import Reject
from classifieds.read import (
    STDIN,
    InputFacts,
    JsonlFields,
    Page,
    Skipped,
    read_input,
)
from classifieds.read.remote import NO_OPTIONS, StorageOptions, is_url
from classifieds.run.batches import BatchOutput, Parser
from classifieds.run.engines import IN_FLIGHT_PER_WORKER, Work
from classifieds.stops import STOP_SIGNALS, stops_deferred
from classifieds.store.catalogue import Catalogue

if TYPE_CHECKING:
    from dask.distributed import Client

DEFAULT_TIMEOUT = 60.0
"""Seconds to wait for the scheduler to answer, then for a first worker."""
Located = list[tuple[str, str]]
"""A batch as sent to a worker: each input's absolute path, and its name as given."""


def parse_task(
    inputs: Located, fields: JsonlFields, storage_options: dict[str, Any] | None = None
) -> tuple[BatchOutput, Catalogue]:
    """Return the output and the catalogue of one batch: a Dask task."""
    paths = dict((name, path) for path, name in inputs)
    parser = Parser(fields, read=_Relocated(paths, storage_options or {}))
    return parser.parse([name for _, name in inputs]), parser.catalogue


@dataclass(frozen=True)
class _Relocated:
    """Read each input at its absolute path, naming what it holds by the name it was given."""

    paths: dict[str, str]
    storage_options: dict[str, Any]

    def __call__(
        self, source: str, fields: JsonlFields, facts: InputFacts
    ) -> Iterator[Page | Reject | Skipped]:
        path = self.paths.get(source, source)
        return read_input(
            path,
            fields,
            widget_only=True,
            facts=facts,
            given=source,
            storage_options=self.storage_options,
        )


def _located(batch: list[str], folder: str) -> Located:
    """Return the inputs of ``batch`` with their paths from ``folder``, for a worker."""
    if STDIN in batch:
        raise ClassifiedsError(
            "Standard input (-) cannot be read by Dask workers; use --engine local, or save"
            " it to a file the workers can read."
        )
    # A join, not abspath: "a/../b" stays what the filesystem makes of it, through symlinks.
    # A URL is the same everywhere.
    return [(name if is_url(name) else os.path.join(folder, name), name) for name in batch]


def dask_engine(
    batches: Iterable[list[str]],
    scheduler: str | None,
    jobs: int,
    fields: JsonlFields,
    timeout: float = DEFAULT_TIMEOUT,
    storage_options: StorageOptions = NO_OPTIONS,
) -> Work:
    """Parse batches on the cluster at ``scheduler``, or on a new local one of ``jobs`` workers.

    A bounded window of tasks is in flight, so neither the cluster nor this process ever holds
    the whole crawl; results are taken in input order. Connecting, and finding a worker, each
    give up after ``timeout`` seconds. ``storage_options`` go with every task, for the
    workers to open the URLs.
    """
    try:
        from dask.distributed import KilledWorker
    except ImportError as error:
        raise ClassifiedsError(
            "The Dask engine needs Dask: pip install 'classifieds[dask]'."
        ) from error
    folder = os.getcwd()
    tasks = (_located(batch, folder) for batch in batches)
    first = list(islice(tasks, 1))  # stdin fails here, before a cluster starts
    if not first:
        return
    with ExitStack() as stack:
        if scheduler is None:
            # Its scratch space (locks, workers' folders) in a folder of the run's, removed
            # after; a stop signal waits until it has started, for it to be closed.
            scratch = stack.enter_context(
                tempfile.TemporaryDirectory(prefix="classifieds-dask-", ignore_cleanup_errors=True)
            )
            with stops_deferred(), _born_deaf():
                cluster = _local_cluster(jobs, scratch)
                stack.callback(cluster.close)
            scheduler = cluster.scheduler_address
        client = _connect(scheduler, timeout)
        stack.callback(client.close)
        try:
            window = max(jobs, sum(client.nthreads().values())) * IN_FLIGHT_PER_WORKER
            options = dict(storage_options)  # a plain dict: it is pickled with each task
            yield from _results(client, chain(first, tasks), fields, window, options)
        except KilledWorker as error:
            raise ClassifiedsError(
                "Dask workers died running a batch (worker deaths:"
                f" {error.allowed_failures + 1}, the last at {error.last_worker.address}); the"
                " dataset was left as it was. Read"
                " the worker logs: if they ran out of memory, give them more (dask worker"
                " --memory-limit), or use --engine local."
            ) from error


@contextmanager
def _born_deaf() -> Iterator[None]:
    """Block the stop signals in this thread inside: the threads started inside, and the
    processes they start, are born with them blocked (Ctrl-C reaches the whole process group;
    a Dask worker starting would print a traceback). This thread gets them on the way out."""
    if not hasattr(signal, "pthread_sigmask"):  # Windows
        yield
        return
    from multiprocessing import resource_tracker

    mask = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        # Started by a thread of Dask's, multiprocessing's tracker would unblock SIGINT and
        # SIGTERM in it once spawned, as it does here: block them again.
        resource_tracker.ensure_running()
        signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)


def _local_cluster(jobs: int, scratch: str) -> Any:
    """Return a new local cluster of ``jobs`` quiet workers, its files in ``scratch``."""
    from dask.distributed import LocalCluster

    return LocalCluster(
        n_workers=jobs,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",  # a cluster of this machine listens to no other
        dashboard_address=None,
        silence_logs=logging.CRITICAL,
        local_directory=scratch,
        # Its HTTP server (metrics) on a free port of 127.0.0.1: by default it takes 8787 on
        # every interface, and warns on stderr when another cluster has it.
        scheduler_kwargs={"local_directory": scratch, "dashboard_address": "127.0.0.1:0"},
        preload=[__name__],  # dask_setup, in each worker
    )


def dask_setup(worker: object) -> None:
    """Make a worker of the local cluster an export starts a quiet one (Dask's preload hook).

    Ctrl-C reaches the whole process group: the export decides, and closes the cluster, as
    with its own workers. Dask's logs are not the user's: a stopped run cancels tasks, which
    log warnings and tracebacks after its one line; what fails reaches the user as a one-line
    error of the export.
    """
    for stop in STOP_SIGNALS:
        signal.signal(stop, signal.SIG_IGN)
    logging.getLogger("distributed").setLevel(logging.CRITICAL)


def _connect(scheduler: str, timeout: float) -> Client:
    """Return a client of the scheduler at ``scheduler`` once it has a worker."""
    from dask.distributed import Client

    try:
        _handshake(scheduler, timeout)
        client = Client(scheduler, timeout=timeout)
    except (ValueError, TypeError) as error:  # TypeError: tls:// without TLS settings
        raise ClassifiedsError(
            f"Bad Dask scheduler address {scheduler!r} ({_cause(error)}). Give it as"
            " tcp://host:8786 (tls:// needs Dask's TLS settings)."
        ) from error
    except OSError as error:  # refused, unreachable, or silent: TimeoutError is one
        raise ClassifiedsError(
            f"No Dask scheduler answered at {scheduler} within {timeout:g} s"
            f" ({_cause(error)}). Check --scheduler (the scheduler's port, 8786 by default,"
            " not the dashboard's) and that the scheduler is running."
        ) from error
    try:
        client.wait_for_workers(1, timeout=timeout)
    except TimeoutError as error:
        client.close()
        raise ClassifiedsError(
            f"The Dask scheduler at {scheduler} has no worker (none came within"
            f" {timeout:g} s). Start workers (dask worker {scheduler} --nthreads 1), or check"
            " --scheduler."
        ) from error
    return client


def _handshake(address: str, timeout: float) -> None:
    """Raise unless a Dask server at ``address`` completes a handshake within ``timeout``.

    Dask's own connection waits for the handshake without a deadline: at a port that accepts
    and stays silent (the dashboard's, 8787, for the scheduler's) it would wait forever.
    """
    from distributed.comm.core import connect as open_comm
    from distributed.security import Security

    async def shake() -> None:
        arguments = Security().get_connection_args("client")
        comm = await asyncio.wait_for(open_comm(address, timeout, **arguments), timeout)
        await comm.close()

    # An event loop of its own, in a thread: the caller may be running one (Jupyter).
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, shake()).result()


def _results(
    client: Client,
    tasks: Iterator[Located],
    fields: JsonlFields,
    window: int,
    options: dict[str, Any],
) -> Work:
    def submit(task: Located) -> Any:
        return client.submit(parse_task, task, fields, options or None, pure=False)

    in_flight: deque[Any] = deque(submit(task) for task in islice(tasks, window))
    while in_flight:
        output, catalogue = in_flight.popleft().result()
        for task in islice(tasks, 1):
            in_flight.append(submit(task))
        yield output
        yield catalogue


def _cause(error: BaseException) -> str:
    """Return an error's message on one line, or its kind when it has none (a timeout)."""
    return " ".join(str(error).split()) or type(error).__name__
