"""The Dask engine: batches of inputs parsed as tasks on a Dask cluster.

Needs the ``dask`` extra (``pip install 'classifieds[dask]'``). Every worker must see the input
paths (a shared filesystem or the same mount everywhere); the dataset is written by this
process. Tasks are stateless, each returning its batch's output and catalogue, so a task that
Dask retries or moves elsewhere gives the same result.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from itertools import islice
from typing import Any

from classifieds.errors import ClassifiedsError
from classifieds.read import JsonlFields
from classifieds.run.batches import BatchOutput, Parser
from classifieds.run.engines import IN_FLIGHT_PER_WORKER, Work
from classifieds.store.catalogue import Catalogue


def parse_task(batch: list[str], fields: JsonlFields) -> tuple[BatchOutput, Catalogue]:
    """Return the output and the catalogue of one batch: a Dask task."""
    parser = Parser(fields)
    return parser.parse(batch), parser.catalogue


def dask_engine(
    batches: Iterable[list[str]], scheduler: str | None, jobs: int, fields: JsonlFields
) -> Work:
    """Parse batches on the cluster at ``scheduler``, or on a new local one of ``jobs`` workers.

    A bounded window of tasks is in flight, so neither the cluster nor this process ever holds
    the whole crawl; results are taken in input order.
    """
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError as error:
        raise ClassifiedsError(
            "The Dask engine needs Dask: pip install 'classifieds[dask]'."
        ) from error
    cluster = None
    if scheduler is None:
        cluster = LocalCluster(
            n_workers=jobs, threads_per_worker=1, processes=True, dashboard_address=None
        )
    try:
        client = Client(scheduler or cluster)
    except OSError as error:
        raise ClassifiedsError(
            f"Cannot reach the Dask scheduler at {scheduler}: {error}. "
            "Check the address (tcp://host:8786) and that the scheduler is running."
        ) from error
    try:
        window = max(jobs, len(client.scheduler_info()["workers"])) * IN_FLIGHT_PER_WORKER
        numbered = iter(batches)
        in_flight: deque[Any] = deque(
            client.submit(parse_task, batch, fields, pure=False)
            for batch in islice(numbered, window)
        )
        while in_flight:
            output, catalogue = in_flight.popleft().result()
            for batch in islice(numbered, 1):
                in_flight.append(client.submit(parse_task, batch, fields, pure=False))
            yield output
            yield catalogue
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
