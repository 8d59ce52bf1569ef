"""Gzip members one after another: what a damaged member gives before its damage is found."""

import gzip
import io
import zlib

import pytest

from classifieds.read.members import CHUNK_BYTES, Members, _Inflate


def _content_before_damage(data: bytes) -> bytes:
    """Read ``data`` as gzip members up to the first error; return what was given. It is read
    a few bytes at a time, as a record many times longer than a read is."""
    members = Members(io.BytesIO(data), _Inflate, 16)
    given = bytearray()
    try:
        while chunk := members.read():
            given += chunk
    except (EOFError, zlib.error, OSError):
        pass
    return bytes(given)


def _record(number: int) -> bytes:
    return f"WARC/1.0\r\nrecord {number}\r\n".encode() + bytes(range(256)) * (number % 7 + 1)


@pytest.mark.parametrize("number", range(14))
def test_a_member_cut_anywhere_gives_none_of_its_content(number: int) -> None:
    """A member cut short, then followed by the next one, decompresses the next one's bytes
    into garbage before it fails: none of it, and nothing of its own, is given."""
    first, cut, after = (gzip.compress(_record(n), mtime=0) for n in (0, number, 99))
    for at in range(1, len(cut), max(1, len(cut) // 25)):
        assert _content_before_damage(first + cut[:at] + after) == _record(0)


def test_whole_members_are_given_in_full_and_in_order() -> None:
    records = [_record(n) for n in range(5)]
    data = b"".join(gzip.compress(r, mtime=0) for r in records)
    assert _content_before_damage(data) == b"".join(records)


def test_a_member_larger_than_what_is_held_is_given_as_it_comes() -> None:
    big = bytes(range(256)) * (3 << 12)  # 3 MiB: past the 1 MiB held
    data = gzip.compress(b"first", mtime=0) + gzip.compress(big, mtime=0)
    members = Members(io.BytesIO(data), _Inflate, CHUNK_BYTES)
    sizes = []
    while chunk := members.read():
        sizes.append(len(chunk))
    assert sum(sizes) == len(big) + 5 and max(sizes) <= CHUNK_BYTES
