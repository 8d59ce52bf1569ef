"""Inputs where they live: URLs (``s3://``, ``gs://``, ``az://``, ``http(s)://``) through fsspec.

A URL names an object or a prefix ("folder") of a store. Its file system is made by fsspec from
the URL and the storage options (credentials, an endpoint): those given, else the store's own
configuration (for S3, the AWS environment variables, ``AWS_ENDPOINT_URL`` included, and
profiles). An object is read as a stream, a block at a time, never held whole; a read that
fails is tried again from where it stopped, and a connection that stays cut ends the stream
there, which its reader reports as ``corrupt_file`` with the pages before the cut kept.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import re
import time
from collections.abc import Iterator, Mapping, Sequence
from fnmatch import fnmatchcase
from types import MappingProxyType
from typing import IO, TYPE_CHECKING, Any

from classifieds.errors import ClassifiedsError, InputError, one_line

if TYPE_CHECKING:
    from fsspec import AbstractFileSystem
    from fsspec.asyn import AsyncFileSystem

StorageOptions = Mapping[str, Any]
NO_OPTIONS: StorageOptions = MappingProxyType({})
_URL = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]+://")
EXTRA_OF_PROTOCOL: Mapping[str, str] = MappingProxyType(
    {
        "s3": "s3",
        "s3a": "s3",
        "gs": "gcs",
        "gcs": "gcs",
        "az": "azure",
        "abfs": "azure",
        "abfss": "azure",
        "http": "http",
        "https": "http",
    }
)
"""The ``classifieds`` extra that brings each protocol's fsspec driver."""
BLOCK_BYTES = 4 << 20
"""An object is fetched this much at a time, at most: a few round trips per WARC, little
memory."""
FIRST_BLOCK_BYTES = 1 << 16
"""The first block of an object of a store read by ranges: the next ones are as large as the
store sends in :data:`STALL_SECONDS`, up to :data:`BLOCK_BYTES`."""
STALL_SECONDS = 30.0
"""A store silent this long (to connect, or between two reads) fails the read, which is then
tried again: the clients' own defaults wait minutes, or for ever."""
SLOW_BYTES_PER_SECOND = 1024
"""A store that sends less than this on average, once :data:`STALL_SECONDS` have passed, ends
the read: a server that drips a byte now and then is never silent long enough to stall, and
would hold the run for ever."""
RETRY_DELAYS = (0.2, 1.0, 3.0)
"""Seconds to wait before each new try of a read that failed (a reset, a timeout, a 503)."""
_FINAL_ERRORS = (FileNotFoundError, PermissionError, IsADirectoryError, NotADirectoryError)
"""Errors that another try does not mend."""
DATASET_MANIFEST = "manifest.json"


class CutShort(Exception):
    """The connection to a store was lost mid-object, and trying again did not mend it."""


def is_url(name: str) -> bool:
    """Return whether an input or output is a URL rather than a local path.

    >>> [is_url(n) for n in ("s3://bucket/crawl/", "https://example.org/a.warc.gz", "crawl/")]
    [True, True, False]
    >>> is_url("C:/pages"), is_url("notes:2024.txt")
    (False, False)
    """
    return _URL.match(name) is not None


def filesystem(url: str, options: StorageOptions = NO_OPTIONS) -> tuple[AbstractFileSystem, str]:
    """Return the file system of a URL and the path in it; ClassifiedsError naming the ``pip
    install`` to run when the protocol's driver is missing."""
    protocol = url.split("://", 1)[0].lower()
    extra = EXTRA_OF_PROTOCOL.get(protocol)
    hint = f"pip install 'classifieds[{extra}]'" if extra else "install its fsspec driver"
    try:
        from fsspec.core import url_to_fs

        return url_to_fs(url, **_with_timeouts(protocol, options))  # type: ignore[no-any-return]
    except ImportError as error:
        raise ClassifiedsError(
            f"Reading {protocol}:// URLs needs a driver that is not installed: {hint}."
        ) from error
    except ValueError as error:  # an unknown protocol, a malformed URL
        raise InputError(f"Cannot use {url}: {one_line(error)}. Check the URL.") from error
    except TypeError as error:  # an option the driver does not take
        raise InputError(
            f"A --storage-option does not fit {protocol}:// ({one_line(error)}). Check its name."
        ) from error


def _with_timeouts(protocol: str, options: StorageOptions) -> StorageOptions:
    """Return the storage options with :data:`STALL_SECONDS` as the client's timeouts, unless
    they set their own."""
    if protocol in ("http", "https"):
        from aiohttp import ClientTimeout

        stall = ClientTimeout(sock_connect=STALL_SECONDS, sock_read=STALL_SECONDS)
        return {**options, "client_kwargs": {"timeout": stall, **options.get("client_kwargs", {})}}
    if EXTRA_OF_PROTOCOL.get(protocol) == "s3":
        stall_s3 = {"connect_timeout": STALL_SECONDS, "read_timeout": STALL_SECONDS}
        return {**options, "config_kwargs": {**stall_s3, **options.get("config_kwargs", {})}}
    return options


def check_exists(url: str, options: StorageOptions = NO_OPTIONS) -> bool:
    """Return whether a URL is a prefix (True) or an object (False).

    Raises InputError when there is neither, ClassifiedsError when the store refuses (wrong
    credentials) or cannot be reached.
    """
    fs, path = filesystem(url, options)
    if not path.strip("/"):
        raise InputError(f"{url} names no bucket: give s3://BUCKET/PREFIX/ (or the store's like).")
    try:
        if _is_http(url):  # HTTP has no folders: a URL is a page
            _check_page(fs, path)
            return False
        if fs.isdir(path):
            return True
        if fs.isfile(path):
            return False
    except FileNotFoundError:
        pass
    except Exception as error:  # the stores' clients raise from many hierarchies
        raise _store_error(url, error) from error
    raise InputError(f"No such object or prefix: {url}. Check the URL (and the bucket's name).")


def walk(
    url: str,
    include: Sequence[str],
    exclude: Sequence[str],
    options: StorageOptions = NO_OPTIONS,
    avoid: frozenset[str] = frozenset(),
) -> Iterator[str]:
    """Yield the URLs of the objects under a prefix, folder by folder in name order, as local
    folders are walked: hidden names skipped, the ``include`` and ``exclude`` globs matched on
    the key relative to the prefix, datasets (a ``manifest.json``) and ``avoid`` left out."""
    fs, root = filesystem(url, options)
    yield from _walk(fs, root.rstrip("/"), "", include, exclude, avoid)


def _walk(
    fs: AbstractFileSystem,
    folder: str,
    inside: str,
    include: Sequence[str],
    exclude: Sequence[str],
    avoid: frozenset[str],
) -> Iterator[str]:
    if fs.unstrip_protocol(folder).rstrip("/") in avoid:
        return
    try:
        entries = sorted(
            (entry for entry in fs.ls(folder, detail=True) if not _name(entry).startswith(".")),
            key=_name,
        )
    except Exception as error:
        raise _store_error(fs.unstrip_protocol(folder), error) from error
    if any(_name(e) == DATASET_MANIFEST and e.get("type") != "directory" for e in entries):
        return
    for entry in entries:
        relative = inside + _name(entry)
        if entry.get("type") == "directory":
            yield from _walk(fs, entry["name"], f"{relative}/", include, exclude, avoid)
        elif _selected(relative, include, exclude):
            yield fs.unstrip_protocol(entry["name"])


def _name(entry: Mapping[str, Any]) -> str:
    return str(entry["name"]).rstrip("/").rsplit("/", 1)[-1]


def _selected(relative: str, include: Sequence[str], exclude: Sequence[str]) -> bool:
    if include and not any(fnmatchcase(relative, glob) for glob in include):
        return False
    return not any(fnmatchcase(relative, glob) for glob in exclude)


def _check_page(fs: AbstractFileSystem, url: str) -> None:
    """Raise FileNotFoundError for a page that is not there, another error for a server that
    cannot be reached: fsspec says FileNotFoundError for both."""
    try:
        fs.info(url)
    except FileNotFoundError as missing:
        cause = missing.__cause__
        if cause is None or isinstance(cause, FileNotFoundError):
            raise
        if getattr(cause, "status", None) in (404, 410):
            raise
        raise ConnectionError(one_line(cause)) from cause


def _is_http(url: str) -> bool:
    return url.lower().startswith(("http://", "https://"))


def _store_error(url: str, error: BaseException) -> ClassifiedsError:
    """Return a one-line error for a store that refuses or cannot be reached."""
    if isinstance(error, PermissionError):
        fix = "Check the credentials (AWS_ACCESS_KEY_ID, a profile, or --storage-option)."
    else:
        fix = "Check the URL, the endpoint and the network; then run again."
    return ClassifiedsError(f"Cannot read {url}: {one_line(error)}. {fix}")


class Hashed:
    """The size and sha256 of an object, filled as it is read."""

    def __init__(self) -> None:
        self.size = 0
        self.digest = hashlib.sha256()
        self.whole = False
        """Whether the object was read to its end: the hash is then its hash."""


class _TooSlow(Exception):
    """A block of an object did not come at :data:`SLOW_BYTES_PER_SECOND`."""


class _Changed(Exception):
    """An object that is not the size it was said to be: replaced while it was read."""


class _Ranges:
    """An object of a store (S3, GCS, Azure) read by range requests, each given the time its
    block takes at :data:`SLOW_BYTES_PER_SECOND`: a store that drips its bytes is too slow
    within that time, where a read of a whole block would wait until its last byte.

    Each range must come whole, and the last one asks for a byte more than the object's size:
    an object replaced by a shorter or longer one since its size was looked up (or listed),
    or a store that answers a range with the whole object, is :class:`_Changed`, not pages
    of two objects, nor one cut short in silence.
    """

    def __init__(self, fs: AsyncFileSystem, path: str, offset: int) -> None:
        self._fs, self._path = fs, path
        self._size: int = fs.size(path)
        self._at = offset
        self._block = memoryview(b"")  # fetched and not read yet
        self._block_bytes = FIRST_BLOCK_BYTES

    def read(self, size: int) -> bytes:
        if not self._block:
            self._fetch()
        data, self._block = self._block[:size], self._block[size:]
        self._at += len(data)
        return bytes(data)

    def _fetch(self) -> None:
        from fsspec.exceptions import FSTimeoutError

        end = min(self._at + self._block_bytes, self._size)
        if end <= self._at:
            return
        seconds = max(STALL_SECONDS, (end - self._at) / SLOW_BYTES_PER_SECOND)
        started = time.monotonic()
        asked = end + (end == self._size)  # a byte past the end: none, unless it grew
        try:
            block = self._fs.cat_file(self._path, start=self._at, end=asked, timeout=seconds)
        except FSTimeoutError:
            raise _TooSlow(
                f"too slow: {end - self._at} bytes not sent in {seconds:.0f} s, under"
                f" {SLOW_BYTES_PER_SECOND} bytes/s"
            ) from None
        if len(block) != end - self._at:
            raise _Changed(
                f"the object changed while it was read: {len(block)} bytes at {self._at} for a"
                f" range of {end - self._at}, where its size was {self._size}"
            )
        rate = len(block) / max(time.monotonic() - started, 1e-3)
        self._block_bytes = int(min(BLOCK_BYTES, max(FIRST_BLOCK_BYTES, rate * STALL_SECONDS)))
        self._block = memoryview(block)

    def close(self) -> None:
        self._block = memoryview(b"")


class RemoteObject(io.RawIOBase):
    """An object of a store, read as a stream: a block at a time, tried again where it failed.

    A read that still fails after :data:`RETRY_DELAYS` ends the stream as if the object ended
    there, and keeps the :attr:`failure`: raising would lose the records that readers above
    have buffered. :meth:`drain` reads the rest of an object its reader left, only to hash it.
    """

    def __init__(self, url: str, options: StorageOptions, hashed: Hashed) -> None:
        self._url = url
        self._fs, self._path = filesystem(url, options)
        self._hashed = hashed
        self.failure: CutShort | None = None
        self._file: IO[bytes] | _Ranges | None = None
        self._started = time.monotonic()
        for delay in (*RETRY_DELAYS, None):
            try:
                self._file = self._open(0)
                break
            except _FINAL_ERRORS:
                raise  # a missing object: unreadable_file
            except Exception as error:
                if delay is None:  # told as unreadable_file, the reason on one line
                    raise OSError(one_line(error)) from error
                time.sleep(delay)

    def _open(self, offset: int) -> IO[bytes] | _Ranges:
        from fsspec.asyn import AsyncFileSystem

        if isinstance(self._fs, AsyncFileSystem) and not _is_http(self._url):
            return _Ranges(self._fs, self._path, offset)
        # HTTP servers without range requests (http.server) are read as one stream.
        block = 0 if _is_http(self._url) else BLOCK_BYTES
        file: IO[bytes] = self._fs.open(self._path, "rb", block_size=block, cache_type="readahead")
        if offset:
            try:
                file.seek(offset)
            except (OSError, ValueError):  # a stream: read up to where the cut was
                while offset > 0:
                    skipped = len(file.read(min(offset, BLOCK_BYTES)))
                    if not skipped:
                        raise EOFError("the object is shorter than before") from None
                    offset -= skipped
        return file

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        if self.failure is not None or self._file is None:
            return 0
        data = self._read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def _read(self, size: int) -> bytes:
        for delay in (*RETRY_DELAYS, None):
            try:
                if self._file is None:
                    self._file = self._open(self._hashed.size)
                data = self._file.read(size)
            except _FINAL_ERRORS:
                raise
            except (_TooSlow, _Changed) as error:  # not tried again: it would be as slow
                self._drop()
                self.failure = CutShort(str(error))
                return b""
            except Exception as error:  # the stores' clients raise from many hierarchies
                self._drop()
                if delay is None:
                    self.failure = CutShort(
                        f"connection lost after {self._hashed.size} bytes: {one_line(error)}"
                    )
                    return b""
                time.sleep(delay)
                continue
            self._hashed.size += len(data)
            self._hashed.digest.update(data)
            self._hashed.whole = not data
            if data:
                self._check_rate()
            return data
        return b""  # not reached: the last try returns

    def _check_rate(self) -> None:
        """End the stream after this read (:attr:`failure`) when the object comes slower than
        :data:`SLOW_BYTES_PER_SECOND` on average."""
        seconds = time.monotonic() - self._started
        if seconds > STALL_SECONDS and self._hashed.size < SLOW_BYTES_PER_SECOND * seconds:
            self._drop()
            self.failure = CutShort(
                f"too slow: {self._hashed.size} bytes in {seconds:.0f} s, under"
                f" {SLOW_BYTES_PER_SECOND} bytes/s"
            )

    def _drop(self) -> None:
        if self._file is not None:
            with contextlib.suppress(Exception):  # a connection already cut: nothing to release
                self._file.close()
            self._file = None

    def drain(self) -> None:
        """Read the rest of the object, a block at a time, to hash it whole. Not done on close:
        a run stopped (Ctrl-C) must not wait for the rest of a 5 GB archive."""
        while self.failure is None and not self._hashed.whole and self._read(BLOCK_BYTES):
            pass

    def close(self) -> None:
        if not self.closed:
            self._drop()
        super().close()
