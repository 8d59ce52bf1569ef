"""--append: adding inputs to a dataset gives the dataset of all the inputs, built at once."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from conftest import SEEDS

import classifieds
from classifieds import __version__
from classifieds.cli import cli
from classifieds.errors import ClassifiedsError
from classifieds.parse import PARSER_VERSION

OUTPUTS = (
    "listings.parquet",
    "listings.csv",
    "sightings.parquet",
    "rejects.jsonl",
    "inputs.parquet",
)


def files(folder: Path) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in OUTPUTS}


@pytest.fixture
def crawl(tmp_path: Path, data_dir: Path) -> Path:
    """A crawl in three folders whose inputs interleave in input order."""
    root = tmp_path / "crawl"
    names = sorted(p.name for p in data_dir.iterdir() if not p.name.startswith("."))
    for number, name in enumerate(names):
        folder = root / ("a", "b", "c")[number % 3]
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copy(data_dir / name, folder / name)
    shutil.copy(next(SEEDS.glob("*.txt")), root / "b" / "seed.txt")
    return root


def test_append_equals_a_full_rebuild(crawl: Path, tmp_path: Path) -> None:
    full = classifieds.build([crawl], tmp_path / "full")
    classifieds.build([crawl / "b"], tmp_path / "appended")
    first = classifieds.build([crawl / "c"], tmp_path / "appended", append=True)
    second = classifieds.build([crawl / "a"], tmp_path / "appended", append=True)
    assert files(tmp_path / "appended") == files(tmp_path / "full")
    assert first.inputs_read == len(list((crawl / "c").iterdir()))
    assert second.inputs == full.inputs and second.listings == full.listings
    assert second.rejects_by_reason == full.rejects_by_reason


def test_inputs_already_read_are_skipped(crawl: Path, tmp_path: Path) -> None:
    classifieds.build([crawl / "a", crawl / "b"], tmp_path / "data")
    manifest = classifieds.build([crawl], tmp_path / "data", append=True)
    assert manifest.inputs_read == len(list((crawl / "c").iterdir()))
    again = classifieds.build([crawl], tmp_path / "data", append=True)
    assert again.inputs_read == 0
    classifieds.build([crawl], tmp_path / "full")
    assert files(tmp_path / "data") == files(tmp_path / "full")


def test_append_keeps_counts_and_first_place(tmp_path: Path) -> None:
    seed = next(SEEDS.glob("*.txt"))
    for name in ("2024-01.txt", "2024-02.txt"):
        shutil.copy(seed, tmp_path / name)
    classifieds.build([tmp_path / "2024-02.txt"], tmp_path / "data")
    classifieds.build([tmp_path / "2024-01.txt"], tmp_path / "data", append=True)
    listings = classifieds.load(tmp_path / "data")
    assert set(listings["n_sightings"]) == {2}
    assert set(listings["first_source"]) == {str(tmp_path / "2024-01.txt")}


def test_a_changed_input_cannot_be_appended(crawl: Path, tmp_path: Path) -> None:
    classifieds.build([crawl / "a"], tmp_path / "data")
    before = files(tmp_path / "data")
    changed = next(
        p for p in (crawl / "a").iterdir() if p.name == "basic.txt" or p.suffix == ".txt"
    )
    changed.write_text(
        changed.read_text(encoding="utf-8", errors="replace") + "\nmore\n", encoding="utf-8"
    )
    with pytest.raises(ClassifiedsError, match="changed since it was exported"):
        classifieds.build([crawl / "a"], tmp_path / "data", append=True)
    assert files(tmp_path / "data") == before


def test_an_old_input_that_cannot_be_hashed_again_is_one_line_and_exit_1(
    crawl: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not reported as a failure to write the dataset: the dataset is fine, the input is not."""
    classifieds.build([crawl / "a"], tmp_path / "data")
    before = files(tmp_path / "data")

    def unreadable(source: str, options: object) -> tuple[int, str]:
        raise PermissionError(13, "Permission denied", source)

    monkeypatch.setattr("classifieds.run.append.file_facts", unreadable)
    result = CliRunner().invoke(
        cli, ["export", str(crawl / "a"), "-o", str(tmp_path / "data"), "--append", "-q"]
    )
    assert result.exit_code == 1, result.output
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"Error: Cannot read {crawl / 'a'}")
    assert "PermissionError" in line and "without --append" in line
    assert files(tmp_path / "data") == before


def test_append_to_nothing_is_an_export(crawl: Path, tmp_path: Path) -> None:
    classifieds.build([crawl], tmp_path / "appended", append=True)
    classifieds.build([crawl], tmp_path / "full")
    assert files(tmp_path / "appended") == files(tmp_path / "full")


def test_append_with_worker_processes(
    crawl: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from classifieds.run import export

    monkeypatch.setattr(export, "BATCH_SIZE", 2)
    classifieds.build([crawl / "a"], tmp_path / "appended", jobs=2)
    classifieds.build([crawl], tmp_path / "appended", append=True, jobs=2)
    classifieds.build([crawl], tmp_path / "full")
    assert files(tmp_path / "appended") == files(tmp_path / "full")


def test_cli_append_reports_what_it_read(crawl: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    runner.invoke(cli, ["export", str(crawl / "a"), "-o", str(tmp_path)])
    result = runner.invoke(cli, ["export", str(crawl), "-o", str(tmp_path), "--append"])
    assert result.exit_code == 0, result.output
    read = len(list((crawl / "b").iterdir())) + len(list((crawl / "c").iterdir()))
    assert f"read {read} new inputs; {len(list((crawl / 'a').iterdir()))} were in" in result.stdout


def test_cli_append_onto_the_same_parser_version_records_it(crawl: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "data"
    assert runner.invoke(cli, ["export", str(crawl / "a"), "-o", str(out), "-q"]).exit_code == 0
    result = runner.invoke(cli, ["export", str(crawl), "-o", str(out), "--append", "-q"])
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert 0 < manifest["inputs_read"] < manifest["inputs"]
    assert (manifest["version"], manifest["parser_version"]) == (__version__, PARSER_VERSION)


@pytest.mark.parametrize(
    ("parser_version", "read_by"),
    [
        (PARSER_VERSION - 1, f"parser {PARSER_VERSION - 1}"),
        (PARSER_VERSION + 1, f"parser {PARSER_VERSION + 1}"),
        (None, "an older parser (its manifest.json has no parser_version)"),
    ],
    ids=["older", "newer", "written-before-parser-versions"],
)
def test_an_append_onto_another_parser_version_is_refused_and_changes_nothing(
    crawl: Path, tmp_path: Path, parser_version: int | None, read_by: str
) -> None:
    """Its ads were read by other rules than the new ones: appending would mix them."""
    out = tmp_path / "data"
    classifieds.build([crawl / "a"], out)
    path = out / ".current" / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    if parser_version is None:
        del manifest["parser_version"]
    else:
        manifest["parser_version"] = parser_version
    path.write_text(json.dumps(manifest), encoding="utf-8")
    before = _snapshot(out)
    result = CliRunner().invoke(cli, ["export", str(crawl / "b"), "-o", str(out), "--append", "-q"])
    assert result.exit_code == 2, (result.output, result.exception)
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"Error: The dataset in {out} was read by {read_by} and this classifieds reads with"
        f" parser {PARSER_VERSION}: appending would mix ads read by two parsers; export all"
        " the inputs again without --append."
    ]
    assert _snapshot(out) == before


def test_an_append_onto_another_schema_is_a_usage_error(crawl: Path, tmp_path: Path) -> None:
    out = tmp_path / "data"
    classifieds.build([crawl / "a"], out)
    path = out / ".current" / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps({**manifest, "schema_version": 2}), encoding="utf-8")
    before = _snapshot(out)
    result = CliRunner().invoke(cli, ["export", str(crawl / "b"), "-o", str(out), "--append", "-q"])
    assert result.exit_code == 2, (result.output, result.exception)
    assert result.stderr.splitlines() == [
        f"Error: The dataset in {out} was written by another version of classifieds (schema 2,"
        " this one writes 3): export all the inputs again without --append."
    ]
    assert _snapshot(out) == before


def test_append_dated_warc_archives(tmp_path: Path) -> None:
    """Archives of two months: appending the second gives the dates and prices of a rebuild."""
    from conftest import write_warc

    seed = next(SEEDS.glob("*.txt")).read_text(encoding="utf-8")
    cheaper = seed.replace("60 000€", "55 000€")
    crawl = tmp_path / "crawl"
    crawl.mkdir()
    write_warc(
        crawl / "2024-03.warc.gz",
        [
            {
                "url": f"https://x.fr/{n}",
                "body": seed.encode(),
                "date": f"2024-03-0{n}T10:00:00Z",
                "content_type": "text/plain",
            }
            for n in (1, 2)
        ],
    )
    write_warc(
        crawl / "2024-04.warc.gz",
        [
            {
                "url": "https://x.fr/9",
                "body": cheaper.encode(),
                "date": "2024-04-02T10:00:00Z",
                "content_type": "text/plain",
            }
        ],
    )
    classifieds.build([crawl / "2024-03.warc.gz"], tmp_path / "appended")
    classifieds.build([crawl], tmp_path / "appended", append=True)
    classifieds.build([crawl], tmp_path / "full")
    assert files(tmp_path / "appended") == files(tmp_path / "full")
    viager = classifieds.load(tmp_path / "appended").iloc[0]
    assert (viager["price_eur"], viager["n_sightings"], viager["first_url"]) == (
        55000.0,
        3,
        "https://x.fr/1",
    )


@pytest.mark.parametrize("spelling", ["absolute", "dot-slash", "parent"])
def test_an_input_spelled_another_way_is_matched_or_refused(
    crawl: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spelling: str
) -> None:
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "data"
    classifieds.build(["crawl/a"], out)
    before = files(out)
    again = {
        "absolute": str(crawl / "a"),
        "dot-slash": "./crawl/a/",  # the same name once normalised: read as the same input
        "parent": "crawl/b/../a",
    }[spelling]
    if spelling == "dot-slash":
        classifieds.build([again], out, append=True)
        assert files(out) == before
        return
    with pytest.raises(ClassifiedsError, match="is in the dataset already, as crawl/a/"):
        classifieds.build([again, "crawl/b"], out, append=True)
    assert files(out) == before


# A dataset an append cannot trust: each kind of damage, done to the files of its generation.


def _snapshot(folder: Path) -> dict[str, bytes | str]:
    """Every entry under ``folder``: a link's target, a file's bytes."""
    entries: dict[str, bytes | str] = {}
    for root, dirs, names in os.walk(folder):
        for name in [*dirs, *names]:
            path = Path(root) / name
            key = str(path.relative_to(folder))
            if path.is_symlink():
                entries[key] = os.readlink(path)
            elif path.is_file():
                entries[key] = path.read_bytes()
    return entries


def _truncated(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _rehashed(folder: Path) -> None:
    """Make the manifest describe the files as they are: only the files' content can tell."""
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    for name in manifest["outputs"]:
        manifest["outputs"][name] = hashlib.sha256((folder / name).read_bytes()).hexdigest()
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


def _wrong_hashes(folder: Path) -> None:
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    manifest["outputs"] = {name: "0" * 64 for name in manifest["outputs"]}
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


def _garbled(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: len(text) // 2] + "}{\n" + text[len(text) // 2 :], encoding="utf-8")


def _short_sightings(folder: Path) -> None:
    """Fewer sightings than ``inputs.parquet`` counts, the manifest made to agree."""
    path = folder / "sightings.parquet"
    table = pq.read_table(path)
    pq.write_table(table.slice(0, table.num_rows - 1), path)
    _rehashed(folder)


def _damage(kind: str, folder: Path, other: Path) -> None:
    """Damage the dataset in ``folder`` (``other`` is another dataset) in the way ``kind``."""
    current = folder / ".current"  # the generation: the files' links stay as they are
    if kind == "no manifest":
        (current / "manifest.json").unlink()
    elif kind == "garbage manifest":
        (current / "manifest.json").write_bytes(b"\x00{garbage")
    elif kind == "manifest not an object":
        (current / "manifest.json").write_text("[]", encoding="utf-8")
    elif kind == "manifest without outputs":
        (current / "manifest.json").write_text('{"schema_version": 3}', encoding="utf-8")
    elif kind == "wrong hashes":
        _wrong_hashes(current)
    elif kind == "manifest without listings.csv":
        manifest = json.loads((current / "manifest.json").read_text(encoding="utf-8"))
        del manifest["outputs"]["listings.csv"]
        (current / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    elif kind.startswith("truncated "):
        _truncated(current / kind.removeprefix("truncated "))
    elif kind == "empty inputs.parquet":
        (current / "inputs.parquet").write_bytes(b"")
    elif kind == "garbled rejects.jsonl":
        _garbled(current / "rejects.jsonl")
    elif kind in ("no listings.csv", "no inputs.parquet"):
        (current / kind.removeprefix("no ")).unlink()
    elif kind.startswith("another dataset's "):  # ... listings.parquet[, rehashed]
        name = kind.removeprefix("another dataset's ").removesuffix(", rehashed")
        shutil.copy(other / name, current / name)
        if kind.endswith(", rehashed"):
            _rehashed(current)
    elif kind == "garbled rejects.jsonl, rehashed":
        _garbled(current / "rejects.jsonl")
        _rehashed(current)
    elif kind == "short sightings.parquet, rehashed":
        _short_sightings(current)
    elif kind == "half of sightings.parquet, rehashed":
        _truncated(current / "sightings.parquet")
        _rehashed(current)
    elif kind == "sightings as listings.parquet, rehashed":
        shutil.copy(current / "sightings.parquet", current / "listings.parquet")
        _rehashed(current)
    elif kind == "a listing less, rehashed":
        listings = pq.read_table(current / "listings.parquet")
        pq.write_table(listings.slice(1), current / "listings.parquet")
        _rehashed(current)
    elif kind == "a reject more, rehashed":
        with open(current / "rejects.jsonl", "a", encoding="utf-8") as rejects:
            rejects.write('{"source": "x", "line": 1, "reason": "no_town", "text": ""}\n')
        _rehashed(current)
    else:
        raise AssertionError(kind)


DAMAGES = {
    "no manifest": "no manifest.json",
    "garbage manifest": "is not a classifieds manifest",
    "manifest not an object": "is not a classifieds manifest",
    "manifest without outputs": "is not a classifieds manifest",
    "wrong hashes": "does not match its manifest",
    "manifest without listings.csv": "does not match its manifest (it describes no listings.csv",
    "truncated listings.parquet": "does not match its manifest (listings.parquet",
    "truncated sightings.parquet": "does not match its manifest (sightings.parquet",
    "truncated inputs.parquet": "does not match its manifest (inputs.parquet",
    "empty inputs.parquet": "does not match its manifest (inputs.parquet",
    "truncated listings.csv": "does not match its manifest (listings.csv",
    "garbled rejects.jsonl": "does not match its manifest (rejects.jsonl",
    "no listings.csv": "does not match its manifest (listings.csv is missing",
    "no inputs.parquet": "does not match its manifest (inputs.parquet is missing",
    "another dataset's listings.parquet": "does not match its manifest (listings.parquet",
    # The manifest made to describe the damaged files: what the copy meets tells.
    "another dataset's listings.parquet, rehashed": "has no sightings",
    "another dataset's sightings.parquet, rehashed": "names the page",
    "garbled rejects.jsonl, rehashed": "of rejects.jsonl is not a reject",
    "short sightings.parquet, rehashed": "sightings.parquet lacks sightings",
    "half of sightings.parquet, rehashed": "sightings.parquet is not a Parquet file",
    "sightings as listings.parquet, rehashed": "listings.parquet lacks the columns",
    "a listing less, rehashed": "are not in listings.parquet",
    "a reject more, rehashed": "rejects no input of inputs.parquet counts",
}


@pytest.mark.parametrize("kind", DAMAGES)
def test_an_append_onto_a_damaged_dataset_is_refused_and_changes_nothing(
    crawl: Path, tmp_path: Path, kind: str
) -> None:
    """Its files are checked against the manifest before anything is copied: a damaged
    dataset is one line, exit 2 as readers refuse it, never an internal error nor a dataset
    silently replaced by the new inputs alone."""
    out, other = tmp_path / "data", tmp_path / "other"
    classifieds.build([crawl / "a"], out)
    classifieds.build([crawl / "c"], other)
    _damage(kind, out, other)
    before = _snapshot(out)
    result = CliRunner().invoke(cli, ["export", str(crawl / "b"), "-o", str(out), "--append", "-q"])
    assert result.exit_code == 2, (result.output, result.exception)
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert DAMAGES[kind] in line
    assert line.endswith("export all the inputs again without --append.")
    assert _snapshot(out) == before


def test_an_append_into_a_folder_without_a_dataset_is_an_export(
    crawl: Path, tmp_path: Path
) -> None:
    """Files that are no dataset's (notes, a chart) do not stop it, and are left alone."""
    out = tmp_path / "data"
    out.mkdir()
    (out / "notes.txt").write_text("mine\n", encoding="utf-8")
    classifieds.build([crawl], out, append=True)
    classifieds.build([crawl], tmp_path / "full")
    assert files(out) == files(tmp_path / "full")
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine\n"
