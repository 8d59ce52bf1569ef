"""The Dask engine under faults: workers elsewhere, bad addresses, no workers, dying workers.

Every cluster here listens on 127.0.0.1 only, and stops with the test (or module) using it.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import DATA, SEEDS, html_page, write_warc

import classifieds
from classifieds.cli import cli
from classifieds.errors import ClassifiedsError
from classifieds.run.export import OUTPUTS

distributed = pytest.importorskip("dask.distributed")
LOCAL = {"host": "127.0.0.1", "dashboard_address": None}
# Two clusters at once: the second one's HTTP server (metrics, health) takes another port.
pytestmark = pytest.mark.filterwarnings("ignore:Port 8787 is already in use")


def dataset(folder: Path) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in OUTPUTS}


@pytest.fixture(scope="module")
def elsewhere(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The address of a cluster whose worker process runs in an empty folder of its own."""
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(tmp_path_factory.mktemp("worker-home"))  # the worker's working directory
        cluster = distributed.LocalCluster(
            n_workers=1, threads_per_worker=1, processes=True, **LOCAL
        )
    with cluster:
        yield cluster.scheduler_address


@pytest.fixture
def crawl(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A crawl named by relative paths from the working directory, ``here``: the fixture
    pages, a WARC archive, a file of unknown format at a long path, a symlink loop, a file
    name that is not UTF-8, and a second folder, up and over (``../there``), sharing ads."""
    here, there = tmp_path / "here", tmp_path / "there"
    pages = here / "crawl"
    shutil.copytree(DATA, pages)
    (pages / os.fsdecode(b"caf\xe9.txt")).write_bytes((DATA / "basic.txt").read_bytes())
    basic = (DATA / "basic.txt").read_text(encoding="utf-8")
    write_warc(
        pages / "archive.warc.gz",
        [
            {"url": "https://x.fr/1", "type": "request"},
            {"url": "https://x.fr/1", "body": html_page(basic).encode()},
            {"url": "https://x.fr/2", "body": b"not a page \x00\x01", "date": "yesterday"},
        ],
    )
    deep = pages / ("d" * 120)
    deep.mkdir()
    (deep / "notes.pdf").write_bytes(b"%PDF-1.4")
    os.symlink("loop", pages / "loop")
    there.mkdir()
    shutil.copy(DATA / "basic.txt", there / "basic.txt")
    monkeypatch.chdir(here)
    return here


def test_workers_elsewhere_write_the_local_bytes(elsewhere: str, crawl: Path) -> None:
    """Relative inputs, a worker in another folder: it reads them all, and the dataset names
    them as given, ranks them by those names and quotes them in rejects, as the local
    engine does."""
    inputs = ["crawl", "../there"]
    classifieds.build(inputs, "local")
    manifest = classifieds.build(inputs, "dask", engine="dask", scheduler=elsewhere)
    assert dataset(crawl / "dask") == dataset(crawl / "local")
    rejects = (crawl / "dask" / "rejects.jsonl").read_text(encoding="utf-8")
    assert '"source": "crawl/loop", "line": 0, "reason": "unreadable_file"' in rejects
    assert "'crawl/loop'" in rejects and str(crawl) not in rejects
    assert '"reason": "unknown_format", "text": "crawl/ddd' in rejects
    assert manifest.rejects_by_reason["unreadable_file"] == 1  # the loop, nothing else
    listings = classifieds.load(crawl / "dask")
    assert "../there/basic.txt" in set(listings["first_source"])  # ranked first, by its name


@pytest.mark.skipif(not Path("/proc/self/cwd").exists(), reason="needs /proc/self/cwd")
def test_inputs_no_worker_can_read_leave_the_dataset_as_it_was(
    elsewhere: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """/proc/self/cwd/pages is the pages here, and nothing in the worker's folder: the
    inputs this process lists, as on a machine whose workers lack the shared filesystem."""
    shutil.copytree(DATA, tmp_path / "pages")
    out = tmp_path / "out"
    classifieds.build([tmp_path / "pages"], out)
    before = dataset(out) | {"manifest.json": (out / "manifest.json").read_bytes()}
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ClassifiedsError, match=r"could read none of its \d+ inputs"):
        classifieds.build(["/proc/self/cwd/pages"], out, engine="dask", scheduler=elsewhere)
    assert dataset(out) | {"manifest.json": (out / "manifest.json").read_bytes()} == before


@pytest.fixture
def refusing() -> Iterator[str]:
    """An address where nothing listens: a port held, bound and not listening."""
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        yield f"tcp://127.0.0.1:{held.getsockname()[1]}"


@pytest.fixture
def silent() -> Iterator[str]:
    """An address that accepts connections and never speaks, as a dashboard's port does."""
    with socket.socket() as listening:
        listening.bind(("127.0.0.1", 0))
        listening.listen()
        yield f"tcp://127.0.0.1:{listening.getsockname()[1]}"


@pytest.fixture
def idle() -> Iterator[str]:
    """The address of a scheduler without workers."""
    with distributed.LocalCluster(n_workers=0, processes=False, protocol="tcp", **LOCAL) as c:
        yield c.scheduler_address


@pytest.mark.parametrize(
    ("address", "message"),
    [
        ("not a url", "Bad Dask scheduler address 'not a url' (missing port number"),
        ("tcp://", "Bad Dask scheduler address 'tcp://' (missing port number"),
        ("http://x:y", "Bad Dask scheduler address 'http://x:y' (unknown address scheme"),
        ("refusing", "No Dask scheduler answered at tcp://127.0.0.1:"),
        ("silent", "No Dask scheduler answered at tcp://127.0.0.1:"),
        ("idle", "has no worker (none came within 1 s). Start workers (dask worker tcp://"),
    ],
    ids=["not-a-url", "no-host", "http", "refused", "silent", "no-worker"],
)
def test_a_fault_of_the_cluster_is_one_line_and_leaves_no_folder(
    address: str, message: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    faulty = address in ("refusing", "silent", "idle")
    scheduler = request.getfixturevalue(address) if faulty else address
    out = tmp_path / "new"
    start = time.monotonic()
    with pytest.raises(ClassifiedsError) as raised:
        classifieds.build([SEEDS], out, engine="dask", scheduler=scheduler, dask_timeout=1)
    assert time.monotonic() - start < 10  # the timeout holds: Dask's own wait has no end
    assert message in str(raised.value) and "\n" not in str(raised.value)
    assert "--scheduler" in str(raised.value) or "tcp://host:8786" in str(raised.value)
    assert not out.exists()


def test_the_cli_prints_a_bad_address_as_one_line(tmp_path: Path) -> None:
    options = ["--engine", "dask", "--scheduler", "http://x:y"]
    result = CliRunner().invoke(cli, ["export", str(SEEDS), "-o", str(tmp_path / "new"), *options])
    assert result.exit_code == 1
    assert len(result.stderr.splitlines()) == 1 and "tcp://host:8786" in result.stderr
    assert "Traceback" not in result.output and not (tmp_path / "new").exists()


def test_stdin_is_refused_before_a_cluster_starts(tmp_path: Path) -> None:
    with pytest.raises(ClassifiedsError, match=r"Standard input \(-\) .* use --engine local"):
        classifieds.build(["-"], tmp_path / "new", engine="dask", scheduler="tcp://x:1")
    assert not (tmp_path / "new").exists()


def test_workers_that_die_on_a_batch_give_one_line(tmp_path: Path) -> None:
    import dask
    from distributed import WorkerPlugin

    class Killer(WorkerPlugin):  # defined here, so sent by value: workers need not import tests
        """Kill the worker process as a task starts: a batch that takes its worker down."""

        def transition(self, key: Any, start: str, finish: str, **kwargs: Any) -> None:
            if finish == "executing":
                os._exit(1)

    out = tmp_path / "new"
    with (
        dask.config.set({"distributed.scheduler.allowed-failures": 0}),
        distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, **LOCAL) as c,
    ):
        with distributed.Client(c.scheduler_address) as client:
            client.register_plugin(Killer())
        with pytest.raises(ClassifiedsError) as raised:
            classifieds.build([SEEDS], out, engine="dask", scheduler=c.scheduler_address)
    message = str(raised.value)
    assert message.startswith(
        "Dask workers died running a batch (worker deaths: 1, the last at tcp://"
    )
    assert "\n" not in message and "--memory-limit" in message
    assert not out.exists()


CLI = [sys.executable, "-m", "classifieds"]


def held_dask_export(tmp_path: Path) -> tuple[subprocess.Popen[str], int]:
    """Start a Dask export of the seeds and a FIFO, in a process group of its own, its
    temporary folder ``tmp_path / "tmp"``; return it and the FIFO's write end, opened once a
    worker reads the FIFO (the cluster is up)."""
    fifo = tmp_path / "zzpipe"
    os.mkfifo(fifo)
    (tmp_path / "tmp").mkdir()
    command = [*CLI, "export", str(SEEDS), str(fifo), "-o", str(tmp_path / "data"), "-q"]
    run = subprocess.Popen(
        [*command, "--engine", "dask", "--jobs", "2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # Ctrl-C reaches the whole group: the workers too
        env={**os.environ, "TMPDIR": str(tmp_path / "tmp")},
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            return run, os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        except OSError:
            assert run.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)


@pytest.mark.parametrize(
    ("stop", "code"),
    [(signal.SIGINT, 130), (signal.SIGTERM, 143)],
    ids=["SIGINT", "SIGTERM"],
)
def test_a_stop_signal_to_a_dask_export_is_one_line(tmp_path: Path, stop: int, code: int) -> None:
    """Ctrl-C in a terminal signals the process group: the workers of the local cluster log
    nothing, the export says one line and removes its cluster's scratch space."""
    run, writer = held_dask_export(tmp_path)
    try:
        os.killpg(run.pid, stop)
        os.close(writer)
        _, stderr = run.communicate(timeout=30)
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
            run.wait()
    assert run.returncode == code
    name = signal.Signals(stop).name
    assert (
        stderr == f"classifieds: stopped by {name}; a dataset being replaced was left as it was.\n"
    )
    assert not (tmp_path / "data").exists()
    assert list((tmp_path / "tmp").iterdir()) == []


def test_a_dask_export_leaves_nothing_in_the_temporary_folder(tmp_path: Path) -> None:
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    run = subprocess.run(
        [*CLI, "export", str(SEEDS), "-o", str(tmp_path / "data"), "--engine", "dask", "-q"],
        capture_output=True,
        text=True,
        env={**os.environ, "TMPDIR": str(scratch)},
        timeout=60,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert list(scratch.iterdir()) == []  # no dask-scratch-space/global.lock, purge.lock


STOPPED_AS_THE_CLUSTER_STARTS = """
import os, signal, sys, threading
import classifieds.run.distributed as engine
start = engine._local_cluster
def starting(*args):
    threading.Timer(0.3, os.killpg, (0, signal.SIGINT)).start()  # Ctrl-C as workers start
    return start(*args)
engine._local_cluster = starting
import classifieds.__main__ as entry
sys.argv = ["classifieds", *sys.argv[1:]]
entry.main()
"""


def test_ctrl_c_as_the_local_cluster_starts_is_one_line(tmp_path: Path) -> None:
    """The workers, importing, are born deaf to it; the export waits for the cluster to be
    up, to close it."""
    (tmp_path / "tmp").mkdir()
    command = ["export", str(SEEDS), "-o", str(tmp_path / "data"), "--engine", "dask"]
    run = subprocess.Popen(
        [sys.executable, "-c", STOPPED_AS_THE_CLUSTER_STARTS, *command],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        env={**os.environ, "TMPDIR": str(tmp_path / "tmp")},
    )
    try:
        _, stderr = run.communicate(timeout=30)
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
            run.wait()
    assert run.returncode == 130
    assert (
        stderr == "classifieds: stopped by SIGINT; a dataset being replaced was left as it was.\n"
    )
    assert list((tmp_path / "tmp").iterdir()) == []
