"""The dataset folder: one whole dataset at every instant, by fault injection and by kills."""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import DATA, SEEDS

import classifieds
from classifieds.errors import ClassifiedsError, InputError, OutputError
from classifieds.read import streams
from classifieds.run.append import check_previous
from classifieds.run.export import OUTPUTS
from classifieds.store import folder
from classifieds.store.folder import LOCK, check_whole

DATASET_FILES = [
    "listings.parquet",
    "listings.csv",
    "sightings.parquet",
    "rejects.jsonl",
    "inputs.parquet",
]
FILESYSTEM_STEPS = ("replace", "symlink", "unlink", "rmdir", "mkdir", "fsync")


class Crash(BaseException):
    """A fault injected into a filesystem step: the run dies there, like a kill."""


def titles(out: Path) -> list[str]:
    return sorted(classifieds.load(out)["title"])


def assert_whole(out: Path, *allowed: list[str]) -> None:
    """The folder holds one whole dataset: every file its manifest's, its listings one of these."""
    check_whole(out, DATASET_FILES)
    assert titles(out) in allowed
    assert titles(out / "listings.csv") == titles(out)


def inject(monkeypatch: pytest.MonkeyPatch, at: int) -> list[int]:
    """Make the ``at``-th filesystem step of the run raise :class:`Crash`; count the steps."""
    count = [0]

    def failing(step: Callable[..., Any]) -> Callable[..., Any]:
        def run(*args: Any, **kwargs: Any) -> Any:
            count[0] += 1
            if count[0] == at:
                raise Crash(step.__name__)
            return step(*args, **kwargs)

        return run

    for name in FILESYSTEM_STEPS:
        monkeypatch.setattr(os, name, failing(getattr(os, name)))
    monkeypatch.setattr(shutil, "rmtree", failing(shutil.rmtree))
    return count


def test_a_crash_at_any_filesystem_step_leaves_one_whole_dataset(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "data"
    classifieds.build([DATA / "basic.txt"], out)
    old = titles(out)
    seed = SEEDS / "000_6780d8fc77309a8b.txt"
    new = sorted(ad.title for ad in classifieds.parse_page(seed.read_text(encoding="utf-8")))
    at = 1
    while True:
        with monkeypatch.context() as patch:
            count = inject(patch, at)
            try:
                classifieds.build([SEEDS], out)
            except (Crash, OutputError):
                crashed = True
            else:
                crashed = False
        assert_whole(out, old, new)
        if not crashed:
            assert count[0] < at, "the run ended without reaching the injected fault"
            break
        if titles(out) == new:  # the crash came after the new dataset was published
            classifieds.build([DATA / "basic.txt"], out)  # start again from the old one
        at += 1
    assert at > 5, "the injection reached few steps: it tests nothing"
    assert titles(out) == new
    classifieds.build([SEEDS], out)  # the leftovers of the crashed runs are swept
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".generation-")) == [
        os.readlink(out / ".current")
    ]


KILLED_EXPORT = """
import sys, classifieds
classifieds.build(sys.argv[1:-1], sys.argv[-1], jobs=1)
"""


@pytest.mark.parametrize("delay", [0.3, 0.6, 0.9, 1.2])
def test_a_kill_9_at_any_instant_leaves_one_whole_dataset(tmp_path: Path, delay: float) -> None:
    out = tmp_path / "data"
    classifieds.build([DATA / "basic.txt"], out)
    old = titles(out)
    crawl = tmp_path / "crawl"
    crawl.mkdir()
    text = SEEDS.joinpath("000_6780d8fc77309a8b.txt").read_bytes()
    for n in range(1500):
        (crawl / f"{n:05}.txt").write_bytes(text)
    run = subprocess.Popen([sys.executable, "-c", KILLED_EXPORT, str(crawl), str(out)])
    time.sleep(delay)
    run.send_signal(signal.SIGKILL)
    run.wait()
    new = sorted(ad.title for ad in classifieds.parse_page(text.decode()))
    assert_whole(out, old, new)
    classifieds.build([crawl], out)  # the lock died with the process: the next run goes
    assert titles(out) == new


def test_a_second_export_into_a_folder_in_use_fails_fast(tmp_path: Path) -> None:
    out = tmp_path / "data"
    classifieds.build([SEEDS], out)
    import fcntl

    with open(out / LOCK, "a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        held.truncate(0)
        held.write("4242\n")
        held.flush()
        with pytest.raises(OutputError, match="in use by PID 4242"):
            classifieds.build([SEEDS], out)
    assert_whole(out, titles(out))


def test_a_mixed_folder_is_refused_by_readers(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    classifieds.build([SEEDS], first)
    classifieds.build([DATA / "basic.txt"], second)
    mixed = tmp_path / "mixed"
    mixed.mkdir()
    shutil.copy(first / "manifest.json", mixed)
    shutil.copy(second / "listings.parquet", mixed)
    with pytest.raises(InputError, match="mixes the files of two exports"):
        classifieds.load(mixed)


@pytest.mark.parametrize("inputs", ["no file", "unreadable"])
def test_an_export_that_read_nothing_keeps_the_dataset(
    tmp_path: Path, inputs: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "data"
    classifieds.build([SEEDS], out)
    before = titles(out)
    source = tmp_path / "in"
    source.mkdir()
    (source / "gone.txt").symlink_to(tmp_path / "missing.txt")  # a dangling link: no file
    if inputs == "unreadable":
        (source / "page.txt").write_text("Petites Annonces\n", encoding="utf-8")

        def denied(path: str) -> bytes:
            raise PermissionError(13, "Permission denied", path)

        monkeypatch.setattr(streams, "small_plain_file", denied)
    with pytest.raises(ClassifiedsError, match="--allow-empty"):
        classifieds.build([source], out)
    assert titles(out) == before
    classifieds.build([source], out, allow_empty=True)
    assert titles(out) == []


@pytest.mark.parametrize("at", range(1, 40))
def test_a_first_export_killed_at_any_step_leaves_a_dataset_or_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, at: int
) -> None:
    out = tmp_path / "data"
    new = sorted(ad.title for ad in classifieds.parse_page(page_text()))
    with monkeypatch.context() as patch:
        inject(patch, at)
        with contextlib.suppress(Crash, OutputError):
            classifieds.build([SEEDS], out)
    if out.exists() and os.path.lexists(out / ".current"):
        assert_whole(out, new)  # published: whole, links and all
    else:  # no dataset: readers say so, an append is a first export
        with pytest.raises(InputError, match="No dataset"):
            classifieds.load(out)
        assert not (out.exists() and check_previous(out, OUTPUTS))
    classifieds.build([SEEDS], out, append=True)
    assert titles(out) == new


def page_text() -> str:
    return SEEDS.joinpath("000_6780d8fc77309a8b.txt").read_text(encoding="utf-8")


def test_the_dataset_is_as_readable_as_the_umask_says(tmp_path: Path) -> None:
    out = tmp_path / "data"
    umask = os.umask(0o022)
    try:
        classifieds.build([SEEDS], out)
    finally:
        os.umask(umask)
    assert stat.S_IMODE(os.stat(out / ".current").st_mode) == 0o755  # the generation folder
    for name in [*DATASET_FILES, "manifest.json"]:
        assert stat.S_IMODE(os.stat(out / name).st_mode) == 0o644, name


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="names descriptors by /proc")
def test_a_generation_is_on_disk_before_it_is_published(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A power cut after the rename must not publish names whose bytes never reached the disk."""
    out = tmp_path / "data"
    synced: list[str] = []
    at_publish: list[str] = []
    fsync, replace = os.fsync, os.replace

    def recording_fsync(descriptor: int) -> None:
        synced.append(os.readlink(f"/proc/self/fd/{descriptor}"))
        fsync(descriptor)

    def recording_replace(source: Any, target: Any, **kwargs: Any) -> None:
        if Path(target).name == ".current":
            at_publish.extend(synced)
        replace(source, target, **kwargs)

    monkeypatch.setattr(os, "fsync", recording_fsync)
    monkeypatch.setattr(os, "replace", recording_replace)
    classifieds.build([SEEDS], out)
    generation = (out / ".current").resolve()
    expected = {str(generation), *(str(p) for p in generation.iterdir())}
    assert expected <= set(at_publish)
    assert str(out.resolve()) in synced[len(at_publish) :]  # the rename itself, after


@pytest.mark.parametrize("reader", ["load", "load_sightings"])
def test_a_reader_racing_an_export_gets_one_whole_dataset(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reader: str
) -> None:
    """An export publishes and sweeps the old generation between the instants a reader opens
    the manifest and the file it checks: the reader keeps the old dataset, whole."""
    out = tmp_path / "data"
    classifieds.build([DATA / "basic.txt"], out)
    old = getattr(classifieds, reader)(out)
    read_bytes, read_text = Path.read_bytes, Path.read_text
    replaced: list[bool] = []

    def replace_dataset() -> None:
        if not replaced:
            replaced.append(True)
            classifieds.build([SEEDS], out)

    def racing_bytes(path: Path) -> bytes:
        data = read_bytes(path)
        if path.name == "manifest.json":
            replace_dataset()
        return data

    def racing_text(path: Path, *args: Any, **kwargs: Any) -> str:
        text = read_text(path, *args, **kwargs)
        if path.name == "manifest.json":
            replace_dataset()
        return text

    monkeypatch.setattr(Path, "read_bytes", racing_bytes)
    monkeypatch.setattr(Path, "read_text", racing_text)
    raced = getattr(classifieds, reader)(out)
    assert replaced
    assert raced.equals(old)
    assert titles(out) == sorted(ad.title for ad in classifieds.parse_page(page_text()))


@pytest.mark.parametrize("name", ["", "listings.parquet", "listings.csv"])
def test_listings_and_sightings_read_together_are_of_one_generation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """An export replaces the dataset after its listings were read, before its sightings: the
    pair is read again from the new generation, never the old listings with new sightings."""
    from classifieds.store import bucket, dataset

    out = tmp_path / "data"
    classifieds.build([DATA / "basic.txt"], out)
    read = bucket.read_whole
    replaced: list[bool] = []

    def racing_read(path: Path) -> Any:
        data = read(path)
        if path.name.startswith("listings") and not replaced:
            replaced.append(True)
            classifieds.build([SEEDS], out)
        return data

    monkeypatch.setattr(bucket, "read_whole", racing_read)
    listings, sightings = dataset.load_with_sightings(out / name)
    assert replaced
    assert set(sightings.listing_id) == set(listings.listing_id)
    assert len(listings) == len(classifieds.load(out))  # the seeds', now the dataset


def test_a_reader_looks_again_for_a_generation_removed_before_it_opened_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "data"
    classifieds.build([DATA / "basic.txt"], out)
    realpath = os.path.realpath
    calls: list[str] = []

    def racing_realpath(path: Any, **kwargs: Any) -> str:
        resolved = realpath(path, **kwargs)
        if not calls:
            calls.append(resolved)
            classifieds.build([SEEDS], out)  # the generation just resolved is removed
        return resolved

    monkeypatch.setattr(folder.os.path, "realpath", racing_realpath)
    assert titles(out) == sorted(ad.title for ad in classifieds.parse_page(page_text()))
    assert calls and not Path(calls[0]).exists()


def test_the_loser_of_a_race_to_a_new_folder_leaves_the_winner_s_lock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two first exports into one new folder: the one that finds it locked must not remove
    the lock file (a third export would then lock a new one and run beside the first)."""
    import fcntl

    out = tmp_path / "data"
    out.mkdir()
    with open(out / LOCK, "a+") as held:  # the winner, which made the folder
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        held.write("4242\n")
        held.flush()
        exists = Path.exists
        # The loser looked before the winner made the folder: it believes it made it.
        monkeypatch.setattr(Path, "exists", lambda path: path != out and exists(path))
        with pytest.raises(OutputError, match="in use by PID 4242"):
            classifieds.build([SEEDS], out)
        monkeypatch.undo()
        assert os.path.samestat(os.stat(out / LOCK), os.fstat(held.fileno()))
        with pytest.raises(OutputError, match="in use by PID 4242"):
            classifieds.build([SEEDS], out)  # a third export


def test_a_lock_removed_by_its_holder_is_not_taken(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A first export that fails removes its lock file and its folder: one that opened that
    file before, and locks it after, must see it is not the folder's lock any more."""
    import fcntl

    out = tmp_path / "data"
    flock = fcntl.flock

    def removed_meanwhile(file: Any, operation: int) -> None:
        (out / LOCK).unlink()  # the holder, failing, cleans up between open and flock
        (out / LOCK).write_text("4242\n")  # and another export makes the folder's new lock
        flock(file, operation)

    monkeypatch.setattr(fcntl, "flock", removed_meanwhile)
    with pytest.raises(OutputError, match="in use"):
        classifieds.build([SEEDS], out)


def _full_disk_for_the_lock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make writing the lock file's PID fail as on a full disk."""
    write = os.write

    def full(descriptor: int, data: Any) -> int:
        if os.readlink(f"/proc/self/fd/{descriptor}").endswith(LOCK):
            raise OSError(errno.ENOSPC, "No space left on device")
        return write(descriptor, data)

    monkeypatch.setattr(os, "write", full)


def test_a_lock_whose_pid_cannot_be_written_still_holds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The PID only names the holder to a run that finds the folder in use: the export runs."""
    _full_disk_for_the_lock(monkeypatch)
    out = tmp_path / "data"
    classifieds.build([SEEDS], out)
    check_whole(out, DATASET_FILES)
    assert (out / LOCK).read_text() == ""


def test_a_first_export_on_a_full_disk_leaves_no_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _full_disk_for_the_lock(monkeypatch)

    def full(*args: Any) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", full)
    out = tmp_path / "new" / "data"
    with pytest.raises(OutputError, match="Check free space"):
        classifieds.build([SEEDS], out)
    assert not out.exists()


def test_a_lock_file_of_another_user_s_still_locks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A ``data/.lock`` left by another user's export (their umask: 0644) in a shared folder
    failed every export: "Cannot write to data: Permission denied", of a folder it may write."""
    out = tmp_path / "data"
    classifieds.build([DATA / "basic.txt"], out)
    opened = os.open

    def theirs(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if str(path).endswith(LOCK) and flags & (os.O_WRONLY | os.O_RDWR):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return opened(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", theirs)
    classifieds.build([SEEDS], out)
    check_whole(out, DATASET_FILES)
    assert len(classifieds.load(out)) == 12


def test_a_lock_file_that_cannot_be_opened_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A ``data/.lock`` of mode 000 was "Cannot write to data: Permission denied. Choose a
    writable folder", of a folder that was."""
    out = tmp_path / "data"
    classifieds.build([DATA / "basic.txt"], out)
    opened = os.open

    def denied(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if str(path).endswith(LOCK):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return opened(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", denied)
    with pytest.raises(OutputError) as raised:
        classifieds.build([SEEDS], out)
    assert str(raised.value) == (
        f"Cannot lock {out}: {out / LOCK} cannot be opened (Permission denied). Remove it, or"
        " choose another --out."
    )
    assert titles(out) == sorted(
        ad.title for ad in classifieds.parse_page((DATA / "basic.txt").read_text())
    )
