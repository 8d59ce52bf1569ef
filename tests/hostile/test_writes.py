"""Faults of the write side: a worker's disk full, a dataset folder copied by hand, a lock file
that is not one. Each is one line and an exit code, the previous dataset kept."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import DATA, SEEDS

import classifieds
from classifieds.cli import cli
from classifieds.errors import ClassifiedsError, InputError
from classifieds.run import export
from classifieds.store import catalogue
from classifieds.store.folder import check_whole

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


def _copied(out: Path, copy: Path, way: str) -> None:
    """Copy a dataset folder as a tool that follows links does: every link (``cp -rL``,
    ``scp -r``, an archive), or only the links to folders (``rsync -k``)."""
    if way == "every-link":
        shutil.copytree(out, copy)
        return
    shutil.copytree(out, copy, symlinks=True)
    (copy / ".current").unlink()
    shutil.copytree(out / ".current", copy / ".current")


@pytest.mark.parametrize("way", ["every-link", "links-to-folders"])
def test_a_dataset_copied_through_its_links_can_be_exported_into(
    tmp_path: Path, crawl: Path, way: str
) -> None:
    """Its pointer a folder, no link could replace it: every export failed, exit 1, saying to
    check free space and permissions."""
    out, copy = tmp_path / "data", tmp_path / "copy"
    assert exported(str(SEEDS), "-o", str(out)).exit_code == 0
    _copied(out, copy, way)
    assert (copy / ".current").is_dir() and not (copy / ".current").is_symlink()
    old = files(copy)
    (tmp_path / "empty").mkdir()
    nothing = exported(str(tmp_path / "empty"), "-o", str(copy))
    assert nothing.exit_code == 1 and "found no input" in nothing.stderr
    assert files(copy) == old  # a run that fails keeps the copy's dataset
    appended = exported(str(crawl), str(SEEDS), "-o", str(copy), "--append")
    assert appended.exit_code == 0, appended.output
    again = tmp_path / "again"
    assert exported(str(crawl), str(SEEDS), "-o", str(again)).exit_code == 0
    assert files(copy) | {"manifest.json": b""} == files(again) | {"manifest.json": b""}
    assert (copy / ".current").is_symlink()
    assert classifieds.load(copy).equals(classifieds.load(again))


def _planted(lock: Path, kind: str, victim: Path) -> None:
    if kind == "link-to-a-file":
        lock.symlink_to(victim)
    elif kind == "dangling-link":
        lock.symlink_to(victim.with_name("made-by-the-export"))
    elif kind == "folder":
        lock.mkdir()
    else:
        os.mkfifo(lock)


@pytest.mark.parametrize("kind", ["link-to-a-file", "dangling-link", "hard-link", "folder", "fifo"])
def test_a_lock_that_is_not_a_file_is_refused_and_followed_nowhere(
    tmp_path: Path, kind: str
) -> None:
    """A link planted as ``data/.lock`` in a shared folder had the export truncate the file
    it leads to (or make one there) and write its PID in it."""
    out = tmp_path / "data"
    assert exported(str(SEEDS), "-o", str(out)).exit_code == 0
    before = files(out)
    victim = tmp_path / "notes.txt"
    victim.write_text("years of notes\n")
    (out / ".lock").unlink()
    _planted(out / ".lock", kind, victim)
    result = exported(str(SEEDS), "-o", str(out))
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert f"{out / '.lock'} is a" in result.stderr and "Remove it" in result.stderr
    assert victim.read_text() == "years of notes\n"
    assert not victim.with_name("made-by-the-export").exists()
    assert files(out) == before


@pytest.mark.parametrize("way", ["ln", "cp-al"])
def test_a_lock_that_is_a_hard_link_is_replaced_never_truncated(tmp_path: Path, way: str) -> None:
    """O_NOFOLLOW stops no hard link: the export truncated the file ``data/.lock`` shares
    (``ln ~/notes data/.lock``; a ``cp -al`` snapshot's lock) to write its PID there."""
    out = tmp_path / "data"
    assert exported(str(SEEDS), "-o", str(out)).exit_code == 0
    victim = tmp_path / "notes.txt"
    if way == "ln":
        victim.write_text("years of notes\n")
        (out / ".lock").unlink()
        os.link(victim, out / ".lock")
    else:
        subprocess.run(["cp", "-al", str(out), str(tmp_path / "snapshot")], check=True)
        victim = tmp_path / "snapshot" / ".lock"
    before = victim.read_bytes()
    result = exported(str(DATA / "basic.txt"), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert victim.read_bytes() == before and victim.stat().st_nlink == 1
    assert (out / ".lock").stat().st_nlink == 1
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".lock")) == [".lock"]
    check_whole(out, DATASET[:-1])


FAULTY_STEPS = (
    "replace",
    "rename",
    "symlink",
    "unlink",
    "rmdir",
    "mkdir",
    "fsync",
    "open",
    "readlink",
    "scandir",
    "lstat",
)
"""What an export does to the output folder, each of which a disk can refuse."""


def _faulty(monkeypatch: pytest.MonkeyPatch, at: int, code: int, out: Path) -> list[int]:
    """Make the ``at``-th step in ``out`` raise OSError ``code``; count the steps."""
    count = [0]
    readlink = os.readlink

    def named(path: Any) -> str:  # a descriptor (fsync) by the file it is open on
        return readlink(f"/proc/self/fd/{path}") if isinstance(path, int) else os.fsdecode(path)

    def failing(step: Any) -> Any:
        def run(*args: Any, **kwargs: Any) -> Any:
            if args and str(out) in named(args[0]):
                count[0] += 1
                if count[0] == at:
                    raise OSError(code, os.strerror(code), named(args[0]))
            return step(*args, **kwargs)

        return run

    for name in FAULTY_STEPS:
        monkeypatch.setattr(os, name, failing(getattr(os, name)))
    return count


@pytest.mark.parametrize("code", [errno.EIO, errno.EACCES], ids=["EIO", "EACCES"])
def test_a_fault_at_any_step_is_one_line_and_keeps_one_whole_dataset(
    tmp_path: Path, crawl: Path, monkeypatch: pytest.MonkeyPatch, code: int
) -> None:
    """A pointer that could not be read made the sweep take the dataset for a leftover and
    remove it (``No dataset`` then); a folder that could not be listed, an internal error."""
    out = tmp_path / "data"
    old, new = [crawl / "00000.txt"], [crawl / "00000.txt", SEEDS]
    classifieds.build(old, out)
    at = 1
    while True:
        with monkeypatch.context() as patch:
            count = _faulty(patch, at, code, out)
            try:
                classifieds.build(new, out, memory_limit=2048)
            except ClassifiedsError as error:  # OutputError, or an input it could not read
                assert "\n" not in str(error)
        check_whole(out, DATASET[:-2])  # the old dataset or the new one, whole
        assert len(classifieds.load(out)) == 12
        if count[0] < at:
            break
        at += 1
    assert at > 20, "the faults reached few steps: they test nothing"


@pytest.mark.parametrize("stderr", ["full", "reader-gone"])
@pytest.mark.parametrize(
    ("args", "code"),
    [
        pytest.param(
            ["export", str(SEEDS), "-o", str(SEEDS / "000_6780d8fc77309a8b.txt")], 2, id="usage"
        ),
        pytest.param(["summary", "no-such-dataset"], 2, id="no-dataset"),
        pytest.param(["export", "--no-such-option"], 2, id="bad-option"),
    ],
)
def test_a_stderr_that_cannot_be_written_keeps_the_exit_code(
    tmp_path: Path, stderr: str, args: list[str], code: int
) -> None:
    """The error line could not be written, and the traceback of that failure made it exit 1."""
    if stderr == "full":
        target = os.open("/dev/full", os.O_WRONLY)
    else:
        reader, target = os.pipe()
        os.close(reader)
    try:
        run = subprocess.run(
            [sys.executable, "-m", "classifieds", *args],
            stdout=subprocess.DEVNULL,
            stderr=target,
            cwd=tmp_path,
            timeout=60,
            check=False,
        )
    finally:
        os.close(target)
    assert run.returncode == code


@pytest.mark.parametrize(
    ("name", "content"),
    [
        pytest.param("manifest.json", '{"name": "My app", "icons": []}', id="a-web-app-manifest"),
        pytest.param("datapackage.json", '{"name": "other", "resources": []}', id="a-data-package"),
        pytest.param("listings.csv", "mine,1\n", id="a-csv-of-the-user-s"),
        pytest.param("listings.parquet", None, id="a-folder"),
    ],
)
def test_a_file_of_the_user_s_at_a_dataset_name_is_never_replaced(
    tmp_path: Path, name: str, content: str | None
) -> None:
    """``--out public/`` beside another tool's ``manifest.json``: the export replaced it."""
    out = tmp_path / "public"
    out.mkdir()
    if content is None:
        (out / name).mkdir()
    else:
        (out / name).write_text(content)
    result = exported(str(SEEDS), "-o", str(out))
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert f"{out} holds a" in result.stderr and f" {name} that is no classifieds" in result.stderr
    assert sorted(p.name for p in out.iterdir()) == sorted([name, ".lock"])
    if content is not None:
        assert (out / name).read_text() == content


@pytest.mark.parametrize("out", ["", " "])
def test_an_empty_out_is_a_usage_error_not_the_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, out: str
) -> None:
    """``--out "$DEST"`` with DEST unset wrote the dataset into the working folder."""
    monkeypatch.chdir(tmp_path)
    result = exported(str(SEEDS), "-o", out)
    assert result.exit_code == 2
    assert (
        result.stderr == "Error: The output folder is empty (--out ''): name the folder to write.\n"
    )
    assert list(tmp_path.iterdir()) == []


def test_plain_files_that_cannot_become_links_keep_the_copy_s_dataset_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A copy's plain files became links past the pointer's rename: a fault there left a
    folder of two exports, refused by readers. They become links to the copy's own dataset
    before it is replaced: "intact" is true."""
    out, copy = tmp_path / "data", tmp_path / "copy"
    assert exported(str(SEEDS), "-o", str(out)).exit_code == 0
    _copied(out, copy, "every-link")
    before = files(copy)
    symlink = os.symlink

    def full(target: Any, link: Any, *args: Any, **kwargs: Any) -> None:
        if Path(link).name == ".current-listings.csv":
            raise OSError(errno.ENOSPC, "No space left on device")
        symlink(target, link, *args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(os, "symlink", full)
        result = exported(str(DATA / "basic.txt"), "-o", str(copy))
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert "No space left on device" in result.stderr and "intact" in result.stderr
    check_whole(copy, DATASET[:-1])
    assert files(copy) == before
    assert exported(str(SEEDS), "-o", str(copy)).exit_code == 0
    check_whole(copy, DATASET[:-1])
    assert all((copy / name).is_symlink() for name in DATASET)


def test_without_symbolic_links_a_fault_midway_says_the_folder_is_mixed(
    tmp_path: Path, crawl: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where links cannot be made, files are moved one by one: a fault after the first said
    the previous dataset was intact."""

    def no_links(*args: Any, **kwargs: Any) -> None:
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "symlink", no_links)
    out = tmp_path / "data"
    assert exported(str(SEEDS), "-o", str(out)).exit_code == 0
    assert exported(str(crawl), "-o", str(out)).exit_code == 0  # plain files, its own
    assert not any((out / name).is_symlink() for name in DATASET)
    replace, moves = os.replace, [0]

    def full(source: Any, target: Any) -> None:
        moves[0] += 1
        if moves[0] == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        replace(source, target)

    monkeypatch.setattr(os, "replace", full)
    result = exported(str(SEEDS), "-o", str(out))
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert "mixes the files of two exports" in result.stderr and "intact" not in result.stderr
    with pytest.raises(InputError, match="mixes the files of two exports"):
        classifieds.load(out)
    monkeypatch.setattr(os, "replace", replace)
    assert exported(str(SEEDS), "-o", str(out)).exit_code == 0
    check_whole(out, DATASET[:-1])
