"""Inputs at http(s):// URLs, from an http.server on 127.0.0.1: pages, compressed pages,
connections cut mid-body (once: tried again; for good: a reject, the rest kept), bad URLs."""

from __future__ import annotations

import gzip
import json
import random
import socket
import time
from pathlib import Path

import pytest
import servers
from click.testing import CliRunner
from conftest import DATA, html_page, write_warc
from servers import Site

import classifieds
from classifieds.cli import cli
from classifieds.read import remote

site = servers.site  # the fixture of this module
BASIC = (DATA / "basic.txt").read_bytes()


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(remote, "RETRY_DELAYS", (0.0, 0.0))


def rejects(out: Path) -> list[dict[str, object]]:
    lines = (out / "rejects.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def test_pages_at_urls_are_read_as_files_are(site: Site, tmp_path: Path) -> None:
    site.pages["basic.txt"] = BASIC
    site.pages["basic.txt.gz"] = gzip.compress(BASIC)
    (tmp_path / "basic.txt").write_bytes(BASIC)
    urls = [site.url("basic.txt"), site.url("basic.txt.gz")]
    manifest = classifieds.build(urls, tmp_path / "out")
    local = classifieds.build([tmp_path / "basic.txt"], tmp_path / "local")
    assert manifest.listings == local.listings > 0
    assert manifest.sightings == 2 * local.sightings
    assert manifest.rejects == 0
    listings = classifieds.load(tmp_path / "out")
    assert set(listings["first_source"]) == {urls[0]}


def warc_of_pages(tmp_path: Path, count: int) -> bytes:
    """A WARC archive of ``count`` pages with the ads of basic.txt, each padded with 16 kB
    that do not compress: the half that comes before the cut is MBs, read as it comes."""
    rng = random.Random(0)
    body = html_page(BASIC.decode("utf-8")).encode()
    records = [
        {
            "url": f"https://x.fr/{n}",
            "body": body + b"<!-- %s -->" % rng.randbytes(8192).hex().encode(),
        }
        for n in range(count)
    ]
    write_warc(tmp_path / "a.warc.gz", records)
    return (tmp_path / "a.warc.gz").read_bytes()


@pytest.mark.parametrize(
    ("name", "pages_kept"),
    [
        pytest.param("basic.txt", 0, id="plain"),
        pytest.param("basic.txt.gz", 0, id="gzip"),
        pytest.param("crawl.warc.gz", 1, id="warc-records-before-the-cut-kept"),
    ],
)
def test_a_connection_cut_for_good_is_a_reject_and_the_rest_is_kept(
    site: Site, tmp_path: Path, name: str, pages_kept: int
) -> None:
    site.pages["basic.txt"] = BASIC
    site.pages["basic.txt.gz"] = gzip.compress(BASIC)
    site.pages["crawl.warc.gz"] = warc_of_pages(tmp_path, 400)
    site.pages["whole.txt"] = BASIC
    site.cut[name] = 99
    out = tmp_path / "out"
    manifest = classifieds.build([site.url(name), site.url("whole.txt")], out)
    # A page cut mid-way may be read up to the cut (its last ads then rejects), as a
    # truncated file is: only the input's own reject, line 0, says the cut.
    (reject,) = [r for r in rejects(out) if r["source"] == site.url(name) and r["line"] == 0]
    assert reject["reason"] == "corrupt_file"
    assert "connection lost after" in str(reject["text"])
    sources = set(classifieds.load_sightings(out)["source"])
    assert site.url("whole.txt") in sources  # the next input, read whole
    cut_pages = {s for s in sources if s.startswith(site.url(name))}
    assert pages_kept <= len(cut_pages) < 400
    assert manifest.pages_with_widget >= 1 + len(cut_pages)


@pytest.mark.parametrize("stalls", [1, 99], ids=["once", "for-good"])
def test_a_server_that_stops_answering_is_a_timeout_not_a_hang(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stalls: int
) -> None:
    monkeypatch.setattr(remote, "STALL_SECONDS", 0.5)
    site.pages["slow.txt"] = BASIC + b"\n" * 1000
    site.pages["whole.txt"] = BASIC
    site.stall["slow.txt"] = stalls
    out = tmp_path / "out"
    classifieds.build([site.url("slow.txt"), site.url("whole.txt")], out)
    sources = set(classifieds.load_sightings(out)["source"])
    assert site.url("whole.txt") in sources
    stalled = [r for r in rejects(out) if r["source"] == site.url("slow.txt")]
    if stalls == 1:  # tried again, and read whole
        assert site.url("slow.txt") in sources and stalled == []
    else:
        (reject,) = stalled
        assert reject["reason"] == "corrupt_file" and "connection lost" in str(reject["text"])


def test_a_server_that_drips_its_answer_is_too_slow_not_a_hang(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(remote, "STALL_SECONDS", 0.5)
    site.pages["drip.txt"] = BASIC
    site.pages["whole.txt"] = BASIC
    site.drip.add("drip.txt")
    out = tmp_path / "out"
    started = time.monotonic()
    classifieds.build([site.url("drip.txt"), site.url("whole.txt")], out)
    assert time.monotonic() - started < 10
    assert site.url("whole.txt") in set(classifieds.load_sightings(out)["source"])
    (reject,) = [r for r in rejects(out) if r["source"] == site.url("drip.txt")]
    assert reject["reason"] == "corrupt_file" and "too slow" in str(reject["text"])


def test_a_connection_cut_once_is_tried_again_and_read_whole(site: Site, tmp_path: Path) -> None:
    site.pages["basic.txt"] = BASIC
    site.cut["basic.txt"] = 1
    manifest = classifieds.build([site.url("basic.txt")], tmp_path / "out")
    local = classifieds.build([DATA / "basic.txt"], tmp_path / "local")
    assert manifest.rejects == 0
    assert manifest.sightings == local.sightings
    assert site.requests.count("GET basic.txt") == 2


def test_the_size_and_hash_of_an_object_are_those_of_its_bytes(site: Site, tmp_path: Path) -> None:
    site.pages["basic.txt"] = BASIC
    classifieds.build([site.url("basic.txt")], tmp_path / "out")
    classifieds.build([DATA / "basic.txt"], tmp_path / "local")
    remote_inputs = pd_inputs(tmp_path / "out")
    local_inputs = pd_inputs(tmp_path / "local")
    assert remote_inputs[1:] == local_inputs[1:]


def pd_inputs(folder: Path) -> tuple[object, ...]:
    import pyarrow.parquet as pq

    row = pq.read_table(folder / "inputs.parquet").to_pylist()[0]
    return (row["source"], row["bytes"], row["sha256"], row["sightings"])


@pytest.mark.parametrize(
    ("url", "code", "says"),
    [
        pytest.param("{base}/missing.txt", 2, "No such object or prefix", id="missing-page"),
        pytest.param("nosuchproto://bucket/key", 2, "Check the URL", id="unknown-protocol"),
        pytest.param("http://127.0.0.1:{closed}/a.txt", 1, "Cannot connect", id="refused"),
        pytest.param("gs://bucket/crawl/", 1, "pip install 'classifieds[gcs]'", id="no-driver"),
        pytest.param("s3://", 2, "names no bucket", id="no-bucket"),
    ],
)
def test_bad_urls_are_one_line_saying_what_to_fix(
    site: Site, tmp_path: Path, url: str, code: int, says: str
) -> None:
    pytest.importorskip("aiohttp")
    if url.startswith("gs://"):
        try:
            import gcsfs  # noqa: F401
        except ImportError:
            pass
        else:
            pytest.skip("gcsfs is installed")
    with socket.socket() as unused:  # a port where nothing listens
        unused.bind(("127.0.0.1", 0))
        closed = unused.getsockname()[1]
    url = url.format(base=site.base, closed=closed)
    result = CliRunner().invoke(cli, ["export", url, "--out", str(tmp_path / "out"), "-q"])
    assert result.exit_code == code, result.output
    assert result.stdout == ""
    assert says in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()
