"""One input never fails the run: a folder of hostile inputs is exported, every good page's
ads are kept, and each bad input becomes a reject (or a kept page) with a reason."""

from __future__ import annotations

import json
import os
import threading
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import DATA, page

import classifieds
from classifieds.cli import cli
from classifieds.read import iter_inputs

BASIC = page("basic.txt")


def rejects(out: Path) -> Counter[str]:
    lines = (out / "rejects.jsonl").read_text(encoding="utf-8").splitlines()
    return Counter(json.loads(line)["reason"] for line in lines)


def good_page(folder: Path, name: str, town: str) -> None:
    """A page of one ad in ``town``, so that each page's ads can be told apart."""
    (folder / name).write_text(
        f"Petites Annonces\nImmobilier\nStudio\nStudio {town} (14000) 450€ Découvrir\n",
        encoding="utf-8",
    )


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    """A crawl of good pages among inputs that once crashed or hung an export."""
    crawl = tmp_path / "crawl"
    crawl.mkdir()
    for n, town in enumerate(["Caen", "Bayeux", "Lisieux", "Falaise"]):
        good_page(crawl, f"good{n}.txt", town)
    deep = "[" * 100_000 + "]" * 100_000
    (crawl / "nested.jsonl").write_text(
        f'{{"text": {json.dumps(BASIC)}}}\n{deep}\n{{"x": {deep}}}\n', encoding="utf-8"
    )
    (crawl / "huge-price.txt").write_text(
        "Petites Annonces\nStudio\nStudio Vire (14500) " + "9" * 400 + "€ Découvrir\n"
        "Maison\nMaison Vire (14500) 2 000 000 000€ Découvrir\n",
        encoding="utf-8",
    )
    os.mkfifo(crawl / "a-fifo")
    os.symlink("loop", crawl / "loop")
    (crawl / "locked").mkdir()
    good_page(crawl / "locked", "inside.txt", "Honfleur")
    name = os.fsdecode(b"caf\xe9-page.txt")  # not UTF-8
    good_page(crawl, name, "Deauville")
    return crawl


def test_a_hostile_folder_exports_every_good_ad_and_a_reason_for_the_rest(
    hostile: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    listing = os.scandir

    def locked(path: object = ".") -> object:  # as a folder chmod 000 is to a user not root
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", str(path))
        return listing(path)  # type: ignore[call-overload]

    monkeypatch.setattr(os, "scandir", locked)
    out = tmp_path / "data"
    manifest = classifieds.build([hostile], out)
    towns = set(classifieds.load(out)["town"])
    assert {"Caen", "Bayeux", "Lisieux", "Falaise", "Deauville"} <= towns
    assert {"Villevocance", "Jullouville"} <= towns  # the good line of the JSON Lines
    reasons = rejects(out)
    assert reasons["bad_json"] == 2  # nested 10^5 deep: a reject, not a RecursionError
    assert reasons["bad_price"] == 2  # 400 digits, and over 10^9 €
    assert reasons["unreadable_file"] == 2  # the symlink loop and the folder that cannot be listed
    assert manifest.records_skipped == 1  # the FIFO: skipped, counted, never opened
    sources = classifieds.load(out)["first_source"]
    assert any(source.endswith("caf\\xe9-page.txt") for source in sources)
    pd.read_csv(out / "listings.csv")  # an escaped name is plain text in the CSV
    summary = CliRunner().invoke(cli, ["summary", str(out)])
    assert summary.exit_code == 0, summary.output


def test_a_fifo_named_on_the_command_line_is_read_as_a_stream(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)

    def write() -> None:
        with open(fifo, "w", encoding="utf-8") as stream:
            stream.write(BASIC)

    writer = threading.Thread(target=write)
    writer.start()
    out = tmp_path / "data"
    classifieds.build([fifo], out)
    writer.join()
    assert len(classifieds.load(out)) == 3


def test_an_export_of_a_folder_never_reads_its_own_dataset(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    good_page(tmp_path, "page.txt", "Caen")
    first = classifieds.build(["."], "data")
    second = classifieds.build(["."], "data")
    assert (first.inputs, second.inputs) == (1, 1)
    assert (first.listings, second.listings) == (1, 1)
    # Nor any other dataset folder found in the crawl.
    classifieds.build([DATA / "basic.txt"], "older")
    assert [Path(p).name for p in iter_inputs(["."])] == ["page.txt"]


@pytest.mark.parametrize("name", ["listings.csv", "rejects.jsonl", ".current/sightings.parquet"])
@pytest.mark.parametrize("append", [False, True])
def test_a_file_of_the_output_folder_is_never_read_as_input(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, append: bool
) -> None:
    """Named as input, a file of the dataset being replaced gave a page of no ads, and the
    dataset was replaced by an empty one: it is never read, as the folder is not."""
    monkeypatch.chdir(tmp_path)
    classifieds.build([DATA / "basic.txt"], "data")
    before = classifieds.load("data")
    result = CliRunner().invoke(
        cli, ["export", f"data/{name}", "-o", "data", *(["--append"] if append else [])]
    )
    if append:  # nothing new to add: the dataset as it was
        assert result.exit_code == 0 and "read 0 new inputs" in result.stdout
    else:
        assert result.exit_code == 1 and "found no input" in result.stderr
    assert classifieds.load("data").equals(before)
    assert json.loads(Path("data/manifest.json").read_text())["inputs"] == 1
    again = classifieds.build([f"data/{name}", DATA / "cents.txt"], "data")
    assert again.inputs == 1


@pytest.mark.parametrize("name", [os.fsdecode(b"data\xff"), "d" * 300])
def test_an_output_name_no_file_system_takes_is_one_line(tmp_path: Path, name: str) -> None:
    result = CliRunner().invoke(
        cli, ["export", str(DATA / "basic.txt"), "-o", str(tmp_path / name)]
    )
    assert result.exit_code == 1 and result.stderr.count("\n") == 1
    assert "Choose another --out" in result.stderr
