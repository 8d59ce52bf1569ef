"""The dataset folder: one whole dataset at every instant, one writer at a time.

A run writes its files into a new generation folder inside the output folder
(``data/.generation-<id>/``), then publishes it with one atomic rename: the pointer
``data/.current``, a symbolic link, is replaced by one naming the new generation. The files
users open (``data/listings.parquet``...) are links through that pointer, made once, so they
all switch together: a run that fails, is interrupted or is killed at any instant leaves either
the whole old dataset or the whole new one. The generation's files and folder are flushed to
disk (``fsync``) before the rename, so that a power cut cannot publish names without their
bytes. The old generation is removed afterwards; what a killed run left (a half-written
generation, an old one) is swept by the next run. Readers follow the pointer once
(:func:`read_whole`): an export that replaces the dataset while they read leaves them the
whole of one generation.

A dataset that is not behind the pointer (an older version's plain files, a copy made through
its links) is put behind one first, each name reading the same bytes at every step.

Other files in the folder (a chart, notes) are left alone. Where symbolic links cannot be made
(Windows without developer mode), the files are moved into place one by one, manifest last: a
kill between two moves can then leave a mixed folder, which readers detect by the manifest's
hashes and refuse.

A lock (``data/.lock``, :mod:`.lock`) keeps a second export out while one runs. Files of the
user's at the names of the dataset's (another tool's ``manifest.json``) are never replaced.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import shutil
import stat
import sys
import uuid
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pyarrow as pa

from classifieds.errors import ClassifiedsError, InputError, OutputError
from classifieds.stops import hold_stops
from classifieds.store.lock import LOCK as LOCK
from classifieds.store.lock import locked, unwritable

MANIFEST_JSON = "manifest.json"
CURRENT = ".current"
"""The pointer to the generation that is the dataset."""
_GENERATION_PREFIX = ".generation-"
_LEFTOVER_PREFIXES = (_GENERATION_PREFIX, ".staging-", ".current-", f"{LOCK}-")
READ_ATTEMPTS = 3
"""Times a reader looks again for a dataset file that an export replaced while it was read."""


def sha256(path: Path) -> str:
    """Return the hex sha256 of a file."""
    with open(path, "rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()


@contextmanager
def publishing(out: Path, names: Sequence[str], *, final: bool = True) -> Iterator[Path]:
    """Yield a new generation folder to write the files ``names`` into; on success publish it.

    The folder is locked for the whole run. On any failure the generation is removed and the
    dataset in ``out`` is left as it was; a folder the run created is removed. Publishing
    holds stop signals (:func:`~classifieds.stops.hold_stops`) unless ``out`` is not
    ``final``: a scratch folder uploaded afterwards, where the commit point is the upload's.
    """
    try:
        created = not out.exists()
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise unwritable(out, error) from error
    with locked(out, remove=created):
        _check_names_free(out, [*names, MANIFEST_JSON])
        sweep(out)
        try:
            generation = _new_generation(out)
        except OSError as error:
            raise unwritable(out, error) from error
        try:
            yield generation
            _publish(out, generation, names, final)
        except OSError as error:
            raise OutputError(
                f"Writing {out} failed: {error}. Check free space and permissions; the"
                " previous dataset is intact."
            ) from error
        finally:
            sweep(out)


def _check_names_free(out: Path, names: Sequence[str]) -> None:
    """Raise OutputError for a file or folder of ``out`` at one of the dataset's ``names``
    that no dataset put there: another tool's ``manifest.json`` or ``datapackage.json``, a
    CSV of the user's. Publishing would replace it, and it would be lost.

    Links are the dataset's (or replaced without touching what they lead to); plain files
    are a dataset's when a classifieds manifest beside them names them (a dataset copied, or
    written where links cannot be made).
    """
    described: Collection[str] | None = None
    for name in names:
        path = out / name
        try:
            mode = os.lstat(path).st_mode
        except OSError:
            continue  # not there, or told where it is written
        if stat.S_ISLNK(mode):
            continue
        if described is None:
            described = _manifest_names(out)
        if not stat.S_ISDIR(mode) and name in described:
            continue
        what = "a folder" if stat.S_ISDIR(mode) else "a file"
        raise OutputError(
            f"{out} holds {what} {name} that is no classifieds dataset's (no classifieds"
            f" {MANIFEST_JSON} describes it), which the export would replace. Move it out of"
            " the folder, or choose another --out."
        )


def _manifest_names(out: Path) -> Collection[str]:
    """Return the files the classifieds manifest of ``out`` describes (itself included);
    none when it has none, or one that is not a classifieds manifest."""
    try:
        manifest = json.loads((out / MANIFEST_JSON).read_bytes())
    except (OSError, ValueError):
        return ()
    outputs = manifest.get("outputs") if isinstance(manifest, dict) else None
    if not isinstance(outputs, dict) or "schema_version" not in manifest:
        return ()
    return {*outputs, MANIFEST_JSON}


def sweep(out: Path) -> None:
    """Remove what runs left in ``out`` besides the current generation (killed runs' work):
    without a pointer, the links a first export made before it are left too.

    A folder or a pointer that cannot be read (a disk error, permissions) is left as it is,
    for the next run: what is current cannot then be told, and it must never be removed.
    """
    try:
        current = _current(out)
        with os.scandir(out) as scanned:
            entries = list(scanned)
        # A generation the files link into is read, pointer or not (a copy being put back
        # behind one): as good as current.
        read = {
            current,
            *(
                _linked_into(entry.path)
                for entry in entries
                if entry.is_symlink() and not entry.name.startswith(_LEFTOVER_PREFIXES)
            ),
        }
        leftovers = [
            entry.path
            for entry in entries
            if (entry.name.startswith(_LEFTOVER_PREFIXES) and entry.name not in read)
            or (current is None and awaits_pointer(out, entry.name))
        ]
    except OSError:
        return
    for path in leftovers:
        if os.path.islink(path) or not os.path.isdir(path):
            with contextlib.suppress(OSError):
                os.unlink(path)
        else:
            shutil.rmtree(path, ignore_errors=True)


def _linked_into(link: str) -> str:
    """Return the first name of the path a link of the output folder leads to."""
    return os.path.normpath(os.readlink(link)).split(os.sep)[0]


def awaits_pointer(out: Path, name: str) -> bool:
    """Return whether ``name`` in ``out`` is a link through a pointer that is not there: made
    by a first export before it published its dataset (no dataset, then). A pointer that
    cannot be looked at (a disk error) may be there: False."""
    try:
        if os.readlink(out / name) != os.path.join(CURRENT, name):
            return False
    except OSError:
        return False
    try:
        os.lstat(out / CURRENT)
    except FileNotFoundError:
        return True
    except OSError:
        return False
    return False


def check_whole(folder: Path, names: Sequence[str]) -> None:
    """Raise InputError unless the files ``names`` of a dataset folder are those its manifest
    describes (same sha256): a folder mixing the files of two runs is refused.

    A folder without a manifest (files copied by hand) is taken as it is. A file that cannot
    be read is ClassifiedsError, one line.
    """
    for name in names:
        path = folder / name
        try:
            expected = _described(folder, name)
            if expected and path.is_file() and sha256(path) != expected:
                raise _mixed(folder, name)
        except OSError as error:
            raise unreadable(path, error) from error


def read_whole(path: Path) -> pa.Buffer:
    """Return the bytes of a dataset file, checked against its manifest as :func:`check_whole`
    does, the two read from one generation whatever exports replace the dataset meanwhile.

    The links are followed once, to the generation folder; the file is mapped into memory,
    which keeps its bytes once the generation is removed. A generation removed before its
    files were opened is looked for again. InputError for no such file or a mixed folder,
    ClassifiedsError for a file that cannot be read.
    """
    for attempt in range(READ_ATTEMPTS):
        real = Path(os.path.realpath(path))
        try:
            data = pa.memory_map(str(real)).read_buffer()
            expected = _described(real.parent, real.name, path.parent)
        except FileNotFoundError:
            if attempt + 1 < READ_ATTEMPTS:
                continue  # an export removed the generation: the pointer names another
            raise InputError(
                f"No dataset at {path}. Run `classifieds export` first, or pass its folder."
            ) from None
        except OSError as error:
            raise unreadable(path, error) from error
        if expected is None or hashlib.sha256(data).hexdigest() == expected:
            return data
    raise _mixed(path.parent, path.name)


def generation_of(folder: Path) -> Path:
    """Return the generation folder that a dataset folder's manifest is read from now, or the
    folder itself when it is read from no generation (a plain file: a layout without symbolic
    links, a copy): several files read from a generation are of one, while it is not removed.

    Told by the manifest's link, followed once, not by the pointer: a pointer that files moved
    into place left stale named the old generation."""
    real = Path(os.path.realpath(folder / MANIFEST_JSON)).parent  # a .current folder is none
    return real if real.name.startswith(_GENERATION_PREFIX) else folder


def _described(folder: Path, name: str, label: Path | None = None) -> str | None:
    """Return the sha256 the manifest of ``folder`` gives the file ``name``, None if it has no
    manifest (or describes no such file); InputError when its manifest is none, named as in
    ``label`` (the folder a user named, not its generation).

    A generation always has its manifest: one without has been removed (FileNotFoundError).
    """
    manifest_path = folder / MANIFEST_JSON
    try:
        text = manifest_path.read_bytes()
    except (FileNotFoundError, IsADirectoryError):
        if folder.name.startswith(_GENERATION_PREFIX):
            raise FileNotFoundError(errno.ENOENT, "removed by an export", str(folder)) from None
        return None
    try:
        expected = json.loads(text).get("outputs", {}).get(name)
    except (ValueError, AttributeError) as error:  # not JSON, not an object, outputs a list
        named = (label or folder) / MANIFEST_JSON
        raise InputError(
            f"{named} is not a classifieds manifest ({type(error).__name__}). Run"
            " `classifieds export` again into its folder."
        ) from error
    return None if expected is None else str(expected)  # a number is no file's sha256


def _mixed(folder: Path, name: str) -> InputError:
    return InputError(
        f"{folder} mixes the files of two exports ({name} is not the one its manifest"
        " describes). Run `classifieds export` again into it."
    )


def unreadable(path: Path, error: OSError) -> ClassifiedsError:
    """Return the error that says a dataset file cannot be read, and what to check."""
    return ClassifiedsError(
        f"Cannot read {path}: {error.strerror or error}. Check that it is readable (its"
        " permissions, its disk), or export the dataset again."
    )


def _new_generation(out: Path) -> Path:
    """Return a new, empty generation folder in ``out``, made as any folder is: the umask says
    who may read it (``tempfile.mkdtemp`` would make the dataset its owner's alone)."""
    generation = out / f"{_GENERATION_PREFIX}{uuid.uuid4().hex[:12]}"
    generation.mkdir()
    return generation


def _synced(folder: Path) -> None:
    """Flush to disk the files of ``folder``, then the folder itself."""
    with os.scandir(folder) as entries:
        files = [entry.path for entry in entries if entry.is_file(follow_symlinks=False)]
    for path in files:
        _fsync(path)
    _fsync(folder)


def _fsync(path: str | Path) -> None:
    if sys.platform == "win32" and os.path.isdir(path):
        return  # a folder cannot be opened there; NTFS journals its names
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _publish(out: Path, generation: Path, names: Sequence[str], final: bool) -> None:
    """Make ``generation`` the dataset of ``out``: one atomic rename of the pointer."""
    _synced(generation)  # its bytes on disk before its name is
    pointer = out / f".current-{generation.name}"
    try:
        os.symlink(generation.name, pointer, target_is_directory=True)
    except (OSError, NotImplementedError):
        if final:  # from the first move on, a stop could only leave a mixed folder
            hold_stops()
        _move_files(out, generation, names)  # no symbolic links here
        _drop_pointer(out)
        _flushed(out)
        return
    _adopt(out, names)
    # A first export's links before the pointer they go through.
    _link(out, [name for name in [*names, MANIFEST_JSON] if (generation / name).exists()])
    if final:  # past the rename, a stop signal has nothing left to undo
        hold_stops()
    os.replace(pointer, out / CURRENT)  # the instant the new dataset replaces the old one
    _flushed(out)


def _adopt(out: Path, names: Sequence[str]) -> None:
    """Put the dataset of ``out`` behind the pointer if it is not (an older version's plain
    files, a copy's made by a tool that follows links: ``cp -rL``'s plain files, ``rsync
    -k``'s links into a ``.current`` folder), every name reading the same bytes at every step:
    a kill or a fault there leaves it whole. Its files are linked (or copied) into a generation,
    each name made a link into it, the pointer set to it, each name made a link through it.

    Plain files made links after the new dataset was published left a mixed folder at a
    fault; a ``.current`` folder set aside left the links through it dangling, swept then.
    """
    pointer = out / CURRENT
    present = [name for name in [*names, MANIFEST_JSON] if os.path.isfile(out / name)]
    if not present or (
        os.path.islink(pointer) and all(_through(out, name, CURRENT) for name in present)
    ):
        return
    adopted = _new_generation(out)
    for name in present:
        try:  # what the name leads to: os.link links a link itself on Linux
            os.link(os.path.realpath(out / name), adopted / name)
        except OSError:  # a file system without hard links
            shutil.copyfile(out / name, adopted / name)
    _synced(adopted)
    _link(out, present, adopted.name)  # a pointer that is a folder may now go
    if os.path.lexists(pointer) and not os.path.islink(pointer):
        os.rename(pointer, out / f"{_GENERATION_PREFIX}{uuid.uuid4().hex[:12]}")  # swept
    staged = out / f".current-{adopted.name}"
    os.symlink(adopted.name, staged, target_is_directory=True)
    os.replace(staged, pointer)
    _link(out, present)


def _through(out: Path, name: str, folder: str) -> bool:
    """Return whether ``name`` in ``out`` is a link to the file of that name in ``folder``."""
    try:
        return os.readlink(out / name) == os.path.join(folder, name)
    except OSError as error:
        if error.errno == errno.EINVAL:  # no link
            return False
        raise


def _link(out: Path, names: Sequence[str], folder: str = CURRENT) -> None:
    """Make the files ``names`` of ``out`` links to those of ``folder`` (the pointer), once
    per folder, in order (manifest last)."""
    for name in names:
        if not (os.path.islink(out / name) and _through(out, name, folder)):
            staged = out / f".current-{name}"
            os.symlink(os.path.join(folder, name), staged)
            os.replace(staged, out / name)


def _drop_pointer(out: Path) -> None:
    """Set aside, to be swept, a pointer that files moved into place made stale: it kept
    its generation for ever, and the readers that follow it once read the old dataset."""
    pointer = out / CURRENT
    with contextlib.suppress(OSError):
        if os.path.islink(pointer):
            os.unlink(pointer)
        elif os.path.lexists(pointer):
            os.rename(pointer, out / f"{_GENERATION_PREFIX}{uuid.uuid4().hex[:12]}")


def _flushed(out: Path) -> None:
    """Flush the names of ``out`` to disk, if it can be: the dataset is published already,
    and saying it was not would be wrong."""
    with contextlib.suppress(OSError):
        _fsync(out)


def _move_files(out: Path, generation: Path, names: Sequence[str]) -> None:
    """Move the files into ``out`` one by one, manifest last; a fault once one has moved
    says the folder is mixed (readers refuse it), not that the old dataset is intact."""
    moved = 0
    for name in [*names, MANIFEST_JSON]:
        if not (generation / name).exists():
            continue
        try:
            os.replace(generation / name, out / name)
        except OSError as error:
            if not moved:
                raise
            raise OutputError(
                f"Writing {out} failed midway ({error.strerror or error}): it mixes the files"
                " of two exports, which readers refuse. Check free space and permissions, and"
                " export again."
            ) from error
        moved += 1


def _current(out: Path) -> str | None:
    """Return the generation the pointer names, None when there is no pointer (or it is no
    link); OSError when it cannot be read."""
    try:
        return os.readlink(out / CURRENT)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as error:
        if error.errno == errno.EINVAL:  # not a link: a file of the user's, or no pointer
            return None
        raise
