"""Scale: the same files whatever the engine and the number of workers; bounded memory."""

from __future__ import annotations

import gc
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SEEDS

import classifieds
from classifieds.cli import cli

BENCH = Path(__file__).parents[2] / "bench"
OUTPUTS = ("listings.parquet", "listings.csv", "sightings.parquet", "rejects.jsonl")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated crawl of 600 pages with every variation of the data contract."""
    sys.path.insert(0, str(BENCH))
    try:
        from generate import generate
    finally:
        sys.path.remove(str(BENCH))
    folder = tmp_path_factory.mktemp("corpus")
    generate(600, folder, seed=7)
    return folder


def files(folder: Path) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in OUTPUTS}


@pytest.fixture(scope="module")
def serial_export(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("serial")
    classifieds.build([corpus, SEEDS], out, jobs=1)
    return out


@pytest.mark.parametrize("fork", [True, False], ids=["forked", "spawned"])
def test_worker_processes_write_the_same_bytes(
    corpus: Path, serial_export: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fork: bool
) -> None:
    """Forked workers start with the caches of the first batches, spawned ones empty: the
    files are those of one process either way."""
    from classifieds.run import engines, export

    monkeypatch.setattr(engines, "FORK", fork)
    monkeypatch.setattr(export, "BATCH_SIZE", 40)  # work for the worker after the warm-up
    manifest = classifieds.build([corpus, SEEDS], tmp_path, jobs=2)
    assert files(tmp_path) == files(serial_export)
    assert manifest.pages > 500 and manifest.listings > 100 and manifest.rejects > 0


def test_an_interrupted_export_stops_its_workers(corpus: Path, tmp_path: Path) -> None:
    """Interrupted (here by its progress callback), an export stops its workers at once and
    leaves no output, while the exception is still being handled."""
    import multiprocessing

    def interrupt(batch: object) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        classifieds.build([corpus], tmp_path / "out", jobs=2, progress=interrupt)
    assert multiprocessing.active_children() == []
    assert not (tmp_path / "out").exists()  # the folder it made is gone


@pytest.mark.parametrize("fork", [True, False], ids=["forked", "spawned"])
def test_a_worker_killed_mid_run_ends_the_export_at_once(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fork: bool
) -> None:
    """A worker killed (kill -9, the OOM killer) ends the export with one error, the previous
    dataset intact, instead of leaving it waiting forever for the worker's results."""
    import multiprocessing
    import os
    import signal

    from classifieds.errors import ClassifiedsError
    from classifieds.run import engines, export

    monkeypatch.setattr(engines, "FORK", fork)
    monkeypatch.setattr(export, "BATCH_SIZE", 20)
    out = tmp_path / "out"
    classifieds.build([SEEDS], out)

    def kill_worker(batch: object) -> None:
        for child in multiprocessing.active_children():
            os.kill(child.pid or 0, signal.SIGKILL)

    with pytest.raises(ClassifiedsError, match=r"worker process died \(killed by signal 9\)"):
        classifieds.build([corpus], out, jobs=2, progress=kill_worker)
    assert multiprocessing.active_children() == []
    assert len(classifieds.load(out)) == 12  # the seed page's dataset, whole


def test_dask_engine_writes_the_same_bytes(
    corpus: Path, serial_export: Path, tmp_path: Path
) -> None:
    pytest.importorskip("dask.distributed")
    classifieds.build([corpus, SEEDS], tmp_path, jobs=2, engine="dask")
    assert files(tmp_path) == files(serial_export)


def test_batches_merge_like_one_pass(
    corpus: Path, serial_export: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from classifieds.run import export

    monkeypatch.setattr(export, "BATCH_SIZE", 7)  # many batches, odd boundaries
    classifieds.build([corpus, SEEDS], tmp_path, jobs=3)
    assert files(tmp_path) == files(serial_export)


def test_parsing_collects_garbage_less_often_and_restores_the_threshold() -> None:
    from classifieds.run.batches import YOUNG_COLLECTION_THRESHOLD, few_collections

    before = gc.get_threshold()
    with pytest.raises(KeyError), few_collections():
        assert gc.get_threshold() == (YOUNG_COLLECTION_THRESHOLD, *before[1:])
        raise KeyError  # an export that fails still gives the threshold back
    assert gc.get_threshold() == before


def test_no_progress_output_when_stderr_is_not_a_terminal(corpus: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["export", str(corpus), "-o", str(tmp_path), "--jobs", "2"])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert result.stdout.splitlines()[0].endswith(f"rejects -> {tmp_path}/")


def test_verbose_warns_about_rejected_files(data_dir: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["export", str(data_dir), "-o", str(tmp_path), "-v"])
    assert result.exit_code == 0
    assert "binary.txt: binary_file" in result.stderr and "empty.txt: empty_file" in result.stderr


def test_scheduler_needs_the_dask_engine(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["export", str(SEEDS), "-o", str(tmp_path), "--scheduler", "tcp://x:1"]
    )
    assert result.exit_code == 2 and "--engine dask" in result.stderr


def peak_rss_kib(corpus: Path, out: Path) -> int:
    script = (
        "import resource, classifieds;"
        f"classifieds.build([{str(corpus)!r}], {str(out)!r}, jobs=1);"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    return int(result.stdout)


def test_memory_does_not_grow_with_sightings(tmp_path: Path) -> None:
    """Four times the pages (and sightings) over the same pool of ads: memory stays flat,
    because sightings go to disk as they come and only unique ads are kept."""
    sys.path.insert(0, str(BENCH))
    try:
        from generate import generate
    finally:
        sys.path.remove(str(BENCH))
    generate(1500, tmp_path / "small", seed=1)
    generate(6000, tmp_path / "large", seed=1)
    small = peak_rss_kib(tmp_path / "small", tmp_path / "out-small")
    large = peak_rss_kib(tmp_path / "large", tmp_path / "out-large")
    assert large < small * 1.15, (small, large)


def test_sightings_writer_holds_less_than_a_row_group(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from classifieds.store import dataset

    monkeypatch.setattr(dataset, "SIGHTINGS_ROW_GROUP", 10)
    writer = dataset.RowGroupWriter(tmp_path / "s.parquet", dataset.SIGHTINGS_SCHEMA)
    rows = dataset.SightingRows(
        ["id"] * 7, ["src"] * 7, [1] * 7, [1] * 7, [None] * 7, [1.0] * 7, [None] * 7, [None] * 7
    )
    for _ in range(20):
        writer.write(rows.to_batch())
        assert writer._pending_rows < 10
    writer.close()
    assert writer.rows == 140


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_progress_bar_on_a_terminal(corpus: Path, tmp_path: Path, jobs: str) -> None:
    """On a terminal, stderr shows a bar with files, a total, ads and rejects; stdout stays data.

    With two jobs the worker forks from a process whose bar has threads (the file count and
    tqdm's monitor) and the command ends without the interpreter's teardown: the report must
    still reach stdout whole."""
    pty = pytest.importorskip("pty")
    import fcntl
    import os
    import struct
    import termios

    controller, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 120, 0, 0))
    command = [
        sys.executable,
        "-m",
        "classifieds",
        "export",
        str(corpus),
        "-o",
        str(tmp_path),
        "-j",
        jobs,
    ]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=terminal)
    os.close(terminal)
    shown = b""
    while True:
        try:
            chunk = os.read(controller, 4096)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    stdout, _ = process.communicate()
    assert process.returncode == 0
    final = shown.decode().replace("\r", "\n").strip().splitlines()[-1]
    assert final.startswith("export: 100%") and "600/600" in final
    # Counts as integers (tqdm would show 2e+04), sightings named as sightings.
    assert re.search(r"pages=\d+, sightings=\d+, rejects=\d+]", final), final
    assert b"export:" not in stdout
    report = stdout.decode()
    assert re.match(r"\d+ listings from \d+ sightings", report), report
    assert "manifest.json\n" in report and report.endswith("\n")
