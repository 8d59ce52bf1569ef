"""--memory-limit: a catalogue that spills to disk writes the same bytes as one that does not."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import SEEDS

from classifieds.cli import cli
from classifieds.run import export
from classifieds.run.append import Copier
from classifieds.store import catalogue
from classifieds.store.package import DATAPACKAGE_JSON

BENCH = Path(__file__).parents[2] / "bench"
OUTPUTS = (
    "listings.parquet",
    "listings.csv",
    "sightings.parquet",
    "rejects.jsonl",
    "inputs.parquet",
    DATAPACKAGE_JSON,
)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """250 generated pages where half the ad occurrences are new ads: ~2,400 unique ads."""
    sys.path.insert(0, str(BENCH))
    try:
        from generate import generate
    finally:
        sys.path.remove(str(BENCH))
    folder = tmp_path_factory.mktemp("corpus")
    generate(250, folder, seed=3, unique_share=0.5)
    return folder


def exported(corpus: Path, out: Path, *options: str) -> dict[str, bytes]:
    result = CliRunner().invoke(
        cli, ["export", str(corpus), str(SEEDS), "--out", str(out), "-q", *options]
    )
    assert result.exit_code == 0, result.output
    assert list((out / ".current").iterdir()) != []
    published = sorted(path.name for path in (out / ".current").iterdir())
    assert published == sorted([*OUTPUTS, "manifest.json"])  # no spill folder left in it
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["listings"] > 2_000
    return {name: (out / name).read_bytes() for name in OUTPUTS} | {
        "listings": str(manifest["listings"]).encode()
    }


@pytest.fixture(scope="module")
def in_memory(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    return exported(corpus, tmp_path_factory.mktemp("memory") / "data", "--jobs", "1")


@pytest.mark.parametrize(
    ("jobs", "limit"),
    [
        pytest.param("1", "300K", id="one-process-many-runs"),
        pytest.param("2", "100K", id="worker-processes"),
        pytest.param("2", "1G", id="worker-hands-in-a-run"),
    ],
)
def test_spilling_writes_the_same_bytes(
    corpus: Path,
    in_memory: dict[str, bytes],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    jobs: str,
    limit: str,
) -> None:
    runs: list[Path] = []
    write_run = catalogue._write_run

    def counted(*args: Any) -> Path:
        runs.append(write_run(*args))
        return runs[-1]

    monkeypatch.setattr(catalogue, "_write_run", counted)
    monkeypatch.setattr(export, "BATCH_SIZE", 60)  # work for the worker after the warm-up
    assert exported(corpus, tmp_path / "data", "--jobs", jobs, "--memory-limit", limit) == in_memory
    assert runs  # this process spilled (workers' runs are counted in their own copy)
    assert not any(path.exists() for path in runs)


def test_a_tiny_budget_merges_runs_in_rounds(
    corpus: Path, in_memory: dict[str, bytes], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(catalogue, "FAN_IN", 3)  # ~50 runs, 3 files open at once
    assert exported(corpus, tmp_path / "data", "--jobs", "1", "--memory-limit", "60K") == in_memory


def test_appending_spills_the_old_listings_too(
    corpus: Path, in_memory: dict[str, bytes], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The dataset's listings, restored to be appended to, keep within the budget."""
    out = tmp_path / "data"
    first = CliRunner().invoke(cli, ["export", str(corpus), "--out", str(out), "-q"])
    assert first.exit_code == 0, first.output
    restored: list[bool] = []
    copied = Copier.catalogue

    def spied(self: Copier, *args: Any) -> catalogue.Catalogue:
        old = copied(self, *args)
        restored.append(old.spilled)
        return old

    monkeypatch.setattr(Copier, "catalogue", spied)
    appended = exported(corpus, out, "--append", "--jobs", "1", "--memory-limit", "60K")
    assert restored == [True]
    assert appended == in_memory


@pytest.mark.parametrize(
    ("limit", "message"),
    [
        pytest.param("lots", "'lots' is not a size: write it like 1G, 500M or 64K.", id="word"),
        pytest.param("0", "'0' is too little memory: give at least 1K.", id="zero"),
        pytest.param("10", "'10' is too little memory: give at least 1K.", id="ten-bytes"),
        pytest.param("0.5K", "'0.5K' is too little memory", id="half-a-kilobyte"),
        pytest.param("-1G", "'-1G' is not a size", id="negative"),
        pytest.param("9" * 400, "is more memory than any machine has", id="400-digits"),
    ],
)
def test_a_bad_memory_limit_is_a_usage_error(tmp_path: Path, limit: str, message: str) -> None:
    result = CliRunner().invoke(
        cli, ["export", str(SEEDS), "--out", str(tmp_path / "data"), "--memory-limit", limit]
    )
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "Invalid value for '--memory-limit'" in result.stderr
    assert message in result.stderr
    assert not (tmp_path / "data").exists()


@pytest.mark.parametrize(
    ("limit", "size"),
    [
        pytest.param("500M", 500 << 20, id="megabytes"),
        pytest.param("1.5GB", 3 << 29, id="decimal-gigabytes"),
        pytest.param("64KiB", 64 << 10, id="kibibytes"),
        pytest.param("4096", 4096, id="bytes"),
    ],
)
def test_memory_limits_are_read_with_their_unit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, limit: str, size: int
) -> None:
    seen: list[int] = []
    build = export.build

    def spy(*args: Any, **kwargs: Any) -> Any:
        seen.append(kwargs["memory_limit"])
        return build(*args, **kwargs)

    monkeypatch.setattr("classifieds.cli.export.build", spy)
    result = CliRunner().invoke(
        cli, ["export", str(SEEDS), "--out", str(tmp_path / "d"), "-q", "--memory-limit", limit]
    )
    assert result.exit_code == 0, result.output
    assert seen == [size]
