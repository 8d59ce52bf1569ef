"""The lock of a dataset folder (``data/.lock``, ``flock``): one export into it at a time.

The kernel releases it when its holder dies, however it dies. The file holds the holder's PID,
to name it to a run that finds the folder in use. It is opened without following links: it is
truncated to take the PID, and a link planted as ``.lock`` in a shared folder would otherwise
have an export truncate a file of the user's; a hard link (``ln ~/notes data/.lock``, or a
snapshot made by ``cp -al``) is replaced by a lock file of the folder's own.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from classifieds.errors import OutputError

LOCK = ".lock"


@contextmanager
def locked(out: Path, *, remove: bool = False) -> Iterator[None]:
    """Hold the lock of an output folder, or raise OutputError naming the run that holds it.

    With ``remove`` (a folder the run made), a run that fails removes the lock file and the
    folder, if empty, while it still holds the lock: a run that finds the folder locked
    removes nothing. A lock file removed between its opening and its locking is no longer the
    folder's lock: the folder is taken to be in use.
    """
    try:
        import fcntl
    except ImportError:  # Windows: no flock; one export at a time is then the user's care
        yield
        return
    try:
        lock = _opened(out / LOCK)
    except OSError as error:
        if remove:
            with contextlib.suppress(OSError):
                out.rmdir()
        what = _not_a_file(out / LOCK)
        if what is not None:
            raise _not_a_lock(out, what) from error
        if isinstance(error, PermissionError) and os.path.lexists(out / LOCK):
            raise OutputError(  # the folder may be writable: saying it was not misled
                f"Cannot lock {out}: {out / LOCK} cannot be opened ({error.strerror})."
                " Remove it, or choose another --out."
            ) from error
        raise unwritable(out, error) from error
    with contextlib.ExitStack() as held:
        held.enter_context(lock)
        status = os.fstat(lock.fileno())
        if not stat.S_ISREG(status.st_mode):  # a device node
            raise _not_a_lock(out, "a special file")
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            if not os.path.samestat(os.fstat(lock.fileno()), os.stat(out / LOCK)):
                raise FileNotFoundError(errno.ENOENT, "the lock file was replaced")
        except OSError:
            raise _in_use(out) from None
        if status.st_nlink > 1:  # O_NOFOLLOW stops no hard link
            try:
                lock = held.enter_context(_replaced(out))
            except OSError as error:
                raise unwritable(out, error) from error
        # The PID only names the holder to a run that finds the folder in use: on a full disk
        # the lock holds without it, and the run fails where it writes the dataset.
        # Unbuffered, so that a write that failed is not tried again when the lock closes.
        with contextlib.suppress(OSError):
            os.ftruncate(lock.fileno(), 0)
            os.write(lock.fileno(), f"{os.getpid()}\n".encode())
        try:
            yield
        except BaseException:
            if remove:  # leave no empty folder behind
                with contextlib.suppress(OSError):
                    (out / LOCK).unlink()
                    out.rmdir()
            raise


def _replaced(out: Path) -> IO[str]:
    """Return a new lock file, locked, put in place of one of several names: a hard link to a
    file of the user's (``ln ~/notes data/.lock``) or a ``cp -al`` snapshot's lock, which the
    PID written there would truncate. The old one stays locked meanwhile: an export that
    locks it once it is free finds it is not the folder's lock any more."""
    import fcntl

    staged = out / f"{LOCK}-{uuid.uuid4().hex[:12]}"
    fresh = open(staged, "x+", encoding="utf-8", opener=_no_follow)  # noqa: SIM115
    try:
        fcntl.flock(fresh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.replace(staged, out / LOCK)
    except BaseException:
        fresh.close()
        with contextlib.suppress(OSError):
            staged.unlink()
        raise
    return fresh


def _opened(path: Path) -> IO[str]:
    """Return the lock file open to write its PID, or only to read when it is not ours to
    write (another user's, made by their export in a shared folder): a lock holds either way,
    and an export into a folder it may write failed, saying the folder could not be written."""
    try:
        return open(path, "a+", encoding="utf-8", opener=_no_follow)
    except PermissionError as error:
        try:
            return open(path, encoding="utf-8", opener=_no_follow)
        except OSError:
            raise error from None


def _no_follow(path: str, flags: int) -> int:
    """Open the lock file itself, never what a link of that name leads to: the lock is
    truncated to take the PID, and a link planted in a shared folder would have the export
    truncate a file of the user's (``data/.lock -> ~/.bashrc``)."""
    return os.open(path, flags | os.O_NOFOLLOW, 0o666)


def _not_a_file(path: Path) -> str | None:
    """Return what ``path`` is if it is there and not a regular file, else None."""
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return None
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "a FIFO" if stat.S_ISFIFO(mode) else "a special file"


def _not_a_lock(out: Path, what: str) -> OutputError:
    return OutputError(
        f"Cannot lock {out}: {out / LOCK} is {what}, not the lock file an export makes."
        " Remove it, or choose another --out."
    )


def _in_use(out: Path) -> OutputError:
    """Return the error that says another export holds ``out``, naming its PID if it can."""
    try:
        holder = (out / LOCK).read_text(encoding="utf-8").strip() or "?"
    except (OSError, ValueError):
        holder = "?"
    return OutputError(
        f"{out} is in use by PID {holder} (another export into it). Wait for it to end, or"
        " choose another --out."
    )


def unwritable(out: Path, error: OSError) -> OutputError:
    """Return the error that says ``out`` cannot be written, and what to do."""
    if out.is_symlink() and not out.exists():  # mkdir says "File exists" of a dangling link
        return OutputError(
            f"Cannot write to {out}: it is a symbolic link to {os.readlink(out)}, which does"
            " not exist. Create that folder, or choose another with --out."
        )
    return OutputError(
        f"Cannot write to {out}: {error.strerror or error}. Choose a writable folder with --out."
    )
