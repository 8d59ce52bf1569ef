"""Gzip members one after another: what a damaged member gives before its damage is found."""

import gzip
import io
import random
import zlib

import pytest

from classifieds.read.members import CHUNK_BYTES, Members, _Inflate


def _content_before_damage(data: bytes, piece: int = 16) -> bytes:
    """Read ``data`` as gzip members up to the first error; return what was given. It is read
    a few bytes at a time, as a record many times longer than a read is."""
    members = Members(io.BytesIO(data), _Inflate, piece)
    given = bytearray()
    try:
        while chunk := members.read():
            given += chunk
    except (EOFError, zlib.error, OSError):
        pass
    return bytes(given)


def _record(number: int) -> bytes:
    return f"WARC/1.0\r\nrecord {number}\r\n".encode() + bytes(range(256)) * (number % 7 + 1)


@pytest.mark.parametrize("piece", [1, 7, 16, CHUNK_BYTES])
@pytest.mark.parametrize("number", range(14))
def test_a_member_cut_anywhere_gives_none_of_the_next_ones_bytes(number: int, piece: int) -> None:
    """A member cut short, then followed by the next one, decompresses the next one's bytes
    into garbage before it fails: none of it is given, first member or not, only the content
    its own bytes made (which ends its record short)."""
    first, cut, after = (gzip.compress(_record(n), mtime=0) for n in (0, number, 99))
    for before in (b"", first):
        for at in range(1, len(cut), max(1, len(cut) // 25)):
            given = _content_before_damage(before + cut[:at] + after, piece)
            own = _record(0) if before else b""
            assert given.startswith(own) and (own + _record(number)).startswith(given)


@pytest.mark.parametrize("members", [1, 2, 3])
def test_a_last_member_cut_short_gives_what_it_made(members: int) -> None:
    """A download cut mid-member: the content before the cut is the member's own, and given
    (the lines of a ``.jsonl.gz`` before it), whichever member it is."""
    contents = [
        b"".join(
            b"%d %s\n" % (n, random.Random(n).randbytes(40).hex().encode())
            for n in range(k, 3000, members)
        )
        for k in range(members)
    ]
    parts = [gzip.compress(content, mtime=0) for content in contents]
    earlier = b"".join(contents[:-1])
    cut = b"".join(parts[:-1]) + parts[-1][: len(parts[-1]) // 2]
    given = _content_before_damage(cut, CHUNK_BYTES)
    made = given.removeprefix(earlier)
    assert given.startswith(earlier) and contents[-1].startswith(made)
    assert len(made) > len(contents[-1]) // 3


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
