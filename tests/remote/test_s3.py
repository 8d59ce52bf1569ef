"""Inputs and datasets at s3:// URLs, against a local S3 (moto's server mode on 127.0.0.1):
prefixes walked like folders, globs on keys, archives, datasets written manifest last and read
back through it, credentials from the environment or --storage-option, the Dask engine."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pytest
import servers
from click.testing import CliRunner
from conftest import DATA, html_page, write_warc
from servers import Bucket

import classifieds
from classifieds.cli import cli
from classifieds.run.export import OUTPUTS

pytest.importorskip("s3fs")
moto_endpoint = servers.moto_endpoint  # the fixtures of this module
bucket = servers.bucket
DATASET_FILES = [*OUTPUTS, "manifest.json"]
PAGES = sorted(DATA.glob("*.txt"))


def fill(bucket: Bucket, prefix: str = "crawl/") -> list[str]:
    """Put the fixture pages, a gzip page, a WARC archive and hidden and skipped files."""
    keys = []
    for path in PAGES:
        keys.append(bucket.put(f"{prefix}{path.name}", path.read_bytes()))
    basic = (DATA / "basic.txt").read_bytes()
    bucket.put(f"{prefix}deep/basic.txt.gz", gzip.compress(basic))
    bucket.put(f"{prefix}.hidden/basic.txt", basic)
    bucket.put(f"{prefix}tmp/basic.txt", basic)
    return keys


def warc_bytes(tmp_path: Path) -> bytes:
    basic = (DATA / "basic.txt").read_text(encoding="utf-8")
    path = tmp_path / "a.warc.gz"
    write_warc(path, [{"url": "https://x.fr/1", "body": html_page(basic).encode()}])
    return path.read_bytes()


def local_files(folder: Path) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in OUTPUTS}


def test_a_prefix_is_walked_as_a_folder_with_globs_on_its_keys(
    bucket: Bucket, tmp_path: Path
) -> None:
    fill(bucket)
    local = tmp_path / "crawl"
    local.mkdir()
    for path in PAGES:
        shutil.copy(path, local / path.name)
    (local / "deep").mkdir()
    (local / "deep" / "basic.txt.gz").write_bytes(gzip.compress((DATA / "basic.txt").read_bytes()))
    manifest = classifieds.build([bucket.url("crawl/")], tmp_path / "out", exclude=["tmp/*"])
    expected = classifieds.build([local], tmp_path / "local")
    assert manifest.inputs == expected.inputs == len(PAGES) + 1
    assert manifest.listings == expected.listings
    assert manifest.sightings == expected.sightings
    assert manifest.rejects_by_reason == expected.rejects_by_reason
    sources = set(classifieds.load_sightings(tmp_path / "out")["source"])
    assert bucket.url("crawl/deep/basic.txt.gz") in sources
    assert not any(".hidden" in s or "/tmp/" in s for s in sources)


def test_include_keeps_the_keys_it_matches(bucket: Bucket, tmp_path: Path) -> None:
    fill(bucket)
    bucket.put("crawl/a.warc.gz", warc_bytes(tmp_path))
    manifest = classifieds.build([bucket.url("crawl")], tmp_path / "out", include=["*.warc.gz"])
    assert manifest.inputs == 1
    assert manifest.pages == 1 and manifest.pages_with_widget == 1


def test_an_object_over_the_page_cap_is_streamed_rejected_and_hashed_whole(
    bucket: Bucket, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from classifieds.read import remote, streams

    monkeypatch.setattr(streams, "MAX_PAGE_BYTES", 1 << 20)
    monkeypatch.setattr(remote, "BLOCK_BYTES", 1 << 18)  # fetched in 12 blocks
    basic = (DATA / "basic.txt").read_bytes()
    big = basic * ((3 << 20) // len(basic))
    (tmp_path / "big.txt").write_bytes(big)
    bucket.put("crawl/big.txt", big)
    classifieds.build([bucket.url("crawl/")], tmp_path / "out", allow_empty=True)
    classifieds.build([tmp_path / "big.txt"], tmp_path / "local", allow_empty=True)
    (reject,) = [json.loads(line) for line in (tmp_path / "out" / "rejects.jsonl").open()]
    assert reject["reason"] == "file_too_large"
    import pyarrow.parquet as pq

    (row,) = pq.read_table(tmp_path / "out" / "inputs.parquet").to_pylist()
    (local,) = pq.read_table(tmp_path / "local" / "inputs.parquet").to_pylist()
    assert (
        (row["bytes"], row["sha256"])
        == (local["bytes"], local["sha256"])
        == (len(big), row["sha256"])
    )


def test_a_dataset_at_a_url_is_written_manifest_last_and_read_back(
    bucket: Bucket, tmp_path: Path
) -> None:
    fill(bucket)
    out = bucket.url("data/")
    result = CliRunner().invoke(cli, ["export", bucket.url("crawl/"), "--out", out, "-q"])
    assert result.exit_code == 0, result.output
    assert f"-> {bucket.url('data')}/" in result.stdout
    assert bucket.keys("data/") == sorted(f"data/{name}" for name in DATASET_FILES)
    manifest = json.loads(bucket.get("data/manifest.json"))
    local = tmp_path / "copy"
    local.mkdir()
    for name in DATASET_FILES:
        (local / name).write_bytes(bucket.get(f"data/{name}"))
    assert classifieds.load(out).equals(classifieds.load(local))
    assert classifieds.load(bucket.url("data/listings.csv")).equals(classifieds.load(local))
    assert classifieds.load_sightings(out).equals(classifieds.load_sightings(local))
    assert manifest["listings"] == len(classifieds.load(out))
    for given, copy in [(out, local), (bucket.url("data/listings.csv"), local / "listings.csv")]:
        for by in ["category", "fetched_at:month"]:  # the listings, or with their sightings
            args = ["summary", "--by", by, "--format", "csv"]
            summary = CliRunner().invoke(cli, [*args, given])
            assert summary.exit_code == 0, summary.output
            assert summary.stdout == CliRunner().invoke(cli, [*args, str(copy)]).stdout
    listing_id = classifieds.load(local)["listing_id"][0]
    history = CliRunner().invoke(cli, ["history", listing_id, out])
    assert history.exit_code == 0, history.output
    assert history.stdout == CliRunner().invoke(cli, ["history", listing_id, str(local)]).stdout
    rows = CliRunner().invoke(cli, ["rows", out, "--format", "csv", "--limit", "0"])
    assert rows.exit_code == 0, rows.output
    assert rows.stdout == CliRunner().invoke(cli, ["rows", str(local), "--format", "csv",
                                                   "--limit", "0"]).stdout  # fmt: skip


@pytest.mark.parametrize("step", ["put_file", "rm_file"], ids=["uploading", "replacing"])
def test_a_stop_signal_stops_an_upload_until_the_old_manifest_is_deleted(
    bucket: Bucket, monkeypatch: pytest.MonkeyPatch, step: str
) -> None:
    """Uploading the files: the old dataset is kept. Once the old manifest is deleted there is
    no going back: the upload goes on to the end."""
    import os
    import signal
    from typing import Any

    from classifieds.errors import Stopped
    from classifieds.stops import STOP_SIGNALS, StopHandler
    from classifieds.store import bucket as store

    out = bucket.url("data")
    classifieds.build([DATA / "basic.txt"], out)
    opened = store.filesystem

    class Signalling:  # gets SIGTERM after the step, once
        def __init__(self, fs: Any) -> None:
            self.fs = fs
            self.sent = False

        def __getattr__(self, name: str) -> Any:
            method = getattr(self.fs, name)
            if name != step:
                return method

            def then_signal(*args: Any) -> Any:
                done = method(*args)
                if not self.sent:
                    self.sent = True
                    os.kill(os.getpid(), signal.SIGTERM)
                return done

            return then_signal

    def filesystem(url: str, options: Any) -> tuple[Any, str]:
        fs, root = opened(url, options)
        return Signalling(fs), root

    monkeypatch.setattr(store, "filesystem", filesystem)
    handlers = {stop: signal.getsignal(stop) for stop in STOP_SIGNALS}
    stops = StopHandler()
    stops.install()  # as the command line does
    try:
        classifieds.build([DATA / "basic.txt", DATA / "cents.txt"], out)
    except Stopped as stopped:
        assert step == "put_file" and not stopped.published
        assert len(classifieds.load(out)) == 3  # the old dataset
    else:
        assert step == "rm_file" and stops.held == signal.SIGTERM
        assert len(classifieds.load(out)) > 3  # the new dataset, whole, behind its manifest
    finally:
        for stop, handler in handlers.items():
            signal.signal(stop, handler)


def test_an_append_to_a_url_equals_an_export_of_everything(bucket: Bucket) -> None:
    fill(bucket)
    bucket.put("more/basic.txt", (DATA / "basic.txt").read_bytes() + b"\n")
    crawl, more = bucket.url("crawl/"), bucket.url("more/")
    classifieds.build([crawl, more], bucket.url("both"))
    classifieds.build([crawl], bucket.url("grown"))
    appended = classifieds.build([crawl, more], bucket.url("grown"), append=True)
    assert appended.inputs_read == 1
    for name in OUTPUTS:
        assert bucket.get(f"grown/{name}") == bucket.get(f"both/{name}"), name
    assert classifieds.load(bucket.url("grown")).equals(classifieds.load(bucket.url("both")))


def test_an_append_hashes_the_old_url_inputs_with_the_storage_options(
    bucket: Bucket, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An input read before is hashed again to tell it unchanged: through the same options."""
    fill(bucket)
    bucket.put("more/basic.txt", (DATA / "basic.txt").read_bytes() + b"\n")
    monkeypatch.delenv("AWS_ENDPOINT_URL")  # the endpoint comes from the options alone
    options = {"endpoint_url": bucket.endpoint}
    crawl, more = bucket.url("crawl/"), bucket.url("more/")
    classifieds.build([crawl, more], tmp_path / "both", storage_options=options)
    classifieds.build([crawl], tmp_path / "grown", storage_options=options)
    appended = classifieds.build(
        [crawl, more], tmp_path / "grown", append=True, storage_options=options
    )
    assert appended.inputs_read == 1
    assert local_files(tmp_path / "grown") == local_files(tmp_path / "both")


def test_readers_trust_a_dataset_at_a_url_only_through_its_manifest(bucket: Bucket) -> None:
    fill(bucket)
    classifieds.build([bucket.url("crawl/")], bucket.url("data"))
    bucket.put("data/listings.parquet", bucket.get("data/sightings.parquet"))  # a mixed run
    mixed = CliRunner().invoke(cli, ["summary", bucket.url("data")])
    assert mixed.exit_code == 2
    assert "mixes the files of two exports" in mixed.stderr
    bucket.client.delete_object(Bucket=bucket.name, Key="data/manifest.json")
    none = CliRunner().invoke(cli, ["summary", bucket.url("data")])
    assert none.exit_code == 2
    assert "has no manifest.json" in none.stderr


def test_a_missing_prefix_is_a_usage_error(bucket: Bucket, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["export", bucket.url("nothing/here/"), "--out", str(tmp_path / "out")]
    )
    assert result.exit_code == 2
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert f"No such object or prefix: {bucket.url('nothing/here/')}" in line
    assert not (tmp_path / "out").exists()


def test_wrong_credentials_are_one_line_and_exit_1(
    bucket: Bucket, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from moto import settings

    fill(bucket)
    monkeypatch.setattr(settings, "INITIAL_NO_AUTH_ACTION_COUNT", 0)  # check every key
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAWRONGWRONGWRONG0")
    result = CliRunner().invoke(
        cli, ["export", bucket.url("crawl/"), "--out", str(tmp_path / "out")]
    )
    assert result.exit_code == 1
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"Error: Cannot read {bucket.url('crawl/')}: PermissionError")
    assert "Check the credentials" in line


def test_storage_options_give_the_endpoint_and_the_keys(
    bucket: Bucket, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fill(bucket)
    for name in ("AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name)
    options = [
        f"--storage-option=endpoint_url={bucket.endpoint}",
        "--storage-option=key=testing",
        "--storage-option=secret=testing",
    ]
    out = bucket.url("data")
    result = CliRunner().invoke(cli, ["export", bucket.url("crawl/"), "-o", out, "-q", *options])
    assert result.exit_code == 0, result.output
    summary = CliRunner().invoke(cli, ["summary", out, "--format", "csv", *options])
    assert summary.exit_code == 0, summary.output
    api = {"endpoint_url": bucket.endpoint, "key": "testing", "secret": "testing"}
    assert len(classifieds.load(out, storage_options=api)) > 0


def test_a_storage_option_that_is_not_key_value_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["export", str(DATA), "--storage-option", "anon"])
    assert result.exit_code == 2
    assert "is not KEY=VALUE" in result.stderr


@pytest.mark.parametrize("credentials", ["environment", "storage-options"])
def test_dask_workers_read_the_urls_and_write_the_local_engines_bytes(
    bucket: Bucket, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, credentials: str
) -> None:
    """Workers are sent the URLs (with the storage options), never the pages' bytes."""
    pytest.importorskip("dask.distributed")
    from classifieds.run.distributed import _located

    fill(bucket)
    bucket.put("crawl/a.warc.gz", warc_bytes(tmp_path))
    crawl = [bucket.url("crawl/")]
    options = {}
    if credentials == "storage-options":  # workers, started below, see no endpoint
        monkeypatch.delenv("AWS_ENDPOINT_URL")
        options = {"endpoint_url": bucket.endpoint}
    classifieds.build(crawl, tmp_path / "local", storage_options=options)
    classifieds.build(crawl, tmp_path / "dask", engine="dask", jobs=2, storage_options=options)
    assert local_files(tmp_path / "dask") == local_files(tmp_path / "local")
    assert _located([bucket.url("crawl/a.warc.gz")], "/elsewhere") == [
        (bucket.url("crawl/a.warc.gz"), bucket.url("crawl/a.warc.gz"))
    ]


@pytest.mark.parametrize("damage", ["no manifest", "garbage manifest", "wrong hash"])
def test_an_append_to_a_url_without_a_valid_manifest_is_refused(
    bucket: Bucket, damage: str
) -> None:
    """Never an export of the new inputs alone in place of the dataset: the prefix is kept."""
    fill(bucket)
    bucket.put("more/basic.txt", (DATA / "basic.txt").read_bytes() + b"\n")
    classifieds.build([bucket.url("crawl/")], bucket.url("data"))
    if damage == "no manifest":
        bucket.client.delete_object(Bucket=bucket.name, Key="data/manifest.json")
    elif damage == "garbage manifest":
        bucket.put("data/manifest.json", b"\x00{garbage")
    else:
        bucket.put("data/rejects.jsonl", bucket.get("data/rejects.jsonl") + b"{}\n")
    before = {key: bucket.get(key) for key in bucket.keys("data/")}
    result = CliRunner().invoke(
        cli, ["export", bucket.url("more/"), "-o", bucket.url("data"), "--append", "-q"]
    )
    assert result.exit_code == 2, (result.output, result.exception)
    (line,) = result.stderr.splitlines()
    assert line.endswith("export all the inputs again without --append."), line
    assert {key: bucket.get(key) for key in bucket.keys("data/")} == before


def test_a_store_that_drips_an_object_is_too_slow_not_a_hang(
    bucket: Bucket, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each block of an object has the time it takes at the slowest rate allowed: an object
    dripped a byte at a time, never silent long enough to stall, is a reject in that time."""
    import time

    import s3fs

    from classifieds.read import remote

    monkeypatch.setattr(remote, "STALL_SECONDS", 0.5)
    monkeypatch.setattr(remote, "SLOW_BYTES_PER_SECOND", 1 << 20)  # a first block in 0.5 s
    basic = (DATA / "basic.txt").read_bytes()
    dripped, whole = bucket.put("crawl/drip.txt", basic), bucket.put("crawl/whole.txt", basic)
    out = tmp_path / "out"
    with servers.dripping(bucket.endpoint, {"crawl/drip.txt"}) as proxy:
        monkeypatch.setenv("AWS_ENDPOINT_URL", proxy)
        s3fs.S3FileSystem.clear_instance_cache()
        started = time.monotonic()
        classifieds.build([dripped, whole], out)
        assert time.monotonic() - started < 10
    assert set(classifieds.load_sightings(out)["source"]) == {whole}
    (reject,) = [json.loads(line) for line in (out / "rejects.jsonl").open()]
    assert (reject["source"], reject["reason"]) == (dripped, "corrupt_file")
    assert "too slow" in reject["text"]
