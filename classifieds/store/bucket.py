"""A dataset at a URL (``s3://bucket/data/``): written whole, manifest last; read through it.

An object store has no rename and no link, so the local way (a generation folder published
by one atomic rename, :mod:`.folder`) cannot be had there. A run writes its dataset in a local
folder first, then uploads it:

1. every file to a temporary prefix (``data/.staging-<id>/``): a run that fails, is
   interrupted or is killed until then leaves the previous dataset as it was;
2. the previous ``manifest.json`` is deleted, the files are copied into place inside the store
   (no upload again), and the new ``manifest.json`` is written last;
3. the temporary prefix is removed (the next run sweeps one that a killed run left).

Readers trust a dataset at a URL only through its manifest: without one (no export there, or
one being written) there is no dataset, and a file whose sha256 is not the manifest's (a run
stopped between two copies) is refused. There is no lock: one writer at a time is the user's
care.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import posixpath
import sys
import tempfile
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from classifieds.errors import ClassifiedsError, InputError, OutputError, one_line
from classifieds.read.remote import NO_OPTIONS, StorageOptions, filesystem, is_url
from classifieds.stops import hold_stops
from classifieds.store.folder import read_whole, sha256, unreadable

if TYPE_CHECKING:
    import pyarrow as pa

MANIFEST_JSON = "manifest.json"
LISTINGS_CSV = "listings.csv"
STDIN = "-"
"""The dataset given as ``-``: one file piped into standard input."""
_PARQUET_MAGIC = b"PAR1"
STAGING_PREFIX = ".staging-"
_MANIFEST_MAX_BYTES = 1 << 24
_AGAIN = "export all the inputs again without --append."
"""How to mend a dataset at a URL that an append cannot trust (as :mod:`classifieds.run.append`)."""


@dataclass(frozen=True)
class DatasetFile:
    """A file of a dataset, checked against its manifest, ready for pyarrow to read."""

    label: str
    """How to name it in a message."""
    name: str
    """Its file name (``listings.csv``)."""
    source: pa.BufferReader
    """Its bytes: mapped from a local file, or fetched from a store."""


def open_dataset_file(
    path: str | Path, name: str, storage_options: StorageOptions = NO_OPTIONS
) -> DatasetFile:
    """Return the file ``name`` of the dataset at ``path`` (a folder, a URL, or one of their
    files), checked against its manifest; InputError when there is none.

    The one way the commands that read a dataset open its files: a URL works wherever a
    folder does.
    """
    if str(path) == STDIN:
        return _piped(name)
    if is_url(str(path)):
        import pyarrow as pa

        url, name = split_dataset_url(str(path), name)
        data = read_file(url, name, storage_options)
        return DatasetFile(f"{url.rstrip('/')}/{name}", name, pa.BufferReader(data))
    import pyarrow as pa

    local = Path(path)
    try:
        if local.is_dir():
            local = local / name
        found = local.is_file()
    except OSError as error:  # a folder one may not enter
        raise unreadable(local, error) from error
    if not found:
        raise InputError(
            f"No dataset at {local}. Run `classifieds export` first, or pass its folder."
        )
    return DatasetFile(str(local), local.name, pa.BufferReader(read_whole(local)))


def _piped(name: str) -> DatasetFile:
    """Return the dataset file piped into standard input (``-``): Parquet, told by its magic
    number, or else a listings CSV. InputError for a terminal, a closed or an empty stdin."""
    import pyarrow as pa

    how = "Pipe a dataset file into it: cat data/listings.csv | classifieds rows -"
    stdin = sys.stdin
    if stdin is None:
        raise InputError(f"- reads standard input, which is closed. {how}")
    if stdin.isatty():
        raise InputError(f"- reads standard input, which is a terminal. {how}")
    try:
        data = stdin.buffer.read()
    except OSError as error:
        raise InputError(f"Cannot read standard input: {error.strerror or error}.") from error
    if not data:
        raise InputError(f"- reads standard input, which is empty. {how}")
    named = name if data.startswith(_PARQUET_MAGIC) else LISTINGS_CSV
    return DatasetFile("standard input", named, pa.BufferReader(data))


@contextmanager
def uploaded(
    url: str, names: Sequence[str], options: StorageOptions = NO_OPTIONS, *, previous: bool
) -> Iterator[Path]:
    """Yield a local folder to write a dataset of the files ``names`` into; on success upload
    it to ``url``, manifest last. With ``previous``, the folder holds the dataset already at
    ``url`` (checked against its manifest), for an append."""
    fs, root = filesystem(url, options)
    root = root.rstrip("/")
    with tempfile.TemporaryDirectory(prefix="classifieds-") as scratch:
        folder = Path(scratch) / "dataset"
        folder.mkdir()
        if previous:
            _download(url, names, options, folder)
        yield folder
        try:
            _sweep(fs, root)
            staging = f"{root}/{STAGING_PREFIX}{uuid.uuid4().hex}"
            present = [n for n in [*names, MANIFEST_JSON] if (folder / n).exists()]
            for name in present:
                fs.put_file(str(folder / name), f"{staging}/{name}")
            hold_stops()  # a stop from here on would leave the prefix without a dataset
            with contextlib.suppress(FileNotFoundError):
                fs.rm_file(f"{root}/{MANIFEST_JSON}")  # from now on, no dataset is trusted
            for name in present:  # the manifest last
                fs.copy(f"{staging}/{name}", f"{root}/{name}")
            fs.rm(staging, recursive=True)
        except Exception as error:  # the stores' clients raise from many hierarchies
            raise OutputError(
                f"Writing {url} failed: {one_line(error)}. Check the URL, the credentials"
                " (--storage-option) and that the store is writable."
            ) from error


def _sweep(fs: Any, root: str) -> None:
    """Remove the temporary prefixes that killed runs left."""
    with contextlib.suppress(FileNotFoundError):
        for path in fs.glob(f"{root}/{STAGING_PREFIX}*"):
            fs.rm(path, recursive=True)


def _download(url: str, names: Sequence[str], options: StorageOptions, folder: Path) -> None:
    """Copy the dataset at ``url`` into ``folder``, each file checked against its manifest;
    nothing when there is no dataset there.

    Dataset files without a manifest, or with one that is none, are refused (InputError): an
    append must not replace them with a dataset of the new inputs alone.
    """
    fs, root = filesystem(url, options)
    root = root.rstrip("/")
    try:
        present = [name for name in [MANIFEST_JSON, *names] if fs.exists(f"{root}/{name}")]
    except Exception as error:  # the stores' clients raise from many hierarchies
        raise ClassifiedsError(
            f"Cannot read {url}: {one_line(error)}. Check the URL and the credentials"
            " (--storage-option)."
        ) from error
    if not present:
        return  # no dataset yet: the append is a first export
    if present[0] != MANIFEST_JSON:
        raise InputError(
            f"{url} holds a dataset ({present[0]}) but no {MANIFEST_JSON} to check it against:"
            f" {_AGAIN}"
        )
    try:
        manifest = read_manifest(url, options)
    except InputError as error:
        raise InputError(
            f"{url}/{MANIFEST_JSON} is not a classifieds manifest: {_AGAIN}"
        ) from error
    (folder / MANIFEST_JSON).write_bytes(json.dumps(manifest).encode("utf-8"))
    for name in names:  # one the manifest does not describe is missing: the append says so
        if name in manifest["outputs"]:
            _fetch(fs, f"{root}/{name}", folder / name, url)
            if sha256(folder / name) != manifest["outputs"][name]:
                raise InputError(
                    f"The dataset at {url} does not match its manifest ({name} is not the file"
                    f" it describes): {_AGAIN}"
                )


def _fetch(fs: Any, path: str, local: Path, url: str) -> None:
    """Copy a file of a store to ``local``, a block at a time: never held whole in memory."""
    try:
        fs.get_file(path, str(local))
    except Exception as error:
        raise ClassifiedsError(
            f"Cannot read {url}/{local.name}: {one_line(error)}. Check the URL and the credentials."
        ) from error


def read_manifest(url: str, options: StorageOptions = NO_OPTIONS) -> Mapping[str, Any]:
    """Return the manifest of the dataset at ``url``; InputError when it has none."""
    fs, root = filesystem(url, options)
    path = f"{root.rstrip('/')}/{MANIFEST_JSON}"
    try:
        with fs.open(path, "rb") as file:
            manifest = json.loads(file.read(_MANIFEST_MAX_BYTES))
    except FileNotFoundError as error:
        raise InputError(
            f"No dataset at {url}: it has no {MANIFEST_JSON} (no export there, or one being"
            " written). Check the URL, or run `classifieds export --out` to it."
        ) from error
    except ValueError as error:
        raise InputError(f"{url}/{MANIFEST_JSON} is not a classifieds manifest.") from error
    except Exception as error:
        raise ClassifiedsError(
            f"Cannot read {url}: {one_line(error)}. Check the URL and the credentials"
            " (--storage-option)."
        ) from error
    if not isinstance(manifest, dict) or not isinstance(manifest.get("outputs"), dict):
        raise InputError(f"{url}/{MANIFEST_JSON} is not a classifieds manifest.")
    return manifest


def read_file(
    url: str, name: str, options: StorageOptions, manifest: Mapping[str, Any] | None = None
) -> bytes:
    """Return the bytes of a file of the dataset at ``url``, checked against its manifest."""
    manifest = read_manifest(url, options) if manifest is None else manifest
    expected = manifest["outputs"].get(name)
    if not expected:
        raise InputError(f"The dataset at {url} has no {name}. Run `classifieds export` again.")
    fs, root = filesystem(url, options)
    try:
        with fs.open(f"{root.rstrip('/')}/{name}", "rb") as file:
            digest, data = hashlib.sha256(), bytearray()
            while chunk := file.read(1 << 22):
                digest.update(chunk)
                data += chunk
    except Exception as error:
        raise ClassifiedsError(
            f"Cannot read {url}/{name}: {one_line(error)}. Check the URL and the credentials."
        ) from error
    if digest.hexdigest() != expected:
        raise InputError(
            f"{url} mixes the files of two exports ({name} is not the one its manifest"
            " describes: an export was stopped while writing). Run `classifieds export` again."
        )
    return bytes(data)


def dataset_of(path: str) -> str:
    """Return the dataset (its folder or URL) that ``path`` names, or holds a file of.

    >>> dataset_of("s3://b/data/listings.csv"), dataset_of("data/")
    ('s3://b/data', 'data/')
    """
    if is_url(path):
        return split_dataset_url(path, "")[0]
    return str(Path(path).parent) if Path(path).suffix in (".parquet", ".csv") else path


def split_dataset_url(url: str, name: str) -> tuple[str, str]:
    """Return the dataset URL and the file to read, for a dataset URL or one of its files.

    >>> split_dataset_url("s3://b/data/", "listings.parquet")
    ('s3://b/data/', 'listings.parquet')
    >>> split_dataset_url("s3://b/data/listings.csv", "listings.parquet")
    ('s3://b/data', 'listings.csv')
    """
    base = posixpath.basename(url.split("?", 1)[0])
    if base.endswith((".parquet", ".csv")):
        return url[: -len(base) - 1], base
    return url, name
