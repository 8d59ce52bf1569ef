"""Faults of the write side: a worker's disk full, a dataset folder copied by hand, a lock file
that is not one. Each is one line and an exit code, the previous dataset kept."""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import SEEDS

from classifieds.cli import cli
from classifieds.run import export
from classifieds.store import catalogue

DATASET = [
    "listings.parquet",
    "listings.csv",
    "sightings.parquet",
    "rejects.jsonl",
    "inputs.parquet",
    "datapackage.json",
    "manifest.json",
]


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """40 pages: batches for a --jobs 2 worker once the main process has parsed two."""
    folder = tmp_path_factory.mktemp("crawl")
    text = SEEDS.joinpath("000_6780d8fc77309a8b.txt").read_bytes()
    for n in range(40):
        (folder / f"{n:05}.txt").write_bytes(text)
    return folder


def exported(*args: str) -> Any:
    return CliRunner().invoke(cli, ["export", *args, "-q"])


def files(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in DATASET}


def test_a_worker_that_cannot_spill_is_the_disk_s_one_line(
    tmp_path: Path, crawl: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker's ENOSPC writing its runs was an internal error carrying its traceback."""
    out = tmp_path / "data"
    assert exported(str(SEEDS), "-o", str(out)).exit_code == 0
    before = files(out)
    parent = os.getpid()
    write_run = catalogue._write_run

    def full(*args: Any) -> Path:
        if os.getpid() != parent:  # the forked worker only
            raise OSError(errno.ENOSPC, "No space left on device")
        return write_run(*args)

    monkeypatch.setattr(catalogue, "_write_run", full)
    monkeypatch.setattr(export, "BATCH_SIZE", 8)  # work for the worker after the warm-up
    result = exported(str(crawl), "-o", str(out), "--jobs", "2", "--memory-limit", "1K")
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert "Writing" in result.stderr and "No space left on device" in result.stderr
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr
    assert files(out) == before
