"""Stop signals at the instants a run is most fragile: while the command line is imported, and
right after the new dataset is published."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import DATA, SEEDS

import classifieds

ENTRIES = {
    "console-script": [str(Path(sys.executable).with_name("classifieds"))],
    "python-m": [sys.executable, "-m", "classifieds"],
}
HEAVY = ("pyarrow", "pydantic_core", "pandas")
"""Extension modules the command line loads as it is imported, after the stop handler."""
STOPS = [(signal.SIGINT, 130), (signal.SIGTERM, 143), (signal.SIGHUP, 129)]


def caught(pid: int, signum: int) -> bool:
    """Return whether process ``pid`` has a handler for ``signum`` (Linux: /proc)."""
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        mask = next(line for line in status if line.startswith("SigCgt:")).split()[1]
    return bool(int(mask, 16) >> (signum - 1) & 1)


def still_importing(pid: int) -> bool:
    """Return whether process ``pid`` has loaded none of the command line's extension modules."""
    with open(f"/proc/{pid}/maps", encoding="utf-8", errors="replace") as maps:
        return not any(name in line for line in maps for name in HEAVY)


def signalled_at_start(command: list[str], stop: int) -> subprocess.CompletedProcess[str]:
    """Run ``command`` and send it ``stop`` as soon as it handles SIGTERM, while it is still
    importing the command line; return what it did."""
    for _attempt in range(3):  # a busy machine may let it finish importing first: again
        run = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.monotonic() + 10
            while run.poll() is None and not caught(run.pid, signal.SIGTERM):
                assert time.monotonic() < deadline
            early = run.poll() is None and still_importing(run.pid)
            run.send_signal(stop)
            stdout, stderr = run.communicate(timeout=10)
        finally:
            if run.poll() is None:
                run.kill()
                run.wait()
        if early:
            return subprocess.CompletedProcess(command, run.returncode, stdout, stderr)
    pytest.fail("the stop signals were handled only once the command line was imported")


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")
@pytest.mark.parametrize("entry", ENTRIES.values(), ids=ENTRIES.keys())
@pytest.mark.parametrize(("stop", "code"), STOPS, ids=["SIGINT", "SIGTERM", "SIGHUP"])
def test_a_stop_signal_during_start_up_is_one_line(
    tmp_path: Path, entry: list[str], stop: int, code: int
) -> None:
    out = tmp_path / "data"
    run = signalled_at_start([*entry, "export", str(SEEDS), "-o", str(out), "-q"], stop)
    assert run.returncode == code
    assert run.stderr == f"classifieds: stopped by {signal.Signals(stop).name}.\n"
    assert run.stdout == "" and not out.exists()


@pytest.mark.parametrize("delay", [0.1, 0.2, 0.3])
def test_ctrl_c_at_any_instant_of_start_up_prints_no_traceback(
    tmp_path: Path, delay: float
) -> None:
    out = tmp_path / "data"
    command = [*ENTRIES["console-script"], "export", str(SEEDS), "-o", str(out), "-q"]
    run = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(delay)
        run.send_signal(signal.SIGINT)
        _, stderr = run.communicate(timeout=10)
    finally:
        if run.poll() is None:
            run.kill()
            run.wait()
    assert "Traceback" not in stderr and stderr.count("\n") <= 1, stderr
    assert run.returncode in (0, 130), stderr  # done before the signal came, or stopped


SIGNAL_ONCE_PUBLISHED = """
import os, sys
import classifieds.__main__ as entry
stops = [int(signum) for signum in sys.argv.pop(1).split(",")]
replace = os.replace
def publish(source, target):
    replace(source, target)
    if os.path.basename(target) == ".current":  # the new dataset is the dataset
        for signum in stops:
            os.kill(os.getpid(), signum)
os.replace = publish
sys.argv = ["classifieds", *sys.argv[1:]]
entry.main()
"""


def export_signalled_once_published(
    out: Path, stops: list[int]
) -> subprocess.CompletedProcess[str]:
    """Export the seeds into ``out``, a dataset there already, and send the process ``stops``
    right after the rename that publishes the new dataset."""
    classifieds.build([DATA / "basic.txt"], out)
    signums = ",".join(str(stop) for stop in stops)
    return subprocess.run(
        [
            sys.executable,
            "-c",
            SIGNAL_ONCE_PUBLISHED,
            signums,
            "export",
            str(SEEDS),
            "-o",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


@pytest.mark.parametrize("stop", [stop for stop, _ in STOPS], ids=["SIGINT", "SIGTERM", "SIGHUP"])
def test_a_stop_signal_once_the_dataset_is_published_lets_the_run_end(
    tmp_path: Path, stop: int
) -> None:
    out = tmp_path / "data"
    run = export_signalled_once_published(out, [stop])
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("12 listings from 12 sightings on 1 page")  # the report
    name = signal.Signals(stop).name
    assert run.stderr == f"classifieds: {name} came once the new dataset was published.\n"
    assert len(classifieds.load(out)) == 12  # the new dataset, whole
    assert [p.name for p in out.iterdir() if p.name.startswith(".generation")] == [
        os.readlink(out / ".current")
    ]


def test_a_second_stop_signal_once_published_stops_and_says_so(tmp_path: Path) -> None:
    out = tmp_path / "data"
    run = export_signalled_once_published(out, [signal.SIGTERM, signal.SIGINT])
    assert run.returncode == 130
    assert run.stderr == "classifieds: stopped by SIGINT; the new dataset had been published.\n"
    assert len(classifieds.load(out)) == 12
