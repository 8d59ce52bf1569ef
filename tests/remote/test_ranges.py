"""Objects of a store read by ranges (the local S3 of moto): whole at every size around the
first range, and a reject when the object is replaced while it is read."""

from __future__ import annotations

import pytest
import servers
from servers import Bucket

from classifieds.read.remote import CutShort, Hashed, RemoteObject

pytest.importorskip("s3fs")
moto_endpoint = servers.moto_endpoint  # the fixtures of this module
bucket = servers.bucket
FIRST = 1 << 16


def _body(size: int) -> bytes:
    return (bytes(range(256)) * (size // 256 + 1))[:size]


def _rest(remote: RemoteObject) -> bytes:
    read = bytearray()
    while chunk := remote.read(FIRST):
        read += chunk
    return bytes(read)


@pytest.mark.parametrize("size", [0, 1, FIRST - 1, FIRST, FIRST + 1, 3 * FIRST + 7])
def test_an_object_is_read_whole_at_any_size(bucket: Bucket, size: int) -> None:
    hashed = Hashed()
    with RemoteObject(bucket.put("page.txt", _body(size)), {}, hashed) as remote:
        assert _rest(remote) == _body(size) and remote.failure is None
    assert hashed.whole and hashed.size == size


@pytest.mark.parametrize("replaced_by", [100_000, 4 * FIRST, 8 * FIRST], ids=str)
def test_an_object_replaced_while_read_is_cut_short_not_mixed(
    bucket: Bucket, replaced_by: int
) -> None:
    """Replaced by a shorter object, or a longer one (whose pages past the old size were lost
    in silence, and the hash taken of a part), once its first range has come."""
    url = bucket.put("page.txt", _body(4 * FIRST + 1))
    hashed = Hashed()
    with RemoteObject(url, {}, hashed) as remote:
        assert remote.read(FIRST) == _body(FIRST)
        bucket.put("page.txt", _body(replaced_by))
        _rest(remote)
        assert isinstance(remote.failure, CutShort)
        assert "changed while it was read" in str(remote.failure)
    assert not hashed.whole
