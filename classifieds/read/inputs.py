"""Find the input files: files, folders (read recursively) and ``-`` for standard input.

Inputs are listed lazily in a stable order, so that a run is deterministic and a crawl of
millions of files costs no memory. Nothing here opens a file; that is :mod:`.streams`.
"""

from __future__ import annotations

import heapq
import json
import os
import stat
from collections.abc import Iterable, Iterator, Sequence
from fnmatch import fnmatchcase
from itertools import chain
from pathlib import Path

from classifieds.errors import InputError
from classifieds.read import remote
from classifieds.read.names import STDIN, source_key
from classifieds.read.remote import NO_OPTIONS, StorageOptions, is_url

DATASET_MANIFEST = "manifest.json"
"""A folder holding a classifieds manifest is a dataset, never an input."""
_MANIFEST_MAX_BYTES = 1 << 20
_DATASET_ENTRIES = (".generation-", ".current", ".staging-")
"""The entries of a dataset folder that hold its files (see :mod:`classifieds.store.folder`,
which read may not import)."""


def iter_inputs(
    inputs: Iterable[str | Path],
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    *,
    avoid: Iterable[str | Path] = (),
    special: list[str] | None = None,
    storage_options: StorageOptions = NO_OPTIONS,
) -> Iterator[str]:
    """Return the input files to read, lazily, in a stable order: stdin first, then by path.

    Folders are walked recursively, their entries in name order, hidden files and folders
    (``.git``, ``.DS_Store``) skipped; a path given twice, or inside a folder also given, is
    read once. A symbolic link to a folder is walked under its name, once, unless a folder
    given holds its target or is inside it (then its files are read there, or it is a loop).
    Nothing is listed up front, so a crawl of millions of files costs no memory.
    A file found in a folder is kept when its path relative to that folder matches one of the
    ``include`` globs (if any) and none of the ``exclude`` globs; ``*`` matches across
    folders. Files named explicitly are always kept, and read as streams when they are not
    regular files (a FIFO, as ``-``).

    Never listed: the folders in ``avoid`` (an export's output folder; InputError when it is
    given) and their dataset files, even named explicitly (``data/listings.csv``); every folder
    holding a classifieds dataset (its ``manifest.json``); and the FIFOs, sockets and devices
    found in folders, which are added to ``special`` when given. A folder that cannot be
    listed, or an entry that cannot be told (a symlink loop), is listed: reading it gives the
    reject.

    A URL (``s3://bucket/crawl/``) is an object or a prefix, walked the same way, its keys
    matched by the globs (:mod:`.remote`); ``storage_options`` configure its store.

    Raises InputError, at once, for a path or URL that does not exist; ClassifiedsError for a
    store that refuses the credentials or cannot be reached.
    """
    given = [str(path) for path in inputs]
    roots: dict[Path, str] = {}
    urls: dict[str, bool] = {}  # each URL given, and whether it is a prefix
    far = frozenset(str(path).rstrip("/") for path in avoid if is_url(str(path)))
    for name in given:
        if name == STDIN:
            continue
        if is_url(name):
            if name.rstrip("/") in far:  # s3://b/crawl/ --out s3://b/crawl: walked as nothing
                raise _given_out(name)
            urls.setdefault(name, remote.check_exists(name, storage_options))
            continue
        path = Path(name)
        if not path.exists():
            raise InputError(f"No such file or folder: {name}. Check the path, or use - for stdin.")
        roots.setdefault(path.resolve(), str(path))
    near = frozenset(Path(path).resolve() for path in avoid if not is_url(str(path)))
    for resolved, name in roots.items():
        if resolved in near:  # else its pages are silently left out (the run's own folder)
            raise _given_out(name)
    kept = [
        name
        for resolved, name in roots.items()
        if not any(other != resolved and other in resolved.parents for other in roots)
        and not any(_in_dataset_of(resolved, folder) for folder in near)
    ]
    walk = _Walk(include, exclude, near, special)
    folders = [name for name in kept if Path(name).is_dir()]
    walk.roots = {resolved for resolved, name in roots.items() if name in folders}
    streams = [walk.files(name, "") if name in folders else iter([name]) for name in kept]
    streams += [
        remote.walk(url, include, exclude, storage_options, far) if prefix else iter([url])
        for url, prefix in urls.items()
    ]
    ordered = heapq.merge(*streams, key=source_key)
    return chain([STDIN], ordered) if STDIN in given else ordered


class _Walk:
    """How folders are walked: the globs, the folders to avoid, where special files go."""

    def __init__(
        self,
        include: Sequence[str],
        exclude: Sequence[str],
        avoid: frozenset[Path],
        special: list[str] | None,
    ) -> None:
        self._include = include
        self._exclude = exclude
        self._avoid = avoid
        self._special = special
        self.roots: set[Path] = set()
        """The folders given, resolved: a symbolic link into one is read there, not twice."""
        self._followed: set[Path] = set()

    def files(self, folder: str, inside: str) -> Iterator[str]:
        """Yield the files of ``folder``, which is at ``inside`` (``a/b/``) in the folder
        given."""
        try:
            with os.scandir(folder) as scan:
                entries = sorted(
                    (e for e in scan if not e.name.startswith(".")), key=lambda e: e.name
                )
        except OSError:
            yield folder  # reading it says why: unreadable_file
            return
        if any(e.name == DATASET_MANIFEST for e in entries) and _is_dataset(folder):
            return
        if self._avoid and Path(folder).resolve() in self._avoid:
            return
        for entry in entries:
            relative = inside + entry.name
            try:
                if entry.is_dir(follow_symlinks=False):
                    yield from self.files(entry.path, f"{relative}/")
                    continue
                if entry.is_symlink() and entry.is_dir():
                    if self._follows(entry.path):  # another disk's folder linked in a crawl
                        yield from self.files(entry.path, f"{relative}/")
                    continue
                regular = entry.is_file()  # from the directory listing: no stat
                special = not regular and _is_special(entry)
            except OSError:  # a symlink loop, a file gone: reading it says why
                regular, special = True, False
            if not self._selected(relative):
                continue
            if regular:
                yield entry.path
            elif special and self._special is not None:
                self._special.append(entry.path)

    def _follows(self, link: str) -> bool:
        """Return whether to walk the folder a symbolic link points to: once, and only when
        no folder given holds it (its files are read there) nor is inside it (a loop)."""
        target = Path(link).resolve()
        for walked in chain(self.roots, self._followed):
            if walked == target or walked in target.parents or target in walked.parents:
                return False
        self._followed.add(target)
        return True

    def _selected(self, relative: str) -> bool:
        if self._include and not any(fnmatchcase(relative, glob) for glob in self._include):
            return False
        return not any(fnmatchcase(relative, glob) for glob in self._exclude)


def _given_out(name: str) -> InputError:
    return InputError(
        f"{name} is the output folder (--out): an export never reads the folder it"
        " writes. Write the dataset elsewhere (--out another folder), or move the pages."
    )


def _in_dataset_of(path: Path, folder: Path) -> bool:
    """Return whether a resolved path is the output ``folder`` or in the entries that hold its
    dataset files (``data/listings.csv`` links to ``data/.generation-*/``): read, they would
    replace the dataset by what its own files give, nothing."""
    if path == folder:
        return True
    if folder not in path.parents:
        return False
    return path.relative_to(folder).parts[0].startswith(_DATASET_ENTRIES)


def _is_special(entry: os.DirEntry[str]) -> bool:
    """Return whether an entry is a FIFO, socket or device (a symlink to one too)."""
    mode = entry.stat().st_mode
    return stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode) or stat.S_ISCHR(mode) or stat.S_ISBLK(mode)


def _is_dataset(folder: str) -> bool:
    """Return whether a folder's manifest.json is a classifieds manifest."""
    try:
        with open(os.path.join(folder, DATASET_MANIFEST), "rb") as file:
            manifest = json.loads(file.read(_MANIFEST_MAX_BYTES))
    except (OSError, ValueError, RecursionError):
        return False
    return isinstance(manifest, dict) and {"schema_version", "outputs"} <= manifest.keys()
