"""A --jobs worker that makes no progress: stopped by SIGSTOP (or a debugger), or hung. The
export ends within --worker-timeout with one line and the old dataset kept, where it waited
for ever; a worker slow on each page, but reading them, is not ended."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from conftest import DATA, SEEDS
from test_processes import DATASET_FILES, wait_gone

import classifieds
from classifieds.store.folder import check_whole

SLOW_PAGES = """
import os, sys, time
import classifieds.cli as cli
from classifieds.parse.ads import AdBook
parent, pause = os.getpid(), float(sys.argv.pop(1))
occurrences = AdBook.occurrences
def slow(self, *args):  # each page of a worker takes this long
    if os.getpid() != parent:
        time.sleep(pause)
    return occurrences(self, *args)
AdBook.occurrences = slow
sys.argv = ["classifieds", *sys.argv[1:]]
cli.main()
"""


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """600 pages: two batches for the warm-up, then one (88 pages) for the worker."""
    folder = tmp_path_factory.mktemp("crawl")
    text = SEEDS.joinpath("000_6780d8fc77309a8b.txt").read_bytes()
    for n in range(600):
        (folder / f"{n:05}.txt").write_bytes(text)
    return folder


def export(
    tmp_path: Path, crawl: Path, pause: float, timeout: float
) -> tuple[subprocess.Popen[str], Path]:
    out = tmp_path / "data"
    classifieds.build([DATA / "basic.txt"], out)
    args = [str(pause), "export", str(crawl), "-o", str(out), "-q", "--jobs", "2"]
    run = subprocess.Popen(
        [sys.executable, "-c", SLOW_PAGES, *args, "--worker-timeout", str(timeout)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    return run, out


def worker_of(run: subprocess.Popen[str]) -> int:
    deadline = time.monotonic() + 30
    while not (children := psutil.Process(run.pid).children()):
        assert run.poll() is None and time.monotonic() < deadline, "no worker started"
        time.sleep(0.01)
    return children[0].pid


def finish(run: subprocess.Popen[str], seconds: float) -> str:
    try:
        _, stderr = run.communicate(timeout=seconds)
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)  # the hang this test is about: workers too
            run.wait()
    return stderr


def test_a_worker_stopped_by_sigstop_ends_the_export_within_the_timeout(
    tmp_path: Path, crawl: Path
) -> None:
    run, out = export(tmp_path, crawl, pause=0.01, timeout=1)
    before = classifieds.load(out)
    worker = worker_of(run)
    os.kill(worker, signal.SIGSTOP)
    started = time.monotonic()
    stderr = finish(run, seconds=20)
    assert time.monotonic() - started < 8  # 1 s without progress, then ended
    assert run.returncode == 1
    assert stderr.count("\n") == 1 and "made no progress for 1 s (stopped: SIGSTOP" in stderr
    assert "--worker-timeout" in stderr and "Traceback" not in stderr
    assert wait_gone([worker]) == []
    check_whole(out, DATASET_FILES)
    assert classifieds.load(out).equals(before)


def test_a_worker_slow_on_every_page_is_not_ended(tmp_path: Path, crawl: Path) -> None:
    """Its batch takes twice the timeout, and each of its pages a fiftieth of it."""
    run, out = export(tmp_path, crawl, pause=0.02, timeout=1)
    stderr = finish(run, seconds=60)
    assert (run.returncode, stderr) == (0, "")
    assert classifieds.load(out)["n_sightings"].sum() == 600 * 12
