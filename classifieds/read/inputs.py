"""Find the input files: files, folders (read recursively) and ``-`` for standard input.

Inputs are listed lazily in a stable order, so that a run is deterministic and a crawl of
millions of files costs no memory. Nothing here opens a file; that is :mod:`.streams`.
"""

from __future__ import annotations

import heapq
import os
from collections.abc import Iterable, Iterator, Sequence
from fnmatch import fnmatchcase
from itertools import chain
from pathlib import Path

from classifieds.errors import InputError
from classifieds.read.names import STDIN, source_key


def iter_inputs(
    inputs: Iterable[str | Path], include: Sequence[str] = (), exclude: Sequence[str] = ()
) -> Iterator[str]:
    """Return the input files to read, lazily, in a stable order: stdin first, then by path.

    Folders are walked recursively, their entries in name order, hidden files and folders
    (``.git``, ``.DS_Store``) skipped; a path given twice, or inside a folder also given, is
    read once. Nothing is listed up front, so a crawl of millions of files costs no memory.
    A file found in a folder is kept when its path relative to that folder matches one of the
    ``include`` globs (if any) and none of the ``exclude`` globs; ``*`` matches across
    folders. Files named explicitly are always kept.

    Raises InputError, at once, for a path that does not exist.
    """
    given = [str(path) for path in inputs]
    roots: dict[Path, str] = {}
    for name in given:
        if name == STDIN:
            continue
        path = Path(name)
        if not path.exists():
            raise InputError(f"No such file or folder: {name}. Check the path, or use - for stdin.")
        roots.setdefault(path.resolve(), str(path))
    kept = [
        name
        for resolved, name in roots.items()
        if not any(other != resolved and other in resolved.parents for other in roots)
    ]
    streams = [
        _walk(name, "", include, exclude) if Path(name).is_dir() else iter([name]) for name in kept
    ]
    ordered = heapq.merge(*streams, key=source_key)
    return chain([STDIN], ordered) if STDIN in given else ordered


def _walk(
    folder: str, inside: str, include: Sequence[str], exclude: Sequence[str]
) -> Iterator[str]:
    """Yield the files of ``folder``, which is at ``inside`` (``a/b/``) in the folder given."""
    with os.scandir(folder) as scan:
        entries = sorted((e for e in scan if not e.name.startswith(".")), key=lambda e: e.name)
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            yield from _walk(entry.path, f"{inside}{entry.name}/", include, exclude)
        elif entry.is_file() and _selected(inside + entry.name, include, exclude):
            yield entry.path


def _selected(relative: str, include: Sequence[str], exclude: Sequence[str]) -> bool:
    if include and not any(fnmatchcase(relative, glob) for glob in include):
        return False
    return not any(fnmatchcase(relative, glob) for glob in exclude)
