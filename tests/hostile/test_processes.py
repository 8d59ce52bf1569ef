"""Faults of processes: stop signals mid-export, the main process killed, a dead stdout, a bug.

An export is held mid-run by a FIFO among its inputs that the test opens and never writes:
the workers are up, the staging folder written, and the reader waits.
"""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import psutil
import pytest
from conftest import DATA, SEEDS

import classifieds
from classifieds.errors import ClassifiedsError, OutputError
from classifieds.store.folder import check_whole

DATASET_FILES = [
    "listings.parquet",
    "listings.csv",
    "sightings.parquet",
    "rejects.jsonl",
    "inputs.parquet",
]
CLI = [sys.executable, "-m", "classifieds"]


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """600 pages: enough batches for --jobs 2 to start a worker."""
    folder = tmp_path_factory.mktemp("crawl")
    text = SEEDS.joinpath("000_6780d8fc77309a8b.txt").read_bytes()
    for n in range(600):
        (folder / f"{n:05}.txt").write_bytes(text)
    return folder


def held_export(
    tmp_path: Path, crawl: Path, out: Path, ignored: tuple[int, ...] = ()
) -> tuple[subprocess.Popen[bytes], int]:
    """Start an export that waits on a FIFO after its pages, with the signals ``ignored``
    ignored as it starts; return it and the FIFO's write end, opened once the export reads
    the FIFO."""
    fifo = tmp_path / "zzpipe"
    os.mkfifo(fifo)

    def ignore() -> None:  # as nohup does, or a shell script starting a job with &
        for signum in ignored:
            signal.signal(signum, signal.SIG_IGN)

    run = subprocess.Popen(
        [*CLI, "export", str(crawl), str(fifo), "--out", str(out), "--jobs", "2", "-q"],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        preexec_fn=ignore,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            return run, os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)  # once a reader waits
        except OSError:
            assert run.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)


def wait_gone(pids: list[int], seconds: float = 10.0) -> list[int]:
    deadline = time.monotonic() + seconds
    while (alive := [p for p in pids if psutil.pid_exists(p) and _running(p)]) and (
        time.monotonic() < deadline
    ):
        time.sleep(0.05)
    return alive


def _running(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


@pytest.mark.parametrize(
    ("stop", "code"),
    [(signal.SIGTERM, 143), (signal.SIGINT, 130), (signal.SIGHUP, 129)],
    ids=["SIGTERM", "SIGINT", "SIGHUP"],
)
def test_a_stop_signal_stops_the_workers_and_keeps_the_dataset(
    tmp_path: Path, crawl: Path, stop: int, code: int
) -> None:
    out = tmp_path / "data"
    classifieds.build([DATA / "basic.txt"], out)
    before = classifieds.load(out)
    run, writer = held_export(tmp_path, crawl, out)
    workers = [child.pid for child in psutil.Process(run.pid).children(recursive=True)]
    assert workers, "the export should have started a worker"
    run.send_signal(stop)
    _, stderr = run.communicate(timeout=20)
    os.close(writer)
    assert run.returncode == code
    message = stderr.decode().strip()
    assert message.count("\n") == 0 and signal.Signals(stop).name in message, message
    assert wait_gone(workers) == []
    check_whole(out, DATASET_FILES)
    assert classifieds.load(out).equals(before)
    assert [p.name for p in out.iterdir() if p.name.startswith(".generation")] == [
        os.readlink(out / ".current")
    ]


@pytest.mark.parametrize(
    "ignored", [signal.SIGHUP, signal.SIGINT], ids=["nohup", "job-of-a-script"]
)
def test_a_stop_signal_ignored_from_the_start_stays_ignored(
    tmp_path: Path, crawl: Path, ignored: int
) -> None:
    out = tmp_path / "data"
    run, writer = held_export(tmp_path, crawl, out, ignored=(ignored,))
    try:
        run.send_signal(ignored)
        time.sleep(0.5)
        assert run.poll() is None, "the export should ignore the signal"
        os.close(writer)  # the FIFO ends: the export completes
        _, stderr = run.communicate(timeout=30)
    finally:
        if run.poll() is None:
            run.kill()
            run.wait()
    assert run.returncode == 0, stderr
    check_whole(out, DATASET_FILES)
    assert len(classifieds.load(out)) == 12


def test_workers_die_with_a_main_process_killed_by_kill_9(tmp_path: Path, crawl: Path) -> None:
    run, writer = held_export(tmp_path, crawl, tmp_path / "data")
    workers = [child.pid for child in psutil.Process(run.pid).children(recursive=True)]
    assert workers
    run.kill()
    run.wait()
    os.close(writer)
    assert wait_gone(workers) == []


def test_a_closed_stdout_says_the_dataset_was_written(tmp_path: Path) -> None:
    out = tmp_path / "data"
    read, write = os.pipe()
    os.close(read)  # nobody reads the report
    try:
        run = subprocess.run(
            [*CLI, "export", str(DATA / "basic.txt"), "--out", str(out)],
            stdout=write,
            stderr=subprocess.PIPE,
            check=False,
        )
    finally:
        os.close(write)
    assert run.returncode == 1
    assert run.stderr.decode().count("\n") == 1 and b"dataset was written" in run.stderr
    check_whole(out, DATASET_FILES)


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_full_stdout_says_the_dataset_was_written(tmp_path: Path) -> None:
    out = tmp_path / "data"
    with open("/dev/full", "w") as full:
        run = subprocess.run(
            [*CLI, "export", str(DATA / "basic.txt"), "--out", str(out)],
            stdout=full,
            stderr=subprocess.PIPE,
            check=False,
        )
    assert run.returncode == 1
    assert b"dataset was written" in run.stderr and b"No space left" in run.stderr
    check_whole(out, DATASET_FILES)


DIES_MID_MESSAGE = """
import os, signal, sys
from multiprocessing.connection import Connection
import classifieds.cli as cli
parent, token = os.getpid(), sys.argv.pop(1)
send = Connection.send_bytes
def cut(self, buf, offset=0, size=None):
    try:  # the first worker to send a result dies halfway through it, by kill -9
        if os.getpid() != parent:
            os.close(os.open(token, os.O_CREAT | os.O_EXCL))
            os.write(self.fileno(), len(buf).to_bytes(4, "big") + bytes(buf)[: len(buf) // 2])
            os.kill(os.getpid(), signal.SIGKILL)
    except FileExistsError:
        pass
    return send(self, buf, offset, size)
Connection.send_bytes = cut
sys.argv = ["classifieds", *sys.argv[1:]]
cli.main()
"""


@pytest.fixture(scope="module")
def wide_crawl(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """1,400 pages: batches for every worker of --jobs 4 after the warm-up."""
    folder = tmp_path_factory.mktemp("wide")
    text = SEEDS.joinpath("000_6780d8fc77309a8b.txt").read_bytes()
    for n in range(1400):
        (folder / f"{n:05}.txt").write_bytes(text)
    return folder


@pytest.mark.parametrize("jobs", [3, 4])
def test_a_worker_killed_mid_message_ends_the_export_whatever_the_jobs(
    tmp_path: Path, wide_crawl: Path, jobs: int
) -> None:
    """The other workers hold no end of its pipe: the parent reads its end, not a hang."""
    out = tmp_path / "data"
    args = [str(tmp_path / "token"), "export", str(wide_crawl), "-o", str(out), "-q"]
    run = subprocess.Popen(
        [sys.executable, "-c", DIES_MID_MESSAGE, *args, "--jobs", str(jobs)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        _, stderr = run.communicate(timeout=20)
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)  # the hang this test is about: workers too
            run.wait()
    assert (tmp_path / "token").exists(), "a worker should have died mid-message"
    assert run.returncode == 1
    message = stderr.decode()
    assert message.count("\n") == 1 and "worker process died (killed by signal 9)" in message
    assert not out.exists()  # nothing left behind: no dataset, no folder
    left = [
        p.pid for p in psutil.process_iter(["cmdline"]) if str(out) in (p.info["cmdline"] or [])
    ]
    assert wait_gone(left) == []


def close_stdout() -> None:  # as the shell's >&- does
    os.close(1)


def close_stderr() -> None:  # 2>&-
    os.close(2)


def test_a_stdout_closed_from_the_start_says_the_dataset_was_written(tmp_path: Path) -> None:
    out = tmp_path / "data"
    run = subprocess.run(
        [*CLI, "export", str(DATA / "basic.txt"), "--out", str(out), "--jobs", "2"],
        stderr=subprocess.PIPE,
        preexec_fn=close_stdout,
        check=False,
        text=True,
    )
    assert run.returncode == 1
    assert run.stderr == (
        f"Error: The dataset was written to {out}/, but its report could not be printed:"
        " stdout is closed.\n"
    )
    check_whole(out, DATASET_FILES)


def test_a_stderr_closed_from_the_start_changes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "data"
    run = subprocess.run(
        [*CLI, "export", str(DATA / "basic.txt"), "--out", str(out)],
        stdout=subprocess.PIPE,
        preexec_fn=close_stderr,
        check=False,
        text=True,
    )
    assert run.returncode == 0
    assert run.stdout.startswith("3 listings")
    check_whole(out, DATASET_FILES)


def close_stdin() -> None:  # <&-
    os.close(0)


def test_a_stdin_closed_from_the_start_is_an_unreadable_input(tmp_path: Path) -> None:
    """``-`` was an internal error (Python has no sys.stdin then), and the next file opened
    took descriptor 0."""
    out = tmp_path / "data"
    inputs = ["-", str(DATA / "basic.txt")]
    run = subprocess.run(
        [*CLI, "export", *inputs, "--out", str(out), "--jobs", "2", "-q"],
        capture_output=True,
        preexec_fn=close_stdin,
        check=False,
        text=True,
    )
    assert (run.returncode, run.stderr) == (0, "")
    (reject,) = (out / "rejects.jsonl").read_text().splitlines()
    assert '"source": "<stdin>"' in reject and "standard input is closed" in reject
    assert classifieds.load(out)["price_eur"].tolist() == [60000.0, 16200.0, 100.0]
    alone = subprocess.run(
        [*CLI, "export", "-", "--out", str(tmp_path / "other")],
        capture_output=True,
        preexec_fn=close_stdin,
        check=False,
        text=True,
    )
    assert alone.returncode == 1
    assert alone.stderr.startswith("Error: The export could read none of its 1 inputs")
    assert len(alone.stderr.splitlines()) == 1


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dataset") / "data"
    classifieds.build([DATA / "basic.txt"], out)
    return out


def printing_commands(dataset: Path) -> list[list[str]]:
    listing_id = str(classifieds.load(dataset)["listing_id"][0])
    return [
        ["summary", str(dataset)],
        ["rows", str(dataset)],
        ["history", listing_id, str(dataset)],
        ["schema"],
        ["--version"],
    ]


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize(
    ("stdout", "message"),
    [("closed", "it is closed"), ("/dev/full", "No space left on device")],
)
def test_a_stdout_closed_or_full_is_one_line_and_exit_1_for_every_command(
    dataset: Path, stdout: str, message: str
) -> None:
    for command in printing_commands(dataset):
        with open("/dev/full", "w") as full:  # closed in the child, for "closed"
            run = subprocess.run(
                [*CLI, *command],
                stdout=full,
                stderr=subprocess.PIPE,
                preexec_fn=close_stdout if stdout == "closed" else None,
                check=False,
                text=True,
            )
        assert run.returncode == 1, command
        lines = run.stderr.splitlines()
        assert lines[-1] == f"Error: Could not print to stdout: {message}.", command
        assert len(lines) == 1 or command[0] == "rows"  # rows says how many matched first


def test_a_reader_gone_ends_a_command_in_silence(dataset: Path) -> None:
    """``| head``: the reader has what it wanted; exit 1 as for any cut output."""
    for command in printing_commands(dataset):
        read, write = os.pipe()
        os.close(read)
        try:
            run = subprocess.run(
                [*CLI, *command], stdout=write, stderr=subprocess.PIPE, check=False, text=True
            )
        finally:
            os.close(write)
        assert run.returncode == 1, command
        assert "Error" not in run.stderr and "Traceback" not in run.stderr, command


def test_a_reader_gone_still_gets_the_chart_drawn(tmp_path: Path) -> None:
    """``summary --plot prices.png | head``: the chart is written before the table is printed;
    the table failed first, ending the command with no chart."""
    ads = "".join(f"Vélo {n}\nVélo {n} Caen (14000) {n + 10}€ Découvrir\n" for n in range(2000))
    (tmp_path / "page.txt").write_text("Petites Annonces\nBonnes affaires\n" + ads)
    classifieds.build([tmp_path / "page.txt"], tmp_path / "data")  # a table of 150 KB
    read, write = os.pipe()
    os.close(read)
    chart = tmp_path / "prices.png"
    command = ["summary", str(tmp_path / "data"), "--by", "title", "--plot", str(chart)]
    try:
        run = subprocess.run(
            [*CLI, *command], stdout=write, stderr=subprocess.PIPE, check=False, text=True
        )
    finally:
        os.close(write)
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert chart.read_bytes().startswith(b"\x89PNG")


BUG = """
import sys
import classifieds.cli as cli
import classifieds.cli.export as export_command
def broken(*args, **kwargs):
    raise RuntimeError("a bug\\nover two lines")
export_command.build = broken
sys.argv = ["classifieds", *sys.argv[1:]]
cli.main()
"""


@pytest.mark.parametrize("debug", [False, True])
def test_a_bug_is_one_line_unless_debug(tmp_path: Path, debug: bool) -> None:
    flags = ["--debug"] if debug else []
    args = [*flags, "export", str(DATA / "basic.txt"), "--out", str(tmp_path / "data")]
    run = subprocess.run(
        [sys.executable, "-c", BUG, *args], capture_output=True, check=False, text=True
    )
    assert run.returncode == 1
    if debug:
        assert "Traceback" in run.stderr and "RuntimeError: a bug" in run.stderr
    else:
        assert run.stderr == (
            "classifieds: internal error: RuntimeError: a bug over two lines. Run again with"
            " --debug to see the traceback, and please report it.\n"
        )


@pytest.mark.parametrize(
    ("command", "wrong"),
    [(["summary"], "sightings.parquet"), (["history", "0123456789abcdef"], "listings.parquet")],
)
def test_the_wrong_dataset_file_is_one_line_and_exit_2(
    tmp_path: Path, command: list[str], wrong: str
) -> None:
    from click.testing import CliRunner

    from classifieds.cli import cli

    out = tmp_path / "data"
    classifieds.build([DATA / "basic.txt"], out)
    result = CliRunner().invoke(cli, [*command, str(out / wrong)])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "holds no" in result.stderr


READERS = [["summary"], ["rows"], ["history", "0123456789abcdef"]]


@pytest.mark.parametrize("fault", ["EACCES", "EIO"])
@pytest.mark.parametrize("command", READERS, ids=lambda command: command[0])
def test_a_dataset_that_cannot_be_read_is_one_line_and_exit_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str], fault: str
) -> None:
    """A dataset of another user's (its folder 0700), or on a failing disk: one line saying
    what to check, not an internal error."""
    import pyarrow as pa
    from click.testing import CliRunner

    from classifieds.cli import cli

    out = tmp_path / "data"
    classifieds.build([DATA / "basic.txt"], out)
    stat, memory_map = os.stat, pa.memory_map

    def denied(path: Any, *args: Any, **kwargs: Any) -> Any:
        if str(path).endswith(".parquet"):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return stat(path, *args, **kwargs)

    def failing(path: Any, *args: Any, **kwargs: Any) -> Any:
        if str(path).endswith(".parquet"):
            raise OSError(errno.EIO, "Input/output error", str(path))
        return memory_map(path, *args, **kwargs)

    if fault == "EACCES":
        monkeypatch.setattr(os, "stat", denied)
    else:
        monkeypatch.setattr(pa, "memory_map", failing)
    result = CliRunner().invoke(cli, [*command, str(out)])
    assert result.exit_code == 1, result.output
    assert result.stderr.count("\n") == 1
    assert "internal error" not in result.stderr and "Cannot read" in result.stderr
    assert ("Permission denied" if fault == "EACCES" else "Input/output error") in result.stderr


def test_an_append_onto_a_dataset_that_cannot_be_read_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A disk error reading the old dataset is not a disk full writing the new one."""
    from classifieds.store import folder

    out = tmp_path / "data"
    classifieds.build([DATA / "basic.txt"], out)

    def failing(path: Path) -> str:
        raise OSError(errno.EIO, "Input/output error", str(path))

    monkeypatch.setattr(folder, "sha256", failing)
    with pytest.raises(ClassifiedsError, match=r"Cannot read .*Input/output error") as raised:
        classifieds.build([SEEDS], out, append=True)
    assert not isinstance(raised.value, OutputError)


@pytest.mark.parametrize(
    ("manifest", "says"),
    [
        ("[]", "is not a classifieds manifest"),
        ('{"outputs": []}', "is not a classifieds manifest"),
        ("{", "is not a classifieds manifest"),
        (b"\xff\xfe", "is not a classifieds manifest"),
        ('{"outputs": {"listings.parquet": 5, "sightings.parquet": 5}}', "mixes the files"),
    ],
    ids=["a list", "outputs a list", "cut short", "not UTF-8", "a number for a hash"],
)
@pytest.mark.parametrize("command", READERS, ids=lambda command: command[0])
def test_a_manifest_edited_by_hand_is_one_line_and_exit_2(
    tmp_path: Path, command: list[str], manifest: str | bytes, says: str
) -> None:
    from click.testing import CliRunner

    from classifieds.cli import cli

    out = tmp_path / "data"
    classifieds.build([DATA / "basic.txt"], out)
    edited = (out / "manifest.json").resolve()
    edited.unlink()
    edited.write_bytes(manifest if isinstance(manifest, bytes) else manifest.encode())
    result = CliRunner().invoke(cli, [*command, str(out)])
    assert result.exit_code == 2, result.output
    assert result.stderr.count("\n") == 1 and says in result.stderr
    assert ".generation-" not in result.stderr  # the folder the user named
